//! HubSpot's failures in leadgate's four classes: its error body (`category`, `message`,
//! `errors[]`), 409 `Existing ID: N` as a conflict naming the contact, 429 by `policyName`
//! (pausing the limit it names), and the per-item `StandardError`s of a 207 batch answer.

use std::time::Duration;

use serde_json::Value;

use crate::crm::kit::{Bucket, DAILY_PAUSE, Limits};
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply};

/// A readable reason from a HubSpot error body: the category, then the detail messages (which
/// name the property at fault) or else the top-level message.
pub(super) fn reason(body: &Value) -> Option<String> {
    let message = body["message"]
        .as_str()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let details: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["message"].as_str())
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    let text = if details.is_empty() {
        message?.to_owned()
    } else {
        details.join("; ")
    };
    Some(match body["category"].as_str().filter(|c| !c.is_empty()) {
        Some(category) => format!("{category}: {text}"),
        None => text,
    })
}

/// The id in `… Existing ID: 2926551`, from the message or a detail message.
pub(super) fn existing_id(body: &Value) -> Option<String> {
    let details = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["message"].as_str());
    body["message"]
        .as_str()
        .into_iter()
        .chain(details)
        .find_map(|text| {
            let (_, rest) = text.split_once("Existing ID:")?;
            let id: String = rest
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            (!id.is_empty()).then_some(id)
        })
}

/// Classifies a failed answer. `bucket` is the limit the request counted against.
pub(super) fn classify(reply: &Reply, limits: &Limits, bucket: Bucket) -> CallError {
    let body = reply.json();
    let status = reply.status.as_u16();
    let reason = reason(&body).unwrap_or_else(|| reply.excerpt());
    match status {
        409 => match existing_id(&body) {
            Some(existing_id) => CallError::Conflict {
                existing_id,
                message: reason,
            },
            None => CallError::permanent(format!("HubSpot refused the change: {reason}")),
        },
        429 => {
            let policy = body["policyName"].as_str().unwrap_or_default();
            let (bucket, fallback) = match policy {
                "DAILY" => (Bucket::All, DAILY_PAUSE),
                "SECONDLY" => (Bucket::Search, Duration::from_secs(1)),
                _ if bucket == Bucket::Search => (Bucket::Search, Duration::from_secs(1)),
                _ => (Bucket::Main, limits.window),
            };
            let wait = http::retry_after(&reply.headers).unwrap_or(fallback);
            limits.pause(bucket, wait);
            CallError::retryable(format!("HubSpot rate limit {policy}: {reason}"), Some(wait))
        }
        400 | 422 => CallError::permanent(format!("HubSpot refused the data: {reason}")),
        _ => http::classify(reply, limits.throttle(bucket))
            .reworded(format!("HubSpot answered {status}: {reason}")),
    }
}

/// Classifies one `StandardError` of a batch answer by its category.
pub(super) fn classify_item(error: &Value) -> CallError {
    let reason = reason(error).unwrap_or_else(|| "HubSpot refused this item".to_owned());
    let category = error["category"].as_str().unwrap_or_default();
    match category {
        "OBJECT_ALREADY_EXISTS" | "CONFLICT" => match existing_id(error) {
            Some(existing_id) => CallError::Conflict {
                existing_id,
                message: reason,
            },
            None => CallError::permanent(reason),
        },
        "OBJECT_NOT_FOUND" => CallError::not_found(reason),
        "INVALID_AUTHENTICATION" | "MISSING_SCOPES" => CallError::auth(reason),
        "RATE_LIMIT" | "RATE_LIMITS" => CallError::retryable(reason, None),
        "VALIDATION_ERROR" | "BAD_REQUEST" => CallError::permanent(reason),
        c if c.starts_with("INVALID_") || c.starts_with("PROPERTY_") => {
            CallError::permanent(reason)
        }
        _ => CallError::retryable(reason, None),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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

    /// The default plan's: 100 per 10 s, 5 searches a second.
    fn limits() -> Limits {
        Limits::new(100, Duration::from_secs(10), 5, Duration::from_secs(1))
    }

    #[test]
    fn conflicts_name_the_existing_contact_in_both_shapes() {
        let current = json!({"status":"error","message":"Contact already exists. Existing ID: 2926551","category":"OBJECT_ALREADY_EXISTS",
            "errors":[{"message":"A contact with email lee@xyz.co.uk already exists. Existing ID: 2926551","in":"email"}]});
        let older = json!({"status":"error","message":"Contact already exists. Existing ID: 123","category":"CONFLICT"});
        for (body, id) in [(current, "2926551"), (older, "123")] {
            match classify(&reply(409, body, &[]), &limits(), Bucket::Main) {
                CallError::Conflict { existing_id, .. } => assert_eq!(existing_id, id),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn validation_reasons_come_from_the_details() {
        let body = json!({"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid: [{…}]",
            "errors":[{"message":"nope was not one of the allowed options: [default]","code":"INVALID_OPTION","context":{"propertyName":["pipeline"]}}]});
        let e = classify(&reply(400, body, &[]), &limits(), Bucket::Main);
        assert_eq!(
            e,
            CallError::permanent(
                "HubSpot refused the data: VALIDATION_ERROR: nope was not one of the allowed options: [default]"
            )
        );
    }

    #[test]
    fn rate_limits_retry_after_what_hubspot_asks() {
        let body = json!({"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"});
        match classify(
            &reply(429, body.clone(), &[("retry-after", "3")]),
            &limits(),
            Bucket::Main,
        ) {
            CallError::Retryable {
                retry_after,
                message,
            } => {
                assert_eq!(retry_after, Some(Duration::from_secs(3)));
                assert!(message.contains("TEN_SECONDLY_ROLLING"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let e = classify(&reply(429, body, &[]), &limits(), Bucket::Main);
        assert!(
            matches!(e, CallError::Retryable { retry_after: Some(d), .. } if d == Duration::from_secs(10)),
            "{e:?}"
        );
    }

    #[test]
    fn other_statuses_follow_the_shared_classes() {
        let auth = json!({"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"});
        assert_eq!(
            classify(&reply(401, auth, &[]), &limits(), Bucket::Main).class(),
            "auth"
        );
        assert_eq!(
            classify(&reply(503, json!({}), &[]), &limits(), Bucket::Main).class(),
            "retryable"
        );
        assert_eq!(
            classify(
                &reply(404, json!({"category":"OBJECT_NOT_FOUND"}), &[]),
                &limits(),
                Bucket::Main
            )
            .class(),
            "not_found"
        );
    }

    #[test]
    fn batch_items_by_category() {
        let item = |category: &str| json!({"status":"error","category":category,"message":"m","context":{"objectWriteTraceId":["lg-1"]}});
        assert_eq!(
            classify_item(&item("VALIDATION_ERROR")).class(),
            "permanent"
        );
        assert_eq!(
            classify_item(&item("OBJECT_NOT_FOUND")).class(),
            "not_found"
        );
        assert_eq!(classify_item(&item("INTERNAL_ERROR")).class(), "retryable");
        let conflict = json!({"category":"OBJECT_ALREADY_EXISTS","message":"Contact already exists. Existing ID: 77"});
        assert!(
            matches!(classify_item(&conflict), CallError::Conflict { existing_id, .. } if existing_id == "77")
        );
    }
}
