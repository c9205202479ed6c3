//! v4 batch associations: `POST /crm/v4/associations/{fromType}/{toType}/batch/read` and
//! `…/batch/associate/default`, as HubSpot's associations v4 guide describes them
//! (https://developers.hubspot.com/docs/api-reference/crm-associations-v4/guide, "Retrieve
//! associations" and "Associate records without a label"; request and answer shapes from
//! HubSpot's published `CRM/Associations/…/v4/associations.json` spec:
//! `BatchInputPublicFetchAssociationsBatchRequest` = `{inputs: [{id, after?}]}`,
//! `BatchInputPublicDefaultAssociationMultiPost` = `{inputs: [{from: {id}, to: {id}}]}`).
//!
//! Batch reads take at most 100 ids (HubSpot's changelog "Bug fix: batch read limit for
//! HubSpot associations API", https://developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api,
//! effective January 2024). What HubSpot answers for an id without associations is not
//! documented: the simulator reports it as an error of a 207 answer rather than an empty
//! result, the stricter of the two for a client, which must read `results` and `errors` alike.
//! Fields the request models do not have are refused (the guide is silent; at least as strict).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::errors::HsError;
use super::model::{ObjectType, default_association, object_type};
use super::objects::parse_body;
use super::state::HubSpot;
use crate::shared::clock;
use crate::shared::http::json;

/// Ids per batch read (the changelog above).
const MAX_READ: usize = 100;
/// Pairs per batch associate: the guide names no limit; HubSpot's batch object endpoints take
/// 100, and the simulator keeps to that.
const MAX_PAIRS: usize = 100;

/// The inputs of a body whose only field is `inputs`, each an object with only `allowed`.
fn inputs<'a>(body: &'a Value, allowed: &[&str], max: usize) -> Result<&'a Vec<Value>, HsError> {
    if let Some(unknown) = body
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "inputs"))
    {
        return Err(HsError::invalid_input(format!(
            "Unrecognized field \"{unknown}\""
        )));
    }
    let inputs = body["inputs"]
        .as_array()
        .ok_or_else(|| HsError::invalid_input("inputs is required and must be an array"))?;
    if inputs.len() > max {
        return Err(HsError::invalid_input(format!(
            "Batch input has {} inputs; the limit is {max}",
            inputs.len()
        )));
    }
    for input in inputs {
        let fields = input
            .as_object()
            .ok_or_else(|| HsError::invalid_input("each input must be an object"))?;
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(HsError::invalid_input(format!(
                "Unrecognized field \"{unknown}\""
            )));
        }
    }
    Ok(inputs)
}

/// An `{id}` object's id as text.
fn id_of(value: &Value) -> Option<String> {
    match &value["id"] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn numeric(id: &str) -> Value {
    id.parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::String(id.to_owned()))
}

fn answer(started: OffsetDateTime, results: Vec<Value>, errors: Vec<Value>) -> Response {
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": clock::millis_z(started),
        "completedAt": clock::millis_z(OffsetDateTime::now_utc()),
    });
    if errors.is_empty() {
        return json(StatusCode::OK, &body);
    }
    body["numErrors"] = json!(errors.len());
    body["errors"] = Value::Array(errors);
    json(StatusCode::MULTI_STATUS, &body)
}

fn types(from: &ObjectType, to: &ObjectType) -> Result<u32, HsError> {
    default_association(from.name, to.name).ok_or_else(|| {
        HsError::invalid_input(format!(
            "No default association from {} to {}",
            from.name, to.name
        ))
    })
}

/// `POST /crm/v4/associations/{from}/{to}/batch/read`.
pub(crate) async fn read(
    State(hs): State<Arc<HubSpot>>,
    Path((from, to)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, HsError> {
    let started = OffsetDateTime::now_utc();
    let (from, to) = (object_type(&from)?, object_type(&to)?);
    let type_id = types(from, to)?;
    let body = parse_body(&body)?;
    let inputs = inputs(&body, &["id", "after"], MAX_READ)?;
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    hs.core.store.read(|tables| {
        for input in inputs {
            let id = id_of(input).unwrap_or_default();
            let linked: Vec<Value> = tables
                .get(from.name, &id)
                .map(|r| {
                    r.associations
                        .iter()
                        .filter(|(object, _)| object == to.name)
                        .map(|(_, to_id)| json!({"toObjectId": numeric(to_id), "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": null}]}))
                        .collect()
                })
                .unwrap_or_default();
            if linked.is_empty() {
                let error = HsError::new(
                    StatusCode::NOT_FOUND,
                    "OBJECT_NOT_FOUND",
                    format!("No {} is associated with {} {id}.", to.singular, from.singular),
                )
                .with("context", json!({"fromObjectId": [id]}));
                errors.push(error.standard_error(None));
            } else {
                results.push(json!({"from": {"id": id}, "to": linked}));
            }
        }
    });
    Ok(answer(started, results, errors))
}

/// `POST /crm/v4/associations/{from}/{to}/batch/associate/default`: every pair must name
/// existing records, else the request is refused as a whole.
pub(crate) async fn associate_default(
    State(hs): State<Arc<HubSpot>>,
    Path((from, to)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, HsError> {
    let started = OffsetDateTime::now_utc();
    let (from, to) = (object_type(&from)?, object_type(&to)?);
    let forward = types(from, to)?;
    let body = parse_body(&body)?;
    let inputs = inputs(&body, &["from", "to"], MAX_PAIRS)?;
    let mut pairs = Vec::new();
    for input in inputs {
        match (id_of(&input["from"]), id_of(&input["to"])) {
            (Some(a), Some(b)) => pairs.push((a, b)),
            _ => return Err(HsError::invalid_input("each input needs from.id and to.id")),
        }
    }
    hs.core.store.write(|tables| {
        for (a, b) in &pairs {
            for (object, id) in [(from, a), (to, b)] {
                if tables.get(object.name, id).is_none() {
                    return Err(HsError::object_not_found(id));
                }
            }
        }
        for (a, b) in &pairs {
            tables.link((from.name, a), (to.name, b));
        }
        Ok(())
    })?;
    let spec = json!({"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": forward});
    let results = pairs
        .iter()
        .map(|(a, b)| json!({"from": {"id": a}, "to": {"id": b}, "associationSpec": spec}))
        .collect();
    Ok(answer(started, results, Vec::new()))
}
