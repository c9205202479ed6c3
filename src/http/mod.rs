//! The HTTP surface: the widget's websocket, the demo page and widget files, health checks and
//! metrics.

mod admin;
pub mod assets;
mod crm_webhooks;
pub mod error;
mod health;
mod origin;
mod slack;
mod sockets;
mod transcript;
mod webhooks;
mod ws;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::chat::{ChatService, ResumeTokens};
use crate::config::Config;

pub use sockets::Sockets;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub chat: Arc<ChatService>,
    pub tokens: ResumeTokens,
    pub sockets: Arc<Sockets>,
    pub ip_limiter: Arc<governor::DefaultKeyedRateLimiter<IpAddr>>,
    pub next_socket_id: Arc<AtomicU64>,
    pub shutdown: CancellationToken,
    /// Socket tasks, so shutdown can wait for turns in progress.
    pub tasks: TaskTracker,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Wakes the outbox workers.
    pub wake: Arc<tokio::sync::Notify>,
}

/// The router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(assets::demo_page))
        .route("/widget.js", get(assets::widget_js))
        .route("/widget.css", get(assets::widget_css))
        .route("/demo.css", get(assets::demo_css))
        .route("/ws", get(ws::upgrade))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/api/admin/conversations", get(admin::conversations))
        .route("/api/admin/funnel", get(admin::funnel))
        .route("/api/admin/llm/usage", get(admin::llm_usage))
        .route(
            "/api/admin/conversations/{id}",
            get(admin::conversation).delete(admin::erase),
        )
        .route("/c/{id}", get(transcript::page))
        .route(
            "/slack/interactions",
            axum::routing::post(slack::interactions),
        )
        .route("/slack/events", axum::routing::post(slack::events))
        .route(
            "/webhooks/hubspot",
            axum::routing::post(crm_webhooks::hubspot),
        )
        .route(
            "/webhooks/pipedrive",
            axum::routing::post(crm_webhooks::pipedrive),
        )
        .route(
            "/webhooks/whatsapp",
            get(webhooks::whatsapp_verify)
                .post(webhooks::whatsapp_events)
                .layer(DefaultBodyLimit::max(webhooks::MAX_BODY)),
        )
        .route(
            "/webhooks/messenger",
            get(webhooks::messenger_verify)
                .post(webhooks::messenger_events)
                .layer(DefaultBodyLimit::max(webhooks::MAX_BODY)),
        )
        .route("/api/admin/jobs", get(admin::jobs))
        .route(
            "/api/admin/jobs/{id}/retry",
            axum::routing::post(admin::retry_job),
        )
        .route(
            "/api/admin/jobs/{id}/discard",
            axum::routing::post(admin::discard_job),
        )
        .route(
            "/api/admin/targets/{target}/resume",
            axum::routing::post(admin::resume_target),
        )
        .fallback(health::not_found)
        .with_state(state)
}
