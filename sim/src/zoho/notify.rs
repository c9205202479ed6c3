//! Zoho CRM notification callbacks toward the gateway.
//!
//! A JSON `POST` to `notify_url` of `{server_time, query_params, module, resource_uri, ids,
//! affected_fields, operation, channel_id, token}` (field names as captured from Zoho; no
//! official sample was found; <https://www.zoho.com/crm/developer/docs/api/v8/notifications/overview.html>),
//! `operation` `insert|update|delete`, ids only, no signature: the gateway checks `token`.
//! `affected_fields` lists the changed fields per id on updates. Zoho documents no retries and
//! no timeout for callbacks: the simulator sends each once and gives up after 5 seconds, the
//! strictest reading (a gateway cannot count on redelivery).

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::channel::{Channel, resource_uri};
use super::model::Module;
use super::state::Zoho;
use crate::RetryPolicy;
use crate::shared::clock;
use crate::shared::outbound::Outgoing;

/// How long Zoho waits for a callback's answer (undocumented; see the module comment).
pub(crate) fn zoho_callback_policy() -> RetryPolicy {
    RetryPolicy::never(Duration::from_secs(5))
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
    pub(crate) channels: Mutex<Vec<Channel>>,
    pending: Mutex<Vec<Change>>,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_come_from_the_notify_url() {
        assert_eq!(
            query_params("https://x/z?key=k&a=b"),
            json!({"key": "k", "a": "b"})
        );
    }
}
