//! HubSpot webhooks: a JSON array of events such as `deal.propertyChange`, signed with
//! signature v3 — `X-HubSpot-Signature-v3 = base64(HMAC-SHA256(app client secret, method +
//! URI + body + timestamp))`, the timestamp (Unix ms) in `X-HubSpot-Request-Timestamp`, refused
//! when older than five minutes; the URI with the escapes of HubSpot's table decoded
//! (<https://developers.hubspot.com/docs/api/webhooks/validating-requests>). Changes made
//! through the API by an app come with `changeSource` `INTEGRATION` (or `API`) and the app as
//! `sourceId`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{DealChange, WebhookError, same};

/// The escapes HubSpot decodes in the URI before signing.
const DECODED: &[(&str, char)] = &[
    ("%3A", ':'),
    ("%2F", '/'),
    ("%3F", '?'),
    ("%40", '@'),
    ("%21", '!'),
    ("%24", '$'),
    ("%27", '\''),
    ("%28", '('),
    ("%29", ')'),
    ("%2A", '*'),
    ("%2C", ','),
    ("%3B", ';'),
];

fn signed_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        match DECODED
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(escape))
        {
            Some((_, c)) => {
                out.push(*c);
                rest = &rest[at + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks a request; `uri` is the full URL HubSpot posted to, `now_ms` the current time.
pub fn verify(
    secret: &[u8],
    method: &str,
    uri: &str,
    body: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    now_ms: i64,
) -> Result<(), WebhookError> {
    let (Some(ts), Some(sig)) = (timestamp, signature) else {
        return Err(WebhookError::Missing);
    };
    let when: i64 = ts.trim().parse().map_err(|_| WebhookError::Stale)?;
    if (now_ms - when).abs() > 5 * 60 * 1000 {
        return Err(WebhookError::Stale);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(method.as_bytes());
    mac.update(signed_uri(uri).as_bytes());
    mac.update(body);
    mac.update(ts.trim().as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    if same(expected.as_bytes(), sig.trim().as_bytes()) {
        Ok(())
    } else {
        Err(WebhookError::Mismatch)
    }
}

/// The deal changes among a delivery's events; other events are skipped. `app_id` is
/// leadgate's app, whose own writes are marked.
pub fn parse(body: &Value, app_id: Option<&str>) -> Vec<DealChange> {
    let mut out = Vec::new();
    for e in body.as_array().into_iter().flatten() {
        let kind = e["subscriptionType"].as_str().unwrap_or_default();
        if !kind.starts_with("deal.") {
            continue;
        }
        let (Some(event), Some(deal)) = (text(&e["eventId"]), text(&e["objectId"])) else {
            continue;
        };
        let mut change = DealChange::new(format!("hubspot:{event}"), deal);
        let value = text(&e["propertyValue"]);
        match e["propertyName"].as_str() {
            Some("dealstage") => {
                change.won = value.as_deref().map(|v| v == "closedwon");
                change.lost = value.as_deref().map(|v| v == "closedlost");
                change.stage = value;
            }
            Some("amount") => change.amount = value.and_then(|v| v.parse().ok()),
            Some("deal_currency_code") => change.currency = value,
            Some("hubspot_owner_id") => change.owner = value,
            _ => {}
        }
        let source = e["changeSource"].as_str().unwrap_or_default();
        let by_app = text(&e["sourceId"])
            .is_some_and(|s| app_id.is_some_and(|app| s == app || s.ends_with(&format!(":{app}"))));
        change.ours = matches!(source, "INTEGRATION" | "API") && (app_id.is_none() || by_app);
        out.push(change);
    }
    out
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_contracts_vector_verifies() {
        // crm-contracts §1.6's vector, recomputed independently.
        let secret = b"yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
        let body = br#"{"example_field":"example_value"}"#;
        let sig = "rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=";
        let ok = verify(
            secret,
            "POST",
            "https://www.example.com/webhook_uri",
            body,
            Some("1700000000000"),
            Some(sig),
            1_700_000_060_000,
        );
        assert_eq!(ok, Ok(()));
        let stale = verify(
            secret,
            "POST",
            "https://www.example.com/webhook_uri",
            body,
            Some("1700000000000"),
            Some(sig),
            1_700_000_400_000,
        );
        assert_eq!(stale, Err(WebhookError::Stale));
        let other = verify(
            secret,
            "POST",
            "https://www.example.com/other",
            body,
            Some("1700000000000"),
            Some(sig),
            1_700_000_060_000,
        );
        assert_eq!(other, Err(WebhookError::Mismatch));
        assert_eq!(
            verify(secret, "POST", "x", body, None, Some(sig), 0),
            Err(WebhookError::Missing)
        );
    }

    #[test]
    fn uri_escapes_are_decoded_as_hubspot_does() {
        assert_eq!(
            signed_uri("https://x/a?n=a%3Ab%2fc%40d&x=%7E"),
            "https://x/a?n=a:b/c@d&x=%7E"
        );
    }

    #[test]
    fn deal_events_are_read_and_ours_marked() {
        let body = json!([
            {"eventId": 11, "subscriptionType": "deal.propertyChange", "objectId": 650, "propertyName": "dealstage", "propertyValue": "closedwon", "changeSource": "CRM_UI", "sourceId": "userId:45678", "appId": 9},
            {"eventId": 12, "subscriptionType": "deal.propertyChange", "objectId": 650, "propertyName": "amount", "propertyValue": "12000", "changeSource": "INTEGRATION", "sourceId": "9", "appId": 9},
            {"eventId": 13, "subscriptionType": "contact.propertyChange", "objectId": 1},
            "junk",
        ]);
        let changes = parse(&body, Some("9"));
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].stage.as_deref(), Some("closedwon"));
        assert_eq!(changes[0].won, Some(true));
        assert!(!changes[0].ours);
        assert_eq!(changes[1].amount, Some(12000.0));
        assert!(changes[1].ours);
        assert_eq!(changes[0].event_id, "hubspot:11");
    }
}
