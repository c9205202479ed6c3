//! Property tests of the webhook readers: any JSON, and any near-valid Meta payload with fields
//! of the wrong type, missing or extra, is read or skipped without a panic, and every event it
//! yields round-trips through its stored form.

use leadgate::channels::{Event, messenger, whatsapp};
use proptest::prelude::*;
use serde_json::{Value, json};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::from),
        prop::sample::select(vec![
            "whatsapp_business_account",
            "page",
            "instagram",
            "messages",
            "text",
            "interactive",
            "button_reply",
            "list_reply",
            "button",
            "image",
            "reaction",
            "status",
            "read",
            "delivery",
            "failed",
            "wamid.X",
            "16505551234",
            "US.1349",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "object",
                    "entry",
                    "changes",
                    "field",
                    "value",
                    "metadata",
                    "phone_number_id",
                    "contacts",
                    "messages",
                    "statuses",
                    "errors",
                    "from",
                    "id",
                    "timestamp",
                    "type",
                    "text",
                    "body",
                    "interactive",
                    "button_reply",
                    "title",
                    "wa_id",
                    "profile",
                    "name",
                    "messaging",
                    "sender",
                    "recipient",
                    "message",
                    "mid",
                    "postback",
                    "payload",
                    "quick_reply",
                    "is_echo",
                    "watermark",
                    "code",
                ]),
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn check(value: &Value) {
    for parsed in [whatsapp::parse(value), messenger::parse(value)] {
        for event in parsed.events {
            let stored = serde_json::to_string(&event).unwrap();
            let back: Event = serde_json::from_str(&stored).unwrap();
            assert_eq!(back, event);
            assert!(!event.key.is_empty());
        }
    }
}

/// A valid payload with one part replaced by an arbitrary value.
fn mutated() -> impl Strategy<Value = Value> {
    let base = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "A"}, "wa_id": "16505551234"}],
        "messages": [{"from": "16505551234", "id": "wamid.A", "timestamp": "1", "type": "text", "text": {"body": "hi"}}],
        "statuses": [{"id": "wamid.S", "status": "read", "timestamp": "2", "recipient_id": "16505551234"}]}}]}]});
    let paths: Vec<&'static str> = vec![
        "/object",
        "/entry",
        "/entry/0",
        "/entry/0/changes",
        "/entry/0/changes/0/value",
        "/entry/0/changes/0/value/metadata",
        "/entry/0/changes/0/value/messages/0",
        "/entry/0/changes/0/value/messages/0/type",
        "/entry/0/changes/0/value/messages/0/id",
        "/entry/0/changes/0/value/messages/0/text",
        "/entry/0/changes/0/value/contacts",
        "/entry/0/changes/0/value/statuses/0/status",
        "/entry/0/changes/0/value/messages/0/timestamp",
    ];
    (prop::sample::select(paths), any_json()).prop_map(move |(path, v)| {
        let mut b = base.clone();
        if let Some(slot) = b.pointer_mut(path) {
            *slot = v;
        }
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_json_is_read_or_skipped(v in any_json()) {
        check(&v);
    }

    #[test]
    fn broken_payloads_never_fail(v in mutated()) {
        check(&v);
    }

    #[test]
    fn any_bytes_are_refused_or_read(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            check(&v);
        }
    }
}
