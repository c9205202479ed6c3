//! The Slack simulator's state: channels, users, per-channel rate windows, the messages Slack
//! holds (kept in the record store as type `messages`, keyed by `ts`), the logs of updates,
//! ephemeral messages and `response_url` posts, the `response_url`s issued and the events sent.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::errors;
use super::{
    Channel, Ephemeral, MessageUpdate, Options, ResponseUrlPost, SlackMessage, SlackUser, Via,
};
use crate::shared::ratelimit::Window;
use crate::shared::store::Record;
use crate::shared::vendor::{Core, Vendor};

/// The simulated bot's id.
pub(crate) const BOT_ID: &str = "B0SIMBOT01";
/// The simulated bot's user id.
pub(crate) const BOT_USER: &str = "U0SIMBOT01";
/// The simulated workspace's id.
pub(crate) const TEAM_ID: &str = "T0SIMTEAM01";

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

/// A `response_url` handed out with an interaction.
#[derive(Debug, Clone)]
pub(crate) struct ResponseUrl {
    pub channel: String,
    pub message_ts: String,
    pub user: String,
    pub issued: Instant,
    pub uses: u32,
}

/// An Events API delivery, kept so it can be sent again.
#[derive(Debug, Clone)]
pub(crate) struct SentEvent {
    pub url: String,
    pub body: String,
}

/// Everything one Slack simulator holds.
pub(crate) struct Slack {
    pub core: Core,
    pub options: Options,
    pub base_url: String,
    windows: Mutex<HashMap<String, Window>>,
    update_windows: Mutex<HashMap<String, Window>>,
    sequence: AtomicU64,
    updates: Mutex<Vec<MessageUpdate>>,
    ephemerals: Mutex<Vec<Ephemeral>>,
    response_posts: Mutex<Vec<ResponseUrlPost>>,
    pub response_urls: Mutex<HashMap<String, ResponseUrl>>,
    pub events: Mutex<HashMap<String, SentEvent>>,
    /// Message metadata (`event_type`, `event_payload`) by message `ts`.
    metadata: Mutex<HashMap<String, Value>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Slack {
    /// Fresh state for `options`, serving at `base_url`.
    pub(crate) fn new(options: Options, base_url: String) -> Self {
        Slack {
            core: Core::new(options.seed),
            options,
            base_url,
            windows: Mutex::new(HashMap::new()),
            update_windows: Mutex::new(HashMap::new()),
            sequence: AtomicU64::new(1),
            updates: Mutex::new(Vec::new()),
            ephemerals: Mutex::new(Vec::new()),
            response_posts: Mutex::new(Vec::new()),
            response_urls: Mutex::new(HashMap::new()),
            events: Mutex::new(HashMap::new()),
            metadata: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps the metadata a message was posted with.
    pub(crate) fn keep_metadata(&self, ts: &str, metadata: Value) {
        lock(&self.metadata).insert(ts.to_owned(), metadata);
    }

    /// The metadata a message was posted with.
    pub(crate) fn metadata(&self, ts: &str) -> Option<Value> {
        lock(&self.metadata).get(ts).cloned()
    }

    /// The workspace member with this id.
    pub(crate) fn user(&self, id: &str) -> Option<&SlackUser> {
        self.options.users.iter().find(|u| u.id == id)
    }

    /// Whether the bot token was granted `scope`.
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.options.bot_scopes.iter().any(|s| s == scope)
    }

    /// Count a `chat.update` against its channel's window; `Err(retry_after_secs)` when over.
    pub(crate) fn admit_update(&self, channel: &str) -> Result<(), u64> {
        lock(&self.update_windows)
            .entry(channel.to_owned())
            .or_insert_with(|| Window::new(self.options.per_channel_limit))
            .admit(1)
            .map(|_| ())
            .map_err(|usage| usage.retry_after_secs())
    }

    /// Log an accepted update.
    pub(crate) fn log_update(&self, update: MessageUpdate) {
        lock(&self.updates).push(update);
    }

    /// Log an accepted ephemeral message.
    pub(crate) fn log_ephemeral(&self, ephemeral: Ephemeral) {
        lock(&self.ephemerals).push(ephemeral);
    }

    /// Log a `response_url` post.
    pub(crate) fn log_response_post(&self, post: ResponseUrlPost) {
        lock(&self.response_posts).push(post);
    }

    /// Every accepted update, oldest first.
    pub(crate) fn updates(&self) -> Vec<MessageUpdate> {
        lock(&self.updates).clone()
    }

    /// Every accepted ephemeral message, oldest first.
    pub(crate) fn ephemerals(&self) -> Vec<Ephemeral> {
        lock(&self.ephemerals).clone()
    }

    /// Every `response_url` post, oldest first.
    pub(crate) fn response_posts(&self) -> Vec<ResponseUrlPost> {
        lock(&self.response_posts).clone()
    }

    /// The message with this `ts`.
    pub(crate) fn message(&self, ts: &str) -> Option<SlackMessage> {
        self.core
            .store
            .read(|tables| tables.get(MESSAGES, ts).map(from_record))
    }

    /// Delete a message.
    pub(crate) fn remove(&self, ts: &str) {
        self.core.store.write(|tables| tables.remove(MESSAGES, ts));
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

    /// Every message held, oldest first.
    pub(crate) fn messages(&self) -> Vec<SlackMessage> {
        self.core
            .store
            .snapshot(MESSAGES)
            .iter()
            .map(from_record)
            .collect()
    }
}

fn from_record(record: &Record) -> SlackMessage {
    let text = |name: &str| record.str_field(name).map(str::to_owned);
    SlackMessage {
        channel: text("channel").unwrap_or_default(),
        text: text("text"),
        blocks: record.field("blocks").filter(|b| !b.is_null()).cloned(),
        thread_ts: text("thread_ts"),
        ts: record.id.clone(),
        via: match text("via").as_deref() {
            Some("webhook") => Via::Webhook,
            Some("user") => Via::User,
            _ => Via::Api,
        },
        user: text("user"),
    }
}

/// A message as Slack's API shows it (`message` of `chat.postMessage`/`chat.update` answers,
/// of interaction payloads and of message events). The app's messages carry `bot_id` and the
/// `bot_message` subtype, as in `chat.postMessage`'s documented answer
/// (slack-ruby/slack-api-ref `methods/chat/chat.postMessage.json`).
pub(crate) fn message_json(message: &SlackMessage) -> Value {
    let mut out = json!({
        "type": "message",
        "text": message.text.clone().unwrap_or_default(),
        "ts": message.ts,
        "team": TEAM_ID,
    });
    match message.via {
        Via::Api => {
            out["subtype"] = json!("bot_message");
            out["bot_id"] = json!(BOT_ID);
            out["user"] = json!(BOT_USER);
        }
        Via::Webhook => {
            out["subtype"] = json!("bot_message");
            out["bot_id"] = json!(BOT_ID);
        }
        Via::User => {
            out["user"] = json!(message.user.clone().unwrap_or_default());
        }
    }
    if let Some(blocks) = &message.blocks {
        out["blocks"] = blocks.clone();
    }
    if let Some(thread_ts) = &message.thread_ts {
        out["thread_ts"] = json!(thread_ts);
    }
    out
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
            user: None,
        };
        self.keep(&message);
        Some(message.ts)
    }

    fn reset_vendor(&self) {
        lock(&self.windows).clear();
        lock(&self.update_windows).clear();
        lock(&self.updates).clear();
        lock(&self.ephemerals).clear();
        lock(&self.response_posts).clear();
        lock(&self.response_urls).clear();
        lock(&self.events).clear();
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
