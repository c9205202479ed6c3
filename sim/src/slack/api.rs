//! The Web API's shared request handling (body parsing, token, scopes), `chat.postMessage`
//! (JSON or form body, token in `Authorization: Bearer` or a `token` field) and `auth.test`.
//! API errors come back with HTTP 200 and `{"ok":false,"error"}` (`not_authed`,
//! `invalid_auth`, `missing_scope`, `channel_not_found`, `no_text`, `invalid_blocks`,
//! `msg_too_long`, `invalid_json`); the per-channel limit answers HTTP 429
//! `{"ok":false,"error":"ratelimited"}` with `Retry-After`.
//! <https://docs.slack.dev/reference/methods/chat.postMessage>

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::errors::{api_error, rate_limited};
use super::state::{BOT_ID, BOT_USER, Slack, TEAM_ID, check_content, message_json};
use super::{SlackMessage, Via, events};
use crate::shared::auth::authorization;
use crate::shared::http::{Params, json, set_header};
use crate::shared::stats::RateLimited;

/// Form fields kept as text.
const TEXT_FIELDS: &[&str] = &[
    "token",
    "channel",
    "text",
    "thread_ts",
    "unfurl_links",
    "ts",
    "user",
    "reply_broadcast",
];

/// Whether the request's body is form-encoded.
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The request body as a JSON object; form bodies carry `blocks` as a JSON string.
pub(crate) fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, &'static str> {
    if is_form(headers) {
        let params = Params::parse(std::str::from_utf8(body).unwrap_or_default());
        let mut map = Map::new();
        for key in TEXT_FIELDS {
            if let Some(value) = params.get(key) {
                map.insert((*key).into(), json!(value));
            }
        }
        for key in ["blocks", "attachments"] {
            if let Some(value) = params.get(key) {
                let parsed = serde_json::from_str(value).map_err(|_| "invalid_blocks")?;
                map.insert(key.into(), parsed);
            }
        }
        return Ok(map);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err("invalid_json"),
    }
}

fn token<'a>(headers: &'a HeaderMap, body: &'a Map<String, Value>) -> Option<&'a str> {
    authorization(headers, "Bearer").or_else(|| body.get("token").and_then(Value::as_str))
}

/// Check the bot token and that it was granted `scope`: `None`, or the error answer.
/// `missing_scope` carries `needed` and `provided`, as Slack's does
/// (<https://docs.slack.dev/authentication/tokens>, scopes and `missing_scope`).
pub(crate) fn refuse_unauthorized(
    slack: &Slack,
    headers: &HeaderMap,
    body: &Map<String, Value>,
    scope: &str,
) -> Option<Response> {
    match token(headers, body) {
        None => return Some(api_error("not_authed")),
        Some(token) if token != slack.options.bot_token => {
            return Some(api_error("invalid_auth"));
        }
        Some(_) => {}
    }
    if slack.has_scope(scope) {
        return None;
    }
    let mut response = json(
        StatusCode::OK,
        &json!({
            "ok": false,
            "error": "missing_scope",
            "needed": scope,
            "provided": slack.options.bot_scopes.join(","),
        }),
    );
    set_header(
        &mut response,
        "x-oauth-scopes",
        slack.options.bot_scopes.join(","),
    );
    set_header(&mut response, "x-accepted-oauth-scopes", scope);
    Some(response)
}

/// The 429 answer for a method over its window.
pub(crate) fn throttled(path: &str, retry_after: u64) -> Response {
    let mut response = rate_limited(path, retry_after);
    response.extensions_mut().insert(RateLimited);
    response
}

/// `POST /api/chat.postMessage`.
pub(crate) async fn post_message(
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
    let Some(channel) = body
        .get("channel")
        .and_then(Value::as_str)
        .and_then(|c| slack.channel(c))
        .map(|c| c.id.clone())
    else {
        return api_error("channel_not_found");
    };
    if let Err(refusal) = check_content(&body) {
        return api_error(refusal.code());
    }
    // `metadata` (<https://docs.slack.dev/messaging/message-metadata>): an object with a
    // string `event_type` and an object `event_payload`; anything else answers
    // `invalid_metadata_format`.
    let metadata = match body.get("metadata") {
        None | Some(Value::Null) => None,
        Some(m) if m["event_type"].is_string() && m["event_payload"].is_object() => Some(m.clone()),
        Some(_) => return api_error("invalid_metadata_format"),
    };
    if let Err(retry_after) = slack.admit(&channel) {
        return throttled("/api/chat.postMessage", retry_after);
    }
    let message = SlackMessage {
        channel: channel.clone(),
        text: body.get("text").and_then(Value::as_str).map(str::to_owned),
        blocks: body.get("blocks").filter(|b| !b.is_null()).cloned(),
        thread_ts: body
            .get("thread_ts")
            .and_then(Value::as_str)
            .map(str::to_owned),
        ts: slack.next_ts(),
        via: Via::Api,
        user: None,
    };
    slack.keep(&message);
    if let Some(metadata) = metadata {
        slack.keep_metadata(&message.ts, metadata);
    }
    events::echo_posted(&slack, &message);
    json(
        StatusCode::OK,
        &json!({"ok": true, "channel": channel, "ts": message.ts, "message": message_json(&message)}),
    )
}

/// `POST /api/auth.test`.
pub(crate) async fn auth_test(
    State(slack): State<Arc<Slack>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = parse(&headers, &body).unwrap_or_default();
    match token(&headers, &body) {
        None => api_error("not_authed"),
        Some(token) if token != slack.options.bot_token => api_error("invalid_auth"),
        Some(_) => json(
            StatusCode::OK,
            &json!({
                "ok": true,
                "url": format!("https://{}.slack.com/", slack.options.team_domain),
                "team": "Leadgate Sim",
                "user": "leadgate",
                "team_id": TEAM_ID,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }),
        ),
    }
}
