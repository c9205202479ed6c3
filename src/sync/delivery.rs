//! Sending a channel conversation's replies: every bot message not yet sent goes out through
//! the Graph send API, in order, each recorded with the id Meta gave it as soon as Meta took it,
//! so a retry never sends it twice. A reply outside WhatsApp's 24-hour customer-service window
//! is replaced by the configured approved template, or marked undeliverable — never retried in a
//! loop. WhatsApp also gets a read receipt for the visitor's last message.

use std::collections::HashMap;

use futures_util::future::BoxFuture;
use secrecy::SecretString;
use tracing::{debug, warn};

use super::store_error;
use super::worker::JobHandler;
use crate::channels::graph::{Graph, SendError};
use crate::channels::replies::{
    Choice, Shape, choices, messenger_body, messenger_shape, split, whatsapp_body, whatsapp_shape,
};
use crate::channels::{MessengerConfig, WhatsappConfig};
use crate::lead::{Channel, Lang};
use crate::outbound::CallError;
use crate::store::{ConversationRow, JobKind, JobRow, MessageRow, Store};

/// Which send API a bridge uses.
pub enum Bridge {
    Whatsapp(WhatsappConfig),
    Messenger(MessengerConfig),
}

/// Sends replies for one bridge.
pub struct Delivery {
    store: Store,
    bridge: Bridge,
    graph: Graph,
    /// The label of the button that opens a WhatsApp list, per language.
    list_labels: HashMap<Lang, String>,
}

/// How a delivery row says the template went out in place of the replies.
const TEMPLATE_SENT: &str = "re-engagement template sent instead";

/// Longest Messenger text (Meta refuses 2,000 characters or more) and Instagram text (1,000).
const MESSENGER_TEXT: usize = 1999;
const INSTAGRAM_TEXT: usize = 999;

impl Delivery {
    /// Sends through `bridge`, labelling WhatsApp lists in the conversation's language.
    pub fn new(store: Store, bridge: Bridge, list_labels: HashMap<Lang, String>) -> Delivery {
        let graph = match &bridge {
            Bridge::Whatsapp(c) => Graph::new(&c.graph_url, c.timeout_secs),
            Bridge::Messenger(c) => Graph::new(&c.graph_url, c.timeout_secs),
        };
        Delivery {
            store,
            bridge,
            graph,
            list_labels,
        }
    }

    async fn deliver(&self, job: &JobRow) -> Result<(), CallError> {
        let Some(c) = self
            .store
            .conversation(&job.conversation_id)
            .await
            .map_err(store_error)?
        else {
            return Ok(());
        };
        let (Some(to), Some(account), Some(channel)) = (
            c.external_id.clone(),
            c.channel_account.clone(),
            Channel::parse(&c.channel),
        ) else {
            // Erased, or not a channel conversation: nothing to send to.
            return Ok(());
        };
        let from = self
            .store
            .delivered_upto(&c.id)
            .await
            .map_err(store_error)?;
        let pending = self
            .store
            .messages_after(&c.id, from, 500)
            .await
            .map_err(store_error)?;
        let lang = c
            .locale
            .as_deref()
            .and_then(Lang::from_locale)
            .unwrap_or_default();
        if let Bridge::Whatsapp(config) = &self.bridge {
            self.mark_read(config, &account, &pending).await;
        }
        let replies: Vec<&MessageRow> = pending.iter().filter(|m| m.role != "visitor").collect();
        self.send_replies(&c, channel, &account, &to, &replies, lang)
            .await
    }

    /// Sends `replies` in order, recording each as Meta took it; the first refused ends the run
    /// (outside the customer-service window: the template that re-opens it, or nothing).
    async fn send_replies(
        &self,
        c: &ConversationRow,
        channel: Channel,
        account: &str,
        to: &str,
        replies: &[&MessageRow],
        lang: Lang,
    ) -> Result<(), CallError> {
        for (i, m) in replies.iter().enumerate() {
            match self.send_one(channel, account, to, m, lang).await {
                Ok(id) => {
                    self.store
                        .record_delivery(
                            &c.id,
                            m.seq,
                            channel.as_str(),
                            Some(&id),
                            "accepted",
                            None,
                        )
                        .await
                        .map_err(store_error)?;
                    metrics::counter!("leadgate_channel_sent_total", "channel" => channel.as_str())
                        .increment(1);
                }
                Err(e) if e.outside_window() => {
                    return self
                        .outside_window(c, channel, account, to, &replies[i..])
                        .await;
                }
                Err(e) => {
                    if e.error.class() == "permanent" {
                        let reason = e.error.to_string();
                        self.store
                            .record_delivery(
                                &c.id,
                                m.seq,
                                channel.as_str(),
                                None,
                                "undeliverable",
                                Some(&reason),
                            )
                            .await
                            .map_err(store_error)?;
                        metrics::counter!("leadgate_channel_undeliverable_total", "channel" => channel.as_str())
                            .increment(1);
                    }
                    return Err(e.error);
                }
            }
        }
        Ok(())
    }

    /// Sends one reply; returns the id Meta gave its (last) message.
    async fn send_one(
        &self,
        channel: Channel,
        account: &str,
        to: &str,
        m: &MessageRow,
        lang: Lang,
    ) -> Result<String, SendError> {
        let offered = choices(m.quick_replies.as_deref());
        match &self.bridge {
            Bridge::Whatsapp(config) => {
                let shape = whatsapp_shape(&m.text, &offered);
                let label = self.list_labels.get(&lang).map_or("Choose", String::as_str);
                let body = whatsapp_body(to, &shape, label);
                self.graph.send(account, &config.access_token, &body).await
            }
            Bridge::Messenger(config) => {
                let token = page_token(config, account)?;
                let max = if channel == Channel::Instagram {
                    INSTAGRAM_TEXT
                } else {
                    MESSENGER_TEXT
                };
                let (text, quick): (String, Vec<Choice>) = match messenger_shape(&m.text, &offered)
                {
                    Shape::QuickReplies(text, quick) => (text, quick),
                    Shape::Text(text) | Shape::Buttons(text, _) | Shape::List(text, _) => {
                        (text, Vec::new())
                    }
                };
                let parts = split(&text, max);
                let mut id = String::new();
                for (n, part) in parts.iter().enumerate() {
                    let last = n + 1 == parts.len();
                    let body = messenger_body(to, part, if last { &quick } else { &[] }, None);
                    id = self.graph.send(account, token, &body).await?;
                }
                Ok(id)
            }
        }
    }

    /// Replies that fall outside the customer-service window: on WhatsApp the configured
    /// template goes out once in place of them; every one of them is recorded as
    /// undeliverable, and the job ends (the next message from the visitor reopens the window).
    async fn outside_window(
        &self,
        c: &ConversationRow,
        channel: Channel,
        account: &str,
        to: &str,
        replies: &[&MessageRow],
    ) -> Result<(), CallError> {
        let mut reason = "outside the customer-service window".to_owned();
        if let Bridge::Whatsapp(config) = &self.bridge
            && let Some(template) = &config.reengagement_template
            && !self.template_sent_since_last_message(c).await?
        {
            let mut body = whatsapp_body(to, &Shape::Text(String::new()), "");
            if let Some(o) = body.as_object_mut() {
                o.remove("text");
            }
            body["type"] = serde_json::json!("template");
            body["template"] =
                serde_json::json!({"name": template.name, "language": {"code": template.language}});
            // Meta has no idempotency key: an answer lost after the template went out would
            // send it again on retry. The attempt is recorded first, so the template goes at
            // most once — once or not at all, never twice.
            if let Some(first) = replies.first() {
                let attempt = format!("{reason}; {TEMPLATE_SENT} ({})", template.name);
                self.store
                    .record_delivery(
                        &c.id,
                        first.seq,
                        channel.as_str(),
                        None,
                        "undeliverable",
                        Some(&attempt),
                    )
                    .await
                    .map_err(store_error)?;
            }
            match self.graph.send(account, &config.access_token, &body).await {
                Ok(_) => reason.push_str(&format!("; {TEMPLATE_SENT} ({})", template.name)),
                Err(e) => {
                    warn!(conversation = %c.id, error = %e.error, "the re-engagement template was not sent; it is not tried again");
                    reason.push_str(&format!("; the template was not sent: {}", e.error));
                }
            }
        }
        for m in replies {
            self.store
                .record_delivery(
                    &c.id,
                    m.seq,
                    channel.as_str(),
                    None,
                    "undeliverable",
                    Some(&reason),
                )
                .await
                .map_err(store_error)?;
        }
        metrics::counter!("leadgate_channel_outside_window_total", "channel" => channel.as_str())
            .increment(replies.len() as u64);
        warn!(conversation = %c.id, "replies fell outside the customer-service window: {reason}");
        Ok(())
    }

    /// Whether the re-engagement template already went out since the visitor last wrote: it is
    /// sent once, however many replies wait behind it.
    async fn template_sent_since_last_message(
        &self,
        c: &ConversationRow,
    ) -> Result<bool, CallError> {
        let messages = self
            .store
            .messages_after(&c.id, 0, i64::MAX)
            .await
            .map_err(store_error)?;
        let last_visitor = messages
            .iter()
            .rev()
            .find(|m| m.role == "visitor")
            .map_or(0, |m| m.created_ms);
        let deliveries = self.store.deliveries(&c.id).await.map_err(store_error)?;
        Ok(deliveries.iter().any(|d| {
            d.updated_ms >= last_visitor
                && d.error
                    .as_deref()
                    .is_some_and(|e| e.contains(TEMPLATE_SENT))
        }))
    }

    /// Tells WhatsApp the visitor's newest message was read, with a typing indicator while the
    /// reply is on its way. Best effort: a failure costs only the blue ticks.
    async fn mark_read(&self, config: &WhatsappConfig, account: &str, pending: &[MessageRow]) {
        let Some(last) = pending
            .iter()
            .rev()
            .find(|m| m.role == "visitor")
            .and_then(|m| m.client_msg_id.as_deref())
            .filter(|id| id.starts_with("wamid."))
        else {
            return;
        };
        let body = serde_json::json!({"messaging_product": "whatsapp", "status": "read",
            "message_id": last, "typing_indicator": {"type": "text"}});
        if let Err(e) = self.graph.send(account, &config.access_token, &body).await {
            debug!(error = %e.error, "read receipt not sent");
        }
    }
}

fn page_token<'a>(config: &'a MessengerConfig, page: &str) -> Result<&'a SecretString, SendError> {
    config
        .page(page)
        .map(|p| &p.access_token)
        .ok_or_else(|| CallError::permanent(format!("page {page} is no longer configured")).into())
}

impl JobHandler for Delivery {
    fn kind(&self) -> JobKind {
        JobKind::ChannelSend
    }

    /// Conversations are independent: many send at once, each in its own order.
    fn concurrency(&self) -> usize {
        16
    }

    fn run<'a>(&'a self, job: &'a JobRow) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.deliver(job))
    }
}
