//! The Slack side of the rep hand-off, as outbox jobs: the alert re-drawn in place as reps act
//! on it (claimed, talking, not a lead, the deal's stage), and its thread kept up to date with
//! notes and, once a rep has claimed the lead, everything the visitor writes.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::alert::{ConversationLinks, current_alert};
use super::store_error;
use super::worker::JobHandler;
use crate::alerts::SlackAlerter;
use crate::config::Config;
use crate::lead::{Lead, LeadJson};
use crate::outbound::CallError;
use crate::store::{ConversationRow, JobKind, JobRow, Store};

fn lead_of(c: &ConversationRow) -> Lead {
    c.lead_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<LeadJson>(j).ok())
        .and_then(|l| l.to_lead().ok())
        .unwrap_or_default()
        .confirmed()
}

/// Re-draws alerts in place (`chat.update`).
pub struct AlertUpdates {
    pub store: Store,
    pub config: Arc<Config>,
    pub alerter: Arc<SlackAlerter>,
    pub links: ConversationLinks,
}

impl AlertUpdates {
    async fn update(&self, job: &JobRow) -> Result<(), CallError> {
        let Some(c) = self
            .store
            .conversation(&job.conversation_id)
            .await
            .map_err(store_error)?
        else {
            return Ok(());
        };
        let Some(sent) = self.store.alert(&c.id).await.map_err(store_error)? else {
            return Ok(());
        };
        let (Some(channel), Some(ts)) = (sent.channel.as_deref(), sent.thread_ts.as_deref()) else {
            // A webhook alert cannot be changed once posted.
            return Ok(());
        };
        // The rep's display name, which the click did not carry.
        if let Some(user) = &c.owner_slack_id
            && let Ok(Some(name)) = self.alerter.user_name(user).await
            && c.owner_name.as_deref() != Some(name.as_str())
        {
            self.store
                .set_owner_name(&c.id, &name)
                .await
                .map_err(store_error)?;
        }
        let lead = lead_of(&c);
        let score = self.config.scoring_on(&c.site).score(&lead);
        let alert = current_alert(&self.store, &self.config, &self.links, &c, &lead, &score)
            .await
            .map_err(store_error)?;
        self.alerter.update(&alert, channel, ts).await
    }
}

impl JobHandler for AlertUpdates {
    fn kind(&self) -> JobKind {
        JobKind::SlackUpdate
    }

    fn run<'a>(&'a self, job: &'a JobRow) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.update(job))
    }
}

/// Posts notes and the visitor's messages in alert threads.
pub struct Threads {
    pub store: Store,
    pub alerter: Arc<SlackAlerter>,
}

impl Threads {
    async fn post(&self, job: &JobRow) -> Result<(), CallError> {
        let id = &job.conversation_id;
        let Some(sent) = self.store.alert(id).await.map_err(store_error)? else {
            // No alert yet: the notes wait for it.
            return Ok(());
        };
        let (Some(channel), Some(ts)) = (sent.channel.as_deref(), sent.thread_ts.as_deref()) else {
            return Ok(());
        };
        for (note, text) in self.store.open_notes(id).await.map_err(store_error)? {
            let posted = self.alerter.reply_in_thread(channel, ts, &text).await?;
            self.remember(id, channel, posted).await?;
            self.store.note_posted(note).await.map_err(store_error)?;
        }
        let Some(c) = self.store.conversation(id).await.map_err(store_error)? else {
            return Ok(());
        };
        if c.owner_slack_id.is_none() || c.erased_ms.is_some() {
            return Ok(());
        }
        let new = self
            .store
            .messages_after(id, sent.relayed_seq, 200)
            .await
            .map_err(store_error)?;
        for m in new.iter().filter(|m| m.role == "visitor") {
            let text = format!(":bust_in_silhouette: *Visitor:* {}", escape(&m.text));
            let posted = self.alerter.reply_in_thread(channel, ts, &text).await?;
            self.remember(id, channel, posted).await?;
            self.store
                .set_relayed(id, m.seq)
                .await
                .map_err(store_error)?;
        }
        Ok(())
    }
}

impl Threads {
    /// Keeps a posted reply's `ts`, so that erasing the visitor deletes it from Slack too.
    async fn remember(&self, id: &str, channel: &str, ts: Option<String>) -> Result<(), CallError> {
        match ts {
            Some(ts) => self
                .store
                .save_slack_post(id, channel, &ts)
                .await
                .map_err(store_error),
            None => Ok(()),
        }
    }
}

/// Escapes text for Slack's mrkdwn.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl JobHandler for Threads {
    fn kind(&self) -> JobKind {
        JobKind::SlackThread
    }

    fn concurrency(&self) -> usize {
        4
    }

    fn run<'a>(&'a self, job: &'a JobRow) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.post(job))
    }
}
