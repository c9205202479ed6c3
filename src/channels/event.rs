//! What a Meta webhook POST holds, read into one shape for every channel: messages from people
//! (text, a tapped button, content we do not read), receipts of what we sent, and errors.
//! Parsing is lenient — unknown fields and unknown types never fail a POST — and the parsed
//! events are stored with the raw body before Meta gets its 200.

use serde::{Deserialize, Serialize};

pub use crate::lead::Channel;

/// Who wrote: the channel's id for the person, and what the channel tells about them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// WhatsApp: the `wa_id` (digits), or the business-scoped user id when the person hides
    /// their number; Messenger / Instagram: the page-scoped id.
    pub id: String,
    /// The person's number, digits with the country code (WhatsApp `wa_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The profile name (a candidate name: weaker than one the person states).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    /// A text message.
    Text { text: String },
    /// A tapped reply button, list row, template quick reply, quick reply or postback: `id` is
    /// the payload we gave it, `title` what the person saw.
    Reply { id: String, title: String },
    /// Content we do not read: image, audio, video, document, sticker, location, contacts,
    /// a story mention, or a message type Meta does not support.
    Unreadable { content: String },
    /// A reaction to a message.
    Reaction { emoji: String },
    /// A system notice (the person changed their number…).
    System { text: String },
    /// A receipt for a message we sent: `sent`, `delivered`, `read`, `failed`.
    Status {
        message_id: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// Messenger read or delivery receipts: every message sent up to `watermark` (ms).
    Watermark { status: String, watermark: i64 },
    /// An error Meta reports about the account or a message.
    Error { code: i64, title: String },
    /// Our own message, echoed back (Messenger): ignored.
    Echo,
}

/// One event of a webhook POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub channel: Channel,
    /// The business account it reached: the WhatsApp `phone_number_id`, or the page or
    /// Instagram account id.
    pub account: String,
    pub sender: Sender,
    /// Unique per channel: the message id (`wamid.…`, `mid`), or a key for receipts and errors.
    pub key: String,
    /// When Meta says it happened, Unix milliseconds.
    pub at_ms: i64,
    pub what: What,
}

impl Event {
    /// Whether the person wrote something (which opens their conversation).
    pub fn is_message(&self) -> bool {
        matches!(
            self.what,
            What::Text { .. }
                | What::Reply { .. }
                | What::Unreadable { .. }
                | What::Reaction { .. }
        )
    }
}

/// What a POST body held.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub events: Vec<Event>,
    /// Parts that could not be read (kept in the stored body, counted in metrics).
    pub skipped: usize,
}

/// The longest text kept from one message; Meta's own limits are lower (WhatsApp 4096).
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

/// `value` as a string, whether Meta sent it as a string or a number.
pub(super) fn text_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Cuts text to [`MAX_TEXT_BYTES`] at a character boundary.
pub(super) fn bounded(text: &str) -> String {
    crate::lead::text::truncate(text, MAX_TEXT_BYTES).to_owned()
}
