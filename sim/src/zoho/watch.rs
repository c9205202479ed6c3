//! Zoho CRM's Notification API: `/crm/{version}/actions/watch`.
//!
//! `POST` enables `{"watch":[{channel_id, events, notify_url, token, channel_expiry,
//! notification_condition, return_affected_field_values, notify_on_related_action}]}` and
//! answers 201 (207 when some fail, 400 when all do) with one `SUCCESS` per channel and module
//! (`zoho/crm-oas` `v8.0/notifications.json`); enabling an existing `channel_id` again renews
//! it. `PUT` replaces a channel, `PATCH` changes the fields given (both 200, the channel must
//! exist), `GET` lists active channels (204 when there are none), `DELETE ?channel_ids=…`
//! disables them. What an item may say is in `channel`, the callbacks in `notify`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::channel::{Channel, channel_from, channel_id_of, invalid, patch, resource_uri};
use super::errors::ZError;
use super::notify::lock;
use super::state::Zoho;
use crate::shared::clock;
use crate::shared::http::{Params, empty, json};

fn success(zoho: &Zoho, channel: &Channel, message: &str) -> Value {
    let events: Vec<Value> = channel
        .modules()
        .into_iter()
        .map(|m| {
            json!({
                "channel_expiry": clock::seconds_offset(channel.expiry),
                "resource_uri": resource_uri(&zoho.base_url, &channel.version, m.name),
                "resource_id": m.id,
                "resource_name": m.name,
                "channel_id": channel.channel_id,
            })
        })
        .collect();
    json!({"code": "SUCCESS", "details": {"events": events}, "message": message, "status": "success"})
}

/// `{"watch":[…]}` with per-item outcomes: `ok` when all succeed, 207 mixed, 400 none.
fn answer(items: Vec<Result<Value, ZError>>, ok: StatusCode) -> Response {
    let failures = items.iter().filter(|i| i.is_err()).count();
    let status = match failures {
        0 => ok,
        n if n == items.len() => StatusCode::BAD_REQUEST,
        _ => StatusCode::MULTI_STATUS,
    };
    let watch: Vec<Value> = items
        .into_iter()
        .map(|item| item.unwrap_or_else(|error| error.body()))
        .collect();
    json(status, &json!({ "watch": watch }))
}

fn items(body: &[u8]) -> Result<Vec<Map<String, Value>>, ZError> {
    let parsed: Value = serde_json::from_slice(body).map_err(|_| ZError::malformed())?;
    let list = parsed["watch"]
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| {
            ZError::new(
                "MANDATORY_NOT_FOUND",
                "required field not found",
                json!({"api_name": "watch", "json_path": "$.watch"}),
            )
        })?;
    list.iter()
        .map(|item| item.as_object().cloned().ok_or_else(ZError::malformed))
        .collect()
}

/// `POST|PUT|PATCH|GET|DELETE /crm/{version}/actions/watch`.
pub(crate) async fn watch(
    State(zoho): State<Arc<Zoho>>,
    Path(version): Path<String>,
    method: Method,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, ZError> {
    let params = Params::query(query.as_deref());
    match method {
        Method::GET => Ok(list(&zoho, &params)),
        Method::DELETE => disable(&zoho, &params),
        Method::POST => {
            let items = items(&body)?;
            let mut channels = lock(&zoho.hooks.channels);
            let outcomes = items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let channel = channel_from(item, index, &version)?;
                    channels.retain(|c| c.channel_id != channel.channel_id);
                    let done = success(
                        &zoho,
                        &channel,
                        "Successfully subscribed for actions-watch of the given module",
                    );
                    channels.push(channel);
                    Ok(done)
                })
                .collect();
            Ok(answer(outcomes, StatusCode::CREATED))
        }
        Method::PUT | Method::PATCH => {
            let replacing = method == Method::PUT;
            let items = items(&body)?;
            let mut channels = lock(&zoho.hooks.channels);
            let outcomes = items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let id = channel_id_of(item, index)?;
                    let existing = channels
                        .iter_mut()
                        .find(|c| c.channel_id == id && c.active())
                        .ok_or_else(|| invalid(index, "channel_id"))?;
                    if replacing {
                        *existing = channel_from(item, index, &version)?;
                    } else {
                        let mut changed = existing.clone();
                        patch(&mut changed, item, index)?;
                        *existing = changed;
                    }
                    Ok(success(
                        &zoho,
                        existing,
                        "Successfully updated the subscribe details",
                    ))
                })
                .collect();
            Ok(answer(outcomes, StatusCode::OK))
        }
        _ => Err(ZError::new(
            "INVALID_REQUEST_METHOD",
            "The http request method type is not a valid one",
            json!({}),
        )),
    }
}

fn list(zoho: &Zoho, params: &Params) -> Response {
    let wanted_module = params.get("module");
    let wanted_channel = params.get("channel_id");
    let watch: Vec<Value> = lock(&zoho.hooks.channels)
        .iter()
        .filter(|c| c.active())
        .filter(|c| wanted_channel.is_none_or(|id| c.channel_id == id))
        .flat_map(|c| c.json(&zoho.base_url))
        .filter(|entry| {
            wanted_module.is_none_or(|m| {
                entry["resource_name"]
                    .as_str()
                    .is_some_and(|r| r.eq_ignore_ascii_case(m))
            })
        })
        .collect();
    if watch.is_empty() {
        return empty(StatusCode::NO_CONTENT);
    }
    let count = watch.len();
    json(
        StatusCode::OK,
        &json!({"watch": watch, "info": {"per_page": 200, "count": count, "page": 1, "more_records": false}}),
    )
}

fn disable(zoho: &Zoho, params: &Params) -> Result<Response, ZError> {
    let ids = params.list("channel_ids");
    if ids.is_empty() {
        return Err(ZError::param_missing("channel_ids"));
    }
    let mut channels = lock(&zoho.hooks.channels);
    let mut outcomes = Vec::new();
    for id in ids {
        match channels.iter().position(|c| c.channel_id == id) {
            Some(at) => {
                let channel = channels.remove(at);
                for m in channel.modules() {
                    outcomes.push(Ok(json!({
                        "code": "SUCCESS",
                        "details": {
                            "resource_uri": resource_uri(&zoho.base_url, &channel.version, m.name),
                            "resource_id": m.id,
                            "channel_id": channel.channel_id,
                        },
                        "message": "Successfully unsubscribed from actions-watch of the given module",
                        "status": "success",
                    })));
                }
            }
            None => outcomes.push(Err(ZError::new(
                "INVALID_DATA",
                "invalid data",
                json!({"api_name": "channel_ids", "channel_id": id}),
            ))),
        }
    }
    Ok(answer(outcomes, StatusCode::OK))
}
