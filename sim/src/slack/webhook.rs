//! Incoming webhooks: `POST /services/{team}/{bot}/{secret}` with a JSON body (or a form field
//! `payload=<json>`). Success is HTTP 200 with the plain-text body `ok`; failures are the error
//! word with its status (400 `invalid_payload`/`no_text`/`invalid_blocks`, 403 `invalid_token`,
//! 404 `no_service`, 429 `rate_limited` with `Retry-After`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

use super::errors::{rate_limited, webhook_error};
use super::state::{Slack, check_content};
use super::{SlackMessage, Via};
use crate::shared::http::{Params, text};
use crate::shared::stats::RateLimited;

fn parse(headers: &HeaderMap, body: &[u8]) -> Option<Map<String, Value>> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let value: Value = if is_form {
        let params = Params::parse(std::str::from_utf8(body).ok()?);
        serde_json::from_str(params.get("payload")?).ok()?
    } else {
        serde_json::from_slice(body).ok()?
    };
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The handler.
pub(crate) async fn post(
    State(slack): State<Arc<Slack>>,
    Path((team, bot, secret)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/services/{team}/{bot}/{secret}");
    if path != slack.options.webhook_path {
        let same_hook = slack
            .options
            .webhook_path
            .starts_with(&format!("/services/{team}/{bot}/"));
        return if same_hook {
            webhook_error(StatusCode::FORBIDDEN, "invalid_token")
        } else {
            webhook_error(StatusCode::NOT_FOUND, "no_service")
        };
    }
    let Some(body) = parse(&headers, &body) else {
        return webhook_error(StatusCode::BAD_REQUEST, "invalid_payload");
    };
    if let Err(refusal) = check_content(&body) {
        return webhook_error(StatusCode::BAD_REQUEST, refusal.code());
    }
    let channel = slack.options.webhook_channel.clone();
    if let Err(retry_after) = slack.admit(&channel) {
        let mut response = rate_limited(&path, retry_after);
        response.extensions_mut().insert(RateLimited);
        return response;
    }
    let message = SlackMessage {
        channel,
        text: body.get("text").and_then(Value::as_str).map(str::to_owned),
        blocks: body.get("blocks").filter(|b| !b.is_null()).cloned(),
        thread_ts: body
            .get("thread_ts")
            .and_then(Value::as_str)
            .map(str::to_owned),
        ts: slack.next_ts(),
        via: Via::Webhook,
        user: None,
    };
    slack.keep(&message);
    super::events::echo_posted(&slack, &message);
    text(StatusCode::OK, "ok")
}
