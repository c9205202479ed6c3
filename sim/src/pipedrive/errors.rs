//! Pipedrive's failure envelope: `{"success":false,"error","error_info","data":null,
//! "additional_data":null}` plus `code` (v2) or `errorCode` (v1, 401, 429).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::shared::http::json;

const ERROR_INFO: &str =
    "Please check developers.pipedrive.com for more information about Pipedrive API.";

/// An error response in Pipedrive's shape.
#[derive(Debug, Clone)]
pub(crate) struct PdError {
    status: StatusCode,
    body: Value,
}

impl PdError {
    /// `status` with `error` and an optional machine `code`.
    pub(crate) fn new(status: StatusCode, error: impl Into<String>, code: Option<&str>) -> Self {
        let mut body = json!({
            "success": false,
            "error": error.into(),
            "error_info": ERROR_INFO,
            "data": null,
            "additional_data": null,
        });
        if let Some(code) = code {
            body["code"] = json!(code);
        }
        PdError { status, body }
    }

    /// The `error` text.
    pub(crate) fn message(&self) -> String {
        self.body["error"].as_str().unwrap_or_default().to_owned()
    }

    /// 400 from request validation.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        PdError::new(
            StatusCode::BAD_REQUEST,
            format!("Validation failed: {}", message.into()),
            Some("ERR_SCHEMA_VALIDATION_FAILED"),
        )
    }

    /// 400 for a body that is not JSON.
    pub(crate) fn malformed(error: &serde_json::Error) -> Self {
        PdError::new(
            StatusCode::BAD_REQUEST,
            format!("Invalid JSON body: {error}"),
            Some("ERR_INVALID_JSON"),
        )
    }

    /// 404 for an unknown entity id.
    pub(crate) fn not_found(singular: &str) -> Self {
        PdError::new(
            StatusCode::NOT_FOUND,
            format!("{singular} not found"),
            Some("ERR_NOT_FOUND"),
        )
    }

    /// 401 for a missing, wrong or expired token.
    pub(crate) fn unauthorized() -> Self {
        let mut error = PdError::new(StatusCode::UNAUTHORIZED, "unauthorized access", None);
        error.body["errorCode"] = json!(401);
        error
    }

    /// 429 for an exhausted burst window or daily budget.
    pub(crate) fn rate_limited() -> Self {
        let mut error = PdError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded", None);
        error.body["errorCode"] = json!(429);
        error
    }

    /// The body for an injected failure with `status`.
    pub(crate) fn injected(status: StatusCode) -> Self {
        match status.as_u16() {
            401 => PdError::unauthorized(),
            429 => PdError::rate_limited(),
            400 => PdError::invalid("bad request"),
            403 => PdError::new(
                status,
                "You do not have permission to perform this action",
                None,
            ),
            404 => PdError::new(status, "Not found", Some("ERR_NOT_FOUND")),
            _ => {
                let reason = status.canonical_reason().unwrap_or("Internal Server Error");
                let mut error = PdError::new(status, reason, None);
                error.body["errorCode"] = json!(status.as_u16());
                error
            }
        }
    }
}

impl IntoResponse for PdError {
    fn into_response(self) -> Response {
        json(self.status, &self.body)
    }
}
