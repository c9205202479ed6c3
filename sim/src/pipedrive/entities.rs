//! Pipedrive's entities as the simulator knows them: accepted fields and their types, the
//! required field, links to other entities, body validation and the JSON form.

use serde_json::{Map, Value, json};

use super::errors::PdError;
use crate::shared::clock;
use crate::shared::schema::Schema;
use crate::shared::store::{Record, Tables};

/// The JSON type a field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// String (or null).
    Text,
    /// Integer (or null), typically an id.
    Int,
    /// Any number.
    Number,
    /// `true`/`false`, or `0`/`1` as v1 sends flags.
    Flag,
    /// `YYYY-MM-DD`.
    Date,
    /// Array of `{value, primary?, label?}` (emails, phones).
    ValueList,
    /// Array of integers.
    IntList,
    /// Anything (objects such as `address`, `participants`).
    Any,
}

/// One entity type.
#[derive(Debug)]
pub(crate) struct Entity {
    /// Store table and path segment (`persons`).
    pub table: &'static str,
    /// Singular for messages (`Person`).
    pub singular: &'static str,
    /// The field that must be present on create.
    pub required: Option<&'static str>,
    /// Accepted fields.
    pub fields: &'static [(&'static str, Kind)],
    /// Fields that hold the id of another entity: `(field, table)`.
    pub links: &'static [(&'static str, &'static str)],
}

/// Persons (v2).
pub(crate) const PERSONS: Entity = Entity {
    table: "persons",
    singular: "Person",
    required: Some("name"),
    fields: &[
        ("name", Kind::Text),
        ("first_name", Kind::Text),
        ("last_name", Kind::Text),
        ("owner_id", Kind::Int),
        ("org_id", Kind::Int),
        ("emails", Kind::ValueList),
        ("phones", Kind::ValueList),
        ("visible_to", Kind::Int),
        ("label_ids", Kind::IntList),
        ("marketing_status", Kind::Text),
        ("custom_fields", Kind::Any),
    ],
    links: &[("org_id", "organizations")],
};

/// Organizations (v2).
pub(crate) const ORGANIZATIONS: Entity = Entity {
    table: "organizations",
    singular: "Organization",
    required: Some("name"),
    fields: &[
        ("name", Kind::Text),
        ("owner_id", Kind::Int),
        ("address", Kind::Any),
        ("visible_to", Kind::Int),
        ("label_ids", Kind::IntList),
        ("custom_fields", Kind::Any),
    ],
    links: &[],
};

/// Deals (v2).
pub(crate) const DEALS: Entity = Entity {
    table: "deals",
    singular: "Deal",
    required: Some("title"),
    fields: &[
        ("title", Kind::Text),
        ("owner_id", Kind::Int),
        ("person_id", Kind::Int),
        ("org_id", Kind::Int),
        ("pipeline_id", Kind::Int),
        ("stage_id", Kind::Int),
        ("value", Kind::Number),
        ("currency", Kind::Text),
        ("status", Kind::Text),
        ("probability", Kind::Number),
        ("expected_close_date", Kind::Date),
        ("lost_reason", Kind::Text),
        ("visible_to", Kind::Int),
        ("label_ids", Kind::IntList),
        ("custom_fields", Kind::Any),
    ],
    links: &[("person_id", "persons"), ("org_id", "organizations")],
};

/// Activities (v2 and v1).
pub(crate) const ACTIVITIES: Entity = Entity {
    table: "activities",
    singular: "Activity",
    required: None,
    fields: &[
        ("subject", Kind::Text),
        ("type", Kind::Text),
        ("owner_id", Kind::Int),
        ("user_id", Kind::Int),
        ("deal_id", Kind::Int),
        ("lead_id", Kind::Text),
        ("person_id", Kind::Int),
        ("org_id", Kind::Int),
        ("due_date", Kind::Date),
        ("due_time", Kind::Text),
        ("duration", Kind::Text),
        ("busy", Kind::Flag),
        ("done", Kind::Flag),
        ("location", Kind::Any),
        ("participants", Kind::Any),
        ("attendees", Kind::Any),
        ("note", Kind::Text),
        ("public_description", Kind::Text),
        ("priority", Kind::Int),
    ],
    links: &[
        ("deal_id", "deals"),
        ("person_id", "persons"),
        ("org_id", "organizations"),
    ],
};

/// Notes (v1).
pub(crate) const NOTES: Entity = Entity {
    table: "notes",
    singular: "Note",
    required: Some("content"),
    fields: &[
        ("content", Kind::Text),
        ("deal_id", Kind::Int),
        ("person_id", Kind::Int),
        ("org_id", Kind::Int),
        ("lead_id", Kind::Text),
        ("project_id", Kind::Int),
        ("user_id", Kind::Int),
        ("add_time", Kind::Text),
        ("pinned_to_deal_flag", Kind::Flag),
        ("pinned_to_person_flag", Kind::Flag),
        ("pinned_to_organization_flag", Kind::Flag),
        ("pinned_to_lead_flag", Kind::Flag),
        ("pinned_to_project_flag", Kind::Flag),
    ],
    links: &[
        ("deal_id", "deals"),
        ("person_id", "persons"),
        ("org_id", "organizations"),
    ],
};

/// Every entity type.
pub(crate) const ALL: &[&Entity] = &[&PERSONS, &ORGANIZATIONS, &DEALS, &ACTIVITIES, &NOTES];

/// The entity stored in `table`.
pub(crate) fn entity(table: &str) -> Option<&'static Entity> {
    ALL.iter().copied().find(|e| e.table == table)
}

/// The owner every record gets unless told otherwise.
pub(crate) const DEFAULT_OWNER: u64 = 13_579_001;

fn kind_ok(kind: Kind, value: &Value) -> bool {
    if value.is_null() {
        return true;
    }
    match kind {
        Kind::Text => value.is_string(),
        Kind::Int => value.is_i64() || value.is_u64(),
        Kind::Number => value.is_number(),
        Kind::Flag => value.is_boolean() || matches!(value.as_u64(), Some(0 | 1)),
        Kind::Date => value.as_str().is_some_and(clock::is_date),
        Kind::ValueList => value.as_array().is_some_and(|items| {
            items
                .iter()
                .all(|item| item.get("value").is_some_and(Value::is_string))
        }),
        Kind::IntList => value
            .as_array()
            .is_some_and(|items| items.iter().all(|i| i.is_u64())),
        Kind::Any => true,
    }
}

fn type_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "string",
        Kind::Int => "integer",
        Kind::Number => "number",
        Kind::Flag => "boolean",
        Kind::Date => "date (YYYY-MM-DD)",
        Kind::ValueList => "array of objects with a string value",
        Kind::IntList => "array of integers",
        Kind::Any => "any",
    }
}

/// Give each `{value}` a `primary` flag (the first one, unless one is marked) and a `label`.
fn normalise_list(value: &Value) -> Value {
    let Some(items) = value.as_array() else {
        return value.clone();
    };
    let any_primary = items.iter().any(|i| i["primary"].as_bool() == Some(true));
    let items: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            json!({
                "value": item["value"],
                "primary": item["primary"].as_bool().unwrap_or(!any_primary && index == 0),
                "label": item["label"].as_str().unwrap_or("work"),
            })
        })
        .collect();
    Value::Array(items)
}

/// Validate a write body: every field known and well-typed, custom-field keys defined,
/// rejected values refused. `creating` enforces the required field.
pub(crate) fn clean(
    entity: &Entity,
    schema: &Schema,
    body: &Value,
    creating: bool,
    rejected: impl Fn(&Map<String, Value>) -> Option<(String, String)>,
) -> Result<Map<String, Value>, PdError> {
    let Some(input) = body.as_object() else {
        return Err(PdError::invalid("body must be a JSON object"));
    };
    let mut clean = Map::new();
    for (name, value) in input {
        let Some((_, kind)) = entity.fields.iter().find(|(field, _)| field == name) else {
            return Err(PdError::invalid(format!(
                "Parameter '{name}' is not allowed for this request"
            )));
        };
        if !kind_ok(*kind, value) {
            return Err(PdError::invalid(format!(
                "body/{name} must be {}",
                type_name(*kind)
            )));
        }
        if name == "custom_fields" {
            check_custom_fields(entity, schema, value)?;
        }
        let value = if *kind == Kind::ValueList {
            normalise_list(value)
        } else {
            value.clone()
        };
        clean.insert(name.clone(), value);
    }
    if creating
        && let Some(required) = entity.required
        && clean
            .get(required)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
    {
        return Err(PdError::invalid(format!("body/{required} is required")));
    }
    if let Some((field, value)) = rejected(&clean) {
        return Err(PdError::invalid(format!(
            "body/{field}: value '{value}' is not accepted"
        )));
    }
    Ok(clean)
}

fn check_custom_fields(entity: &Entity, schema: &Schema, value: &Value) -> Result<(), PdError> {
    let Some(fields) = value.as_object() else {
        return Err(PdError::invalid("body/custom_fields must be object"));
    };
    match fields
        .keys()
        .find(|key| !schema.has_field(entity.table, key))
    {
        Some(key) => Err(PdError::invalid(format!(
            "body/custom_fields: unknown custom field key '{key}'"
        ))),
        None => Ok(()),
    }
}

/// The ids this body links to, as `(table, id)`.
pub(crate) fn links(entity: &Entity, fields: &Map<String, Value>) -> Vec<(&'static str, String)> {
    entity
        .links
        .iter()
        .filter_map(|(field, table)| {
            let id = fields.get(*field)?.as_u64()?;
            Some((*table, id.to_string()))
        })
        .collect()
}

/// Refuse links to entities that do not exist.
pub(crate) fn check_links(
    entity: &Entity,
    tables: &Tables,
    fields: &Map<String, Value>,
) -> Result<(), PdError> {
    for (table, id) in links(entity, fields) {
        if tables.get(table, &id).is_none() {
            let singular = super::entities::entity(table).map_or("Item", |e| e.singular);
            return Err(PdError::new(
                axum::http::StatusCode::BAD_REQUEST,
                format!("{singular} with id {id} not found"),
                Some("ERR_RELATED_ENTITY_NOT_FOUND"),
            ));
        }
    }
    Ok(())
}

/// Fill in what Pipedrive derives: person first/last names, default owner and visibility.
pub(crate) fn complete(entity: &Entity, fields: &mut Map<String, Value>) {
    if entity.table == "persons"
        && let Some(name) = fields
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
    {
        let (first, last) = name.split_once(' ').unwrap_or((name.as_str(), ""));
        fields.entry("first_name").or_insert_with(|| json!(first));
        fields.entry("last_name").or_insert_with(|| json!(last));
    }
    if entity.table != "notes" {
        fields.entry("owner_id").or_insert(json!(DEFAULT_OWNER));
    }
    if matches!(entity.table, "persons" | "organizations" | "deals") {
        fields.entry("visible_to").or_insert(json!(3));
        fields.entry("custom_fields").or_insert(json!({}));
        fields.entry("label_ids").or_insert(json!([]));
    }
    if entity.table == "persons" {
        fields.entry("emails").or_insert(json!([]));
        fields.entry("phones").or_insert(json!([]));
        fields.entry("org_id").or_insert(Value::Null);
    }
    if entity.table == "deals" {
        fields.entry("status").or_insert(json!("open"));
        fields.entry("pipeline_id").or_insert(json!(1));
        fields.entry("stage_id").or_insert(json!(1));
        fields.entry("currency").or_insert(json!("USD"));
    }
    if entity.table == "activities" {
        fields.entry("done").or_insert(json!(false));
        fields.entry("type").or_insert(json!("task"));
    }
}

/// A record's numeric id as JSON.
pub(crate) fn numeric_id(id: &str) -> Value {
    id.parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::String(id.to_owned()))
}

/// The v2 JSON form of a record.
pub(crate) fn render_v2(record: &Record) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), numeric_id(&record.id));
    body.extend(record.fields.clone());
    body.insert(
        "add_time".into(),
        json!(clock::seconds_z(record.created_at)),
    );
    body.insert(
        "update_time".into(),
        json!(clock::seconds_z(record.updated_at)),
    );
    body.insert("is_deleted".into(), json!(false));
    Value::Object(body)
}

/// The v1 JSON form of a record (v1 timestamps, `active_flag`).
pub(crate) fn render_v1(record: &Record) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), numeric_id(&record.id));
    body.extend(record.fields.clone());
    body.insert("add_time".into(), json!(clock::spaced(record.created_at)));
    body.insert(
        "update_time".into(),
        json!(clock::spaced(record.updated_at)),
    );
    body.insert("active_flag".into(), json!(true));
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        let mut schema = Schema::new(false);
        for entity in ALL {
            schema.define(entity.table, &[]);
        }
        schema
    }

    #[test]
    fn person_bodies_are_typed_and_completed() {
        let body = json!({"name": "Jane Doe", "emails": [{"value": "jane@example.com"}]});
        let mut fields = clean(&PERSONS, &schema(), &body, true, |_| None).unwrap();
        complete(&PERSONS, &mut fields);
        assert_eq!(fields["first_name"], "Jane");
        assert_eq!(fields["last_name"], "Doe");
        assert_eq!(fields["emails"][0]["primary"], true);
        assert_eq!(fields["emails"][0]["label"], "work");
    }

    #[test]
    fn wrong_shapes_and_unknown_fields_are_refused() {
        let schema = schema();
        for body in [
            json!({"name": "x", "emails": ["jane@example.com"]}),
            json!({"name": "x", "favourite": 1}),
            json!({"name": "x", "org_id": "seven"}),
            json!({"name": "x", "custom_fields": {"abc": 1}}),
            json!({"emails": []}),
        ] {
            assert!(
                clean(&PERSONS, &schema, &body, true, |_| None).is_err(),
                "{body}"
            );
        }
    }
}
