//! Rows as the store returns them.

use serde::Serialize;

/// A conversation.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize)]
pub struct ConversationRow {
    pub id: String,
    pub site: String,
    pub channel: String,
    pub external_id: Option<String>,
    /// The business account a channel conversation came in on (WhatsApp number id, page id).
    pub channel_account: Option<String>,
    pub locale: Option<String>,
    pub region: Option<String>,
    pub page_url: Option<String>,
    pub contact_json: Option<String>,
    pub started_ms: i64,
    pub updated_ms: i64,
    pub last_seq: i64,
    pub consent_required: bool,
    pub consent_granted: Option<bool>,
    pub lead_json: Option<String>,
    pub lead_revision: i64,
    pub score: i64,
    pub qualified_ms: Option<i64>,
    pub engine_state: Option<String>,
    pub erased_ms: Option<i64>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize)]
pub struct MessageRow {
    pub conversation_id: String,
    pub seq: i64,
    pub id: String,
    pub role: String,
    pub text: String,
    pub client_msg_id: Option<String>,
    /// JSON array of `{title, payload}`.
    pub quick_replies: Option<String>,
    /// What a bot message asked for (`email`, `budget`…), for the engine's memory.
    pub asked: Option<String>,
    pub created_ms: i64,
}

/// A lead revision: what changed, from which message.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize)]
pub struct RevisionRow {
    pub conversation_id: String,
    pub revision: i64,
    pub message_seq: Option<i64>,
    pub changes_json: String,
    pub lead_json: String,
    pub score: i64,
    pub created_ms: i64,
}
