//! A conversation as extraction reads it: `leadgate extract`'s input line, and what the chat
//! gateway hands the lead engine on every turn.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::locale::{Lang, Region};

/// Where a conversation happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    #[default]
    Web,
    Whatsapp,
    Messenger,
    Instagram,
    Sms,
}

impl Channel {
    /// The channel's name as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Whatsapp => "whatsapp",
            Channel::Messenger => "messenger",
            Channel::Instagram => "instagram",
            Channel::Sms => "sms",
        }
    }

    /// The channel stored under `name`.
    pub fn parse(name: &str) -> Option<Channel> {
        [
            Channel::Web,
            Channel::Whatsapp,
            Channel::Messenger,
            Channel::Instagram,
            Channel::Sms,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person chatting: the only source of facts.
    #[serde(alias = "user")]
    Visitor,
    /// The gateway's engine: context for the visitor's answers, never a source.
    #[serde(alias = "assistant")]
    Bot,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub role: Role,
    pub text: String,
}

/// What a channel knows about the person before they say anything (a WhatsApp profile).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMeta {
    /// International number without `+`, as WhatsApp sends it, or with `+`.
    #[serde(default)]
    pub phone: Option<String>,
    /// Profile name; may be a nickname or carry emoji.
    #[serde(default)]
    pub name: Option<String>,
    /// An address the channel verified, if any.
    #[serde(default)]
    pub email: Option<String>,
}

/// A conversation to extract a lead from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// The caller's id, echoed in the output.
    #[serde(default)]
    pub id: Option<serde_json::Value>,
    /// When the conversation started: timelines count days from here.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(default)]
    pub channel: Channel,
    /// BCP 47 tag such as `pl-PL`.
    #[serde(default)]
    pub locale: Option<String>,
    /// ISO 3166-1 alpha-2 region for national phone numbers.
    #[serde(default, deserialize_with = "region_field")]
    pub default_region: Option<Region>,
    #[serde(default)]
    pub contact: Option<ContactMeta>,
    pub messages: Vec<Message>,
}

/// Why a conversation cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversationError {
    #[error("id must be a string, a number or null")]
    Id,
}

impl Conversation {
    /// Checks what serde cannot: the id's type.
    pub fn validate(&self) -> Result<(), ConversationError> {
        match &self.id {
            None
            | Some(
                serde_json::Value::String(_)
                | serde_json::Value::Number(_)
                | serde_json::Value::Null,
            ) => Ok(()),
            Some(_) => Err(ConversationError::Id),
        }
    }

    /// The language: the locale's, else English.
    pub fn lang(&self) -> Lang {
        self.locale
            .as_deref()
            .and_then(Lang::from_locale)
            .unwrap_or_default()
    }

    /// The region for national phone numbers: `default_region`, else the locale's region.
    pub fn region(&self) -> Option<Region> {
        self.default_region
            .or_else(|| self.locale.as_deref().and_then(Region::from_locale))
    }
}

/// Reads `default_region`, naming the field in the error.
fn region_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Region>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(code) => Region::parse(&code)
            .map(Some)
            .map_err(|e| serde::de::Error::custom(format!("default_region: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_contract_shape() {
        let line = r#"{"id": "pl-07", "started_at": "2026-03-10T09:00:00Z", "channel": "whatsapp",
            "locale": "pl-PL", "default_region": null, "contact": {"phone": "48888784878", "name": "Jan K."},
            "messages": [{"role": "bot", "text": "Dzień dobry!"}, {"role": "visitor", "text": "Cześć"}]}"#;
        let c: Conversation = serde_json::from_str(line).unwrap();
        c.validate().unwrap();
        assert_eq!(c.channel, Channel::Whatsapp);
        assert_eq!(c.lang(), Lang::Pl);
        assert_eq!(c.region().unwrap().code(), "PL");
        assert_eq!(c.messages[1].role, Role::Visitor);
    }

    #[test]
    fn bad_fields_are_errors() {
        let bad_region =
            r#"{"started_at": "2026-03-10T09:00:00Z", "default_region": "Poland", "messages": []}"#;
        let e = serde_json::from_str::<Conversation>(bad_region).unwrap_err();
        assert!(e.to_string().contains("default_region"), "{e}");
        let bad_id = r#"{"id": [1], "started_at": "2026-03-10T09:00:00Z", "messages": []}"#;
        let c: Conversation = serde_json::from_str(bad_id).unwrap();
        assert_eq!(c.validate(), Err(ConversationError::Id));
        assert!(
            serde_json::from_str::<Conversation>(r#"{"started_at": "yesterday", "messages": []}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<Conversation>(r#"{"started_at": "2026-03-10T09:00:00Z", "messages": [{"role": "admin", "text": "x"}]}"#).is_err());
    }
}
