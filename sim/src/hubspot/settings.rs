//! Account-level endpoints: custom properties (`/crm/v3/properties/{object}`), the deal
//! pipeline (`/crm/v3/pipelines/deals`) and daily API usage.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::errors::HsError;
use super::model::{DEAL_STAGES, object_type};
use super::objects::parse_body;
use super::state::HubSpot;
use crate::FieldDef;
use crate::shared::clock;
use crate::shared::http::json;

fn property_json(object: &str, name: &str, unique: bool) -> Value {
    json!({
        "name": name,
        "label": name,
        "type": "string",
        "fieldType": "text",
        "groupName": if object == "contacts" { "contactinformation" } else { "" },
        "hasUniqueValue": unique,
        "calculated": false,
        "externalOptions": false,
        "hidden": false,
        "formField": false,
        "archived": false,
        "options": [],
    })
}

/// `POST /crm/v3/properties/{object}`: `{name, label, type, fieldType, groupName,
/// hasUniqueValue?}`.
pub(crate) async fn create_property(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
    body: Bytes,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    let body = parse_body(&body)?;
    let missing: Vec<&str> = ["name", "label", "type", "fieldType", "groupName"]
        .into_iter()
        .filter(|key| body[*key].as_str().is_none_or(str::is_empty))
        .collect();
    if !missing.is_empty() {
        return Err(HsError::invalid_input(format!(
            "Missing required fields: {}",
            missing.join(", ")
        )));
    }
    let name = body["name"].as_str().unwrap_or_default().to_owned();
    let unique = body["hasUniqueValue"].as_bool().unwrap_or(false);
    let mut schema = hs.schema.lock().unwrap_or_else(|p| p.into_inner());
    if schema.has_field(object.name, &name) {
        return Err(HsError::new(
            StatusCode::CONFLICT,
            "OBJECT_ALREADY_EXISTS",
            format!("Property named '{name}' already exists."),
        ));
    }
    let mut def = FieldDef::new(object.name, &name);
    def.unique = unique;
    schema.add(&def);
    drop(schema);
    let mut created = property_json(object.name, &name, unique);
    for key in ["label", "type", "fieldType", "groupName"] {
        created[key] = body[key].clone();
    }
    let now = clock::millis_z(OffsetDateTime::now_utc());
    created["createdAt"] = json!(now);
    created["updatedAt"] = json!(now);
    Ok(json(StatusCode::CREATED, &created))
}

/// `GET /crm/v3/properties/{object}`.
pub(crate) async fn list_properties(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    let schema = hs.schema();
    let results: Vec<Value> = schema
        .fields(object.name)
        .iter()
        .map(|name| property_json(object.name, name, schema.is_unique(object.name, name)))
        .collect();
    Ok(json(StatusCode::OK, &json!({ "results": results })))
}

/// `GET /crm/v3/properties/{object}/{name}`.
pub(crate) async fn read_property(
    State(hs): State<Arc<HubSpot>>,
    Path((object, name)): Path<(String, String)>,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    let schema = hs.schema();
    if !schema.has_field(object.name, &name) {
        return Err(HsError::new(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            format!("Unable to find property {name}"),
        ));
    }
    let unique = schema.is_unique(object.name, &name);
    Ok(json(
        StatusCode::OK,
        &property_json(object.name, &name, unique),
    ))
}

/// `GET /crm/v3/pipelines/deals`: the single `default` pipeline.
pub(crate) async fn deal_pipelines() -> Response {
    let stages: Vec<Value> = DEAL_STAGES
        .iter()
        .enumerate()
        .map(|(order, id)| {
            let closed = id.starts_with("closed");
            json!({
                "id": id,
                "label": id,
                "displayOrder": order,
                "archived": false,
                "metadata": {"isClosed": closed.to_string()},
            })
        })
        .collect();
    let body = json!({"results": [{
        "id": "default",
        "label": "Sales Pipeline",
        "displayOrder": 0,
        "archived": false,
        "stages": stages,
    }]});
    json(StatusCode::OK, &body)
}

/// `GET /account-info/v3/api-usage/daily/private-apps`.
pub(crate) async fn daily_usage(State(hs): State<Arc<HubSpot>>) -> Response {
    let usage = hs
        .limits
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .daily
        .peek();
    let now = OffsetDateTime::now_utc();
    let resets = now + usage.reset_after;
    let body = json!({"results": [{
        "name": "private-apps-api-calls-daily",
        "usageLimit": usage.limit,
        "currentUsage": usage.used,
        "collectedAt": clock::millis_z(now),
        "fetchStatus": "SUCCESS",
        "resetsAt": clock::millis_z(resets),
    }]});
    json(StatusCode::OK, &body)
}
