//! Conversations, their messages and lead revisions, and the lookups over them.

use uuid::Uuid;

use super::{ConversationRow, MessageRow, RevisionRow, Store, StoreError, now_ms, on_pool};

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

    /// The latest consent decision stored for a conversation: granted, and the policy version.
    pub async fn latest_consent(
        &self,
        conversation_id: &str,
    ) -> Result<Option<(bool, Option<String>)>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, (bool, Option<String>)>(
                "SELECT granted, policy_version FROM consents WHERE conversation_id = $1 \
                 ORDER BY created_ms DESC LIMIT 1",
            )
            .bind(conversation_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
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
