//! What the sync sends to a CRM and what it remembers about it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lead::{Email, PhoneE164};

/// Which CRM a site's leads go to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum CrmKind {
    #[default]
    None,
    Hubspot,
    Pipedrive,
    Salesforce,
    Zoho,
}

impl CrmKind {
    /// The name used in config and job targets: `hubspot`, `pipedrive`…
    pub fn name(self) -> &'static str {
        match self {
            CrmKind::None => "none",
            CrmKind::Hubspot => "hubspot",
            CrmKind::Pipedrive => "pipedrive",
            CrmKind::Salesforce => "salesforce",
            CrmKind::Zoho => "zoho",
        }
    }

    /// The CRM's name as its vendor writes it, for people.
    pub fn label(self) -> &'static str {
        match self {
            CrmKind::None => "the CRM",
            CrmKind::Hubspot => "HubSpot",
            CrmKind::Pipedrive => "Pipedrive",
            CrmKind::Salesforce => "Salesforce",
            CrmKind::Zoho => "Zoho CRM",
        }
    }
}

/// The record ids a lead has in one CRM, kept with the lead so a retry updates instead of
/// creating again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrmLinks {
    pub person: Option<String>,
    pub company: Option<String>,
    pub deal: Option<String>,
    pub note: Option<String>,
    pub task: Option<String>,
    /// Creates sent whose answers were not seen.
    #[serde(skip_serializing_if = "Pending::is_empty")]
    pub pending: Pending,
}

/// Creates that were sent without their answer being seen (a timeout, a reset, a crash), with
/// what they carried: the CRM may have made the record, and a retry looks for it among the
/// person's records before creating another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pending {
    /// When the first of them was sent (Unix ms); records made before are not theirs.
    pub since_ms: i64,
    /// Deal titles sent.
    pub deal: Vec<String>,
    /// Note keys sent (see [`NoteFields::key`]).
    pub note: Vec<String>,
    /// Task subjects sent.
    pub task: Vec<String>,
}

impl Pending {
    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.deal.is_empty() && self.note.is_empty() && self.task.is_empty()
    }
}

/// Kinds of records attached to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attach {
    Deal,
    Note,
    Task,
}

/// Milliseconds since the epoch of a CRM's timestamp: RFC 3339 (HubSpot, Pipedrive v2, Zoho),
/// Salesforce's `2026-11-22T10:00:00.000+0000`, or Pipedrive v1's `2026-11-22 10:00:00` (both
/// UTC).
pub fn timestamp_ms(value: &serde_json::Value) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let text = value.as_str()?;
    let at = time::OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| {
            let utc = text.get(19..).is_none_or(|rest| {
                let offset = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
                matches!(offset, "" | "Z" | "+0000" | "+00:00")
            });
            let format = time::macros::format_description!(
                "[year]-[month]-[day][first [T][ ]][hour]:[minute]:[second]"
            );
            utc.then(|| time::PrimitiveDateTime::parse(text.get(..19)?, &format).ok())
                .flatten()
                .map(time::PrimitiveDateTime::assume_utc)
        })?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// A record attached to a person, as [`crate::crm::CrmApi::attached`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub id: String,
    /// A deal's title, a note's body, a task's subject.
    pub text: String,
    /// When the CRM made it (Unix ms), if it says.
    pub created_ms: Option<i64>,
}

/// A person field the sync can set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Email,
    Phone,
    FirstName,
    LastName,
    Company,
    JobTitle,
    /// The CRM user who owns the record: the rep who claimed the lead.
    Owner,
    /// A configured custom field (lead score, source, channel, conversation link), by the name
    /// the CRM knows it under.
    Custom(String),
}

impl Field {
    /// The name used in the overwrite policy of the configuration.
    pub fn policy_name(&self) -> &str {
        match self {
            Field::Email => "email",
            Field::Phone => "phone",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Company => "company",
            Field::JobTitle => "job_title",
            Field::Owner => "owner",
            Field::Custom(name) => name,
        }
    }
}

/// Person (contact, lead) fields to write. Every value is already parsed and valid; a field
/// that is absent is not sent, so a CRM value is never blanked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonFields {
    pub email: Option<Email>,
    pub phone: Option<PhoneE164>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    /// The CRM owner id of the rep who claimed the lead (`[alerts.slack.owners]`).
    pub owner: Option<String>,
    /// Custom fields by CRM field name: numbers and strings.
    pub custom: BTreeMap<String, serde_json::Value>,
}

impl PersonFields {
    /// Each field with its value as text, in a stable order.
    pub fn values(&self) -> Vec<(Field, String)> {
        let mut out = Vec::new();
        if let Some(v) = &self.email {
            out.push((Field::Email, v.as_str().to_owned()));
        }
        if let Some(v) = &self.phone {
            out.push((Field::Phone, v.as_str().to_owned()));
        }
        for (field, value) in [
            (Field::FirstName, &self.first_name),
            (Field::LastName, &self.last_name),
            (Field::Company, &self.company),
            (Field::JobTitle, &self.job_title),
            (Field::Owner, &self.owner),
        ] {
            if let Some(v) = value {
                out.push((field, v.clone()));
            }
        }
        for (k, v) in &self.custom {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push((Field::Custom(k.clone()), text));
        }
        out
    }

    /// Whether nothing would be written.
    pub fn is_empty(&self) -> bool {
        self.values().is_empty()
    }

    /// Keeps only the listed fields.
    pub fn only(&self, keep: &[Field]) -> PersonFields {
        let has = |f: &Field| keep.contains(f);
        PersonFields {
            email: self.email.clone().filter(|_| has(&Field::Email)),
            phone: self.phone.clone().filter(|_| has(&Field::Phone)),
            first_name: self.first_name.clone().filter(|_| has(&Field::FirstName)),
            last_name: self.last_name.clone().filter(|_| has(&Field::LastName)),
            company: self.company.clone().filter(|_| has(&Field::Company)),
            job_title: self.job_title.clone().filter(|_| has(&Field::JobTitle)),
            owner: self.owner.clone().filter(|_| has(&Field::Owner)),
            custom: self
                .custom
                .iter()
                .filter(|(k, _)| has(&Field::Custom((*k).clone())))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// A person as the CRM holds it: its id and current values (empty values left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonRecord {
    pub id: String,
    pub values: BTreeMap<Field, String>,
}

/// A key to find a person by, in the order the sync tries them.
#[derive(Debug, Clone, Copy)]
pub enum FindKey<'a> {
    Email(&'a Email),
    Phone(&'a PhoneE164),
    NameAndCompany {
        first: &'a str,
        last: Option<&'a str>,
        company: &'a str,
    },
}

/// A deal (opportunity) for a qualified lead.
#[derive(Debug, Clone, PartialEq)]
pub struct DealFields {
    pub title: String,
    /// Amount in major units: the budget's upper bound, else its lower bound.
    pub amount: Option<u64>,
    /// ISO 4217.
    pub currency: Option<String>,
    /// The CRM owner id of the rep who claimed the lead; the configured owner when unset.
    pub owner: Option<String>,
    /// Custom fields by CRM field name.
    pub custom: BTreeMap<String, serde_json::Value>,
}

/// The conversation's note: summary, captured fields, score breakdown, transcript excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteFields {
    pub body: String,
}

impl NoteFields {
    /// What identifies this conversation's note among the person's notes: the line with the
    /// link to the conversation when there is one, else the first line.
    pub fn key(&self) -> String {
        let line = self
            .body
            .lines()
            .find(|l| l.contains("/c/"))
            .or_else(|| self.body.lines().next())
            .unwrap_or_default();
        // The link's signature is enough; a CRM may rewrite what is around it.
        let line = line.trim();
        match line.find("http") {
            Some(start) => line[start..]
                .split_whitespace()
                .next()
                .unwrap_or(line)
                .to_owned(),
            None => line.to_owned(),
        }
    }
}

/// A follow-up task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFields {
    pub subject: String,
    pub body: String,
    /// Due time, Unix milliseconds (UTC).
    pub due_ms: i64,
}

/// Names of the CRM fields that hold leadgate's own values (`[crm.*] fields`, and the same on
/// deals); a value is only sent when its field is named. Field names are the CRM's API names.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomFields {
    /// Number field for the lead score (`Chat_Score__c`, `chat_score`).
    pub score: Option<String>,
    /// Text field for the lead source, `[sync] lead_source` (`Chat_Source__c`).
    pub source: Option<String>,
    /// Text field for the channel: web, whatsapp, messenger (`Chat_Channel__c`).
    pub channel: Option<String>,
    /// URL field for the conversation's transcript page (`Chat_Conversation__c`).
    pub conversation_url: Option<String>,
}

impl CustomFields {
    /// The values to put in `PersonFields::custom` or `DealFields::custom`, keyed by field
    /// name: only for fields named here and values given.
    pub fn values(
        &self,
        score: Option<u32>,
        source: Option<&str>,
        channel: Option<&str>,
        conversation_url: Option<&str>,
    ) -> BTreeMap<String, serde_json::Value> {
        let mut out = BTreeMap::new();
        if let (Some(name), Some(v)) = (&self.score, score) {
            out.insert(name.clone(), serde_json::Value::from(v));
        }
        for (name, value) in [
            (&self.source, source),
            (&self.channel, channel),
            (&self.conversation_url, conversation_url),
        ] {
            if let (Some(name), Some(v)) = (name, value) {
                out.insert(name.clone(), serde_json::Value::from(v));
            }
        }
        out
    }

    /// The configured field names.
    pub fn names(&self) -> Vec<&str> {
        [
            &self.score,
            &self.source,
            &self.channel,
            &self.conversation_url,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect()
    }

    /// The first configured name `valid` refuses, as an error naming `key`.
    pub fn check(
        &self,
        key: &str,
        crm: &str,
        valid: impl Fn(&str) -> bool,
    ) -> Result<(), crate::outbound::InvalidKey> {
        match self.names().into_iter().find(|n| !valid(n)) {
            Some(bad) => Err(crate::outbound::invalid(
                key,
                format!("`{bad}` is not a {crm} field API name"),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_of_every_crm_read_alike() {
        let at = Some(1_795_341_600_000);
        for text in [
            "2026-11-22T10:00:00Z",
            "2026-11-22T10:00:00.000Z",
            "2026-11-22T11:00:00+01:00",
            "2026-11-22T10:00:00.000+0000",
            "2026-11-22 10:00:00",
        ] {
            assert_eq!(timestamp_ms(&json!(text)), at, "{text}");
        }
        for bad in [
            json!("2026-11-22T10:00:00+0200"),
            json!("yesterday"),
            json!(12),
            json!(null),
        ] {
            assert_eq!(timestamp_ms(&bad), None, "{bad}");
        }
    }
}
