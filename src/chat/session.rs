//! What the conversation service hands its transports: a session between turns, what a turn
//! became, where a conversation comes from, and why a turn failed.

use crate::lead::{Channel, ContactMeta};
use crate::store::{ConversationRow, MessageRow, StoreError};

/// A conversation as a socket holds it between turns.
#[derive(Debug, Clone)]
pub struct Session {
    pub conversation: ConversationRow,
    pub messages: Vec<MessageRow>,
}

impl Session {
    /// The highest stored seq.
    pub fn last_seq(&self) -> i64 {
        self.messages.last().map_or(0, |m| m.seq)
    }

    /// The message stored with this client id, if any: a message sent twice is answered once.
    pub fn stored(&self, client_msg_id: Option<&str>) -> Option<&MessageRow> {
        let id = client_msg_id?;
        self.messages
            .iter()
            .find(|m| m.client_msg_id.as_deref() == Some(id))
    }
}

/// What a visitor message became.
#[derive(Debug, Clone)]
pub enum TurnResult {
    /// Its `client_msg_id` was stored before; nothing happened.
    Duplicate(MessageRow),
    /// Stored, with the assistant's replies.
    Stored {
        visitor: MessageRow,
        replies: Vec<MessageRow>,
    },
    /// Only the assistant spoke (a greeting, an answer to a consent decision).
    Replies(Vec<MessageRow>),
}

/// Why a turn failed; the visitor's message was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("site {0} is not configured")]
    UnknownSite(String),
    /// The conversation holds `[limits] messages_per_conversation` messages already.
    #[error("the conversation holds its limit of {0} messages")]
    Full(u32),
}

/// Where a new conversation comes from.
#[derive(Debug, Clone, Default)]
pub struct Opening {
    pub channel: Option<Channel>,
    pub external_id: Option<String>,
    /// The business account a channel conversation came in on.
    pub channel_account: Option<String>,
    pub locale: Option<String>,
    pub page_url: Option<String>,
    pub contact: Option<ContactMeta>,
}
