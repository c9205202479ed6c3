//! The Salesforce simulator's state and its [`Vendor`] side.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Options;
use super::errors::SfError;
use super::ids;
use super::model::{self, sobject};
use super::sobjects::link_references;
use crate::shared::auth::TokenStore;
use crate::shared::http::set_header;
use crate::shared::ratelimit::{Usage, Window};
use crate::shared::schema::Schema;
use crate::shared::store::Record;
use crate::shared::vendor::{Core, Vendor};

/// Everything one Salesforce simulator holds.
pub(crate) struct Salesforce {
    pub core: Core,
    pub options: Options,
    pub base_url: String,
    pub tokens: TokenStore,
    /// The org's rolling 24-hour API allocation.
    pub usage: Mutex<Window>,
    pub schema: Schema,
    pub org_id: String,
    pub user_id: String,
    /// The sales rep whose UI edits the simulator plays.
    pub rep_user_id: String,
    next_id: AtomicU64,
}

impl Salesforce {
    /// Fresh state for `options`.
    pub(crate) fn new(options: Options, base_url: String) -> Self {
        let mut schema = model::standard_schema();
        for field in &options.custom_fields {
            let mut field = field.clone();
            if let Some(object) = sobject(&field.object) {
                field.object = object.name.to_owned();
            }
            schema.add(&field);
        }
        Salesforce {
            core: Core::new(options.seed),
            usage: Mutex::new(Window::new(options.daily_api_requests)),
            base_url,
            tokens: TokenStore::default(),
            schema,
            org_id: ids::make("00D", 1),
            user_id: ids::make(model::USER_PREFIX, 1),
            rep_user_id: ids::make(model::USER_PREFIX, 2),
            options,
            next_id: AtomicU64::new(1),
        }
    }

    /// A new record id with the object's key prefix.
    pub(crate) fn next_id(&self, prefix: &str) -> String {
        ids::make(prefix, self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// The current API usage.
    pub(crate) fn usage(&self) -> Usage {
        self.usage.lock().unwrap_or_else(|p| p.into_inner()).peek()
    }
}

/// Set `Sforce-Limit-Info: api-usage=used/max`.
pub(crate) fn limit_info(response: &mut Response, used: u32, max: u32) {
    set_header(
        response,
        "sforce-limit-info",
        format!("api-usage={used}/{max}"),
    );
}

impl Vendor for Salesforce {
    fn core(&self) -> &Core {
        &self.core
    }

    fn injected_failure(&self, status: StatusCode, path: &str) -> Response {
        if path.starts_with("/services/oauth2/") {
            let body = json!({"error": "server_error", "error_description": "Service temporarily unavailable"});
            return crate::shared::http::json(status, &body);
        }
        SfError::injected(status).into_response()
    }

    fn throttled(&self, _path: &str) -> Response {
        let usage = self.usage();
        let mut response = SfError::limit_exceeded().into_response();
        limit_info(&mut response, usage.limit, usage.limit);
        response
    }

    fn route_label(&self, method: &str, path: &str) -> Option<String> {
        super::api::path_label(method, path)
    }

    fn seed_record(&self, object: &str, mut fields: Map<String, Value>) -> Option<String> {
        let object = sobject(object)?;
        model::complete(object, &mut fields, &self.user_id, true);
        let record = Record::new(self.next_id(object.prefix), fields);
        let id = record.id.clone();
        self.core.store.write(|tables| {
            let fields = record.fields.clone();
            tables.insert(object.name, record);
            link_references(tables, object, &id, &fields);
        });
        Some(id)
    }

    fn reset_vendor(&self) {
        self.usage.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
