//! Ids and clocks of inbound webhook payloads, the Messenger and Instagram events, and what a
//! delivered payload tells the simulator (who wrote, which message ids it received).
//!
//! Messenger: envelope `{"object":"page","entry":[{"id","time","messaging":[{sender,
//! recipient,timestamp,…}]}]}` with integer milliseconds and `m_` ids
//! (<https://developers.facebook.com/docs/messenger-platform/reference/webhook-events>, "Event
//! Format"). Instagram uses the same model with `"object":"instagram"`, the Instagram account
//! as `entry.id`/`recipient.id` and the Instagram-scoped id (IGSID) as sender
//! (<https://developers.facebook.com/docs/instagram-platform/webhooks/examples>).

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Options;
use super::wa_events::WaUser;

/// Now, as WhatsApp writes timestamps: Unix seconds in a string.
pub(crate) fn seconds() -> String {
    OffsetDateTime::now_utc().unix_timestamp().to_string()
}

/// Now, as Messenger writes timestamps: Unix milliseconds.
pub(crate) fn millis() -> i64 {
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

/// A fresh Messenger message id.
pub(crate) fn mid() -> String {
    format!("m_{}", uuid::Uuid::new_v4().simple())
}

/// A fresh Instagram message id (base64-looking, as in Meta's examples).
pub(crate) fn ig_mid() -> String {
    format!(
        "aWdfZAG1faXRlbToxOklHTWVzc2FnZA{}",
        uuid::Uuid::new_v4().simple()
    )
}

/// Which Meta object a page-style event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inbox {
    /// A Facebook Page (`"object":"page"`).
    Messenger,
    /// An Instagram professional account (`"object":"instagram"`).
    Instagram,
}

impl Inbox {
    fn object(self) -> &'static str {
        match self {
            Inbox::Messenger => "page",
            Inbox::Instagram => "instagram",
        }
    }

    /// The business's own id in this inbox.
    pub(crate) fn account(self, options: &Options) -> &str {
        match self {
            Inbox::Messenger => &options.page_id,
            Inbox::Instagram => &options.instagram_account_id,
        }
    }
}

/// One event between `user` and the business, written by the user (`from_user`) or by the
/// business (echoes); `event` holds `message`, `postback`, `read`, `delivery`… and replaces
/// `timestamp` if it sets it to `null` (delivery events carry none in Meta's example).
pub(crate) fn page_event(
    options: &Options,
    inbox: Inbox,
    user: &str,
    from_user: bool,
    event: Value,
) -> Value {
    let now = millis();
    let account = inbox.account(options);
    let (sender, recipient) = if from_user {
        (user, account)
    } else {
        (account, user)
    };
    let mut messaging = json!({
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": now,
    });
    if let (Some(messaging), Value::Object(extra)) = (messaging.as_object_mut(), event) {
        for (key, value) in extra {
            if value.is_null() {
                messaging.remove(&key);
            } else {
                messaging.insert(key, value);
            }
        }
    }
    json!({
        "object": inbox.object(),
        "entry": [{"id": account, "time": now, "messaging": [messaging]}],
    })
}

/// A Messenger event of the page from `psid` (`event` holds `message`, `postback`, …).
pub(crate) fn messenger_event(options: &Options, psid: &str, event: Value) -> Value {
    page_event(options, Inbox::Messenger, psid, true, event)
}

/// What a delivered payload tells the simulator.
#[derive(Debug, Default)]
pub(crate) struct Inbound {
    /// Users whose customer-service window opens: WhatsApp senders of anything but `system`
    /// messages (phone number and BSUID), Messenger and Instagram senders of messages and
    /// postbacks that are not echoes.
    pub writers: Vec<String>,
    /// Instagram-scoped ids among the writers.
    pub instagram: Vec<String>,
    /// WhatsApp message ids received, with their sender (for mark-as-read).
    pub received: Vec<(String, WaUser)>,
}

/// Read what `payload` carries.
pub(crate) fn inbound(payload: &Value) -> Inbound {
    let mut found = Inbound::default();
    for entry in payload["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            let value = &change["value"];
            for message in value["messages"].as_array().into_iter().flatten() {
                let user = sender_of(value, message);
                if message["type"] != "system" {
                    found.writers.extend(user.wa_id.clone());
                    found.writers.extend(user.user_id.clone());
                }
                if let Some(id) = message["id"].as_str() {
                    found.received.push((id.to_owned(), user));
                }
            }
        }
        let instagram = payload["object"] == "instagram";
        for event in entry["messaging"].as_array().into_iter().flatten() {
            let echo = event["message"]["is_echo"].as_bool().unwrap_or(false);
            let writes = event.get("message").is_some() || event.get("postback").is_some();
            if writes
                && !echo
                && let Some(sender) = event["sender"]["id"].as_str()
            {
                found.writers.push(sender.to_owned());
                if instagram {
                    found.instagram.push(sender.to_owned());
                }
            }
        }
    }
    found
}

/// The sender of `message` with what `value.contacts[]` says about them.
fn sender_of(value: &Value, message: &Value) -> WaUser {
    let wa_id = message["from"].as_str().map(str::to_owned);
    let user_id = message["from_user_id"].as_str().map(str::to_owned);
    let contact = value["contacts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            (wa_id.is_some() && c["wa_id"].as_str() == wa_id.as_deref())
                || (user_id.is_some() && c["user_id"].as_str() == user_id.as_deref())
        });
    WaUser {
        name: contact
            .and_then(|c| c["profile"]["name"].as_str())
            .unwrap_or_default()
            .to_owned(),
        wa_id,
        user_id,
        username: contact
            .and_then(|c| c["profile"]["username"].as_str())
            .map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_and_receipts_open_no_window() {
        let options = Options::default();
        let echo = page_event(
            &options,
            Inbox::Messenger,
            "1",
            false,
            json!({"message": {"is_echo": true, "mid": mid(), "text": "x"}}),
        );
        let read = messenger_event(&options, "1", json!({"read": {"watermark": 1}}));
        let text = messenger_event(
            &options,
            "1",
            json!({"message": {"mid": mid(), "text": "x"}}),
        );
        assert!(inbound(&echo).writers.is_empty());
        assert!(inbound(&read).writers.is_empty());
        assert_eq!(inbound(&text).writers, ["1"]);
    }

    #[test]
    fn null_fields_are_removed() {
        let delivery = messenger_event(
            &Options::default(),
            "1",
            json!({"timestamp": null, "delivery": {"watermark": 5}}),
        );
        assert!(
            delivery["entry"][0]["messaging"][0]
                .get("timestamp")
                .is_none()
        );
    }

    #[test]
    fn ids_are_unique() {
        assert_ne!(wamid(), wamid());
        assert_ne!(mid(), mid());
        assert_ne!(ig_mid(), ig_mid());
    }
}
