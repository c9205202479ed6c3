//! Pipedrive's webhooks: `POST|GET /v1/webhooks`, `DELETE /v1/webhooks/{id}`, and the
//! deliveries they cause.
//!
//! Creating (`pipedrive-openapi-v1.yaml`, `addWebhook`): `subscription_url`, `event_action`
//! (`create|change|delete|*`), `event_object` (`activity|deal|lead|note|organization|person|
//! pipeline|product|stage|user|*`) and `name` (≤ 255) are required; `user_id`,
//! `http_auth_user`, `http_auth_password` and `version` (`1.0`|`2.0`, default `2.0` since
//! 2025-03-17) are optional; success is 201 `{"status":"ok","success":true,"data":{…}}`, a bad
//! body 400 `{"status":"error","success":false,"errors":{field:[…]}}`. At most 40 webhooks per
//! user (<https://pipedrive.readme.io/docs/guide-for-webhooks-v2>).
//!
//! Deliveries are a JSON `POST` with HTTP Basic credentials when the webhook has them (there is
//! no signature). Version 2 (<https://pipedrive.readme.io/docs/webhooks-v2-migration-guide>):
//! `{data, previous, meta}` where `data` is the object now, `previous` holds the changed
//! fields' old values (`null` on create) and `meta` carries `action` (`create|change|delete`),
//! `entity`, `entity_id`, `id` (the event's), `correlation_id`, `company_id`, `user_id` (who
//! made the change), `webhook_id`, `webhook_owner_id`, `permitted_user_ids`, `timestamp`,
//! `version: "2.0"`, `change_source`, `attempt` (from 1), `is_bulk_edit`, `type` and `host`.
//! The field types follow a delivery captured in January 2026 (ids as strings, an ISO
//! `timestamp`); an older third-party capture shows numbers and Unix seconds, so a gateway
//! should read both. On delete the docs are silent: the simulator sends `data: null` and the
//! last state as `previous`, as version 1 does. Version 1
//! (<https://pipedrive.readme.io/docs/guide-for-webhooks>):
//! `{v, matches_filters, meta, retry, current, previous, event}` with
//! `added|updated|deleted` actions and whole objects in `current`/`previous`.
//! `change_source` is `app` for the web app and `api` for the API
//! (<https://developers.pipedrive.com/changelog/post/new-field-for-webhooks>). "One edit or
//! update to the object will only trigger one change webhook"; an update that changes nothing
//! sends none (the docs are silent on that case).
//!
//! Retries and bans (<https://pipedrive.readme.io/docs/guide-for-webhooks>, "Retry logic" and
//! "Webhooks policy"): an attempt fails on a non-2xx answer or after 10 seconds; it is retried 3
//! times, after 3, 30 and 150 seconds. Each failed *first* attempt adds one to the webhook's ban
//! counter; at 10 the webhook is banned for 30 minutes, during which its events are lost, and
//! the counter starts again from zero. (The deletion of webhooks without a success for 3 days
//! is not simulated.)

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::entities::{Entity, render_v1, render_v2};
use super::errors::PdError;
use super::state::Pipedrive;
use crate::RetryPolicy;
use crate::shared::clock;
use crate::shared::http::{Params, json};
use crate::shared::outbound::{Answer, Job, Outgoing};
use crate::shared::store::Record;

/// Pipedrive's schedule: a 10-second timeout, then retries after 3, 30 and 150 seconds.
pub fn pipedrive_retry() -> RetryPolicy {
    RetryPolicy::new(
        Duration::from_secs(10),
        vec![
            Duration::from_secs(3),
            Duration::from_secs(30),
            Duration::from_secs(150),
        ],
    )
}

/// Webhooks one user may have.
const MAX_PER_USER: usize = 40;
/// Failed first attempts that get a webhook banned.
const BAN_AFTER: u32 = 10;
/// How long a ban lasts.
const BAN_FOR: Duration = Duration::from_secs(30 * 60);

const ACTIONS: &[&str] = &["create", "change", "delete", "*"];
const OBJECTS: &[&str] = &[
    "activity",
    "deal",
    "lead",
    "note",
    "organization",
    "person",
    "pipeline",
    "product",
    "stage",
    "user",
    "*",
];

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The API, as the API token's user.
    Api,
    /// A user in Pipedrive's web app.
    App(u64),
}

/// One webhook.
#[derive(Debug, Clone)]
struct Webhook {
    id: u64,
    name: String,
    subscription_url: String,
    event_action: String,
    event_object: String,
    user_id: u64,
    http_auth_user: Option<String>,
    http_auth_password: Option<String>,
    version: String,
    add_time: OffsetDateTime,
    failed_first_attempts: u32,
    banned_until: Option<Instant>,
}

impl Webhook {
    fn json(&self, company_id: u64) -> Value {
        json!({
            "id": self.id,
            "company_id": company_id,
            "owner_id": self.user_id,
            "user_id": self.user_id,
            "event_action": self.event_action,
            "event_object": self.event_object,
            "subscription_url": self.subscription_url,
            "version": self.version,
            "is_active": 1,
            "add_time": clock::millis_z(self.add_time),
            "remove_time": null,
            "type": "general",
            "http_auth_user": self.http_auth_user,
            "http_auth_password": self.http_auth_password,
            "remove_reason": null,
            "last_delivery_time": null,
            "last_http_status": null,
            "admin_id": self.user_id,
            "name": self.name,
        })
    }

    fn wants(&self, action: &str, object: &str) -> bool {
        (self.event_action == "*" || self.event_action == action)
            && (self.event_object == "*" || self.event_object == object)
    }

    /// Whether the webhook is banned now (lifting an expired ban).
    fn banned(&mut self) -> bool {
        match self.banned_until {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                self.banned_until = None;
                false
            }
            None => false,
        }
    }
}

/// One change waiting to be delivered.
#[derive(Debug, Clone)]
struct Change {
    action: &'static str,
    object: &'static str,
    entity_id: String,
    current: Option<Record>,
    before: Option<Record>,
    source: Source,
    at: OffsetDateTime,
}

/// The webhook side of one Pipedrive simulator.
#[derive(Default)]
pub(crate) struct Hooks {
    webhooks: Mutex<Vec<Webhook>>,
    pending: Mutex<Vec<Change>>,
    next_id: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The webhook object name of an entity table.
fn object_of(entity: &Entity) -> &'static str {
    match entity.table {
        "persons" => "person",
        "organizations" => "organization",
        "deals" => "deal",
        "activities" => "activity",
        _ => "note",
    }
}

impl Hooks {
    /// Note a change of one record (`before` and/or `current`).
    pub(crate) fn note(
        &self,
        entity: &Entity,
        before: Option<&Record>,
        current: Option<&Record>,
        source: Source,
    ) {
        let action = match (before, current) {
            (None, Some(_)) => "create",
            (Some(_), Some(_)) => "change",
            _ => "delete",
        };
        if let (Some(before), Some(current)) = (before, current)
            && before.fields == current.fields
        {
            return;
        }
        let entity_id = current.or(before).map(|r| r.id.clone()).unwrap_or_default();
        lock(&self.pending).push(Change {
            action,
            object: object_of(entity),
            entity_id,
            current: current.cloned(),
            before: before.cloned(),
            source,
            at: OffsetDateTime::now_utc(),
        });
    }

    /// Forget every webhook.
    pub(crate) fn clear(&self) {
        lock(&self.webhooks).clear();
        lock(&self.pending).clear();
    }
}

/// The changed fields' old values.
fn changed_fields(before: &Record, current: &Record) -> Value {
    let mut previous = Map::new();
    for (name, old) in &before.fields {
        if current.fields.get(name) != Some(old) {
            previous.insert(name.clone(), old.clone());
        }
    }
    for name in current.fields.keys() {
        if !before.fields.contains_key(name) {
            previous.insert(name.clone(), Value::Null);
        }
    }
    Value::Object(previous)
}

fn v2_body(
    pd: &Pipedrive,
    webhook: &Webhook,
    change: &Change,
    event_id: &str,
    correlation: &str,
    attempt: u32,
) -> Value {
    let user_id = match change.source {
        Source::Api => pd.options.api_user_id,
        Source::App(user) => user,
    };
    let previous = match (&change.before, &change.current) {
        (Some(before), Some(current)) => changed_fields(before, current),
        (Some(before), None) => render_v2(before),
        _ => Value::Null,
    };
    json!({
        "data": change.current.as_ref().map(render_v2),
        "previous": previous,
        "meta": {
            "action": change.action,
            "company_id": pd.options.company_id.to_string(),
            "correlation_id": correlation,
            "entity_id": change.entity_id,
            "entity": change.object,
            "id": event_id,
            "is_bulk_edit": false,
            "timestamp": clock::millis_z(change.at),
            "type": "general",
            "user_id": user_id.to_string(),
            "version": "2.0",
            "webhook_id": webhook.id.to_string(),
            "webhook_owner_id": webhook.user_id.to_string(),
            "change_source": source_word(change.source),
            "permitted_user_ids": [pd.options.api_user_id.to_string(), pd.options.sales_rep_user_id.to_string()],
            "attempt": attempt,
            "host": format!("{}.pipedrive.com", pd.options.company_domain),
        },
    })
}

fn source_word(source: Source) -> &'static str {
    match source {
        Source::Api => "api",
        Source::App(_) => "app",
    }
}

fn v1_body(pd: &Pipedrive, webhook: &Webhook, change: &Change, attempt: u32) -> Value {
    let action = match change.action {
        "create" => "added",
        "change" => "updated",
        _ => "deleted",
    };
    let user_id = match change.source {
        Source::Api => pd.options.api_user_id,
        Source::App(user) => user,
    };
    let micros = change.at.unix_timestamp_nanos() / 1_000;
    json!({
        "v": 1,
        "matches_filters": {"current": []},
        "meta": {
            "v": 1,
            "action": action,
            "object": change.object,
            "change_source": source_word(change.source),
            "id": change.entity_id.parse::<u64>().map_or_else(|_| json!(change.entity_id), |id| json!(id)),
            "company_id": pd.options.company_id,
            "user_id": user_id,
            "host": format!("{}.pipedrive.com", pd.options.company_domain),
            "timestamp": change.at.unix_timestamp(),
            "timestamp_micro": micros,
            "permitted_user_ids": [pd.options.api_user_id, pd.options.sales_rep_user_id],
            "trans_pending": false,
            "is_bulk_update": false,
            "pipedrive_service_name": false,
            "matches_filters": {"current": []},
            "webhook_id": webhook.id.to_string(),
        },
        "retry": attempt.saturating_sub(1),
        "current": change.current.as_ref().map(render_v1),
        "previous": change.before.as_ref().map(render_v1),
        "event": format!("{action}.{}", change.object),
    })
}

fn request(webhook: &Webhook, body: &Value) -> Outgoing {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if let Some(user) = &webhook.http_auth_user {
        let password = webhook.http_auth_password.clone().unwrap_or_default();
        let credentials = STANDARD.encode(format!("{user}:{password}"));
        headers.push(("Authorization".to_owned(), format!("Basic {credentials}")));
    }
    Outgoing {
        url: webhook.subscription_url.clone(),
        headers,
        body: body.to_string(),
    }
}

/// Count a failed first attempt against the webhook's ban counter.
fn count_failure(pd: &Pipedrive, webhook_id: u64) {
    let mut webhooks = lock(&pd.hooks.webhooks);
    if let Some(webhook) = webhooks.iter_mut().find(|w| w.id == webhook_id) {
        webhook.failed_first_attempts += 1;
        if webhook.failed_first_attempts >= BAN_AFTER {
            webhook.failed_first_attempts = 0;
            webhook.banned_until = Some(Instant::now() + BAN_FOR);
        }
    }
}

async fn deliver(pd: Arc<Pipedrive>, webhook: Webhook, change: Change) {
    let event_id = uuid::Uuid::new_v4().to_string();
    let correlation = uuid::Uuid::new_v4().to_string();
    let policy = pd.options.webhook_retry.clone();
    let kind = format!("pipedrive.{}.{}", change.action, change.object);
    let build = |attempt: u32| {
        let body = if webhook.version == "1.0" {
            v1_body(&pd, &webhook, &change, attempt)
        } else {
            v2_body(&pd, &webhook, &change, &event_id, &correlation, attempt)
        };
        request(&webhook, &body)
    };
    let first = pd
        .core
        .outbound
        .send(&kind, &event_id, 1, build(1), policy.timeout)
        .await;
    if first.succeeded() {
        return;
    }
    count_failure(&pd, webhook.id);
    let Some(wait) = policy.delays.first().copied() else {
        return;
    };
    tokio::time::sleep(wait).await;
    let job = Job {
        kind: &kind,
        id: &event_id,
        policy: &policy,
        first: 2,
        previous: Some(first),
    };
    let _: Answer = pd
        .core
        .outbound
        .deliver(job, |attempt, _| build(attempt), |_| true)
        .await;
}

/// Deliver every pending change to the webhooks that want it, in the background.
pub(crate) fn dispatch(pd: &Arc<Pipedrive>) {
    let changes = std::mem::take(&mut *lock(&pd.hooks.pending));
    for change in changes {
        let targets: Vec<Webhook> = lock(&pd.hooks.webhooks)
            .iter_mut()
            .filter(|w| w.wants(change.action, change.object))
            .filter_map(|w| (!w.banned()).then(|| w.clone()))
            .collect();
        for webhook in targets {
            pd.core
                .outbound
                .spawn(deliver(pd.clone(), webhook, change.clone()));
        }
    }
}

/// A `400` in the webhooks API's shape.
fn bad_request(field: &str, message: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &json!({"status": "error", "success": false, "errors": {field: [message]}}),
    )
}

fn text(body: &Map<String, Value>, key: &str) -> Option<String> {
    match body.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The body's fields, JSON or form-encoded; `None` when it is neither.
fn body_map(headers: &HeaderMap, body: &[u8]) -> Option<Map<String, Value>> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let params = Params::parse(std::str::from_utf8(body).unwrap_or_default());
        let mut map = Map::new();
        for key in [
            "subscription_url",
            "event_action",
            "event_object",
            "name",
            "user_id",
            "http_auth_user",
            "http_auth_password",
            "version",
        ] {
            if let Some(value) = params.get(key) {
                map.insert(key.into(), json!(value));
            }
        }
        return Some(map);
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// `POST /v1/webhooks`.
pub(crate) async fn create(
    State(pd): State<Arc<Pipedrive>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(body) = body_map(&headers, &body) else {
        return bad_request("body", "must be a JSON object");
    };
    let Some(url) = text(&body, "subscription_url")
        .filter(|u| reqwest::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
    else {
        return bad_request("subscription_url", "invalid or non-reachable URL");
    };
    let Some(action) = text(&body, "event_action").filter(|a| ACTIONS.contains(&a.as_str())) else {
        return bad_request("event_action", "must be one of create, change, delete, *");
    };
    let Some(object) = text(&body, "event_object").filter(|o| OBJECTS.contains(&o.as_str())) else {
        return bad_request("event_object", "invalid event object");
    };
    let Some(name) =
        text(&body, "name").filter(|n| !n.trim().is_empty() && n.chars().count() <= 255)
    else {
        return bad_request("name", "is required (at most 255 characters)");
    };
    let version = text(&body, "version").unwrap_or_else(|| "2.0".into());
    if version != "1.0" && version != "2.0" {
        return bad_request("version", "must be 1.0 or 2.0");
    }
    let user_id = match body.get("user_id") {
        None | Some(Value::Null) => pd.options.api_user_id,
        Some(value) => match text(&body, "user_id").and_then(|u| u.parse().ok()) {
            Some(id) => id,
            None => return bad_request("user_id", &format!("invalid user id {value}")),
        },
    };
    let mut webhooks = lock(&pd.hooks.webhooks);
    if webhooks.iter().filter(|w| w.user_id == user_id).count() >= MAX_PER_USER {
        return bad_request("webhooks", "the limit of 40 webhooks per user is reached");
    }
    let webhook = Webhook {
        id: pd.hooks.next_id.fetch_add(1, Ordering::Relaxed) + 1,
        name,
        subscription_url: url,
        event_action: action,
        event_object: object,
        user_id,
        http_auth_user: text(&body, "http_auth_user"),
        http_auth_password: text(&body, "http_auth_password"),
        version,
        add_time: OffsetDateTime::now_utc(),
        failed_first_attempts: 0,
        banned_until: None,
    };
    let data = webhook.json(pd.options.company_id);
    webhooks.push(webhook);
    json(
        StatusCode::CREATED,
        &json!({"status": "ok", "success": true, "data": data}),
    )
}

/// `GET /v1/webhooks`.
pub(crate) async fn list(State(pd): State<Arc<Pipedrive>>) -> Response {
    let data: Vec<Value> = lock(&pd.hooks.webhooks)
        .iter()
        .map(|w| w.json(pd.options.company_id))
        .collect();
    json(
        StatusCode::OK,
        &json!({"status": "ok", "success": true, "data": data}),
    )
}

/// `DELETE /v1/webhooks/{id}`.
pub(crate) async fn delete(
    State(pd): State<Arc<Pipedrive>>,
    Path(id): Path<String>,
) -> Result<Response, PdError> {
    let mut webhooks = lock(&pd.hooks.webhooks);
    let before = webhooks.len();
    webhooks.retain(|w| w.id.to_string() != id);
    if webhooks.len() == before {
        return Err(PdError::new(
            StatusCode::NOT_FOUND,
            "Webhook not found",
            Some("ERR_NOT_FOUND"),
        ));
    }
    Ok(json(
        StatusCode::OK,
        &json!({"status": "ok", "success": true}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: Value) -> Record {
        Record::new("7".into(), fields.as_object().cloned().unwrap())
    }

    #[test]
    fn previous_holds_only_the_changed_fields() {
        let before = record(json!({"title": "A", "stage_id": 1, "value": 10}));
        let after = record(json!({"title": "A", "stage_id": 2, "value": 10, "owner_id": 5}));
        assert_eq!(
            changed_fields(&before, &after),
            json!({"stage_id": 1, "owner_id": null})
        );
    }

    #[test]
    fn bans_come_after_ten_failed_first_attempts() {
        let mut webhook = Webhook {
            id: 1,
            name: "n".into(),
            subscription_url: "http://x".into(),
            event_action: "change".into(),
            event_object: "deal".into(),
            user_id: 1,
            http_auth_user: Some("u".into()),
            http_auth_password: Some("p".into()),
            version: "2.0".into(),
            add_time: OffsetDateTime::UNIX_EPOCH,
            failed_first_attempts: 0,
            banned_until: None,
        };
        assert!(webhook.wants("change", "deal"));
        assert!(!webhook.wants("create", "deal"));
        let outgoing = request(&webhook, &json!({}));
        assert_eq!(outgoing.headers[1].1, "Basic dTpw");
        webhook.banned_until = Some(Instant::now() - Duration::from_secs(1));
        assert!(!webhook.banned());
        assert!(webhook.banned_until.is_none());
    }
}
