//! `GET /ws`: the widget's websocket, protocol v1 (`docs/protocol.md`). The upgrade checks the
//! origin and takes the address's socket place; [`connection`] runs the socket, [`hello`] opens
//! the session, [`turn`] handles what the visitor sends, [`push`] what other tabs and gateways
//! add.

mod connection;
mod frames;
mod hello;
mod push;
mod turn;

use std::sync::atomic::Ordering;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tracing::{Instrument, info_span};

use super::AppState;
use super::client_ip::ClientKey;
use super::error::ApiError;
use super::listener::ConnectionSlot;
use super::origin::origin_allowed;
use connection::{Connection, Peer};

/// `?site=KEY` lets the origin be checked before the upgrade.
#[derive(Debug, Deserialize)]
pub struct WsQuery {
    site: Option<String>,
}

/// Checks the origin and the per-address connection count, then upgrades.
pub async fn upgrade(
    State(state): State<AppState>,
    ClientKey(client): ClientKey,
    Query(query): Query<WsQuery>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    ws: WebSocketUpgrade,
) -> Response {
    let origin = header_text(&headers, header::ORIGIN);
    let host = header_text(&headers, header::HOST).unwrap_or_default();
    if let Err(refusal) = check_origin(&state, query.site.as_deref(), origin.as_deref(), &host) {
        return refusal.into_response();
    }
    // Taken now and released by its guard: when the socket ends, when the upgrade fails and
    // the socket never starts, and when its task panics.
    let Some(slot) = state
        .sockets
        .try_open(client, state.config.limits.ip_connections)
    else {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many open chats from this address",
        )
        .into_response();
    };
    // The connection's place under the global cap goes with the socket.
    let permit = extensions
        .get::<ConnectionSlot>()
        .and_then(ConnectionSlot::take);
    let limits = &state.config.limits;
    let id = state.next_socket_id.fetch_add(1, Ordering::Relaxed);
    let tracker = state.tasks.clone();
    let max = limits.max_frame_bytes;
    let peer = Peer {
        id,
        client,
        origin,
        host,
    };
    ws.max_message_size(max)
        .max_frame_size(max)
        // Small buffers: an idle connection should cost a few kilobytes, not the 128 KiB default.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(max * 8)
        .on_upgrade(move |socket| {
            let span = info_span!("ws", socket = id);
            tracker.track_future(
                async move {
                    let _held = (slot, permit);
                    Connection::new(state, socket, peer).run().await;
                }
                .instrument(span),
            )
        })
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Whether this origin may open the named site's chat (or, with no site named, any site's).
fn check_origin(
    state: &AppState,
    site: Option<&str>,
    origin: Option<&str>,
    host: &str,
) -> Result<(), ApiError> {
    let config = &state.config;
    let public_url = config.server.public_url.as_deref();
    let allowed = match site {
        Some(key) => {
            let site = config.site(key).ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "unknown_site",
                    format!("no site {key:?} is configured"),
                )
            })?;
            origin_allowed(site, origin, host, public_url)
        }
        None => config
            .sites
            .iter()
            .any(|s| origin_allowed(s, origin, host, public_url)),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this origin may not open the chat",
        ))
    }
}
