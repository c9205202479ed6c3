//! Messenger Send API, for Facebook Page and Instagram conversations:
//! `POST /{version}/{page-id|me}/messages` with a page token, or
//! `POST /{version}/{ig-user-id}/messages` (Instagram API with Instagram Login).
//!
//! * A message (`text` or `attachment`, optional `quick_replies`) needs `messaging_type`:
//!   `RESPONSE` or `UPDATE` inside the user's 24-hour window, or `MESSAGE_TAG` with `tag:
//!   HUMAN_AGENT` (7 days); outside it, code 10 / subcode 2018278; the tags retired on 27 April
//!   2026 answer code 100
//!   (<https://developers.facebook.com/docs/messenger-platform/reference/send-api>).
//! * Text has a 2000-character limit on Messenger and must be under 1000 characters on
//!   Instagram (<https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message>);
//!   the simulator refuses 2000 and more on Messenger too (contracts §2 reads "under 2000"),
//!   counting UTF-16 code units. The simulator treats a recipient as an Instagram user when the
//!   request goes to the Instagram account's own path or the recipient wrote to the Instagram
//!   account (an `object: "instagram"` event delivered through the simulator, or
//!   `MetaSim::open_instagram_window`).
//! * Quick replies: at most 13; `text` ones need a title of at most 20 characters and a payload
//!   of at most 1000 (<https://developers.facebook.com/docs/messenger-platform/reference/buttons/quick-replies>);
//!   Instagram supports text quick replies only.
//! * `sender_action` (`mark_seen`, `typing_on`, `typing_off`, `react`, `unreact`) goes alone,
//!   without `message` (<https://developers.facebook.com/docs/graph-api/reference/page/messages>).
//!   The docs do not say whether sender actions need the window; the simulator requires it.
//!
//! Error `message` texts are the simulator's own unless cited: key on `code`.

use std::time::Duration;

use serde_json::{Value, json};

use super::callbacks::Receipt;
use super::errors::{self, Api, GraphError};
use super::state::Meta;
use super::wa_checks::len16;
use super::whatsapp::Accepted;
use super::{Platform, SentMessage};

const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
const HUMAN_AGENT_WINDOW: Duration = Duration::from_secs(7 * 24 * 60 * 60);
const MAX_QUICK_REPLIES: usize = 13;
const RETIRED_TAGS: &[&str] = &[
    "CONFIRMED_EVENT_UPDATE",
    "ACCOUNT_UPDATE",
    "POST_PURCHASE_UPDATE",
];
const SENDER_ACTIONS: &[&str] = &["mark_seen", "typing_on", "typing_off", "react", "unreact"];
const ATTACHMENT_TYPES: &[&str] = &["image", "audio", "video", "file", "template"];

/// Which inbox a send goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Messenger,
    Instagram,
}

impl Channel {
    /// The longest text accepted (exclusive).
    fn text_limit(self) -> usize {
        match self {
            Channel::Messenger => 2000,
            Channel::Instagram => 1000,
        }
    }
}

fn check_quick_replies(message: &Value, channel: Channel) -> Result<(), GraphError> {
    let Some(replies) = message.get("quick_replies") else {
        return Ok(());
    };
    let Some(replies) = replies.as_array() else {
        return Err(GraphError::parameter(
            "param message[quick_replies] must be an array",
        ));
    };
    if replies.is_empty() || replies.len() > MAX_QUICK_REPLIES {
        return Err(GraphError::parameter(
            "param message[quick_replies] must have 1 to 13 elements",
        ));
    }
    for reply in replies {
        let kind = reply["content_type"].as_str().unwrap_or_default();
        match (kind, channel) {
            ("text", _) => {
                let title = reply["title"].as_str().unwrap_or_default();
                if title.is_empty() || len16(title) > 20 {
                    return Err(GraphError::parameter(
                        "param message[quick_replies][title] must be 1 to 20 characters",
                    ));
                }
                let payload = reply["payload"].as_str().unwrap_or_default();
                if payload.is_empty() || len16(payload) > 1000 {
                    return Err(GraphError::parameter(
                        "param message[quick_replies][payload] must be 1 to 1000 characters",
                    ));
                }
            }
            ("user_phone_number" | "user_email", Channel::Messenger) => {}
            _ => {
                return Err(GraphError::parameter(format!(
                    "param message[quick_replies][content_type] '{kind}' is not supported here"
                )));
            }
        }
    }
    Ok(())
}

fn check_message(message: &Value, channel: Channel) -> Result<(), GraphError> {
    if !message.is_object() {
        return Err(GraphError::parameter("The parameter message is required"));
    }
    let text = message.get("text");
    let attachment = message.get("attachment");
    match (text, attachment) {
        (Some(_), Some(_)) => {
            return Err(GraphError::parameter(
                "message can have text or attachment, not both",
            ));
        }
        (None, None) => {
            return Err(GraphError::parameter(
                "message must have text or attachment",
            ));
        }
        (Some(text), None) => {
            let text = text.as_str().unwrap_or_default();
            if text.is_empty() {
                return Err(GraphError::parameter(
                    "param message[text] must be non-empty",
                ));
            }
            let limit = channel.text_limit();
            if len16(text) >= limit {
                return Err(GraphError::parameter(format!(
                    "Length of param message[text] must be less than {limit}"
                )));
            }
        }
        (None, Some(attachment)) => {
            let kind = attachment["type"].as_str().unwrap_or_default();
            if !ATTACHMENT_TYPES.contains(&kind) || !attachment["payload"].is_object() {
                return Err(GraphError::parameter(
                    "param message[attachment] needs a type (image, audio, video, file, template) and a payload",
                ));
            }
        }
    }
    check_quick_replies(message, channel)
}

/// The window a message of this `messaging_type` (and `tag`) may use.
fn allowed_window(body: &Value) -> Result<Duration, GraphError> {
    match body["messaging_type"].as_str() {
        None => Err(GraphError::parameter(
            "param messaging_type is required: one of {RESPONSE, UPDATE, MESSAGE_TAG}",
        )),
        Some("RESPONSE" | "UPDATE") => Ok(WINDOW),
        Some("MESSAGE_TAG") => match body["tag"].as_str().unwrap_or_default() {
            "HUMAN_AGENT" => Ok(HUMAN_AGENT_WINDOW),
            // Send API page: "Effective April 27th, 2026, all API requests containing the
            // Message Tags CONFIRMED_EVENT_UPDATE, ACCOUNT_UPDATE, and POST_PURCHASE_UPDATE will
            // receive error code 100."
            tag if RETIRED_TAGS.contains(&tag) => Err(GraphError::parameter(format!(
                "The message tag {tag} is no longer supported"
            ))),
            "" => Err(GraphError::parameter(
                "param tag is required when messaging_type is MESSAGE_TAG",
            )),
            _ => Err(GraphError::parameter(
                "Param tag must be a valid message tag",
            )),
        },
        Some(other) => Err(GraphError::parameter(format!(
            "Param messaging_type must be one of {{RESPONSE, UPDATE, MESSAGE_TAG}} - got \"{other}\""
        ))),
    }
}

/// Handle one send request to `node` (`me`, the page id or the Instagram account id).
pub(crate) fn send(meta: &Meta, node: &str, body: &Value) -> Result<Accepted, GraphError> {
    let recipient = body["recipient"]["id"]
        .as_str()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| GraphError::parameter("The parameter recipient is required"))?
        .to_owned();
    let channel = if node == meta.options.instagram_account_id || meta.on_instagram(&recipient) {
        Channel::Instagram
    } else {
        Channel::Messenger
    };
    if let Some(action) = body.get("sender_action") {
        let action = action.as_str().unwrap_or_default();
        if body.get("message").is_some() {
            return Err(GraphError::parameter(
                "sender_action must be sent alone, without message",
            ));
        }
        if !SENDER_ACTIONS.contains(&action.to_ascii_lowercase().as_str()) {
            return Err(GraphError::parameter(format!(
                "Param sender_action must be one of {{MARK_SEEN, TYPING_ON, TYPING_OFF, REACT, UNREACT}} - got \"{action}\""
            )));
        }
        if meta.options.enforce_window && !meta.window_open(&recipient, WINDOW) {
            return Err(errors::outside_window());
        }
        return Ok(Accepted {
            answer: json!({ "recipient_id": recipient }),
            receipt: None,
        });
    }
    let window = allowed_window(body)?;
    check_message(&body["message"], channel)?;
    // Messenger reports send errors in the answer only: an asynchronous failure fails now.
    if let Some(failure) = meta.injected_send_failure(&recipient) {
        return Err(meta.send_failure_error(&failure, Api::Messenger));
    }
    if meta.options.enforce_window && !meta.window_open(&recipient, window) {
        return Err(errors::outside_window());
    }
    let id = meta.next_id("m_");
    meta.keep(&SentMessage {
        platform: Platform::Messenger,
        to: recipient.clone(),
        id: id.clone(),
        body: body.clone(),
    });
    Ok(Accepted {
        answer: json!({ "recipient_id": recipient, "message_id": id }),
        receipt: Some(Receipt {
            platform: Platform::Messenger,
            id,
            to: recipient,
            failure: None,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::Options;

    fn text(text: &str) -> Value {
        json!({"text": text})
    }

    fn quick(title: &str) -> Value {
        json!({"content_type": "text", "title": title, "payload": "P"})
    }

    #[test]
    fn text_limits_per_channel() {
        assert!(check_message(&text(&"x".repeat(1999)), Channel::Messenger).is_ok());
        assert!(check_message(&text(&"x".repeat(2000)), Channel::Messenger).is_err());
        assert!(check_message(&text(&"x".repeat(999)), Channel::Instagram).is_ok());
        assert!(check_message(&text(&"x".repeat(1000)), Channel::Instagram).is_err());
        assert!(check_message(&text(""), Channel::Messenger).is_err());
        assert!(check_message(&json!({}), Channel::Messenger).is_err());
    }

    #[test]
    fn quick_reply_limits() {
        let ok = json!({"text": "Seats?", "quick_replies": (0..13).map(|i| quick(&i.to_string())).collect::<Vec<_>>()});
        assert!(check_message(&ok, Channel::Messenger).is_ok());
        let many = json!({"text": "Seats?", "quick_replies": (0..14).map(|i| quick(&i.to_string())).collect::<Vec<_>>()});
        assert!(check_message(&many, Channel::Messenger).is_err());
        let long = json!({"text": "Seats?", "quick_replies": [quick("A title longer than 20")]});
        assert!(check_message(&long, Channel::Messenger).is_err());
        let email = json!({"text": "Email?", "quick_replies": [{"content_type": "user_email"}]});
        assert!(check_message(&email, Channel::Messenger).is_ok());
        assert!(check_message(&email, Channel::Instagram).is_err());
    }

    #[test]
    fn messaging_type_is_required_and_tags_are_checked() {
        assert!(allowed_window(&json!({})).is_err());
        assert_eq!(
            allowed_window(&json!({"messaging_type": "UPDATE"})).unwrap(),
            WINDOW
        );
        assert_eq!(
            allowed_window(&json!({"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}))
                .unwrap(),
            HUMAN_AGENT_WINDOW
        );
        assert!(allowed_window(&json!({"messaging_type": "MESSAGE_TAG"})).is_err());
        assert!(
            allowed_window(
                &json!({"messaging_type": "MESSAGE_TAG", "tag": "POST_PURCHASE_UPDATE"})
            )
            .is_err()
        );
    }

    #[test]
    fn sender_actions_go_alone_and_instagram_is_told_apart() {
        let meta = Meta::new(Options::default());
        meta.open_window("1");
        let both = json!({"recipient": {"id": "1"}, "sender_action": "typing_on", "message": {"text": "x"}});
        assert_eq!(send(&meta, "me", &both).unwrap_err().code, 100);
        let typing = json!({"recipient": {"id": "1"}, "sender_action": "typing_on"});
        assert!(send(&meta, "me", &typing).is_ok());
        let long = json!({"recipient": {"id": "1"}, "messaging_type": "RESPONSE", "message": {"text": "x".repeat(1500)}});
        assert!(send(&meta, "me", &long).is_ok());
        let instagram = meta.options.instagram_account_id.clone();
        assert!(send(&meta, &instagram, &long).is_err());
        meta.mark_instagram("1");
        assert!(send(&meta, "me", &long).is_err());
    }
}
