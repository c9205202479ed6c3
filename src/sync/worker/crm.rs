//! A CRM target's batch: each lead's sync built from the store, the creates it will send marked
//! before they go, the leads sent in one batch where the CRM has batch endpoints (one at a
//! time otherwise), and the ids stored as the CRM hands them out.

use futures_util::future::BoxFuture;
use tracing::error;

use super::Worker;
use crate::crm::progressive::{
    BatchItem, SyncOutcome, execute_saving, mark_pending, settle_pending,
};
use crate::crm::{CrmApi, CrmLinks};
use crate::lead::person_key;
use crate::outbound::ErrorClass;
use crate::store::{JobEnd, JobKind, JobRow, NewJob, StoreError};
use crate::sync::plan::{CustomFieldNames, LeadView, SLACK, sync_input, syncable};

impl Worker {
    /// Builds a job's sync from the store, or ends the job when there is nothing to send; a
    /// store error retries the job (links built from a failed read are never used or saved).
    async fn prepare_crm(
        &self,
        job: &JobRow,
        names: &CustomFieldNames,
        keys: &mut std::collections::HashSet<String>,
        now: i64,
    ) -> Option<BatchItem> {
        let (conversation, lead) = match self.load(job).await {
            Ok(Some(loaded)) => loaded,
            Ok(None) => {
                let error = "the conversation or its lead is gone".into();
                let class = ErrorClass::Permanent;
                self.end(job, JobEnd::Dead { error, class }).await;
                return None;
            }
            Err(e) => {
                self.store_failed(job, e).await;
                return None;
            }
        };
        if !syncable(&lead, &conversation, self.config.sync.min_fields) {
            // Nothing to send (any more): test lead, consent withdrawn, erased.
            self.end(job, JobEnd::Done).await;
            return None;
        }
        // One person at a time: a second job of the same person waits for the first.
        if let Some(key) = person_key(&lead)
            && !keys.insert(key)
        {
            self.end(job, JobEnd::Released).await;
            return None;
        }
        let Some(site) = self.config.site(&conversation.site) else {
            let error = format!("site {} is no longer configured", conversation.site);
            let class = ErrorClass::Permanent;
            self.end(job, JobEnd::Dead { error, class }).await;
            return None;
        };
        let read = async {
            let messages = self
                .store
                .messages_after(&conversation.id, 0, 10_000)
                .await?;
            let links = self
                .store
                .crm_links(&conversation.id, &self.target_name)
                .await?;
            Ok::<_, StoreError>((messages, links))
        };
        let (messages, links) = match read.await {
            Ok(read) => read,
            Err(e) => {
                self.store_failed(job, e).await;
                return None;
            }
        };
        let links = match links {
            None => CrmLinks::default(),
            Some(row) => match serde_json::from_str(&row.links_json) {
                Ok(links) => links,
                Err(e) => {
                    self.store_failed(job, StoreError::Corrupt(format!("CRM links: {e}")))
                        .await;
                    return None;
                }
            },
        };
        let view = LeadView {
            conversation: &conversation,
            messages: &messages,
            lead: &lead,
            site,
            conversation_url: (self.links)(&conversation.id),
        };
        let rules = self.config.scoring_for(site);
        let input = sync_input(&view, &rules, &self.config.sync, names, now);
        Some(BatchItem { input, links })
    }

    pub(super) async fn run_crm(
        &self,
        api: &dyn CrmApi,
        names: &CustomFieldNames,
        jobs: Vec<JobRow>,
    ) {
        let now = crate::store::now_ms();
        let mut work: Vec<(JobRow, BatchItem)> = Vec::new();
        let mut keys = std::collections::HashSet::new();
        for job in jobs {
            if let Some(item) = self.prepare_crm(&job, names, &mut keys, now).await {
                work.push((job, item));
            }
        }
        if work.is_empty() {
            return;
        }
        // Before any create is sent, what it carries is stored, so that a retry after a lost
        // answer looks for the record instead of making a second one. A lead with creates
        // pending from before goes the single way, which looks.
        let mut marks = Vec::with_capacity(work.len());
        for (job, item) in &work {
            let mut marked = item.links.clone();
            if mark_pending(&mut marked, &item.input, now) {
                self.save_links(job, &marked).await;
            }
            marks.push(marked.pending);
        }
        let (retries, fresh): (Vec<usize>, Vec<usize>) =
            (0..work.len()).partition(|&i| !work[i].1.links.pending.is_empty());
        let single = match self.run_crm_batch(api, &work, &fresh, &marks).await {
            true => retries,
            false => (0..work.len()).collect(),
        };
        // One lead at a time; each lead's ids are stored as soon as the CRM hands them out.
        for i in single {
            let (job, item) = &work[i];
            let pending = &marks[i];
            let save = |links: &CrmLinks| -> BoxFuture<'_, ()> {
                let mut links = links.clone();
                links.pending = pending.clone();
                settle_pending(&mut links);
                Box::pin(async move { self.save_links(job, &links).await })
            };
            let mut outcome = execute_saving(api, &item.input, item.links.clone(), &save).await;
            outcome.links.pending = pending.clone();
            settle_pending(&mut outcome.links);
            self.finish(api, job, item, outcome).await;
        }
    }

    /// Sends the `fresh` leads of `work` in one batch when there are several and the CRM has
    /// batch endpoints; returns whether it did.
    async fn run_crm_batch(
        &self,
        api: &dyn CrmApi,
        work: &[(JobRow, BatchItem)],
        fresh: &[usize],
        marks: &[crate::crm::Pending],
    ) -> bool {
        let items: Vec<BatchItem> = fresh.iter().map(|&i| work[i].1.clone()).collect();
        let Some(batch) = (items.len() > 1).then(|| api.sync_batch(&items)).flatten() else {
            return false;
        };
        let outcomes = batch.await;
        for (&i, mut outcome) in fresh.iter().zip(outcomes) {
            let (job, item) = &work[i];
            outcome.links.pending = marks[i].clone();
            settle_pending(&mut outcome.links);
            self.finish(api, job, item, outcome).await;
        }
        true
    }

    /// Stores a lead's CRM ids before its sync has finished.
    async fn save_links(&self, job: &JobRow, links: &CrmLinks) {
        let json = serde_json::to_string(links).unwrap_or_default();
        let saved = self
            .store
            .save_crm_links(&job.conversation_id, &self.target_name, &json, 0, None)
            .await;
        if let Err(e) = saved {
            error!(job = job.id, error = %e, "saving CRM ids failed");
        }
    }

    /// Stores a lead's CRM ids and ends its job; a lead that now has a deal and a CRM record
    /// gets its sales alert queued.
    async fn finish(&self, api: &dyn CrmApi, job: &JobRow, item: &BatchItem, outcome: SyncOutcome) {
        {
            let record_url = outcome
                .links
                .person
                .as_deref()
                .and_then(|p| api.record_url(p));
            let links_json = serde_json::to_string(&outcome.links).unwrap_or_default();
            let synced = if outcome.error.is_none() {
                job.revision
            } else {
                0
            };
            if let Err(e) = self
                .store
                .save_crm_links(
                    &job.conversation_id,
                    &self.target_name,
                    &links_json,
                    synced,
                    record_url.as_deref(),
                )
                .await
            {
                // The next run reads the ids saved before the sync, with the creates it marked
                // pending, and looks for those records instead of making them again.
                return self.store_failed(job, e).await;
            }
            let end = match &outcome.error {
                None => {
                    if item.input.deal.is_some()
                        && record_url.is_some()
                        && self.config.alerts.slack.is_some()
                    {
                        // The sales alert can now link the CRM record.
                        let follow = NewJob {
                            kind: JobKind::SlackAlert,
                            target: SLACK.into(),
                            person_key: None,
                            revision: job.revision,
                        };
                        if let Err(e) = self.store.enqueue(&job.conversation_id, &[follow]).await {
                            return self.store_failed(job, e).await;
                        }
                        self.wake.notify_waiters();
                    }
                    // The credentials work again: a later refusal is news.
                    self.told_paused
                        .store(false, std::sync::atomic::Ordering::SeqCst);
                    JobEnd::Done
                }
                Some(e) => self.failed(job, e).await,
            };
            self.end(job, end).await;
        }
    }
}
