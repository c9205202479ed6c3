//! Messenger and Instagram webhooks, read into [`Event`]s.
//!
//! Shape: `{"object": "page" | "instagram", "entry": [{"id", "time", "messaging": [{sender,
//! recipient, timestamp, message | postback | read | delivery | reaction}]}]}`
//! (<https://developers.facebook.com/docs/messenger-platform/reference/webhook-events>; Instagram
//! uses the same events with `object: "instagram"`). Timestamps are milliseconds. Our own sends
//! come back as echoes (`message.is_echo`), which are ignored.

use serde_json::Value;

use super::event::{Channel, Event, Parsed, Sender, What, bounded, text_of};

/// Reads a Messenger or Instagram webhook body.
pub fn parse(body: &Value) -> Parsed {
    let mut out = Parsed::default();
    let channel = match body["object"].as_str() {
        Some("page") => Channel::Messenger,
        Some("instagram") => Channel::Instagram,
        _ => {
            out.skipped += 1;
            return out;
        }
    };
    for entry in body["entry"].as_array().into_iter().flatten() {
        let Some(account) = text_of(&entry["id"]) else {
            out.skipped += 1;
            continue;
        };
        for item in entry["messaging"].as_array().into_iter().flatten() {
            match read_item(item, channel, &account) {
                Some(event) => out.events.push(event),
                None => out.skipped += 1,
            }
        }
    }
    out
}

fn read_item(item: &Value, channel: Channel, account: &str) -> Option<Event> {
    let sender_id = text_of(&item["sender"]["id"]).filter(|s| !s.is_empty())?;
    let at_ms = item["timestamp"].as_i64().unwrap_or(0);
    let message = &item["message"];
    let (key, what, person) = if message.is_object() {
        let mid = text_of(&message["mid"]).filter(|m| !m.is_empty())?;
        if message["is_echo"].as_bool() == Some(true) {
            // The page is the sender of an echo; the person is the recipient.
            let person = text_of(&item["recipient"]["id"]).unwrap_or_default();
            (mid, What::Echo, person)
        } else {
            (mid, read_message(message), sender_id)
        }
    } else if let Some(postback) = item["postback"].as_object() {
        let payload = postback
            .get("payload")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let title = postback
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or(payload);
        let key = postback
            .get("mid")
            .and_then(text_of)
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| format!("postback:{sender_id}:{at_ms}"));
        let what = What::Reply {
            id: bounded(payload),
            title: bounded(title),
        };
        (key, what, sender_id)
    } else if let Some(watermark) = item["read"]["watermark"].as_i64() {
        let what = What::Watermark {
            status: "read".into(),
            watermark,
        };
        (format!("read:{sender_id}:{watermark}"), what, sender_id)
    } else if let Some(watermark) = item["delivery"]["watermark"].as_i64() {
        let what = What::Watermark {
            status: "delivered".into(),
            watermark,
        };
        (format!("delivery:{sender_id}:{watermark}"), what, sender_id)
    } else if item["reaction"].is_object() {
        let reaction = &item["reaction"];
        let emoji = reaction["emoji"]
            .as_str()
            .or(reaction["reaction"].as_str())
            .unwrap_or_default();
        let key = format!(
            "reaction:{}:{}:{}",
            text_of(&reaction["mid"]).unwrap_or_default(),
            reaction["action"].as_str().unwrap_or("react"),
            at_ms
        );
        (
            key,
            What::Reaction {
                emoji: bounded(emoji),
            },
            sender_id,
        )
    } else {
        return None;
    };
    Some(Event {
        channel,
        account: account.to_owned(),
        sender: Sender {
            id: person,
            ..Sender::default()
        },
        key,
        at_ms,
        what,
    })
}

fn read_message(message: &Value) -> What {
    if let Some(payload) = message["quick_reply"]["payload"].as_str() {
        return What::Reply {
            id: bounded(payload),
            title: bounded(message["text"].as_str().unwrap_or(payload)),
        };
    }
    if let Some(text) = message["text"].as_str() {
        return What::Text {
            text: bounded(text),
        };
    }
    let content = message["attachments"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|a| a["type"].as_str())
        .unwrap_or("unsupported");
    What::Unreadable {
        content: crate::lead::text::truncate(content, 32).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(object: &str, items: Vec<Value>) -> Value {
        json!({"object": object, "entry": [{"id": "682498302938465", "time": 1, "messaging": items}]})
    }

    fn item(extra: Value) -> Value {
        let mut v = json!({"sender": {"id": "6789"}, "recipient": {"id": "682498302938465"}, "timestamp": 1458692752478i64});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    }

    // Long on purpose: a table of payloads, one event kind after another, read top to bottom.
    #[test]
    fn messenger_and_instagram_events_are_read() {
        let parsed = parse(&body(
            "page",
            vec![
                item(json!({"message": {"mid": "m_1", "text": "hello"}})),
                item(
                    json!({"message": {"mid": "m_2", "text": "Yes", "quick_reply": {"payload": "consent:accept"}}}),
                ),
                item(
                    json!({"postback": {"mid": "m_3", "title": "Talk to us", "payload": "start"}}),
                ),
                item(
                    json!({"message": {"mid": "m_4", "attachments": [{"type": "image", "payload": {"url": "x"}}]}}),
                ),
                item(json!({"read": {"watermark": 1458668856253i64}})),
                item(json!({"delivery": {"mids": ["m_9"], "watermark": 1458668856253i64}})),
                item(
                    json!({"message": {"mid": "m_5", "is_echo": true, "app_id": 1, "text": "ours"}}),
                ),
                item(json!({"standby": true})),
            ],
        ));
        let whats: Vec<&What> = parsed.events.iter().map(|e| &e.what).collect();
        assert_eq!(
            whats[0],
            &What::Text {
                text: "hello".into()
            }
        );
        assert_eq!(
            whats[1],
            &What::Reply {
                id: "consent:accept".into(),
                title: "Yes".into()
            }
        );
        assert_eq!(
            whats[2],
            &What::Reply {
                id: "start".into(),
                title: "Talk to us".into()
            }
        );
        assert_eq!(
            whats[3],
            &What::Unreadable {
                content: "image".into()
            }
        );
        assert_eq!(
            whats[4],
            &What::Watermark {
                status: "read".into(),
                watermark: 1458668856253
            }
        );
        assert_eq!(
            whats[5],
            &What::Watermark {
                status: "delivered".into(),
                watermark: 1458668856253
            }
        );
        assert_eq!(whats[6], &What::Echo);
        assert_eq!(parsed.skipped, 1);
        assert!(
            parsed
                .events
                .iter()
                .all(|e| e.channel == Channel::Messenger)
        );
        assert_eq!(parsed.events[0].sender.id, "6789");
        assert_eq!(parsed.events[0].at_ms, 1458692752478);

        let ig = parse(&body(
            "instagram",
            vec![item(
                json!({"message": {"mid": "ig_1", "attachments": [{"type": "story_mention", "payload": {"url": "x"}}]}}),
            )],
        ));
        assert_eq!(ig.events[0].channel, Channel::Instagram);
        assert_eq!(
            ig.events[0].what,
            What::Unreadable {
                content: "story_mention".into()
            }
        );
    }

    #[test]
    fn other_objects_are_skipped() {
        assert_eq!(parse(&json!({"object": "user"})).skipped, 1);
        assert!(parse(&json!([])).events.is_empty());
    }
}
