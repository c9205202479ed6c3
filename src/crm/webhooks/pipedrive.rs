//! Pipedrive webhooks: a JSON object per change, sent with the HTTP basic-auth credentials set
//! on the webhook (`http_auth_user`, `http_auth_password`: Pipedrive signs nothing). Version 2
//! (the default since 2025-03-17, <https://pipedrive.readme.io/docs/guide-for-webhooks-v2>)
//! carries `meta {action, entity, entity_id, id, change_source, user_id, …}`, `data` (the deal
//! now) and `previous`; version 1 `meta {action, object, id, …}`, `current` and `previous`.
//! `change_source` is `app` or `api` (<https://developers.pipedrive.com/changelog/post/new-field-for-webhooks>):
//! a change through the API by the user who owns leadgate's token is leadgate's own.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::{DealChange, WebhookError, same};

/// Checks the `Authorization: Basic …` header against the configured credentials.
pub fn verify(header: Option<&str>, user: &str, password: &str) -> Result<(), WebhookError> {
    let given = header
        .and_then(|h| h.trim().strip_prefix("Basic "))
        .ok_or(WebhookError::Missing)?;
    let expected = STANDARD.encode(format!("{user}:{password}"));
    if same(expected.as_bytes(), given.trim().as_bytes()) {
        Ok(())
    } else {
        Err(WebhookError::Mismatch)
    }
}

/// The deal change a delivery reports, if it is about a deal. `api_user` is the Pipedrive user
/// that owns leadgate's token, when known.
pub fn parse(body: &Value, api_user: Option<&str>) -> Option<DealChange> {
    let meta = &body["meta"];
    let v2 = meta["version"].as_str() == Some("2.0");
    let entity = if v2 { &meta["entity"] } else { &meta["object"] };
    if entity.as_str() != Some("deal") {
        return None;
    }
    let deal = text(if v2 { &meta["entity_id"] } else { &meta["id"] })?;
    let data = if v2 { &body["data"] } else { &body["current"] };
    // v2 names every delivery; v1 is named by its webhook, deal and time.
    let event = text(&meta["id"]).filter(|_| v2).unwrap_or_else(|| {
        format!(
            "{}:{deal}:{}",
            text(&meta["webhook_id"]).unwrap_or_default(),
            text(&meta["timestamp_micro"])
                .or(text(&meta["timestamp"]))
                .unwrap_or_default()
        )
    });
    let mut change = DealChange::new(format!("pipedrive:{event}"), deal);
    if data.is_object() {
        change.stage = text(&data["stage_id"]);
        change.amount = data["value"].as_f64();
        change.currency = data["currency"].as_str().map(str::to_owned);
        change.owner = text(&data["owner_id"]).or(text(&data["user_id"]));
        let status = data["status"].as_str();
        change.won = status.map(|s| s == "won");
        change.lost = status.map(|s| s == "lost");
    }
    let by_api = meta["change_source"].as_str() == Some("api");
    change.ours = by_api && api_user.is_none_or(|u| text(&meta["user_id"]).as_deref() == Some(u));
    Some(change)
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn basic_auth_is_checked() {
        let h = format!("Basic {}", STANDARD.encode("leadgate:s3cret"));
        assert_eq!(verify(Some(&h), "leadgate", "s3cret"), Ok(()));
        assert_eq!(
            verify(Some(&h), "leadgate", "other"),
            Err(WebhookError::Mismatch)
        );
        assert_eq!(
            verify(None, "leadgate", "s3cret"),
            Err(WebhookError::Missing)
        );
        assert_eq!(
            verify(Some("Bearer x"), "leadgate", "s3cret"),
            Err(WebhookError::Missing)
        );
    }

    #[test]
    fn v2_and_v1_deal_changes_are_read() {
        let v2 = json!({"meta": {"version": "2.0", "entity": "deal", "entity_id": "7", "id": "e-1", "change_source": "app", "user_id": "2"},
            "data": {"stage_id": 4, "value": 12000, "currency": "EUR", "owner_id": 2, "status": "won"}, "previous": {"status": "open"}});
        let c = parse(&v2, Some("1")).unwrap();
        assert_eq!(
            (c.deal_id.as_str(), c.stage.as_deref(), c.amount, c.won),
            ("7", Some("4"), Some(12000.0), Some(true))
        );
        assert!(!c.ours);
        let ours = json!({"meta": {"version": "2.0", "entity": "deal", "entity_id": "7", "id": "e-2", "change_source": "api", "user_id": "1"}, "data": {}});
        assert!(parse(&ours, Some("1")).unwrap().ours);
        let v1 = json!({"v": 1, "meta": {"v": 1, "object": "deal", "id": 7, "webhook_id": "3", "timestamp": 1, "change_source": "app"},
            "current": {"stage_id": 5, "value": 10, "status": "lost"}});
        let c = parse(&v1, None).unwrap();
        assert_eq!(c.lost, Some(true));
        assert!(
            parse(
                &json!({"meta": {"version": "2.0", "entity": "person"}}),
                None
            )
            .is_none()
        );
        assert!(parse(&json!([]), None).is_none());
    }
}
