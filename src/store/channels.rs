//! The channel bridges' tables: every verified webhook POST as received, the events it held
//! (each stored once, whatever Meta redelivers), and what became of each reply sent.

use super::jobs::{ENQUEUE_AT, JobKind};
use super::{BeginWrite, Store, StoreError, now_ms, on_pool};

/// An event to store from a POST.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub channel: &'static str,
    /// Unique per channel (message id, or a receipt's key).
    pub key: String,
    /// The opaque key of the sender's queue: their events are read in order by one job.
    pub sender_key: String,
    pub at_ms: i64,
    pub json: String,
    /// Whether a job must read it (messages and receipts); account errors are only kept.
    pub queued: bool,
}

/// A stored event waiting for its sender's job.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub channel: String,
    pub event_key: String,
    pub at_ms: i64,
    pub event_json: String,
}

/// What a stored POST added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredPost {
    pub post_id: i64,
    /// Events not seen before.
    pub new_events: usize,
    /// Events Meta had delivered before.
    pub duplicates: usize,
}

/// A reply's fate on a channel.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct DeliveryRow {
    pub conversation_id: String,
    pub seq: i64,
    pub channel: String,
    pub provider_id: Option<String>,
    pub status: String,
    pub error: Option<String>,
    pub sent_ms: i64,
    pub updated_ms: i64,
}

/// The order of receipts: a later one never goes back to an earlier one (Meta may deliver
/// `read` before `delivered`).
fn rank(status: &str) -> i32 {
    match status {
        "accepted" => 1,
        "sent" => 2,
        "delivered" => 3,
        "read" | "played" => 4,
        "failed" | "undeliverable" => 5,
        _ => 0,
    }
}

impl Store {
    /// Stores a verified POST and its events in one transaction, and queues a job per sender
    /// with new events, due after `delay_ms` so that messages Meta delivers out of order or in
    /// parallel requests are read in their order.
    pub async fn store_post(
        &self,
        channel: &str,
        target: &str,
        body: &str,
        events: &[NewEvent],
        delay_ms: i64,
    ) -> Result<StoredPost, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let post_id: i64 = sqlx::query_scalar(
                "INSERT INTO channel_posts (channel, body, events, received_ms) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(channel)
            .bind(body)
            .bind(events.len() as i64)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let mut new_events = 0;
            let mut senders: Vec<&str> = Vec::new();
            for e in events {
                let inserted = sqlx::query(
                    "INSERT INTO channel_events (channel, event_key, sender_key, at_ms, event_json, post_id, state, received_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (channel, event_key) DO NOTHING",
                )
                .bind(e.channel)
                .bind(&e.key)
                .bind(&e.sender_key)
                .bind(e.at_ms)
                .bind(&e.json)
                .bind(post_id)
                .bind(if e.queued { "pending" } else { "done" })
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if inserted > 0 {
                    new_events += 1;
                    if e.queued && !senders.contains(&e.sender_key.as_str()) {
                        senders.push(&e.sender_key);
                    }
                }
            }
            for sender in senders {
                sqlx::query(ENQUEUE_AT)
                    .bind(JobKind::ChannelInbound.as_str())
                    .bind(target)
                    .bind(sender)
                    .bind(None::<String>)
                    .bind(post_id)
                    .bind(now)
                    .bind(now + delay_ms)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(StoredPost { post_id, new_events, duplicates: events.len() - new_events })
        })
    }

    /// A sender's events not yet read, oldest first (by Meta's time, then arrival).
    pub async fn pending_events(&self, sender_key: &str) -> Result<Vec<EventRow>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, EventRow>(
                "SELECT id, channel, event_key, at_ms, event_json FROM channel_events \
                 WHERE sender_key = $1 AND state = 'pending' ORDER BY at_ms, id LIMIT 500",
            )
            .bind(sender_key)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Marks an event read, with the conversation it went to.
    pub async fn finish_event(
        &self,
        id: i64,
        conversation_id: Option<&str>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE channel_events SET state = 'done', conversation_id = $2 WHERE id = $1")
                .bind(id)
                .bind(conversation_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The highest seq of a conversation that was sent, or given up, on its channel.
    pub async fn delivered_upto(&self, conversation_id: &str) -> Result<i64, StoreError> {
        let seq: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MAX(seq) FROM channel_deliveries WHERE conversation_id = $1")
                .bind(conversation_id)
                .fetch_one(pool)
                .await?
        });
        Ok(seq.unwrap_or(0))
    }

    /// Records what became of one reply.
    pub async fn record_delivery(
        &self,
        conversation_id: &str,
        seq: i64,
        channel: &str,
        provider_id: Option<&str>,
        status: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO channel_deliveries (conversation_id, seq, channel, provider_id, status, error, sent_ms, updated_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (conversation_id, seq) DO UPDATE SET \
                 provider_id = COALESCE(excluded.provider_id, channel_deliveries.provider_id), status = excluded.status, \
                 error = excluded.error, updated_ms = excluded.updated_ms",
            )
            .bind(conversation_id)
            .bind(seq)
            .bind(channel)
            .bind(provider_id)
            .bind(status)
            .bind(error)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Applies a receipt to the reply Meta knows as `provider_id`; returns its conversation when
    /// the reply is ours. A receipt never moves a reply back (`read` stays `read`).
    pub async fn apply_receipt(
        &self,
        channel: &str,
        provider_id: &str,
        status: &str,
        error: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String, i64, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT conversation_id, seq, status FROM channel_deliveries WHERE channel = $1 AND provider_id = $2")
                .bind(channel)
                .bind(provider_id)
                .fetch_optional(pool)
                .await?
        });
        let Some((conversation, seq, current)) = row else {
            return Ok(None);
        };
        if rank(status) > rank(&current) {
            let now = now_ms();
            on_pool!(self, pool => {
                sqlx::query("UPDATE channel_deliveries SET status = $3, error = COALESCE($4, error), updated_ms = $5 WHERE conversation_id = $1 AND seq = $2")
                    .bind(&conversation)
                    .bind(seq)
                    .bind(status)
                    .bind(error)
                    .bind(now)
                    .execute(pool)
                    .await?;
            });
        }
        Ok(Some(conversation))
    }

    /// Applies a Messenger read or delivery watermark: every reply of the conversation sent up
    /// to then.
    pub async fn apply_watermark(
        &self,
        conversation_id: &str,
        status: &str,
        watermark_ms: i64,
    ) -> Result<u64, StoreError> {
        let now = now_ms();
        let ranked: Vec<&str> = ["accepted", "sent", "delivered", "read"]
            .into_iter()
            .filter(|s| rank(s) < rank(status))
            .collect();
        let n = on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new("UPDATE channel_deliveries SET status = ");
            q.push_bind(status);
            q.push(", updated_ms = ").push_bind(now);
            q.push(" WHERE conversation_id = ").push_bind(conversation_id);
            q.push(" AND sent_ms <= ").push_bind(watermark_ms);
            q.push(" AND status IN (");
            let mut list = q.separated(", ");
            for s in &ranked {
                list.push_bind(*s);
            }
            q.push(")");
            q.build().execute(pool).await?.rows_affected()
        });
        Ok(n)
    }

    /// The replies of a conversation and what became of them.
    pub async fn deliveries(&self, conversation_id: &str) -> Result<Vec<DeliveryRow>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, DeliveryRow>(
                "SELECT conversation_id, seq, channel, provider_id, status, error, sent_ms, updated_ms \
                 FROM channel_deliveries WHERE conversation_id = $1 ORDER BY seq",
            )
            .bind(conversation_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
