//! A sales rep takes over a conversation from Slack: what they write in the alert's thread
//! reaches the visitor as a person (by display name), the assistant stays quiet meanwhile, and
//! it takes the conversation back when the rep clicks Hand back or has been silent for
//! `handback_idle_minutes`. The visitor is told both times.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::service::ChatService;
use super::session::{ChatError, Session, TurnResult};
use crate::store::{Hold, Rep, Turn, TurnMessage, now_ms};
use crate::sync::plan::{alert_update_job, thread_job};

/// Why the assistant takes a conversation back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandBack<'a> {
    /// A rep clicked Hand back.
    Button(&'a Rep),
    /// The rep was silent too long.
    Idle,
}

impl ChatService {
    /// Stores a rep's message and pushes it to the visitor. The first one takes the
    /// conversation over and tells the visitor who joined. `key` is the message's id in Slack:
    /// a retried event is stored once.
    pub async fn rep_says(
        &self,
        session: &mut Session,
        rep: &Rep,
        text: &str,
        key: &str,
    ) -> Result<TurnResult, ChatError> {
        if let Some(existing) = session.stored(Some(key)) {
            return Ok(TurnResult::Duplicate(existing.clone()));
        }
        let mut messages = Vec::new();
        let mut notes = Vec::new();
        if session.conversation.human_since_ms.is_none() {
            let lang = self.lang(&session.conversation);
            let site = self
                .config()
                .site(&session.conversation.site)
                .map_or(session.conversation.site.as_str(), |s| s.display_name());
            let joined = self
                .templates_on(&session.conversation.site, lang)
                .rep_joined
                .replace("{name}", &rep.name)
                .replace("{site}", site);
            messages.push(TurnMessage {
                role: "bot",
                text: joined,
                ..TurnMessage::default()
            });
            notes.push(format!(
                ":speech_balloon: <@{}> is talking to the visitor; the assistant is quiet until they hand back.",
                rep.slack_id
            ));
        }
        messages.push(TurnMessage {
            role: "rep",
            text: crate::lead::text::truncate(text.trim(), 4096).to_owned(),
            client_msg_id: Some(key.to_owned()),
            author: Some(rep.name.clone()),
            ..TurnMessage::default()
        });
        let first = session.conversation.human_since_ms.is_none();
        let mut jobs: Vec<_> = thread_job(self.config()).into_iter().collect();
        if first {
            jobs.extend(alert_update_job(self.config()));
        }
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages,
            hold: Some(Hold::Rep),
            notes,
            jobs,
            ..Turn::default()
        };
        metrics::counter!("leadgate_rep_messages_total").increment(1);
        Ok(self.commit(session, turn, 0).await?)
    }

    /// Gives the conversation back to the assistant and tells the visitor; `false` when no rep
    /// held it.
    pub async fn hand_back(
        &self,
        session: &mut Session,
        why: HandBack<'_>,
    ) -> Result<bool, ChatError> {
        if session.conversation.human_since_ms.is_none() {
            return Ok(false);
        }
        let lang = self.lang(&session.conversation);
        let c = &session.conversation;
        let name = match why {
            // The rep's display name, as the visitor knew them, when Slack has told it.
            HandBack::Button(rep) if c.owner_slack_id.as_deref() == Some(rep.slack_id.as_str()) => {
                c.owner_name.clone().unwrap_or_else(|| rep.name.clone())
            }
            HandBack::Button(rep) => rep.name.clone(),
            HandBack::Idle => session
                .conversation
                .owner_name
                .clone()
                .unwrap_or_else(|| "Our team".to_owned()),
        };
        let note = match why {
            HandBack::Button(rep) => format!(
                ":robot_face: <@{}> handed the conversation back to the assistant.",
                rep.slack_id
            ),
            HandBack::Idle => format!(
                ":robot_face: No message from the rep for {} minutes: the assistant answers again.",
                self.config()
                    .alerts
                    .slack
                    .as_ref()
                    .map_or(0.0, |s| s.handback_idle_minutes)
            ),
        };
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages: vec![TurnMessage {
                role: "bot",
                text: self
                    .templates_on(&session.conversation.site, lang)
                    .rep_left
                    .replace("{name}", &name),
                ..TurnMessage::default()
            }],
            hold: Some(Hold::Assistant),
            notes: vec![note],
            jobs: thread_job(self.config())
                .into_iter()
                .chain(alert_update_job(self.config()))
                .collect(),
            ..Turn::default()
        };
        self.commit(session, turn, 0).await?;
        Ok(true)
    }

    /// Hands back, every minute, the conversations whose rep has been silent for
    /// `handback_idle_minutes`, until `shutdown`.
    pub async fn hand_back_idle(self: Arc<Self>, shutdown: CancellationToken) {
        let Some(minutes) = self
            .config()
            .alerts
            .slack
            .as_ref()
            .map(|s| s.handback_idle_minutes)
        else {
            return;
        };
        let idle_ms = (minutes * 60_000.0) as i64;
        let every = Duration::from_millis((idle_ms / 4).clamp(250, 60_000) as u64);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            let ids = match self.store().idle_holds(now_ms() - idle_ms).await {
                Ok(ids) => ids,
                Err(e) => {
                    warn!(error = %e, "cannot look for idle hand-offs");
                    continue;
                }
            };
            for id in ids {
                match self.resume(&id).await {
                    Ok(Some(mut session)) => {
                        if let Err(e) = self.hand_back(&mut session, HandBack::Idle).await {
                            warn!(conversation = %id, error = %e, "cannot hand an idle conversation back");
                        }
                    }
                    Ok(None) => {}
                    Err(e) => warn!(conversation = %id, error = %e, "cannot load an idle hand-off"),
                }
            }
        }
    }
}
