//! What operators do with jobs: list and read them, replay or discard a dead one, pause and
//! resume a target, count them by state.

use super::{JOB_COLUMNS, JobKind, JobRow, JobState};
use crate::store::{Store, StoreError, now_ms, on_pool};

impl Store {
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
}
