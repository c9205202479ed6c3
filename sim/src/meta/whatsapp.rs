//! WhatsApp Cloud API sends: `POST /{version}/{phone_number_id}/messages` with text,
//! interactive, template (and other media) messages, or a read receipt with a typing
//! indicator. Free-form messages need the recipient's 24-hour window to be open (error 131047
//! otherwise); templates do not.

use std::time::Duration;

use serde_json::{Value, json};

use super::errors::{self, GraphError};
use super::state::{Meta, success};
use super::{Platform, SentMessage};

/// Longest text body.
const MAX_TEXT: usize = 4096;
/// The customer-service window.
const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

fn invalid(details: &str) -> GraphError {
    GraphError::new(131009, "(#131009) Parameter value is not valid").details(details)
}

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

/// Check an interactive message's limits (reply buttons: at most 3, title ≤ 20, id ≤ 256;
/// body ≤ 1024; footer ≤ 60).
fn check_interactive(interactive: &Value) -> Result<(), GraphError> {
    if chars(&interactive["body"]["text"]) > 1024 {
        return Err(invalid("Interactive body text is too long (max 1024)."));
    }
    if chars(&interactive["footer"]["text"]) > 60 {
        return Err(invalid("Interactive footer text is too long (max 60)."));
    }
    if interactive["type"] == "button" {
        let buttons = interactive["action"]["buttons"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if buttons.is_empty() || buttons.len() > 3 {
            return Err(invalid("Interactive buttons must be 1 to 3."));
        }
        for button in &buttons {
            if chars(&button["reply"]["title"]) == 0 || chars(&button["reply"]["title"]) > 20 {
                return Err(invalid("Button title length must be 1 to 20 characters."));
            }
            if chars(&button["reply"]["id"]) == 0 || chars(&button["reply"]["id"]) > 256 {
                return Err(invalid("Button id length must be 1 to 256 characters."));
            }
        }
    }
    Ok(())
}

/// The `wa_id` of a `to` number: digits only.
pub(crate) fn wa_id(to: &str) -> String {
    to.chars().filter(char::is_ascii_digit).collect()
}

/// Handle one send request; the body of the success answer.
pub(crate) fn send(meta: &Meta, body: &Value) -> Result<Value, GraphError> {
    if body["messaging_product"] != "whatsapp" {
        return Err(GraphError::parameter(
            "The parameter messaging_product is required.",
        ));
    }
    if body["status"] == "read" {
        if body["message_id"].as_str().is_none_or(str::is_empty) {
            return Err(GraphError::parameter(
                "The parameter message_id is required.",
            ));
        }
        return Ok(success());
    }
    let to = body["to"]
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| GraphError::parameter("The parameter to is required."))?;
    let kind = body["type"].as_str().unwrap_or("text");
    match kind {
        "text" => {
            let text = body["text"]["body"].as_str().unwrap_or_default();
            if text.is_empty() {
                return Err(GraphError::parameter(
                    "The parameter text['body'] is required.",
                ));
            }
            if text.chars().count() > MAX_TEXT {
                return Err(invalid("Message text is too long (max 4096)."));
            }
        }
        "interactive" => check_interactive(&body["interactive"])?,
        "template" if body["template"]["name"].as_str().is_none_or(str::is_empty) => {
            return Err(GraphError::parameter(
                "The parameter template['name'] is required.",
            ));
        }
        _ => {}
    }
    let recipient = wa_id(to);
    if kind != "template" && meta.options.enforce_window && !meta.window_open(&recipient, WINDOW) {
        return Err(errors::reengagement());
    }
    if !meta.admit_pair(&recipient) {
        return Err(errors::pair_rate_limit());
    }
    let id = meta.next_id("wamid.HBgL");
    meta.keep(&SentMessage {
        platform: Platform::WhatsApp,
        to: recipient.clone(),
        id: id.clone(),
        body: body.clone(),
    });
    Ok(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": recipient}],
        "messages": [{"id": id, "message_status": "accepted"}],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interactive_limits() {
        let button = |title: &str| json!({"type": "reply", "reply": {"id": "x", "title": title}});
        let ok = json!({"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [button("Yes"), button("No")]}});
        assert!(check_interactive(&ok).is_ok());
        let long = json!({"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [button("A title far too long to fit")]}});
        assert_eq!(check_interactive(&long).unwrap_err().code, 131009);
        let many = json!({"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [button("1"), button("2"), button("3"), button("4")]}});
        assert!(check_interactive(&many).is_err());
    }

    #[test]
    fn wa_ids_are_digits() {
        assert_eq!(wa_id("+1 (650) 555-1234"), "16505551234");
    }
}
