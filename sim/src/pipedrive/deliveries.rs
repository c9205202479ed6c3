//! Pipedrive's webhook deliveries toward the gateway.
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
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::entities::{render_v1, render_v2};
use super::state::Pipedrive;
use super::webhooks::{Change, Source, Webhook, lock};
use crate::RetryPolicy;
use crate::shared::clock;
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

/// Failed first attempts that get a webhook banned.
const BAN_AFTER: u32 = 10;
/// How long a ban lasts.
const BAN_FOR: Duration = Duration::from_secs(30 * 60);

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

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

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
    fn credentials_go_in_basic_auth() {
        let webhook = Webhook {
            id: 1,
            name: "n".into(),
            subscription_url: "http://x".into(),
            event_action: "*".into(),
            event_object: "*".into(),
            user_id: 1,
            http_auth_user: Some("u".into()),
            http_auth_password: Some("p".into()),
            version: "2.0".into(),
            add_time: OffsetDateTime::UNIX_EPOCH,
            failed_first_attempts: 0,
            banned_until: None,
        };
        let outgoing = request(&webhook, &json!({}));
        assert_eq!(outgoing.headers[1].1, "Basic dTpw");
    }
}
