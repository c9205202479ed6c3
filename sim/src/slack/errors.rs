//! Slack's error answers: plain-text words for incoming webhooks, `{"ok":false,"error"}` for
//! the Web API (HTTP 200 for API errors, 429 for rate limits).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::shared::http::{json, set_header, text};

/// Whether `path` is an incoming webhook.
pub(crate) fn is_webhook(path: &str) -> bool {
    path.starts_with("/services/")
}

/// A webhook error: `status` with the error word as the body.
pub(crate) fn webhook_error(status: StatusCode, word: &str) -> Response {
    text(status, word)
}

/// A Web API error: HTTP 200 with `{"ok":false,"error":code}`.
pub(crate) fn api_error(code: &str) -> Response {
    json(StatusCode::OK, &json!({"ok": false, "error": code}))
}

/// The rate-limit answer for `path`: 429 with `Retry-After`.
pub(crate) fn rate_limited(path: &str, retry_after: u64) -> Response {
    let mut response = if is_webhook(path) {
        text(StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    } else {
        json(
            StatusCode::TOO_MANY_REQUESTS,
            &json!({"ok": false, "error": "ratelimited"}),
        )
    };
    set_header(&mut response, "retry-after", retry_after);
    response
}

/// The answer to an injected failure with `status`.
pub(crate) fn injected(status: StatusCode, path: &str) -> Response {
    if is_webhook(path) {
        let word = match status.as_u16() {
            400 => "invalid_payload",
            403 => "action_prohibited",
            404 => "no_service",
            410 => "channel_is_archived",
            500 => "rollup_error",
            _ => "service_unavailable",
        };
        return webhook_error(status, word);
    }
    let code = match status.as_u16() {
        401 => "invalid_auth",
        403 => "missing_scope",
        404 => "unknown_method",
        500 => "fatal_error",
        _ => "internal_error",
    };
    json(status, &json!({"ok": false, "error": code}))
}

/// 404 for unknown paths: Web API methods answer `unknown_method`, others `no_service`.
pub(crate) async fn no_route(request: axum::extract::Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        json(
            StatusCode::NOT_FOUND,
            &json!({"ok": false, "error": "unknown_method"}),
        )
    } else {
        webhook_error(StatusCode::NOT_FOUND, "no_service")
    }
}
