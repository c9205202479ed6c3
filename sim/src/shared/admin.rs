//! The admin API every listener serves under `/_sim/`, for driving a simulator that runs as a
//! separate process:
//!
//! * `GET  /_sim/records/{type}` — stored records of one object type (Slack: `messages`)
//! * `POST /_sim/records/{type}` — store a record as-is (JSON object of fields) → `{"id": …}`
//! * `GET  /_sim/stats` — request statistics
//! * `POST /_sim/faults` — one [`FaultCommand`] or an array of them
//! * `GET  /_sim/deliveries` — requests the simulator sent toward the system under test
//! * `POST /_sim/reset` — clear records, stats, faults and the delivery log
//!
//! Errors use the project's shape `{"error": {"code", "message"}}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::faults::FaultCommand;
use super::http::json;
use super::vendor::Vendor;

type Shared = Arc<dyn Vendor>;

/// The admin routes of one simulator.
pub(crate) fn router(vendor: Shared) -> Router {
    Router::new()
        .route("/_sim/records/{object}", get(records).post(seed))
        .route("/_sim/stats", get(stats))
        .route("/_sim/faults", post(faults))
        .route("/_sim/deliveries", get(deliveries))
        .route("/_sim/reset", post(reset))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such admin route") })
        .with_state(vendor)
}

/// Clear records, stats and faults, and the vendor's own state.
pub(crate) fn reset_all(vendor: &dyn Vendor) {
    let core = vendor.core();
    core.store.clear();
    core.stats.clear();
    core.faults.clear();
    core.outbound.clear();
    vendor.reset_vendor();
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

async fn records(State(vendor): State<Shared>, Path(object): Path<String>) -> Response {
    json(StatusCode::OK, &vendor.records_json(&object))
}

async fn seed(State(vendor): State<Shared>, Path(object): Path<String>, body: Bytes) -> Response {
    let fields = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "expected a JSON object",
            );
        }
        Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_body", &e.to_string()),
    };
    match vendor.seed_record(&object, fields) {
        Some(id) => json(StatusCode::CREATED, &json!({ "id": id })),
        None => error(
            StatusCode::NOT_FOUND,
            "unknown_object",
            "no such object type",
        ),
    }
}

async fn stats(State(vendor): State<Shared>) -> Response {
    let stats = vendor.core().stats.snapshot();
    json(
        StatusCode::OK,
        &serde_json::to_value(stats).unwrap_or(Value::Null),
    )
}

async fn deliveries(State(vendor): State<Shared>) -> Response {
    let log = vendor.core().outbound.deliveries();
    json(
        StatusCode::OK,
        &serde_json::to_value(log).unwrap_or(Value::Null),
    )
}

/// One command or several.
#[derive(Deserialize)]
#[serde(untagged)]
enum Commands {
    One(FaultCommand),
    Many(Vec<FaultCommand>),
}

async fn faults(State(vendor): State<Shared>, body: Bytes) -> Response {
    let commands = match serde_json::from_slice::<Commands>(&body) {
        Ok(Commands::One(command)) => vec![command],
        Ok(Commands::Many(commands)) => commands,
        Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_fault", &e.to_string()),
    };
    let applied = commands.len();
    for command in commands {
        vendor.core().faults.apply(command);
    }
    json(StatusCode::OK, &json!({ "applied": applied }))
}

async fn reset(State(vendor): State<Shared>) -> Response {
    reset_all(vendor.as_ref());
    json(StatusCode::OK, &json!({ "reset": true }))
}
