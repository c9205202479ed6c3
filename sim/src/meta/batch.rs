//! Reshaping built payloads the way Meta delivers them: at a chosen time, and several updates
//! in one POST.
//!
//! Batching: the WhatsApp webhooks overview says one POST carries up to 1000 updates, that
//! batching is not guaranteed, and to iterate over every `entry[]`, `changes[]`, `messages[]`
//! and `statuses[]`
//! (<https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview>).
//! How Meta groups updates is not documented; [`batch`] groups as tightly as the shape allows
//! (one entry per account, one change per kind of update, many messages or statuses in it),
//! which exercises every level of iteration at once. Messenger documents `entry.messaging` as an
//! array holding one event, with several entries per POST
//! (<https://developers.facebook.com/docs/messenger-platform/reference/webhook-events>), so
//! Messenger and Instagram events stay one per entry.

use serde_json::{Value, json};

/// `payload` with every event time set to `secs` (Unix seconds): WhatsApp
/// `messages[].timestamp` and `statuses[].timestamp` (strings of seconds); Messenger and
/// Instagram `entry[].time` and `messaging[].timestamp` (integer milliseconds, where the event
/// has one). Use it to deliver events out of order. Read and delivery watermarks are left alone:
/// they are arguments of their builders.
pub fn with_timestamp(mut payload: Value, secs: i64) -> Value {
    let whatsapp = payload["object"] == "whatsapp_business_account";
    let millis = secs.saturating_mul(1000);
    for entry in payload["entry"].as_array_mut().into_iter().flatten() {
        if whatsapp {
            for change in entry["changes"].as_array_mut().into_iter().flatten() {
                for list in ["messages", "statuses"] {
                    for item in change["value"][list].as_array_mut().into_iter().flatten() {
                        item["timestamp"] = json!(secs.to_string());
                    }
                }
            }
            continue;
        }
        if entry.get("time").is_some() {
            entry["time"] = json!(millis);
        }
        for event in entry["messaging"].as_array_mut().into_iter().flatten() {
            if event.get("timestamp").is_some() {
                event["timestamp"] = json!(millis);
            }
        }
    }
    payload
}

/// One POST body holding every update of `payloads`, grouped as Meta may batch them: entries
/// of the same account merged; within an entry, changes of the same field, phone number and
/// kind (`messages`, `statuses`, `errors`) merged into one `value` whose arrays are
/// concatenated (`contacts[]` without repeats). Messenger and Instagram events keep one entry
/// each. Event order is kept.
///
/// # Panics
/// If the payloads belong to different objects (`whatsapp_business_account`, `page`,
/// `instagram`): Meta never mixes them in one POST.
pub fn batch(payloads: &[Value]) -> Value {
    let object = object_of(payloads);
    let mut entries: Vec<Value> = Vec::new();
    for payload in payloads {
        for entry in payload["entry"].as_array().into_iter().flatten() {
            if object != "whatsapp_business_account" {
                entries.push(entry.clone());
                continue;
            }
            match entries.iter_mut().find(|e| e["id"] == entry["id"]) {
                Some(existing) => merge_changes(existing, entry),
                None => entries.push(entry.clone()),
            }
        }
    }
    json!({ "object": object, "entry": entries })
}

/// One POST body whose `entry[]` is every entry of `payloads`, unmerged: many entries for the
/// same account, as a batch of separately queued updates may arrive.
///
/// # Panics
/// If the payloads belong to different objects.
pub fn batch_entries(payloads: &[Value]) -> Value {
    let object = object_of(payloads);
    let entries: Vec<Value> = payloads
        .iter()
        .flat_map(|p| p["entry"].as_array().cloned().unwrap_or_default())
        .collect();
    json!({ "object": object, "entry": entries })
}

fn object_of(payloads: &[Value]) -> String {
    let object = payloads
        .first()
        .and_then(|p| p["object"].as_str())
        .unwrap_or("whatsapp_business_account")
        .to_owned();
    assert!(
        payloads.iter().all(|p| p["object"] == object.as_str()),
        "one POST holds updates of one object only"
    );
    object
}

/// Which list a WhatsApp change value carries.
fn kind(value: &Value) -> &'static str {
    ["messages", "statuses", "errors"]
        .into_iter()
        .find(|k| value.get(*k).is_some())
        .unwrap_or("other")
}

fn merge_changes(existing: &mut Value, entry: &Value) {
    let Some(changes) = existing["changes"].as_array_mut() else {
        return;
    };
    for change in entry["changes"].as_array().into_iter().flatten() {
        let value = &change["value"];
        let same = changes.iter_mut().find(|c| {
            c["field"] == change["field"]
                && c["value"]["metadata"] == value["metadata"]
                && kind(&c["value"]) == kind(value)
                && kind(value) != "other"
        });
        let Some(same) = same else {
            changes.push(change.clone());
            continue;
        };
        for list in ["contacts", "messages", "statuses", "errors"] {
            let Some(items) = value[list].as_array() else {
                continue;
            };
            if same["value"][list].as_array().is_none() {
                same["value"][list] = json!([]);
            }
            if let Some(into) = same["value"][list].as_array_mut() {
                for item in items {
                    if list != "contacts" || !into.contains(item) {
                        into.push(item.clone());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whatsapp(list: &str, item: Value) -> Value {
        json!({"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{"field": "messages",
            "value": {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "P"}, list: [item]}}]}]})
    }

    #[test]
    fn whatsapp_updates_share_an_entry_and_a_change_per_kind() {
        let merged = batch(&[
            whatsapp("messages", json!({"id": "a", "timestamp": "1"})),
            whatsapp("statuses", json!({"id": "s", "timestamp": "2"})),
            whatsapp("messages", json!({"id": "b", "timestamp": "3"})),
        ]);
        let entries = merged["entry"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        let changes = entries[0]["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0]["value"]["messages"].as_array().unwrap().len(), 2);
        assert_eq!(changes[1]["value"]["statuses"][0]["id"], "s");
        assert_eq!(
            batch_entries(&[merged.clone(), merged])["entry"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn timestamps_are_rewritten_per_platform() {
        let message = with_timestamp(
            whatsapp("messages", json!({"id": "a", "timestamp": "9"})),
            100,
        );
        assert_eq!(
            message["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"],
            "100"
        );
        let page = json!({"object": "page", "entry": [{"id": "P", "time": 1, "messaging": [{"timestamp": 1}, {"delivery": {}}]}]});
        let page = with_timestamp(page, 100);
        assert_eq!(page["entry"][0]["time"], 100_000);
        assert_eq!(page["entry"][0]["messaging"][0]["timestamp"], 100_000);
        assert!(page["entry"][0]["messaging"][1].get("timestamp").is_none());
    }

    #[test]
    #[should_panic(expected = "one object")]
    fn objects_never_mix() {
        batch(&[
            json!({"object": "page", "entry": []}),
            json!({"object": "instagram", "entry": []}),
        ]);
    }
}
