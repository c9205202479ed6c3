//! HubSpot's error bodies: `{"status":"error","message","correlationId","category", …}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::shared::http::json;
use crate::shared::ratelimit::Usage;

/// An error response in HubSpot's shape.
#[derive(Debug, Clone)]
pub(crate) struct HsError {
    status: StatusCode,
    body: Map<String, Value>,
}

/// One entry of a "Property values were not valid" error.
#[derive(Debug, Clone)]
pub(crate) struct PropertyError {
    /// Property name.
    pub name: String,
    /// HubSpot's error code (`PROPERTY_DOESNT_EXIST`, `INVALID_EMAIL`, `INVALID_OPTION`, …).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

fn correlation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl HsError {
    /// `status` with `category` and `message`.
    pub(crate) fn new(status: StatusCode, category: &str, message: impl Into<String>) -> Self {
        let mut body = Map::new();
        body.insert("status".into(), json!("error"));
        body.insert("message".into(), json!(message.into()));
        body.insert("correlationId".into(), json!(correlation_id()));
        body.insert("category".into(), json!(category));
        HsError { status, body }
    }

    /// The body's `message`.
    pub(crate) fn message(&self) -> String {
        self.body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// Add a field to the body.
    pub(crate) fn with(mut self, key: &str, value: Value) -> Self {
        self.body.insert(key.into(), value);
        self
    }

    /// The body as a batch `StandardError` (adds `context.objectWriteTraceId` when given).
    pub(crate) fn standard_error(&self, trace_id: Option<&str>) -> Value {
        let mut body = self.body.clone();
        body.remove("correlationId");
        body.entry("errors").or_insert_with(|| json!([]));
        body.entry("links").or_insert_with(|| json!({}));
        let context = body.entry("context").or_insert_with(|| json!({}));
        if let (Some(trace_id), Some(context)) = (trace_id, context.as_object_mut()) {
            context.insert("objectWriteTraceId".into(), json!([trace_id]));
        }
        Value::Object(body)
    }

    /// 400 for a body that is not JSON (or not the expected JSON).
    pub(crate) fn invalid_json(error: &serde_json::Error) -> Self {
        HsError::new(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            format!(
                "Invalid input JSON on line {}, column {}: {}",
                error.line(),
                error.column(),
                error
            ),
        )
    }

    /// 400 for a well-formed body with the wrong structure.
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        HsError::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
    }

    /// 400 "Property values were not valid" listing each bad property.
    pub(crate) fn properties(errors: &[PropertyError]) -> Self {
        let listed: Vec<Value> = errors
            .iter()
            .map(|e| {
                json!({"isValid": false, "message": e.message, "error": e.code, "name": e.name,
                       "localizedErrorMessage": e.message})
            })
            .collect();
        let details: Vec<Value> = errors
            .iter()
            .map(|e| json!({"message": e.message, "code": e.code, "context": {"propertyName": [e.name]}}))
            .collect();
        HsError::new(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            format!("Property values were not valid: {}", Value::Array(listed)),
        )
        .with("errors", Value::Array(details))
    }

    /// 409 for a unique value already held by record `existing_id`.
    pub(crate) fn conflict(singular: &str, field: &str, value: &str, existing_id: &str) -> Self {
        let error_code = format!("{}_EXISTS", singular.to_ascii_uppercase());
        HsError::new(
            StatusCode::CONFLICT,
            "OBJECT_ALREADY_EXISTS",
            format!("{singular} already exists. Existing ID: {existing_id}"),
        )
        .with(
            "errors",
            json!([{
                "message": format!(
                    "A {} with {field} {value} already exists. Existing ID: {existing_id}",
                    singular.to_ascii_lowercase()
                ),
                "in": field
            }]),
        )
        .with("error", json!(error_code))
    }

    /// 404 for an object id that does not exist.
    pub(crate) fn object_not_found(id: &str) -> Self {
        HsError::new(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            format!("Object not found.  objectId are usually numeric. ({id})"),
        )
    }

    /// 404 for a path HubSpot does not serve.
    pub(crate) fn no_route(method: &str, path: &str) -> Self {
        HsError::new(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            format!("Unable to route {method} {path}"),
        )
    }

    /// 401 for missing or wrong credentials.
    pub(crate) fn unauthenticated(message: impl Into<String>) -> Self {
        HsError::new(StatusCode::UNAUTHORIZED, "INVALID_AUTHENTICATION", message)
    }

    /// The body for an injected failure with `status`.
    pub(crate) fn injected(status: StatusCode) -> Self {
        let (category, message) = match status.as_u16() {
            400 => ("VALIDATION_ERROR", "Invalid request."),
            401 => (
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found.",
            ),
            403 => (
                "MISSING_SCOPES",
                "This app hasn't been granted all required scopes to make this call.",
            ),
            404 => ("OBJECT_NOT_FOUND", "resource not found"),
            409 => ("CONFLICT", "Conflict."),
            429 => ("RATE_LIMITS", "You have reached your secondly limit."),
            502 | 504 => ("GATEWAY_TIMEOUT", "The server timed out."),
            503 => ("SERVICE_UNAVAILABLE", "Service temporarily unavailable."),
            _ => ("INTERNAL_ERROR", "Internal error, please try again later."),
        };
        HsError::new(status, category, message)
    }
}

impl IntoResponse for HsError {
    fn into_response(self) -> Response {
        json(self.status, &Value::Object(self.body))
    }
}

/// Which HubSpot limit a 429 reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// The rolling 10-second burst limit.
    TenSecondlyRolling,
    /// The per-second CRM search limit.
    Secondly,
    /// The daily limit.
    Daily,
}

/// HubSpot's 429 body for `policy`.
pub(crate) fn rate_limit_body(policy: Policy) -> Value {
    let (name, limit) = match policy {
        Policy::TenSecondlyRolling => ("TEN_SECONDLY_ROLLING", "ten_secondly_rolling"),
        Policy::Secondly => ("SECONDLY", "secondly"),
        Policy::Daily => ("DAILY", "daily"),
    };
    json!({
        "status": "error",
        "message": format!("You have reached your {limit} limit."),
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": name,
        "requestId": correlation_id(),
    })
}

/// A 429 for `policy`, with `Retry-After` from the refusing window's usage.
pub(crate) fn rate_limited(policy: Policy, usage: &Usage) -> Response {
    let mut response = json(StatusCode::TOO_MANY_REQUESTS, &rate_limit_body(policy));
    crate::shared::http::set_header(&mut response, "retry-after", usage.retry_after_secs());
    response
}
