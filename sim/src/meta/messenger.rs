//! Messenger Send API: `POST /{version}/{page-id|me}/messages` with a text (≤ 2000 characters,
//! ≤ 13 quick replies) or a `sender_action`. `RESPONSE` and `UPDATE` need the user's 24-hour
//! window (code 10 / subcode 2018278 otherwise); `MESSAGE_TAG` + `HUMAN_AGENT` allows 7 days;
//! the tags retired in April 2026 answer code 100.

use std::time::Duration;

use serde_json::{Value, json};

use super::errors::{self, GraphError};
use super::state::Meta;
use super::{Platform, SentMessage};

const MAX_TEXT: usize = 2000;
const MAX_QUICK_REPLIES: usize = 13;
const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
const HUMAN_AGENT_WINDOW: Duration = Duration::from_secs(7 * 24 * 60 * 60);
const RETIRED_TAGS: &[&str] = &[
    "CONFIRMED_EVENT_UPDATE",
    "ACCOUNT_UPDATE",
    "POST_PURCHASE_UPDATE",
];
const SENDER_ACTIONS: &[&str] = &["mark_seen", "typing_on", "typing_off", "react", "unreact"];

/// Handle one send request; the body of the success answer.
pub(crate) fn send(meta: &Meta, body: &Value) -> Result<Value, GraphError> {
    let recipient = body["recipient"]["id"]
        .as_str()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| GraphError::parameter("The parameter recipient is required"))?
        .to_owned();
    if let Some(action) = body["sender_action"].as_str() {
        if !SENDER_ACTIONS.contains(&action.to_ascii_lowercase().as_str()) {
            return Err(GraphError::parameter(format!(
                "Param sender_action must be one of {{MARK_SEEN, TYPING_ON, TYPING_OFF, REACT, UNREACT}} - got \"{action}\""
            )));
        }
        return Ok(json!({ "recipient_id": recipient }));
    }
    let message = &body["message"];
    if !message.is_object() {
        return Err(GraphError::parameter("The parameter message is required"));
    }
    if message["text"]
        .as_str()
        .is_some_and(|t| t.chars().count() > MAX_TEXT)
    {
        return Err(GraphError::parameter(
            "Length of param message[text] must be less than or equal to 2000",
        ));
    }
    if message["quick_replies"]
        .as_array()
        .is_some_and(|q| q.len() > MAX_QUICK_REPLIES)
    {
        return Err(GraphError::parameter(
            "param message[quick_replies] must have at most 13 elements",
        ));
    }
    let window = match body["messaging_type"].as_str().unwrap_or("RESPONSE") {
        "RESPONSE" | "UPDATE" => WINDOW,
        "MESSAGE_TAG" => match body["tag"].as_str().unwrap_or_default() {
            "HUMAN_AGENT" => HUMAN_AGENT_WINDOW,
            tag if RETIRED_TAGS.contains(&tag) => {
                return Err(GraphError::parameter(format!(
                    "The message tag {tag} is no longer supported"
                )));
            }
            _ => {
                return Err(GraphError::parameter(
                    "Param tag must be a valid message tag",
                ));
            }
        },
        other => {
            return Err(GraphError::parameter(format!(
                "Param messaging_type must be one of {{RESPONSE, UPDATE, MESSAGE_TAG}} - got \"{other}\""
            )));
        }
    };
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
    Ok(json!({ "recipient_id": recipient, "message_id": id }))
}
