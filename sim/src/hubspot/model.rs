//! HubSpot's object model as the simulator knows it: object types and their aliases, standard
//! properties, association type ids, property validation and the JSON form of an object.

use serde_json::{Map, Value, json};

use super::errors::{HsError, PropertyError};
use crate::shared::clock;
use crate::shared::schema::Schema;
use crate::shared::store::Record;
use crate::shared::validate::is_email;

/// One HubSpot object type.
pub(crate) struct ObjectType {
    /// Plural name used in paths and as the store table (`contacts`).
    pub name: &'static str,
    /// Object type id (`0-1`).
    pub type_id: &'static str,
    /// Singular for messages (`Contact`).
    pub singular: &'static str,
    /// Properties returned when the request names none.
    pub default_properties: &'static [&'static str],
    /// Properties that must be set on create.
    pub required: &'static [&'static str],
    /// The "last modified" property's name.
    pub modified_property: &'static str,
}

/// Every simulated object type.
pub(crate) const OBJECT_TYPES: &[ObjectType] = &[
    ObjectType {
        name: "contacts",
        type_id: "0-1",
        singular: "Contact",
        default_properties: &[
            "createdate",
            "email",
            "firstname",
            "hs_object_id",
            "lastmodifieddate",
            "lastname",
        ],
        required: &[],
        modified_property: "lastmodifieddate",
    },
    ObjectType {
        name: "companies",
        type_id: "0-2",
        singular: "Company",
        default_properties: &[
            "createdate",
            "domain",
            "hs_lastmodifieddate",
            "hs_object_id",
            "name",
        ],
        required: &[],
        modified_property: "hs_lastmodifieddate",
    },
    ObjectType {
        name: "deals",
        type_id: "0-3",
        singular: "Deal",
        default_properties: &[
            "amount",
            "closedate",
            "createdate",
            "dealname",
            "dealstage",
            "hs_lastmodifieddate",
            "hs_object_id",
            "pipeline",
        ],
        required: &[],
        modified_property: "hs_lastmodifieddate",
    },
    ObjectType {
        name: "notes",
        type_id: "0-46",
        singular: "Note",
        default_properties: &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
        required: &["hs_timestamp"],
        modified_property: "hs_lastmodifieddate",
    },
    ObjectType {
        name: "tasks",
        type_id: "0-27",
        singular: "Task",
        default_properties: &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
        required: &["hs_timestamp"],
        modified_property: "hs_lastmodifieddate",
    },
];

/// The object type a path segment names: plural name, singular name or type id.
pub(crate) fn object_type(segment: &str) -> Result<&'static ObjectType, HsError> {
    let wanted = segment.to_ascii_lowercase();
    OBJECT_TYPES
        .iter()
        .find(|t| {
            t.name == wanted || t.type_id == wanted || t.singular.eq_ignore_ascii_case(&wanted)
        })
        .ok_or_else(|| {
            HsError::invalid_input(format!("Unable to infer object type from: {segment}"))
        })
}

/// Properties HubSpot maintains itself; writes to them are ignored.
const READ_ONLY: &[&str] = &[
    "hs_searchable_calculated_phone_number",
    "hs_searchable_calculated_mobile_number",
    "hs_object_id",
    "createdate",
    "lastmodifieddate",
    "hs_createdate",
    "hs_lastmodifieddate",
];

/// The standard property catalogue.
pub(crate) fn standard_schema() -> Schema {
    let mut schema = Schema::new(false);
    schema.define(
        "contacts",
        &[
            "email",
            "firstname",
            "lastname",
            "phone",
            "mobilephone",
            "company",
            "website",
            "jobtitle",
            "industry",
            "lifecyclestage",
            "hs_lead_status",
            "address",
            "city",
            "state",
            "zip",
            "country",
            "hubspot_owner_id",
            "message",
            "hs_language",
            "hs_whatsapp_phone_number",
            "hs_searchable_calculated_phone_number",
            "hs_searchable_calculated_mobile_number",
            "createdate",
            "lastmodifieddate",
            "hs_object_id",
        ],
    );
    schema.define(
        "companies",
        &[
            "name",
            "domain",
            "website",
            "phone",
            "industry",
            "description",
            "numberofemployees",
            "annualrevenue",
            "address",
            "city",
            "state",
            "zip",
            "country",
            "type",
            "lifecyclestage",
            "hubspot_owner_id",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ],
    );
    schema.define(
        "deals",
        &[
            "dealname",
            "pipeline",
            "dealstage",
            "amount",
            "closedate",
            "dealtype",
            "description",
            "hs_priority",
            "hubspot_owner_id",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ],
    );
    schema.define(
        "notes",
        &[
            "hs_timestamp",
            "hs_note_body",
            "hubspot_owner_id",
            "hs_attachment_ids",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ],
    );
    schema.define(
        "tasks",
        &[
            "hs_timestamp",
            "hs_task_subject",
            "hs_task_body",
            "hs_task_status",
            "hs_task_priority",
            "hs_task_type",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ],
    );
    // HubSpot enforces unique contact emails.
    schema.add(&crate::FieldDef::new("contacts", "email").unique());
    schema
}

/// The stages of the `default` deal pipeline.
pub(crate) const DEAL_STAGES: &[&str] = &[
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
];

/// Allowed values of enumerated properties.
fn options_of(object: &str, property: &str) -> Option<&'static [&'static str]> {
    match (object, property) {
        ("tasks", "hs_task_status") => Some(&[
            "NOT_STARTED",
            "IN_PROGRESS",
            "WAITING",
            "COMPLETED",
            "DEFERRED",
        ]),
        ("tasks", "hs_task_priority") => Some(&["NONE", "LOW", "MEDIUM", "HIGH"]),
        ("tasks", "hs_task_type") => Some(&["EMAIL", "CALL", "TODO", "LINKED_IN", "MEETING"]),
        ("deals", "pipeline") => Some(&["default"]),
        ("deals", "dealstage") => Some(DEAL_STAGES),
        ("contacts" | "companies", "lifecyclestage") => Some(&[
            "subscriber",
            "lead",
            "marketingqualifiedlead",
            "salesqualifiedlead",
            "opportunity",
            "customer",
            "evangelist",
            "other",
        ]),
        _ => None,
    }
}

/// Check and normalise the `properties` of a write: every property must exist, values become
/// strings, emails are lower-cased and validated, enumerations checked, rejected values
/// refused. Read-only properties are dropped.
pub(crate) fn clean_properties(
    schema: &Schema,
    object: &ObjectType,
    input: &Value,
    rejected: impl Fn(&Map<String, Value>) -> Option<(String, String)>,
) -> Result<Map<String, Value>, HsError> {
    let Some(input) = input.as_object() else {
        return Err(HsError::invalid_input("properties must be an object"));
    };
    let mut errors = Vec::new();
    let mut clean = Map::new();
    for (name, value) in input {
        if !schema.has_field(object.name, name) {
            errors.push(PropertyError {
                name: name.clone(),
                code: "PROPERTY_DOESNT_EXIST",
                message: format!("Property \"{name}\" does not exist"),
            });
            continue;
        }
        if READ_ONLY.contains(&name.as_str()) {
            continue;
        }
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            Value::Null => String::new(),
            Value::Array(_) | Value::Object(_) => {
                errors.push(PropertyError {
                    name: name.clone(),
                    code: "INVALID_PROPERTY_VALUE",
                    message: format!("{value} is not a valid value for property {name}"),
                });
                continue;
            }
        };
        let text = if name == "email" {
            text.trim().to_ascii_lowercase()
        } else {
            text
        };
        if let Some(error) = check_value(object.name, name, &text) {
            errors.push(error);
            continue;
        }
        clean.insert(name.clone(), Value::String(text));
    }
    if let Some((name, value)) = rejected(&clean) {
        errors.push(PropertyError {
            message: format!("{value} was not one of the allowed options for {name}"),
            name,
            code: "INVALID_OPTION",
        });
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(HsError::properties(&errors))
    }
}

/// The account's owners (`GET /crm/v3/owners` ids): the integration's and two sales reps'.
pub const OWNER_IDS: &[&str] = &["9001", "9002", "9003"];

fn check_value(object: &str, name: &str, text: &str) -> Option<PropertyError> {
    if text.is_empty() {
        return None;
    }
    // `hubspot_owner_id` takes an owner's `id` from the Owners API ("This value should be used
    // … when assigning an owner to a record", <https://developers.hubspot.com/docs/guides/api/crm/owners>);
    // any other value fails the write with the property error `INVALID_OWNER_ID` inside
    // "Property values were not valid" (as HubSpot answers; its docs give no error list).
    if name == "hubspot_owner_id" && !OWNER_IDS.contains(&text) {
        return Some(PropertyError {
            name: name.into(),
            code: "INVALID_OWNER_ID",
            message: format!("{text} is not a valid owner id"),
        });
    }
    if name == "email" && !is_email(text) {
        return Some(PropertyError {
            name: name.into(),
            code: "INVALID_EMAIL",
            message: format!("Email address {text} is invalid"),
        });
    }
    let allowed = options_of(object, name)?;
    if allowed.contains(&text) {
        return None;
    }
    Some(PropertyError {
        name: name.into(),
        code: "INVALID_OPTION",
        message: format!(
            "{text} was not one of the allowed options: [{}]",
            allowed.join(", ")
        ),
    })
}

/// `(association type id, from type, to type)` for the HUBSPOT_DEFINED associations the
/// simulator knows; the first entry of a pair is the default used by v4 `default` PUTs.
pub(crate) const ASSOCIATION_TYPES: &[(u32, &str, &str)] = &[
    (279, "contacts", "companies"),
    (1, "contacts", "companies"),
    (280, "companies", "contacts"),
    (2, "companies", "contacts"),
    (3, "deals", "contacts"),
    (4, "contacts", "deals"),
    (5, "deals", "companies"),
    (6, "companies", "deals"),
    (202, "notes", "contacts"),
    (201, "contacts", "notes"),
    (190, "notes", "companies"),
    (189, "companies", "notes"),
    (214, "notes", "deals"),
    (213, "deals", "notes"),
    (204, "tasks", "contacts"),
    (203, "contacts", "tasks"),
    (192, "tasks", "companies"),
    (191, "companies", "tasks"),
    (216, "tasks", "deals"),
    (215, "deals", "tasks"),
];

/// The target object type of association type `id` from `from`.
pub(crate) fn association_target(from: &str, id: u64) -> Option<&'static str> {
    ASSOCIATION_TYPES
        .iter()
        .find(|(type_id, f, _)| u64::from(*type_id) == id && *f == from)
        .map(|(_, _, to)| *to)
}

/// The default association type id from `from` to `to`.
pub(crate) fn default_association(from: &str, to: &str) -> Option<u32> {
    ASSOCIATION_TYPES
        .iter()
        .find(|(_, f, t)| *f == from && *t == to)
        .map(|(id, _, _)| *id)
}

/// Which properties a read returns: the requested ones, or the type's defaults.
pub(crate) fn wanted_properties(object: &ObjectType, requested: &[String]) -> Vec<String> {
    if requested.is_empty() {
        object
            .default_properties
            .iter()
            .map(|p| (*p).to_owned())
            .collect()
    } else {
        requested.to_vec()
    }
}

/// The `SimplePublicObject` form of a record; `properties` = `None` returns all stored
/// properties (create and update responses), otherwise the named ones (missing ones as null).
pub(crate) fn object_json(record: &Record, properties: Option<&[String]>) -> Value {
    let properties: Map<String, Value> = match properties {
        None => record.fields.clone(),
        Some(names) => names
            .iter()
            .map(|name| {
                let value = record.fields.get(name).cloned().unwrap_or(Value::Null);
                (name.clone(), value)
            })
            .collect(),
    };
    json!({
        "id": record.id,
        "properties": properties,
        "createdAt": clock::millis_z(record.created_at),
        "updatedAt": clock::millis_z(record.updated_at),
        "archived": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contacts() -> &'static ObjectType {
        object_type("contacts").unwrap()
    }

    #[test]
    fn aliases_resolve_to_the_same_type() {
        assert_eq!(object_type("0-1").unwrap().name, "contacts");
        assert_eq!(object_type("Contact").unwrap().name, "contacts");
        assert!(object_type("tickets").is_err());
    }

    #[test]
    fn unknown_properties_and_bad_emails_are_refused() {
        let schema = standard_schema();
        let input = json!({"email": "not-an-email", "favourite_colour": "blue"});
        let error = clean_properties(&schema, contacts(), &input, |_| None).unwrap_err();
        let body = error.standard_error(None);
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("PROPERTY_DOESNT_EXIST"), "{message}");
        assert!(message.contains("INVALID_EMAIL"), "{message}");
    }

    #[test]
    fn values_become_strings_and_emails_lowercase() {
        let schema = standard_schema();
        let input = json!({"email": "Jane@Example.COM", "firstname": "Jane", "hs_object_id": "9", "zip": 12345});
        let clean = clean_properties(&schema, contacts(), &input, |_| None).unwrap();
        assert_eq!(clean["email"], "jane@example.com");
        assert_eq!(clean["zip"], "12345");
        assert!(!clean.contains_key("hs_object_id"));
    }

    #[test]
    fn association_ids_are_directional() {
        assert_eq!(association_target("deals", 3), Some("contacts"));
        assert_eq!(association_target("contacts", 3), None);
        assert_eq!(default_association("notes", "contacts"), Some(202));
    }
}
