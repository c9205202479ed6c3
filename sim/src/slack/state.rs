//! The Slack simulator's state: channels, per-channel rate windows and the accepted messages
//! (kept in the record store as type `messages`, keyed by `ts`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::errors;
use super::{Channel, Options, SlackMessage, Via};
use crate::shared::ratelimit::Window;
use crate::shared::store::Record;
use crate::shared::vendor::{Core, Vendor};

/// The store table holding messages.
pub(crate) const MESSAGES: &str = "messages";
/// Longest accepted `text`.
const MAX_TEXT: usize = 40_000;
/// Most blocks in one message.
const MAX_BLOCKS: usize = 50;

/// Why a message was refused (Slack's error code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    NoText,
    InvalidBlocks,
    TooLong,
}

impl Refusal {
    /// Slack's error code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Refusal::NoText => "no_text",
            Refusal::InvalidBlocks => "invalid_blocks",
            Refusal::TooLong => "msg_too_long",
        }
    }
}

/// Check a message's content: some text, blocks or attachments; well-formed blocks; not too
/// long.
pub(crate) fn check_content(body: &Map<String, Value>) -> Result<(), Refusal> {
    let text = body.get("text").and_then(Value::as_str).unwrap_or_default();
    if text.chars().count() > MAX_TEXT {
        return Err(Refusal::TooLong);
    }
    let blocks = match body.get("blocks") {
        None | Some(Value::Null) => None,
        Some(Value::Array(blocks)) => Some(blocks),
        Some(_) => return Err(Refusal::InvalidBlocks),
    };
    if let Some(blocks) = blocks {
        let well_formed = blocks.len() <= MAX_BLOCKS
            && blocks
                .iter()
                .all(|b| b.get("type").is_some_and(Value::is_string));
        if !well_formed {
            return Err(Refusal::InvalidBlocks);
        }
    }
    let has_attachments = body
        .get("attachments")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let has_blocks = blocks.is_some_and(|b| !b.is_empty());
    if text.trim().is_empty() && !has_blocks && !has_attachments {
        return Err(Refusal::NoText);
    }
    Ok(())
}

/// Everything one Slack simulator holds.
pub(crate) struct Slack {
    pub core: Core,
    pub options: Options,
    windows: Mutex<HashMap<String, Window>>,
    sequence: AtomicU64,
}

impl Slack {
    /// Fresh state for `options`.
    pub(crate) fn new(options: Options) -> Self {
        Slack {
            core: Core::new(options.seed),
            options,
            windows: Mutex::new(HashMap::new()),
            sequence: AtomicU64::new(1),
        }
    }

    /// The channel an id, a name or a `#name` refers to.
    pub(crate) fn channel(&self, given: &str) -> Option<&Channel> {
        let name = given.trim_start_matches('#');
        self.options
            .channels
            .iter()
            .find(|c| c.id == given || c.name == name)
    }

    /// Count a message against its channel's window; `Err(retry_after_secs)` when over.
    pub(crate) fn admit(&self, channel: &str) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows
            .entry(channel.to_owned())
            .or_insert_with(|| Window::new(self.options.per_channel_limit))
            .admit(1)
            .map(|_| ())
            .map_err(|usage| usage.retry_after_secs())
    }

    /// A new, unique message timestamp (`1750000001.000200`).
    pub(crate) fn next_ts(&self) -> String {
        let seconds = OffsetDateTime::now_utc().unix_timestamp();
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed) % 1_000_000;
        format!("{seconds}.{sequence:06}")
    }

    /// Store an accepted message.
    pub(crate) fn keep(&self, message: &SlackMessage) {
        let fields = match serde_json::to_value(message) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        let record = Record::new(message.ts.clone(), fields);
        self.core
            .store
            .write(|tables| tables.insert(MESSAGES, record));
    }

    /// Every accepted message, oldest first.
    pub(crate) fn messages(&self) -> Vec<SlackMessage> {
        self.core
            .store
            .snapshot(MESSAGES)
            .iter()
            .map(|record| {
                let text = |name: &str| record.str_field(name).map(str::to_owned);
                SlackMessage {
                    channel: text("channel").unwrap_or_default(),
                    text: text("text"),
                    blocks: record.field("blocks").filter(|b| !b.is_null()).cloned(),
                    thread_ts: text("thread_ts"),
                    ts: record.id.clone(),
                    via: if text("via").as_deref() == Some("webhook") {
                        Via::Webhook
                    } else {
                        Via::Api
                    },
                }
            })
            .collect()
    }
}

impl Vendor for Slack {
    fn core(&self) -> &Core {
        &self.core
    }

    fn injected_failure(&self, status: StatusCode, path: &str) -> Response {
        errors::injected(status, path)
    }

    fn throttled(&self, path: &str) -> Response {
        errors::rate_limited(path, self.options.per_channel_limit.window.as_secs().max(1))
    }

    fn seed_record(&self, object: &str, fields: Map<String, Value>) -> Option<String> {
        if object != MESSAGES {
            return None;
        }
        let message = SlackMessage {
            channel: fields
                .get("channel")
                .and_then(Value::as_str)
                .unwrap_or(&self.options.webhook_channel)
                .to_owned(),
            text: fields
                .get("text")
                .and_then(Value::as_str)
                .map(str::to_owned),
            blocks: fields.get("blocks").cloned(),
            thread_ts: fields
                .get("thread_ts")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ts: self.next_ts(),
            via: Via::Api,
        };
        self.keep(&message);
        Some(message.ts)
    }

    fn reset_vendor(&self) {
        self.windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn content_rules() {
        assert_eq!(check_content(&body(json!({"text": "hi"}))), Ok(()));
        assert_eq!(
            check_content(&body(json!({"blocks": [{"type": "header"}]}))),
            Ok(())
        );
        assert_eq!(
            check_content(&body(json!({"text": " "}))),
            Err(Refusal::NoText)
        );
        assert_eq!(
            check_content(&body(json!({"text": "x", "blocks": [{"text": "no type"}]}))),
            Err(Refusal::InvalidBlocks)
        );
        assert_eq!(
            check_content(&body(json!({"text": "x".repeat(40_001)}))),
            Err(Refusal::TooLong)
        );
    }
}
