//! What every simulator shares ([`Core`]) and what each vendor must say for itself
//! ([`Vendor`]): its error body for an injected status and its rate-limit response.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use super::faults::Faults;
use super::outbound::Outbound;
use super::stats::StatsRecorder;
use super::store::Store;

/// State every simulator has, whatever the vendor.
pub(crate) struct Core {
    /// Fault-injection settings.
    pub faults: Faults,
    /// Request statistics.
    pub stats: StatsRecorder,
    /// Stored records.
    pub store: Store,
    /// Cancelled when the simulator shuts down; hung requests wait for it.
    pub shutdown: CancellationToken,
    /// Requests toward the system under test (webhooks, events) and their log.
    pub outbound: Outbound,
}

impl Core {
    /// Fresh state; `seed` seeds the fault RNG.
    pub(crate) fn new(seed: Option<u64>) -> Self {
        let shutdown = CancellationToken::new();
        Core {
            faults: Faults::new(seed),
            stats: StatsRecorder::default(),
            store: Store::default(),
            outbound: Outbound::new(shutdown.clone()),
            shutdown,
        }
    }
}

/// The vendor-specific side of a simulator, as the shared pipeline and admin API need it.
pub(crate) trait Vendor: Send + Sync + 'static {
    /// The shared state.
    fn core(&self) -> &Core;

    /// The vendor's answer to a request failed by fault injection with `status`. `path` lets
    /// vendors with several APIs on one listener pick the right body.
    fn injected_failure(&self, status: StatusCode, path: &str) -> Response;

    /// The vendor's own rate-limit answer (status, headers, body) for `path`.
    fn throttled(&self, path: &str) -> Response;

    /// The stats label of a request whose route template does not say enough (vendors that
    /// route by hand); `None` uses the matched route.
    fn route_label(&self, _method: &str, _path: &str) -> Option<String> {
        None
    }

    /// Stored objects of one type as JSON, for `GET /_sim/records/{type}`.
    fn records_json(&self, object: &str) -> Value {
        serde_json::to_value(self.core().store.snapshot(object)).unwrap_or(Value::Null)
    }

    /// Store a record as-is (no validation), for `POST /_sim/records/{type}` and
    /// `insert_record`; returns the new id, or `None` for an unknown object type.
    fn seed_record(&self, object: &str, fields: Map<String, Value>) -> Option<String>;

    /// Reset vendor-specific state (rate-limit windows, messages); the store, stats and faults
    /// are reset by the caller.
    fn reset_vendor(&self);
}
