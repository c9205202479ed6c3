//! How a job ends: done, retried after the schedule's delay, dead-lettered with the reason, or
//! paused while the target refuses the credentials (operators are told once per pause).

use tracing::{error, info, warn};

use super::Worker;
use crate::outbound::{CallError, ErrorClass};
use crate::store::{JobEnd, JobRow, StoreError};
use crate::sync::schedule::Next;

impl Worker {
    pub(super) async fn end(&self, job: &JobRow, end: JobEnd) {
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
    pub(super) async fn store_failed(&self, job: &JobRow, e: StoreError) {
        warn!(job = job.id, error = %e, "the store failed while preparing a job; retrying it");
        let end = self.failed(job, &crate::sync::store_error(e)).await;
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
    pub(super) async fn failed(&self, job: &JobRow, e: &CallError) -> JobEnd {
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
}
