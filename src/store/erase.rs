//! Erasing a visitor (GDPR article 17): every copy of their personal data in every table is
//! deleted or scrubbed in one transaction, and the conversation keeps only its id, site,
//! channel and times, marked erased — so nothing can write to it again.

use super::{BeginWrite, Store, StoreError, now_ms, on_pool};

/// What an erasure also deletes outside leadgate, by a job each (`[privacy]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Elsewhere {
    /// The person, deal, note and task in every CRM the lead was synced to (`erase_in_crm`).
    pub crm: bool,
    /// The Slack alert and the replies leadgate posted in its thread (`erase_in_slack`).
    pub slack: bool,
}

/// One CRM erase job per CRM the lead has records in.
const QUEUE_CRM_ERASE: &str = "INSERT INTO jobs (kind, target, conversation_id, person_key, revision, state, attempts, run_at_ms, created_ms, updated_ms) \
    SELECT 'crm_erase', target, conversation_id, NULL, 0, 'pending', 0, $2, $2, $2 FROM crm_links WHERE conversation_id = $1 \
    ON CONFLICT (kind, target, conversation_id) WHERE state IN ('pending', 'running', 'paused') DO NOTHING";

/// The Slack erase job, when an alert was posted with the Web API or replies were.
const QUEUE_SLACK_ERASE: &str = "INSERT INTO jobs (kind, target, conversation_id, person_key, revision, state, attempts, run_at_ms, created_ms, updated_ms) \
    SELECT 'slack_erase', 'slack', $1, NULL, 0, 'pending', 0, $2, $2, $2 \
    WHERE EXISTS (SELECT 1 FROM alerts WHERE conversation_id = $1 AND thread_ts IS NOT NULL) \
       OR EXISTS (SELECT 1 FROM slack_posts WHERE conversation_id = $1) \
    ON CONFLICT (kind, target, conversation_id) WHERE state IN ('pending', 'running', 'paused') DO NOTHING";

/// Rows of the conversation deleted outright.
const DELETES: [&str; 7] = [
    "DELETE FROM messages WHERE conversation_id = $1",
    "DELETE FROM lead_revisions WHERE conversation_id = $1",
    "DELETE FROM consents WHERE conversation_id = $1",
    "DELETE FROM slack_notes WHERE conversation_id = $1",
    "DELETE FROM channel_deliveries WHERE conversation_id = $1",
    "DELETE FROM deal_outcomes WHERE conversation_id = $1",
    "DELETE FROM slack_pending WHERE conversation_id = $1",
];

/// Rows kept for their ids, with the personal data scrubbed: the alert keeps where it was
/// posted, the jobs their history without the person's key or the CRM's error text. Open jobs
/// are given up; a running one gets a new claim number, which fences its worker out: the
/// worker can no longer record its end, and its next lock extension tells it to stop.
const SCRUBS: [&str; 2] = [
    "UPDATE alerts SET digest = '' WHERE conversation_id = $1",
    "UPDATE jobs SET person_key = NULL, last_error = NULL, \
     claim = CASE WHEN state = 'running' THEN claim + 1 ELSE claim END, \
     locked_by = NULL, locked_until_ms = NULL, \
     state = CASE WHEN state IN ('pending', 'running', 'paused', 'dead') THEN 'discarded' ELSE state END \
     WHERE conversation_id = $1",
];

/// The conversation row: everything but its id, site, channel, times and owner goes.
const SCRUB_CONVERSATION: &str = "UPDATE conversations SET external_id = NULL, locale = NULL, region = NULL, \
    page_url = NULL, contact_json = NULL, lead_json = NULL, score = 0, engine_state = NULL, \
    erased_ms = COALESCE(erased_ms, $2), updated_ms = $2 WHERE id = $1";

impl Store {
    /// Erases a conversation's visitor. `sender_key` is the channel's opaque key of the person
    /// (WhatsApp, Messenger): their webhook events and the raw posts that carried them are
    /// deleted too, read or not. Returns whether the conversation exists.
    ///
    /// CRM record ids stay (without the pending creates, which carry the deal title): the
    /// records themselves are in the CRM, erased there by a job when `elsewhere` says so, and
    /// so are the alert and its thread replies in Slack.
    pub async fn erase(
        &self,
        conversation_id: &str,
        sender_key: Option<&str>,
        elsewhere: Elsewhere,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let erased = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // The raw posts first, while their events still name them.
            sqlx::query(
                "DELETE FROM channel_posts WHERE id IN (SELECT post_id FROM channel_events \
                 WHERE conversation_id = $1 OR sender_key = $2)",
            )
            .bind(conversation_id)
            .bind(sender_key)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM channel_events WHERE conversation_id = $1 OR sender_key = $2")
                .bind(conversation_id)
                .bind(sender_key)
                .execute(&mut *tx)
                .await?;
            for sql in DELETES.into_iter().chain(SCRUBS) {
                sqlx::query(sql).bind(conversation_id).execute(&mut *tx).await?;
            }
            let links: Vec<(String, String)> = sqlx::query_as(
                "SELECT target, links_json FROM crm_links WHERE conversation_id = $1",
            )
            .bind(conversation_id)
            .fetch_all(&mut *tx)
            .await?;
            for (target, json) in links {
                sqlx::query("UPDATE crm_links SET links_json = $3 WHERE conversation_id = $1 AND target = $2")
                    .bind(conversation_id)
                    .bind(&target)
                    .bind(ids_only(&json))
                    .execute(&mut *tx)
                    .await?;
            }
            let queue = [(elsewhere.crm, QUEUE_CRM_ERASE), (elsewhere.slack, QUEUE_SLACK_ERASE)];
            for (_, sql) in queue.into_iter().filter(|(on, _)| *on) {
                sqlx::query(sql).bind(conversation_id).bind(now).execute(&mut *tx).await?;
            }
            let done = sqlx::query(SCRUB_CONVERSATION)
                .bind(conversation_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            done > 0
        });
        self.flush_erased().await?;
        Ok(erased)
    }

    /// Forgets a lead's record ids in a CRM once they were deleted there.
    pub async fn forget_crm_links(
        &self,
        conversation_id: &str,
        target: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM crm_links WHERE conversation_id = $1 AND target = $2")
                .bind(conversation_id)
                .bind(target)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Remembers a reply posted in an alert's thread, so an erasure can delete it.
    pub async fn save_slack_post(
        &self,
        conversation_id: &str,
        channel: &str,
        ts: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO slack_posts (conversation_id, channel, ts) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(conversation_id)
                .bind(channel)
                .bind(ts)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The replies leadgate posted in a conversation's alert thread: `(channel, ts)`.
    pub async fn slack_posts(
        &self,
        conversation_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as("SELECT channel, ts FROM slack_posts WHERE conversation_id = $1 ORDER BY ts")
                .bind(conversation_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// Forgets a thread reply deleted from Slack.
    pub async fn forget_slack_post(
        &self,
        conversation_id: &str,
        ts: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM slack_posts WHERE conversation_id = $1 AND ts = $2")
                .bind(conversation_id)
                .bind(ts)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forgets where the alert was posted once it was deleted from Slack.
    pub async fn forget_alert_message(&self, conversation_id: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE alerts SET channel = NULL, thread_ts = NULL WHERE conversation_id = $1")
                .bind(conversation_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// On SQLite, deleted rows are zeroed in the file (`secure_delete`) but their old pages
    /// stay in the write-ahead log until a checkpoint: copy it into the file and truncate it.
    async fn flush_erased(&self) -> Result<(), StoreError> {
        if let Store::Sqlite(pool) = self {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }
}

/// A lead's CRM links with only the record ids: the creates pending an answer carry the deal
/// title and task subject, which name the visitor.
fn ids_only(links_json: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(links_json).unwrap_or_default();
    let keep = ["person", "company", "deal", "note", "task"];
    match value.as_object_mut() {
        Some(map) => {
            map.retain(|k, v| keep.contains(&k.as_str()) && (v.is_string() || v.is_null()))
        }
        None => value = serde_json::json!({}),
    }
    value.to_string()
}
