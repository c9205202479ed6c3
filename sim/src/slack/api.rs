//! The Web API: `chat.postMessage` (JSON or form body, token in `Authorization: Bearer` or a
//! `token` field) and `auth.test`. API errors come back with HTTP 200 and
//! `{"ok":false,"error"}` (`not_authed`, `invalid_auth`, `channel_not_found`, `no_text`,
//! `invalid_blocks`, `msg_too_long`, `invalid_json`); the per-channel limit answers HTTP 429
//! `{"ok":false,"error":"ratelimited"}` with `Retry-After`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::errors::{api_error, rate_limited};
use super::state::{Slack, check_content};
use super::{SlackMessage, Via};
use crate::shared::auth::authorization;
use crate::shared::http::{Params, json};
use crate::shared::stats::RateLimited;

/// The simulated bot's ids.
const BOT_ID: &str = "B0SIMBOT01";
const BOT_USER: &str = "U0SIMBOT01";
const TEAM_ID: &str = "T0SIMTEAM01";

/// The request body as a JSON object; form bodies carry `blocks` as a JSON string.
fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, &'static str> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let params = Params::parse(std::str::from_utf8(body).unwrap_or_default());
        let mut map = Map::new();
        for key in ["token", "channel", "text", "thread_ts", "unfurl_links"] {
            if let Some(value) = params.get(key) {
                map.insert(key.into(), json!(value));
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
    match token(&headers, &body) {
        None => return api_error("not_authed"),
        Some(token) if token != slack.options.bot_token => return api_error("invalid_auth"),
        Some(_) => {}
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
    if let Err(retry_after) = slack.admit(&channel) {
        let mut response = rate_limited("/api/chat.postMessage", retry_after);
        response.extensions_mut().insert(RateLimited);
        return response;
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
    };
    slack.keep(&message);
    let mut echoed = json!({
        "type": "message",
        "subtype": "bot_message",
        "text": message.text.clone().unwrap_or_default(),
        "ts": message.ts,
        "bot_id": BOT_ID,
        "user": BOT_USER,
        "team": TEAM_ID,
    });
    if let Some(blocks) = &message.blocks {
        echoed["blocks"] = blocks.clone();
    }
    if let Some(thread_ts) = &message.thread_ts {
        echoed["thread_ts"] = json!(thread_ts);
    }
    json(
        StatusCode::OK,
        &json!({"ok": true, "channel": channel, "ts": message.ts, "message": echoed}),
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
                "url": "https://leadgate-sim.slack.com/",
                "team": "Leadgate Sim",
                "user": "leadgate",
                "team_id": TEAM_ID,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }),
        ),
    }
}
