//! Graph API errors: `{"error":{"message","type":"OAuthException","code","error_subcode"?,
//! "error_data"?,"fbtrace_id"}}`. Clients must key on `code`, not on the HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::shared::http::json;

/// One Graph error.
#[derive(Debug, Clone)]
pub(crate) struct GraphError {
    pub status: StatusCode,
    pub code: u32,
    pub subcode: Option<u32>,
    pub message: String,
    /// WhatsApp's `error_data.details`.
    pub details: Option<String>,
}

impl GraphError {
    /// An error with HTTP 400.
    pub(crate) fn new(code: u32, message: impl Into<String>) -> Self {
        GraphError {
            status: StatusCode::BAD_REQUEST,
            code,
            subcode: None,
            message: message.into(),
            details: None,
        }
    }

    /// Set the HTTP status.
    pub(crate) fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Set `error_subcode`.
    pub(crate) fn subcode(mut self, subcode: u32) -> Self {
        self.subcode = Some(subcode);
        self
    }

    /// Set WhatsApp's `error_data.details`.
    pub(crate) fn details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    /// `(#100)` invalid parameter.
    pub(crate) fn parameter(message: impl Into<String>) -> Self {
        GraphError::new(100, format!("(#100) {}", message.into()))
    }

    /// `(#190)` bad or expired token, HTTP 401.
    pub(crate) fn token(expired: bool) -> Self {
        if expired {
            GraphError::new(190, "Error validating access token: Session has expired.")
                .subcode(463)
                .status(StatusCode::UNAUTHORIZED)
        } else {
            GraphError::new(
                190,
                "Invalid OAuth access token - Cannot parse access token",
            )
            .status(StatusCode::UNAUTHORIZED)
        }
    }

    /// The JSON body.
    pub(crate) fn body(&self) -> Value {
        let mut error = json!({
            "message": self.message,
            "type": "OAuthException",
            "code": self.code,
            "fbtrace_id": format!("A{}", &uuid::Uuid::new_v4().simple().to_string()[..22]),
        });
        if let Some(subcode) = self.subcode {
            error["error_subcode"] = json!(subcode);
        }
        if let Some(details) = &self.details {
            error["error_data"] = json!({"messaging_product": "whatsapp", "details": details});
        }
        json!({ "error": error })
    }

    /// The answer to an injected failure with `status`.
    pub(crate) fn injected(status: StatusCode) -> Self {
        let error = match status.as_u16() {
            401 => GraphError::token(false),
            500 => GraphError::new(1, "(#1) An unknown error occurred"),
            code if code >= 500 => GraphError::new(2, "(#2) Service temporarily unavailable"),
            _ => GraphError::parameter("Invalid parameter"),
        };
        error.status(status)
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        json(self.status, &self.body())
    }
}
