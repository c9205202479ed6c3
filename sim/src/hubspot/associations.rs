//! v4 associations: `PUT …/associations/default/{toType}/{toId}` (unlabelled default),
//! `PUT …/associations/{toType}/{toId}` with explicit types, and `GET …/associations/{toType}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::errors::HsError;
use super::model::{ObjectType, association_target, default_association, object_type};
use super::objects::parse_body;
use super::state::HubSpot;
use crate::shared::clock;
use crate::shared::http::json;

fn link(
    hs: &HubSpot,
    from: &ObjectType,
    from_id: &str,
    to: &ObjectType,
    to_id: &str,
) -> Result<(), HsError> {
    hs.core.store.write(|tables| {
        if tables.get(from.name, from_id).is_none() {
            return Err(HsError::object_not_found(from_id));
        }
        if tables.get(to.name, to_id).is_none() {
            return Err(HsError::object_not_found(to_id));
        }
        tables.link((from.name, from_id), (to.name, to_id));
        Ok(())
    })
}

/// `PUT /crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}`.
pub(crate) async fn put_default(
    State(hs): State<Arc<HubSpot>>,
    Path((from, from_id, to, to_id)): Path<(String, String, String, String)>,
) -> Result<Response, HsError> {
    let (from, to) = (object_type(&from)?, object_type(&to)?);
    let forward = default_association(from.name, to.name).ok_or_else(|| {
        HsError::invalid_input(format!(
            "No default association from {} to {}",
            from.name, to.name
        ))
    })?;
    let backward = default_association(to.name, from.name).unwrap_or(forward);
    let started = OffsetDateTime::now_utc();
    link(&hs, from, &from_id, to, &to_id)?;
    let spec = |id: u32| json!({"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": id});
    let body = json!({
        "status": "COMPLETE",
        "results": [
            {"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": spec(forward)},
            {"from": {"id": to_id}, "to": {"id": from_id}, "associationSpec": spec(backward)},
        ],
        "startedAt": clock::millis_z(started),
        "completedAt": clock::millis_z(OffsetDateTime::now_utc()),
    });
    Ok(json(StatusCode::OK, &body))
}

/// `PUT /crm/v4/objects/{from_type}/{from_id}/associations/{to_type}/{to_id}` with body
/// `[{"associationCategory","associationTypeId"}]`.
pub(crate) async fn put_labelled(
    State(hs): State<Arc<HubSpot>>,
    Path((from, from_id, to, to_id)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Result<Response, HsError> {
    let (from, to) = (object_type(&from)?, object_type(&to)?);
    let body = parse_body(&body)?;
    let specs = body.as_array().filter(|s| !s.is_empty()).ok_or_else(|| {
        HsError::invalid_input("body must be a non-empty array of association types")
    })?;
    for spec in specs {
        let type_id = spec["associationTypeId"].as_u64().unwrap_or_default();
        if association_target(from.name, type_id) != Some(to.name) {
            return Err(HsError::invalid_input(format!(
                "association type {type_id} is not valid from {} to {}",
                from.name, to.name
            )));
        }
    }
    link(&hs, from, &from_id, to, &to_id)?;
    let body = json!({
        "fromObjectTypeId": from.type_id,
        "fromObjectId": from_id.parse::<u64>().map(Value::from).unwrap_or(Value::String(from_id.clone())),
        "toObjectTypeId": to.type_id,
        "toObjectId": to_id.parse::<u64>().map(Value::from).unwrap_or(Value::String(to_id.clone())),
        "labels": [],
    });
    Ok(json(StatusCode::OK, &body))
}

/// `GET /crm/v4/objects/{from_type}/{from_id}/associations/{to_type}`.
pub(crate) async fn list(
    State(hs): State<Arc<HubSpot>>,
    Path((from, from_id, to)): Path<(String, String, String)>,
) -> Result<Response, HsError> {
    let (from, to) = (object_type(&from)?, object_type(&to)?);
    let record = hs
        .core
        .store
        .read(|tables| tables.get(from.name, &from_id).cloned())
        .ok_or_else(|| HsError::object_not_found(&from_id))?;
    let type_id = default_association(from.name, to.name).unwrap_or_default();
    let results: Vec<Value> = record
        .associations
        .iter()
        .filter(|(object, _)| object == to.name)
        .map(|(_, id)| {
            json!({
                "toObjectId": id.parse::<u64>().map(Value::from).unwrap_or(Value::String(id.clone())),
                "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": null}],
            })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({ "results": results })))
}
