//! Reading Deals back after Zoho's notifications, which carry record ids and changed field
//! names but no values (<https://www.zoho.com/crm/developer/docs/api/v8/notifications/overview.html>),
//! and keeping the notification channel open (`/actions/watch`: a channel lives at most a week;
//! enabling the same `channel_id` again renews it).

use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::client::Api;
use crate::crm::webhooks::DealChange;
use crate::outbound::CallError;

/// The fields read back from a Deal.
const FIELDS: &str = "Stage,Amount,Owner,Modified_By,Modified_Time";

/// The user the API acts as: `GET /users?type=CurrentUser`
/// (<https://www.zoho.com/crm/developer/docs/api/v8/get-users.html>). Its id is the
/// `Modified_By` of leadgate's own writes.
pub async fn own_user(api: &Api) -> Result<Option<String>, CallError> {
    let answer = api
        .get(&["users"], &[("type", "CurrentUser".to_owned())])
        .await?;
    Ok(answer.and_then(|a| id_of(&a["users"][0]["id"])))
}

fn id_of(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::to_owned)
        .or_else(|| v.as_u64().map(|n| n.to_string()))
}

/// A Deal row as a change. Zoho has no won/lost flags on the record: the standard pipeline's
/// closing stages are named "Closed Won" and "Closed Lost" (and "Closed-Lost to Competition").
pub fn change_of(row: &Value, own_user: Option<&str>) -> Option<DealChange> {
    let id = id_of(&row["id"])?;
    let modified = row["Modified_Time"].as_str().unwrap_or_default();
    let stage = row["Stage"].as_str().map(str::to_owned);
    let values = [
        stage.clone(),
        row["Amount"].as_f64().map(|a| a.to_string()),
        id_of(&row["Owner"]["id"]),
        id_of(&row["Modified_By"]["id"]),
    ];
    let mut change = DealChange::snapshot(id, modified, &values);
    if let Some(stage) = &stage {
        let lower = stage.to_lowercase();
        change.won = Some(lower.starts_with("closed") && lower.contains("won"));
        change.lost = Some(lower.starts_with("closed") && lower.contains("lost"));
    }
    change.stage = stage;
    change.amount = row["Amount"].as_f64();
    change.owner = id_of(&row["Owner"]["id"]);
    change.ours = own_user.is_some_and(|u| id_of(&row["Modified_By"]["id"]).as_deref() == Some(u));
    Some(change)
}

/// The Deal `id` as it is now; `None` when it no longer exists.
pub async fn deal(api: &Api, id: &str, own: Option<&str>) -> Result<Option<DealChange>, CallError> {
    let answer = api
        .get(&["Deals", id], &[("fields", FIELDS.to_owned())])
        .await?;
    Ok(answer.and_then(|a| change_of(&a["data"][0], own)))
}

/// A stable channel id for `notify_url` (Zoho wants a number): every gateway of a deployment
/// renews the same channel.
pub fn channel_id(notify_url: &str) -> u64 {
    let digest = Sha256::digest(notify_url.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    // Positive and within a JavaScript-safe integer, as Zoho's examples are.
    u64::from_be_bytes(bytes) >> 12
}

/// Enables (or renews) the `Deals.edit` channel toward `notify_url` for a week.
pub async fn watch(api: &Api, notify_url: &str, token: &str) -> Result<(), CallError> {
    let expiry = (OffsetDateTime::now_utc() + time::Duration::days(7) - time::Duration::minutes(5))
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    let expiry = expiry
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| CallError::permanent(format!("channel expiry: {e}")))?;
    let body = json!({"watch": [{
        "channel_id": channel_id(notify_url),
        "events": ["Deals.edit"],
        "channel_expiry": expiry,
        "token": token,
        "notify_url": notify_url,
    }]});
    let answer = api
        .call(Method::POST, &["actions", "watch"], &[], Some(&body))
        .await?;
    match answer.body["watch"][0]["status"].as_str() {
        Some("success") => Ok(()),
        _ => Err(CallError::permanent(format!(
            "Zoho refused the notification channel: {}",
            answer.body
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deal_rows_become_changes() {
        let row = json!({"id": "5725767000000001", "Stage": "Closed Won", "Amount": 12000,
            "Owner": {"id": "111"}, "Modified_By": {"id": "222"}, "Modified_Time": "2026-12-07T10:00:00+01:00"});
        let c = change_of(&row, Some("333")).unwrap();
        assert_eq!((c.won, c.lost, c.ours), (Some(true), Some(false), false));
        assert_eq!(c.owner.as_deref(), Some("111"));
        assert_eq!(c.amount, Some(12000.0));
        assert!(change_of(&row, Some("222")).unwrap().ours);
        let lost = json!({"id": 1, "Stage": "Closed-Lost to Competition"});
        assert_eq!(change_of(&lost, None).unwrap().lost, Some(true));
        let open = json!({"id": 1, "Stage": "Qualification"});
        assert_eq!(change_of(&open, None).unwrap().won, Some(false));
    }

    #[test]
    fn channel_ids_are_stable_numbers() {
        let a = channel_id("https://chat.example.eu/webhooks/zoho");
        assert_eq!(a, channel_id("https://chat.example.eu/webhooks/zoho"));
        assert_ne!(a, channel_id("https://other.example.eu/webhooks/zoho"));
        assert!(a < (1 << 53));
    }
}
