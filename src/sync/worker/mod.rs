//! The outbox worker: one per target (each configured CRM, and Slack). It claims due jobs,
//! builds each lead's sync from the store, runs it (in one batch when the CRM has batch
//! endpoints and a backlog has built), and records how it ended: done, retried after the
//! schedule's delay, dead-lettered with the reason, or paused while credentials are refused.

mod crm;
mod ending;
mod slack;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info_span, warn};

pub use super::alert::ConversationLinks;
use super::plan::CustomFieldNames;
use super::schedule::Schedule;
use crate::alerts::SlackAlerter;
use crate::config::Config;
use crate::crm::CrmApi;
use crate::lead::{Lead, LeadJson};
use crate::outbound::CallError;
use crate::store::{ConversationRow, JobEnd, JobKind, JobRow, Store, StoreError};

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
