//! Salesforce's REST error shape: a JSON array of `{"message","errorCode","fields"?}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::shared::http::json;

/// An error response in Salesforce's shape.
#[derive(Debug, Clone)]
pub(crate) struct SfError {
    /// HTTP status.
    pub status: StatusCode,
    /// The error array.
    pub body: Value,
}

impl SfError {
    /// One error with `code`, `message` and no field list.
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        SfError {
            status,
            body: json!([{ "message": message.into(), "errorCode": code }]),
        }
    }

    /// One 400 error naming the fields involved.
    pub(crate) fn fields(code: &str, message: impl Into<String>, fields: &[&str]) -> Self {
        SfError {
            status: StatusCode::BAD_REQUEST,
            body: json!([{ "message": message.into(), "errorCode": code, "fields": fields }]),
        }
    }

    /// 400 `JSON_PARSER_ERROR`.
    pub(crate) fn parser(message: impl Into<String>) -> Self {
        SfError::new(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", message)
    }

    /// 404 `NOT_FOUND`.
    pub(crate) fn not_found() -> Self {
        SfError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    /// 401 `INVALID_SESSION_ID`.
    pub(crate) fn invalid_session() -> Self {
        SfError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    /// 403 `REQUEST_LIMIT_EXCEEDED`.
    pub(crate) fn limit_exceeded() -> Self {
        SfError::new(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        )
    }

    /// The body for an injected failure with `status`.
    pub(crate) fn injected(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("INVALID_INPUT", "Bad request"),
            401 => ("INVALID_SESSION_ID", "Session expired or invalid"),
            403 => ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
            404 => ("NOT_FOUND", "The requested resource does not exist"),
            409 => (
                "ENTITY_IS_LOCKED",
                "unable to obtain exclusive access to this record",
            ),
            503 => (
                "SERVER_UNAVAILABLE",
                "Server is too busy to handle this request. Try again later.",
            ),
            _ => (
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)",
            ),
        };
        SfError::new(status, code, message)
    }
}

impl IntoResponse for SfError {
    fn into_response(self) -> Response {
        json(self.status, &self.body)
    }
}
