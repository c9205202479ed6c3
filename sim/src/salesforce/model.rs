//! Body validation, computed fields and the JSON form of a record.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

pub(crate) use super::catalog::{
    SOBJECTS, SObject, SYSTEM_FIELDS, USER_PREFIX, object_of, sobject, standard_schema,
};
use super::errors::SfError;
use super::ids;
use crate::shared::clock;
use crate::shared::schema::Schema;
use crate::shared::store::Record;
use crate::shared::validate::is_email;

fn text_of(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| !s.is_empty())
}

/// Validate a create/update body and return it keyed by canonical field names. Existence of
/// referenced records is checked later, inside the store transaction.
pub(crate) fn clean(
    schema: &Schema,
    object: &SObject,
    body: &Value,
    creating: bool,
    rejected: impl Fn(&Map<String, Value>) -> Option<(String, String)>,
) -> Result<Map<String, Value>, SfError> {
    let Some(input) = body.as_object() else {
        return Err(SfError::parser(
            "Cannot deserialize instance of SObject from a non-object value",
        ));
    };
    let mut clean = Map::new();
    for (key, value) in input {
        if key == "attributes" {
            continue;
        }
        let Some(field) = schema.field(object.name, key) else {
            return Err(SfError::fields(
                "INVALID_FIELD",
                format!("No such column '{key}' on sobject of type {}", object.name),
                &[],
            ));
        };
        if SYSTEM_FIELDS.contains(&field) || object.read_only.contains(&field) {
            return Err(SfError::fields(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!(
                    "Unable to create/update fields: {field}. Please check the security settings of this field and verify that it is read/write for your profile or permission set."
                ),
                &[field],
            ));
        }
        check_value(object, field, value)?;
        let value = match (object.references.iter().any(|(f, _)| *f == field), value) {
            (true, Value::String(id)) if !id.is_empty() => {
                json!(ids::to_18(id).unwrap_or_else(|| id.clone()))
            }
            _ => value.clone(),
        };
        clean.insert(field.to_owned(), value);
    }
    if let Some((field, value)) = rejected(&clean) {
        return Err(SfError::fields(
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            format!("{field}: value '{value}' is not allowed by a validation rule"),
            &[],
        ));
    }
    if creating {
        let missing: Vec<&str> = object
            .required
            .iter()
            .copied()
            .filter(|f| {
                clean
                    .get(*f)
                    .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
            })
            .collect();
        if !missing.is_empty() {
            return Err(SfError::fields(
                "REQUIRED_FIELD_MISSING",
                format!("Required fields are missing: [{}]", missing.join(", ")),
                &missing,
            ));
        }
    }
    Ok(clean)
}

/// Text fields' maximum lengths in characters, from Salesforce's field reference: Note `Title`
/// string(80) and `Body` textarea(32000)
/// (<https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-note.html>),
/// ContentNote `Title` string(255) (the same reference's AttachedContentNote and ContentNote
/// pages). Since API 15.0 a longer value fails the save with `STRING_TOO_LONG` rather than
/// being cut; the message names the field, the value and the maximum (Salesforce's
/// `data value too large: … (max length=N)`).
const MAX_LENGTHS: &[(&str, &str, usize)] = &[
    ("Note", "Title", 80),
    ("Note", "Body", 32_000),
    ("ContentNote", "Title", 255),
];

fn check_length(object: &SObject, field: &str, text: &str) -> Result<(), SfError> {
    let Some((_, _, max)) = MAX_LENGTHS
        .iter()
        .find(|(o, f, _)| *o == object.name && *f == field)
    else {
        return Ok(());
    };
    if text.chars().count() <= *max {
        return Ok(());
    }
    Err(SfError::fields(
        "STRING_TOO_LONG",
        format!("{field}: data value too large: {text} (max length={max})"),
        &[field],
    ))
}

fn check_value(object: &SObject, field: &str, value: &Value) -> Result<(), SfError> {
    let Some(text) = text_of(value) else {
        return Ok(());
    };
    check_length(object, field, text)?;
    if object.emails.contains(&field) && !is_email(text) {
        return Err(SfError::fields(
            "INVALID_EMAIL_ADDRESS",
            format!("{field}: invalid email address: {text}"),
            &[field],
        ));
    }
    if object.dates.contains(&field) && !clock::is_date(text) {
        return Err(SfError::parser(format!(
            "Cannot deserialize value of type `date` from String \"{text}\": expected format \"yyyy-MM-dd\""
        )));
    }
    if object.base64.contains(&field) && STANDARD.decode(text).is_err() {
        return Err(SfError::parser(format!(
            "Cannot deserialize value of type `byte[]` from String \"{text}\": Illegal character in base64 value"
        )));
    }
    if let Some((_, label, values)) = object.picklists.iter().find(|(f, _, _)| *f == field)
        && !values.contains(&text)
    {
        return Err(SfError::fields(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            format!("{label}: bad value for restricted picklist field: {text}"),
            &[field],
        ));
    }
    if object.references.iter().any(|(f, _)| *f == field) && !ids::looks_like_id(text) {
        return Err(SfError::fields(
            "MALFORMED_ID",
            format!("{field}: id value of incorrect type: {text}"),
            &[field],
        ));
    }
    Ok(())
}

/// Apply defaults and computed fields (`Name` of people, `IsConverted`, `IsClosed`, …).
pub(crate) fn complete(
    object: &SObject,
    fields: &mut Map<String, Value>,
    owner: &str,
    creating: bool,
) {
    if creating {
        for (field, value) in object.defaults {
            if fields.get(*field).is_none_or(Value::is_null) {
                fields.insert((*field).to_owned(), json!(value));
            }
        }
        fields.entry("OwnerId").or_insert_with(|| json!(owner));
    }
    if matches!(object.name, "Lead" | "Contact") {
        let part = |f: &str| {
            fields
                .get(f)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let name = format!("{} {}", part("FirstName"), part("LastName"));
        fields.insert("Name".into(), json!(name.trim()));
    }
    if object.name == "Lead" {
        fields.entry("IsConverted").or_insert(json!(false));
    }
    if object.name == "Opportunity" {
        let stage = fields
            .get("StageName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let closed = stage.starts_with("Closed");
        let won = stage == "Closed Won";
        fields.insert("IsClosed".into(), json!(closed));
        fields.insert("IsWon".into(), json!(won));
    }
    if object.name == "Task" {
        let done = fields.get("Status").and_then(Value::as_str) == Some("Completed");
        fields.insert("IsClosed".into(), json!(done));
    }
}

/// The REST path of a record.
pub(crate) fn record_url(version: &str, object: &str, id: &str) -> String {
    format!("/services/data/{version}/sobjects/{object}/{id}")
}

/// `{"type","url"}` attributes of a record.
pub(crate) fn attributes(version: &str, object: &str, id: &str) -> Value {
    json!({ "type": object, "url": record_url(version, object, id) })
}

/// A system or stored field's value.
pub(crate) fn field_value(record: &Record, field: &str, owner: &str) -> Value {
    match field {
        "Id" => json!(record.id),
        "IsDeleted" => json!(false),
        "CreatedDate" => json!(clock::salesforce(record.created_at)),
        "LastModifiedDate" | "SystemModstamp" => json!(clock::salesforce(record.updated_at)),
        "CreatedById" => json!(owner),
        "LastModifiedById" => record
            .field("LastModifiedById")
            .filter(|v| v.is_string())
            .cloned()
            .unwrap_or_else(|| json!(owner)),
        _ => record.value(field).clone(),
    }
}

/// The full JSON form of a record (`GET /sobjects/{Obj}/{id}`): every field, unset ones null.
pub(crate) fn render(
    schema: &Schema,
    object: &SObject,
    record: &Record,
    version: &str,
    owner: &str,
) -> Value {
    let mut body = Map::new();
    body.insert(
        "attributes".into(),
        attributes(version, object.name, &record.id),
    );
    for field in SYSTEM_FIELDS {
        body.insert((*field).into(), field_value(record, field, owner));
    }
    for field in schema.fields(object.name) {
        if !body.contains_key(&field) {
            let value = field_value(record, &field, owner);
            body.insert(field, value);
        }
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> &'static SObject {
        sobject("lead").unwrap()
    }

    #[test]
    fn field_names_are_case_insensitive_and_canonicalised() {
        let schema = standard_schema();
        let body = json!({"lastname": "Doe", "COMPANY": "Acme", "email": "jane@example.com"});
        let clean = clean(&schema, lead(), &body, true, |_| None).unwrap();
        assert_eq!(clean["LastName"], "Doe");
        assert_eq!(clean["Company"], "Acme");
    }

    #[test]
    fn required_unknown_read_only_and_picklists_are_refused() {
        let schema = standard_schema();
        let cases = [
            (json!({"LastName": "Doe"}), "REQUIRED_FIELD_MISSING"),
            (
                json!({"LastName": "Doe", "Company": "A", "Foo__c": 1}),
                "INVALID_FIELD",
            ),
            (
                json!({"LastName": "Doe", "Company": "A", "Name": "x"}),
                "INVALID_FIELD_FOR_INSERT_UPDATE",
            ),
            (
                json!({"LastName": "Doe", "Company": "A", "Status": "Hot"}),
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ),
            (
                json!({"LastName": "Doe", "Company": "A", "Email": "nope"}),
                "INVALID_EMAIL_ADDRESS",
            ),
            (
                json!({"LastName": "Doe", "Company": "A", "OwnerId": "nope"}),
                "MALFORMED_ID",
            ),
        ];
        for (body, code) in cases {
            let error = clean(&schema, lead(), &body, true, |_| None).unwrap_err();
            assert_eq!(error.body[0]["errorCode"], code, "{body}");
        }
    }

    #[test]
    fn people_get_a_computed_name() {
        let mut fields = Map::new();
        fields.insert("FirstName".into(), json!("Jane"));
        fields.insert("LastName".into(), json!("Doe"));
        complete(lead(), &mut fields, "005000000000001AAA", true);
        assert_eq!(fields["Name"], "Jane Doe");
        assert_eq!(fields["Status"], "Open - Not Contacted");
        assert_eq!(fields["IsConverted"], false);
    }
}
