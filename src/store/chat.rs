//! Conversations, messages, lead revisions and consent.

use uuid::Uuid;

use super::{
    BeginWrite, ConversationRow, MessageRow, RevisionRow, Store, StoreError, now_ms, on_pool,
};

pub(crate) const CONVERSATION_COLUMNS: &str = "id, site, channel, external_id, channel_account, locale, region, page_url, contact_json, started_ms, updated_ms, last_seq, consent_required, consent_granted, lead_json, lead_revision, score, qualified_ms, engine_state, erased_ms, owner_slack_id, owner_name, owner_crm_id, claimed_ms, not_a_lead, human_since_ms, human_last_ms";

/// What a new conversation starts with.
#[derive(Debug, Clone, Default)]
pub struct NewConversation {
    pub site: String,
    pub channel: String,
    pub external_id: Option<String>,
    pub channel_account: Option<String>,
    pub locale: Option<String>,
    pub region: Option<String>,
    pub page_url: Option<String>,
    pub contact_json: Option<String>,
    pub consent_required: bool,
}

/// One week of the lead funnel.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct FunnelWeek {
    /// Weeks since the Monday before the Unix epoch.
    pub week: i64,
    pub conversations: i64,
    pub with_contact: i64,
    pub qualified: i64,
    pub with_deal: i64,
    pub won: i64,
}

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

impl Store {
    /// Creates a conversation with a fresh id.
    pub async fn create_conversation(
        &self,
        new: &NewConversation,
    ) -> Result<ConversationRow, StoreError> {
        let id = Uuid::now_v7().to_string();
        let now = now_ms();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO conversations (id, site, channel, external_id, locale, region, page_url, contact_json, started_ms, updated_ms, consent_required, channel_account) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11)",
            )
            .bind(&id)
            .bind(&new.site)
            .bind(&new.channel)
            .bind(&new.external_id)
            .bind(&new.locale)
            .bind(&new.region)
            .bind(&new.page_url)
            .bind(&new.contact_json)
            .bind(now)
            .bind(new.consent_required)
            .bind(&new.channel_account)
            .execute(pool)
            .await?;
        });
        self.conversation(&id)
            .await?
            .ok_or(StoreError::NotFound(id))
    }

    /// A conversation by id.
    pub async fn conversation(&self, id: &str) -> Result<Option<ConversationRow>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, ConversationRow>(sqlx::AssertSqlSafe(format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row)
    }

    /// A channel sender's latest conversation on a site, unless it was erased or has been
    /// silent since `active_since_ms`: then the sender starts a new one.
    pub async fn open_conversation(
        &self,
        site: &str,
        channel: &str,
        external_id: &str,
        active_since_ms: i64,
    ) -> Result<Option<ConversationRow>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, ConversationRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE site = $1 AND channel = $2 AND external_id = $3 \
                 ORDER BY updated_ms DESC LIMIT 1"
            )))
            .bind(site)
            .bind(channel)
            .bind(external_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.filter(|c| c.erased_ms.is_none() && c.updated_ms >= active_since_ms))
    }

    /// Conversations, newest first, optionally of one site and channel.
    pub async fn list_conversations(
        &self,
        site: Option<&str>,
        channel: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ConversationRow>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, ConversationRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE ($1 IS NULL OR site = $1) AND ($2 IS NULL OR channel = $2) \
                 ORDER BY started_ms DESC, id DESC LIMIT $3"
            )))
            .bind(site)
            .bind(channel)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// The lead funnel per week (Monday-aligned Unix weeks from `since_ms`), optionally for one
    /// site and channel: conversations, those with contact details, qualified, with a deal in a
    /// CRM, won.
    pub async fn funnel(
        &self,
        site: Option<&str>,
        channel: Option<&str>,
        since_ms: i64,
    ) -> Result<Vec<FunnelWeek>, StoreError> {
        // Week numbers count from the Unix epoch (a Thursday) shifted to Mondays.
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, FunnelWeek>(
                "SELECT (c.started_ms + 259200000) / 604800000 AS week, \
                 COUNT(*) AS conversations, \
                 SUM(CASE WHEN c.lead_json IS NOT NULL AND (c.lead_json NOT LIKE '%\"email\":null%' OR c.lead_json NOT LIKE '%\"phone\":null%') THEN 1 ELSE 0 END) AS with_contact, \
                 SUM(CASE WHEN c.qualified_ms IS NOT NULL THEN 1 ELSE 0 END) AS qualified, \
                 SUM(CASE WHEN EXISTS (SELECT 1 FROM crm_links l WHERE l.conversation_id = c.id AND l.deal_id IS NOT NULL) THEN 1 ELSE 0 END) AS with_deal, \
                 SUM(CASE WHEN EXISTS (SELECT 1 FROM deal_outcomes o WHERE o.conversation_id = c.id AND o.won) THEN 1 ELSE 0 END) AS won \
                 FROM conversations c WHERE c.started_ms >= $1 AND c.erased_ms IS NULL \
                 AND ($2 IS NULL OR c.site = $2) AND ($3 IS NULL OR c.channel = $3) \
                 GROUP BY (c.started_ms + 259200000) / 604800000 ORDER BY week",
            )
            .bind(since_ms)
            .bind(site)
            .bind(channel)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Messages with `seq > after`, in order, at most `limit`.
    pub async fn messages_after(
        &self,
        conversation_id: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, MessageRow>(
                "SELECT conversation_id, seq, id, role, text, client_msg_id, quick_replies, asked, created_ms, author \
                 FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .bind(conversation_id)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// The message a client sent with this id, if stored.
    pub async fn message_by_client_id(
        &self,
        conversation_id: &str,
        client_msg_id: &str,
    ) -> Result<Option<MessageRow>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, MessageRow>(
                "SELECT conversation_id, seq, id, role, text, client_msg_id, quick_replies, asked, created_ms, author \
                 FROM messages WHERE conversation_id = $1 AND client_msg_id = $2",
            )
            .bind(conversation_id)
            .bind(client_msg_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
    }

    /// Writes a turn in one transaction. The seq numbers are taken under the conversation's row
    /// lock, so two sockets of one session never get the same seq.
    pub async fn record_turn(&self, turn: &Turn) -> Result<StoredTurn, StoreError> {
        let now = now_ms();
        let count = turn.messages.len() as i64;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            if let Some(first) = turn.messages.first()
                && let Some(cid) = &first.client_msg_id {
                    let existing = sqlx::query_as::<_, MessageRow>(
                        "SELECT conversation_id, seq, id, role, text, client_msg_id, quick_replies, asked, created_ms, author \
                         FROM messages WHERE conversation_id = $1 AND client_msg_id = $2",
                    )
                    .bind(&turn.conversation_id)
                    .bind(cid)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(existing) = existing {
                        tx.rollback().await?;
                        return Ok(StoredTurn::Duplicate(existing));
                    }
                }
            if let Some((granted, policy)) = &turn.consent {
                sqlx::query("INSERT INTO consents (conversation_id, granted, policy_version, created_ms) VALUES ($1, $2, $3, $4)")
                    .bind(&turn.conversation_id)
                    .bind(*granted)
                    .bind(policy)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE conversations SET consent_granted = $2 WHERE id = $1")
                    .bind(&turn.conversation_id)
                    .bind(*granted)
                    .execute(&mut *tx)
                    .await?;
            }
            // One statement for the conversation row: its seq, the lead and the engine state.
            let lead = turn.lead.as_ref();
            let bumped: Option<(i64, i64)> = sqlx::query_as(
                "UPDATE conversations SET last_seq = last_seq + $2, updated_ms = $3, \
                 engine_state = COALESCE($4, engine_state), locale = COALESCE($9, locale), \
                 lead_json = CASE WHEN $5 THEN $6 ELSE lead_json END, \
                 score = CASE WHEN $5 THEN $7 ELSE score END, \
                 lead_revision = CASE WHEN $5 THEN lead_revision + 1 ELSE lead_revision END, \
                 qualified_ms = CASE WHEN $5 AND $8 AND qualified_ms IS NULL THEN $3 ELSE qualified_ms END, \
                 human_since_ms = CASE WHEN $10 = 1 THEN COALESCE(human_since_ms, $3) WHEN $10 = 2 THEN NULL ELSE human_since_ms END, \
                 human_last_ms = CASE WHEN $10 = 1 THEN $3 WHEN $10 = 2 THEN NULL ELSE human_last_ms END \
                 WHERE id = $1 AND erased_ms IS NULL RETURNING last_seq, lead_revision",
            )
            .bind(&turn.conversation_id)
            .bind(count)
            .bind(now)
            .bind(turn.engine_state.as_deref())
            .bind(lead.is_some())
            .bind(lead.map(|l| l.lead_json.as_str()))
            .bind(lead.map_or(0, |l| l.score))
            .bind(turn.qualified)
            .bind(turn.locale.as_deref())
            .bind(match turn.hold {
                None => 0i64,
                Some(Hold::Rep) => 1,
                Some(Hold::Assistant) => 2,
            })
            .fetch_optional(&mut *tx)
            .await?;
            let Some((last, rev)) = bumped else {
                let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = $1")
                    .bind(&turn.conversation_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let id = turn.conversation_id.clone();
                return Err(if exists.is_some() { StoreError::Erased(id) } else { StoreError::NotFound(id) });
            };
            let mut stored = Vec::with_capacity(turn.messages.len());
            for (seq, m) in (last - count + 1..).zip(&turn.messages) {
                stored.push(MessageRow {
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
                });
            }
            // All of the turn's messages in one statement.
            if !stored.is_empty() {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO messages (conversation_id, seq, id, role, text, client_msg_id, quick_replies, asked, created_ms, author) ",
                );
                insert.push_values(&stored, |mut b, row| {
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
                insert.build().execute(&mut *tx).await?;
            }
            let mut revision = None;
            if let Some(lead) = lead {
                let message_seq = lead.caused_by.and_then(|i| stored.get(i)).map(|m| m.seq);
                sqlx::query(
                    "INSERT INTO lead_revisions (conversation_id, revision, message_seq, changes_json, lead_json, score, created_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&turn.conversation_id)
                .bind(rev)
                .bind(message_seq)
                .bind(&lead.changes_json)
                .bind(&lead.lead_json)
                .bind(lead.score)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                revision = Some(rev);
            }
            for note in &turn.notes {
                sqlx::query("INSERT INTO slack_notes (conversation_id, text, created_ms) VALUES ($1, $2, $3)")
                    .bind(&turn.conversation_id)
                    .bind(note)
                    .bind(now)
                    .execute(&mut *tx)
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
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(StoredTurn::Stored { messages: stored, revision })
        })
    }

    /// The lead revisions of a conversation, oldest first.
    pub async fn revisions(&self, conversation_id: &str) -> Result<Vec<RevisionRow>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, RevisionRow>(
                "SELECT conversation_id, revision, message_seq, changes_json, lead_json, score, created_ms, actor \
                 FROM lead_revisions WHERE conversation_id = $1 ORDER BY revision",
            )
            .bind(conversation_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// The conversations, not erased, whose lead has this email or phone (E.164), or whose
    /// channel sender is this phone (WhatsApp's number without the `+`), newest first: what a
    /// person's access or erasure request covers.
    pub async fn conversations_of_person(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Vec<ConversationRow>, StoreError> {
        // The lead is JSON text: a pattern finds candidates (with LIKE's wildcards escaped),
        // and the caller checks each lead's field exactly.
        let like = |key: &str, value: Option<&str>| {
            value.map(|v| {
                let escaped = v.replace('!', "!!").replace('%', "!%").replace('_', "!_");
                format!("%\"{key}\":\"{escaped}\"%")
            })
        };
        let wa_id = phone.map(|p| p.trim_start_matches('+').to_owned());
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, ConversationRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE erased_ms IS NULL AND \
                 (lead_json LIKE $1 ESCAPE '!' OR lead_json LIKE $2 ESCAPE '!' OR external_id = $3) \
                 ORDER BY started_ms DESC, id DESC LIMIT 1000"
            )))
            .bind(like("email", email))
            .bind(like("phone", phone))
            .bind(wa_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Conversations not erased and silent since before `before_ms`, oldest first, at most
    /// `limit`.
    pub async fn conversations_idle_before(
        &self,
        before_ms: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let ids = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM conversations WHERE erased_ms IS NULL AND updated_ms < $1 ORDER BY updated_ms LIMIT $2")
                .bind(before_ms)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        Ok(ids)
    }
}
