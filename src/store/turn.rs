//! One turn, written in one transaction: the visitor's message, the lead revision it caused,
//! the engine's replies and memory, consent, notes for the alert's thread and the outbox jobs
//! the change causes. An erased conversation takes no turn.

use uuid::Uuid;

use super::{BeginWrite, MessageRow, Store, StoreError, now_ms};

/// A message to store in a turn.
#[derive(Debug, Clone, Default)]
pub struct TurnMessage {
    /// Set when the message was announced before it was stored (a streamed reply's id).
    pub id: Option<String>,
    pub role: &'static str,
    pub text: String,
    pub client_msg_id: Option<String>,
    pub quick_replies: Option<String>,
    pub asked: Option<String>,
    /// Who wrote a `rep` message.
    pub author: Option<String>,
}

/// Everything one turn changes, written in one transaction: the visitor's message, the lead
/// revision it caused, the engine's replies and memory.
#[derive(Debug, Clone, Default)]
pub struct Turn {
    pub conversation_id: String,
    pub messages: Vec<TurnMessage>,
    /// The new lead (JSON), its score and what changed (JSON), when the lead changed.
    pub lead: Option<LeadChange>,
    pub engine_state: Option<String>,
    /// Set when the lead first reached the deal threshold in this turn.
    pub qualified: bool,
    /// Outbox jobs the lead change causes (CRM sync, sales alert), committed with it.
    pub jobs: Vec<super::jobs::NewJob>,
    /// A consent decision made in this turn: whether it was granted, and the policy version.
    pub consent: Option<(bool, Option<String>)>,
    /// The conversation's language, when this turn showed it is another than thought.
    pub locale: Option<String>,
    /// A rep takes the conversation over (or keeps talking), or hands it back.
    pub hold: Option<Hold>,
    /// Notes for the lead's Slack thread ("Anna joined the chat").
    pub notes: Vec<String>,
}

/// Who speaks for the business.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// A rep speaks: the assistant stays quiet from now (or still), idle time counts from now.
    Rep,
    /// The assistant speaks again.
    Assistant,
}

/// A lead revision to record.
#[derive(Debug, Clone)]
pub struct LeadChange {
    pub lead_json: String,
    pub changes_json: String,
    pub score: i64,
    /// Index into `Turn::messages` of the message that caused the change.
    pub caused_by: Option<usize>,
}

/// What a stored turn became.
#[derive(Debug, Clone)]
pub enum StoredTurn {
    /// Stored; the messages with their seq, and the new lead revision number if any.
    Stored {
        messages: Vec<MessageRow>,
        revision: Option<i64>,
    },
    /// The first message's `client_msg_id` was stored before: nothing was written.
    Duplicate(MessageRow),
}

/// A write transaction on either database, so that a long write reads as steps.
enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs the same body on whichever transaction `Tx` holds (see `on_pool!`).
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite($t) => $body,
            Tx::Postgres($t) => $body,
        }
    };
}

impl Tx {
    async fn begin(store: &Store) -> Result<Tx, StoreError> {
        Ok(match store {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin_write().await?),
            Store::Postgres(pool) => Tx::Postgres(pool.begin_write().await?),
        })
    }

    async fn commit(self) -> Result<(), StoreError> {
        on_tx!(self, t => t.commit().await?);
        Ok(())
    }
}

const MESSAGE_COLUMNS: &str =
    "conversation_id, seq, id, role, text, client_msg_id, quick_replies, asked, created_ms, author";

impl Store {
    /// Writes a turn in one transaction. The seq numbers are taken under the conversation's row
    /// lock, so two sockets of one session never get the same seq.
    pub async fn record_turn(&self, turn: &Turn) -> Result<StoredTurn, StoreError> {
        let now = now_ms();
        let mut tx = Tx::begin(self).await?;
        // Dropping the transaction rolls it back.
        if let Some(existing) = duplicate_of(&mut tx, turn).await? {
            return Ok(StoredTurn::Duplicate(existing));
        }
        if let Some((granted, policy)) = &turn.consent {
            record_consent(
                &mut tx,
                &turn.conversation_id,
                *granted,
                policy.as_deref(),
                now,
            )
            .await?;
        }
        let (last, rev) = bump_conversation(&mut tx, turn, now).await?;
        let stored = message_rows(turn, last, now);
        insert_messages(&mut tx, &stored).await?;
        let revision = match &turn.lead {
            Some(lead) => {
                let seq = lead.caused_by.and_then(|i| stored.get(i)).map(|m| m.seq);
                insert_revision(&mut tx, &turn.conversation_id, lead, rev, seq, now).await?;
                Some(rev)
            }
            None => None,
        };
        insert_notes_and_jobs(&mut tx, turn, revision, now).await?;
        tx.commit().await?;
        Ok(StoredTurn::Stored {
            messages: stored,
            revision,
        })
    }
}

/// The message stored before under the turn's first `client_msg_id` (a resend).
async fn duplicate_of(tx: &mut Tx, turn: &Turn) -> Result<Option<MessageRow>, StoreError> {
    let Some(cid) = turn.messages.first().and_then(|m| m.client_msg_id.as_ref()) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_msg_id = $2"
    );
    let row = on_tx!(tx, t => {
        sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(sql))
            .bind(&turn.conversation_id)
            .bind(cid)
            .fetch_optional(&mut **t)
            .await?
    });
    Ok(row)
}

async fn record_consent(
    tx: &mut Tx,
    conversation_id: &str,
    granted: bool,
    policy: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, t => {
        sqlx::query("INSERT INTO consents (conversation_id, granted, policy_version, created_ms) VALUES ($1, $2, $3, $4)")
            .bind(conversation_id)
            .bind(granted)
            .bind(policy)
            .bind(now)
            .execute(&mut **t)
            .await?;
        sqlx::query("UPDATE conversations SET consent_granted = $2 WHERE id = $1")
            .bind(conversation_id)
            .bind(granted)
            .execute(&mut **t)
            .await?;
    });
    Ok(())
}

/// One statement for the conversation row: its seq, the lead and the engine state. Returns the
/// last seq and the lead revision; refuses an erased conversation.
async fn bump_conversation(tx: &mut Tx, turn: &Turn, now: i64) -> Result<(i64, i64), StoreError> {
    const BUMP: &str = "UPDATE conversations SET last_seq = last_seq + $2, updated_ms = $3, \
        engine_state = COALESCE($4, engine_state), locale = COALESCE($9, locale), \
        lead_json = CASE WHEN $5 THEN $6 ELSE lead_json END, \
        score = CASE WHEN $5 THEN $7 ELSE score END, \
        lead_revision = CASE WHEN $5 THEN lead_revision + 1 ELSE lead_revision END, \
        qualified_ms = CASE WHEN $5 AND $8 AND qualified_ms IS NULL THEN $3 ELSE qualified_ms END, \
        human_since_ms = CASE WHEN $10 = 1 THEN COALESCE(human_since_ms, $3) WHEN $10 = 2 THEN NULL ELSE human_since_ms END, \
        human_last_ms = CASE WHEN $10 = 1 THEN $3 WHEN $10 = 2 THEN NULL ELSE human_last_ms END \
        WHERE id = $1 AND erased_ms IS NULL RETURNING last_seq, lead_revision";
    let lead = turn.lead.as_ref();
    let hold = match turn.hold {
        None => 0i64,
        Some(Hold::Rep) => 1,
        Some(Hold::Assistant) => 2,
    };
    let id = &turn.conversation_id;
    let (bumped, exists): (Option<(i64, i64)>, Option<i64>) = on_tx!(tx, t => {
        let bumped = sqlx::query_as(BUMP)
            .bind(id)
            .bind(turn.messages.len() as i64)
            .bind(now)
            .bind(turn.engine_state.as_deref())
            .bind(lead.is_some())
            .bind(lead.map(|l| l.lead_json.as_str()))
            .bind(lead.map_or(0, |l| l.score))
            .bind(turn.qualified)
            .bind(turn.locale.as_deref())
            .bind(hold)
            .fetch_optional(&mut **t)
            .await?;
        let exists = match bumped {
            Some(_) => None,
            None => sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **t)
                .await?,
        };
        (bumped, exists)
    });
    match (bumped, exists) {
        (Some(bumped), _) => Ok(bumped),
        (None, Some(_)) => Err(StoreError::Erased(id.clone())),
        (None, None) => Err(StoreError::NotFound(id.clone())),
    }
}

/// The turn's messages as stored, numbered up to `last`.
fn message_rows(turn: &Turn, last: i64, now: i64) -> Vec<MessageRow> {
    let first = last - turn.messages.len() as i64 + 1;
    (first..)
        .zip(&turn.messages)
        .map(|(seq, m)| MessageRow {
            conversation_id: turn.conversation_id.clone(),
            seq,
            id: m.id.clone().unwrap_or_else(|| Uuid::now_v7().to_string()),
            role: m.role.to_owned(),
            text: m.text.clone(),
            client_msg_id: m.client_msg_id.clone(),
            quick_replies: m.quick_replies.clone(),
            asked: m.asked.clone(),
            created_ms: now,
            author: m.author.clone(),
        })
        .collect()
}

/// All of the turn's messages in one statement.
async fn insert_messages(tx: &mut Tx, rows: &[MessageRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    on_tx!(tx, t => {
        let mut insert = sqlx::QueryBuilder::new(format!("INSERT INTO messages ({MESSAGE_COLUMNS}) "));
        insert.push_values(rows, |mut b, row| {
            b.push_bind(&row.conversation_id)
                .push_bind(row.seq)
                .push_bind(&row.id)
                .push_bind(&row.role)
                .push_bind(&row.text)
                .push_bind(&row.client_msg_id)
                .push_bind(&row.quick_replies)
                .push_bind(&row.asked)
                .push_bind(row.created_ms)
                .push_bind(&row.author);
        });
        insert.build().execute(&mut **t).await?;
    });
    Ok(())
}

async fn insert_revision(
    tx: &mut Tx,
    conversation_id: &str,
    lead: &LeadChange,
    revision: i64,
    message_seq: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, t => {
        sqlx::query(
            "INSERT INTO lead_revisions (conversation_id, revision, message_seq, changes_json, lead_json, score, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(conversation_id)
        .bind(revision)
        .bind(message_seq)
        .bind(&lead.changes_json)
        .bind(&lead.lead_json)
        .bind(lead.score)
        .bind(now)
        .execute(&mut **t)
        .await?;
    });
    Ok(())
}

/// The turn's notes for the alert's thread, and its outbox jobs.
async fn insert_notes_and_jobs(
    tx: &mut Tx,
    turn: &Turn,
    revision: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, t => {
        for note in &turn.notes {
            sqlx::query("INSERT INTO slack_notes (conversation_id, text, created_ms) VALUES ($1, $2, $3)")
                .bind(&turn.conversation_id)
                .bind(note)
                .bind(now)
                .execute(&mut **t)
                .await?;
        }
        for job in &turn.jobs {
            sqlx::query(super::jobs::ENQUEUE)
                .bind(job.kind.as_str())
                .bind(&job.target)
                .bind(&turn.conversation_id)
                .bind(&job.person_key)
                // A job names its own revision (a delivery: the last seq to send), else it
                // carries the lead revision of this turn.
                .bind(if job.revision > 0 { job.revision } else { revision.unwrap_or(0) })
                .bind(now)
                .execute(&mut **t)
                .await?;
        }
    });
    Ok(())
}
