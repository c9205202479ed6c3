//! The Pipedrive simulator's state and its [`Vendor`] side.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::Options;
use super::entities::{self, ALL};
use super::errors::PdError;
use crate::shared::auth::TokenStore;
use crate::shared::ratelimit::Window;
use crate::shared::schema::Schema;
use crate::shared::store::Record;
use crate::shared::vendor::{Core, Vendor};

/// Pipedrive's windows: per token, plus the company-wide daily budget.
#[derive(Default)]
pub(crate) struct Limits {
    /// Burst window per token.
    pub burst: HashMap<String, Window>,
    /// Search window per token.
    pub search: HashMap<String, Window>,
    /// POST/PUT count per API token per day (reported in `x-daily-requests-left`).
    pub writes: HashMap<String, Window>,
    /// Company-wide daily token budget.
    pub daily: Option<Window>,
}

/// Everything one Pipedrive simulator holds.
pub(crate) struct Pipedrive {
    pub core: Core,
    pub options: Options,
    pub base_url: String,
    pub tokens: TokenStore,
    pub limits: Mutex<Limits>,
    pub schema: Schema,
    pub hooks: super::webhooks::Hooks,
    next_id: AtomicU64,
}

impl Pipedrive {
    /// Fresh state for `options`.
    pub(crate) fn new(options: Options, base_url: String) -> Self {
        let mut schema = Schema::new(false);
        for entity in ALL {
            schema.define(entity.table, &[]);
        }
        for field in &options.custom_fields {
            schema.add(field);
        }
        Pipedrive {
            core: Core::new(options.seed),
            base_url,
            tokens: TokenStore::default(),
            limits: Mutex::new(Limits::default()),
            schema,
            hooks: super::webhooks::Hooks::default(),
            options,
            next_id: AtomicU64::new(1),
        }
    }

    /// A new numeric id (unique across entity types, which Pipedrive's are not, but no client
    /// may rely on either).
    pub(crate) fn next_id(&self) -> String {
        self.next_id.fetch_add(1, Ordering::Relaxed).to_string()
    }
}

impl Vendor for Pipedrive {
    fn core(&self) -> &Core {
        &self.core
    }

    fn injected_failure(&self, status: StatusCode, _path: &str) -> Response {
        PdError::injected(status).into_response()
    }

    fn throttled(&self, path: &str) -> Response {
        let limit = if path.ends_with("/search") {
            self.options.search_burst
        } else {
            self.options.api_token_burst
        };
        let mut response = PdError::rate_limited().into_response();
        super::guard::window_headers(&mut response, limit.max, 0, limit.window.as_secs().max(1));
        response
    }

    fn seed_record(&self, object: &str, mut fields: Map<String, Value>) -> Option<String> {
        let entity = entities::entity(object)?;
        entities::complete(entity, &mut fields);
        let record = Record::new(self.next_id(), fields);
        let id = record.id.clone();
        self.core
            .store
            .write(|tables| tables.insert(entity.table, record));
        Some(id)
    }

    fn reset_vendor(&self) {
        *self.limits.lock().unwrap_or_else(|p| p.into_inner()) = Limits::default();
        self.hooks.clear();
    }
}
