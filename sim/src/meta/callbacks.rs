//! What Meta tells the business after a send, when a status webhook is set: for an accepted
//! WhatsApp message, signed `sent` then `delivered` receipts, or a `failed` receipt when a test
//! made the send fail asynchronously; for a Messenger message, a `message_deliveries` event
//! (`delivery.mids`, `watermark`). Instagram has no delivery events ("Only available for
//! Messenger conversations",
//! <https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events>).
//!
//! Callbacks run in the background, after the send's answer, like Meta's; each is tried once
//! (Meta retries for days; a test that wants a retry delivers the payload itself) and logged.
//! Sources of the payloads: `wa_events.rs` (status reference) and `events.rs`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::Platform;
use super::events::{self, millis};
use super::state::Meta;
use super::wa_events;
use super::webhook;

/// Pause before each callback, so the send's answer is on its way first.
const PAUSE: Duration = Duration::from_millis(20);

/// A send the business made that callbacks report on.
#[derive(Debug, Clone)]
pub(crate) struct Receipt {
    pub platform: Platform,
    /// `wamid.…` or `m_…`.
    pub id: String,
    /// Phone digits, BSUID or PSID.
    pub to: String,
    /// The error code of an asynchronous failure (WhatsApp).
    pub failure: Option<u32>,
}

/// One callback the simulator delivered (or tried to).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Callback {
    /// The payload as sent.
    pub body: Value,
    /// The gateway's HTTP status; `None` when it could not be reached.
    pub status: Option<u16>,
}

/// Where callbacks go, which are under way and what became of them.
pub(crate) struct Callbacks {
    url: Mutex<Option<String>>,
    in_flight: watch::Sender<usize>,
    log: Mutex<Vec<Callback>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Callbacks {
    pub(crate) fn new(url: Option<String>) -> Self {
        Callbacks {
            url: Mutex::new(url),
            in_flight: watch::Sender::new(0),
            log: Mutex::new(Vec::new()),
        }
    }

    /// Send callbacks to `url` from now on (`None`: stop).
    pub(crate) fn set_url(&self, url: Option<String>) {
        *lock(&self.url) = url;
    }

    /// Every callback so far, oldest first.
    pub(crate) fn log(&self) -> Vec<Callback> {
        lock(&self.log).clone()
    }

    /// Forget the log.
    pub(crate) fn clear(&self) {
        lock(&self.log).clear();
    }

    /// Wait until no callback is under way.
    pub(crate) async fn settled(&self) {
        let mut in_flight = self.in_flight.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = in_flight.wait_for(|n| *n == 0).await;
    }
}

/// The payloads that report on `receipt`.
fn payloads(meta: &Meta, receipt: &Receipt) -> Vec<Value> {
    match receipt.platform {
        Platform::WhatsApp => {
            let user = meta.receipt_user(&receipt.to);
            let status = |status: &str, code: Option<u32>| {
                wa_events::status(&meta.options, &receipt.id, status, &user, code)
            };
            match receipt.failure {
                Some(code) => vec![status("failed", Some(code))],
                None => vec![status("sent", None), status("delivered", None)],
            }
        }
        Platform::Messenger if meta.on_instagram(&receipt.to) => Vec::new(),
        Platform::Messenger => vec![events::messenger_event(
            &meta.options,
            &receipt.to,
            json!({"timestamp": null, "delivery": {"mids": [receipt.id], "watermark": millis()}}),
        )],
    }
}

/// Report on `receipt` in the background, if a status webhook is set.
pub(crate) fn spawn(meta: &Arc<Meta>, receipt: Receipt) {
    let Some(url) = lock(&meta.callbacks.url).clone() else {
        return;
    };
    let payloads = payloads(meta, &receipt);
    if payloads.is_empty() {
        return;
    }
    meta.callbacks.in_flight.send_modify(|n| *n += 1);
    let meta = meta.clone();
    tokio::spawn(async move {
        let shutdown = meta.core.shutdown.clone();
        tokio::select! {
            () = deliver_all(&meta, &url, payloads) => {}
            () = shutdown.cancelled() => {}
        }
        meta.callbacks.in_flight.send_modify(|n| *n -= 1);
    });
}

async fn deliver_all(meta: &Meta, url: &str, payloads: Vec<Value>) {
    for payload in payloads {
        tokio::time::sleep(PAUSE).await;
        let status =
            webhook::post_signed(&meta.http, &meta.options.app_secret, url, &payload).await;
        if let Err(error) = &status {
            tracing::debug!(%error, "status callback not delivered");
        }
        lock(&meta.callbacks.log).push(Callback {
            body: payload,
            status: status.ok(),
        });
    }
}
