//! Pipedrive's webhooks API: `POST|GET /v1/webhooks` and `DELETE /v1/webhooks/{id}`; the
//! deliveries they cause are in `deliveries`.
//!
//! Creating (`pipedrive-openapi-v1.yaml`, `addWebhook`): `subscription_url`, `event_action`
//! (`create|change|delete|*`), `event_object` (`activity|deal|lead|note|organization|person|
//! pipeline|product|stage|user|*`) and `name` (≤ 255) are required; `user_id`,
//! `http_auth_user`, `http_auth_password` and `version` (`1.0`|`2.0`, default `2.0` since
//! 2025-03-17) are optional; success is 201 `{"status":"ok","success":true,"data":{…}}`, a bad
//! body 400 `{"status":"error","success":false,"errors":{field:[…]}}`. At most 40 webhooks per
//! user (<https://pipedrive.readme.io/docs/guide-for-webhooks-v2>).

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::entities::Entity;
use super::errors::PdError;
use super::state::Pipedrive;
use crate::shared::clock;
use crate::shared::http::{Params, json};
use crate::shared::store::Record;

/// Webhooks one user may have.
const MAX_PER_USER: usize = 40;
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
pub(crate) struct Webhook {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) subscription_url: String,
    pub(crate) event_action: String,
    pub(crate) event_object: String,
    pub(crate) user_id: u64,
    pub(crate) http_auth_user: Option<String>,
    pub(crate) http_auth_password: Option<String>,
    pub(crate) version: String,
    pub(crate) add_time: OffsetDateTime,
    pub(crate) failed_first_attempts: u32,
    pub(crate) banned_until: Option<Instant>,
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

    pub(crate) fn wants(&self, action: &str, object: &str) -> bool {
        (self.event_action == "*" || self.event_action == action)
            && (self.event_object == "*" || self.event_object == object)
    }

    /// Whether the webhook is banned now (lifting an expired ban).
    pub(crate) fn banned(&mut self) -> bool {
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
pub(crate) struct Change {
    pub(crate) action: &'static str,
    pub(crate) object: &'static str,
    pub(crate) entity_id: String,
    pub(crate) current: Option<Record>,
    pub(crate) before: Option<Record>,
    pub(crate) source: Source,
    pub(crate) at: OffsetDateTime,
}

/// The webhook side of one Pipedrive simulator.
#[derive(Default)]
pub(crate) struct Hooks {
    pub(crate) webhooks: Mutex<Vec<Webhook>>,
    pub(crate) pending: Mutex<Vec<Change>>,
    pub(crate) next_id: AtomicU64,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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
    use std::time::Duration;

    #[test]
    fn webhooks_want_their_events_and_bans_lift() {
        let mut webhook = Webhook {
            id: 1,
            name: "n".into(),
            subscription_url: "http://x".into(),
            event_action: "change".into(),
            event_object: "deal".into(),
            user_id: 1,
            http_auth_user: None,
            http_auth_password: None,
            version: "2.0".into(),
            add_time: OffsetDateTime::UNIX_EPOCH,
            failed_first_attempts: 0,
            banned_until: None,
        };
        assert!(webhook.wants("change", "deal"));
        assert!(!webhook.wants("create", "deal"));
        assert!(!webhook.banned());
        webhook.banned_until = Some(Instant::now() - Duration::from_secs(1));
        assert!(!webhook.banned());
        assert!(webhook.banned_until.is_none());
        webhook.banned_until = Some(Instant::now() + Duration::from_secs(60));
        assert!(webhook.banned());
    }
}
