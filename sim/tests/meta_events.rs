//! The inbound event builders of the Meta simulator: each payload in Meta's webhook shape,
//! with fresh ids.

use leadgate_sim::meta::{MetaSim, Options, WaUser};
use serde_json::{Value, json};

fn message(payload: &Value) -> &Value {
    &payload["entry"][0]["changes"][0]["value"]["messages"][0]
}

#[tokio::test]
async fn every_whatsapp_type_has_its_object_and_a_fresh_id() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let from = WaUser::phone("16505551234", "Sheena Nelson");
    let payloads = [
        ("text", sim.whatsapp_text_from(&from, "hi")),
        (
            "interactive",
            sim.whatsapp_button_reply_from(&from, "b1", "Yes", "wamid.C"),
        ),
        (
            "interactive",
            sim.whatsapp_list_reply_event(&from, "r1", "Express", Some("1 day"), "wamid.C"),
        ),
        (
            "button",
            sim.whatsapp_template_button_event(&from, "STOP", "Stop", "wamid.C"),
        ),
        ("image", sim.whatsapp_image_event(&from, Some("Taj Mahal"))),
        ("audio", sim.whatsapp_audio_event(&from, true)),
        ("video", sim.whatsapp_video_event(&from, None)),
        (
            "document",
            sim.whatsapp_document_event(&from, "receipt.pdf", Some("my receipt")),
        ),
        ("sticker", sim.whatsapp_sticker_event(&from, false)),
        (
            "location",
            sim.whatsapp_location_event(&from, 37.44, -122.16, Some("Philz Coffee"), None),
        ),
        (
            "contacts",
            sim.whatsapp_contacts_event(&from, "Barbara J. Johnson", "+1 (415) 555-0829"),
        ),
        (
            "reaction",
            sim.whatsapp_reaction_event(&from, "wamid.C", Some("👍")),
        ),
        ("unsupported", sim.whatsapp_unsupported_event(&from, "poll")),
        (
            "system",
            sim.whatsapp_system_event(&from, &WaUser::phone("12195555358", "Sheena Nelson")),
        ),
    ];
    let mut ids = std::collections::HashSet::new();
    for (kind, payload) in &payloads {
        let message = message(payload);
        assert_eq!(message["type"], *kind, "{payload}");
        assert!(
            message.get(*kind).is_some(),
            "{kind} object missing: {payload}"
        );
        assert_eq!(message["from"], "16505551234");
        assert!(
            message["timestamp"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .is_ok()
        );
        assert!(
            ids.insert(message["id"].as_str().unwrap().to_owned()),
            "duplicate id"
        );
    }
    let list = message(&payloads[2].1);
    assert_eq!(list["interactive"]["list_reply"]["description"], "1 day");
    assert_eq!(list["context"]["from"], sim.options().display_phone_number);
    let button = message(&payloads[3].1);
    assert_eq!(button["button"], json!({"payload": "STOP", "text": "Stop"}));
    let image = &message(&payloads[4].1)["image"];
    for field in ["mime_type", "sha256", "id", "url", "caption"] {
        assert!(image[field].is_string(), "image.{field}");
    }
    assert!(message(&payloads[6].1)["video"].get("caption").is_none());
    assert_eq!(
        message(&payloads[10].1)["contacts"][0]["phones"][0]["wa_id"],
        "14155550829"
    );
    assert_eq!(message(&payloads[12].1)["errors"][0]["code"], 131051);
    let removed = sim.whatsapp_reaction_event(&from, "wamid.C", None);
    assert!(message(&removed)["reaction"].get("emoji").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn bsuid_text_omits_the_phone_everywhere() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let payload =
        sim.whatsapp_bsuid_text_event("US.13491208655302741918", "@sheena", "Sheena", "hi");
    let value = &payload["entry"][0]["changes"][0]["value"];
    assert_eq!(value["contacts"][0]["user_id"], "US.13491208655302741918");
    assert_eq!(value["contacts"][0]["profile"]["username"], "@sheena");
    assert!(value["contacts"][0].get("wa_id").is_none());
    assert!(message(&payload).get("from").is_none());
    assert_eq!(message(&payload)["from_user_id"], "US.13491208655302741918");
    sim.shutdown().await;
}

#[tokio::test]
async fn receipts_and_errors() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    for status in ["sent", "delivered", "read"] {
        let receipt = sim.whatsapp_status_event("wamid.X", status, "16505551234");
        let entry = &receipt["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert_eq!(entry["status"], status);
        assert_eq!(entry["recipient_id"], "16505551234");
        assert_eq!(entry.get("pricing").is_some(), status != "read");
    }
    for code in [131047, 131049, 131026] {
        let failed = sim.whatsapp_failed_status_event("wamid.X", "16505551234", code);
        let entry = &failed["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert_eq!(entry["errors"][0]["code"], code);
        assert!(entry.get("pricing").is_none());
    }
    let to_bsuid = sim.whatsapp_status_event("wamid.X", "delivered", "US.1");
    let value = &to_bsuid["entry"][0]["changes"][0]["value"];
    assert!(value["statuses"][0].get("recipient_id").is_none());
    assert_eq!(value["statuses"][0]["recipient_user_id"], "US.1");
    assert_eq!(value["contacts"][0]["user_id"], "US.1");
    let errors = sim.whatsapp_errors_event(130429);
    assert_eq!(
        errors["entry"][0]["changes"][0]["value"]["errors"][0]["code"],
        130429
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn messenger_and_instagram_events() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let page = sim.options().page_id.clone();
    let quick = sim.messenger_quick_reply_event("6789", "Book a demo", "BOOK_DEMO");
    let event = &quick["entry"][0]["messaging"][0];
    assert_eq!(event["message"]["quick_reply"]["payload"], "BOOK_DEMO");
    assert_eq!(event["recipient"]["id"], page.as_str());
    let echo = sim.messenger_echo_event("6789", "Thanks!");
    let event = &echo["entry"][0]["messaging"][0];
    assert_eq!(event["sender"]["id"], page.as_str());
    assert_eq!(event["message"]["is_echo"], true);
    assert_eq!(event["message"]["app_id"], sim.options().app_id);
    let read = sim.messenger_read_event("6789", 1_458_668_856_253);
    assert_eq!(
        read["entry"][0]["messaging"][0]["read"]["watermark"],
        1_458_668_856_253_i64
    );
    let delivery = sim.messenger_delivery_event("6789", &["m_1"], 5);
    let event = &delivery["entry"][0]["messaging"][0];
    assert_eq!(event["delivery"], json!({"mids": ["m_1"], "watermark": 5}));
    assert!(event.get("timestamp").is_none());
    let dm = sim.instagram_text_event("1234", "Do you ship to Canada?");
    assert_eq!(dm["object"], "instagram");
    assert_eq!(
        dm["entry"][0]["id"],
        sim.options().instagram_account_id.as_str()
    );
    let mention = sim.instagram_story_mention_event("1234", "https://cdn.example/story");
    let attachment = &mention["entry"][0]["messaging"][0]["message"]["attachments"][0];
    assert_eq!(attachment["type"], "story_mention");
    assert_eq!(attachment["payload"]["url"], "https://cdn.example/story");
    assert_ne!(
        dm["entry"][0]["messaging"][0]["message"]["mid"],
        mention["entry"][0]["messaging"][0]["message"]["mid"]
    );
    sim.shutdown().await;
}
