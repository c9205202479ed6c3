//! The HubSpot simulator's state and its [`Vendor`] side.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::Options;
use super::errors::{HsError, Policy, rate_limited};
use super::model::{self, OBJECT_TYPES};
use crate::shared::auth::TokenStore;
use crate::shared::clock;
use crate::shared::ratelimit::Window;
use crate::shared::schema::Schema;
use crate::shared::store::Record;
use crate::shared::vendor::{Core, Vendor};

/// The portal (hub) id of the simulated account: `hub_id` of token answers, `portalId` of
/// webhook events.
pub(crate) const HUB_ID: u64 = 24_681_357;

/// The three HubSpot limits.
pub(crate) struct Limits {
    /// Rolling 10-second burst window (search is exempt).
    pub burst: Window,
    /// Per-second CRM search window.
    pub search: Window,
    /// Daily window.
    pub daily: Window,
}

/// Everything one HubSpot simulator holds.
pub(crate) struct HubSpot {
    pub core: Core,
    pub options: Options,
    pub tokens: TokenStore,
    pub limits: Mutex<Limits>,
    pub schema: Mutex<Schema>,
    pub hooks: super::webhooks::Hooks,
    next_id: AtomicU64,
}

impl HubSpot {
    /// Fresh state for `options`.
    pub(crate) fn new(options: Options, _base_url: String) -> Self {
        let mut schema = model::standard_schema();
        for field in &options.custom_fields {
            schema.add(field);
        }
        HubSpot {
            core: Core::new(options.seed),
            limits: Mutex::new(Limits {
                burst: Window::new(options.rate_limit),
                search: Window::new(options.search_rate_limit),
                daily: Window::new(options.daily_limit),
            }),
            schema: Mutex::new(schema),
            tokens: TokenStore::default(),
            hooks: super::webhooks::Hooks::new(options.webhook.clone()),
            options,
            next_id: AtomicU64::new(1001),
        }
    }

    /// A copy of the property catalogue.
    pub(crate) fn schema(&self) -> Schema {
        self.schema
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A new object id (numeric, unique across object types).
    pub(crate) fn next_id(&self) -> String {
        self.next_id.fetch_add(1, Ordering::Relaxed).to_string()
    }

    /// A new record for `object` with its system properties set.
    pub(crate) fn new_record(
        &self,
        object: &model::ObjectType,
        mut fields: Map<String, Value>,
    ) -> Record {
        let id = self.next_id();
        let mut record = Record::new(id.clone(), Map::new());
        let now = Value::String(clock::millis_z(record.created_at));
        fields.insert("hs_object_id".into(), Value::String(id));
        let created = if object.name == "notes" || object.name == "tasks" {
            "hs_createdate"
        } else {
            "createdate"
        };
        fields.insert(created.into(), now.clone());
        fields.insert(object.modified_property.into(), now);
        record.fields = fields;
        record
    }
}

impl Vendor for HubSpot {
    fn core(&self) -> &Core {
        &self.core
    }

    fn injected_failure(&self, status: StatusCode, _path: &str) -> Response {
        HsError::injected(status).into_response()
    }

    fn throttled(&self, _path: &str) -> Response {
        let mut limits = self.limits.lock().unwrap_or_else(|p| p.into_inner());
        let usage = limits.burst.peek();
        let mut response = rate_limited(Policy::TenSecondlyRolling, &usage);
        super::guard::burst_headers(&mut response, usage.limit, 0, &self.options);
        response
    }

    fn seed_record(&self, object: &str, fields: Map<String, Value>) -> Option<String> {
        let object = OBJECT_TYPES.iter().find(|t| t.name == object)?;
        let record = self.new_record(object, fields);
        let id = record.id.clone();
        self.core
            .store
            .write(|tables| tables.insert(object.name, record));
        Some(id)
    }

    fn reset_vendor(&self) {
        let mut limits = self.limits.lock().unwrap_or_else(|p| p.into_inner());
        limits.burst.clear();
        limits.search.clear();
        limits.daily.clear();
    }
}
