//! Persistence: SQLite (embedded default) and PostgreSQL (several gateway instances), with the
//! same SQL text for both (`$n` placeholders, Unix-millisecond times) and separate migrations.
//!
//! Every query body is written once and compiled for both pools by [`on_pool!`]; write
//! transactions start with `BEGIN IMMEDIATE` on SQLite so concurrent writers queue instead of
//! failing with "database is locked".

mod channels;
mod chat;
mod copy;
mod erase;
mod handoff;
mod jobs;
mod links;
mod pending;
mod rows;
mod turn;

pub use channels::{DeliveryRow, EventRow, NewEvent, StoredPost};
pub use chat::{FunnelWeek, NewConversation};
pub use handoff::{Claim, DealOutcome, Rep};
pub use jobs::{JobEnd, JobKind, JobRow, JobState, NewJob};
pub use links::{AlertRow, LinksRow};
pub use turn::{Hold, LeadChange, StoredTurn, Turn, TurnMessage};
pub mod relay;
pub use copy::CopyReport;
pub use erase::Elsewhere;
pub use rows::{ConversationRow, MessageRow, RevisionRow};

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// A store error, with the cause kept for the logs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("conversation {0} not found")]
    NotFound(String),
    /// The conversation was erased: nothing is written to it any more.
    #[error("conversation {0} was erased")]
    Erased(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// The database behind the gateway.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same body against whichever pool the store holds; the body is compiled once per
/// database, so the SQL and the row handling are written once.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite($pool) => $body,
            $crate::store::Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Starting a write transaction the right way for each database.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send
    {
        // Take the write lock up front: a deferred transaction that upgrades later fails with
        // SQLITE_BUSY under concurrent writers instead of waiting.
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

impl Store {
    /// Connects to `sqlite://FILE` (created when missing; WAL, busy timeout, the log synced at
    /// every commit) or `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, StoreError> {
        Store::connect_with(url, max_connections, true).await
    }

    /// [`Store::connect`], choosing for SQLite whether every commit syncs the log
    /// (`synchronous=FULL`: an acknowledged message survives a power cut) or only checkpoints
    /// do (`NORMAL`: faster, but the last commits can be lost when the power goes).
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        sqlite_full_sync: bool,
    ) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(if sqlite_full_sync {
                    SqliteSynchronous::Full
                } else {
                    SqliteSynchronous::Normal
                })
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Deleted rows are overwritten with zeros, so an erased visitor's words do not
                // linger in free pages of the file.
                .pragma("secure_delete", "ON");
            // One connection: SQLite takes one writer at a time, and writers that wait on its
            // lock sleep in its busy handler (1, 2, 5 … 100 ms), which is what makes tail
            // latency under load. Queuing for the one connection in the pool is fair and
            // wakes the next writer at once; WAL readers would gain little here.
            let _ = max_connections;
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await?;
            Ok(Store::Sqlite(pool))
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Store::Postgres(pool))
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Store::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }

    /// A setting, if stored.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await?
        });
        Ok(value)
    }

    /// Stores `value` under `key` unless a value is there already; returns the stored value.
    /// Several instances starting at once agree on one value.
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, StoreError> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                .bind(key)
                .bind(value)
                .execute(pool)
                .await?;
        });
        self.setting(key)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("setting {key} vanished")))
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}
