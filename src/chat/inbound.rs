//! Reading a channel sender's stored events into their conversation, in the order Meta says
//! they happened: each message becomes a turn of the same conversation service the widget
//! uses; receipts update what became of our replies. One job per sender runs at a time, so a
//! sender's messages never race each other, and a message id seen before is never a second
//! turn.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use tracing::{debug, warn};

use super::service::{CONSENT_ACCEPT, CONSENT_DECLINE, ChatService};
use super::session::{ChatError, Opening, Session};
use crate::channels::replies::{by_number, choices};
use crate::channels::{Event, What};
use crate::lead::{Channel, ContactMeta};
use crate::outbound::CallError;
use crate::store::{EventRow, JobKind, JobRow, now_ms};
use crate::sync::{JobHandler, store_error};

/// The origin of frames pushed for channel messages: no socket has this id.
pub const CHANNEL_ORIGIN: u64 = super::hub::REMOTE;

/// Reads inbound channel events into conversations.
pub struct Inbound {
    chat: Arc<ChatService>,
}

fn chat_error(e: ChatError) -> CallError {
    match e {
        ChatError::Store(e) => store_error(e),
        ChatError::UnknownSite(site) => {
            CallError::permanent(format!("site {site} is not configured"))
        }
        // Kept for an operator: the sender's message stays among the channel's events.
        ChatError::Full(max) => CallError::permanent(format!(
            "the conversation holds its limit of {max} messages ([limits] messages_per_conversation)"
        )),
    }
}

/// What a visitor's event asks the conversation to do.
enum Act {
    /// A message to answer.
    Say(String),
    /// A tapped consent button.
    Consent(bool),
    /// Content the assistant cannot read.
    Unreadable(String),
    /// Nothing to answer (a removed reaction, an empty message).
    Nothing,
}

impl Inbound {
    /// Reads events into `chat`'s conversations.
    pub fn new(chat: Arc<ChatService>) -> Inbound {
        Inbound { chat }
    }

    async fn read(&self, job: &JobRow) -> Result<(), CallError> {
        let store = self.chat.store();
        let rows = store
            .pending_events(&job.conversation_id)
            .await
            .map_err(store_error)?;
        let mut session: Option<Session> = None;
        for row in rows {
            let conversation = self.one(&row, &mut session).await?;
            store
                .finish_event(row.id, conversation.as_deref())
                .await
                .map_err(store_error)?;
        }
        Ok(())
    }

    /// Handles one event; returns the conversation it went to.
    async fn one(
        &self,
        row: &EventRow,
        session: &mut Option<Session>,
    ) -> Result<Option<String>, CallError> {
        let event: Event = match serde_json::from_str(&row.event_json) {
            Ok(e) => e,
            Err(e) => {
                warn!(event = row.id, error = %e, "a stored channel event cannot be read; skipped");
                return Ok(None);
            }
        };
        match &event.what {
            What::Status {
                message_id,
                status,
                error,
            } => {
                let conversation = self
                    .chat
                    .store()
                    .apply_receipt(event.channel.as_str(), message_id, status, error.as_deref())
                    .await
                    .map_err(store_error)?;
                if status == "failed" {
                    metrics::counter!("leadgate_channel_failed_total", "channel" => event.channel.as_str())
                        .increment(1);
                    warn!(conversation = ?conversation, reason = ?error, "Meta could not deliver a reply");
                }
                Ok(conversation)
            }
            What::Watermark { status, watermark } => {
                let Some(s) = self.open(&event, session, false).await? else {
                    return Ok(None);
                };
                let id = s.conversation.id.clone();
                self.chat
                    .store()
                    .apply_watermark(&id, status, *watermark)
                    .await
                    .map_err(store_error)?;
                Ok(Some(id))
            }
            What::Echo | What::Error { .. } | What::System { .. } => Ok(None),
            What::Text { .. }
            | What::Reply { .. }
            | What::Unreadable { .. }
            | What::Reaction { .. } => {
                let Some(s) = self.open(&event, session, true).await? else {
                    return Ok(None);
                };
                self.converse(s, &event).await?;
                Ok(Some(s.conversation.id.clone()))
            }
        }
    }

    /// The sender's open conversation: the one held from an earlier event of this job, else
    /// their latest one unless it has been idle too long, else (when `create`) a new one.
    async fn open<'s>(
        &self,
        event: &Event,
        held: &'s mut Option<Session>,
        create: bool,
    ) -> Result<Option<&'s mut Session>, CallError> {
        let config = self.chat.config();
        let site = match event.channel {
            Channel::Whatsapp => config
                .channels
                .whatsapp
                .as_ref()
                .and_then(|w| w.site_of(&event.account)),
            _ => config
                .channels
                .messenger
                .as_ref()
                .and_then(|m| m.page(&event.account))
                .map(|p| p.site.as_str()),
        };
        let Some(site) = site.map(str::to_owned) else {
            warn!(channel = event.channel.as_str(), account = %event.account, "an event for an account no site is configured for; skipped");
            return Ok(None);
        };
        let idle_ms = (config.channels.conversation_idle_hours * 3_600_000.0) as i64;
        // A conversation silent for too long, or holding its limit of messages, is left as it
        // is: the sender's next message starts a new one.
        let cap = config.limits.messages_per_conversation as usize;
        let room = |s: &Session| s.messages.len() < cap;
        let fresh = |s: &Session| s.conversation.updated_ms >= now_ms() - idle_ms && room(s);
        if held.as_ref().is_some_and(|s| !fresh(s)) {
            *held = None;
        }
        if held.is_none() {
            let store = self.chat.store();
            let found = store
                .open_conversation(
                    &site,
                    event.channel.as_str(),
                    &event.sender.id,
                    now_ms() - idle_ms,
                )
                .await
                .map_err(store_error)?;
            let resumed = match found {
                Some(c) => self.chat.resume(&c.id).await.map_err(chat_error)?,
                None => None,
            };
            *held = match resumed.filter(room) {
                Some(session) => Some(session),
                None if create => {
                    // The channel tells no locale: the first message's language greets them.
                    let locale = match &event.what {
                        What::Text { text } => crate::lead::language::detect([text.as_str()])
                            .map(|l| l.code().to_owned()),
                        _ => None,
                    };
                    let opening = Opening {
                        channel: Some(event.channel),
                        locale,
                        external_id: Some(event.sender.id.clone()),
                        channel_account: Some(event.account.clone()),
                        contact: Some(ContactMeta {
                            phone: event.sender.phone.clone(),
                            name: event.sender.name.clone(),
                            email: None,
                        }),
                        ..Opening::default()
                    };
                    Some(self.chat.start(&site, opening).await.map_err(chat_error)?)
                }
                None => None,
            };
        }
        Ok(held.as_mut())
    }

    /// One message of the visitor, as a turn of their conversation.
    async fn converse(&self, session: &mut Session, event: &Event) -> Result<(), CallError> {
        let lang = self.chat.lang(&session.conversation);
        let t = self.chat.templates(lang);
        let key = Some(event.key.clone());
        match act(session, &event.what, &t.consent_accept, &t.consent_decline) {
            Act::Say(text) => {
                self.chat
                    .visitor_message(session, key, text, CHANNEL_ORIGIN, None)
                    .await
                    .map_err(chat_error)?;
            }
            Act::Consent(granted) => {
                let reply = if granted {
                    t.consent_accepted.clone()
                } else {
                    t.consent_declined.clone()
                };
                if session.stored(key.as_deref()).is_none() {
                    let title = if granted {
                        t.consent_accept.clone()
                    } else {
                        t.consent_decline.clone()
                    };
                    self.chat
                        .exchange(session, key, title, Vec::new())
                        .await
                        .map_err(chat_error)?;
                    self.chat
                        .consent(session, granted, None, Some(reply))
                        .await
                        .map_err(chat_error)?;
                }
            }
            Act::Unreadable(content) => {
                let reply = t.only_text.clone();
                self.chat
                    .exchange(session, key, format!("[{content}]"), vec![reply])
                    .await
                    .map_err(chat_error)?;
            }
            Act::Nothing => debug!("nothing to answer"),
        }
        Ok(())
    }
}

/// Reads what the visitor did: a tapped button or a number answering the last choices counts
/// as the choice; the consent buttons (or their titles typed) decide consent.
fn act(session: &Session, what: &What, accept: &str, decline: &str) -> Act {
    let offered = session
        .messages
        .iter()
        .rev()
        .find(|m| m.role != "visitor")
        .map(|m| choices(m.quick_replies.as_deref()))
        .unwrap_or_default();
    let consent_open =
        session.conversation.consent_required && session.conversation.consent_granted.is_none();
    let chosen = |payload: &str, title: &str| -> Act {
        match payload {
            CONSENT_ACCEPT => Act::Consent(true),
            CONSENT_DECLINE => Act::Consent(false),
            _ if !title.trim().is_empty() => Act::Say(title.trim().to_owned()),
            _ => Act::Say(payload.trim().to_owned()),
        }
    };
    match what {
        What::Reply { id, title } => chosen(id, title),
        What::Text { text } => {
            let text = text.trim();
            if text.is_empty() {
                return Act::Nothing;
            }
            if let Some(c) = by_number(text, &offered) {
                return chosen(&c.payload, &c.title);
            }
            if consent_open {
                let folded = crate::lead::text::fold_case(text);
                if folded == crate::lead::text::fold_case(accept) {
                    return Act::Consent(true);
                }
                if folded == crate::lead::text::fold_case(decline) {
                    return Act::Consent(false);
                }
            }
            Act::Say(text.to_owned())
        }
        What::Unreadable { content } => Act::Unreadable(content.clone()),
        What::Reaction { emoji } if !emoji.is_empty() => Act::Unreadable("reaction".into()),
        _ => Act::Nothing,
    }
}

impl JobHandler for Inbound {
    fn kind(&self) -> JobKind {
        JobKind::ChannelInbound
    }

    /// Senders are independent; each job reads one sender.
    fn concurrency(&self) -> usize {
        8
    }

    fn run<'a>(&'a self, job: &'a JobRow) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.read(job))
    }
}
