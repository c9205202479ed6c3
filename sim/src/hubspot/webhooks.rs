//! HubSpot's webhooks toward the gateway: `deal.propertyChange` events.
//!
//! The subscription (target URL, the app's client secret and id, the deal properties watched)
//! is set in [`super::Options::webhook`] or with `HubSpotSim::subscribe_webhook`: private apps
//! declare theirs in the app's `webhooks.json`, not through an API
//! (<https://developers.hubspot.com/docs/guides/crm/private-apps/webhooks>).
//!
//! A delivery is a `POST` of a JSON array of up to 100 events, each `{eventId,
//! subscriptionId, portalId, appId, occurredAt, subscriptionType, attemptNumber, objectId,
//! propertyName, propertyValue, changeSource, sourceId}` (HubSpot's own example at
//! <https://developers.hubspot.com/docs/faq/v1-request-validation>; `propertyName` and
//! `propertyValue` of property changes from the private-app webhooks guide's response payloads).
//! It is signed with version 3 and version 1 (see [`super::signature`]).
//!
//! `changeSource`: HubSpot's docs list no values for API writes. Changes made in HubSpot's UI
//! carry `CRM_UI` with `sourceId` `userId:<id>` (changelog "CRM property change source will show
//! user ID"); deliveries captured from apps that wrote through their own token carry
//! `INTEGRATION` with the app id as `sourceId` (third-party captures), which is what the
//! simulator sends for every write through the API.
//!
//! Events are also sent when a deal is created with a watched property set: HubSpot's docs do
//! not say whether creation fires property changes; integrators report that it does, and a
//! gateway must cope with its own writes coming back either way.
//!
//! Retries: "a maximum of 10 retries over 24 hours", with randomised, growing delays
//! (<https://developers.hubspot.com/changelog/2018-12-10-updated-webhook-retry-logic>), for a
//! connection failure, a timeout (5 seconds) or any 4xx/5xx answer
//! (<https://developers.hubspot.com/docs/api/webhooks>, "Retries"). The exact delays are not
//! documented; the default schedule doubles from one minute (1, 2, 4, … 512 minutes, about 17
//! hours in all). `attemptNumber` counts from 0.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::signature;
use super::state::{HUB_ID, HubSpot};
use crate::RetryPolicy;
use crate::shared::clock;
use crate::shared::outbound::{Job, Outgoing};

/// Most events in one delivery.
const MAX_BATCH: usize = 100;

/// The `User-Agent` of HubSpot's deliveries (as seen in captured requests).
const USER_AGENT: &str = "HubSpot Connect 2.0 (http://dev.hubspot.com/)";

/// A webhook subscription of the app the gateway uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSubscription {
    /// Where events are POSTed (the app's `targetUrl`).
    pub target_url: String,
    /// The app's client secret; deliveries are signed with it.
    pub client_secret: String,
    /// The app's id (`appId`, and the `sourceId` of its own writes).
    pub app_id: u64,
    /// Deal properties with a `deal.propertyChange` subscription.
    pub deal_properties: Vec<String>,
    /// How deliveries time out and are retried.
    pub retry: RetryPolicy,
}

impl WebhookSubscription {
    /// A subscription to `dealstage`, `amount` and `hubspot_owner_id` changes with HubSpot's
    /// retry schedule.
    pub fn new(
        target_url: impl Into<String>,
        client_secret: impl Into<String>,
        app_id: u64,
    ) -> Self {
        WebhookSubscription {
            target_url: target_url.into(),
            client_secret: client_secret.into(),
            app_id,
            deal_properties: vec![
                "dealstage".into(),
                "amount".into(),
                "hubspot_owner_id".into(),
            ],
            retry: hubspot_retry(),
        }
    }
}

/// HubSpot's schedule: a 5-second timeout and 10 retries, doubling from one minute.
pub fn hubspot_retry() -> RetryPolicy {
    RetryPolicy::new(
        Duration::from_secs(5),
        (0..10).map(|n| Duration::from_secs(60 << n)).collect(),
    )
}

/// Who changed a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The app, through the API.
    Integration,
    /// A user in HubSpot's UI.
    CrmUi(u64),
}

/// One change waiting to be delivered.
#[derive(Debug, Clone)]
struct Change {
    object_id: String,
    property: String,
    value: String,
    source: Source,
    at: OffsetDateTime,
}

/// The webhook side of one HubSpot simulator.
pub(crate) struct Hooks {
    subscription: Mutex<Option<WebhookSubscription>>,
    pending: Mutex<Vec<Change>>,
    event_ids: AtomicU64,
    batches: AtomicU64,
}

impl Hooks {
    /// Hooks with an optional subscription.
    pub(crate) fn new(subscription: Option<WebhookSubscription>) -> Self {
        Hooks {
            subscription: Mutex::new(subscription),
            pending: Mutex::new(Vec::new()),
            event_ids: AtomicU64::new(3_000_000_001),
            batches: AtomicU64::new(1),
        }
    }

    /// Replace the subscription (`None` stops deliveries).
    pub(crate) fn subscribe(&self, subscription: Option<WebhookSubscription>) {
        *self.subscription.lock().unwrap_or_else(|p| p.into_inner()) = subscription;
    }

    fn subscription(&self) -> Option<WebhookSubscription> {
        self.subscription
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Note that deal `id`'s `property` became `value`, if someone watches it.
    pub(crate) fn note(
        &self,
        object: &str,
        id: &str,
        property: &str,
        value: &Value,
        source: Source,
    ) {
        let watched = object == "deals"
            && self
                .subscription()
                .is_some_and(|s| s.deal_properties.iter().any(|p| p == property));
        if !watched {
            return;
        }
        let value = match value {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Change {
                object_id: id.to_owned(),
                property: property.to_owned(),
                value,
                source,
                at: OffsetDateTime::now_utc(),
            });
    }

    fn take(&self) -> Vec<Change> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// The subscription id of a watched property (stable per property).
fn subscription_id(subscription: &WebhookSubscription, property: &str) -> u64 {
    let index = subscription
        .deal_properties
        .iter()
        .position(|p| p == property)
        .unwrap_or_default();
    1_200_000 + u64::try_from(index).unwrap_or_default()
}

fn event(hs: &HubSpot, subscription: &WebhookSubscription, change: &Change) -> Value {
    let (change_source, source_id) = match change.source {
        Source::Integration => ("INTEGRATION", subscription.app_id.to_string()),
        Source::CrmUi(user) => ("CRM_UI", format!("userId:{user}")),
    };
    json!({
        "eventId": hs.hooks.event_ids.fetch_add(1, Ordering::Relaxed),
        "subscriptionId": subscription_id(subscription, &change.property),
        "portalId": HUB_ID,
        "appId": subscription.app_id,
        "occurredAt": clock::unix_millis(change.at),
        "subscriptionType": "deal.propertyChange",
        "attemptNumber": 0,
        "objectId": change.object_id.parse::<u64>().map_or_else(|_| json!(change.object_id), |id| json!(id)),
        "propertyName": change.property,
        "propertyValue": change.value,
        "changeSource": change_source,
        "sourceId": source_id,
    })
}

/// The request for attempt `attempt` of a batch: `attemptNumber` set, signed now.
fn request(subscription: &WebhookSubscription, events: &[Value], attempt: u32) -> Outgoing {
    let events: Vec<Value> = events
        .iter()
        .map(|event| {
            let mut event = event.clone();
            event["attemptNumber"] = json!(attempt.saturating_sub(1));
            event
        })
        .collect();
    let body = Value::Array(events).to_string();
    let timestamp = clock::unix_millis(OffsetDateTime::now_utc()).to_string();
    let secret = &subscription.client_secret;
    let url = &subscription.target_url;
    Outgoing {
        url: url.clone(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("User-Agent".into(), USER_AGENT.into()),
            (
                "X-HubSpot-Signature-v3".into(),
                signature::v3(secret, "POST", url, &body, &timestamp),
            ),
            ("X-HubSpot-Request-Timestamp".into(), timestamp),
            ("X-HubSpot-Signature".into(), signature::v1(secret, &body)),
            ("X-HubSpot-Signature-Version".into(), "v1".into()),
        ],
        body,
    }
}

/// Deliver every pending change of records that exist, in batches, in the background.
pub(crate) fn dispatch(hs: &Arc<HubSpot>) {
    let changes = hs.hooks.take();
    let Some(subscription) = hs.hooks.subscription() else {
        return;
    };
    let changes: Vec<Change> = hs.core.store.read(|tables| {
        changes
            .into_iter()
            .filter(|c| tables.get("deals", &c.object_id).is_some())
            .collect()
    });
    for batch in changes.chunks(MAX_BATCH) {
        let events: Vec<Value> = batch.iter().map(|c| event(hs, &subscription, c)).collect();
        let id = format!("batch-{}", hs.hooks.batches.fetch_add(1, Ordering::Relaxed));
        let owner = hs.clone();
        let subscription = subscription.clone();
        let task = async move {
            let hs = owner;
            let job = Job {
                kind: "hubspot.deal.propertyChange",
                id: &id,
                policy: &subscription.retry,
                first: 1,
                previous: None,
            };
            hs.core
                .outbound
                .deliver(
                    job,
                    |attempt, _| request(&subscription, &events, attempt),
                    |_| true,
                )
                .await;
        };
        hs.core.outbound.spawn(task);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_renumber_and_resign() {
        let subscription =
            WebhookSubscription::new("https://gw.example/hooks/hubspot", "s3cret", 77);
        let events = vec![json!({"eventId": 1, "attemptNumber": 0})];
        let third = request(&subscription, &events, 3);
        let sent: Value = serde_json::from_str(&third.body).unwrap();
        assert_eq!(sent[0]["attemptNumber"], 2);
        let header = |name: &str| {
            third
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let timestamp = header("X-HubSpot-Request-Timestamp");
        assert_eq!(
            header("X-HubSpot-Signature-v3"),
            signature::v3(
                "s3cret",
                "POST",
                &subscription.target_url,
                &third.body,
                &timestamp
            )
        );
        assert_eq!(
            header("X-HubSpot-Signature"),
            signature::v1("s3cret", &third.body)
        );
    }

    #[test]
    fn the_default_schedule_fits_in_a_day() {
        let retry = hubspot_retry();
        assert_eq!(retry.delays.len(), 10);
        let total: Duration = retry.delays.iter().sum();
        assert!(total < Duration::from_secs(24 * 60 * 60));
    }
}
