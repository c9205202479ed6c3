//! Single-object endpoints (`/crm/v3/objects/{object}[/{id}]`) and the create/update logic the
//! batch endpoints share: required properties, unique values (409 `Existing ID`) and
//! associations on create.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::errors::HsError;
use super::model::{self, ObjectType, association_target, object_json, object_type};
use super::state::HubSpot;
use super::webhooks::Source;
use crate::shared::clock;
use crate::shared::http::{Params, json};
use crate::shared::schema::Schema;
use crate::shared::store::{Record, Tables};

/// Parse a JSON request body, answering HubSpot's 400 when it is not JSON.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, HsError> {
    serde_json::from_slice(body).map_err(|e| HsError::invalid_json(&e))
}

/// An association requested on create.
#[derive(Debug, Clone)]
pub(crate) struct AssociationInput {
    pub to_type: &'static str,
    pub to_id: String,
}

/// Parse `associations: [{to: {id}, types: [{associationCategory, associationTypeId}]}]`.
pub(crate) fn parse_associations(
    object: &ObjectType,
    value: Option<&Value>,
) -> Result<Vec<AssociationInput>, HsError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(items) = value.as_array() else {
        return Err(HsError::invalid_input("associations must be an array"));
    };
    let mut parsed = Vec::new();
    for item in items {
        let to_id = match &item["to"]["id"] {
            Value::String(id) => id.clone(),
            Value::Number(id) => id.to_string(),
            _ => return Err(HsError::invalid_input("association is missing to.id")),
        };
        let Some(types) = item["types"].as_array().filter(|t| !t.is_empty()) else {
            return Err(HsError::invalid_input("association is missing types"));
        };
        for spec in types {
            let category = spec["associationCategory"].as_str().unwrap_or_default();
            let type_id = spec["associationTypeId"].as_u64().unwrap_or_default();
            let target = (category == "HUBSPOT_DEFINED")
                .then(|| association_target(object.name, type_id))
                .flatten();
            let Some(to_type) = target else {
                return Err(HsError::invalid_input(format!(
                    "{category} association type {type_id} is not valid from {}",
                    object.name
                )));
            };
            parsed.push(AssociationInput {
                to_type,
                to_id: to_id.clone(),
            });
        }
    }
    Ok(parsed)
}

/// Check and clean a write's `properties`.
pub(crate) fn clean(
    hs: &HubSpot,
    schema: &Schema,
    object: &ObjectType,
    properties: &Value,
) -> Result<Map<String, Value>, HsError> {
    model::clean_properties(schema, object, properties, |fields| {
        hs.core.faults.rejected_value(fields)
    })
}

fn check_unique(
    schema: &Schema,
    tables: &Tables,
    object: &ObjectType,
    properties: &Map<String, Value>,
    own_id: Option<&str>,
) -> Result<(), HsError> {
    for field in schema.unique_fields(object.name) {
        let Some(value) = properties
            .get(field)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        let existing = tables
            .find(object.name, |record| {
                Some(record.id.as_str()) != own_id
                    && record
                        .str_field(field)
                        .is_some_and(|held| held.eq_ignore_ascii_case(value))
            })
            .next();
        if let Some(existing) = existing {
            return Err(HsError::conflict(
                object.singular,
                field,
                value,
                &existing.id,
            ));
        }
    }
    Ok(())
}

/// Create a record inside a store transaction.
pub(crate) fn create_in(
    hs: &HubSpot,
    schema: &Schema,
    tables: &mut Tables,
    object: &ObjectType,
    properties: Map<String, Value>,
    associations: &[AssociationInput],
) -> Result<Record, HsError> {
    let missing: Vec<&str> = object
        .required
        .iter()
        .copied()
        .filter(|p| {
            properties
                .get(*p)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        })
        .collect();
    if !missing.is_empty() {
        return Err(HsError::invalid_input(format!(
            "Error creating {}. Some required properties were not set.",
            object.singular.to_ascii_uppercase()
        ))
        .with("context", json!({ "properties": missing })));
    }
    check_unique(schema, tables, object, &properties, None)?;
    for association in associations {
        if tables
            .get(association.to_type, &association.to_id)
            .is_none()
        {
            return Err(HsError::invalid_input(format!(
                "No {} with id {} exists to associate with",
                association.to_type, association.to_id
            )));
        }
    }
    let record = hs.new_record(object, properties);
    let id = record.id.clone();
    for (name, value) in &record.fields {
        if value.as_str().is_some_and(|v| !v.is_empty()) {
            hs.hooks
                .note(object.name, &id, name, value, Source::Integration);
        }
    }
    tables.insert(object.name, record);
    for association in associations {
        tables.link(
            (object.name, &id),
            (association.to_type, &association.to_id),
        );
    }
    Ok(tables
        .get(object.name, &id)
        .cloned()
        .unwrap_or_else(|| Record::new(id, Map::new())))
}

/// Update a record inside a store transaction; `source` made the change (for webhooks).
pub(crate) fn update_in(
    hs: &HubSpot,
    schema: &Schema,
    tables: &mut Tables,
    object: &ObjectType,
    id: &str,
    properties: Map<String, Value>,
    source: Source,
) -> Result<Record, HsError> {
    if tables.get(object.name, id).is_none() {
        return Err(HsError::object_not_found(id));
    }
    check_unique(schema, tables, object, &properties, Some(id))?;
    let now = OffsetDateTime::now_utc();
    let record = tables
        .get_mut(object.name, id)
        .ok_or_else(|| HsError::object_not_found(id))?;
    for (name, value) in &properties {
        if record.fields.get(name) != Some(value) {
            hs.hooks.note(object.name, id, name, value, source);
        }
    }
    record.fields.extend(properties);
    record.fields.insert(
        object.modified_property.into(),
        Value::String(clock::millis_z(now)),
    );
    record.updated_at = now;
    Ok(record.clone())
}

/// The id of the record whose `id_property` equals `value` (`hs_object_id` or none = the id).
pub(crate) fn resolve_id(
    tables: &Tables,
    object: &ObjectType,
    id_property: Option<&str>,
    value: &str,
) -> Option<String> {
    match id_property {
        None | Some("hs_object_id") => tables.get(object.name, value).map(|r| r.id.clone()),
        Some(property) => tables
            .find(object.name, |record| {
                record
                    .str_field(property)
                    .is_some_and(|held| held.eq_ignore_ascii_case(value))
            })
            .next()
            .map(|r| r.id.clone()),
    }
}

/// `POST /crm/v3/objects/{object}`.
pub(crate) async fn create(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
    body: Bytes,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    let body = parse_body(&body)?;
    let schema = hs.schema();
    let properties = clean(&hs, &schema, object, &body["properties"])?;
    let associations = parse_associations(object, body.get("associations"))?;
    let record = hs
        .core
        .store
        .write(|tables| create_in(&hs, &schema, tables, object, properties, &associations))?;
    Ok(json(StatusCode::CREATED, &object_json(&record, None)))
}

/// `GET /crm/v3/objects/{object}/{id}?properties=…&idProperty=…`.
pub(crate) async fn read(
    State(hs): State<Arc<HubSpot>>,
    Path((object, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    let params = Params::query(query.as_deref());
    let wanted = model::wanted_properties(object, &params.list("properties"));
    let record = hs.core.store.read(|tables| {
        resolve_id(tables, object, params.get("idProperty"), &id)
            .and_then(|found| tables.get(object.name, &found).cloned())
    });
    let record = record.ok_or_else(|| HsError::object_not_found(&id))?;
    Ok(json(StatusCode::OK, &object_json(&record, Some(&wanted))))
}

/// `PATCH /crm/v3/objects/{object}/{id}?idProperty=…`.
pub(crate) async fn update(
    State(hs): State<Arc<HubSpot>>,
    Path((object, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    let params = Params::query(query.as_deref());
    let body = parse_body(&body)?;
    let schema = hs.schema();
    let properties = clean(&hs, &schema, object, &body["properties"])?;
    let record = hs.core.store.write(|tables| {
        let found = resolve_id(tables, object, params.get("idProperty"), &id)
            .ok_or_else(|| HsError::object_not_found(&id))?;
        update_in(
            &hs,
            &schema,
            tables,
            object,
            &found,
            properties,
            Source::Integration,
        )
    })?;
    Ok(json(StatusCode::OK, &object_json(&record, None)))
}

/// `DELETE /crm/v3/objects/{object}/{id}` (archive).
pub(crate) async fn archive(
    State(hs): State<Arc<HubSpot>>,
    Path((object, id)): Path<(String, String)>,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    hs.core
        .store
        .write(|tables| tables.remove(object.name, &id));
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /crm/v3/objects/{object}?limit=…&after=…&properties=…`.
pub(crate) async fn list(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    let params = Params::query(query.as_deref());
    let wanted = model::wanted_properties(object, &params.list("properties"));
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let after = params
        .get("after")
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(0);
    let (page, total) = hs.core.store.read(|tables| {
        let all = tables.all(object.name);
        let page: Vec<Value> = all
            .iter()
            .skip(after)
            .take(limit)
            .map(|r| object_json(r, Some(&wanted)))
            .collect();
        (page, all.len())
    });
    let mut body = json!({ "results": page });
    if after + limit < total {
        let next = (after + limit).to_string();
        body["paging"] = json!({"next": {"after": next, "link": format!("?after={next}")}});
    }
    Ok(json(StatusCode::OK, &body))
}

/// A user's edit of deal `id` in HubSpot's UI (see `HubSpotSim::crm_user_changes_deal`).
pub(crate) fn ui_update(
    hs: &HubSpot,
    id: &str,
    properties: Map<String, Value>,
) -> Result<Record, crate::UiChangeError> {
    let object = object_type("deals").map_err(|e| crate::UiChangeError::Refused(e.message()))?;
    let schema = hs.schema();
    let properties = clean(hs, &schema, object, &Value::Object(properties))
        .map_err(|e| crate::UiChangeError::Refused(e.message()))?;
    let source = Source::CrmUi(hs.options.sales_rep_user_id);
    hs.core.store.write(|tables| {
        if tables.get(object.name, id).is_none() {
            return Err(crate::UiChangeError::NotFound(id.to_owned()));
        }
        update_in(hs, &schema, tables, object, id, properties, source)
            .map_err(|e| crate::UiChangeError::Refused(e.message()))
    })
}
