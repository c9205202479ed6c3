//! Erasing a visitor outside leadgate, after the store forgot them (`[privacy] erase_in_crm`,
//! `erase_in_slack`): one job per CRM deletes the records leadgate made there, and one job
//! deletes the Slack alert and the replies leadgate posted in its thread. Each delete that finds
//! its record gone already counts as done, so a retried job finishes what the last one began.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::store_error;
use super::worker::JobHandler;
use crate::alerts::SlackAlerter;
use crate::crm::kit::erase::gone;
use crate::crm::{CrmApi, CrmLinks};
use crate::outbound::CallError;
use crate::store::{JobKind, JobRow, Store};

/// Deletes an erased visitor's records in one CRM.
pub struct CrmErasure {
    pub store: Store,
    pub api: Arc<dyn CrmApi>,
}

impl CrmErasure {
    async fn erase(&self, job: &JobRow) -> Result<(), CallError> {
        let id = &job.conversation_id;
        let Some(row) = self
            .store
            .crm_links(id, &job.target)
            .await
            .map_err(store_error)?
        else {
            return Ok(());
        };
        let links: CrmLinks = serde_json::from_str(&row.links_json).unwrap_or_default();
        self.api.erase(&links).await?;
        self.store
            .forget_crm_links(id, &job.target)
            .await
            .map_err(store_error)
    }
}

impl JobHandler for CrmErasure {
    fn kind(&self) -> JobKind {
        JobKind::CrmErase
    }

    fn run<'a>(&'a self, job: &'a JobRow) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.erase(job))
    }
}

/// Deletes an erased visitor's alert and the thread replies leadgate posted, newest first.
/// People's replies in the thread stay: an app's token may delete only its own messages.
pub struct SlackErasure {
    pub store: Store,
    pub alerter: Arc<SlackAlerter>,
}

impl SlackErasure {
    async fn erase(&self, job: &JobRow) -> Result<(), CallError> {
        let id = &job.conversation_id;
        let posts = self.store.slack_posts(id).await.map_err(store_error)?;
        for (channel, ts) in posts.iter().rev() {
            gone(self.alerter.delete(channel, ts).await)?;
            self.store
                .forget_slack_post(id, ts)
                .await
                .map_err(store_error)?;
        }
        let alert = self.store.alert(id).await.map_err(store_error)?;
        if let Some((channel, ts)) = alert.and_then(|a| a.channel.zip(a.thread_ts)) {
            gone(self.alerter.delete(&channel, &ts).await)?;
            self.store
                .forget_alert_message(id)
                .await
                .map_err(store_error)?;
        }
        Ok(())
    }
}

impl JobHandler for SlackErasure {
    fn kind(&self) -> JobKind {
        JobKind::SlackErase
    }

    fn run<'a>(&'a self, job: &'a JobRow) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.erase(job))
    }
}
