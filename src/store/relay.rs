//! Announcements between gateways that share one PostgreSQL database: after a turn commits, the
//! gateway that ran it names the conversation and the new seqs on a `NOTIFY` channel, and every
//! other gateway with a socket of that conversation reads those messages and pushes them. A
//! SQLite file has one gateway, so there nothing is sent.

use sqlx::postgres::PgListener;

use super::{Store, StoreError};

/// The `LISTEN`/`NOTIFY` channel.
pub const CHANNEL: &str = "leadgate_turns";

impl Store {
    /// Whether several gateways may share this store.
    pub fn is_shared(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// Announces `payload` to the gateways listening on [`CHANNEL`] (PostgreSQL only).
    pub async fn announce(&self, payload: &str) -> Result<(), StoreError> {
        if let Store::Postgres(pool) = self {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// A listener on [`CHANNEL`], with its own connection; `None` on SQLite. It reconnects by
    /// itself when the connection drops (announcements meanwhile are lost; sockets catch up on
    /// their next resume).
    pub async fn listen(&self) -> Result<Option<PgListener>, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(None),
            Store::Postgres(pool) => {
                let mut listener = PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                Ok(Some(listener))
            }
        }
    }
}
