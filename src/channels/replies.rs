//! A stored reply as each channel can show it. Quick replies become WhatsApp reply buttons
//! (at most 3, titles up to 20 characters) or a list (at most 10 rows, titles up to 24), or
//! Messenger quick replies (at most 13, titles up to 20); a set that fits none is written out
//! as numbered lines, and the visitor may answer with the number.
//!
//! Limits: WhatsApp `.../messages/interactive-reply-buttons-messages` and
//! `.../messages/interactive-list-messages`; Messenger
//! <https://developers.facebook.com/docs/messenger-platform/send-messages/quick-replies>.

use serde::Deserialize;
use serde_json::{Value, json};

/// A choice offered with a reply.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Choice {
    pub title: String,
    pub payload: String,
}

/// The choices stored with a message (`[{title, payload}]`).
pub fn choices(stored: Option<&str>) -> Vec<Choice> {
    stored
        .and_then(|q| serde_json::from_str(q).ok())
        .unwrap_or_default()
}

/// How a reply with choices goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Text only (no choices, or they were written into the text).
    Text(String),
    /// WhatsApp reply buttons.
    Buttons(String, Vec<Choice>),
    /// A WhatsApp list.
    List(String, Vec<Choice>),
    /// Messenger quick replies.
    QuickReplies(String, Vec<Choice>),
}

const WA_BODY: usize = 1024;
const WA_BUTTONS: usize = 3;
const WA_BUTTON_TITLE: usize = 20;
const WA_ROWS: usize = 10;
const WA_ROW_TITLE: usize = 24;
const WA_ID: usize = 200;
const MS_QUICK: usize = 13;
const MS_TITLE: usize = 20;
const MS_PAYLOAD: usize = 1000;

fn fits(choices: &[Choice], max: usize, title: usize, id: usize) -> bool {
    !choices.is_empty()
        && choices.len() <= max
        && choices.iter().all(|c| {
            let n = c.title.chars().count();
            n > 0 && n <= title && !c.payload.is_empty() && c.payload.chars().count() <= id
        })
}

/// The text with the choices written out as numbered lines.
pub fn numbered(text: &str, choices: &[Choice]) -> String {
    let mut out = text.to_owned();
    if !choices.is_empty() {
        out.push('\n');
    }
    for (i, c) in choices.iter().enumerate() {
        out.push_str(&format!("\n{}. {}", i + 1, c.title));
    }
    out
}

/// How a reply goes out on WhatsApp.
pub fn whatsapp_shape(text: &str, choices: &[Choice]) -> Shape {
    if choices.is_empty() {
        return Shape::Text(text.to_owned());
    }
    let body_fits = !text.is_empty() && text.chars().count() <= WA_BODY;
    if body_fits && fits(choices, WA_BUTTONS, WA_BUTTON_TITLE, WA_ID) {
        return Shape::Buttons(text.to_owned(), choices.to_vec());
    }
    if body_fits && fits(choices, WA_ROWS, WA_ROW_TITLE, WA_ID) {
        return Shape::List(text.to_owned(), choices.to_vec());
    }
    Shape::Text(numbered(text, choices))
}

/// How a reply goes out on Messenger or Instagram.
pub fn messenger_shape(text: &str, choices: &[Choice]) -> Shape {
    if choices.is_empty() {
        return Shape::Text(text.to_owned());
    }
    if fits(choices, MS_QUICK, MS_TITLE, MS_PAYLOAD) {
        return Shape::QuickReplies(text.to_owned(), choices.to_vec());
    }
    Shape::Text(numbered(text, choices))
}

/// The choice a visitor's answer picks by its number ("2", "2.", "nr 2"), when the last reply
/// offered choices.
pub fn by_number<'a>(answer: &str, choices: &'a [Choice]) -> Option<&'a Choice> {
    let trimmed = answer.trim().trim_end_matches(['.', ')']);
    let digits = trimmed.trim_start_matches(|c: char| !c.is_ascii_digit());
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Only a bare number, perhaps with a short word before it ("nr 2", "#2").
    if trimmed.len() - digits.len() > 3 {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    choices.get(n.checked_sub(1)?)
}

/// Splits text into parts of at most `max` characters, at a line or word break where possible
/// (Messenger refuses texts of 2,000 characters or more, Instagram of 1,000).
pub fn split(text: &str, max: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while rest.chars().count() > max {
        let cut = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let head = &rest[..cut];
        let at = head
            .rfind('\n')
            .or_else(|| head.rfind(' '))
            .filter(|&i| i > max / 2)
            .unwrap_or(cut);
        parts.push(rest[..at].trim_end().to_owned());
        rest = rest[at..].trim_start();
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(rest.to_owned());
    }
    parts
}

/// The WhatsApp send body for a reply. `to` is the person's `wa_id` (sent as E.164, since a
/// number without `+` gets the business number's country code prepended), or their
/// business-scoped user id.
pub fn whatsapp_body(to: &str, shape: &Shape, list_label: &str) -> Value {
    let mut body = json!({"messaging_product": "whatsapp", "recipient_type": "individual"});
    if to.bytes().all(|b| b.is_ascii_digit()) {
        body["to"] = json!(format!("+{to}"));
    } else {
        body["recipient"] = json!(to);
    }
    match shape {
        Shape::Text(text) | Shape::QuickReplies(text, _) => {
            body["type"] = json!("text");
            body["text"] = json!({"preview_url": false, "body": text});
        }
        Shape::Buttons(text, choices) => {
            let buttons: Vec<Value> = choices
                .iter()
                .map(|c| json!({"type": "reply", "reply": {"id": c.payload, "title": c.title}}))
                .collect();
            body["type"] = json!("interactive");
            body["interactive"] =
                json!({"type": "button", "body": {"text": text}, "action": {"buttons": buttons}});
        }
        Shape::List(text, choices) => {
            let rows: Vec<Value> = choices
                .iter()
                .map(|c| json!({"id": c.payload, "title": c.title}))
                .collect();
            // The button label (at most 20 characters) also titles the one section, which
            // Meta requires (at most 24).
            let label: String = list_label.chars().take(20).collect();
            body["type"] = json!("interactive");
            body["interactive"] = json!({"type": "list", "body": {"text": text},
                "action": {"button": label, "sections": [{"title": label, "rows": rows}]}});
        }
    }
    body
}

/// The Messenger / Instagram send body for one part of a reply; quick replies ride on the last
/// part.
pub fn messenger_body(to: &str, text: &str, choices: &[Choice], tag: Option<&str>) -> Value {
    let mut message = json!({"text": text});
    if !choices.is_empty() {
        let quick: Vec<Value> = choices
            .iter()
            .map(|c| json!({"content_type": "text", "title": c.title, "payload": c.payload}))
            .collect();
        message["quick_replies"] = json!(quick);
    }
    let mut body = json!({"recipient": {"id": to}, "message": message});
    match tag {
        Some(tag) => {
            body["messaging_type"] = json!("MESSAGE_TAG");
            body["tag"] = json!(tag);
        }
        None => body["messaging_type"] = json!("RESPONSE"),
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(title: &str) -> Choice {
        Choice {
            title: title.into(),
            payload: title.into(),
        }
    }

    #[test]
    fn each_channel_gets_the_shape_that_fits() {
        let two = [choice("Yes, please"), choice("No, thanks")];
        assert!(matches!(
            whatsapp_shape("Call you?", &two),
            Shape::Buttons(..)
        ));
        let four: Vec<Choice> = [
            "Under €1,000",
            "€1,000–5,000",
            "Over €5,000",
            "Not sure yet",
        ]
        .map(choice)
        .to_vec();
        assert!(matches!(whatsapp_shape("Budget?", &four), Shape::List(..)));
        assert!(matches!(
            messenger_shape("Budget?", &four),
            Shape::QuickReplies(..)
        ));
        let long = [choice("A title far longer than twenty-four characters")];
        let Shape::Text(text) = whatsapp_shape("Pick one", &long) else {
            panic!("a title too long for any form is written out");
        };
        assert_eq!(
            text,
            "Pick one\n\n1. A title far longer than twenty-four characters"
        );
        let many: Vec<Choice> = (1..=14).map(|i| choice(&format!("Option {i}"))).collect();
        assert!(matches!(messenger_shape("x", &many), Shape::Text(_)));
        assert!(matches!(whatsapp_shape("x", &many), Shape::Text(_)));
        assert_eq!(whatsapp_shape("plain", &[]), Shape::Text("plain".into()));
    }

    #[test]
    fn a_number_answers_a_written_out_list() {
        let c = [choice("Q1"), choice("Q2"), choice("Q3")];
        assert_eq!(by_number("2", &c), Some(&c[1]));
        assert_eq!(by_number(" 3. ", &c), Some(&c[2]));
        assert_eq!(by_number("nr 1", &c), Some(&c[0]));
        assert_eq!(by_number("4", &c), None);
        assert_eq!(by_number("0", &c), None);
        assert_eq!(by_number("we are 2 people", &c), None);
        assert_eq!(by_number("601 234 567", &c), None);
        assert_eq!(by_number("", &c), None);
    }

    #[test]
    fn long_texts_split_at_breaks() {
        let text = "word ".repeat(500);
        let parts = split(&text, 1000);
        assert!(parts.iter().all(|p| p.chars().count() <= 1000));
        assert_eq!(parts.join(" ").split_whitespace().count(), 500);
        assert_eq!(split("short", 1000), vec!["short"]);
        let unbroken = "x".repeat(2500);
        let parts = split(&unbroken, 1000);
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
    }

    #[test]
    fn bodies_follow_the_send_apis() {
        let b = whatsapp_body("48601234567", &whatsapp_shape("Hi", &[]), "Choose");
        assert_eq!(b["to"], "+48601234567");
        assert_eq!(b["text"]["body"], "Hi");
        let b = whatsapp_body(
            "US.1349",
            &whatsapp_shape("Go?", &[choice("Yes")]),
            "Choose",
        );
        assert_eq!(b["recipient"], "US.1349");
        assert_eq!(
            b["interactive"]["action"]["buttons"][0]["reply"]["title"],
            "Yes"
        );
        let m = messenger_body("6789", "Hi", &[choice("Yes")], None);
        assert_eq!(m["messaging_type"], "RESPONSE");
        assert_eq!(m["message"]["quick_replies"][0]["content_type"], "text");
        let tagged = messenger_body("6789", "Hi", &[], Some("HUMAN_AGENT"));
        assert_eq!(tagged["messaging_type"], "MESSAGE_TAG");
        assert_eq!(tagged["tag"], "HUMAN_AGENT");
    }
}
