//! Stored messages as the widget protocol's `message` frames, and the engine's replies as
//! messages to store.

use serde_json::json;
use time::OffsetDateTime;

use super::engine::BotReply;
use crate::store::{MessageRow, TurnMessage};

pub(super) fn bot_message(reply: &BotReply) -> TurnMessage {
    let quick_replies = (!reply.quick_replies.is_empty()).then(|| {
        let items: Vec<_> = reply
            .quick_replies
            .iter()
            .map(|t| json!({"title": t, "payload": t}))
            .collect();
        serde_json::Value::Array(items).to_string()
    });
    TurnMessage {
        id: None,
        role: "bot",
        text: reply.text.clone(),
        client_msg_id: None,
        quick_replies,
        asked: reply.asked.map(|a| a.as_str().to_owned()),
        author: None,
    }
}

/// The protocol's `message` frame for a stored message.
pub fn message_frame(m: &MessageRow) -> serde_json::Value {
    let created = OffsetDateTime::from_unix_timestamp_nanos(i128::from(m.created_ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    let mut frame = json!({
        "type": "message",
        "seq": m.seq,
        "id": m.id,
        "role": m.role,
        "text": m.text,
        "created_at": created,
    });
    if let Some(q) = m
        .quick_replies
        .as_deref()
        .and_then(|q| serde_json::from_str::<serde_json::Value>(q).ok())
    {
        frame["quick_replies"] = q;
    }
    if let Some(cid) = &m.client_msg_id {
        frame["client_msg_id"] = json!(cid);
    }
    if let Some(author) = &m.author {
        frame["author"] = json!(author);
    }
    frame
}
