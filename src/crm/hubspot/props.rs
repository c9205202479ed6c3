//! leadgate's person, deal, note and task as HubSpot properties, and a contact read back as a
//! [`PersonRecord`]. Phones are written in E.164 and read back in E.164 when they parse, so the
//! same number typed differently compares equal.

use serde_json::{Map, Value, json};

use super::config::Config;
use crate::crm::kit::escape::html_lines;
use crate::crm::{DealFields, Field, NoteFields, PersonFields, PersonRecord, TaskFields};
use crate::lead::PhoneE164;

/// Contact properties every read asks for (plus the configured own-value properties).
const CONTACT_PROPERTIES: &[&str] = &[
    "email",
    "firstname",
    "lastname",
    "phone",
    "mobilephone",
    "company",
    "jobtitle",
    "hubspot_owner_id",
];

/// HUBSPOT_DEFINED association type ids used on create.
pub(super) const DEAL_TO_CONTACT: u32 = 3;
pub(super) const DEAL_TO_COMPANY: u32 = 5;
/// Company to contact, unlabelled: what HubSpot's companies guide creates a company with.
pub(super) const COMPANY_TO_CONTACT: u32 = 280;
pub(super) const NOTE_TO_CONTACT: u32 = 202;
pub(super) const NOTE_TO_DEAL: u32 = 214;
pub(super) const TASK_TO_CONTACT: u32 = 204;
pub(super) const TASK_TO_DEAL: u32 = 216;

/// The contact properties a read asks for.
pub(super) fn read_properties(config: &Config) -> Vec<String> {
    let mut names: Vec<String> = CONTACT_PROPERTIES.iter().map(|p| (*p).to_owned()).collect();
    for own in config.own_contact_properties() {
        if !names.iter().any(|n| n == own) {
            names.push(own.to_owned());
        }
    }
    names
}

/// A value as HubSpot stores it: text.
fn text(value: &Value) -> Value {
    match value {
        Value::String(_) | Value::Null => value.clone(),
        other => Value::String(other.to_string()),
    }
}

/// Person fields as contact properties (only the fields that are set).
pub(super) fn contact(person: &PersonFields) -> Map<String, Value> {
    let mut props = Map::new();
    let mut put = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            props.insert(name.to_owned(), Value::String(v.to_owned()));
        }
    };
    put("email", person.email.as_ref().map(|e| e.as_str()));
    put("phone", person.phone.as_ref().map(|p| p.as_str()));
    put("firstname", person.first_name.as_deref());
    put("lastname", person.last_name.as_deref());
    put("company", person.company.as_deref());
    put("jobtitle", person.job_title.as_deref());
    put("hubspot_owner_id", person.owner.as_deref());
    for (name, value) in &person.custom {
        props.insert(name.clone(), text(value));
    }
    props
}

/// Properties of a new contact: the person, and the configured owner unless a rep claimed it.
pub(super) fn new_contact(config: &Config, person: &PersonFields) -> Map<String, Value> {
    let mut props = contact(person);
    if let Some(owner) = &config.owner_id {
        props
            .entry("hubspot_owner_id")
            .or_insert_with(|| json!(owner));
    }
    props
}

/// A phone as leadgate compares it: E.164 when it parses as an international number, else as
/// HubSpot holds it.
pub(super) fn phone_key(raw: &str) -> String {
    PhoneE164::parse(raw, None)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|_| raw.trim().to_owned())
}

/// A contact object (`{id, properties}`) as a person record; empty values are left out.
pub(super) fn record(config: &Config, object: &Value) -> Option<PersonRecord> {
    let id = match &object["id"] {
        Value::String(id) => id.clone(),
        Value::Number(id) => id.to_string(),
        _ => return None,
    };
    let props = &object["properties"];
    let get = |name: &str| {
        props[name]
            .as_str()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let mut values = std::collections::BTreeMap::new();
    let mut put = |field: Field, value: Option<String>| {
        if let Some(v) = value {
            values.insert(field, v);
        }
    };
    put(Field::Email, get("email").map(str::to_owned));
    put(Field::Phone, get("phone").map(phone_key));
    put(Field::FirstName, get("firstname").map(str::to_owned));
    put(Field::LastName, get("lastname").map(str::to_owned));
    put(Field::Company, get("company").map(str::to_owned));
    put(Field::JobTitle, get("jobtitle").map(str::to_owned));
    put(Field::Owner, get("hubspot_owner_id").map(str::to_owned));
    for own in config.own_contact_properties() {
        let value = match &props[own] {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        put(Field::Custom(own.to_owned()), value);
    }
    Some(PersonRecord { id, values })
}

/// Whether a contact holds this phone as `phone` or `mobilephone`, in any format (a number
/// without country code is read in the phone's own region).
pub(super) fn has_phone(object: &Value, phone: &PhoneE164) -> bool {
    ["phone", "mobilephone"].iter().any(|p| {
        object["properties"][p]
            .as_str()
            .is_some_and(|v| phone.same_as(v))
    })
}

/// Deal properties. A new deal gets its name, pipeline, stage and owner; an update only the
/// amount, currency, own values and the owner a rep's claim named, so a rep's renaming or stage
/// move stands.
pub(super) fn deal(config: &Config, deal: &DealFields, creating: bool) -> Map<String, Value> {
    let mut props = Map::new();
    if creating {
        props.insert("dealname".into(), json!(deal.title));
        props.insert("pipeline".into(), json!(config.pipeline));
        props.insert("dealstage".into(), json!(config.deal_stage));
    }
    let configured = config.owner_id.as_ref().filter(|_| creating);
    if let Some(owner) = deal.owner.as_ref().or(configured) {
        props.insert("hubspot_owner_id".into(), json!(owner));
    }
    if let Some(amount) = deal.amount {
        props.insert("amount".into(), json!(amount.to_string()));
    }
    if let (Some(property), Some(currency)) = (&config.deal_currency_property, &deal.currency) {
        props.insert(property.clone(), json!(currency));
    }
    for (name, value) in &deal.custom {
        props.insert(name.clone(), text(value));
    }
    props
}

/// Note properties: the body as HTML, timestamped `at_ms`.
pub(super) fn note(note: &NoteFields, at_ms: i64) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("hs_note_body".into(), json!(html_lines(&note.body)));
    props.insert("hs_timestamp".into(), json!(iso_millis(at_ms)));
    props
}

/// Task properties; `due_ms` is the due time (HubSpot's `hs_timestamp`).
pub(super) fn task(config: &Config, task: &TaskFields, due_ms: i64) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("hs_task_subject".into(), json!(task.subject));
    props.insert("hs_task_body".into(), json!(html_lines(&task.body)));
    props.insert("hs_timestamp".into(), json!(iso_millis(due_ms)));
    props.insert("hs_task_status".into(), json!("NOT_STARTED"));
    props.insert("hs_task_priority".into(), json!(config.task_priority));
    props.insert("hs_task_type".into(), json!(config.task_type));
    if let Some(owner) = &config.owner_id {
        props.insert("hubspot_owner_id".into(), json!(owner));
    }
    props
}

/// One association of a create body.
pub(super) fn association(to_id: &str, type_id: u32) -> Value {
    json!({"to": {"id": to_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]})
}

/// Unix milliseconds as UTC ISO 8601 with milliseconds (`2026-11-22T10:00:00.000Z`).
pub(super) fn iso_millis(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| ms.to_string())
}

/// A timestamp property read back (Unix milliseconds or ISO 8601) as Unix milliseconds.
pub(super) fn timestamp_ms(value: &Value) -> Option<i64> {
    let text = match value {
        Value::Number(n) => return n.as_i64(),
        Value::String(s) => s.trim(),
        _ => return None,
    };
    if let Ok(ms) = text.parse::<i64>() {
        return Some(ms);
    }
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::CustomFields;
    use crate::lead::Email;

    fn config() -> Config {
        let fields = CustomFields {
            score: Some("leadgate_score".into()),
            ..CustomFields::default()
        };
        Config {
            fields,
            ..Config::default()
        }
    }

    #[test]
    fn contacts_round_trip_with_phones_compared_in_e164() {
        let person = PersonFields {
            email: Some(Email::parse("anna@firma.pl").unwrap()),
            phone: Some(PhoneE164::parse("+48 601 234 567", None).unwrap()),
            first_name: Some("Anna".into()),
            custom: [("leadgate_score".to_owned(), json!(60))].into(),
            ..PersonFields::default()
        };
        let props = contact(&person);
        assert_eq!(props["phone"], "+48601234567");
        assert_eq!(props["leadgate_score"], "60");
        let object = json!({"id": "101", "properties": {"email": "anna@firma.pl", "phone": "+48 601-234-567", "firstname": "", "leadgate_score": "60"}});
        let r = record(&config(), &object).unwrap();
        assert_eq!(r.values[&Field::Phone], "+48601234567");
        assert!(
            !r.values.contains_key(&Field::FirstName),
            "empty values are absent"
        );
        assert_eq!(r.values[&Field::Custom("leadgate_score".into())], "60");
        let phone = PhoneE164::parse("+48601234567", None).unwrap();
        assert!(has_phone(&object, &phone));
        let typed = json!({"id": "102", "properties": {"mobilephone": "601 234 567"}});
        assert!(
            has_phone(&typed, &phone),
            "a national number, read in Poland"
        );
    }

    #[test]
    fn new_deals_get_name_pipeline_and_stage_and_updates_leave_them() {
        let d = DealFields {
            title: "Anna – chat lead".into(),
            amount: Some(30000),
            currency: Some("PLN".into()),
            owner: None,
            custom: [("leadgate_deal_score".to_owned(), json!(60))].into(),
        };
        let created = deal(&config(), &d, true);
        assert_eq!(created["dealname"], "Anna – chat lead");
        assert_eq!(created["dealstage"], "appointmentscheduled");
        assert_eq!(created["amount"], "30000");
        assert_eq!(created["leadgate_deal_score"], "60");
        assert!(
            !created.contains_key("deal_currency_code"),
            "no currency property configured"
        );
        let updated = deal(&config(), &d, false);
        assert!(!updated.contains_key("dealname") && !updated.contains_key("dealstage"));
        assert_eq!(updated["amount"], "30000");
    }

    #[test]
    fn timestamps() {
        assert_eq!(iso_millis(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            timestamp_ms(&json!("2023-11-14T22:13:20.123Z")),
            Some(1_700_000_000_123)
        );
        assert_eq!(
            timestamp_ms(&json!("1700000000123")),
            Some(1_700_000_000_123)
        );
    }
}
