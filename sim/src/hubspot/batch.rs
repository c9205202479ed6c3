//! Batch endpoints: `POST /crm/v3/objects/{object}/batch/{create,update,upsert,read}`.
//!
//! Batch create is all-or-nothing unless every input carries a unique `objectWriteTraceId`, in
//! which case failures are reported per input with `207 Multi-Status` (HubSpot's documented
//! switch). Update, upsert and read report per input. An injected `fail_batch_items(k)` makes
//! the first `k` inputs fail and always answers 207.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::errors::HsError;
use super::model::{self, ObjectType, object_json, object_type};
use super::objects::{
    AssociationInput, clean, create_in, parse_associations, parse_body, resolve_id, update_in,
};
use super::state::HubSpot;
use super::webhooks::Source;
use crate::shared::clock;
use crate::shared::http::json;
use crate::shared::schema::Schema;
use crate::shared::store::Tables;

/// At most this many inputs per batch.
const MAX_INPUTS: usize = 100;

/// The outcome of one input.
type Outcome = Result<Value, HsError>;

fn inputs(body: &Value) -> Result<&Vec<Value>, HsError> {
    let inputs = body["inputs"]
        .as_array()
        .ok_or_else(|| HsError::invalid_input("inputs is required and must be an array"))?;
    if inputs.len() > MAX_INPUTS {
        return Err(HsError::invalid_input(format!(
            "Batch input has {} inputs; the limit is {MAX_INPUTS}",
            inputs.len()
        )));
    }
    Ok(inputs)
}

fn trace_id(input: &Value) -> Option<&str> {
    input["objectWriteTraceId"].as_str()
}

fn injected_item_error(index: usize) -> HsError {
    HsError::invalid_input(format!(
        "Property values were not valid: simulated failure of batch input {index}"
    ))
}

/// Build the batch response: 201/200 when everything succeeded, 207 with `errors` otherwise.
fn respond(
    ok_status: StatusCode,
    started: OffsetDateTime,
    outcomes: Vec<(Outcome, Option<String>)>,
) -> Response {
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for (outcome, trace) in outcomes {
        match outcome {
            Ok(result) => results.push(result),
            Err(error) => errors.push(error.standard_error(trace.as_deref())),
        }
    }
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": clock::millis_z(started),
        "completedAt": clock::millis_z(OffsetDateTime::now_utc()),
    });
    if errors.is_empty() {
        return json(ok_status, &body);
    }
    body["numErrors"] = json!(errors.len());
    body["errors"] = Value::Array(errors);
    json(StatusCode::MULTI_STATUS, &body)
}

/// A prepared create input.
struct CreateInput {
    properties: Map<String, Value>,
    associations: Vec<AssociationInput>,
}

fn prepare_create(
    hs: &HubSpot,
    schema: &Schema,
    object: &ObjectType,
    input: &Value,
) -> Result<CreateInput, HsError> {
    Ok(CreateInput {
        properties: clean(hs, schema, object, &input["properties"])?,
        associations: parse_associations(object, input.get("associations"))?,
    })
}

fn create_all_or_nothing(
    hs: &HubSpot,
    schema: &Schema,
    tables: &mut Tables,
    object: &ObjectType,
    prepared: Vec<Result<CreateInput, HsError>>,
) -> Result<Vec<Value>, HsError> {
    let mut scratch = tables.clone();
    let mut created = Vec::new();
    for input in prepared {
        let input = input?;
        let record = create_in(
            hs,
            schema,
            &mut scratch,
            object,
            input.properties,
            &input.associations,
        )?;
        created.push(object_json(&record, None));
    }
    *tables = scratch;
    Ok(created)
}

/// `POST …/batch/create`.
pub(crate) async fn create(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
    body: Bytes,
) -> Result<Response, HsError> {
    let started = OffsetDateTime::now_utc();
    let object = object_type(&object)?;
    let body = parse_body(&body)?;
    let inputs = inputs(&body)?;
    let schema = hs.schema();
    let failing = usize::try_from(hs.core.faults.take_batch_failures()).unwrap_or(usize::MAX);
    let traces: Vec<Option<String>> = inputs
        .iter()
        .map(|i| trace_id(i).map(str::to_owned))
        .collect();
    let distinct: HashSet<&String> = traces.iter().flatten().collect();
    let multi_status = failing > 0 || (distinct.len() == inputs.len() && !inputs.is_empty());
    let prepared: Vec<Result<CreateInput, HsError>> = inputs
        .iter()
        .map(|input| prepare_create(&hs, &schema, object, input))
        .collect();

    if !multi_status {
        let created = hs
            .core
            .store
            .write(|tables| create_all_or_nothing(&hs, &schema, tables, object, prepared))?;
        let outcomes = created.into_iter().map(|r| (Ok(r), None)).collect();
        return Ok(respond(StatusCode::CREATED, started, outcomes));
    }
    let outcomes = hs.core.store.write(|tables| {
        prepared
            .into_iter()
            .enumerate()
            .zip(traces)
            .map(|((index, input), trace)| {
                let outcome = if index < failing {
                    Err(injected_item_error(index))
                } else {
                    input.and_then(|input| {
                        create_in(
                            &hs,
                            &schema,
                            tables,
                            object,
                            input.properties,
                            &input.associations,
                        )
                        .map(|record| object_json(&record, None))
                    })
                };
                (outcome, trace)
            })
            .collect()
    });
    Ok(respond(StatusCode::CREATED, started, outcomes))
}

fn input_id(input: &Value) -> Option<String> {
    match &input["id"] {
        Value::String(id) => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

/// `POST …/batch/update`.
pub(crate) async fn update(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
    body: Bytes,
) -> Result<Response, HsError> {
    let started = OffsetDateTime::now_utc();
    let object = object_type(&object)?;
    let body = parse_body(&body)?;
    let inputs = inputs(&body)?;
    let schema = hs.schema();
    let failing = usize::try_from(hs.core.faults.take_batch_failures()).unwrap_or(usize::MAX);
    let outcomes = hs.core.store.write(|tables| {
        inputs
            .iter()
            .enumerate()
            .map(|(index, input)| {
                let trace = trace_id(input).map(str::to_owned);
                if index < failing {
                    return (Err(injected_item_error(index)), trace);
                }
                let outcome = (|| {
                    let id =
                        input_id(input).ok_or_else(|| HsError::invalid_input("id is required"))?;
                    let properties = clean(&hs, &schema, object, &input["properties"])?;
                    let found = resolve_id(tables, object, input["idProperty"].as_str(), &id)
                        .ok_or_else(|| HsError::object_not_found(&id))?;
                    let record = update_in(
                        &hs,
                        &schema,
                        tables,
                        object,
                        &found,
                        properties,
                        Source::Integration,
                    )?;
                    Ok(object_json(&record, None))
                })();
                (outcome, trace)
            })
            .collect()
    });
    Ok(respond(StatusCode::OK, started, outcomes))
}

/// `POST …/batch/upsert`: `inputs[{id, idProperty, properties}]`, `idProperty` must be a unique
/// property; results carry `new`.
pub(crate) async fn upsert(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
    body: Bytes,
) -> Result<Response, HsError> {
    let started = OffsetDateTime::now_utc();
    let object = object_type(&object)?;
    let body = parse_body(&body)?;
    let inputs = inputs(&body)?;
    let schema = hs.schema();
    for input in inputs {
        let id_property = input["idProperty"].as_str().unwrap_or("hs_object_id");
        if id_property != "hs_object_id" && !schema.is_unique(object.name, id_property) {
            return Err(HsError::invalid_input(format!(
                "Property \"{id_property}\" is not a unique identifier property for {}",
                object.name
            )));
        }
    }
    let failing = usize::try_from(hs.core.faults.take_batch_failures()).unwrap_or(usize::MAX);
    let outcomes = hs.core.store.write(|tables| {
        inputs
            .iter()
            .enumerate()
            .map(|(index, input)| {
                let trace = trace_id(input).map(str::to_owned);
                if index < failing {
                    return (Err(injected_item_error(index)), trace);
                }
                (upsert_one(&hs, &schema, tables, object, input), trace)
            })
            .collect()
    });
    Ok(respond(StatusCode::OK, started, outcomes))
}

fn upsert_one(
    hs: &HubSpot,
    schema: &Schema,
    tables: &mut Tables,
    object: &ObjectType,
    input: &Value,
) -> Outcome {
    let id = input_id(input).ok_or_else(|| HsError::invalid_input("id is required"))?;
    let id_property = input["idProperty"].as_str().unwrap_or("hs_object_id");
    let mut properties = clean(hs, schema, object, &input["properties"])?;
    let (record, new) = match resolve_id(tables, object, Some(id_property), &id) {
        Some(found) => (
            update_in(
                hs,
                schema,
                tables,
                object,
                &found,
                properties,
                Source::Integration,
            )?,
            false,
        ),
        None if id_property == "hs_object_id" => return Err(HsError::object_not_found(&id)),
        None => {
            let value = if id_property == "email" {
                id.to_ascii_lowercase()
            } else {
                id
            };
            let keyed = clean(hs, schema, object, &json!({ id_property: value }))?;
            properties.extend(keyed);
            (
                create_in(hs, schema, tables, object, properties, &[])?,
                true,
            )
        }
    };
    let mut result = object_json(&record, None);
    result["new"] = json!(new);
    Ok(result)
}

/// `POST …/batch/read`: `inputs[{id}]`, `properties`, `idProperty`.
pub(crate) async fn read(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
    body: Bytes,
) -> Result<Response, HsError> {
    let started = OffsetDateTime::now_utc();
    let object = object_type(&object)?;
    let body = parse_body(&body)?;
    let inputs = inputs(&body)?;
    let requested: Vec<String> = body["properties"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let wanted = model::wanted_properties(object, &requested);
    let id_property = body["idProperty"].as_str();
    let outcomes = hs.core.store.read(|tables| {
        inputs
            .iter()
            .map(|input| {
                let id = input_id(input).unwrap_or_default();
                let found = resolve_id(tables, object, id_property, &id)
                    .and_then(|found| tables.get(object.name, &found));
                let outcome = found
                    .map(|record| object_json(record, Some(&wanted)))
                    .ok_or_else(|| HsError::object_not_found(&id));
                (outcome, None)
            })
            .collect()
    });
    Ok(respond(StatusCode::OK, started, outcomes))
}
