//! First Slack alerts under way, and whether a worker still holds the job it runs: together
//! they keep a lead to one alert when a gateway dies or stalls while posting it.

use super::{JobRow, Store, StoreError, now_ms, on_pool};

impl Store {
    /// When a first alert of the conversation was last about to be posted, if ever.
    pub async fn alert_pending(&self, conversation_id: &str) -> Result<Option<i64>, StoreError> {
        let since = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT since_ms FROM slack_pending WHERE conversation_id = $1")
                .bind(conversation_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(since)
    }

    /// Notes that a first alert is about to be posted (the earliest attempt's time is kept).
    pub async fn mark_alert_pending(&self, conversation_id: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO slack_pending (conversation_id, since_ms) VALUES ($1, $2) ON CONFLICT (conversation_id) DO NOTHING")
                .bind(conversation_id)
                .bind(now_ms())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Whether the job is still claimed by the worker that holds `job` (no other worker took it
    /// over after its lock expired): checked right before a call that cannot be undone.
    pub async fn still_holds(&self, job: &JobRow) -> Result<bool, StoreError> {
        let held: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM jobs WHERE id = $1 AND claim = $2 AND locked_by = $3 AND state = 'running' AND locked_until_ms >= $4")
                .bind(job.id)
                .bind(job.claim)
                .bind(job.locked_by.as_deref().unwrap_or_default())
                .bind(now_ms())
                .fetch_optional(pool)
                .await?
        });
        Ok(held.is_some())
    }
}
