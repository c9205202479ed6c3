//! OpenAI's error answers: `{"error":{"message","type","param","code"}}` for 4xx, plain text
//! for 5xx, and the rate-limit headers.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::shared::http::{json, set_header, text};

pub(crate) fn error(
    status: StatusCode,
    message: &str,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> Response {
    json(
        status,
        &json!({"error": {"message": message, "type": kind, "param": param, "code": code}}),
    )
}

/// 401 for a missing key.
pub(crate) fn missing_key() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "invalid_request_error",
        None,
        None,
    )
}

/// 401 `invalid_api_key`.
pub(crate) fn invalid_key(given: &str) -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        &format!(
            "Incorrect API key provided: {given}. You can find your API key at https://platform.openai.com/account/api-keys."
        ),
        "invalid_request_error",
        None,
        Some("invalid_api_key"),
    )
}

/// 400 `invalid_request_error`.
pub(crate) fn bad_request(message: &str, param: Option<&str>) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        message,
        "invalid_request_error",
        param,
        None,
    )
}

/// Add the `x-ratelimit-*` headers OpenAI sends on every answer.
pub(crate) fn limit_headers(response: &mut Response, remaining_tokens: u64) {
    set_header(response, "x-ratelimit-limit-requests", 5000);
    set_header(response, "x-ratelimit-limit-tokens", 160_000);
    set_header(response, "x-ratelimit-remaining-requests", 4999);
    set_header(response, "x-ratelimit-remaining-tokens", remaining_tokens);
    set_header(response, "x-ratelimit-reset-requests", "12ms");
    set_header(response, "x-ratelimit-reset-tokens", "1.146s");
    set_header(
        response,
        "x-request-id",
        format!("req_{}", uuid::Uuid::new_v4().simple()),
    );
}

/// 429 `rate_limit_exceeded` with `retry-after` and the rate-limit headers.
pub(crate) fn rate_limited(retry_after_secs: u64) -> Response {
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        "Rate limit reached for gpt-4o-mini in organization org-sim on tokens per min (TPM): Limit 160000, Used 159000, Requested 3006. Please try again in 1.146s. Visit https://platform.openai.com/account/rate-limits to learn more.",
        "tokens",
        None,
        Some("rate_limit_exceeded"),
    );
    set_header(&mut response, "retry-after", retry_after_secs);
    limit_headers(&mut response, 0);
    response
}

/// 429 `insufficient_quota` (not worth retrying).
pub(crate) fn insufficient_quota() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        "insufficient_quota",
        None,
        Some("insufficient_quota"),
    )
}

/// A 5xx with OpenAI's plain-text body.
pub(crate) fn server_error(status: StatusCode) -> Response {
    text(
        status,
        "The server had an error while processing your request. Sorry about that!",
    )
}

/// The answer to an injected failure with `status`.
pub(crate) fn injected(status: StatusCode, retry_after_secs: u64) -> Response {
    match status.as_u16() {
        401 => invalid_key("sk-***"),
        429 => rate_limited(retry_after_secs),
        code if code >= 500 => server_error(status),
        _ => error(
            status,
            status.canonical_reason().unwrap_or("Error"),
            "invalid_request_error",
            None,
            None,
        ),
    }
}

/// 404 for unknown paths.
pub(crate) async fn no_route(request: axum::extract::Request) -> Response {
    let message = format!(
        "Invalid URL ({} {})",
        request.method(),
        request.uri().path()
    );
    error(
        StatusCode::NOT_FOUND,
        &message,
        "invalid_request_error",
        None,
        None,
    )
}
