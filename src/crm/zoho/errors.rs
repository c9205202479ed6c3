//! Zoho's failures in the four classes. Request-level errors are `{code, details, message,
//! status}`; writes answer per record inside `data[]`. A 429 (credits or concurrency) pauses
//! the throttle, `DUPLICATE_DATA` names the existing record, an invalid id on an update means
//! the record is gone, and refusals carry Zoho's own reason.

use std::time::Duration;

use serde_json::Value;

use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

/// How long a concurrency 429 pauses the throttle (calls in flight finish quickly).
const CONCURRENCY_PAUSE: Duration = Duration::from_secs(2);

/// `CODE: message (field, expected type)` of one Zoho error object.
pub fn reason(error: &Value) -> String {
    let code = error["code"].as_str().unwrap_or("ERROR");
    let message = error["message"].as_str().unwrap_or_default();
    let details = &error["details"];
    let mut about: Vec<String> = Vec::new();
    for key in ["api_name", "param", "param_name"] {
        if let Some(name) = details[key].as_str() {
            about.push(name.to_owned());
        }
    }
    if let Some(expected) = details["expected_data_type"].as_str() {
        about.push(format!("expected {expected}"));
    }
    if let Some(why) = details["reason"].as_str() {
        about.push(why.to_owned());
    }
    if about.is_empty() {
        format!("{code}: {message}")
    } else {
        format!("{code}: {message} ({})", about.join(", "))
    }
}

/// Classifies a failed answer (no per-record `data`). A 401 reaches here only after the
/// token was renewed once.
pub fn classify(reply: &Reply, throttle: &Throttle, credit_pause: Duration) -> CallError {
    let body = reply.json();
    let status = reply.status.as_u16();
    let why = if body["code"].is_string() {
        reason(&body)
    } else {
        reply.excerpt()
    };
    let message = format!("Zoho HTTP {status}: {why}");
    match status {
        429 => {
            let concurrency = body["message"]
                .as_str()
                .is_some_and(|m| m.to_ascii_lowercase().contains("concurren"));
            let wait = http::retry_after(&reply.headers).unwrap_or(if concurrency {
                CONCURRENCY_PAUSE
            } else {
                credit_pause
            });
            throttle.pause(wait);
            CallError::retryable(message, Some(wait))
        }
        500..=599 | 408 => CallError::retryable(message, http::retry_after(&reply.headers)),
        401 | 403 => CallError::auth(message),
        _ => CallError::permanent(message),
    }
}

/// The id of the existing record a `DUPLICATE_DATA` names.
fn duplicate_of(error: &Value) -> Option<String> {
    let record = &error["details"]["duplicate_record"];
    record["id"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| record["id"].as_u64().map(|n| n.to_string()))
}

/// One record's result inside `data[]`: the result itself on success (`details`, and
/// `action` for upserts), else the classified error.
/// `targets_id` says the write named an existing record (an update), so an invalid id means
/// it no longer exists.
pub fn item(result: &Value, targets_id: bool) -> Result<Value, CallError> {
    let code = result["code"].as_str().unwrap_or_default();
    if code == "SUCCESS" || result["status"] == "success" {
        return Ok(result.clone());
    }
    let why = reason(result);
    match code {
        "DUPLICATE_DATA" => match duplicate_of(result) {
            Some(existing_id) => Err(CallError::Conflict {
                existing_id,
                message: format!("Zoho: {why}"),
            }),
            None => Err(CallError::permanent(format!("Zoho: {why}"))),
        },
        "INVALID_DATA" if targets_id && result["details"]["api_name"] == "id" => {
            Err(CallError::not_found(format!("Zoho: {why}")))
        }
        "RECORD_LOCKED" | "INTERNAL_ERROR" | "TOO_MANY_REQUESTS" => {
            Err(CallError::retryable(format!("Zoho: {why}"), None))
        }
        _ => Err(CallError::permanent(format!("Zoho: {why}"))),
    }
}

/// The record id in a successful record result (`details.id`).
pub fn id_of(result: &Value) -> Result<String, CallError> {
    let id = &result["details"]["id"];
    id.as_str()
        .map(str::to_owned)
        .or_else(|| id.as_u64().map(|n| n.to_string()))
        .ok_or_else(|| {
            CallError::retryable(
                format!("Zoho answered a write without an id: {result}"),
                None,
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;
    use serde_json::json;

    fn reply(status: u16, body: Value) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.to_string().into(),
        }
    }

    #[test]
    fn request_level_classes() {
        let t = Throttle::new(0, Duration::from_secs(1));
        let pause = Duration::from_secs(60);
        let credits = classify(
            &reply(
                429,
                json!({"code": "TOO_MANY_REQUESTS", "message": "You have exceeded the API credit limit", "details": {}, "status": "error"}),
            ),
            &t,
            pause,
        );
        assert!(matches!(credits, CallError::Retryable { retry_after: Some(d), .. } if d == pause));
        let busy = classify(
            &reply(
                429,
                json!({"code": "TOO_MANY_REQUESTS", "message": "You have exceeded the concurrency limit", "details": {}, "status": "error"}),
            ),
            &t,
            pause,
        );
        assert!(
            matches!(busy, CallError::Retryable { retry_after: Some(d), .. } if d == CONCURRENCY_PAUSE)
        );
        assert_eq!(classify(&reply(401, json!({"code": "OAUTH_SCOPE_MISMATCH", "message": "invalid oauth scope", "details": {}, "status": "error"})), &t, pause).class(), "auth");
        assert_eq!(
            classify(&reply(500, json!({"code": "INTERNAL_ERROR"})), &t, pause).class(),
            "retryable"
        );
        assert_eq!(
            classify(
                &reply(404, json!({"code": "INVALID_URL_PATTERN", "message": "x"})),
                &t,
                pause
            )
            .class(),
            "permanent"
        );
    }

    #[test]
    fn record_results() {
        let duplicate = json!({"code": "DUPLICATE_DATA", "details": {"api_name": "Email", "duplicate_record": {"id": "5725767000000000001", "module": {"api_name": "Leads"}}}, "message": "duplicate data", "status": "error"});
        assert!(
            matches!(item(&duplicate, false), Err(CallError::Conflict { existing_id, .. }) if existing_id == "5725767000000000001")
        );
        let invalid = json!({"code": "INVALID_DATA", "details": {"api_name": "Email", "json_path": "$.data[0].Email", "expected_data_type": "email"}, "message": "invalid data", "status": "error"});
        assert_eq!(
            item(&invalid, true),
            Err(CallError::permanent(
                "Zoho: INVALID_DATA: invalid data (Email, expected email)"
            ))
        );
        let gone = json!({"code": "INVALID_DATA", "details": {"api_name": "id"}, "message": "the id given seems to be invalid", "status": "error"});
        assert_eq!(item(&gone, true).unwrap_err().class(), "not_found");
        assert_eq!(item(&gone, false).unwrap_err().class(), "permanent");
        let ok = json!({"code": "SUCCESS", "details": {"id": "1"}, "message": "record added", "status": "success"});
        assert_eq!(id_of(&item(&ok, false).unwrap()), Ok("1".to_owned()));
    }
}
