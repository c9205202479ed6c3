//! Pipedrive's failures in leadgate's four classes, from its envelope
//! `{"success":false,"error":"…","code"|"errorCode":…}`: 429 waits for the burst window or,
//! when the company's daily token budget is spent, an hour; validation errors are permanent with
//! Pipedrive's reason; 401 and 403 are credentials (after one OAuth refresh, see `api`).

use std::time::Duration;

use serde_json::Value;

use crate::crm::kit::limits::header_number;
use crate::crm::kit::{Bucket, DAILY_PAUSE, Limits};
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply};

/// Pipedrive's reason: `error` with its machine code.
pub(super) fn reason(body: &Value) -> Option<String> {
    let error = body["error"]
        .as_str()
        .map(str::trim)
        .filter(|e| !e.is_empty())?;
    let code = match (&body["code"], &body["errorCode"]) {
        (Value::String(c), _) => Some(c.clone()),
        (_, Value::String(c)) => Some(c.clone()),
        (_, Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Some(match code {
        Some(code) => format!("{error} ({code})"),
        None => error.to_owned(),
    })
}

/// Classifies a failed answer. `bucket` is the limit the request counted against.
pub(super) fn classify(reply: &Reply, limits: &Limits, bucket: Bucket) -> CallError {
    let body = reply.json();
    let status = reply.status.as_u16();
    let reason = reason(&body).unwrap_or_else(|| reply.excerpt());
    match status {
        429 => {
            let daily_spent =
                header_number(&reply.headers, "x-daily-ratelimit-token-remaining") == Some(0);
            let (bucket, fallback) = if daily_spent {
                (Bucket::All, DAILY_PAUSE)
            } else {
                let reset =
                    header_number(&reply.headers, "x-ratelimit-reset").map(Duration::from_secs);
                (
                    bucket,
                    reset.unwrap_or(limits.window).max(Duration::from_secs(1)),
                )
            };
            let wait = if daily_spent {
                fallback
            } else {
                http::retry_after(&reply.headers).unwrap_or(fallback)
            };
            limits.pause(bucket, wait);
            let which = if daily_spent {
                "daily token budget spent"
            } else {
                "rate limit"
            };
            CallError::retryable(format!("Pipedrive {which}: {reason}"), Some(wait))
        }
        400 | 422 => CallError::permanent(format!("Pipedrive refused the data: {reason}")),
        _ => http::classify(reply, limits.throttle(bucket))
            .reworded(format!("Pipedrive answered {status}: {reason}")),
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;
    use serde_json::json;

    use super::*;

    fn reply(status: u16, body: Value, headers: &[(&'static str, &str)]) -> Reply {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, v.parse().unwrap());
        }
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: h,
            body: body.to_string().into(),
        }
    }

    /// The default plan's: 20 per 2 s, 10 searches per 2 s.
    fn limits() -> Limits {
        Limits::new(20, Duration::from_secs(2), 10, Duration::from_secs(2))
    }

    #[test]
    fn validation_is_permanent_with_pipedrives_reason() {
        let body = json!({"success":false,"error":"Validation failed: body/name is required","code":"ERR_SCHEMA_VALIDATION_FAILED","data":null});
        let e = classify(&reply(400, body, &[]), &limits(), Bucket::Main);
        assert_eq!(
            e,
            CallError::permanent(
                "Pipedrive refused the data: Validation failed: body/name is required (ERR_SCHEMA_VALIDATION_FAILED)"
            )
        );
    }

    #[test]
    fn bursts_wait_for_the_window_and_a_spent_budget_for_an_hour() {
        let body = json!({"success":false,"error":"Rate limit exceeded","errorCode":429});
        let burst = classify(
            &reply(
                429,
                body.clone(),
                &[
                    ("x-ratelimit-reset", "2"),
                    ("x-daily-ratelimit-token-remaining", "900"),
                ],
            ),
            &limits(),
            Bucket::Main,
        );
        assert_eq!(
            burst,
            CallError::retryable(
                "Pipedrive rate limit: Rate limit exceeded (429)",
                Some(Duration::from_secs(2))
            )
        );
        let daily = classify(
            &reply(
                429,
                body,
                &[
                    ("x-ratelimit-reset", "2"),
                    ("x-daily-ratelimit-token-remaining", "0"),
                ],
            ),
            &limits(),
            Bucket::Main,
        );
        assert!(
            matches!(daily, CallError::Retryable { retry_after: Some(d), .. } if d == DAILY_PAUSE)
        );
    }

    #[test]
    fn other_statuses() {
        let unauthorized = json!({"success":false,"error":"unauthorized access","errorCode":401});
        assert_eq!(
            classify(&reply(401, unauthorized, &[]), &limits(), Bucket::Main).class(),
            "auth"
        );
        assert_eq!(
            classify(
                &reply(403, json!({"success":false,"error":"no"}), &[]),
                &limits(),
                Bucket::Main
            )
            .class(),
            "auth"
        );
        assert_eq!(
            classify(
                &reply(
                    404,
                    json!({"success":false,"error":"Person not found"}),
                    &[]
                ),
                &limits(),
                Bucket::Main
            )
            .class(),
            "not_found"
        );
        assert_eq!(
            classify(&reply(502, json!({}), &[]), &limits(), Bucket::Main).class(),
            "retryable"
        );
    }
}
