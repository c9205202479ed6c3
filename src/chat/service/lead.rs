//! Reading the lead: extraction over the whole conversation (on the blocking pool), personal
//! fields held back while consent is missing, and the revision a change records.

use serde_json::json;
use time::OffsetDateTime;

use super::ChatService;
use crate::chat::session::Session;
use crate::lead::{Conversation, Lead, LeadJson, Message, Region, Role, Score};
use crate::store::{ConversationRow, LeadChange, NewJob};
use crate::sync::plan::jobs_for;

impl ChatService {
    /// The lead of a session's conversation (with a new visitor message not yet stored), with
    /// personal fields dropped while consent is missing.
    pub(super) async fn lead_of(&self, session: &Session, new_visitor_text: Option<&str>) -> Lead {
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
    pub(super) fn lead_change(
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

    /// The outbox jobs a lead change causes (none when the lead did not change); what waits for
    /// the visitor's confirmation is not synced.
    pub(super) fn jobs_for_change(
        &self,
        c: &ConversationRow,
        change: Option<&LeadChange>,
        lead: &Lead,
        score: &Score,
    ) -> Vec<NewJob> {
        if change.is_some() {
            jobs_for(&self.config, c, &lead.confirmed(), score)
        } else {
            Vec::new()
        }
    }
}

/// The lead as last stored with the conversation.
pub(super) fn stored_lead(c: &ConversationRow) -> Lead {
    c.lead_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<LeadJson>(j).ok())
        .and_then(|l| l.to_lead().ok())
        .unwrap_or_default()
}

/// Whether the conversation still waits for a consent its site requires.
pub(super) fn consent_missing(c: &ConversationRow) -> bool {
    c.consent_required && c.consent_granted != Some(true)
}
