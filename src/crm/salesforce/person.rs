//! Leads and Contacts as leadgate sees them: which fields are read, how a row becomes a
//! [`PersonRecord`] (placeholders count as empty), and the bodies that write [`PersonFields`].

use serde_json::{Map, Value, json};

use super::config::{Config, PersonObject};
use super::soql::is_api_name;
use crate::crm::{Field, PersonFields, PersonRecord};

/// Fields read from a Lead (custom fields are added for the configured object).
const LEAD_FIELDS: &[&str] = &[
    "Id",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "MobilePhone",
    "Company",
    "Title",
    "IsConverted",
    "ConvertedContactId",
    "OwnerId",
];
/// Fields read from a Contact; the company is its Account's name.
const CONTACT_FIELDS: &[&str] = &[
    "Id",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "MobilePhone",
    "Title",
    "AccountId",
    "OwnerId",
    "Account.Name",
];

impl PersonObject {
    /// The sObject name.
    pub fn name(self) -> &'static str {
        match self {
            PersonObject::Lead => "Lead",
            PersonObject::Contact => "Contact",
        }
    }

    /// The object of a record id by its key prefix (`00Q` Lead, `003` Contact).
    pub fn of_id(id: &str) -> Option<PersonObject> {
        match id.get(..3) {
            Some("00Q") => Some(PersonObject::Lead),
            Some("003") => Some(PersonObject::Contact),
            _ => None,
        }
    }
}

/// The custom fields leadgate writes on `object`: the configured ones on the configured object,
/// none on the other (a Lead's fields need not exist on Contacts).
pub fn custom_fields(config: &Config, object: PersonObject) -> Vec<String> {
    if object != config.object {
        return Vec::new();
    }
    let mut names: Vec<String> = config
        .fields
        .names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The `SELECT … FROM object` prefix of a person query.
pub fn select(config: &Config, object: PersonObject) -> String {
    let base = match object {
        PersonObject::Lead => LEAD_FIELDS,
        PersonObject::Contact => CONTACT_FIELDS,
    };
    let mut fields: Vec<String> = base.iter().map(|f| (*f).to_owned()).collect();
    for custom in custom_fields(config, object) {
        if !fields.iter().any(|f| f.eq_ignore_ascii_case(&custom)) {
            fields.push(custom);
        }
    }
    format!("SELECT {} FROM {}", fields.join(", "), object.name())
}

/// A JSON value as the text the overwrite policy compares (`60`, not `60.0`).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A query row as a person; `None` without an `Id`.
pub fn record(config: &Config, object: PersonObject, row: &Value) -> Option<PersonRecord> {
    let id = row["Id"].as_str()?.to_owned();
    let placeholder = config.placeholder.trim();
    let real = |v: &Value| text(v).filter(|t| t != placeholder);
    let mut values = std::collections::BTreeMap::new();
    let mut put = |field: Field, value: Option<String>| {
        if let Some(v) = value {
            values.insert(field, v);
        }
    };
    put(Field::Email, text(&row["Email"]));
    put(
        Field::Phone,
        text(&row["Phone"]).or_else(|| text(&row["MobilePhone"])),
    );
    put(Field::FirstName, text(&row["FirstName"]));
    put(Field::LastName, real(&row["LastName"]));
    put(Field::JobTitle, text(&row["Title"]));
    put(Field::Owner, text(&row["OwnerId"]));
    let company = match object {
        PersonObject::Lead => real(&row["Company"]),
        PersonObject::Contact => text(&row["Account"]["Name"]),
    };
    put(Field::Company, company);
    for name in custom_fields(config, object) {
        let value = row
            .as_object()
            .and_then(|r| r.iter().find(|(k, _)| k.eq_ignore_ascii_case(&name)))
            .and_then(|(_, v)| text(v));
        put(Field::Custom(name), value);
    }
    Some(PersonRecord { id, values })
}

/// The body writing `p` to `object`: only the fields given, never an empty value. Creating
/// adds what Salesforce requires (placeholders), `LeadSource` and `OwnerId`. Custom fields go
/// to the configured object only. A Contact's company is not a field: the caller sets
/// `AccountId`.
pub fn body(
    config: &Config,
    object: PersonObject,
    p: &PersonFields,
    creating: bool,
) -> Map<String, Value> {
    let mut body = Map::new();
    let mut set = |name: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            body.insert(name.to_owned(), json!(v));
        }
    };
    set("FirstName", p.first_name.as_deref());
    set("LastName", p.last_name.as_deref());
    set("Email", p.email.as_ref().map(|e| e.as_str()));
    set("Phone", p.phone.as_ref().map(|e| e.as_str()));
    set("Title", p.job_title.as_deref());
    set("OwnerId", p.owner.as_deref());
    if object == PersonObject::Lead {
        set("Company", p.company.as_deref());
    }
    if creating {
        let placeholder = config.placeholder.as_str();
        body.entry("LastName").or_insert_with(|| json!(placeholder));
        if object == PersonObject::Lead {
            body.entry("Company").or_insert_with(|| json!(placeholder));
        }
        if let Some(source) = &config.lead_source {
            body.insert("LeadSource".into(), json!(source));
        }
        if let Some(owner) = &config.owner_id {
            body.entry("OwnerId").or_insert_with(|| json!(owner));
        }
    }
    if object == config.object {
        for (name, value) in &p.custom {
            if is_api_name(name) && !value.is_null() {
                body.insert(name.clone(), value.clone());
            }
        }
    }
    body
}

/// A Contact row as `(contact, its account)`, for the account cache; `None` for Leads.
pub fn contact_account(row: &Value) -> Option<(String, Option<String>)> {
    let id = row["Id"]
        .as_str()
        .filter(|id| PersonObject::of_id(id) == Some(PersonObject::Contact))?;
    Some((id.to_owned(), row["AccountId"].as_str().map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::salesforce::config::CustomFields;
    use crate::lead::Email;

    fn config() -> Config {
        Config {
            fields: CustomFields {
                score: Some("Chat_Score__c".into()),
                ..CustomFields::default()
            },
            ..Config::default()
        }
    }

    #[test]
    fn placeholders_count_as_empty() {
        let row = json!({"Id": "00Q000000000001AAA", "FirstName": "Anna", "LastName": "[not provided]", "Company": "[not provided]", "Email": "a@b.pl", "Phone": null, "MobilePhone": "+48 600 100 200", "Chat_Score__c": 60.0});
        let record = record(&config(), PersonObject::Lead, &row).unwrap();
        assert_eq!(record.values.get(&Field::LastName), None);
        assert_eq!(record.values.get(&Field::Company), None);
        assert_eq!(record.values[&Field::Phone], "+48 600 100 200");
        assert_eq!(record.values[&Field::Custom("Chat_Score__c".into())], "60");
    }

    #[test]
    fn contacts_take_the_company_from_the_account() {
        let row = json!({"Id": "003000000000001AAA", "LastName": "Nowak", "Account": {"Name": "Firma"}, "AccountId": "001000000000001AAA"});
        let record = record(&config(), PersonObject::Contact, &row).unwrap();
        assert_eq!(record.values[&Field::Company], "Firma");
        assert!(
            select(&config(), PersonObject::Contact).ends_with("Account.Name FROM Contact"),
            "custom fields stay on the configured object"
        );
    }

    #[test]
    fn create_bodies_fill_required_fields() {
        let p = PersonFields {
            email: Some(Email::parse("a@b.pl").unwrap()),
            first_name: Some("Anna".into()),
            custom: [
                ("Chat_Score__c".to_owned(), json!(60)),
                ("Bad name".to_owned(), json!(1)),
            ]
            .into(),
            ..PersonFields::default()
        };
        let lead = body(
            &Config {
                lead_source: Some("Chat".into()),
                ..config()
            },
            PersonObject::Lead,
            &p,
            true,
        );
        assert_eq!(lead["LastName"], "[not provided]");
        assert_eq!(lead["Company"], "[not provided]");
        assert_eq!(lead["LeadSource"], "Chat");
        assert_eq!(lead["Chat_Score__c"], 60);
        assert!(!lead.contains_key("Bad name"), "only API names are written");
        assert!(
            !body(&config(), PersonObject::Contact, &p, true).contains_key("Chat_Score__c"),
            "custom fields stay on the configured object"
        );
        let update = body(&config(), PersonObject::Lead, &p, false);
        assert!(!update.contains_key("LastName") && !update.contains_key("Company"));
    }
}
