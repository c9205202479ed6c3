//! The outbox: jobs committed with the lead change that causes them, claimed by workers (with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL so several instances share the work), retried with
//! backoff, dead-lettered with their last error, paused while a CRM refuses our credentials.

mod claims;
mod operators;

use crate::outbound::ErrorClass;
use crate::store::{BeginWrite, Store, StoreError, now_ms, on_pool};
use serde::Serialize;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Brings a lead's records in one CRM up to date.
    CrmSync,
    /// Posts or updates a lead's sales alert in Slack.
    SlackAlert,
    /// Sends a channel conversation's new replies (WhatsApp, Messenger, Instagram).
    ChannelSend,
    /// Reads a channel sender's new messages, in order, into their conversation.
    ChannelInbound,
    /// Shows a lead's alert as it stands now (claimed, not a lead, the deal's stage).
    SlackUpdate,
    /// Posts a lead's thread notes and the visitor's messages to its alert's thread.
    SlackThread,
    /// Reads a lead's deal back from a CRM that notified a change without its values (Zoho).
    DealRefresh,
    /// Deletes an erased visitor's person, deal, note and task in a CRM (`erase_in_crm`).
    CrmErase,
    /// Deletes an erased visitor's alert and thread replies in Slack (`erase_in_slack`).
    SlackErase,
}

impl JobKind {
    /// The name stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::CrmSync => "crm_sync",
            JobKind::SlackAlert => "slack_alert",
            JobKind::ChannelSend => "channel_send",
            JobKind::ChannelInbound => "channel_inbound",
            JobKind::SlackUpdate => "slack_update",
            JobKind::SlackThread => "slack_thread",
            JobKind::DealRefresh => "deal_refresh",
            JobKind::CrmErase => "crm_erase",
            JobKind::SlackErase => "slack_erase",
        }
    }
}

impl TryFrom<String> for JobKind {
    type Error = String;
    fn try_from(name: String) -> Result<JobKind, String> {
        [
            JobKind::CrmSync,
            JobKind::SlackAlert,
            JobKind::ChannelSend,
            JobKind::ChannelInbound,
            JobKind::SlackUpdate,
            JobKind::SlackThread,
            JobKind::DealRefresh,
            JobKind::CrmErase,
            JobKind::SlackErase,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
        .ok_or_else(|| format!("unknown job kind {name:?}"))
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its time.
    Pending,
    /// Claimed by a worker.
    Running,
    /// Its target refused the credentials; waits for an operator.
    Paused,
    /// Finished.
    Done,
    /// Failed for good; kept for an operator.
    Dead,
    /// Given up by an operator.
    Discarded,
}

impl JobState {
    /// Every state, in the order they are shown.
    pub const ALL: [JobState; 6] = [
        JobState::Pending,
        JobState::Running,
        JobState::Paused,
        JobState::Done,
        JobState::Dead,
        JobState::Discarded,
    ];

    /// The name stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Done => "done",
            JobState::Dead => "dead",
            JobState::Discarded => "discarded",
        }
    }

    /// The state called `name`, if any.
    pub fn parse(name: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl TryFrom<String> for JobState {
    type Error = String;
    fn try_from(name: String) -> Result<JobState, String> {
        JobState::parse(&name).ok_or_else(|| format!("unknown job state {name:?}"))
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job to add in a turn's transaction.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub target: String,
    /// Normalised email or phone: one person's jobs for one target run one at a time.
    pub person_key: Option<String>,
    pub revision: i64,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize)]
pub struct JobRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: JobKind,
    pub target: String,
    pub conversation_id: String,
    pub person_key: Option<String>,
    pub revision: i64,
    #[sqlx(try_from = "String")]
    pub state: JobState,
    pub attempts: i64,
    pub run_at_ms: i64,
    pub locked_by: Option<String>,
    pub locked_until_ms: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_class: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// How many times the job was claimed: only the holder of the latest claim may extend its
    /// lock or end it.
    pub claim: i64,
}

/// How a job ended this time.
#[derive(Debug, Clone)]
pub enum JobEnd {
    /// Done; it runs again if a newer revision arrived meanwhile.
    Done,
    /// Failed; runs again at this time.
    Retry {
        at_ms: i64,
        error: String,
        class: ErrorClass,
    },
    /// Failed for good (or too often): kept for an operator.
    Dead { error: String, class: ErrorClass },
    /// The CRM refused our credentials: kept, and the target's jobs pause.
    Paused { error: String },
    /// Not run (another job of the same person was running): back in the queue, no attempt counted.
    Released,
}

impl JobEnd {
    /// A short name for metrics: `done`, `retry`, `dead`, `paused`, `released`.
    pub fn name(&self) -> &'static str {
        match self {
            JobEnd::Done => "done",
            JobEnd::Retry { .. } => "retry",
            JobEnd::Dead { .. } => "dead",
            JobEnd::Paused { .. } => "paused",
            JobEnd::Released => "released",
        }
    }
}

/// Adds a job, or coalesces it into the open job of the same lead and target: that job takes the
/// newer revision instead of a second job being added.
pub(crate) const ENQUEUE: &str = "INSERT INTO jobs (kind, target, conversation_id, person_key, revision, state, attempts, run_at_ms, created_ms, updated_ms) \
    VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6) \
    ON CONFLICT (kind, target, conversation_id) WHERE state IN ('pending', 'running', 'paused') \
    DO UPDATE SET revision = CASE WHEN excluded.revision > jobs.revision THEN excluded.revision ELSE jobs.revision END, \
    person_key = COALESCE(excluded.person_key, jobs.person_key), updated_ms = excluded.updated_ms";

/// [`ENQUEUE`] with the time the job becomes due (`$7`).
pub(crate) const ENQUEUE_AT: &str = "INSERT INTO jobs (kind, target, conversation_id, person_key, revision, state, attempts, run_at_ms, created_ms, updated_ms) \
    VALUES ($1, $2, $3, $4, $5, 'pending', 0, $7, $6, $6) \
    ON CONFLICT (kind, target, conversation_id) WHERE state IN ('pending', 'running', 'paused') \
    DO UPDATE SET revision = CASE WHEN excluded.revision > jobs.revision THEN excluded.revision ELSE jobs.revision END, \
    updated_ms = excluded.updated_ms";

pub(crate) const JOB_COLUMNS: &str = "id, kind, target, conversation_id, person_key, revision, state, attempts, run_at_ms, locked_by, locked_until_ms, last_error, last_error_class, created_ms, updated_ms, claim";

impl Store {
    /// Adds jobs outside a turn (a sync that must follow another, an operator's replay);
    /// nothing for an erased conversation.
    pub async fn enqueue(&self, conversation_id: &str, jobs: &[NewJob]) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let erased: Option<i64> = sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = $1 AND erased_ms IS NOT NULL")
                .bind(conversation_id)
                .fetch_optional(&mut *tx)
                .await?;
            if erased.is_some() {
                return Ok(());
            }
            for job in jobs {
                sqlx::query(ENQUEUE)
                    .bind(job.kind.as_str())
                    .bind(&job.target)
                    .bind(conversation_id)
                    .bind(&job.person_key)
                    .bind(job.revision)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
