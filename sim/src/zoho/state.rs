//! The Zoho simulator's state and its [`Vendor`] side.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::Options;
use super::errors::ZError;
use super::model::{self, module};
use crate::shared::auth::TokenStore;
use crate::shared::ratelimit::Window;
use crate::shared::schema::Schema;
use crate::shared::store::Record;
use crate::shared::vendor::{Core, Vendor};

/// Everything one Zoho simulator holds.
pub(crate) struct Zoho {
    pub core: Core,
    pub options: Options,
    pub base_url: String,
    pub tokens: TokenStore,
    /// API credits, rolling 24 hours.
    pub credits: Mutex<Window>,
    /// Access tokens minted per refresh-token window.
    pub refreshes: Mutex<Window>,
    /// Calls being served right now.
    pub in_flight: AtomicU32,
    pub schema: Schema,
    pub hooks: super::notify::Hooks,
    next_id: AtomicU64,
}

impl Zoho {
    /// Fresh state for `options`.
    pub(crate) fn new(options: Options, base_url: String) -> Self {
        let mut schema = model::standard_schema();
        for field in &options.custom_fields {
            let mut field = field.clone();
            if let Some(found) = module(&field.object) {
                field.object = found.name.to_owned();
            }
            schema.add(&field);
        }
        Zoho {
            core: Core::new(options.seed),
            credits: Mutex::new(Window::new(options.api_credits)),
            refreshes: Mutex::new(Window::new(options.token_refresh_limit)),
            in_flight: AtomicU32::new(0),
            base_url,
            tokens: TokenStore::default(),
            schema,
            hooks: super::notify::Hooks::default(),
            options,
            next_id: AtomicU64::new(1),
        }
    }

    /// A new 19-digit record id.
    pub(crate) fn next_id(&self) -> String {
        format!(
            "5725767000000{:06}",
            self.next_id.fetch_add(1, Ordering::Relaxed) % 1_000_000
        )
    }
}

impl Vendor for Zoho {
    fn core(&self) -> &Core {
        &self.core
    }

    fn injected_failure(&self, status: StatusCode, path: &str) -> Response {
        if path.starts_with("/oauth/") {
            let body = serde_json::json!({"error": "internal_error"});
            return crate::shared::http::json(status, &body);
        }
        ZError::injected(status).into_response()
    }

    fn throttled(&self, _path: &str) -> Response {
        ZError::too_many("You have exceeded the API credit limit for the last 24 hours")
            .into_response()
    }

    fn seed_record(&self, object: &str, mut fields: Map<String, Value>) -> Option<String> {
        let module = module(object)?;
        model::complete(module, &mut fields);
        let record = Record::new(self.next_id(), fields);
        let id = record.id.clone();
        self.core
            .store
            .write(|tables| tables.insert(module.name, record));
        Some(id)
    }

    fn reset_vendor(&self) {
        self.credits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.refreshes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.hooks.clear();
    }
}
