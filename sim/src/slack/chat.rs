//! `chat.update`, `chat.delete` and `chat.postEphemeral`.
//!
//! `chat.update` (<https://docs.slack.dev/reference/methods/chat.update>, errors and answer from
//! slack-ruby/slack-api-ref `methods/chat/chat.update.json`): `channel` (an id: the method
//! identifies the message, it cannot move it) and `ts` are required; an app may update only
//! messages it posted with its token ("only ones posted by the authenticated user of the token
//! being used", <https://docs.slack.dev/messaging/modifying-messages>), so messages of incoming
//! webhooks and of people answer `cant_update_message`; an unknown `ts` answers
//! `message_not_found`. The message keeps its thread. The docs say what happens to omitted
//! `metadata` (kept) and `parse`/`link_names` (reset) but not to omitted `text` or `blocks`; the
//! simulator replaces the content with exactly what the call gives (omitted blocks are removed),
//! so a gateway that relies on blocks surviving a text-only update is caught. Each channel has
//! its own window of the same size as `chat.postMessage`'s, answered with 429 and `Retry-After`.
//!
//! `chat.postEphemeral` (slack-ruby/slack-api-ref `methods/chat/chat.postEphemeral.json`):
//! `channel` (id or name) and `user` required; a user who is not in the channel answers
//! `user_not_in_channel`; success is `{"ok":true,"message_ts"}`. Ephemeral messages are not in the
//! channel's history and cannot be updated.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::api::{parse, refuse_unauthorized, throttled};
use super::errors::api_error;
use super::state::{Slack, check_content, message_json};
use super::{Ephemeral, MessageUpdate, SlackMessage, Via, events};
use crate::shared::http::json;

fn text_of(body: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Replace a message's content; returns the message before and after.
pub(crate) fn replace_content(
    slack: &Arc<Slack>,
    original: &SlackMessage,
    text: Option<String>,
    blocks: Option<Value>,
) -> SlackMessage {
    let updated = SlackMessage {
        text,
        blocks,
        ..original.clone()
    };
    slack.keep(&updated);
    slack.log_update(MessageUpdate {
        channel: updated.channel.clone(),
        ts: updated.ts.clone(),
        text: updated.text.clone(),
        blocks: updated.blocks.clone(),
        at: OffsetDateTime::now_utc(),
    });
    events::echo_changed(slack, original, &updated);
    updated
}

/// The message a `chat.update` or `chat.delete` names, checked as Slack checks it: the body
/// parsed, the token holding `chat:write`, `channel` an id, `ts` a message in that channel, and
/// the message the app's own (`not_own` answers for one a webhook or a person posted). Returns
/// the body, the channel id and the message.
fn own_message(
    slack: &Arc<Slack>,
    headers: &HeaderMap,
    body: &[u8],
    not_own: &str,
) -> Result<(serde_json::Map<String, Value>, String, SlackMessage), Box<Response>> {
    let refuse = |code: &str| Box::new(api_error(code));
    let body = parse(headers, body).map_err(refuse)?;
    if let Some(refusal) = refuse_unauthorized(slack, headers, &body, "chat:write") {
        return Err(Box::new(refusal));
    }
    let Some(channel) = text_of(&body, "channel")
        .filter(|c| slack.options.channels.iter().any(|known| &known.id == c))
    else {
        return Err(refuse("channel_not_found"));
    };
    let Some(message) = text_of(&body, "ts")
        .and_then(|ts| slack.message(&ts))
        .filter(|m| m.channel == channel)
    else {
        return Err(refuse("message_not_found"));
    };
    if message.via != Via::Api {
        return Err(refuse(not_own));
    }
    Ok((body, channel, message))
}

/// `POST /api/chat.update`.
pub(crate) async fn update(
    State(slack): State<Arc<Slack>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (body, channel, original) =
        match own_message(&slack, &headers, &body, "cant_update_message") {
            Ok(found) => found,
            Err(refusal) => return *refusal,
        };
    if let Err(refusal) = check_content(&body) {
        return api_error(refusal.code());
    }
    if let Err(retry_after) = slack.admit_update(&channel) {
        return throttled("/api/chat.update", retry_after);
    }
    let blocks = body.get("blocks").filter(|b| !b.is_null()).cloned();
    let updated = replace_content(&slack, &original, text_of(&body, "text"), blocks);
    json(
        StatusCode::OK,
        &json!({
            "ok": true,
            "channel": channel,
            "ts": updated.ts,
            "text": updated.text.clone().unwrap_or_default(),
            "message": message_json(&updated),
        }),
    )
}

/// `POST /api/chat.delete` (<https://docs.slack.dev/reference/methods/chat.delete>, errors from
/// slack-ruby/slack-api-ref `methods/chat/chat.delete.json`): `channel` (an id) and `ts` are
/// required; with a bot token an app deletes only the messages it posted ("bot tokens may delete
/// only messages posted by that bot", same page), so webhook and people's messages answer
/// `cant_delete_message`; an unknown `ts` answers `message_not_found`. Success is
/// `{"ok":true,"channel","ts"}`. The docs do not say what becomes of a deleted parent's thread
/// replies: the simulator keeps them, so a gateway must delete the replies it posted itself.
/// The method is Tier 3 (50+ calls a minute); the simulator does not throttle it (the docs give
/// no exact figure).
pub(crate) async fn delete(
    State(slack): State<Arc<Slack>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (_, channel, message) = match own_message(&slack, &headers, &body, "cant_delete_message") {
        Ok(found) => found,
        Err(refusal) => return *refusal,
    };
    slack.remove(&message.ts);
    json(
        StatusCode::OK,
        &json!({"ok": true, "channel": channel, "ts": message.ts}),
    )
}

/// `POST /api/chat.postEphemeral`.
pub(crate) async fn post_ephemeral(
    State(slack): State<Arc<Slack>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match parse(&headers, &body) {
        Ok(body) => body,
        Err(code) => return api_error(code),
    };
    if let Some(refusal) = refuse_unauthorized(&slack, &headers, &body, "chat:write") {
        return refusal;
    }
    let Some(channel) =
        text_of(&body, "channel").and_then(|c| slack.channel(&c).map(|c| c.id.clone()))
    else {
        return api_error("channel_not_found");
    };
    let Some(user) = text_of(&body, "user").filter(|u| slack.user(u).is_some()) else {
        return api_error("user_not_in_channel");
    };
    if let Err(refusal) = check_content(&body) {
        return api_error(refusal.code());
    }
    let message_ts = slack.next_ts();
    slack.log_ephemeral(Ephemeral {
        channel,
        user,
        text: text_of(&body, "text"),
        blocks: body.get("blocks").filter(|b| !b.is_null()).cloned(),
        thread_ts: text_of(&body, "thread_ts"),
        message_ts: message_ts.clone(),
    });
    json(
        StatusCode::OK,
        &json!({"ok": true, "message_ts": message_ts}),
    )
}
