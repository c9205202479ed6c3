//! Salesforce's failures in the four classes. On top of [`http::classify`]: 403
//! `REQUEST_LIMIT_EXCEEDED` is the rate limit (Salesforce sends neither 429 nor `Retry-After`),
//! other 403s are permissions; duplicate rules, unique fields and ambiguous external ids name
//! the existing record (a conflict); refusals carry Salesforce's own reason.

use std::time::Duration;

use serde_json::Value;

use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

/// The error codes that mean "try again": locks and server trouble.
const TRANSIENT: &[&str] = &[
    "UNABLE_TO_LOCK_ROW",
    "SERVER_UNAVAILABLE",
    "REQUEST_RUNNING_TOO_LONG",
    "QUERY_TIMEOUT",
];

/// `CODE: message (fields)` for every error in a Salesforce error array.
pub fn reason(body: &Value) -> Option<String> {
    let items = body.as_array()?;
    let parts: Vec<String> = items
        .iter()
        .filter_map(|e| {
            let code = e
                .get("errorCode")
                .or_else(|| e.get("statusCode"))
                .and_then(Value::as_str)?;
            let message = e.get("message").and_then(Value::as_str).unwrap_or_default();
            let fields: Vec<&str> = e
                .get("fields")
                .and_then(Value::as_array)
                .map(|f| f.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            Some(if fields.is_empty() {
                format!("{code}: {message}")
            } else {
                format!("{code}: {message} ({})", fields.join(", "))
            })
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn first_code(body: &Value) -> Option<&str> {
    let first = body.as_array()?.first()?;
    first
        .get("errorCode")
        .or_else(|| first.get("statusCode"))
        .and_then(Value::as_str)
}

/// The id of an existing record a duplicate error names, if any.
fn existing_id(code: &str, body: &Value) -> Option<String> {
    let first = body.as_array()?.first()?;
    match code {
        "DUPLICATES_DETECTED" => first["duplicateResult"]["matchResults"]
            .as_array()?
            .iter()
            .flat_map(|m| m["matchRecords"].as_array().into_iter().flatten())
            .find_map(|r| r["record"]["Id"].as_str().map(str::to_owned)),
        // "duplicate value found: Key__c duplicates value on record with id: 00Q…"
        "DUPLICATE_VALUE" | "DUPLICATE_EXTERNAL_ID" => {
            let message = first["message"].as_str()?;
            let id = message.rsplit("id: ").next()?.trim();
            (matches!(id.len(), 15 | 18) && id.bytes().all(|b| b.is_ascii_alphanumeric()))
                .then(|| id.to_owned())
        }
        _ => None,
    }
}

/// The record ids of a 300 answer (a list of record URLs, or of `{"…": url}` objects).
fn multiple_choices(body: &Value) -> Vec<String> {
    let urls: Vec<&str> = match body {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| {
                i.as_str()
                    .or_else(|| i.as_object()?.values().find_map(Value::as_str))
            })
            .collect(),
        _ => Vec::new(),
    };
    urls.iter()
        .filter_map(|u| u.rsplit('/').next())
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Classifies a failed answer with `status` and JSON `body` (a whole reply, or one composite
/// subrequest's result). `limit_pause` is how long a `REQUEST_LIMIT_EXCEEDED` pauses the
/// throttle.
pub fn classify(
    status: u16,
    body: &Value,
    reply: Option<&Reply>,
    throttle: &Throttle,
    limit_pause: Duration,
) -> CallError {
    let reason = reason(body).unwrap_or_else(|| match reply {
        Some(r) => r.excerpt(),
        None => body.to_string(),
    });
    let message = format!("Salesforce HTTP {status}: {reason}");
    let code = first_code(body).unwrap_or_default();
    if status == 300 {
        let ids = multiple_choices(body);
        return match ids.first() {
            Some(id) => CallError::Conflict {
                existing_id: id.clone(),
                message: format!("the external id matches {} records", ids.len()),
            },
            None => CallError::permanent(message),
        };
    }
    if code == "REQUEST_LIMIT_EXCEEDED" {
        throttle.pause(limit_pause);
        return CallError::retryable(message, Some(limit_pause));
    }
    if let Some(id) = existing_id(code, body) {
        return CallError::Conflict {
            existing_id: id,
            message: reason,
        };
    }
    if TRANSIENT.contains(&code) || status == 409 {
        return CallError::retryable(message, None);
    }
    match (status, reply) {
        (401 | 403, _) => CallError::auth(message),
        (404, _) => CallError::not_found(message),
        (429 | 408 | 500..=599, Some(reply)) => http::classify(reply, throttle).reworded(message),
        (429 | 408 | 500..=599, None) => CallError::retryable(message, None),
        _ => CallError::permanent(message),
    }
}

/// Reads `Sforce-Limit-Info: api-usage=used/max` as `(used, max)`.
pub fn api_usage(reply: &Reply) -> Option<(u64, u64)> {
    let value = reply.headers.get("sforce-limit-info")?.to_str().ok()?;
    let usage = value
        .split(';')
        .find_map(|part| part.trim().strip_prefix("api-usage="))?;
    let (used, max) = usage.split_once('/')?;
    Some((used.trim().parse().ok()?, max.trim().parse().ok()?))
}

/// How long to space requests out at this usage: nothing below `threshold` percent, rising
/// linearly to a minute at 100 % of the allocation; a threshold of 0 never slows down.
pub fn slow_down(used: u64, max: u64, threshold: u8) -> Option<Duration> {
    let (used, max, threshold) = (
        u128::from(used.min(max)),
        u128::from(max),
        u128::from(threshold.min(100)),
    );
    if max == 0 || threshold == 0 || used * 100 < threshold * max {
        return None;
    }
    let span = (100 - threshold) * max;
    let millis = ((used * 100 - threshold * max) * 60_000)
        .checked_div(span)
        .unwrap_or(60_000);
    Some(Duration::from_millis(
        u64::try_from(millis).unwrap_or(60_000).max(100),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn throttle() -> Throttle {
        Throttle::new(0, Duration::from_secs(1))
    }

    fn class(status: u16, body: Value) -> CallError {
        classify(status, &body, None, &throttle(), Duration::from_secs(5))
    }

    #[test]
    fn limit_exceeded_is_a_rate_limit_other_403s_are_permissions() {
        let limit = class(
            403,
            json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]),
        );
        assert_eq!(
            limit,
            CallError::retryable(
                "Salesforce HTTP 403: REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.",
                Some(Duration::from_secs(5))
            )
        );
        assert_eq!(
            class(
                403,
                json!([{"message": "no", "errorCode": "INSUFFICIENT_ACCESS"}])
            )
            .class(),
            "auth"
        );
        assert_eq!(class(401, json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])).class(), "auth");
    }

    #[test]
    fn validation_keeps_the_reason() {
        let error = class(
            400,
            json!([{"message": "Email: invalid email address: x", "errorCode": "INVALID_EMAIL_ADDRESS", "fields": ["Email"]}]),
        );
        assert_eq!(
            error,
            CallError::permanent(
                "Salesforce HTTP 400: INVALID_EMAIL_ADDRESS: Email: invalid email address: x (Email)"
            )
        );
    }

    #[test]
    fn duplicates_name_the_existing_record() {
        let rule = json!([{"errorCode": "DUPLICATES_DETECTED", "message": "Use one of these records?", "duplicateResult": {"matchResults": [{"matchRecords": [{"record": {"Id": "00Q000000000001AAA"}}]}]}}]);
        assert!(
            matches!(class(400, rule), CallError::Conflict { existing_id, .. } if existing_id == "00Q000000000001AAA")
        );
        let unique = json!([{"errorCode": "DUPLICATE_VALUE", "message": "duplicate value found: Key__c duplicates value on record with id: 00Q000000000002AAA"}]);
        assert!(
            matches!(class(400, unique), CallError::Conflict { existing_id, .. } if existing_id == "00Q000000000002AAA")
        );
        let ambiguous = json!([
            "/services/data/v62.0/sobjects/Lead/00Q000000000003AAA",
            "/services/data/v62.0/sobjects/Lead/00Q000000000004AAA"
        ]);
        assert!(
            matches!(class(300, ambiguous), CallError::Conflict { existing_id, .. } if existing_id == "00Q000000000003AAA")
        );
    }

    #[test]
    fn transient_codes_and_statuses_retry() {
        assert_eq!(
            class(
                400,
                json!([{"errorCode": "UNABLE_TO_LOCK_ROW", "message": "x"}])
            )
            .class(),
            "retryable"
        );
        assert_eq!(
            class(
                503,
                json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "busy"}])
            )
            .class(),
            "retryable"
        );
        assert_eq!(
            class(404, json!([{"errorCode": "NOT_FOUND", "message": "gone"}])).class(),
            "not_found"
        );
    }

    #[test]
    fn usage_slows_down_near_the_allocation() {
        assert_eq!(slow_down(500, 1000, 90), None);
        assert_eq!(slow_down(950, 1000, 90), Some(Duration::from_secs(30)));
        assert_eq!(slow_down(1000, 1000, 90), Some(Duration::from_secs(60)));
        assert_eq!(slow_down(1, 0, 90), None);
        assert_eq!(slow_down(1000, 1000, 0), None, "0 switches it off");
    }
}
