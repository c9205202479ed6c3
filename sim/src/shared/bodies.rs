//! The JSON bodies of the requests every simulator of this process receives, recorded while a
//! contract test asks for them, so the test can hold each against the vendor's schema. Off by
//! default: benchmarks and other tests keep nothing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

/// One recorded request body.
#[derive(Debug, Clone)]
pub struct RecordedBody {
    /// The route label, as in [`crate::Stats::per_route`] (`POST /crm/v3/objects/contacts`).
    pub route: String,
    /// The request path, without the query.
    pub path: String,
    /// The body as sent.
    pub body: Value,
}

static RECORDING: AtomicBool = AtomicBool::new(false);
static BODIES: Mutex<Vec<RecordedBody>> = Mutex::new(Vec::new());

/// Bodies kept at most, so a forgotten switch cannot grow without end.
const MAX_BODIES: usize = 50_000;

/// Starts (or stops) recording the JSON bodies of writes sent to any simulator of this process.
pub fn record_bodies(on: bool) {
    RECORDING.store(on, Ordering::SeqCst);
}

/// Whether bodies are being recorded.
pub(crate) fn recording() -> bool {
    RECORDING.load(Ordering::SeqCst)
}

/// Keeps one body (bodies that are not JSON, such as OAuth token forms, are not kept).
pub(crate) fn keep(route: &str, path: &str, raw: &[u8]) {
    let Ok(body) = serde_json::from_slice::<Value>(raw) else {
        return;
    };
    let mut bodies = BODIES.lock().unwrap_or_else(|e| e.into_inner());
    if bodies.len() < MAX_BODIES {
        bodies.push(RecordedBody {
            route: route.to_owned(),
            path: path.to_owned(),
            body,
        });
    }
}

/// Every body recorded so far, oldest first; the record starts over.
pub fn take_bodies() -> Vec<RecordedBody> {
    std::mem::take(&mut *BODIES.lock().unwrap_or_else(|e| e.into_inner()))
}
