//! Zoho's error shapes: `{"code","details","message","status":"error"}`, alone (request-level)
//! or inside `data[]` (per record).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::shared::http::json;

/// One Zoho error: its code, details and message.
#[derive(Debug, Clone)]
pub(crate) struct ZError {
    /// HTTP status when the error is the whole answer.
    pub status: StatusCode,
    pub code: &'static str,
    pub details: Value,
    pub message: String,
}

impl ZError {
    /// An error with HTTP 400.
    pub(crate) fn new(code: &'static str, message: impl Into<String>, details: Value) -> Self {
        ZError {
            status: StatusCode::BAD_REQUEST,
            code,
            details,
            message: message.into(),
        }
    }

    /// Change the HTTP status.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The JSON body.
    pub(crate) fn body(&self) -> Value {
        json!({"code": self.code, "details": self.details, "message": self.message, "status": "error"})
    }

    /// `MANDATORY_NOT_FOUND` for a field of record `index`.
    pub(crate) fn mandatory(field: &str, index: usize) -> Self {
        ZError::new(
            "MANDATORY_NOT_FOUND",
            "required field not found",
            json!({"api_name": field, "json_path": format!("$.data[{index}].{field}")}),
        )
    }

    /// `INVALID_DATA` for a field of record `index`.
    pub(crate) fn invalid(field: &str, index: usize, expected: Option<&str>) -> Self {
        let mut details =
            json!({"api_name": field, "json_path": format!("$.data[{index}].{field}")});
        if let Some(expected) = expected {
            details["expected_data_type"] = json!(expected);
        }
        ZError::new("INVALID_DATA", "invalid data", details)
    }

    /// 400 for a body that is not JSON.
    pub(crate) fn malformed() -> Self {
        ZError::new(
            "INVALID_REQUEST",
            "unable to process your request. please verify whether you have entered proper method name, parameter and parameter values.",
            json!({}),
        )
    }

    /// 400 for an unknown module.
    pub(crate) fn invalid_module() -> Self {
        ZError::new(
            "INVALID_MODULE",
            "the module name given seems to be invalid",
            json!({"resource_path_index": 0}),
        )
    }

    /// 400 for a missing query parameter.
    pub(crate) fn param_missing(param: &str) -> Self {
        ZError::new(
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            json!({ "param": param }),
        )
    }

    /// 401 for a missing `Authorization` header.
    pub(crate) fn authentication_failure() -> Self {
        ZError::new("AUTHENTICATION_FAILURE", "Authentication failed", json!({}))
            .with_status(StatusCode::UNAUTHORIZED)
    }

    /// 401 for an unknown or expired token.
    pub(crate) fn invalid_token() -> Self {
        ZError::new("INVALID_TOKEN", "invalid oauth token", json!({}))
            .with_status(StatusCode::UNAUTHORIZED)
    }

    /// 429 for exhausted credits or concurrency.
    pub(crate) fn too_many(message: &str) -> Self {
        ZError::new("TOO_MANY_REQUESTS", message, json!({}))
            .with_status(StatusCode::TOO_MANY_REQUESTS)
    }

    /// The body for an injected failure with `status`.
    pub(crate) fn injected(status: StatusCode) -> Self {
        match status.as_u16() {
            401 => ZError::invalid_token(),
            429 => ZError::too_many("too many requests"),
            400 => ZError::malformed(),
            403 => ZError::new("NO_PERMISSION", "permission denied", json!({})).with_status(status),
            404 => ZError::new(
                "INVALID_URL_PATTERN",
                "Please check if the URL trying to access is a correct one",
                json!({}),
            )
            .with_status(status),
            _ => ZError::new(
                "INTERNAL_ERROR",
                "Internal Server Error occurred while processing this request",
                json!({}),
            )
            .with_status(status),
        }
    }
}

impl IntoResponse for ZError {
    fn into_response(self) -> Response {
        json(self.status, &self.body())
    }
}
