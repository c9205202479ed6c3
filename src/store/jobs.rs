//! The outbox: jobs committed with the lead change that causes them, claimed by workers (with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL so several instances share the work), retried with
//! backoff, dead-lettered with their last error, paused while a CRM refuses our credentials.

use serde::Serialize;

use super::{BeginWrite, Store, StoreError, now_ms, on_pool};
use crate::outbound::ErrorClass;

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

/// The CRM record ids of a lead in one target.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LinksRow {
    pub links_json: String,
    /// The lead revision last synced in full.
    pub synced_revision: i64,
    /// The person's record in the CRM's web app.
    pub record_url: Option<String>,
}

/// The sales alert sent for a lead.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AlertRow {
    pub channel: Option<String>,
    /// The alert message's timestamp: updates go in its thread.
    pub thread_ts: Option<String>,
    pub score: i64,
    /// The facts the alert showed, one `name=value` per line.
    pub digest: String,
    /// Whether it carried the link to the CRM record.
    pub with_crm_link: bool,
    /// The visitor's messages up to this seq are in the thread.
    pub relayed_seq: i64,
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

/// Claims due jobs. A job is due when pending and its time has come, or when it was running on
/// a worker whose lock expired (that worker died or stalled). A person whose job is running
/// elsewhere is skipped, and so are the jobs of erased conversations, but for the ones that
/// erase the visitor in the CRMs and Slack. Each claim counts up
/// `claim`, which fences the claimant's later writes.
///
/// On PostgreSQL the claims of one target and kind are serialised by a transaction-scoped
/// advisory lock taken first: under READ COMMITTED two gateways claiming at once would each
/// miss the other's running job of the same person in `NOT EXISTS`; taken in turn, the second
/// statement sees the first claim committed.
const CLAIM: &str = "UPDATE jobs SET state = 'running', locked_by = $1, locked_until_ms = $2, attempts = attempts + 1, updated_ms = $3, claim = claim + 1 \
    WHERE id IN (SELECT id FROM jobs j WHERE j.target = $4 AND j.kind = $5 \
      AND ((j.state = 'pending' AND j.run_at_ms <= $3) OR (j.state = 'running' AND j.locked_until_ms < $3)) \
      AND (j.person_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r WHERE r.target = j.target AND r.kind = j.kind AND r.person_key = j.person_key AND r.id <> j.id AND r.state = 'running' AND r.locked_until_ms >= $3)) \
      AND (j.kind IN ('crm_erase', 'slack_erase') OR NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = j.conversation_id AND c.erased_ms IS NOT NULL)) \
      ORDER BY j.run_at_ms, j.id LIMIT $6 {LOCK}) \
    RETURNING id, kind, target, conversation_id, person_key, revision, state, attempts, run_at_ms, locked_by, locked_until_ms, last_error, last_error_class, created_ms, updated_ms, claim";

/// The lock that serialises claims of one target and kind across gateways (PostgreSQL).
const CLAIM_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtext('leadgate-claim:' || $1 || ':' || $2))";

impl Store {
    /// Claims up to `limit` due jobs of one kind and target for `worker`, locked for `lock_ms`.
    pub async fn claim_jobs(
        &self,
        kind: JobKind,
        target: &str,
        worker: &str,
        limit: i64,
        lock_ms: i64,
    ) -> Result<Vec<JobRow>, StoreError> {
        let now = now_ms();
        let rows = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let sql = if matches!(self, Store::Postgres(_)) {
                sqlx::query(CLAIM_LOCK)
                    .bind(target)
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await?;
                CLAIM.replace("{LOCK}", "FOR UPDATE SKIP LOCKED")
            } else {
                CLAIM.replace("{LOCK}", "")
            };
            let rows = sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(sql))
                .bind(worker)
                .bind(now + lock_ms)
                .bind(now)
                .bind(target)
                .bind(kind.as_str())
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            rows
        });
        Ok(rows)
    }

    /// Extends the locks `worker` holds on its claimed `jobs` (`(id, claim)`) by `lock_ms` from
    /// now. Returns the jobs lost: claimed again since (another worker took them over after
    /// their lock expired, or the conversation was erased). A job this worker already ended
    /// is neither extended nor lost.
    pub async fn extend_locks(
        &self,
        worker: &str,
        jobs: &[(i64, i64)],
        lock_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let until = now_ms() + lock_ms;
        let mut lost = Vec::new();
        on_pool!(self, pool => {
            for &(id, claim) in jobs {
                let extended = sqlx::query("UPDATE jobs SET locked_until_ms = $1 WHERE id = $2 AND locked_by = $3 AND claim = $4 AND state = 'running'")
                    .bind(until)
                    .bind(id)
                    .bind(worker)
                    .bind(claim)
                    .execute(pool)
                    .await?
                    .rows_affected();
                if extended > 0 {
                    continue;
                }
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM jobs WHERE id = $1 AND claim <> $2")
                    .bind(id)
                    .bind(claim)
                    .fetch_optional(pool)
                    .await?;
                lost.extend(taken);
            }
        });
        Ok(lost)
    }

    /// On SQLite (one gateway per file), puts jobs left running by a previous process back in
    /// the queue. PostgreSQL is shared by several gateways, whose running jobs are theirs until
    /// the lock expires, so nothing is touched there.
    pub async fn release_orphaned_jobs(&self) -> Result<u64, StoreError> {
        let Store::Sqlite(pool) = self else {
            return Ok(0);
        };
        let n = sqlx::query("UPDATE jobs SET state = 'pending', locked_by = NULL, locked_until_ms = NULL WHERE state = 'running'")
            .execute(pool)
            .await?
            .rows_affected();
        Ok(n)
    }

    /// Records how a claimed job ended. `synced_revision` is the revision the worker read; if a
    /// newer one arrived while it ran, a finished job goes back to pending at once. Fenced on
    /// the claim: returns `false`, writing nothing, when another worker has claimed the job
    /// since.
    pub async fn end_job(
        &self,
        job: &JobRow,
        synced_revision: i64,
        end: &JobEnd,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let claim = job.claim;
        let locked_by = job.locked_by.as_deref().unwrap_or_default();
        let n = on_pool!(self, pool => {
            match end {
                JobEnd::Done => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE jobs SET state = CASE WHEN revision > $2 THEN 'pending' ELSE 'done' END, \
                         attempts = CASE WHEN revision > $2 THEN 0 ELSE attempts END, run_at_ms = $3, \
                         locked_by = NULL, locked_until_ms = NULL, last_error = NULL, last_error_class = NULL, updated_ms = $3 WHERE id = $1 AND locked_by = $4 AND claim = {claim}",
                    )))
                    .bind(job.id)
                    .bind(synced_revision)
                    .bind(now)
                    .bind(locked_by)
                    .execute(pool)
                    .await?
                    .rows_affected()
                }
                JobEnd::Retry { at_ms, error, class } => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE jobs SET state = 'pending', run_at_ms = $2, locked_by = NULL, locked_until_ms = NULL, \
                         last_error = $3, last_error_class = $4, updated_ms = $5 WHERE id = $1 AND locked_by = $6 AND claim = {claim}",
                    )))
                    .bind(job.id)
                    .bind(at_ms)
                    .bind(error)
                    .bind(class.as_str())
                    .bind(now)
                    .bind(locked_by)
                    .execute(pool)
                    .await?
                    .rows_affected()
                }
                JobEnd::Dead { error, class } => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until_ms = NULL, last_error = $2, last_error_class = $3, updated_ms = $4 WHERE id = $1 AND locked_by = $5 AND claim = {claim}",
                    )))
                    .bind(job.id)
                    .bind(error)
                    .bind(class.as_str())
                    .bind(now)
                    .bind(locked_by)
                    .execute(pool)
                    .await?
                    .rows_affected()
                }
                JobEnd::Paused { error } => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE jobs SET state = 'paused', locked_by = NULL, locked_until_ms = NULL, last_error = $2, last_error_class = 'auth', updated_ms = $3 WHERE id = $1 AND locked_by = $4 AND claim = {claim}",
                    )))
                    .bind(job.id)
                    .bind(error)
                    .bind(now)
                    .bind(locked_by)
                    .execute(pool)
                    .await?
                    .rows_affected()
                }
                JobEnd::Released => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE jobs SET state = 'pending', attempts = attempts - 1, locked_by = NULL, locked_until_ms = NULL, updated_ms = $2 WHERE id = $1 AND locked_by = $3 AND claim = {claim}",
                    )))
                    .bind(job.id)
                    .bind(now)
                    .bind(locked_by)
                    .execute(pool)
                    .await?
                    .rows_affected()
                }
            }
        });
        Ok(n > 0)
    }

    /// Jobs, newest first, optionally of one state.
    pub async fn list_jobs(
        &self,
        state: Option<JobState>,
        limit: i64,
    ) -> Result<Vec<JobRow>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE ($1 IS NULL OR state = $1) ORDER BY id DESC LIMIT $2"
            )))
            .bind(state.map(JobState::as_str))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// One job.
    pub async fn job(&self, id: i64) -> Result<Option<JobRow>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row)
    }

    /// Puts a dead or paused job back in the queue, due now, with its attempts reset.
    pub async fn retry_job(&self, id: i64) -> Result<bool, StoreError> {
        let now = now_ms();
        let n = on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = 'pending', attempts = 0, run_at_ms = $2, updated_ms = $2 WHERE id = $1 AND state IN ('dead', 'paused')")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Gives up a job for good.
    pub async fn discard_job(&self, id: i64) -> Result<bool, StoreError> {
        let now = now_ms();
        let n = on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = 'discarded', updated_ms = $2 WHERE id = $1 AND state IN ('dead', 'paused', 'pending')")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Pauses every waiting job of one kind for a target (its credentials were refused).
    pub async fn pause_target(
        &self,
        kind: JobKind,
        target: &str,
        error: &str,
    ) -> Result<u64, StoreError> {
        let now = now_ms();
        let n = on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = 'paused', last_error = $2, last_error_class = 'auth', updated_ms = $3 WHERE target = $1 AND state = 'pending' AND kind = $4")
                .bind(target)
                .bind(error)
                .bind(now)
                .bind(kind.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n)
    }

    /// Resumes a target's paused jobs.
    pub async fn resume_target(&self, target: &str) -> Result<u64, StoreError> {
        let now = now_ms();
        let n = on_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = 'pending', attempts = 0, run_at_ms = $2, updated_ms = $2 WHERE target = $1 AND state = 'paused'")
                .bind(target)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n)
    }

    /// Jobs per state, for metrics and the admin API.
    pub async fn job_counts(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT target, state, COUNT(*) FROM jobs GROUP BY target, state ORDER BY target, state")
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// The CRM record ids of a lead in one target, with the revision last synced.
    pub async fn crm_links(
        &self,
        conversation_id: &str,
        target: &str,
    ) -> Result<Option<LinksRow>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, LinksRow>("SELECT links_json, synced_revision, record_url FROM crm_links WHERE conversation_id = $1 AND target = $2")
                .bind(conversation_id)
                .bind(target)
                .fetch_optional(pool)
                .await?
        });
        Ok(row)
    }

    /// Stores a lead's CRM record ids after a (possibly partial) sync; nothing for an erased
    /// conversation.
    pub async fn save_crm_links(
        &self,
        conversation_id: &str,
        target: &str,
        links_json: &str,
        synced_revision: i64,
        record_url: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        // The deal's id is kept in a column too: CRM webhooks name the deal, not the lead.
        let deal_id = serde_json::from_str::<serde_json::Value>(links_json)
            .ok()
            .and_then(|v| v["deal"].as_str().map(str::to_owned));
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO crm_links (conversation_id, target, links_json, synced_revision, record_url, updated_ms, deal_id) SELECT $1, $2, $3, $4, $5, $6, $7 \
                 WHERE NOT EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND erased_ms IS NOT NULL) \
                 ON CONFLICT (conversation_id, target) DO UPDATE SET links_json = excluded.links_json, \
                 deal_id = COALESCE(excluded.deal_id, crm_links.deal_id), \
                 synced_revision = CASE WHEN excluded.synced_revision > crm_links.synced_revision THEN excluded.synced_revision ELSE crm_links.synced_revision END, \
                 record_url = COALESCE(excluded.record_url, crm_links.record_url), updated_ms = excluded.updated_ms",
            )
            .bind(conversation_id)
            .bind(target)
            .bind(links_json)
            .bind(synced_revision)
            .bind(record_url)
            .bind(now)
            .bind(&deal_id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The sales alert already sent for a lead.
    pub async fn alert(&self, conversation_id: &str) -> Result<Option<AlertRow>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, AlertRow>("SELECT channel, thread_ts, score, digest, with_crm_link, relayed_seq FROM alerts WHERE conversation_id = $1")
                .bind(conversation_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row)
    }

    /// Remembers a sent alert (the first one keeps its thread); nothing for an erased
    /// conversation.
    pub async fn save_alert(
        &self,
        conversation_id: &str,
        channel: Option<&str>,
        thread_ts: Option<&str>,
        score: i64,
        digest: &str,
        with_crm_link: bool,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO alerts (conversation_id, channel, thread_ts, score, digest, with_crm_link, sent_ms) SELECT $1, $2, $3, $4, $5, $6, $7 \
                 WHERE NOT EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND erased_ms IS NOT NULL) \
                 ON CONFLICT (conversation_id) DO UPDATE SET score = excluded.score, digest = excluded.digest, \
                 with_crm_link = excluded.with_crm_link, sent_ms = excluded.sent_ms, \
                 channel = COALESCE(alerts.channel, excluded.channel), thread_ts = COALESCE(alerts.thread_ts, excluded.thread_ts)",
            )
            .bind(conversation_id)
            .bind(channel)
            .bind(thread_ts)
            .bind(score)
            .bind(digest)
            .bind(with_crm_link)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

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
