//! A visitor's message: the language it is in, the lead it makes, the engine's reply (unless a
//! rep holds the conversation), the jobs the change causes, all stored as one turn.

use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;
use tracing::instrument;

use super::ChatService;
use super::lead::{consent_missing, stored_lead};
use crate::chat::engine::{EngineInput, EngineOutput, EngineState, StreamSink};
use crate::chat::frames::bot_message;
use crate::chat::session::{ChatError, Session, TurnResult};
use crate::config::SiteConfig;
use crate::lead::{Lead, Region};
use crate::store::{Turn, TurnMessage};
use crate::sync::plan::thread_job;

impl ChatService {
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
        deltas: Option<UnboundedSender<serde_json::Value>>,
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
        let previous = stored_lead(&session.conversation);
        let lead = self.lead_of(session, Some(&text)).await;
        // What waits for the visitor's confirmation is neither scored nor synced.
        let score = self.score(&site, &lead.confirmed());
        let streamed_id = deltas.as_ref().map(|_| uuid::Uuid::now_v7().to_string());
        let stream = deltas.as_ref().zip(streamed_id.as_deref());
        let output = self
            .engine_reply(session, &site, &text, &lead, &previous, stream)
            .await;

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
        let mut jobs = self.jobs_for_change(&session.conversation, change.as_ref(), &lead, &score);
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

    /// The engine's reply to the visitor's `text`, written as `delta` frames to `stream` (the
    /// asking socket and the reply's id) when given. While a rep holds the conversation the
    /// assistant stays quiet: the message is stored, the lead updated, and the rep sees it in the
    /// alert's thread.
    async fn engine_reply(
        &self,
        session: &Session,
        site: &SiteConfig,
        text: &str,
        lead: &Lead,
        previous: &Lead,
        stream: Option<(&UnboundedSender<serde_json::Value>, &str)>,
    ) -> EngineOutput {
        let lang = self.lang(&session.conversation);
        let state: EngineState = session
            .conversation
            .engine_state
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        // Only to the socket that asked: another tab gets the stored message, in order.
        let sink: Option<Box<StreamSink>> = match stream {
            Some((tx, id)) => {
                let (tx, id) = (tx.clone(), id.to_owned());
                Some(Box::new(move |piece: &str| {
                    let _ = tx.send(json!({"type": "delta", "id": id, "text": piece}));
                }))
            }
            None => None,
        };
        if session.conversation.human_since_ms.is_some() {
            return EngineOutput {
                replies: Vec::new(),
                state,
                open_question: None,
            };
        }
        self.engine
            .reply(EngineInput {
                site,
                lang,
                region: session
                    .conversation
                    .region
                    .as_deref()
                    .and_then(|r| Region::parse(r).ok()),
                visitor_text: text,
                history: &session.messages,
                lead,
                previous,
                consent_missing: consent_missing(&session.conversation),
                state,
                stream: sink.as_deref(),
            })
            .await
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
}
