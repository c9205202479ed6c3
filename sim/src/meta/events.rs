//! Inbound webhook payloads, built the way Meta sends them (WhatsApp: string seconds and
//! `wamid.` ids; Messenger: integer milliseconds and `m_` ids).

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Options;

fn seconds() -> String {
    OffsetDateTime::now_utc().unix_timestamp().to_string()
}

fn millis() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or_default()
}

/// A fresh inbound WhatsApp message id.
pub(crate) fn wamid() -> String {
    format!(
        "wamid.HBgL{}=",
        uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .to_ascii_uppercase()
    )
}

fn whatsapp_envelope(options: &Options, value: Value) -> Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = json!({
        "display_phone_number": options.display_phone_number,
        "phone_number_id": options.phone_number_id,
    });
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": options.waba_id, "changes": [{"value": value, "field": "messages"}]}],
    })
}

/// A WhatsApp inbound message of any type (`message` is merged into the standard fields).
pub(crate) fn whatsapp_message(options: &Options, from: &str, name: &str, message: Value) -> Value {
    let mut full = json!({"from": from, "id": wamid(), "timestamp": seconds()});
    if let (Some(full), Some(extra)) = (full.as_object_mut(), message.as_object()) {
        full.extend(extra.clone());
    }
    whatsapp_envelope(
        options,
        json!({
            "contacts": [{"profile": {"name": name}, "wa_id": from}],
            "messages": [full],
        }),
    )
}

/// A WhatsApp status receipt for a message the business sent.
pub(crate) fn whatsapp_status(
    options: &Options,
    wamid: &str,
    status: &str,
    recipient: &str,
) -> Value {
    let mut entry =
        json!({"id": wamid, "status": status, "timestamp": seconds(), "recipient_id": recipient});
    if status != "failed" {
        entry["pricing"] = json!({"billable": true, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"});
    }
    whatsapp_envelope(options, json!({ "statuses": [entry] }))
}

/// A Messenger event of the page (`event` holds `message`, `postback`, …).
pub(crate) fn messenger_event(options: &Options, psid: &str, event: Value) -> Value {
    let now = millis();
    let mut messaging = json!({
        "sender": {"id": psid},
        "recipient": {"id": options.page_id},
        "timestamp": now,
    });
    if let (Some(messaging), Some(extra)) = (messaging.as_object_mut(), event.as_object()) {
        messaging.extend(extra.clone());
    }
    json!({
        "object": "page",
        "entry": [{"id": options.page_id, "time": now, "messaging": [messaging]}],
    })
}

/// A fresh Messenger message id.
pub(crate) fn mid() -> String {
    format!("m_{}", uuid::Uuid::new_v4().simple())
}

/// The users whose window an event opens: WhatsApp senders, Messenger senders of non-echo
/// messages and postbacks.
pub(crate) fn writers(payload: &Value) -> Vec<String> {
    let mut users = Vec::new();
    for entry in payload["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            for message in change["value"]["messages"].as_array().into_iter().flatten() {
                if let Some(from) = message["from"].as_str() {
                    users.push(from.to_owned());
                }
            }
        }
        for event in entry["messaging"].as_array().into_iter().flatten() {
            let echo = event["message"]["is_echo"].as_bool().unwrap_or(false);
            let writes = event.get("message").is_some() || event.get("postback").is_some();
            if writes
                && !echo
                && let Some(sender) = event["sender"]["id"].as_str()
            {
                users.push(sender.to_owned());
            }
        }
    }
    users
}
