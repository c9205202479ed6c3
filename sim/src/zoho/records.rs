//! Record endpoints under `/crm/{version}/{module}`: insert, bulk and single update, upsert,
//! get, list, delete, and notes under a record (writes go through `writes`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::errors::ZError;
use super::model::{Module, module, render};
use super::state::Zoho;
use super::writes::{Mode, parse_body, write};
use crate::shared::http::{Params, empty, json};

/// The module a path names.
pub(crate) fn find_module(name: &str) -> Result<&'static Module, ZError> {
    module(name).ok_or_else(ZError::invalid_module)
}

/// `POST /crm/{version}/{module}`.
pub(crate) async fn insert(
    State(zoho): State<Arc<Zoho>>,
    Path((_, module)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ZError> {
    let module = find_module(&module)?;
    write(&zoho, module, Mode::Insert, &body, StatusCode::CREATED)
}

/// `PUT /crm/{version}/{module}` (each record carries its `id`).
pub(crate) async fn update_many(
    State(zoho): State<Arc<Zoho>>,
    Path((_, module)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ZError> {
    let module = find_module(&module)?;
    write(&zoho, module, Mode::Update(None), &body, StatusCode::OK)
}

/// `PUT /crm/{version}/{module}/{id}`.
pub(crate) async fn update(
    State(zoho): State<Arc<Zoho>>,
    Path((_, module, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ZError> {
    let module = find_module(&module)?;
    write(&zoho, module, Mode::Update(Some(id)), &body, StatusCode::OK)
}

/// `POST /crm/{version}/{module}/upsert` with optional `duplicate_check_fields`; without them
/// the system duplicate checks, then unique fields, are used.
pub(crate) async fn upsert(
    State(zoho): State<Arc<Zoho>>,
    Path((_, module)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ZError> {
    let module = find_module(&module)?;
    let parsed = parse_body(&body)?;
    let fields: Vec<String> = match parsed["duplicate_check_fields"].as_array() {
        Some(fields) => fields
            .iter()
            .filter_map(|f| f.as_str().map(str::to_owned))
            .collect(),
        None => module
            .duplicate_check
            .iter()
            .map(|f| (*f).to_owned())
            .chain(zoho.schema.unique_fields(module.name).iter().cloned())
            .collect(),
    };
    write(&zoho, module, Mode::Upsert(fields), &body, StatusCode::OK)
}

/// `POST /crm/{version}/{module}/{id}/Notes`: notes whose parent is that record.
pub(crate) async fn notes_of(
    State(zoho): State<Arc<Zoho>>,
    Path((_, parent_module, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ZError> {
    let parent = find_module(&parent_module)?;
    let mut parsed = parse_body(&body)?;
    if let Some(data) = parsed["data"].as_array_mut() {
        for note in data.iter_mut().filter_map(Value::as_object_mut) {
            note.insert(
                "Parent_Id".into(),
                json!({"module": {"api_name": parent.name}, "id": id}),
            );
        }
    }
    let notes = find_module("Notes")?;
    write(
        &zoho,
        notes,
        Mode::Insert,
        parsed.to_string().as_bytes(),
        StatusCode::CREATED,
    )
}

/// `GET /crm/{version}/{module}/{id}`: `{"data":[record]}`, 204 when there is none.
pub(crate) async fn read(
    State(zoho): State<Arc<Zoho>>,
    Path((_, module, id)): Path<(String, String, String)>,
) -> Result<Response, ZError> {
    let module = find_module(&module)?;
    let record = zoho
        .core
        .store
        .read(|tables| tables.get(module.name, &id).cloned());
    Ok(match record {
        Some(record) => json(StatusCode::OK, &json!({ "data": [render(&record)] })),
        None => empty(StatusCode::NO_CONTENT),
    })
}

/// `DELETE /crm/{version}/{module}/{id}`.
pub(crate) async fn delete(
    State(zoho): State<Arc<Zoho>>,
    Path((_, module, id)): Path<(String, String, String)>,
) -> Result<Response, ZError> {
    let module = find_module(&module)?;
    let removed = zoho
        .core
        .store
        .write(|tables| tables.remove(module.name, &id));
    if removed.is_some() {
        zoho.hooks.note(module, &id, "delete", Vec::new());
    }
    let (status, item) = match removed {
        Some(_) => (
            StatusCode::OK,
            json!({"code": "SUCCESS", "details": {"id": id}, "message": "record deleted", "status": "success"}),
        ),
        None => (
            StatusCode::BAD_REQUEST,
            ZError::new(
                "INVALID_DATA",
                "the id given seems to be invalid",
                json!({"api_name": "id"}),
            )
            .body(),
        ),
    };
    Ok(json(status, &json!({ "data": [item] })))
}

/// Page parameters: `page` (1-based) and `per_page` (≤ 200).
pub(crate) fn paging(params: &Params) -> (usize, usize) {
    let page = params
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1usize)
        .max(1);
    let per_page = params
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(200usize)
        .clamp(1, 200);
    (page, per_page)
}

/// A page of rendered records as Zoho answers it (204 when empty).
pub(crate) fn page_response(records: Vec<Value>, page: usize, per_page: usize) -> Response {
    let total = records.len();
    let items: Vec<Value> = records
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    if items.is_empty() {
        return empty(StatusCode::NO_CONTENT);
    }
    let info = json!({
        "per_page": per_page,
        "count": items.len(),
        "page": page,
        "more_records": page * per_page < total,
    });
    json(StatusCode::OK, &json!({ "data": items, "info": info }))
}

/// `GET /crm/{version}/{module}/{id}/{related}?fields=…`: the records of a related list
/// (`Notes`, `Deals`, `Tasks`) whose lookup (`Parent_Id`, `Contact_Name`, `Who_Id`, `What_Id`)
/// names the record; 204 when there are none.
pub(crate) async fn related(
    State(zoho): State<Arc<Zoho>>,
    Path((_, module, id, related)): Path<(String, String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ZError> {
    find_module(&module)?;
    // The related list of a record's tasks is `Tasks` in most orgs and `Activities` in orgs
    // that list tasks, events and calls together: the API name is the org's, read from the
    // related-list metadata (`GET /settings/related_lists`, whose `href` "provides the exact
    // endpoint", <https://www.zoho.com/crm/developer/docs/api/v8/get-related-records.html>).
    // The docs do not say what the other name answers; the simulator answers it as a URL Zoho
    // does not serve (404 `INVALID_URL_PATTERN`).
    let related = match related.as_str() {
        "Tasks" | "Activities" if related != zoho.options.tasks_related_list => {
            return Ok(no_route().await);
        }
        "Activities" => "Tasks".to_owned(),
        _ => related,
    };
    let related = find_module(&related)?;
    if !["Notes", "Deals", "Tasks"].contains(&related.name) {
        return Err(ZError::invalid_module());
    }
    let params = Params::query(query.as_deref());
    let fields = params.list("fields");
    if fields.is_empty() {
        return Err(ZError::param_missing("fields"));
    }
    let (page, per_page) = paging(&params);
    let records: Vec<Value> = zoho.core.store.read(|tables| {
        tables
            .all(related.name)
            .iter()
            .map(render)
            .filter(|full| {
                ["Parent_Id", "Contact_Name", "Who_Id", "What_Id"]
                    .iter()
                    .any(|lookup| full[*lookup]["id"].as_str() == Some(id.as_str()))
            })
            .map(|full| {
                let mut picked = Map::new();
                picked.insert("id".into(), full["id"].clone());
                for field in &fields {
                    picked.insert(
                        field.clone(),
                        full.get(field).cloned().unwrap_or(Value::Null),
                    );
                }
                Value::Object(picked)
            })
            .collect()
    });
    Ok(page_response(records, page, per_page))
}

/// `GET /crm/{version}/{module}/{id}/Notes?fields=…`: [`related`] for the route that also
/// takes new notes.
pub(crate) async fn related_notes(
    state: State<Arc<Zoho>>,
    Path((version, module, id)): Path<(String, String, String)>,
    query: RawQuery,
) -> Result<Response, ZError> {
    related(
        state,
        Path((version, module, id, "Notes".to_owned())),
        query,
    )
    .await
}

/// `GET /crm/{version}/{module}?fields=…`: `fields` is required in v8.
pub(crate) async fn list(
    State(zoho): State<Arc<Zoho>>,
    Path((_, module)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ZError> {
    let module = find_module(&module)?;
    let params = Params::query(query.as_deref());
    let fields = params.list("fields");
    if fields.is_empty() {
        return Err(ZError::param_missing("fields"));
    }
    let (page, per_page) = paging(&params);
    let records: Vec<Value> = zoho.core.store.read(|tables| {
        tables
            .all(module.name)
            .iter()
            .map(|record| {
                let full = render(record);
                let mut picked = Map::new();
                picked.insert("id".into(), full["id"].clone());
                for field in &fields {
                    picked.insert(
                        field.clone(),
                        full.get(field).cloned().unwrap_or(Value::Null),
                    );
                }
                Value::Object(picked)
            })
            .collect()
    });
    Ok(page_response(records, page, per_page))
}

/// 404 for paths Zoho does not serve.
pub(crate) async fn no_route() -> Response {
    ZError::new(
        "INVALID_URL_PATTERN",
        "Please check if the URL trying to access is a correct one",
        json!({}),
    )
    .with_status(StatusCode::NOT_FOUND)
    .into_response()
}
