//! The conversation service: one visitor message in, one transaction out (the message, the lead
//! revision it caused, the engine's reply), and the stored frames back to every open socket of
//! the session. Transports (the websocket, channel webhooks) only call this.

use std::sync::Arc;

use serde_json::json;
use time::OffsetDateTime;
use tracing::instrument;

use super::engine::{Engine, EngineInput, EngineState};
use super::hub::Hub;
use super::prompts::Prompts;
use crate::config::{Config, SiteConfig};
use crate::lead::{
    Channel, ContactMeta, Conversation, Extractor, Lang, Lead, LeadJson, Message, Region, Role,
    Score, ScoringRules,
};
use crate::store::{
    ConversationRow, LeadChange, MessageRow, NewConversation, Store, StoreError, StoredTurn, Turn,
    TurnMessage,
};
use crate::sync::plan::jobs_for;

/// A conversation as a socket holds it between turns.
#[derive(Debug, Clone)]
pub struct Session {
    pub conversation: ConversationRow,
    pub messages: Vec<MessageRow>,
}

impl Session {
    /// The highest stored seq.
    pub fn last_seq(&self) -> i64 {
        self.messages.last().map_or(0, |m| m.seq)
    }
}

/// What a visitor message became.
#[derive(Debug, Clone)]
pub enum TurnResult {
    /// Its `client_msg_id` was stored before; nothing happened.
    Duplicate(MessageRow),
    /// Stored, with the assistant's replies.
    Stored {
        visitor: MessageRow,
        replies: Vec<MessageRow>,
    },
}

/// Why a turn failed; the visitor's message was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("site {0} is not configured")]
    UnknownSite(String),
}

/// Where a new conversation comes from.
#[derive(Debug, Clone, Default)]
pub struct Opening {
    pub channel: Option<Channel>,
    pub external_id: Option<String>,
    pub locale: Option<String>,
    pub page_url: Option<String>,
    pub contact: Option<ContactMeta>,
}

/// The service.
pub struct ChatService {
    store: Store,
    config: Arc<Config>,
    extractor: Extractor,
    engine: Arc<dyn Engine>,
    prompts: Arc<Prompts>,
    hub: Hub,
    /// This gateway among those sharing a PostgreSQL store.
    instance: String,
    /// Wakes the outbox workers when a turn adds jobs.
    wake: Arc<tokio::sync::Notify>,
}

impl ChatService {
    /// A service over a store, with a config and an engine.
    pub fn new(
        store: Store,
        config: Arc<Config>,
        engine: Arc<dyn Engine>,
        prompts: Arc<Prompts>,
        wake: Arc<tokio::sync::Notify>,
    ) -> ChatService {
        let extractor = Extractor::new(&config.scoring.competitors);
        ChatService {
            store,
            config,
            extractor,
            engine,
            prompts,
            hub: Hub::default(),
            instance: uuid::Uuid::new_v4().simple().to_string(),
            wake,
        }
    }

    /// The sockets of each session, for pushing frames to other tabs.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The privacy notice of a site, in a language.
    pub fn consent_notice(&self, site: &SiteConfig, lang: Lang) -> String {
        let name = if site.name.is_empty() {
            &site.key
        } else {
            &site.name
        };
        self.prompts
            .get(lang)
            .consent_notice
            .replace("{site}", name)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn site(&self, key: &str) -> Result<&SiteConfig, ChatError> {
        self.config
            .site(key)
            .ok_or_else(|| ChatError::UnknownSite(key.to_owned()))
    }

    fn rules(&self) -> &ScoringRules {
        &self.config.scoring
    }

    /// The conversation's language: the visitor's locale when we speak it, else the site's.
    pub fn lang(&self, conversation: &ConversationRow) -> Lang {
        conversation
            .locale
            .as_deref()
            .and_then(Lang::from_locale)
            .or_else(|| self.config.site(&conversation.site).map(SiteConfig::lang))
            .unwrap_or_default()
    }

    /// Starts a conversation and stores the assistant's greeting.
    #[instrument(skip_all, fields(site = %site_key))]
    pub async fn start(&self, site_key: &str, opening: Opening) -> Result<Session, ChatError> {
        let site = self.site(site_key)?;
        let locale = opening
            .locale
            .filter(|l| Lang::from_locale(l).is_some())
            .unwrap_or_else(|| site.locale.clone());
        // National phone numbers: the site's configured region, else the visitor's own locale
        // (a German visitor on an English-language site types a German number), else the
        // site's locale.
        let region = site
            .default_region
            .or_else(|| Region::from_locale(&locale))
            .or_else(|| site.region())
            .map(|r| r.code().to_owned());
        let new = NewConversation {
            site: site.key.clone(),
            channel: opening.channel.unwrap_or_default().as_str().to_owned(),
            external_id: opening.external_id,
            locale: Some(locale),
            region,
            page_url: opening
                .page_url
                .map(|u| crate::lead::text::truncate(&u, 2048).to_owned()),
            contact_json: opening
                .contact
                .as_ref()
                .and_then(|c| serde_json::to_string(c).ok()),
            consent_required: site.require_consent,
        };
        let conversation = self.store.create_conversation(&new).await?;
        let lang = self.lang(&conversation);
        let greeting = self.engine.greeting(site, lang);
        let turn = Turn {
            conversation_id: conversation.id.clone(),
            messages: vec![bot_message(&greeting)],
            ..Turn::default()
        };
        let mut session = Session {
            conversation,
            messages: Vec::new(),
        };
        if let StoredTurn::Stored { messages, .. } = self.store.record_turn(&turn).await? {
            session.conversation.last_seq = messages.last().map_or(0, |m| m.seq);
            session.messages = messages;
        }
        metrics::counter!("leadgate_conversations_started_total").increment(1);
        Ok(session)
    }

    /// Loads a conversation to resume it.
    pub async fn resume(&self, conversation_id: &str) -> Result<Option<Session>, ChatError> {
        let Some(conversation) = self.store.conversation(conversation_id).await? else {
            return Ok(None);
        };
        if conversation.erased_ms.is_some() {
            return Ok(None);
        }
        let messages = self
            .store
            .messages_after(conversation_id, 0, i64::MAX)
            .await?;
        Ok(Some(Session {
            conversation,
            messages,
        }))
    }

    /// Whether replies stream: a transport that shows them passes a `deltas` channel to
    /// [`ChatService::visitor_message`].
    pub fn streams(&self) -> bool {
        self.engine.streams()
    }

    /// Handles a visitor message: stores it with the lead revision it causes and the
    /// assistant's replies, in one transaction, and pushes the frames to the session's other
    /// sockets. `origin` is the socket that sent it. With `deltas`, a streaming engine's reply
    /// arrives there as `delta` frames while it is written (and on the session's other
    /// sockets); the stored `message` with the same id replaces them.
    #[instrument(skip_all, fields(conversation = %session.conversation.id))]
    pub async fn visitor_message(
        &self,
        session: &mut Session,
        client_msg_id: Option<String>,
        text: String,
        origin: u64,
        deltas: Option<tokio::sync::mpsc::UnboundedSender<serde_json::Value>>,
    ) -> Result<TurnResult, ChatError> {
        if let Some(cid) = &client_msg_id
            && let Some(existing) = session
                .messages
                .iter()
                .find(|m| m.client_msg_id.as_ref() == Some(cid))
        {
            return Ok(TurnResult::Duplicate(existing.clone()));
        }
        let site = self.site(&session.conversation.site)?.clone();
        let lang = self.lang(&session.conversation);
        let previous = stored_lead(&session.conversation);
        let lead = self.lead_of(session, Some(&text));
        let score = self.rules().score(&lead);
        let state: EngineState = session
            .conversation
            .engine_state
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let streamed_id = deltas.as_ref().map(|_| uuid::Uuid::now_v7().to_string());
        // Only to the socket that asked: another tab gets the stored message, in order.
        let sink: Option<Box<super::engine::StreamSink>> = match (&deltas, &streamed_id) {
            (Some(tx), Some(id)) => {
                let (tx, id) = (tx.clone(), id.clone());
                Some(Box::new(move |piece: &str| {
                    let _ = tx.send(json!({"type": "delta", "id": id, "text": piece}));
                }))
            }
            _ => None,
        };
        let output = self
            .engine
            .reply(EngineInput {
                site: &site,
                lang,
                visitor_text: &text,
                history: &session.messages,
                lead: &lead,
                previous: &previous,
                consent_missing: consent_missing(&session.conversation),
                state,
                stream: sink.as_deref(),
            })
            .await;

        let mut messages = vec![TurnMessage {
            role: "visitor",
            text,
            client_msg_id,
            ..TurnMessage::default()
        }];
        messages.extend(output.replies.iter().map(bot_message));
        if let (Some(id), Some(last)) = (streamed_id, messages.last_mut())
            && last.role == "bot"
        {
            last.id = Some(id);
        }
        let (change, qualified) = self.lead_change(&session.conversation, &previous, &lead, &score);
        let jobs = if change.is_some() {
            jobs_for(&self.config, &session.conversation, &lead, &score)
        } else {
            Vec::new()
        };
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages,
            lead: change,
            engine_state: serde_json::to_string(&output.state).ok(),
            qualified,
            jobs,
        };
        let stored = self.store.record_turn(&turn).await?;
        let (visitor, replies) = match stored {
            StoredTurn::Duplicate(existing) => return Ok(TurnResult::Duplicate(existing)),
            StoredTurn::Stored { mut messages, .. } => {
                let visitor = messages.remove(0);
                (visitor, messages)
            }
        };
        self.apply(session, &turn, Some(&visitor), &replies);
        if !turn.jobs.is_empty() {
            self.wake.notify_waiters();
        }
        for m in std::iter::once(&visitor).chain(&replies) {
            self.hub
                .publish(&session.conversation.id, origin, message_frame(m));
        }
        if self.store.is_shared() {
            let last = replies.last().unwrap_or(&visitor).seq;
            self.announce(&session.conversation.id, visitor.seq, last)
                .await;
        }
        metrics::counter!("leadgate_visitor_messages_total").increment(1);
        if qualified {
            metrics::counter!("leadgate_leads_qualified_total").increment(1);
        }
        Ok(TurnResult::Stored { visitor, replies })
    }

    /// Tells the other gateways on this database that the conversation has messages
    /// `from..=to`. A failure costs only the live push; the messages are stored.
    async fn announce(&self, conversation: &str, from: i64, to: i64) {
        let payload = json!({"g": self.instance, "c": conversation, "from": from, "to": to});
        if let Err(e) = self.store.announce(&payload.to_string()).await {
            tracing::warn!(error = %e, "cannot announce a turn to the other gateways");
        }
    }

    /// Pushes the turns other gateways announce to the sockets open here, until `shutdown`.
    pub async fn relay(self: Arc<Self>, shutdown: tokio_util::sync::CancellationToken) {
        let mut listener = match self.store.listen().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for other gateways' turns; pushes stay local");
                return;
            }
        };
        loop {
            let notification = tokio::select! {
                _ = shutdown.cancelled() => return,
                n = listener.recv() => n,
            };
            match notification {
                Ok(n) => self.relay_one(n.payload()).await,
                Err(e) => {
                    tracing::warn!(error = %e, "lost the announcement channel; reconnecting");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }

    /// Pushes one announced turn, when it comes from another gateway and a socket of its
    /// conversation is open here.
    async fn relay_one(&self, payload: &str) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(payload) else {
            return;
        };
        let (Some(origin), Some(conversation), Some(from), Some(to)) = (
            v["g"].as_str(),
            v["c"].as_str(),
            v["from"].as_i64(),
            v["to"].as_i64(),
        ) else {
            return;
        };
        if origin == self.instance || !self.hub.has_sockets(conversation) || to < from {
            return;
        }
        match self
            .store
            .messages_after(conversation, from - 1, (to - from + 1).min(100))
            .await
        {
            Ok(rows) => {
                for m in &rows {
                    self.hub.publish_remote(conversation, message_frame(m));
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read an announced turn"),
        }
    }

    /// Records the visitor's consent decision; granting it re-reads the conversation so fields
    /// given before are captured now.
    pub async fn consent(
        &self,
        session: &mut Session,
        granted: bool,
        policy_version: Option<&str>,
    ) -> Result<(), ChatError> {
        self.store
            .record_consent(&session.conversation.id, granted, policy_version)
            .await?;
        session.conversation.consent_granted = Some(granted);
        let previous = stored_lead(&session.conversation);
        let lead = self.lead_of(session, None);
        let score = self.rules().score(&lead);
        let (change, qualified) = self.lead_change(&session.conversation, &previous, &lead, &score);
        if change.is_some() {
            let jobs = jobs_for(&self.config, &session.conversation, &lead, &score);
            let turn = Turn {
                conversation_id: session.conversation.id.clone(),
                lead: change,
                qualified,
                jobs,
                ..Turn::default()
            };
            self.store.record_turn(&turn).await?;
            self.apply(session, &turn, None, &[]);
            if !turn.jobs.is_empty() {
                self.wake.notify_waiters();
            }
        }
        Ok(())
    }

    /// The lead of a session's conversation (with a new visitor message not yet stored), with
    /// personal fields dropped while consent is missing.
    fn lead_of(&self, session: &Session, new_visitor_text: Option<&str>) -> Lead {
        let c = &session.conversation;
        let mut messages: Vec<Message> = session
            .messages
            .iter()
            .map(|m| Message {
                role: if m.role == "visitor" {
                    Role::Visitor
                } else {
                    Role::Bot
                },
                text: m.text.clone(),
            })
            .collect();
        if let Some(text) = new_visitor_text {
            messages.push(Message {
                role: Role::Visitor,
                text: text.to_owned(),
            });
        }
        let started_at =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(c.started_ms) * 1_000_000)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let conv = Conversation {
            id: None,
            started_at,
            channel: serde_json::from_value(json!(c.channel)).unwrap_or_default(),
            locale: c.locale.clone(),
            default_region: c.region.as_deref().and_then(|r| Region::parse(r).ok()),
            contact: c
                .contact_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
            messages,
        };
        let mut lead = self.extractor.extract(&conv).lead;
        if consent_missing(c) {
            lead.name = None;
            lead.email = None;
            lead.phone = None;
        }
        lead
    }

    /// The revision to record when the lead changed, and whether it qualifies for the first time.
    fn lead_change(
        &self,
        c: &ConversationRow,
        previous: &Lead,
        lead: &Lead,
        score: &Score,
    ) -> (Option<LeadChange>, bool) {
        let total = i64::from(score.total);
        let before = serde_json::to_value(LeadJson::from(previous)).unwrap_or_default();
        let after = serde_json::to_value(LeadJson::from(lead)).unwrap_or_default();
        if before == after && total == c.score {
            return (None, false);
        }
        let mut changes = serde_json::Map::new();
        if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
            for (k, v) in a {
                if b.get(k) != Some(v) {
                    changes.insert(k.clone(), json!({"old": b.get(k), "new": v}));
                }
            }
        }
        let qualified = c.qualified_ms.is_none() && self.rules().qualifies(lead, score);
        let change = LeadChange {
            lead_json: after.to_string(),
            changes_json: serde_json::Value::Object(changes).to_string(),
            score: total,
            caused_by: Some(0),
        };
        (Some(change), qualified)
    }

    /// Brings the session in memory up to date with a stored turn.
    fn apply(
        &self,
        session: &mut Session,
        turn: &Turn,
        visitor: Option<&MessageRow>,
        replies: &[MessageRow],
    ) {
        let c = &mut session.conversation;
        session.messages.extend(visitor.cloned());
        session.messages.extend_from_slice(replies);
        c.last_seq = session.messages.last().map_or(c.last_seq, |m| m.seq);
        if let Some(lead) = &turn.lead {
            c.lead_json = Some(lead.lead_json.clone());
            c.score = lead.score;
            c.lead_revision += 1;
        }
        if turn.qualified {
            c.qualified_ms = Some(crate::store::now_ms());
        }
        if turn.engine_state.is_some() {
            c.engine_state.clone_from(&turn.engine_state);
        }
    }
}

fn consent_missing(c: &ConversationRow) -> bool {
    c.consent_required && c.consent_granted != Some(true)
}

fn stored_lead(c: &ConversationRow) -> Lead {
    c.lead_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<LeadJson>(j).ok())
        .and_then(|l| l.to_lead().ok())
        .unwrap_or_default()
}

fn bot_message(reply: &super::engine::BotReply) -> TurnMessage {
    let quick_replies = (!reply.quick_replies.is_empty()).then(|| {
        let items: Vec<_> = reply
            .quick_replies
            .iter()
            .map(|t| json!({"title": t, "payload": t}))
            .collect();
        serde_json::Value::Array(items).to_string()
    });
    TurnMessage {
        id: None,
        role: "bot",
        text: reply.text.clone(),
        client_msg_id: None,
        quick_replies,
        asked: reply.asked.map(|a| a.as_str().to_owned()),
    }
}

/// The protocol's `message` frame for a stored message.
pub fn message_frame(m: &MessageRow) -> serde_json::Value {
    let created = OffsetDateTime::from_unix_timestamp_nanos(i128::from(m.created_ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    let mut frame = json!({
        "type": "message",
        "seq": m.seq,
        "id": m.id,
        "role": m.role,
        "text": m.text,
        "created_at": created,
    });
    if let Some(q) = m
        .quick_replies
        .as_deref()
        .and_then(|q| serde_json::from_str::<serde_json::Value>(q).ok())
    {
        frame["quick_replies"] = q;
    }
    if let Some(cid) = &m.client_msg_id {
        frame["client_msg_id"] = json!(cid);
    }
    frame
}
