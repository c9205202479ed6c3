//! The documented limits of WhatsApp message objects, checked before a send is accepted.
//!
//! Meta does not say how characters are counted; the simulator counts UTF-16 code units (an
//! emoji outside the Basic Multilingual Plane counts two), which is never more lenient than
//! counting code points. Missing required values answer 131008, values outside their limits
//! 131009 (error-codes page); the `details` wording is the simulator's own: key on the code.

use std::collections::HashSet;

use serde_json::Value;

use super::errors::GraphError;

/// Length as the simulator counts it.
pub(crate) fn len16(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `value` as a string, `None` when absent or not a string.
fn text(value: &Value) -> Option<&str> {
    value.as_str()
}

/// A required string of 1..=`max` characters.
fn required(value: &Value, what: &str, max: usize) -> Result<(), GraphError> {
    let Some(text) = text(value).filter(|t| !t.is_empty()) else {
        return Err(GraphError::missing(format!(
            "The parameter {what} is required."
        )));
    };
    at_most(text, what, max)
}

/// An optional string of at most `max` characters.
fn optional(value: &Value, what: &str, max: usize) -> Result<(), GraphError> {
    match value {
        Value::Null => Ok(()),
        Value::String(text) => at_most(text, what, max),
        _ => Err(GraphError::invalid_value(format!(
            "{what} must be a string."
        ))),
    }
}

fn at_most(text: &str, what: &str, max: usize) -> Result<(), GraphError> {
    if len16(text) > max {
        return Err(GraphError::invalid_value(format!(
            "{what} is too long: at most {max} characters."
        )));
    }
    Ok(())
}

/// Text messages: `text.body` 1..=4096 characters
/// (<https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/text-messages>).
pub(crate) fn text_message(body: &Value) -> Result<(), GraphError> {
    required(&body["text"]["body"], "text['body']", 4096)?;
    match &body["text"]["preview_url"] {
        Value::Null | Value::Bool(_) => Ok(()),
        _ => Err(GraphError::invalid_value(
            "text['preview_url'] must be a boolean.",
        )),
    }
}

/// Interactive types Meta documents; the simulator checks `button` and `list` in full and the
/// others for their common body and footer limits.
const INTERACTIVE_TYPES: &[&str] = &[
    "button",
    "list",
    "cta_url",
    "flow",
    "product",
    "product_list",
    "catalog_message",
    "carousel",
    "location_request_message",
    "address_message",
    "contact_request",
    "call_permission_request",
];

/// Interactive messages.
pub(crate) fn interactive(interactive: &Value) -> Result<(), GraphError> {
    let kind = text(&interactive["type"]).unwrap_or_default();
    if !INTERACTIVE_TYPES.contains(&kind) {
        return Err(if kind.is_empty() {
            GraphError::missing("The parameter interactive['type'] is required.")
        } else {
            GraphError::invalid_value(format!("Interactive type '{kind}' is not valid."))
        });
    }
    optional(&interactive["footer"]["text"], "footer['text']", 60)?;
    match kind {
        "button" => reply_buttons(interactive),
        "list" => list(interactive),
        _ => optional(&interactive["body"]["text"], "body['text']", 1024),
    }
}

/// Reply buttons: body 1..=1024, footer ≤ 60, an optional text (≤ 60), image, video or
/// document header, 1–3 `reply` buttons with unique ids of 1..=256 and unique titles of
/// 1..=20 characters
/// (<https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages>).
fn reply_buttons(interactive: &Value) -> Result<(), GraphError> {
    required(&interactive["body"]["text"], "body['text']", 1024)?;
    header(
        &interactive["header"],
        &["text", "image", "video", "document"],
    )?;
    let buttons = interactive["action"]["buttons"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if buttons.is_empty() || buttons.len() > 3 {
        return Err(GraphError::invalid_value(
            "Interactive buttons must be 1 to 3.",
        ));
    }
    let (mut ids, mut titles) = (HashSet::new(), HashSet::new());
    for button in buttons {
        if button["type"] != "reply" {
            return Err(GraphError::invalid_value("Button type must be 'reply'."));
        }
        required(&button["reply"]["id"], "Button id", 256)?;
        required(&button["reply"]["title"], "Button title", 20)?;
        if !ids.insert(&button["reply"]["id"]) {
            return Err(GraphError::invalid_value("Button ids must be unique."));
        }
        if !titles.insert(&button["reply"]["title"]) {
            return Err(GraphError::invalid_value("Button titles must be unique."));
        }
    }
    Ok(())
}

/// List messages: a text header ≤ 60, body 1..=4096, footer ≤ 60, `action.button` 1..=20,
/// 1–10 sections each with a title ≤ 24 (the page marks it required), at most 10 rows in all
/// sections together, row ids unique and ≤ 200, titles 1..=24, descriptions ≤ 72
/// (<https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-list-messages>).
fn list(interactive: &Value) -> Result<(), GraphError> {
    required(&interactive["body"]["text"], "body['text']", 4096)?;
    header(&interactive["header"], &["text"])?;
    required(&interactive["action"]["button"], "action['button']", 20)?;
    let sections = interactive["action"]["sections"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if sections.is_empty() || sections.len() > 10 {
        return Err(GraphError::invalid_value("Sections must be 1 to 10."));
    }
    let mut ids = HashSet::new();
    for section in sections {
        required(&section["title"], "Section title", 24)?;
        let rows = section["rows"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if rows.is_empty() {
            return Err(GraphError::invalid_value(
                "Each section must have at least one row.",
            ));
        }
        for row in rows {
            required(&row["id"], "Row id", 200)?;
            required(&row["title"], "Row title", 24)?;
            optional(&row["description"], "Row description", 72)?;
            if !ids.insert(&row["id"]) {
                return Err(GraphError::invalid_value("Row ids must be unique."));
            }
        }
    }
    if ids.len() > 10 {
        return Err(GraphError::invalid_value(
            "A list can have at most 10 rows in all sections.",
        ));
    }
    Ok(())
}

/// An optional header of one of `types`; text headers hold at most 60 characters.
fn header(header: &Value, types: &[&str]) -> Result<(), GraphError> {
    if header.is_null() {
        return Ok(());
    }
    let kind = text(&header["type"]).unwrap_or_default();
    if !types.contains(&kind) {
        return Err(GraphError::invalid_value(format!(
            "Header type must be one of {}.",
            types.join(", ")
        )));
    }
    if kind == "text" {
        required(&header["text"], "header['text']", 60)
    } else if header[kind]["id"].is_null() && header[kind]["link"].is_null() {
        Err(GraphError::missing(format!(
            "The parameter header['{kind}'] needs an id or a link."
        )))
    } else {
        Ok(())
    }
}

/// Media messages (`image`, `audio`, `video`, `document`, `sticker`): an uploaded `id` or a
/// `link`; captions (image, video, document) at most 1024 characters
/// (<https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/image-messages>
/// and its siblings).
pub(crate) fn media(kind: &str, object: &Value) -> Result<(), GraphError> {
    if object["id"].is_null() && object["link"].is_null() {
        return Err(GraphError::missing(format!(
            "The parameter {kind}['id'] or {kind}['link'] is required."
        )));
    }
    if matches!(kind, "audio" | "sticker") && !object["caption"].is_null() {
        return Err(GraphError::invalid_value(format!(
            "{kind} messages take no caption."
        )));
    }
    optional(&object["caption"], "caption", 1024)
}

/// Location messages: `latitude` and `longitude` are required numbers.
pub(crate) fn location(object: &Value) -> Result<(), GraphError> {
    if !object["latitude"].is_number() || !object["longitude"].is_number() {
        return Err(GraphError::missing(
            "The parameters location['latitude'] and location['longitude'] are required.",
        ));
    }
    Ok(())
}

/// Reactions: the `message_id` reacted to is required; an empty `emoji` removes a reaction.
pub(crate) fn reaction(object: &Value) -> Result<(), GraphError> {
    required(&object["message_id"], "reaction['message_id']", 512)?;
    if !object["emoji"].is_string() {
        return Err(GraphError::missing(
            "The parameter reaction['emoji'] is required.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn button(id: &str, title: &str) -> Value {
        json!({"type": "reply", "reply": {"id": id, "title": title}})
    }

    fn buttons(list: Vec<Value>) -> Value {
        json!({"type": "button", "body": {"text": "Pick"}, "action": {"buttons": list}})
    }

    fn rows(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| json!({"id": format!("r{i}"), "title": format!("Row {i}")}))
            .collect()
    }

    fn list_of(sections: Value) -> Value {
        json!({"type": "list", "body": {"text": "Choose"}, "action": {"button": "Options", "sections": sections}})
    }

    #[test]
    fn reply_button_limits() {
        assert!(interactive(&buttons(vec![button("a", "Yes"), button("b", "No")])).is_ok());
        let long = buttons(vec![button("a", "A title far too long to fit")]);
        assert_eq!(interactive(&long).unwrap_err().code, 131009);
        let many = (0..4)
            .map(|i| button(&i.to_string(), &i.to_string()))
            .collect();
        assert!(interactive(&buttons(many)).is_err());
        assert!(interactive(&buttons(vec![button("a", "Yes"), button("a", "No")])).is_err());
        assert!(interactive(&buttons(vec![button("a", "Same"), button("b", "Same")])).is_err());
        let no_body = json!({"type": "button", "action": {"buttons": [button("a", "Yes")]}});
        assert_eq!(interactive(&no_body).unwrap_err().code, 131008);
        // 20 emoji are 40 UTF-16 units: too long.
        assert!(interactive(&buttons(vec![button("a", &"😀".repeat(20))])).is_err());
        let mut header = buttons(vec![button("a", "Yes")]);
        header["header"] = json!({"type": "text", "text": "x".repeat(61)});
        assert!(interactive(&header).is_err());
    }

    #[test]
    fn list_limits() {
        let ok = list_of(
            json!([{"title": "A", "rows": rows(6)}, {"title": "B", "rows": [{"id": "z", "title": "Z", "description": "d".repeat(72)}]}]),
        );
        assert!(interactive(&ok).is_ok(), "{:?}", interactive(&ok));
        let eleven = list_of(json!([{"title": "A", "rows": rows(11)}]));
        assert!(interactive(&eleven).is_err());
        let split: Vec<Value> = (0..2)
            .map(|s| json!({"title": format!("S{s}"), "rows": (0..6).map(|i| json!({"id": format!("{s}-{i}"), "title": "t"})).collect::<Vec<_>>()}))
            .collect();
        assert!(
            interactive(&list_of(json!(split))).is_err(),
            "rows count across sections"
        );
        let untitled = list_of(json!([{"rows": rows(1)}]));
        assert_eq!(interactive(&untitled).unwrap_err().code, 131008);
        let long_row =
            list_of(json!([{"title": "A", "rows": [{"id": "x".repeat(201), "title": "t"}]}]));
        assert!(interactive(&long_row).is_err());
        let long_desc = list_of(
            json!([{"title": "A", "rows": [{"id": "x", "title": "t", "description": "d".repeat(73)}]}]),
        );
        assert!(interactive(&long_desc).is_err());
        let mut long_button = list_of(json!([{"title": "A", "rows": rows(1)}]));
        long_button["action"]["button"] = json!("b".repeat(21));
        assert!(interactive(&long_button).is_err());
        let mut image_header = list_of(json!([{"title": "A", "rows": rows(1)}]));
        image_header["header"] = json!({"type": "image", "image": {"id": "1"}});
        assert!(interactive(&image_header).is_err());
        let sections: Vec<Value> = (0..11)
            .map(|i| json!({"title": i.to_string(), "rows": [{"id": i.to_string(), "title": "t"}]}))
            .collect();
        assert!(interactive(&list_of(json!(sections))).is_err());
    }

    #[test]
    fn text_and_media_limits() {
        assert!(text_message(&json!({"text": {"body": "x".repeat(4096)}})).is_ok());
        assert!(text_message(&json!({"text": {"body": "x".repeat(4097)}})).is_err());
        assert_eq!(text_message(&json!({"text": {}})).unwrap_err().code, 131008);
        assert!(media("image", &json!({"link": "https://x/y.png", "caption": "c"})).is_ok());
        assert!(media("image", &json!({"caption": "c"})).is_err());
        assert!(media("audio", &json!({"id": "1", "caption": "c"})).is_err());
        assert!(location(&json!({"latitude": 1.0})).is_err());
        assert!(reaction(&json!({"message_id": "wamid.X", "emoji": ""})).is_ok());
    }
}
