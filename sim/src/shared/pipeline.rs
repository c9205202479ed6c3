//! The request pipeline around every vendor route: statistics, injected faults and latency.
//!
//! Layering of a vendor router, outermost first: [`run`] (stats, fault decisions) → the vendor's
//! own middleware (auth, real rate limits, headers) → [`latency`] → handler. Latency therefore
//! sits inside the vendor's accounting (a slow request stays "in flight" for Zoho's concurrency
//! limit). Both are added with `Router::layer`, so they see the matched route.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use time::OffsetDateTime;

use super::faults::Decision;
use super::http::{self, route_label};
use super::stats::{RateLimited, RequestLog, RouteLabel};
use super::vendor::Vendor;

/// Marks a response that must not be sent: the server closes the connection instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

/// Outer middleware: decide injected faults, answer or forward, and log the request.
#[tracing::instrument(name = "sim_request", skip_all, fields(method = %request.method(), path = %request.uri().path()))]
pub(crate) async fn run(
    State(vendor): State<Arc<dyn Vendor>>,
    request: Request,
    next: Next,
) -> Response {
    let core = vendor.core();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let route = vendor
        .route_label(&method, &path)
        .unwrap_or_else(|| route_label(&method, matched.as_deref(), &path));
    let mut entry = RequestLog {
        route,
        method,
        path,
        query,
        status: None,
        at: OffsetDateTime::now_utc(),
        rate_limited: false,
        injected: false,
    };
    // While a contract test records bodies, a write's body is read here and handed on whole.
    let (request, sent) = if super::bodies::recording()
        && matches!(entry.method.as_str(), "POST" | "PUT" | "PATCH")
    {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        let request = Request::from_parts(parts, axum::body::Body::from(bytes.clone()));
        (request, Some(bytes))
    } else {
        (request, None)
    };
    let keep = |entry: &RequestLog| {
        if let Some(sent) = &sent {
            super::bodies::keep(&entry.route, &entry.path, sent);
        }
    };
    let decision = core.faults.decide();
    entry.injected = decision.is_some();
    let response = match decision {
        Some(Decision::Hang) => {
            keep(&entry);
            core.stats.record(entry);
            core.shutdown.cancelled().await;
            return dropped();
        }
        Some(Decision::Drop) => {
            keep(&entry);
            core.stats.record(entry);
            return dropped();
        }
        Some(Decision::Fail(code)) => {
            delay(core.faults.latency()).await;
            vendor.injected_failure(http::status(code), &entry.path)
        }
        Some(Decision::Throttle) => {
            delay(core.faults.latency()).await;
            let mut response = vendor.throttled(&entry.path);
            response.extensions_mut().insert(RateLimited);
            response
        }
        Some(Decision::Garble) => {
            delay(core.faults.latency()).await;
            garbled()
        }
        None if core.faults.take_lost_answer(&entry.method, &entry.path) => {
            entry.injected = true;
            let served = next.run(request).await;
            entry.status = Some(served.status().as_u16());
            keep(&entry);
            core.stats.record(entry);
            return dropped();
        }
        None => next.run(request).await,
    };
    if let Some(RouteLabel(label)) = response.extensions().get::<RouteLabel>() {
        entry.route.clone_from(label);
    }
    entry.status = Some(response.status().as_u16());
    entry.rate_limited = response.extensions().get::<RateLimited>().is_some();
    keep(&entry);
    tracing::debug!(
        status = response.status().as_u16(),
        injected = entry.injected,
        rate_limited = entry.rate_limited,
        "answered"
    );
    core.stats.record(entry);
    response
}

/// Inner middleware: hold the request for the configured latency before the handler runs.
pub(crate) async fn latency(
    State(vendor): State<Arc<dyn Vendor>>,
    request: Request,
    next: Next,
) -> Response {
    delay(vendor.core().faults.latency()).await;
    next.run(request).await
}

async fn delay(latency: std::time::Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

/// A success answer whose body stops mid-way.
fn garbled() -> Response {
    let mut response = Response::new(axum::body::Body::from(r#"{"id": "10"#));
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}

fn dropped() -> Response {
    let mut response = http::empty(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    response.extensions_mut().insert(DropConnection);
    response
}
