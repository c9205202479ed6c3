//! Claiming due jobs, keeping their locks while a worker runs them, and recording how each
//! ended: only the holder of a job's latest claim may extend or end it.

use super::{JobEnd, JobKind, JobRow};
use crate::store::{BeginWrite, Store, StoreError, now_ms, on_pool};

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
    // Long on purpose: one UPDATE per way a job ends, side by side, so their fences read alike.
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
}
