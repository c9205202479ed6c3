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
    /// The rep who claimed the lead in Slack: their Slack id, display name and CRM owner id.
    pub owner_slack_id: Option<String>,
    pub owner_name: Option<String>,
    pub owner_crm_id: Option<String>,
    pub claimed_ms: Option<i64>,
    /// A rep marked it as not a lead: no deal is made or touched.
    pub not_a_lead: bool,
    /// Since when a rep holds the conversation (the assistant is quiet), and the rep's last
    /// message.
    pub human_since_ms: Option<i64>,
    pub human_last_ms: Option<i64>,
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
    /// Who wrote a `rep` message (their display name).
    pub author: Option<String>,
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
    /// Who made a change that did not come from the visitor's words (a rep in Slack).
    pub actor: Option<String>,
}
