//! WhatsApp `messages` webhook payloads, built as Meta sends them: string Unix seconds,
//! `wamid.` ids, `contacts[]` beside `messages[]`, receipts in `statuses[]`, system errors in
//! `value.errors[]`.
//!
//! Each message type follows its webhook reference page under
//! <https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/>
//! (`text`, `interactive`, `button`, `image`, `audio`, `video`, `document`, `sticker`,
//! `location`, `contacts`, `reaction`, `unsupported`, `system`, `status`, `errors`); senders
//! without a phone number follow
//! <https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids>
//! ("Incoming messages webhooks", "Status messages webhooks").

use serde_json::{Map, Value, json};

use super::Options;
use super::errors::webhook_error;
use super::events::{seconds, wamid};

/// A WhatsApp user as webhooks name them: a phone number (`wa_id`, digits), a business-scoped
/// user id (BSUID, `user_id`, e.g. `US.13491208655302741918`), or both, with a profile name and,
/// for users who adopted one, a username.
///
/// Since April 2026 Meta puts the BSUID in every messages webhook and leaves the phone number
/// out for users with a username it may not share (business-scoped-user-ids page, "Phone
/// numbers"); the reference pages' examples still show the phone-only shape. All three can be
/// built: [`WaUser::phone`], [`WaUser::phone`]`.with_user_id(…)`, [`WaUser::bsuid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaUser {
    /// Profile name (`contacts[].profile.name`).
    pub name: String,
    /// Phone number, digits only (`contacts[].wa_id`, `messages[].from`), when Meta shares it.
    pub wa_id: Option<String>,
    /// BSUID (`contacts[].user_id`, `messages[].from_user_id`).
    pub user_id: Option<String>,
    /// Username (`contacts[].profile.username`), only for users who adopted one.
    pub username: Option<String>,
}

impl WaUser {
    /// A user known by phone number only (the shape of Meta's reference examples).
    pub fn phone(wa_id: &str, name: &str) -> Self {
        WaUser {
            name: name.to_owned(),
            wa_id: Some(wa_id.to_owned()),
            user_id: None,
            username: None,
        }
    }

    /// A user Meta names by BSUID only: no `wa_id`, no `from` (a username adopter whose number
    /// the business may not see).
    pub fn bsuid(user_id: &str, name: &str) -> Self {
        WaUser {
            name: name.to_owned(),
            wa_id: None,
            user_id: Some(user_id.to_owned()),
            username: None,
        }
    }

    /// Add the BSUID (both identifiers present, as for most users since April 2026).
    pub fn with_user_id(mut self, user_id: &str) -> Self {
        self.user_id = Some(user_id.to_owned());
        self
    }

    /// Add a username (`@…`).
    pub fn with_username(mut self, username: &str) -> Self {
        self.username = Some(username.to_owned());
        self
    }

    /// The identifier the business replies to: the phone number when shared, else the BSUID.
    pub fn key(&self) -> &str {
        self.wa_id
            .as_deref()
            .or(self.user_id.as_deref())
            .unwrap_or_default()
    }

    /// The `contacts[]` entry of an incoming message.
    fn contact(&self) -> Value {
        let mut profile = json!({ "name": self.name });
        if let Some(username) = &self.username {
            profile["username"] = json!(username);
        }
        let mut contact = json!({ "profile": profile });
        if let Some(wa_id) = &self.wa_id {
            contact["wa_id"] = json!(wa_id);
        }
        if let Some(user_id) = &self.user_id {
            contact["user_id"] = json!(user_id);
        }
        contact
    }

    /// `from` / `from_user_id` of an incoming message.
    fn sender_fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        if let Some(wa_id) = &self.wa_id {
            fields.insert("from".into(), json!(wa_id));
        }
        if let Some(user_id) = &self.user_id {
            fields.insert("from_user_id".into(), json!(user_id));
        }
        fields
    }
}

/// Whether `id` has the BSUID form: an ISO 3166 alpha-2 country code, a period, optionally
/// `ENT.` (parent BSUIDs), then 1–128 alphanumerics (business-scoped-user-ids page).
pub(crate) fn is_bsuid(id: &str) -> bool {
    let mut parts = id.splitn(2, '.');
    let (Some(country), Some(rest)) = (parts.next(), parts.next()) else {
        return false;
    };
    let rest = rest.strip_prefix("ENT.").unwrap_or(rest);
    country.len() == 2
        && country.chars().all(|c| c.is_ascii_uppercase())
        && (1..=128).contains(&rest.len())
        && rest.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The `value` wrapper every WhatsApp change shares.
pub(crate) fn envelope(options: &Options, mut value: Value) -> Value {
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = json!({
        "display_phone_number": options.display_phone_number,
        "phone_number_id": options.phone_number_id,
    });
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": options.waba_id, "changes": [{"value": value, "field": "messages"}]}],
    })
}

/// An incoming message of any type from `from`: `fields` (`type` and its object, `context`,
/// `errors`…) are merged into the standard `id`/`timestamp`/sender fields.
pub(crate) fn message(options: &Options, from: &WaUser, fields: Value) -> Value {
    let mut message = from.sender_fields();
    message.insert("id".into(), json!(wamid()));
    message.insert("timestamp".into(), json!(seconds()));
    if let Value::Object(fields) = fields {
        message.extend(fields);
    }
    envelope(
        options,
        json!({ "contacts": [from.contact()], "messages": [message] }),
    )
}

/// A system message: the user changed their number (`user_changed_number`) or, without a
/// shared number, their BSUID (`user_changed_user_id`). System webhooks carry no `contacts`.
pub(crate) fn system(options: &Options, from: &WaUser, to: &WaUser) -> Value {
    let (kind, old, new) = match (&to.wa_id, &from.wa_id) {
        (Some(new), Some(old)) => ("user_changed_number", old.clone(), new.clone()),
        _ => (
            "user_changed_user_id",
            from.key().to_owned(),
            to.key().to_owned(),
        ),
    };
    let mut system = json!({
        "body": format!("User {} changed from {old} to {new}", from.name),
        "type": kind,
    });
    if let Some(wa_id) = &to.wa_id {
        system["wa_id"] = json!(wa_id);
    }
    if let Some(user_id) = &to.user_id {
        system["user_id"] = json!(user_id);
    }
    let mut message = from.sender_fields();
    message.insert("id".into(), json!(wamid()));
    message.insert("timestamp".into(), json!(seconds()));
    message.insert("type".into(), json!("system"));
    message.insert("system".into(), system);
    envelope(options, json!({ "messages": [message] }))
}

/// A media id as Meta hands them out: a long decimal number.
fn media_id() -> String {
    let bits = uuid::Uuid::new_v4().as_u128();
    format!("{}", 1_000_000_000_000_000 + (bits % 8_000_000_000_000_000))
}

/// A base64 SHA-256 look-alike for a media asset.
fn media_hash() -> String {
    use base64::Engine;
    let bytes = [
        uuid::Uuid::new_v4().into_bytes(),
        uuid::Uuid::new_v4().into_bytes(),
    ]
    .concat();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The object of an image, audio, video, document or sticker message: `mime_type`, `sha256`,
/// `id` and the download `url` (being rolled out since November 2025), plus `extra`.
pub(crate) fn media(mime_type: &str, extra: Value) -> Value {
    let id = media_id();
    let mut object = json!({
        "mime_type": mime_type,
        "sha256": media_hash(),
        "id": id,
        "url": format!("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid={id}"),
    });
    if let (Some(object), Value::Object(extra)) = (object.as_object_mut(), extra) {
        object.extend(extra.into_iter().filter(|(_, v)| !v.is_null()));
    }
    object
}

/// The BSUID-related fields of a receipt for `recipient` as the simulator knows them:
/// `recipient_id` (phone), `recipient_user_id` (BSUID) and the `contacts` block (not on
/// `failed`; `username` only on delivered/read).
pub(crate) fn status(
    options: &Options,
    wamid: &str,
    status: &str,
    recipient: &WaUser,
    error_code: Option<u32>,
) -> Value {
    let failed = status == "failed";
    let mut entry = json!({"id": wamid, "status": status, "timestamp": seconds()});
    if let Some(wa_id) = &recipient.wa_id {
        entry["recipient_id"] = json!(wa_id);
    }
    // "For failed status messages, [recipient_user_id] will be omitted if the message was sent
    // to the user's phone number."
    if let Some(user_id) = &recipient.user_id
        && !(failed && recipient.wa_id.is_some())
    {
        entry["recipient_user_id"] = json!(user_id);
    }
    if failed {
        entry["errors"] = json!([webhook_error(error_code.unwrap_or(131000))]);
    } else if status != "read" {
        // v24.0+: pricing on `sent` and on one of delivered/read; no `conversation` object.
        entry["pricing"] = json!({"billable": true, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"});
    }
    let mut value = json!({ "statuses": [entry] });
    if !failed && recipient.user_id.is_some() {
        let mut contact = recipient.clone();
        if status == "sent" {
            contact.username = None;
        }
        value["contacts"] = json!([contact.contact()]);
    }
    envelope(options, value)
}

/// A change-level `errors[]` webhook (system or app errors, e.g. 130429), not tied to a message.
pub(crate) fn errors(options: &Options, code: u32) -> Value {
    envelope(options, json!({ "errors": [webhook_error(code)] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_message(payload: &Value) -> &Value {
        &payload["entry"][0]["changes"][0]["value"]["messages"][0]
    }

    #[test]
    fn bsuid_senders_carry_no_phone() {
        let user = WaUser::bsuid("US.13491208655302741918", "Sheena").with_username("@sheena");
        let payload = message(
            &Options::default(),
            &user,
            json!({"type": "text", "text": {"body": "hi"}}),
        );
        let value = &payload["entry"][0]["changes"][0]["value"];
        assert_eq!(
            value["contacts"][0],
            json!({"profile": {"name": "Sheena", "username": "@sheena"}, "user_id": "US.13491208655302741918"})
        );
        let message = first_message(&payload);
        assert_eq!(message["from_user_id"], "US.13491208655302741918");
        assert!(message.get("from").is_none());
        assert!(value["contacts"][0].get("wa_id").is_none());
    }

    #[test]
    fn bsuids_are_recognised() {
        assert!(is_bsuid("US.13491208655302741918"));
        assert!(is_bsuid("US.ENT.11815799212886844830"));
        assert!(!is_bsuid("+16505551234"));
        assert!(!is_bsuid("us.123"));
        assert!(!is_bsuid("US."));
    }

    #[test]
    fn failed_receipts_drop_contacts_and_the_bsuid_of_phone_sends() {
        let user = WaUser::phone("16505551234", "Pablo").with_user_id("US.1");
        let failed = status(
            &Options::default(),
            "wamid.X",
            "failed",
            &user,
            Some(131049),
        );
        let value = &failed["entry"][0]["changes"][0]["value"];
        assert!(value.get("contacts").is_none());
        assert!(value["statuses"][0].get("recipient_user_id").is_none());
        assert_eq!(value["statuses"][0]["errors"][0]["code"], 131049);
        let sent = status(&Options::default(), "wamid.X", "sent", &user, None);
        let value = &sent["entry"][0]["changes"][0]["value"];
        assert_eq!(value["statuses"][0]["recipient_user_id"], "US.1");
        assert_eq!(value["contacts"][0]["user_id"], "US.1");
    }

    #[test]
    fn system_messages_name_the_new_number() {
        let old = WaUser::phone("16505551234", "Sheena Nelson");
        let payload = system(
            &Options::default(),
            &old,
            &WaUser::phone("12195555358", "Sheena Nelson"),
        );
        let message = first_message(&payload);
        assert_eq!(
            message["system"],
            json!({"body": "User Sheena Nelson changed from 16505551234 to 12195555358", "wa_id": "12195555358", "type": "user_changed_number"})
        );
        assert!(
            payload["entry"][0]["changes"][0]["value"]
                .get("contacts")
                .is_none()
        );
    }
}
