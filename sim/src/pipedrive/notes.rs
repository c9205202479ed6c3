//! v1 endpoints: notes (`/v1/notes`, where Pipedrive still keeps them) and activities
//! (`/v1/activities`, the older API many clients use). Bodies may be JSON or form-encoded;
//! unknown fields are ignored, as v1 does.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::entities::{ACTIVITIES, Entity, Kind, NOTES, clean, render_v1};
use super::errors::PdError;
use super::records::{create_record, delete_record, filtered, parse_json, success, update_record};
use super::state::Pipedrive;
use super::webhooks::Source;
use crate::shared::http::Params;
use crate::shared::store::{Record, Tables};

/// The body as JSON: parsed JSON, or form pairs converted by field type.
fn v1_body(entity: &Entity, headers: &HeaderMap, body: &[u8]) -> Result<Value, PdError> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return parse_json(body);
    }
    let params = Params::parse(std::str::from_utf8(body).unwrap_or_default());
    let mut object = Map::new();
    for (name, kind) in entity.fields {
        let Some(raw) = params.get(name) else {
            continue;
        };
        let value = match kind {
            Kind::Int => raw.parse::<u64>().map(Value::from).unwrap_or(json!(raw)),
            Kind::Flag => match raw {
                "1" | "true" => json!(true),
                "0" | "false" => json!(false),
                other => json!(other),
            },
            _ => json!(raw),
        };
        object.insert((*name).to_owned(), value);
    }
    Ok(Value::Object(object))
}

/// Keep only the fields the entity knows (v1 ignores the rest).
fn known_only(entity: &Entity, body: Value) -> Value {
    match body {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .filter(|(name, _)| entity.fields.iter().any(|(field, _)| field == name))
                .collect(),
        ),
        other => other,
    }
}

fn summary(tables: &Tables, table: &str, id: Option<u64>, name_field: &str) -> Value {
    id.and_then(|id| tables.get(table, &id.to_string()))
        .map(|r| json!({ "name": r.value(name_field) }))
        .unwrap_or(Value::Null)
}

fn render_note(pd: &Pipedrive, record: &Record) -> Value {
    let mut body = render_v1(record);
    pd.core.store.read(|tables| {
        let id = |field: &str| record.value(field).as_u64();
        body["person"] = summary(tables, "persons", id("person_id"), "name");
        body["organization"] = summary(tables, "organizations", id("org_id"), "name");
        body["deal"] = json!(
            id("deal_id")
                .and_then(|d| tables.get("deals", &d.to_string()))
                .map(|d| json!({ "title": d.value("title") }))
        );
    });
    body
}

fn create_v1(
    pd: &Pipedrive,
    entity: &Entity,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Record, PdError> {
    let body = known_only(entity, v1_body(entity, headers, body)?);
    let fields = clean(entity, &pd.schema, &body, true, |f| {
        pd.core.faults.rejected_value(f)
    })?;
    if entity.table == "notes"
        && !["deal_id", "person_id", "org_id", "lead_id", "project_id"]
            .iter()
            .any(|f| fields.get(*f).is_some_and(|v| !v.is_null()))
    {
        return Err(PdError::new(
            StatusCode::BAD_REQUEST,
            "Note must be attached to a deal, person, organization, lead or project.",
            None,
        ));
    }
    create_record(pd, entity, fields)
}

/// `POST /v1/notes`.
pub(crate) async fn create_note(
    State(pd): State<Arc<Pipedrive>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PdError> {
    let record = create_v1(&pd, &NOTES, &headers, &body)?;
    Ok(success(
        StatusCode::OK,
        render_note(&pd, &record),
        Value::Null,
    ))
}

/// `POST /v1/activities`.
pub(crate) async fn create_activity(
    State(pd): State<Arc<Pipedrive>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PdError> {
    let record = create_v1(&pd, &ACTIVITIES, &headers, &body)?;
    Ok(success(
        StatusCode::CREATED,
        render_v1(&record),
        Value::Null,
    ))
}

fn v1_entity(segment: &str) -> Result<&'static Entity, PdError> {
    match segment {
        "notes" => Ok(&NOTES),
        "activities" => Ok(&ACTIVITIES),
        other => Err(PdError::new(
            StatusCode::NOT_FOUND,
            format!("Unknown method /v1/{other}"),
            Some("ERR_NOT_FOUND"),
        )),
    }
}

fn render(pd: &Pipedrive, entity: &Entity, record: &Record) -> Value {
    if entity.table == "notes" {
        render_note(pd, record)
    } else {
        render_v1(record)
    }
}

/// `GET /v1/{notes|activities}/{id}`.
pub(crate) async fn read(
    State(pd): State<Arc<Pipedrive>>,
    Path((segment, id)): Path<(String, String)>,
) -> Result<Response, PdError> {
    let entity = v1_entity(&segment)?;
    let record = pd
        .core
        .store
        .read(|tables| tables.get(entity.table, &id).cloned())
        .ok_or_else(|| PdError::not_found(entity.singular))?;
    Ok(success(
        StatusCode::OK,
        render(&pd, entity, &record),
        Value::Null,
    ))
}

/// `PUT /v1/{notes|activities}/{id}`.
pub(crate) async fn update(
    State(pd): State<Arc<Pipedrive>>,
    Path((segment, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PdError> {
    let entity = v1_entity(&segment)?;
    let body = known_only(entity, v1_body(entity, &headers, &body)?);
    let fields = clean(entity, &pd.schema, &body, false, |f| {
        pd.core.faults.rejected_value(f)
    })?;
    let record = update_record(&pd, entity, &id, fields, Source::Api)?;
    Ok(success(
        StatusCode::OK,
        render(&pd, entity, &record),
        Value::Null,
    ))
}

/// `DELETE /v1/{notes|activities}/{id}`.
pub(crate) async fn delete(
    State(pd): State<Arc<Pipedrive>>,
    Path((segment, id)): Path<(String, String)>,
) -> Result<Response, PdError> {
    let entity = v1_entity(&segment)?;
    delete_record(&pd, entity, &id)?;
    Ok(success(
        StatusCode::OK,
        json!({ "id": super::entities::numeric_id(&id) }),
        Value::Null,
    ))
}

/// `GET /v1/notes?person_id=…&deal_id=…&start=…&limit=…`.
pub(crate) async fn list_notes(
    State(pd): State<Arc<Pipedrive>>,
    RawQuery(query): RawQuery,
) -> Response {
    list(&pd, &NOTES, query.as_deref())
}

/// `GET /v1/activities?person_id=…&deal_id=…&start=…&limit=…`.
pub(crate) async fn list_activities(
    State(pd): State<Arc<Pipedrive>>,
    RawQuery(query): RawQuery,
) -> Response {
    list(&pd, &ACTIVITIES, query.as_deref())
}

fn list(pd: &Pipedrive, entity: &Entity, query: Option<&str>) -> Response {
    let params = Params::query(query);
    let start = params
        .get("start")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let limit = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100usize)
        .clamp(1, 500);
    let (records, total) = pd.core.store.read(|tables| {
        let all = filtered(entity, &params, tables.all(entity.table));
        let page: Vec<Record> = all
            .iter()
            .skip(start)
            .take(limit)
            .map(|r| (*r).clone())
            .collect();
        (page, all.len())
    });
    let data: Vec<Value> = records.iter().map(|r| render(pd, entity, r)).collect();
    let more = start + limit < total;
    success(
        StatusCode::OK,
        Value::Array(data),
        json!({"pagination": {"start": start, "limit": limit, "more_items_in_collection": more}}),
    )
}
