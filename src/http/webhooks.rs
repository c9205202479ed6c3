//! `GET`/`POST /webhooks/whatsapp` and `/webhooks/messenger`: Meta's subscription handshake,
//! and event POSTs verified on their exact bytes, stored with the events they hold before the
//! 200 goes back. Reading them into conversations happens afterwards, from the store.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use tracing::{debug, warn};

use super::AppState;
use super::error::ApiError;
use crate::channels::{Event, Parsed, What, messenger, sender_key, signature, whatsapp};
use crate::store::NewEvent;

/// Meta's largest webhook POST (`.../whatsapp/webhooks/overview`: "up to 3 MB").
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// The two bridges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bridge {
    Whatsapp,
    Messenger,
}

impl Bridge {
    fn name(self) -> &'static str {
        match self {
            Bridge::Whatsapp => "whatsapp",
            Bridge::Messenger => "messenger",
        }
    }
}

/// The secrets of a configured bridge.
fn secrets(state: &AppState, bridge: Bridge) -> Option<(&SecretString, &SecretString)> {
    let channels = &state.config.channels;
    match bridge {
        Bridge::Whatsapp => channels
            .whatsapp
            .as_ref()
            .map(|c| (&c.app_secret, &c.verify_token)),
        Bridge::Messenger => channels
            .messenger
            .as_ref()
            .map(|c| (&c.app_secret, &c.verify_token)),
    }
}

fn not_configured(bridge: Bridge) -> Response {
    ApiError::not_found(format!(
        "the {} bridge is not configured ([channels.{}])",
        bridge.name(),
        bridge.name()
    ))
    .into_response()
}

/// `GET /webhooks/whatsapp`
pub async fn whatsapp_verify(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    verify(&state, Bridge::Whatsapp, &q)
}

/// `GET /webhooks/messenger`
pub async fn messenger_verify(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    verify(&state, Bridge::Messenger, &q)
}

/// The handshake: 200 with the raw challenge as plain text, else 403.
fn verify(state: &AppState, bridge: Bridge, q: &HashMap<String, String>) -> Response {
    let Some((_, verify_token)) = secrets(state, bridge) else {
        return not_configured(bridge);
    };
    match signature::handshake(
        q.get("hub.mode").map(String::as_str),
        q.get("hub.verify_token").map(String::as_str),
        q.get("hub.challenge").map(String::as_str),
        verify_token.expose_secret(),
    ) {
        Some(challenge) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge.to_owned(),
        )
            .into_response(),
        None => ApiError::new(
            StatusCode::FORBIDDEN,
            "verification_failed",
            "hub.mode must be subscribe and hub.verify_token must match",
        )
        .into_response(),
    }
}

/// `POST /webhooks/whatsapp`
pub async fn whatsapp_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(&state, Bridge::Whatsapp, &headers, &body).await
}

/// `POST /webhooks/messenger`
pub async fn messenger_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(&state, Bridge::Messenger, &headers, &body).await
}

async fn receive(state: &AppState, bridge: Bridge, headers: &HeaderMap, body: &[u8]) -> Response {
    let Some((app_secret, _)) = secrets(state, bridge) else {
        return not_configured(bridge);
    };
    let header = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = signature::verify(app_secret.expose_secret().as_bytes(), header, body) {
        metrics::counter!("leadgate_webhook_refused_total", "channel" => bridge.name())
            .increment(1);
        return ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", e.to_string())
            .into_response();
    }
    // Verified: whatever it holds is Meta's, and is kept. A body that is not JSON is stored
    // as received (Meta would only send it again) and answered 200.
    let text = String::from_utf8_lossy(body);
    let parsed = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => match bridge {
            Bridge::Whatsapp => whatsapp::parse(&v),
            Bridge::Messenger => messenger::parse(&v),
        },
        Err(e) => {
            warn!(channel = bridge.name(), error = %e, "a signed webhook body is not JSON; kept, not read");
            Parsed {
                events: Vec::new(),
                skipped: 1,
            }
        }
    };
    let events: Vec<NewEvent> = parsed
        .events
        .iter()
        .filter_map(|e| new_event(state, bridge, e))
        .collect();
    let delay = state.config.channels.order_window_ms as i64;
    match state
        .chat
        .store()
        .store_post(bridge.name(), bridge.name(), &text, &events, delay)
        .await
    {
        Ok(stored) => {
            metrics::counter!("leadgate_webhook_events_total", "channel" => bridge.name(), "outcome" => "new")
                .increment(stored.new_events as u64);
            metrics::counter!("leadgate_webhook_events_total", "channel" => bridge.name(), "outcome" => "duplicate")
                .increment(stored.duplicates as u64);
            if parsed.skipped > 0 {
                debug!(skipped = parsed.skipped, "webhook parts not read");
            }
            if stored.new_events > 0 {
                state.wake.notify_waiters();
            }
            (StatusCode::OK, "EVENT_RECEIVED").into_response()
        }
        Err(e) => {
            // Meta redelivers what was not acknowledged: nothing is lost.
            warn!(channel = bridge.name(), error = %e, "storing a webhook POST failed; Meta will send it again");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the event could not be stored; send it again",
            )
            .into_response()
        }
    }
}

/// The row to store for an event. Account-level errors are only logged and kept; events for an
/// account that no site serves are kept but not read.
fn new_event(state: &AppState, bridge: Bridge, e: &Event) -> Option<NewEvent> {
    let json = serde_json::to_string(e).ok()?;
    let served = match bridge {
        Bridge::Whatsapp => state
            .config
            .channels
            .whatsapp
            .as_ref()
            .is_some_and(|w| w.site_of(&e.account).is_some()),
        Bridge::Messenger => state
            .config
            .channels
            .messenger
            .as_ref()
            .is_some_and(|m| m.page(&e.account).is_some()),
    };
    if let What::Error { code, title } = &e.what {
        warn!(channel = bridge.name(), code, title = %title, "Meta reports an error for the account");
        metrics::counter!("leadgate_channel_errors_total", "channel" => bridge.name()).increment(1);
    } else if !served {
        warn!(channel = bridge.name(), account = %e.account, "an event for an account no site is configured for");
    }
    let queued = served && !matches!(e.what, What::Error { .. } | What::Echo);
    Some(NewEvent {
        channel: e.channel.as_str(),
        key: e.key.clone(),
        sender_key: sender_key(e.channel, &e.account, &e.sender.id),
        at_ms: e.at_ms,
        json,
        queued,
    })
}
