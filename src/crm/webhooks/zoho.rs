//! Zoho CRM notifications (<https://www.zoho.com/crm/developer/docs/api/v8/notifications/overview.html>):
//! a JSON `POST` of `{server_time, query_params, module, resource_uri, ids, affected_fields,
//! operation, channel_id, token}` with no signature; the `token` set when the channel was
//! enabled is echoed in every callback and is what proves the sender. The callback names the
//! changed records only: their values are read from Zoho afterwards.

use serde_json::Value;

use super::{WebhookError, same};

/// Checks the echoed channel token against the configured one, in constant time.
pub fn verify(body: &Value, token: &str) -> Result<(), WebhookError> {
    let Some(sent) = body["token"].as_str().filter(|t| !t.is_empty()) else {
        return Err(WebhookError::Missing);
    };
    if same(sent.as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        Err(WebhookError::Mismatch)
    }
}

/// The ids of the Deals a notification says were created or changed.
pub fn deal_ids(body: &Value) -> Vec<String> {
    if body["module"].as_str() != Some("Deals")
        || !matches!(body["operation"].as_str(), Some("update" | "insert"))
    {
        return Vec::new();
    }
    body["ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| {
            id.as_str()
                .map(str::to_owned)
                .or_else(|| id.as_u64().map(|n| n.to_string()))
        })
        .filter(|id| !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit()))
        .take(100)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_checked_and_deal_ids_read() {
        let body = json!({"module": "Deals", "operation": "update", "ids": ["5725767000000001", 42, "x'; DROP"],
            "channel_id": 1, "token": "secret-token"});
        assert_eq!(verify(&body, "secret-token"), Ok(()));
        assert_eq!(verify(&body, "other"), Err(WebhookError::Mismatch));
        assert_eq!(
            verify(&json!({}), "secret-token"),
            Err(WebhookError::Missing)
        );
        assert_eq!(deal_ids(&body), ["5725767000000001", "42"]);
        assert!(
            deal_ids(&json!({"module": "Leads", "operation": "update", "ids": ["1"]})).is_empty()
        );
        assert!(
            deal_ids(&json!({"module": "Deals", "operation": "delete", "ids": ["1"]})).is_empty()
        );
    }
}
