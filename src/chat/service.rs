//! The conversation service: one visitor message in, one transaction out (the message, the lead
//! revision it caused, the engine's reply, the outbox jobs), and the stored frames back to every
//! open socket of the session. Transports — the websocket, the WhatsApp and Messenger bridges —
//! only call this.

use std::sync::Arc;

use serde_json::json;
use time::OffsetDateTime;
use tracing::instrument;

use super::engine::{Engine, EngineInput, EngineOutput, EngineState};
use super::frames::{bot_message, message_frame};
use super::hub::Hub;
use super::prompts::{Prompts, Templates};
use super::session::{ChatError, Opening, Session, TurnResult};
use crate::config::{Config, SiteConfig};
use crate::lead::{
    Conversation, Extractor, Lang, Lead, LeadJson, Message, Region, Role, Score, ScoringRules,
};
use crate::store::{
    ConversationRow, Hold, LeadChange, MessageRow, NewConversation, Store, StoreError, StoredTurn,
    Turn, TurnMessage,
};
use crate::sync::plan::{delivery_job, jobs_for, thread_job};

/// The service.
pub struct ChatService {
    store: Store,
    config: Arc<Config>,
    extractor: Arc<Extractor>,
    engine: Arc<dyn Engine>,
    prompts: Arc<Prompts>,
    hub: Hub,
    /// This gateway among those sharing a PostgreSQL store.
    pub(super) instance: String,
    /// Wakes the outbox workers when a turn adds jobs.
    wake: Arc<tokio::sync::Notify>,
}

/// The payloads of the consent buttons sent on channels that have no privacy notice of their
/// own (WhatsApp, Messenger).
pub const CONSENT_ACCEPT: &str = "consent:accept";
pub const CONSENT_DECLINE: &str = "consent:decline";

impl ChatService {
    /// A service over a store, with a config, an engine and the reply templates.
    pub fn new(
        store: Store,
        config: Arc<Config>,
        engine: Arc<dyn Engine>,
        prompts: Arc<Prompts>,
        wake: Arc<tokio::sync::Notify>,
    ) -> ChatService {
        let extractor = Arc::new(Extractor::new(&config.scoring.competitors));
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

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// One language's reply templates.
    pub fn templates(&self, lang: Lang) -> &Templates {
        self.prompts.get(lang)
    }

    /// One language's reply templates in the register a site speaks.
    pub fn templates_for(&self, site: &SiteConfig, lang: Lang) -> &Templates {
        self.prompts.get_in(lang, site.register)
    }

    /// One language's reply templates on the site with this key (formal on an unknown site).
    pub fn templates_on(&self, site_key: &str, lang: Lang) -> &Templates {
        match self.config.site(site_key) {
            Some(site) => self.templates_for(site, lang),
            None => self.templates(lang),
        }
    }

    /// The privacy notice of a site, in a language.
    pub fn consent_notice(&self, site: &SiteConfig, lang: Lang) -> String {
        self.templates_for(site, lang)
            .consent_notice
            .replace("{site}", site.display_name())
    }

    fn site(&self, key: &str) -> Result<&SiteConfig, ChatError> {
        self.config
            .site(key)
            .ok_or_else(|| ChatError::UnknownSite(key.to_owned()))
    }

    fn rules(&self) -> &ScoringRules {
        &self.config.scoring
    }

    /// A lead's score under the site's scoring (its minimum budget).
    fn score(&self, site: &SiteConfig, lead: &Lead) -> Score {
        self.config.scoring_for(site).score(lead)
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

    /// Starts a conversation and stores the assistant's greeting. A channel conversation on a
    /// site that asks for consent also gets the privacy notice, with Accept and Decline
    /// buttons, since the channel shows none of its own.
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
        let channel = opening.channel.unwrap_or_default();
        let new = NewConversation {
            site: site.key.clone(),
            channel: channel.as_str().to_owned(),
            external_id: opening.external_id,
            channel_account: opening.channel_account,
            locale: Some(locale),
            region,
            page_url: opening.page_url.as_deref().map(page_address),
            contact_json: opening
                .contact
                .as_ref()
                .and_then(|c| serde_json::to_string(c).ok()),
            consent_required: site.require_consent,
        };
        let conversation = self.store.create_conversation(&new).await?;
        let lang = self.lang(&conversation);
        let mut messages = vec![bot_message(&self.engine.greeting(site, lang))];
        if site.require_consent && delivery_job(&conversation, 0).is_some() {
            let t = self.templates(lang);
            messages.push(TurnMessage {
                role: "bot",
                text: self.consent_notice(site, lang),
                quick_replies: Some(
                    json!([
                        {"title": t.consent_accept, "payload": CONSENT_ACCEPT},
                        {"title": t.consent_decline, "payload": CONSENT_DECLINE},
                    ])
                    .to_string(),
                ),
                ..TurnMessage::default()
            });
        }
        let mut session = Session {
            conversation,
            messages: Vec::new(),
        };
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages,
            ..Turn::default()
        };
        self.commit(&mut session, turn, 0).await?;
        metrics::counter!("leadgate_conversations_started_total", "channel" => channel.as_str())
            .increment(1);
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

    /// The day's use of the model, when the engine calls one.
    pub fn model_use(&self) -> Option<super::llm::ModelUse> {
        self.engine.model_use()
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
        if let Some(existing) = session.stored(client_msg_id.as_deref()) {
            return Ok(TurnResult::Duplicate(existing.clone()));
        }
        let cap = self.config.limits.messages_per_conversation;
        if session.messages.len() >= cap as usize {
            return Err(ChatError::Full(cap));
        }
        let site = self.site(&session.conversation.site)?.clone();
        let locale = self.language_shift(session, &text);
        if locale.is_some() {
            session.conversation.locale.clone_from(&locale);
        }
        let lang = self.lang(&session.conversation);
        let previous = stored_lead(&session.conversation);
        let lead = self.lead_of(session, Some(&text)).await;
        // What waits for the visitor's confirmation is neither scored nor synced.
        let score = self.score(&site, &lead.confirmed());
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
        // While a rep holds the conversation the assistant stays quiet: the message is stored,
        // the lead updated, and the rep sees it in the alert's thread.
        let held = session.conversation.human_since_ms.is_some();
        let output = if held {
            EngineOutput {
                replies: Vec::new(),
                state,
                open_question: None,
            }
        } else {
            self.engine
                .reply(EngineInput {
                    site: &site,
                    lang,
                    region: session
                        .conversation
                        .region
                        .as_deref()
                        .and_then(|r| Region::parse(r).ok()),
                    visitor_text: &text,
                    history: &session.messages,
                    lead: &lead,
                    previous: &previous,
                    consent_missing: consent_missing(&session.conversation),
                    state,
                    stream: sink.as_deref(),
                })
                .await
        };

        let mut lead = lead;
        if let Some(q) = output.open_question.clone()
            && lead.open_questions.len() < crate::lead::record::MAX_OPEN_QUESTIONS
        {
            lead.open_questions.push(q);
        }
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
        let mut jobs = if change.is_some() {
            jobs_for(
                &self.config,
                &session.conversation,
                &lead.confirmed(),
                &score,
            )
        } else {
            Vec::new()
        };
        if session.conversation.owner_slack_id.is_some() {
            jobs.extend(thread_job(&self.config));
        }
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages,
            lead: change,
            engine_state: serde_json::to_string(&output.state).ok(),
            qualified,
            jobs,
            consent: None,
            locale,
            hold: None,
            notes: Vec::new(),
        };
        let result = self.commit(session, turn, origin).await?;
        if let TurnResult::Stored { .. } = &result {
            metrics::counter!("leadgate_visitor_messages_total").increment(1);
            if qualified {
                metrics::counter!("leadgate_leads_qualified_total").increment(1);
            }
        }
        Ok(result)
    }

    /// The locale to switch the conversation to when the visitor's words (their recent messages
    /// and this one) are in another language than the conversation's: the browser's locale is
    /// only a first guess.
    fn language_shift(&self, session: &Session, text: &str) -> Option<String> {
        // A suggested reply the visitor picked is the bot's own words, in the bot's language.
        let offered = |m: &crate::store::MessageRow, text: &str| {
            m.quick_replies
                .as_deref()
                .and_then(|q| serde_json::from_str::<serde_json::Value>(q).ok())
                .and_then(|q| q.as_array().cloned())
                .is_some_and(|q| q.iter().any(|r| r["title"].as_str() == Some(text.trim())))
        };
        if session
            .messages
            .iter()
            .rev()
            .find(|m| m.role != "visitor")
            .is_some_and(|m| offered(m, text))
        {
            return None;
        }
        let recent: Vec<&str> = session
            .messages
            .iter()
            .rev()
            .filter(|m| m.role == "visitor")
            .take(8)
            .map(|m| m.text.as_str())
            .collect();
        let current = self.lang(&session.conversation);
        let texts = recent.into_iter().rev().chain(std::iter::once(text));
        let detected = crate::lead::language::shift(texts, current)?;
        Some(detected.code().to_owned())
    }

    /// Stores a visitor's message with fixed replies, without the engine or extraction: content
    /// that is not text (a photo on WhatsApp), which the replies say cannot be read.
    pub async fn exchange(
        &self,
        session: &mut Session,
        client_msg_id: Option<String>,
        visitor_text: String,
        replies: Vec<String>,
    ) -> Result<TurnResult, ChatError> {
        if let Some(existing) = session.stored(client_msg_id.as_deref()) {
            return Ok(TurnResult::Duplicate(existing.clone()));
        }
        let mut messages = vec![TurnMessage {
            role: "visitor",
            text: visitor_text,
            client_msg_id,
            ..TurnMessage::default()
        }];
        messages.extend(replies.into_iter().map(|text| TurnMessage {
            role: "bot",
            text,
            ..TurnMessage::default()
        }));
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages,
            ..Turn::default()
        };
        Ok(self.commit(session, turn, 0).await?)
    }

    /// Records the visitor's consent decision; granting it re-reads the conversation so fields
    /// given before are captured now. `reply` is stored as the assistant's answer (channels,
    /// where the decision is a tapped button and deserves a word back).
    pub async fn consent(
        &self,
        session: &mut Session,
        granted: bool,
        policy_version: Option<&str>,
        reply: Option<String>,
    ) -> Result<(), ChatError> {
        // A decision the visitor already made (same choice, same policy) writes nothing: a
        // socket repeating it costs a read, not a transaction, a revision and a CRM job.
        let unchanged = session.conversation.consent_granted == Some(granted)
            && self
                .store
                .latest_consent(&session.conversation.id)
                .await?
                .is_some_and(|(g, p)| g == granted && p.as_deref() == policy_version);
        if unchanged && reply.is_none() {
            return Ok(());
        }
        // The decision, the lead it lets in and the answer are one transaction: nobody sees
        // consent given without the lead it releases.
        let previous = stored_lead(&session.conversation);
        session.conversation.consent_granted = Some(granted);
        let lead = self.lead_of(session, None).await;
        let site = self.site(&session.conversation.site)?.clone();
        let score = self.score(&site, &lead.confirmed());
        let (change, qualified) = self.lead_change(&session.conversation, &previous, &lead, &score);
        let jobs = if change.is_some() {
            jobs_for(
                &self.config,
                &session.conversation,
                &lead.confirmed(),
                &score,
            )
        } else {
            Vec::new()
        };
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages: reply
                .map(|text| TurnMessage {
                    role: "bot",
                    text,
                    ..TurnMessage::default()
                })
                .into_iter()
                .collect(),
            lead: change.map(|c| LeadChange {
                caused_by: None,
                ..c
            }),
            qualified,
            jobs,
            consent: (!unchanged).then(|| (granted, policy_version.map(str::to_owned))),
            ..Turn::default()
        };
        self.commit(session, turn, 0).await?;
        Ok(())
    }

    /// Stores a turn and brings everything else along: the session in memory, the jobs it
    /// queues (and, on a channel, the delivery of its replies), the frames pushed to the
    /// session's sockets and announced to the other gateways. The one way messages are
    /// written.
    pub(super) async fn commit(
        &self,
        session: &mut Session,
        mut turn: Turn,
        origin: u64,
    ) -> Result<TurnResult, StoreError> {
        let bot_replies = turn.messages.iter().any(|m| m.role != "visitor");
        if bot_replies
            && let Some(job) = delivery_job(
                &session.conversation,
                session.conversation.last_seq + turn.messages.len() as i64,
            )
        {
            turn.jobs.push(job);
        }
        let (visitor, replies) = match self.store.record_turn(&turn).await? {
            StoredTurn::Duplicate(existing) => return Ok(TurnResult::Duplicate(existing)),
            StoredTurn::Stored { mut messages, .. } => {
                let visitor = match messages.first() {
                    Some(m) if m.role == "visitor" => Some(messages.remove(0)),
                    _ => None,
                };
                (visitor, messages)
            }
        };
        self.apply(session, &turn, visitor.as_ref(), &replies);
        if !turn.jobs.is_empty() {
            self.wake.notify_waiters();
        }
        let stored: Vec<&MessageRow> = visitor.iter().chain(&replies).collect();
        for m in &stored {
            if origin == super::hub::REMOTE {
                // Not from a socket here (a rep, a channel, the assistant on its own): every
                // open socket of the session gets it.
                self.hub
                    .publish_remote(&session.conversation.id, message_frame(m));
            } else {
                self.hub
                    .publish(&session.conversation.id, origin, message_frame(m));
            }
        }
        if self.store.is_shared()
            && let (Some(first), Some(last)) = (stored.first(), stored.last())
        {
            self.announce(&session.conversation.id, first.seq, last.seq)
                .await;
        }
        Ok(match visitor {
            Some(visitor) => TurnResult::Stored { visitor, replies },
            None => TurnResult::Replies(replies),
        })
    }

    /// The lead of a session's conversation (with a new visitor message not yet stored), with
    /// personal fields dropped while consent is missing.
    async fn lead_of(&self, session: &Session, new_visitor_text: Option<&str>) -> Lead {
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
        // Reading a long conversation is CPU work: it runs on the blocking pool, so the
        // runtime's threads go on serving the other sockets meanwhile.
        let extractor = self.extractor.clone();
        let read = tokio::task::spawn_blocking(move || extractor.extract(&conv).lead);
        let mut lead = match read.await {
            Ok(lead) => lead,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        // Open questions come from the engine, not from the words: they are carried along.
        lead.open_questions = stored_lead(c).open_questions;
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
        let qualified =
            c.qualified_ms.is_none() && self.rules().qualifies(&lead.confirmed(), score);
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
        c.updated_ms = crate::store::now_ms();
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
        match turn.hold {
            Some(Hold::Rep) => {
                c.human_since_ms.get_or_insert(c.updated_ms);
                c.human_last_ms = Some(c.updated_ms);
            }
            Some(Hold::Assistant) => {
                c.human_since_ms = None;
                c.human_last_ms = None;
            }
            None => {}
        }
        if let Some((granted, _)) = &turn.consent {
            c.consent_granted = Some(*granted);
        }
        if turn.locale.is_some() {
            c.locale.clone_from(&turn.locale);
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

/// The page's origin and path: an older widget sends the whole address, whose query and
/// fragment may carry tokens, search terms or an e-mail address.
fn page_address(url: &str) -> String {
    let bare = url.split(['?', '#']).next().unwrap_or_default();
    crate::lead::text::truncate(bare, 2048).to_owned()
}
