//! WhatsApp Cloud API sends: `POST /{version}/{phone_number_id}/messages` with a message, or a
//! read receipt with an optional typing indicator.
//!
//! * Recipients: `to`, a phone number (`+`, hyphens, parentheses and spaces allowed; without
//!   `+` Meta prepends the business number's country calling code — "This can result in
//!   undelivered or misdelivered messages",
//!   <https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/phone-numbers>),
//!   or `recipient`, a BSUID; with both, `to` wins, and the answer's `contacts[]` names
//!   `input` and `wa_id` or `user_id` accordingly
//!   (<https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids>,
//!   "Send message requests").
//! * Free-form messages need the recipient's 24-hour customer-service window (131047);
//!   templates do not, but must be approved in that language (132001).
//! * Message limits are checked in `wa_checks.rs`.

use std::time::Duration;

use serde_json::{Value, json};

use super::callbacks::Receipt;
use super::errors::{self, Api, GraphError};
use super::state::{Meta, success};
use super::wa_checks;
use super::wa_events::is_bsuid;
use super::{Platform, SentMessage};

/// The customer-service window.
const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// Message types the Messages API sends.
const TYPES: &[&str] = &[
    "text",
    "interactive",
    "template",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "reaction",
];

/// An accepted send: the answer body and, for messages, what status callbacks report on.
#[derive(Debug)]
pub(crate) struct Accepted {
    pub answer: Value,
    pub receipt: Option<Receipt>,
}

/// The `wa_id` of a `to` number: digits only.
pub(crate) fn wa_id(to: &str) -> String {
    to.chars().filter(char::is_ascii_digit).collect()
}

/// Who a send is addressed to.
struct Recipient {
    /// What the request named (`contacts[].input`).
    input: String,
    /// Phone digits (with the business country code prepended if `+` was missing) or BSUID.
    key: String,
    bsuid: bool,
}

fn recipient(meta: &Meta, body: &Value) -> Result<Recipient, GraphError> {
    match body["recipient_type"].as_str() {
        None | Some("individual") => {}
        Some(other) => {
            return Err(GraphError::invalid_value(format!(
                "recipient_type '{other}' is not supported."
            )));
        }
    }
    if let Some(to) = body["to"].as_str().filter(|t| !t.trim().is_empty()) {
        let allowed = to
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | ' '));
        let digits = wa_id(to);
        if !allowed
            || to
                .trim_start()
                .get(1..)
                .is_some_and(|rest| rest.contains('+'))
        {
            return Err(GraphError::invalid_parameter(format!(
                "'{to}' is not a phone number: use `recipient` for a BSUID."
            )));
        }
        let key = if to.trim_start().starts_with('+') {
            digits
        } else {
            format!("{}{digits}", meta.options.business_country_code)
        };
        // E.164 numbers have at most 15 digits.
        if !(7..=15).contains(&key.len()) {
            return Err(GraphError::invalid_parameter(format!(
                "'{to}' is not a valid phone number."
            )));
        }
        return Ok(Recipient {
            input: to.to_owned(),
            key,
            bsuid: false,
        });
    }
    match body["recipient"].as_str() {
        Some(id) if is_bsuid(id) => Ok(Recipient {
            input: id.to_owned(),
            key: id.to_owned(),
            bsuid: true,
        }),
        Some(id) => Err(GraphError::invalid_parameter(format!(
            "'{id}' is not a business-scoped user ID."
        ))),
        None => Err(GraphError::missing(
            "The parameter to (phone number) or recipient (BSUID) is required.",
        )),
    }
}

/// A read receipt, with or without a typing indicator. The message must be one the business
/// received: the mark-as-read and typing-indicator pages take "the `message.id` value" of a
/// received-message webhook and say outgoing messages cannot be marked as read
/// (<https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/mark-message-as-read>,
/// <https://developers.facebook.com/documentation/business-messaging/whatsapp/typing-indicators>).
/// What Meta answers for an unknown id is not documented; the simulator answers 100
/// "Invalid parameter", an error the gateway must survive either way.
fn mark_read(meta: &Meta, body: &Value) -> Result<Value, GraphError> {
    let Some(id) = body["message_id"].as_str().filter(|id| !id.is_empty()) else {
        return Err(GraphError::missing("The parameter message_id is required."));
    };
    if meta.is_sent(id) {
        return Err(GraphError::invalid_parameter(format!(
            "Message {id} was sent by the business; only received messages can be marked as read."
        )));
    }
    if !meta.received(id) {
        return Err(GraphError::invalid_parameter(format!(
            "Message {id} is not a message this business received."
        )));
    }
    match &body["typing_indicator"] {
        Value::Null => {}
        indicator if indicator["type"] == "text" => {}
        _ => {
            return Err(GraphError::invalid_value(
                "typing_indicator['type'] must be 'text'.",
            ));
        }
    }
    Ok(success())
}

/// A template send: `template.name` and `template.language.code` must be one of the approved
/// pairs in `Options::templates` (132001 otherwise; error-codes page: "The template does not
/// exist in the specified language or the template has not been approved").
fn template(meta: &Meta, body: &Value) -> Result<(), GraphError> {
    let name = body["template"]["name"].as_str().unwrap_or_default();
    let language = body["template"]["language"]["code"]
        .as_str()
        .unwrap_or_default();
    if name.is_empty() {
        return Err(GraphError::missing(
            "The parameter template['name'] is required.",
        ));
    }
    if language.is_empty() {
        return Err(GraphError::missing(
            "The parameter template['language']['code'] is required.",
        ));
    }
    let approved = meta
        .options
        .templates
        .iter()
        .any(|(n, l)| n == name && l == language);
    if !approved {
        return Err(errors::template_missing(name, language));
    }
    Ok(())
}

/// Check the message object of `kind`.
fn check(meta: &Meta, kind: &str, body: &Value) -> Result<(), GraphError> {
    let object = &body[kind];
    match kind {
        "text" => wa_checks::text_message(body),
        "interactive" => wa_checks::interactive(object),
        "template" => template(meta, body),
        "image" | "audio" | "video" | "document" | "sticker" => wa_checks::media(kind, object),
        "location" => wa_checks::location(object),
        "reaction" => wa_checks::reaction(object),
        "contacts" if object.as_array().is_some_and(|c| !c.is_empty()) => Ok(()),
        "contacts" => Err(GraphError::missing("The parameter contacts is required.")),
        _ => Err(
            GraphError::new(131051, "(#131051) Unsupported message type")
                .details(format!("Message type '{kind}' is not supported.")),
        ),
    }
}

/// Whether the recipient's customer-service window is open, under either of their identities.
fn window_open(meta: &Meta, key: &str) -> bool {
    if meta.window_open(key, WINDOW) {
        return true;
    }
    meta.user(key).is_some_and(|user| {
        user.wa_id
            .iter()
            .chain(&user.user_id)
            .any(|k| meta.window_open(k, WINDOW))
    })
}

/// Handle one send request.
pub(crate) fn send(meta: &Meta, body: &Value) -> Result<Accepted, GraphError> {
    if body["messaging_product"] != "whatsapp" {
        return Err(GraphError::missing(
            "The parameter messaging_product is required and must be 'whatsapp'.",
        ));
    }
    if !body["status"].is_null() {
        if body["status"] != "read" {
            return Err(GraphError::invalid_value("status must be 'read'."));
        }
        return mark_read(meta, body).map(|answer| Accepted {
            answer,
            receipt: None,
        });
    }
    let to = recipient(meta, body)?;
    let kind = body["type"].as_str().unwrap_or("text");
    if !TYPES.contains(&kind) {
        return Err(
            GraphError::new(131051, "(#131051) Unsupported message type")
                .details(format!("Message type '{kind}' is not supported.")),
        );
    }
    check(meta, kind, body)?;
    // A failure the test injected: answered now, or reported later by a `failed` receipt.
    let failure = meta.injected_send_failure(&to.key);
    if let Some(failure) = failure.as_ref().filter(|f| !f.asynchronous) {
        return Err(meta.send_failure_error(failure, Api::WhatsApp));
    }
    if kind != "template" && meta.options.enforce_window && !window_open(meta, &to.key) {
        return Err(errors::reengagement());
    }
    if !meta.admit_pair(&to.key) {
        return Err(errors::pair_rate_limit());
    }
    let id = meta.next_id("wamid.HBgL");
    meta.keep(&SentMessage {
        platform: Platform::WhatsApp,
        to: to.key.clone(),
        id: id.clone(),
        body: body.clone(),
    });
    let contact = if to.bsuid {
        json!({"input": to.input, "user_id": to.key})
    } else {
        json!({"input": to.input, "wa_id": to.key})
    };
    Ok(Accepted {
        answer: json!({
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": id, "message_status": "accepted"}],
        }),
        receipt: Some(Receipt {
            platform: Platform::WhatsApp,
            id,
            to: to.key,
            failure: failure.map(|f| f.code),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::Options;

    fn meta() -> Meta {
        Meta::new(Options::default())
    }

    #[test]
    fn recipients_are_phone_numbers_or_bsuids() {
        let meta = meta();
        let to = |body: Value| recipient(&meta, &body).map(|r| (r.key, r.bsuid));
        assert_eq!(
            to(json!({"to": "+1 (650) 555-1234"})).unwrap(),
            ("16505551234".into(), false)
        );
        // Without "+", Meta prepends the business number's country code.
        assert_eq!(
            to(json!({"to": "6505551234"})).unwrap(),
            ("16505551234".into(), false)
        );
        assert_eq!(
            to(json!({"recipient": "US.13491208655302741918"})).unwrap(),
            ("US.13491208655302741918".into(), true)
        );
        assert_eq!(
            to(json!({"to": "+16505551234", "recipient": "US.1"})).unwrap(),
            ("16505551234".into(), false),
            "to takes precedence"
        );
        assert_eq!(to(json!({"to": "US.1"})).unwrap_err().code, 100);
        assert_eq!(
            to(json!({"recipient": "16505551234"})).unwrap_err().code,
            100
        );
        assert_eq!(to(json!({})).unwrap_err().code, 131008);
        assert!(to(json!({"to": "+1234"})).is_err());
        assert!(to(json!({"to": "+1 650 555 1234", "recipient_type": "group"})).is_err());
    }

    #[test]
    fn only_approved_templates_in_their_languages() {
        let meta = meta();
        let send = |name: &str, code: &str| {
            template(
                &meta,
                &json!({"template": {"name": name, "language": {"code": code}}}),
            )
        };
        assert!(send("leadgate_followup", "pl").is_ok());
        let error = send("leadgate_followup", "en_US").unwrap_err();
        assert_eq!(error.code, 132001);
        assert_eq!(
            error.body()["error"]["error_data"]["details"],
            "template name (leadgate_followup) does not exist in en_US"
        );
        assert_eq!(send("follow_up", "en").unwrap_err().code, 132001);
        assert_eq!(send("", "en").unwrap_err().code, 131008);
    }

    #[test]
    fn read_receipts_need_a_received_message() {
        let meta = meta();
        let read = |id: &str| {
            send(
                &meta,
                &json!({"messaging_product": "whatsapp", "status": "read", "message_id": id, "typing_indicator": {"type": "text"}}),
            )
        };
        assert_eq!(read("wamid.UNKNOWN").err().unwrap().code, 100);
        let event = crate::meta::wa_events::message(
            &meta.options,
            &crate::meta::WaUser::phone("16505551234", "Ada"),
            json!({"type": "text", "text": {"body": "hi"}}),
        );
        meta.learn(crate::meta::events::inbound(&event));
        let id = event["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
            .as_str()
            .unwrap();
        assert_eq!(read(id).unwrap().answer, json!({"success": true}));
        let sent = send(
            &meta,
            &json!({"messaging_product": "whatsapp", "to": "+16505551234", "type": "text", "text": {"body": "Hello"}}),
        )
        .unwrap()
        .answer;
        assert_eq!(sent["contacts"][0]["wa_id"], "16505551234");
        let sent_id = sent["messages"][0]["id"].as_str().unwrap();
        assert_eq!(read(sent_id).err().unwrap().code, 100);
    }
}
