//! v2 record endpoints: `POST|GET /api/v2/{object}`, `GET|PATCH|DELETE /api/v2/{object}/{id}`
//! for persons, organizations, deals and activities, and the write logic v1 shares.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::activities;
use super::entities::{self, Entity, Kind, check_links, clean, complete, links, render_v2};
use super::errors::PdError;
use super::state::Pipedrive;
use super::webhooks::Source;
use crate::shared::http::{Params, json};
use crate::shared::store::Record;

/// The v2 entity a path segment names.
pub(crate) fn v2_entity(object: &str) -> Result<&'static Entity, PdError> {
    match object {
        "persons" | "organizations" | "deals" | "activities" => {
            entities::entity(object).ok_or_else(|| PdError::not_found("Item"))
        }
        _ => Err(PdError::new(
            StatusCode::NOT_FOUND,
            format!("Unknown method /{object}"),
            Some("ERR_NOT_FOUND"),
        )),
    }
}

/// Parse a JSON body.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, PdError> {
    serde_json::from_slice(body).map_err(|e| PdError::malformed(&e))
}

/// `{"success":true,"data":…}`.
pub(crate) fn success(status: StatusCode, data: Value, additional: Value) -> Response {
    json(
        status,
        &json!({"success": true, "data": data, "additional_data": additional}),
    )
}

/// Create a record from validated fields.
pub(crate) fn create_record(
    pd: &Pipedrive,
    entity: &Entity,
    mut fields: Map<String, Value>,
) -> Result<Record, PdError> {
    super::users::check_owner(pd, &fields)?;
    complete(entity, &mut fields);
    pd.core.store.write(|tables| {
        check_links(entity, tables, &fields)?;
        let record = Record::new(pd.next_id(), fields);
        let id = record.id.clone();
        let linked = links(entity, &record.fields);
        pd.hooks.note(entity, None, Some(&record), Source::Api);
        tables.insert(entity.table, record);
        for (table, other) in linked {
            tables.link((entity.table, &id), (table, &other));
        }
        tables
            .get(entity.table, &id)
            .cloned()
            .ok_or_else(|| PdError::not_found(entity.singular))
    })
}

/// Merge validated fields into an existing record; `source` made the change.
pub(crate) fn update_record(
    pd: &Pipedrive,
    entity: &Entity,
    id: &str,
    fields: Map<String, Value>,
    source: Source,
) -> Result<Record, PdError> {
    super::users::check_owner(pd, &fields)?;
    pd.core.store.write(|tables| {
        let Some(before) = tables.get(entity.table, id).cloned() else {
            return Err(PdError::not_found(entity.singular));
        };
        check_links(entity, tables, &fields)?;
        let linked = links(entity, &fields);
        let renamed = entity.table == "persons"
            && fields.contains_key("name")
            && !fields.contains_key("first_name");
        let record = tables
            .get_mut(entity.table, id)
            .ok_or_else(|| PdError::not_found(entity.singular))?;
        if renamed {
            record.fields.remove("first_name");
            record.fields.remove("last_name");
        }
        let mut fields = fields;
        if let Some(Value::Object(named)) = fields.remove("custom_fields") {
            set_custom_fields(&mut record.fields, named);
        }
        record.fields.extend(fields);
        complete(entity, &mut record.fields);
        record.updated_at = OffsetDateTime::now_utc();
        for (table, other) in linked {
            tables.link((entity.table, id), (table, &other));
        }
        let after = tables
            .get(entity.table, id)
            .cloned()
            .ok_or_else(|| PdError::not_found(entity.singular))?;
        pd.hooks.note(entity, Some(&before), Some(&after), source);
        Ok(after)
    })
}

/// Delete a record, returning it.
pub(crate) fn delete_record(pd: &Pipedrive, entity: &Entity, id: &str) -> Result<Record, PdError> {
    let removed = pd
        .core
        .store
        .write(|tables| tables.remove(entity.table, id))
        .ok_or_else(|| PdError::not_found(entity.singular))?;
    pd.hooks.note(entity, Some(&removed), None, Source::Api);
    Ok(removed)
}

/// A user's edit of deal `id` in Pipedrive's web app (see `PipedriveSim::crm_user_changes_deal`).
pub(crate) fn ui_update(
    pd: &Pipedrive,
    id: &str,
    fields: Map<String, Value>,
) -> Result<Record, crate::UiChangeError> {
    let refused = |e: PdError| crate::UiChangeError::Refused(e.message());
    let fields = clean(
        &entities::DEALS,
        &pd.schema,
        &Value::Object(fields),
        false,
        |_| None,
    )
    .map_err(refused)?;
    if pd
        .core
        .store
        .read(|tables| tables.get("deals", id).is_none())
    {
        return Err(crate::UiChangeError::NotFound(id.to_owned()));
    }
    let source = Source::App(pd.options.sales_rep_user_id);
    update_record(pd, &entities::DEALS, id, fields, source).map_err(refused)
}

/// An update sets the custom fields it names and leaves the others as they were; `null` clears
/// one. Pipedrive's v2 request bodies: "custom_fields — An object where each key represents a
/// custom field … To clear a custom field value, set it to `null`" (pipedrive/client-php,
/// docs/versions/v2/Model/PersonRequestBody.md).
fn set_custom_fields(fields: &mut Map<String, Value>, named: Map<String, Value>) {
    let mut custom = match fields.remove("custom_fields") {
        Some(Value::Object(held)) => held,
        _ => Map::new(),
    };
    for (key, value) in named {
        if value.is_null() {
            custom.remove(&key);
        } else {
            custom.insert(key, value);
        }
    }
    fields.insert("custom_fields".into(), Value::Object(custom));
}

/// A v2 write body as fields: validated, an activity's person taken from its participants.
fn v2_fields(
    pd: &Pipedrive,
    entity: &Entity,
    body: &Value,
    creating: bool,
) -> Result<Map<String, Value>, PdError> {
    let is_activity = entity.table == "activities";
    if is_activity {
        activities::check_body(body)?;
    }
    let mut fields = clean(entity, &pd.schema, body, creating, |f| {
        pd.core.faults.rejected_value(f)
    })?;
    if is_activity {
        activities::derive_person(&mut fields);
    }
    Ok(fields)
}

/// `POST /api/v2/{object}`.
pub(crate) async fn create(
    State(pd): State<Arc<Pipedrive>>,
    Path(object): Path<String>,
    body: Bytes,
) -> Result<Response, PdError> {
    let entity = v2_entity(&object)?;
    let body = parse_json(&body)?;
    let fields = v2_fields(&pd, entity, &body, true)?;
    let record = create_record(&pd, entity, fields)?;
    Ok(success(StatusCode::OK, render_v2(&record), Value::Null))
}

/// `GET /api/v2/{object}/{id}`.
pub(crate) async fn read(
    State(pd): State<Arc<Pipedrive>>,
    Path((object, id)): Path<(String, String)>,
) -> Result<Response, PdError> {
    let entity = v2_entity(&object)?;
    let record = pd
        .core
        .store
        .read(|tables| tables.get(entity.table, &id).cloned())
        .ok_or_else(|| PdError::not_found(entity.singular))?;
    Ok(success(StatusCode::OK, render_v2(&record), Value::Null))
}

/// `PATCH /api/v2/{object}/{id}`.
pub(crate) async fn update(
    State(pd): State<Arc<Pipedrive>>,
    Path((object, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PdError> {
    let entity = v2_entity(&object)?;
    let body = parse_json(&body)?;
    let fields = v2_fields(&pd, entity, &body, false)?;
    let record = update_record(&pd, entity, &id, fields, Source::Api)?;
    Ok(success(StatusCode::OK, render_v2(&record), Value::Null))
}

/// `DELETE /api/v2/{object}/{id}`.
pub(crate) async fn delete(
    State(pd): State<Arc<Pipedrive>>,
    Path((object, id)): Path<(String, String)>,
) -> Result<Response, PdError> {
    let entity = v2_entity(&object)?;
    delete_record(&pd, entity, &id)?;
    Ok(success(
        StatusCode::OK,
        json!({ "id": entities::numeric_id(&id) }),
        Value::Null,
    ))
}

/// Filter records by integer query parameters naming id fields (`org_id=7`, `person_id=1`).
pub(crate) fn filtered<'a>(
    entity: &Entity,
    params: &Params,
    records: &'a [Record],
) -> Vec<&'a Record> {
    let filters: Vec<(&str, u64)> = entity
        .fields
        .iter()
        .filter(|(_, kind)| *kind == Kind::Int)
        .filter_map(|(name, _)| Some((*name, params.get(name)?.parse().ok()?)))
        .collect();
    records
        .iter()
        .filter(|record| {
            filters.iter().all(|(name, wanted)| {
                record.fields.get(*name).and_then(Value::as_u64) == Some(*wanted)
            })
        })
        .collect()
}

/// `GET /api/v2/{object}?limit=…&cursor=…` (plus id filters).
pub(crate) async fn list(
    State(pd): State<Arc<Pipedrive>>,
    Path(object): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PdError> {
    let entity = v2_entity(&object)?;
    let params = Params::query(query.as_deref());
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 500);
    let start = super::search::decode_cursor(params.get("cursor"))?;
    let (page, more) = pd.core.store.read(|tables| {
        let all = filtered(entity, &params, tables.all(entity.table));
        let page: Vec<Value> = all
            .iter()
            .skip(start)
            .take(limit)
            .map(|r| render_v2(r))
            .collect();
        (page, start + limit < all.len())
    });
    let next = more.then(|| super::search::encode_cursor(start + limit));
    Ok(success(
        StatusCode::OK,
        Value::Array(page),
        json!({ "next_cursor": next }),
    ))
}
