//! The outbox worker: one per target (each configured CRM, and Slack). It claims due jobs,
//! builds each lead's sync from the store, runs it (in one batch when the CRM has batch
//! endpoints and a backlog has built), and records how it ended: done, retried after the
//! schedule's delay, dead-lettered with the reason, or paused while credentials are refused.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, error, info, info_span, warn};

use super::plan::{CustomFieldNames, LeadView, SLACK, sync_input, syncable};
use super::schedule::{Next, Schedule};
use crate::alerts::SlackAlerter;
use crate::alerts::alert::{changed_fields, digest};
use crate::config::Config;
use crate::crm::progressive::{
    BatchItem, SyncOutcome, execute_saving, mark_pending, settle_pending,
};
use crate::crm::{CrmApi, CrmLinks};
use crate::lead::{Lead, LeadJson, person_key};
use crate::outbound::{CallError, ErrorClass};
use crate::store::{ConversationRow, JobEnd, JobKind, JobRow, NewJob, Store, StoreError};

/// What a worker delivers to.
#[derive(Clone)]
pub enum Target {
    Crm {
        api: Arc<dyn CrmApi>,
        names: CustomFieldNames,
    },
    Slack(Arc<SlackAlerter>),
    /// Jobs that run one at a time through a handler (channel deliveries, inbound channel
    /// messages).
    Handler(Arc<dyn JobHandler>),
}

/// Runs one kind of job: the worker claims, locks, retries and dead-letters; the handler only
/// does the work and says how it went.
pub trait JobHandler: Send + Sync {
    /// The kind of job it runs.
    fn kind(&self) -> JobKind;

    /// How many jobs of a claimed batch run at once.
    fn concurrency(&self) -> usize {
        1
    }

    /// Runs one job; an error is classified like a CRM's: retried, dead-lettered, or pausing
    /// the target while credentials are refused.
    fn run<'a>(&'a self, job: &'a JobRow) -> BoxFuture<'a, Result<(), CallError>>;
}

/// Makes links to a conversation's transcript for sales reps.
pub type ConversationLinks = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// A worker for one target.
pub struct Worker {
    pub store: Store,
    pub config: Arc<Config>,
    pub target: Target,
    pub target_name: String,
    pub instance: String,
    pub wake: Arc<Notify>,
    pub shutdown: CancellationToken,
    pub links: ConversationLinks,
    /// Where to tell operators that a CRM refused the credentials (Slack, when configured).
    pub notices: Option<Arc<SlackAlerter>>,
    /// Set once operators were told of a pause; cleared when a job of this target succeeds.
    pub told_paused: Arc<std::sync::atomic::AtomicBool>,
}

impl Worker {
    fn kind(&self) -> JobKind {
        match &self.target {
            Target::Crm { .. } => JobKind::CrmSync,
            Target::Slack(_) => JobKind::SlackAlert,
            Target::Handler(h) => h.kind(),
        }
    }

    fn schedule(&self) -> Schedule {
        let s = &self.config.sync;
        Schedule {
            base: Duration::from_secs(s.backoff_base_secs),
            max: Duration::from_secs(s.backoff_max_secs),
            retry_after_max: Duration::from_secs(s.retry_after_max_secs),
            max_attempts: s.max_attempts,
        }
    }

    /// Runs until shutdown; a batch in progress is finished first.
    pub async fn run(self) {
        let span = info_span!("worker", target = %self.target_name);
        async move {
            let poll = Duration::from_millis(self.config.sync.poll_ms.max(10));
            let lock_ms = (self.config.sync.lock_secs.max(1) * 1000) as i64;
            let worker_id = format!(
                "{}:{}:{}",
                self.instance,
                self.kind().as_str(),
                self.target_name
            );
            loop {
                if self.shutdown.is_cancelled() {
                    break;
                }
                let notified = self.wake.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let jobs = match self.store.claim_jobs(self.kind(), &self.target_name, &worker_id, i64::from(self.config.sync.batch_size), lock_ms).await {
                    Ok(jobs) => jobs,
                    Err(e) => {
                        warn!(error = %e, "claiming jobs failed");
                        Vec::new()
                    }
                };
                if jobs.is_empty() {
                    tokio::select! {
                        _ = self.shutdown.cancelled() => break,
                        _ = notified => {}
                        _ = tokio::time::sleep(poll) => {}
                    }
                    continue;
                }
                metrics::counter!("leadgate_jobs_claimed_total", "target" => self.target_name.clone()).increment(jobs.len() as u64);
                // The lock is short, so a crashed gateway's jobs are soon taken over; while this
                // worker is alive it keeps extending it, however long the CRM takes. When an
                // extension fails, or finds a job taken over, the batch stops where it is: the
                // jobs are (or will be) another worker's.
                let lost = CancellationToken::new();
                let heartbeat = tokio::spawn(heartbeat(
                    self.store.clone(),
                    worker_id.clone(),
                    jobs.iter().map(|j| (j.id, j.claim)).collect(),
                    lock_ms,
                    lost.clone(),
                ));
                let run = async {
                    match &self.target {
                        Target::Crm { api, names } => self.run_crm(api.as_ref(), names, jobs).await,
                        Target::Slack(alerter) => self.run_slack(alerter, jobs).await,
                        Target::Handler(handler) => self.run_handler(handler.as_ref(), jobs).await,
                    }
                };
                tokio::select! {
                    _ = run => {}
                    _ = lost.cancelled() => {
                        warn!("lost the lock of a claimed job; stopped its batch");
                        metrics::counter!("leadgate_jobs_lost_total", "target" => self.target_name.clone()).increment(1);
                    }
                }
                heartbeat.abort();
            }
        }
        .instrument(span)
        .await
    }

    /// Loads what a job needs: the conversation and its current lead; `None` when the
    /// conversation or its lead is gone. A store error is the caller's to retry: it says
    /// nothing about the lead.
    async fn load(&self, job: &JobRow) -> Result<Option<(ConversationRow, Lead)>, StoreError> {
        let Some(conversation) = self.store.conversation(&job.conversation_id).await? else {
            return Ok(None);
        };
        let lead = conversation
            .lead_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<LeadJson>(j).ok())
            .and_then(|l| l.to_lead().ok())
            // A value still waiting for the visitor's confirmation is not synced.
            .map(|l| l.confirmed());
        Ok(lead.map(|lead| (conversation, lead)))
    }

    async fn end(&self, job: &JobRow, end: JobEnd) {
        match self.store.end_job(job, job.revision, &end).await {
            Ok(true) => {}
            Ok(false) => {
                warn!(
                    job = job.id,
                    "the job was claimed by another worker meanwhile; its end is theirs to record"
                )
            }
            Err(e) => {
                error!(job = job.id, error = %e, "recording a job's end failed; it will be retried when its lock expires")
            }
        }
        metrics::counter!("leadgate_jobs_ended_total", "target" => self.target_name.clone(), "end" => end.name()).increment(1);
    }

    /// A store error while preparing a job: it runs again after the schedule's delay, never
    /// becoming a dead letter or a dropped alert.
    async fn store_failed(&self, job: &JobRow, e: StoreError) {
        warn!(job = job.id, error = %e, "the store failed while preparing a job; retrying it");
        let end = self
            .failed(job, &CallError::retryable(format!("store: {e}"), None))
            .await;
        self.end(job, end).await;
    }

    /// Tells operators, once per pause, that the target refused the credentials.
    fn tell_paused(&self, reason: &str) {
        use std::sync::atomic::Ordering;
        let Some(slack) = self.notices.clone() else {
            return;
        };
        if self.told_paused.swap(true, Ordering::SeqCst) {
            return;
        }
        let text = format!(
            ":warning: leadgate: {} refused the credentials ({reason}). Its syncs are paused, \
             nothing is lost. Fix the credentials, then run `leadgate jobs resume {}`.",
            self.target_name, self.target_name
        );
        let told = self.told_paused.clone();
        tokio::spawn(async move {
            if let Err(e) = slack.notice(&text).await {
                warn!(error = %e, "could not post the pause notice to Slack");
                told.store(false, Ordering::SeqCst);
            }
        });
    }

    /// How a failure ends the job.
    async fn failed(&self, job: &JobRow, e: &CallError) -> JobEnd {
        let retry_after = match e {
            CallError::Retryable { retry_after, .. } => *retry_after,
            _ => None,
        };
        match e {
            CallError::Permanent { message } => {
                warn!(job = job.id, reason = %message, "dead-lettered: the target refused the data");
                JobEnd::Dead {
                    error: message.clone(),
                    class: ErrorClass::Permanent,
                }
            }
            CallError::Auth { message } => {
                error!(target = %self.target_name, reason = %message, "credentials refused: jobs for this target are paused until an operator resumes them");
                let paused = self
                    .store
                    .pause_target(self.kind(), &self.target_name, message)
                    .await
                    .unwrap_or(0);
                metrics::counter!("leadgate_target_paused_total", "target" => self.target_name.clone()).increment(1);
                info!(paused, "paused waiting jobs");
                self.tell_paused(message);
                JobEnd::Paused {
                    error: message.clone(),
                }
            }
            other => {
                let jitter: f64 = {
                    use rand::RngExt;
                    rand::rng().random()
                };
                match self
                    .schedule()
                    .after(job.attempts.max(1) as u32, retry_after, jitter)
                {
                    Next::RetryIn(delay) => JobEnd::Retry {
                        at_ms: crate::store::now_ms() + delay.as_millis() as i64,
                        error: other.to_string(),
                        class: other.class(),
                    },
                    Next::GiveUp => JobEnd::Dead {
                        error: format!("gave up after {} attempts: {other}", job.attempts),
                        class: other.class(),
                    },
                }
            }
        }
    }

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

    async fn run_crm(&self, api: &dyn CrmApi, names: &CustomFieldNames, jobs: Vec<JobRow>) {
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

    async fn run_handler(&self, handler: &dyn JobHandler, jobs: Vec<JobRow>) {
        use futures_util::StreamExt;
        futures_util::stream::iter(jobs)
            .for_each_concurrent(handler.concurrency().max(1), |job| async move {
                let end = match handler.run(&job).await {
                    Ok(()) => JobEnd::Done,
                    Err(e) => self.failed(&job, &e).await,
                };
                self.end(&job, end).await;
            })
            .await;
    }

    async fn run_slack(&self, alerter: &SlackAlerter, jobs: Vec<JobRow>) {
        for job in jobs {
            let (conversation, lead) = match self.load(&job).await {
                Ok(Some(loaded)) => loaded,
                // Gone or erased: there is nothing to alert about.
                Ok(None) => {
                    self.end(&job, JobEnd::Done).await;
                    continue;
                }
                Err(e) => {
                    self.store_failed(&job, e).await;
                    continue;
                }
            };
            let end = match self.alert(alerter, &job, &conversation, &lead).await {
                Ok(()) => JobEnd::Done,
                Err(e) => self.failed(&job, &e).await,
            };
            self.end(&job, end).await;
        }
    }

    /// Sends the lead's first alert, or a follow-up in its thread when it changed materially.
    async fn alert(
        &self,
        alerter: &SlackAlerter,
        job: &JobRow,
        c: &ConversationRow,
        lead: &Lead,
    ) -> Result<(), CallError> {
        let score = self.config.scoring_on(&c.site).score(lead);
        let store_err = |e: crate::store::StoreError| CallError::retryable(e.to_string(), None);
        let previous = self.store.alert(&c.id).await.map_err(store_err)?;
        let due = self
            .config
            .alerts
            .slack
            .as_ref()
            .is_some_and(|s| s.alerts(&self.config.scoring, lead, &score));
        if lead.is_test || (previous.is_none() && !due) {
            return Ok(());
        }
        let mut alert =
            super::handoff::current_alert(&self.store, &self.config, &self.links, c, lead, &score)
                .await
                .map_err(store_err)?;
        let with_link = alert.crm_button.is_some();
        let digest = digest(lead, score.total);
        match previous {
            None => {
                let posted = super::first_alert::post(&self.store, alerter, job, &alert).await?;
                self.store
                    .save_alert(
                        &c.id,
                        posted.channel.as_deref(),
                        posted.ts.as_deref(),
                        i64::from(score.total),
                        &digest,
                        with_link,
                    )
                    .await
                    .map_err(store_err)?;
                // Notes written before the alert existed (a claim cannot come first, but a
                // hand-off note can) go in its thread now.
                if posted.ts.is_some()
                    && let Some(job) = super::plan::thread_job(&self.config)
                {
                    let _ = self.store.enqueue(&c.id, &[job]).await;
                }
                metrics::counter!("leadgate_alerts_sent_total").increment(1);
                if let Some(q) = c.qualified_ms {
                    let delay = (crate::store::now_ms() - q).max(0) as f64 / 1000.0;
                    metrics::histogram!("leadgate_alert_delay_seconds").record(delay);
                }
            }
            Some(sent) => {
                let changed = changed_fields(&sent.digest, &digest);
                let link_is_new = with_link && !sent.with_crm_link;
                if changed.is_empty() && !link_is_new {
                    return Ok(());
                }
                alert.update = Some(if changed.is_empty() {
                    "now in the CRM".to_owned()
                } else {
                    changed.join(", ")
                });
                let posted = alerter.post(&alert, sent.thread_ts.as_deref()).await?;
                // An update in the thread names the visitor too: an erasure deletes it.
                if let (Some(channel), Some(ts)) = (&posted.channel, &posted.ts) {
                    self.store
                        .save_slack_post(&c.id, channel, ts)
                        .await
                        .map_err(store_err)?;
                }
                self.store
                    .save_alert(
                        &c.id,
                        None,
                        None,
                        i64::from(score.total),
                        &digest,
                        with_link,
                    )
                    .await
                    .map_err(store_err)?;
            }
        }
        Ok(())
    }
}

/// Extends the locks of a claimed batch every third of the lock time until aborted; cancels
/// `lost` when an extension fails or finds one of the jobs claimed by another worker.
async fn heartbeat(
    store: Store,
    worker_id: String,
    claimed: Vec<(i64, i64)>,
    lock_ms: i64,
    lost: CancellationToken,
) {
    let every = Duration::from_millis((lock_ms / 3).max(100) as u64);
    loop {
        tokio::time::sleep(every).await;
        match store.extend_locks(&worker_id, &claimed, lock_ms).await {
            Ok(lost_jobs) if lost_jobs.is_empty() => {}
            Ok(lost_jobs) => {
                warn!(jobs = ?lost_jobs, "claimed jobs were taken over by another worker");
                lost.cancel();
                return;
            }
            Err(e) => {
                warn!(error = %e, "extending job locks failed; stopping the batch");
                lost.cancel();
                return;
            }
        }
    }
}
