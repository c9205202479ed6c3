//! What the workers remember per lead and target: the CRM record ids (with the revision last
//! synced in full) and the sales alert sent to Slack.

use super::{Store, StoreError, now_ms, on_pool};

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

impl Store {
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
}
