//! WhatsApp Cloud API webhooks, read into [`Event`]s.
//!
//! Shapes: <https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages>
//! (text, interactive, button, media, reaction, unsupported, system) and
//! `.../reference/messages/status`. `messages` and `statuses` share the webhook field
//! `messages`; a change may also carry `errors[]`. A POST may batch many entries, changes and
//! messages, and every one is read. A person who adopted a username may come without a phone
//! number, identified by a business-scoped user id (`user_id`) instead
//! (`.../whatsapp/business-scoped-user-ids`).

use serde_json::Value;

use super::event::{Channel, Event, Parsed, Sender, What, bounded, text_of};

/// Reads a WhatsApp webhook body. Parts that are not what Meta documents are skipped, never
/// fatal.
pub fn parse(body: &Value) -> Parsed {
    let mut out = Parsed::default();
    if body["object"] != "whatsapp_business_account" {
        out.skipped += 1;
        return out;
    }
    for entry in body["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            if change["field"] != "messages" {
                continue;
            }
            read_change(&change["value"], &mut out);
        }
    }
    out
}

fn read_change(value: &Value, out: &mut Parsed) {
    let Some(account) = text_of(&value["metadata"]["phone_number_id"]) else {
        out.skipped += 1;
        return;
    };
    let contacts = value["contacts"].as_array().cloned().unwrap_or_default();
    for message in value["messages"].as_array().into_iter().flatten() {
        match read_message(message, &contacts, &account) {
            Some(event) => out.events.push(event),
            None => out.skipped += 1,
        }
    }
    for status in value["statuses"].as_array().into_iter().flatten() {
        match read_status(status, &account) {
            Some(event) => out.events.push(event),
            None => out.skipped += 1,
        }
    }
    for error in value["errors"].as_array().into_iter().flatten() {
        out.events.push(account_error(error, &account));
    }
}

/// The sender of a message: the `wa_id` when the person shares their number, else their
/// business-scoped user id; the profile name from the matching `contacts[]` entry.
fn sender_of(message: &Value, contacts: &[Value]) -> Option<Sender> {
    let phone = text_of(&message["from"]).filter(|f| is_wa_id(f));
    let user_id = text_of(&message["from_user_id"])
        .or_else(|| text_of(&message["user_id"]))
        .or_else(|| text_of(&message["from"]).filter(|f| !is_wa_id(f)));
    let contact = contacts.iter().find(|c| {
        phone.is_some() && text_of(&c["wa_id"]) == phone
            || user_id.is_some() && text_of(&c["user_id"]) == user_id
    });
    let contact = contact.or_else(|| (contacts.len() == 1).then(|| &contacts[0]));
    let user_id = user_id.or_else(|| contact.and_then(|c| text_of(&c["user_id"])));
    let id = phone.clone().or(user_id)?;
    let name = contact
        .and_then(|c| c["profile"]["name"].as_str())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| crate::lead::text::truncate(n, 256).to_owned());
    Some(Sender { id, phone, name })
}

/// A `wa_id`: the person's number, digits only with the country code.
fn is_wa_id(text: &str) -> bool {
    (6..=15).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

fn seconds_to_ms(value: &Value) -> i64 {
    text_of(value)
        .and_then(|t| t.parse::<i64>().ok())
        .map_or(0, |s| s.saturating_mul(1000))
}

fn read_message(message: &Value, contacts: &[Value], account: &str) -> Option<Event> {
    let key = text_of(&message["id"]).filter(|k| !k.is_empty())?;
    let sender = sender_of(message, contacts)?;
    let kind = message["type"].as_str().unwrap_or("unknown");
    let what = match kind {
        "text" => What::Text {
            text: bounded(message["text"]["body"].as_str().unwrap_or_default()),
        },
        "interactive" => {
            let interactive = &message["interactive"];
            let reply = match interactive["type"].as_str() {
                Some("button_reply") => Some(&interactive["button_reply"]),
                Some("list_reply") => Some(&interactive["list_reply"]),
                _ => None,
            };
            match reply {
                Some(r) => What::Reply {
                    id: bounded(r["id"].as_str().unwrap_or_default()),
                    title: bounded(r["title"].as_str().unwrap_or_default()),
                },
                None => What::Unreadable {
                    content: interactive["type"]
                        .as_str()
                        .unwrap_or("interactive")
                        .to_owned(),
                },
            }
        }
        // A tap on a template's quick-reply button.
        "button" => What::Reply {
            id: bounded(message["button"]["payload"].as_str().unwrap_or_default()),
            title: bounded(message["button"]["text"].as_str().unwrap_or_default()),
        },
        "reaction" => What::Reaction {
            emoji: bounded(message["reaction"]["emoji"].as_str().unwrap_or_default()),
        },
        "system" => What::System {
            text: bounded(message["system"]["body"].as_str().unwrap_or_default()),
        },
        other => What::Unreadable {
            content: crate::lead::text::truncate(other, 32).to_owned(),
        },
    };
    Some(Event {
        channel: Channel::Whatsapp,
        account: account.to_owned(),
        sender,
        key,
        at_ms: seconds_to_ms(&message["timestamp"]),
        what,
    })
}

fn read_status(status: &Value, account: &str) -> Option<Event> {
    let message_id = text_of(&status["id"]).filter(|k| !k.is_empty())?;
    let state = status["status"].as_str()?.to_owned();
    let recipient = text_of(&status["recipient_id"])
        .or_else(|| text_of(&status["recipient_user_id"]))
        .unwrap_or_default();
    let error = status["errors"].as_array().and_then(|errors| {
        errors.first().map(|e| {
            let code = text_of(&e["code"]).unwrap_or_default();
            let detail = e["error_data"]["details"]
                .as_str()
                .or(e["title"].as_str())
                .unwrap_or_default();
            crate::lead::text::truncate(&format!("{code}: {detail}"), 500).to_owned()
        })
    });
    Some(Event {
        channel: Channel::Whatsapp,
        account: account.to_owned(),
        key: format!("status:{message_id}:{state}"),
        sender: Sender {
            id: recipient,
            ..Sender::default()
        },
        at_ms: seconds_to_ms(&status["timestamp"]),
        what: What::Status {
            message_id,
            status: state,
            error,
        },
    })
}

fn account_error(error: &Value, account: &str) -> Event {
    let code = error["code"].as_i64().unwrap_or(0);
    let title = error["title"]
        .as_str()
        .or(error["message"].as_str())
        .unwrap_or_default();
    Event {
        channel: Channel::Whatsapp,
        account: account.to_owned(),
        key: format!("error:{}", digest(&error.to_string())),
        sender: Sender::default(),
        at_ms: 0,
        what: What::Error {
            code,
            title: crate::lead::text::truncate(title, 300).to_owned(),
        },
    }
}

/// A short stable digest, to key events that carry no id of their own.
pub(super) fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(value: Value) -> Value {
        json!({"object": "whatsapp_business_account", "entry": [{"id": "1022", "changes": [{"field": "messages", "value": value}]}]})
    }

    fn metadata() -> Value {
        json!({"display_phone_number": "15550783881", "phone_number_id": "106540352242922"})
    }

    #[test]
    fn a_text_names_its_sender_and_time() {
        let body = envelope(json!({
            "messaging_product": "whatsapp", "metadata": metadata(),
            "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
            "messages": [{"from": "16505551234", "id": "wamid.A", "timestamp": "1749416383", "type": "text", "text": {"body": "Hi"}}],
        }));
        let parsed = parse(&body);
        assert_eq!(parsed.skipped, 0);
        let e = &parsed.events[0];
        assert_eq!(e.account, "106540352242922");
        assert_eq!(e.sender.id, "16505551234");
        assert_eq!(e.sender.phone.as_deref(), Some("16505551234"));
        assert_eq!(e.sender.name.as_deref(), Some("Sheena Nelson"));
        assert_eq!(e.at_ms, 1_749_416_383_000);
        assert_eq!(e.what, What::Text { text: "Hi".into() });
    }

    #[test]
    fn every_message_type_has_a_reading() {
        let kinds = [
            (
                json!({"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "b1", "title": "Yes"}}}),
                What::Reply {
                    id: "b1".into(),
                    title: "Yes".into(),
                },
            ),
            (
                json!({"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": "r2", "title": "Q3", "description": "x"}}}),
                What::Reply {
                    id: "r2".into(),
                    title: "Q3".into(),
                },
            ),
            (
                json!({"type": "button", "button": {"payload": "Stop", "text": "Stop"}}),
                What::Reply {
                    id: "Stop".into(),
                    title: "Stop".into(),
                },
            ),
            (
                json!({"type": "image", "image": {"id": "m1", "mime_type": "image/jpeg"}}),
                What::Unreadable {
                    content: "image".into(),
                },
            ),
            (
                json!({"type": "location", "location": {"latitude": 1.0, "longitude": 2.0}}),
                What::Unreadable {
                    content: "location".into(),
                },
            ),
            (
                json!({"type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": "👍"}}),
                What::Reaction {
                    emoji: "👍".into()
                },
            ),
            (
                json!({"type": "unsupported", "errors": [{"code": 131051}]}),
                What::Unreadable {
                    content: "unsupported".into(),
                },
            ),
            (
                json!({"type": "system", "system": {"body": "changed number"}}),
                What::System {
                    text: "changed number".into(),
                },
            ),
            (
                json!({"type": "hologram"}),
                What::Unreadable {
                    content: "hologram".into(),
                },
            ),
        ];
        for (extra, want) in kinds {
            let mut message = json!({"from": "48601234567", "id": "wamid.K", "timestamp": "1"});
            for (k, v) in extra.as_object().unwrap() {
                message[k] = v.clone();
            }
            let body = envelope(json!({"metadata": metadata(), "messages": [message]}));
            assert_eq!(parse(&body).events[0].what, want);
        }
    }

    #[test]
    fn a_sender_without_a_number_is_keyed_by_the_business_scoped_id() {
        let body = envelope(json!({
            "metadata": metadata(),
            "contacts": [{"profile": {"name": "Kim", "username": "kim"}, "user_id": "US.13491208655302741918"}],
            "messages": [{"from_user_id": "US.13491208655302741918", "id": "wamid.B", "timestamp": "2", "type": "text", "text": {"body": "hello"}}],
        }));
        let e = &parse(&body).events[0];
        assert_eq!(e.sender.id, "US.13491208655302741918");
        assert_eq!(e.sender.phone, None);
        assert_eq!(e.sender.name.as_deref(), Some("Kim"));
    }

    #[test]
    fn statuses_and_errors_are_events_too() {
        let body = envelope(json!({
            "metadata": metadata(),
            "statuses": [{"id": "wamid.S", "status": "failed", "timestamp": "5", "recipient_id": "16505551234",
                          "errors": [{"code": 131047, "title": "Re-engagement message", "error_data": {"details": "24 hours"}}]}],
            "errors": [{"code": 130429, "title": "Rate limit hit"}],
        }));
        let events = parse(&body).events;
        assert_eq!(events[0].key, "status:wamid.S:failed");
        assert_eq!(
            events[0].what,
            What::Status {
                message_id: "wamid.S".into(),
                status: "failed".into(),
                error: Some("131047: 24 hours".into())
            }
        );
        assert_eq!(
            events[1].what,
            What::Error {
                code: 130429,
                title: "Rate limit hit".into()
            }
        );
    }

    #[test]
    fn batches_are_read_whole_and_junk_is_skipped() {
        let message = |id: &str| json!({"from": "48601234567", "id": id, "timestamp": "1", "type": "text", "text": {"body": id}});
        let body = json!({"object": "whatsapp_business_account", "entry": [
            {"id": "1", "changes": [
                {"field": "messages", "value": {"metadata": metadata(), "messages": [message("a"), message("b"), {"id": 7}]}},
                {"field": "account_update", "value": {"x": 1}},
            ]},
            {"id": "2", "changes": [{"field": "messages", "value": {"metadata": metadata(), "messages": [message("c")], "unknown": [1, 2]}}]},
            {"id": "3", "changes": "not a list"},
        ]});
        let parsed = parse(&body);
        let keys: Vec<&str> = parsed.events.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(parsed.skipped, 1);
        assert_eq!(parse(&json!({"object": "page"})).events.len(), 0);
    }
}
