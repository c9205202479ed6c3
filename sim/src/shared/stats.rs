//! What a simulator has been asked: totals, per-route counts, throttled and injected responses
//! and a log of every request. Admin requests (`/_sim/…`) are not counted.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;
use time::OffsetDateTime;

/// A snapshot of a simulator's request statistics.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Every vendor request received, answered or not.
    pub total_requests: u64,
    /// Requests per route label, e.g. `"POST /crm/v3/objects/contacts"` or
    /// `"PATCH /crm/v3/objects/contacts/{id}"` (object types spelled out, ids templated).
    pub per_route: BTreeMap<String, u64>,
    /// Responses that were the vendor's rate-limit answer (HTTP 429, or Salesforce's
    /// 403 `REQUEST_LIMIT_EXCEEDED`), real or injected.
    pub rate_limited: u64,
    /// Requests that a [`crate::Faults`] setting changed (failed, throttled, hung, dropped).
    pub injected_faults: u64,
    /// One entry per request, oldest first (the most recent 100,000 or more; counts above
    /// are never truncated).
    pub requests: Vec<RequestLog>,
}

impl Stats {
    /// How many requests hit this route label (0 if none).
    pub fn route_count(&self, route: &str) -> u64 {
        self.per_route.get(route).copied().unwrap_or(0)
    }
}

/// One logged request.
#[derive(Debug, Clone, Serialize)]
pub struct RequestLog {
    /// HTTP method.
    pub method: String,
    /// Request path, without the query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Route label (see [`Stats::per_route`]).
    pub route: String,
    /// Status sent, or `None` when the request was hung or its connection dropped.
    pub status: Option<u16>,
    /// When the request arrived.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The answer was the vendor's rate-limit response.
    pub rate_limited: bool,
    /// A fault setting decided the answer.
    pub injected: bool,
}

/// Marks a response as the vendor's rate-limit answer (set by vendor code, read by the
/// pipeline).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateLimited;

/// The route label of a response, set by the routing layer.
#[derive(Debug, Clone)]
pub(crate) struct RouteLabel(pub String);

/// Log entries kept before the oldest are dropped (a long benchmark must not grow forever).
const MAX_LOG: usize = 100_000;
/// How many of the oldest entries are dropped at once, so trimming stays amortised.
const TRIM: usize = 10_000;

/// Thread-safe accumulator behind [`Stats`].
#[derive(Default)]
pub(crate) struct StatsRecorder {
    inner: Mutex<Stats>,
}

impl StatsRecorder {
    /// Add one request to the statistics.
    pub(crate) fn record(&self, entry: RequestLog) {
        let mut stats = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        stats.total_requests += 1;
        *stats.per_route.entry(entry.route.clone()).or_default() += 1;
        stats.rate_limited += u64::from(entry.rate_limited);
        stats.injected_faults += u64::from(entry.injected);
        if stats.requests.len() >= MAX_LOG + TRIM {
            stats.requests.drain(..TRIM);
        }
        stats.requests.push(entry);
    }

    /// A copy of the statistics so far.
    pub(crate) fn snapshot(&self) -> Stats {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Forget everything.
    pub(crate) fn clear(&self) {
        *self.inner.lock().unwrap_or_else(|p| p.into_inner()) = Stats::default();
    }
}
