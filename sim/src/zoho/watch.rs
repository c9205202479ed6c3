//! Zoho CRM's Notification API: `/crm/{version}/actions/watch` and the callbacks it causes.
//!
//! Channels (`zoho/crm-oas` `v8.0/notifications.json`; inputs as
//! <https://www.zoho.com/crm/developer/docs/api/v8/notifications/enable.html> describes them):
//! `POST` enables `{"watch":[{channel_id, events, notify_url, token, channel_expiry,
//! notification_condition, return_affected_field_values, notify_on_related_action}]}` and
//! answers 201 (207 when some fail, 400 when all do) with one `SUCCESS` per channel and
//! module; enabling an existing `channel_id` again renews it. `PUT` replaces a channel, `PATCH`
//! changes the fields given (both 200, the channel must exist), `GET` lists active channels
//! (204 when there are none), `DELETE ?channel_ids=…` disables them. `channel_id` is a number
//! ("long") and mandatory, `notify_url` is mandatory, `events` are `<Module>.create|edit|delete|
//! all`, and `token` is at most 50 characters ("The maximum character length is 50"; the spec
//! file says 256, the docs are stricter and win).
//!
//! Expiry (Kaizen #170,
//! <https://help.zoho.com/portal/en/community/topic/kaizen-170-faqs-on-notification-apis>;
//! v6 update-info page): from v4 the default is one
//! hour and the maximum one week, and an expiry "not specified or set for more than a week"
//! gives one hour. An expiry in the past is refused with `INVALID_DATA` (the docs are silent).
//! Expired channels send nothing and are no longer listed.
//!
//! Callbacks: a JSON `POST` to `notify_url` of `{server_time, query_params, module,
//! resource_uri, ids, affected_fields, operation, channel_id, token}` (field names as captured
//! from Zoho; no official sample was found), `operation` `insert|update|delete`, ids only, no
//! signature: the gateway checks `token`. `affected_fields` lists the changed fields per id on
//! updates. A `field_selection` condition limits edit notifications to changes of the fields it
//! names. Zoho documents no retries and no timeout for callbacks: the simulator sends each once
//! and gives up after 5 seconds, the strictest reading (a gateway cannot count on redelivery).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::errors::ZError;
use super::model::{Module, module};
use super::state::Zoho;
use crate::RetryPolicy;
use crate::shared::clock;
use crate::shared::http::{Params, empty, json};
use crate::shared::outbound::Outgoing;

/// How long Zoho waits for a callback's answer (undocumented; see the module comment).
pub(crate) fn zoho_callback_policy() -> RetryPolicy {
    RetryPolicy::never(Duration::from_secs(5))
}

const MAX_TOKEN: usize = 50;
const DEFAULT_EXPIRY: Duration = Duration::from_secs(60 * 60);
const MAX_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);
const OPERATIONS: &[&str] = &["create", "edit", "delete", "all"];

/// One notification channel.
#[derive(Debug, Clone)]
struct Channel {
    channel_id: String,
    events: Vec<String>,
    notify_url: String,
    token: Option<String>,
    expiry: OffsetDateTime,
    return_affected_field_values: bool,
    notify_on_related_action: bool,
    /// Per module: the fields a `field_selection` condition names.
    conditions: BTreeMap<String, Vec<String>>,
    raw_conditions: Value,
    version: String,
}

impl Channel {
    fn modules(&self) -> Vec<&'static Module> {
        let mut modules: Vec<&'static Module> = Vec::new();
        for event in &self.events {
            if let Some(found) = event.split_once('.').and_then(|(m, _)| module(m))
                && !modules.iter().any(|m| m.name == found.name)
            {
                modules.push(found);
            }
        }
        modules
    }

    fn wants(&self, module: &str, operation: &str) -> bool {
        let op = match operation {
            "insert" => "create",
            "update" => "edit",
            _ => "delete",
        };
        self.events.iter().any(|event| {
            event
                .split_once('.')
                .is_some_and(|(m, o)| m.eq_ignore_ascii_case(module) && (o == op || o == "all"))
        })
    }

    fn active(&self) -> bool {
        OffsetDateTime::now_utc() < self.expiry
    }

    fn json(&self, base_url: &str) -> Vec<Value> {
        self.modules()
            .into_iter()
            .map(|m| {
                json!({
                    "channel_id": self.channel_id,
                    "events": self.events.iter().filter(|e| e.starts_with(m.name)).collect::<Vec<_>>(),
                    "notify_url": self.notify_url,
                    "token": self.token,
                    "channel_expiry": clock::seconds_offset(self.expiry),
                    "resource_uri": resource_uri(base_url, &self.version, m.name),
                    "resource_id": m.id,
                    "resource_name": m.name,
                    "return_affected_field_values": self.return_affected_field_values,
                    "notify_on_related_action": self.notify_on_related_action,
                    "notification_condition": self.raw_conditions,
                    "fields": null,
                })
            })
            .collect()
    }
}

fn resource_uri(base_url: &str, version: &str, module: &str) -> String {
    format!("{base_url}/crm/{version}/{module}")
}

/// One record change waiting to be notified.
#[derive(Debug, Clone)]
struct Change {
    module: &'static str,
    id: String,
    operation: &'static str,
    fields: Vec<String>,
}

/// The notification side of one Zoho simulator.
#[derive(Default)]
pub(crate) struct Hooks {
    channels: Mutex<Vec<Channel>>,
    pending: Mutex<Vec<Change>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Hooks {
    /// Note a change (`operation` `insert`, `update` or `delete`; `fields` the changed ones).
    pub(crate) fn note(
        &self,
        module: &Module,
        id: &str,
        operation: &'static str,
        fields: Vec<String>,
    ) {
        if lock(&self.channels).is_empty() {
            return;
        }
        lock(&self.pending).push(Change {
            module: module.name,
            id: id.to_owned(),
            operation,
            fields,
        });
    }

    /// Forget every channel.
    pub(crate) fn clear(&self) {
        lock(&self.channels).clear();
        lock(&self.pending).clear();
    }
}

fn query_params(url: &str) -> Value {
    let query = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.query().map(str::to_owned));
    let params: Vec<(String, String)> = query
        .as_deref()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    Value::Object(params.into_iter().map(|(k, v)| (k, json!(v))).collect())
}

fn callback(zoho: &Zoho, channel: &Channel, change: &Change) -> Value {
    let mut body = json!({
        "server_time": clock::unix_millis(OffsetDateTime::now_utc()),
        "query_params": query_params(&channel.notify_url),
        "module": change.module,
        "resource_uri": resource_uri(&zoho.base_url, &channel.version, change.module),
        "ids": [change.id],
        "operation": change.operation,
        "channel_id": channel.channel_id,
        "token": channel.token,
    });
    if change.operation == "update" {
        body["affected_fields"] = json!([{ change.id.clone(): change.fields }]);
    }
    body
}

/// Send every pending change to the channels that watch it, in the background.
pub(crate) fn dispatch(zoho: &Arc<Zoho>) {
    let changes = std::mem::take(&mut *lock(&zoho.hooks.pending));
    for change in changes {
        let channels: Vec<Channel> = lock(&zoho.hooks.channels)
            .iter()
            .filter(|c| c.active() && c.wants(change.module, change.operation))
            .filter(|c| {
                let watched = c.conditions.get(change.module);
                change.operation != "update"
                    || watched.is_none_or(|fields| fields.iter().any(|f| change.fields.contains(f)))
            })
            .cloned()
            .collect();
        for channel in channels {
            let body = callback(zoho, &channel, &change).to_string();
            let request = Outgoing {
                url: channel.notify_url.clone(),
                headers: vec![("Content-Type".into(), "application/json".into())],
                body,
            };
            let id = format!(
                "{}-{}-{}",
                channel.channel_id,
                change.id,
                uuid::Uuid::new_v4().simple()
            );
            let timeout = zoho.options.callback_policy.timeout;
            let owner = zoho.clone();
            zoho.core.outbound.spawn(async move {
                owner
                    .core
                    .outbound
                    .send("zoho.notification", &id, 1, request, timeout)
                    .await;
            });
        }
    }
}

/// Every `api_name` a `field_selection` names, at any depth.
fn condition_fields(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map.get("field").and_then(|f| f["api_name"].as_str()) {
                out.push(name.to_owned());
            }
            for inner in map.values() {
                condition_fields(inner, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| condition_fields(i, out)),
        _ => {}
    }
}

fn conditions(raw: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for condition in raw.as_array().into_iter().flatten() {
        let Some(module) = condition["module"]["api_name"].as_str().and_then(module) else {
            continue;
        };
        let mut fields = Vec::new();
        condition_fields(&condition["field_selection"], &mut fields);
        if !fields.is_empty() {
            out.entry(module.name.to_owned())
                .or_insert_with(Vec::new)
                .extend(fields);
        }
    }
    out
}

fn at(index: usize, field: &str) -> Value {
    json!({"api_name": field, "json_path": format!("$.watch[{index}].{field}")})
}

fn mandatory(index: usize, field: &str) -> ZError {
    ZError::new(
        "MANDATORY_NOT_FOUND",
        "required field not found",
        at(index, field),
    )
}

fn invalid(index: usize, field: &str) -> ZError {
    ZError::new("INVALID_DATA", "invalid data", at(index, field))
}

fn channel_id_of(item: &Map<String, Value>, index: usize) -> Result<String, ZError> {
    let id = match item.get("channel_id") {
        None | Some(Value::Null) => return Err(mandatory(index, "channel_id")),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid(index, "channel_id")),
    };
    if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(index, "channel_id"));
    }
    Ok(id)
}

fn expiry_of(item: &Map<String, Value>, index: usize) -> Result<OffsetDateTime, ZError> {
    let now = OffsetDateTime::now_utc();
    let Some(raw) = item.get("channel_expiry").filter(|v| !v.is_null()) else {
        return Ok(now + DEFAULT_EXPIRY);
    };
    let parsed = raw
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .ok_or_else(|| invalid(index, "channel_expiry"))?;
    if parsed <= now {
        return Err(invalid(index, "channel_expiry"));
    }
    if parsed - now > MAX_EXPIRY {
        return Ok(now + DEFAULT_EXPIRY);
    }
    Ok(parsed)
}

fn events_of(value: Option<&Value>, index: usize) -> Result<Vec<String>, ZError> {
    let Some(list) = value.and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        return Err(mandatory(index, "events"));
    };
    let mut events = Vec::new();
    for event in list {
        let parsed = event
            .as_str()
            .and_then(|e| e.split_once('.'))
            .and_then(|(m, op)| {
                let module = module(m)?;
                OPERATIONS
                    .contains(&op)
                    .then(|| format!("{}.{op}", module.name))
            });
        match parsed {
            Some(event) => events.push(event),
            None => return Err(invalid(index, "events")),
        }
    }
    Ok(events)
}

fn token_of(value: Option<&Value>, index: usize) -> Result<Option<String>, ZError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) if token.chars().count() <= MAX_TOKEN => Ok(Some(token.clone())),
        Some(_) => {
            let mut error = invalid(index, "token");
            error.details["maximum_length"] = json!(MAX_TOKEN);
            Err(error)
        }
    }
}

fn url_of(value: Option<&Value>, index: usize) -> Result<String, ZError> {
    let Some(url) = value.and_then(Value::as_str).filter(|u| !u.is_empty()) else {
        return Err(mandatory(index, "notify_url"));
    };
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(url.to_owned()),
        _ => Err(invalid(index, "notify_url")),
    }
}

fn flag(item: &Map<String, Value>, key: &str, default: bool) -> bool {
    item.get(key).and_then(Value::as_bool).unwrap_or(default)
}

/// A channel from a full item (`POST`, `PUT`).
fn channel_from(item: &Map<String, Value>, index: usize, version: &str) -> Result<Channel, ZError> {
    let raw_conditions = item
        .get("notification_condition")
        .cloned()
        .unwrap_or(Value::Null);
    Ok(Channel {
        channel_id: channel_id_of(item, index)?,
        events: events_of(item.get("events"), index)?,
        notify_url: url_of(item.get("notify_url"), index)?,
        token: token_of(item.get("token"), index)?,
        expiry: expiry_of(item, index)?,
        return_affected_field_values: flag(item, "return_affected_field_values", false),
        notify_on_related_action: flag(item, "notify_on_related_action", true),
        conditions: conditions(&raw_conditions),
        raw_conditions,
        version: version.to_owned(),
    })
}

/// Apply the fields given in a `PATCH` item.
fn patch(channel: &mut Channel, item: &Map<String, Value>, index: usize) -> Result<(), ZError> {
    if item.contains_key("events") {
        channel.events = events_of(item.get("events"), index)?;
    }
    if item.contains_key("notify_url") {
        channel.notify_url = url_of(item.get("notify_url"), index)?;
    }
    if item.contains_key("token") {
        channel.token = token_of(item.get("token"), index)?;
    }
    if item.contains_key("channel_expiry") {
        channel.expiry = expiry_of(item, index)?;
    }
    if let Some(raw) = item.get("notification_condition") {
        channel.raw_conditions = raw.clone();
        channel.conditions = conditions(raw);
    }
    channel.return_affected_field_values = flag(
        item,
        "return_affected_field_values",
        channel.return_affected_field_values,
    );
    channel.notify_on_related_action = flag(
        item,
        "notify_on_related_action",
        channel.notify_on_related_action,
    );
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn expiry_defaults_to_an_hour_and_longer_than_a_week_falls_back_to_it() {
        let now = OffsetDateTime::now_utc();
        let about_an_hour = |d: time::Duration| {
            d > Duration::from_secs(3590) && d < DEFAULT_EXPIRY + Duration::from_secs(10)
        };
        assert!(about_an_hour(expiry_of(&item(json!({})), 0).unwrap() - now));
        let two_weeks = (now + Duration::from_secs(14 * 86_400))
            .format(&Rfc3339)
            .unwrap();
        let fallback = expiry_of(&item(json!({"channel_expiry": two_weeks})), 0).unwrap() - now;
        assert!(about_an_hour(fallback));
        let six_days = (now + Duration::from_secs(6 * 86_400))
            .format(&Rfc3339)
            .unwrap();
        let kept = expiry_of(&item(json!({"channel_expiry": six_days})), 0).unwrap() - now;
        assert!(kept > Duration::from_secs(5 * 86_400));
        let past = (now - Duration::from_secs(60)).format(&Rfc3339).unwrap();
        assert_eq!(
            expiry_of(&item(json!({"channel_expiry": past})), 0)
                .unwrap_err()
                .code,
            "INVALID_DATA"
        );
    }

    #[test]
    fn items_are_checked() {
        let ok = json!({"channel_id": 1000000068001u64, "events": ["Deals.edit", "deals.all"], "notify_url": "https://gw.example/zoho?key=k", "token": "t"});
        let channel = channel_from(&item(ok), 0, "v8").unwrap();
        assert_eq!(channel.channel_id, "1000000068001");
        assert_eq!(channel.events, ["Deals.edit", "Deals.all"]);
        assert!(channel.wants("Deals", "update") && channel.wants("Deals", "insert"));
        assert!(!channel.wants("Leads", "update"));
        for (bad, code) in [
            (
                json!({"events": ["Deals.edit"], "notify_url": "https://x"}),
                "MANDATORY_NOT_FOUND",
            ),
            (
                json!({"channel_id": "12ab", "events": ["Deals.edit"], "notify_url": "https://x"}),
                "INVALID_DATA",
            ),
            (
                json!({"channel_id": 1, "events": ["Deals.update"], "notify_url": "https://x"}),
                "INVALID_DATA",
            ),
            (
                json!({"channel_id": 1, "events": ["Deals.edit"]}),
                "MANDATORY_NOT_FOUND",
            ),
            (
                json!({"channel_id": 1, "events": ["Deals.edit"], "notify_url": "https://x", "token": "x".repeat(51)}),
                "INVALID_DATA",
            ),
        ] {
            assert_eq!(
                channel_from(&item(bad.clone()), 0, "v8").unwrap_err().code,
                code,
                "{bad}"
            );
        }
    }

    #[test]
    fn field_selections_name_their_fields() {
        let raw = json!([{"type": "field_selection", "module": {"api_name": "Deals"},
            "field_selection": {"group_operator": "or", "group": [
                {"field": {"api_name": "Stage"}}, {"field": {"api_name": "Amount"}}]}}]);
        assert_eq!(conditions(&raw)["Deals"], ["Stage", "Amount"]);
        assert_eq!(
            query_params("https://x/z?key=k&a=b"),
            json!({"key": "k", "a": "b"})
        );
    }
}
