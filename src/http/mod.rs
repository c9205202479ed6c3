//! The HTTP surface: the widget's websocket, the demo page and widget files, health checks and
//! metrics; the admin API and metrics on the same listener or, with `[server] admin_listen`, on
//! their own.

mod admin;
pub mod assets;
mod client_ip;
mod crm_webhooks;
pub mod error;
mod health;
pub mod limiters;
pub mod listener;
mod origin;
mod slack;
mod sockets;
mod subjects;
mod transcript;
mod webhooks;
mod ws;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::chat::{ChatService, ResumeTokens};
use crate::config::Config;

pub use limiters::Limiters;
pub use sockets::Sockets;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub chat: Arc<ChatService>,
    pub tokens: ResumeTokens,
    pub sockets: Arc<Sockets>,
    pub limiters: Arc<Limiters>,
    pub next_socket_id: Arc<AtomicU64>,
    pub shutdown: CancellationToken,
    /// Socket tasks, so shutdown can wait for turns in progress.
    pub tasks: TaskTracker,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Wakes the outbox workers.
    pub wake: Arc<tokio::sync::Notify>,
}

/// The routes: the public ones, and the admin API with `/metrics` — merged into the public
/// router unless `[server] admin_listen` gives them their own listener (then `Some`).
pub fn routers(state: AppState) -> (Router, Option<Router>) {
    let admin = admin_router(state.clone());
    let public = public_router(state.clone());
    if state.config.server.admin_listen.is_some() {
        (public, Some(admin.fallback(health::not_found)))
    } else {
        (public.merge(admin), None)
    }
}

/// `/metrics` and `/api/admin`, every answer marked not to be stored by any cache.
fn admin_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(health::metrics))
        .route("/api/admin/conversations", get(admin::conversations))
        .route("/api/admin/funnel", get(admin::funnel))
        .route("/api/admin/llm/usage", get(admin::llm_usage))
        .route(
            "/api/admin/subjects",
            get(subjects::show).delete(subjects::erase),
        )
        .route(
            "/api/admin/conversations/{id}",
            get(admin::conversation).delete(admin::erase),
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
        .layer(axum::middleware::map_response(no_store))
        .with_state(state)
}

async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// What visitors, Slack, the CRMs and Meta reach.
fn public_router(state: AppState) -> Router {
    Router::new()
        .route("/", get(assets::demo_page))
        .route("/widget.js", get(assets::widget_js))
        .route("/widget.css", get(assets::widget_css))
        .route("/demo.css", get(assets::demo_css))
        .route("/ws", get(ws::upgrade))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
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
        .route("/webhooks/zoho", axum::routing::post(crm_webhooks::zoho))
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
        .fallback(health::not_found)
        .with_state(state)
}
