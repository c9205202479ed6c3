//! The Zoho route table: the accounts server's token endpoint and the CRM API under
//! `/crm/{version}` (v2 … v8 all answer the same way).

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};

use super::state::Zoho;
use super::{guard, oauth, records, search, users, watch};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;

/// Every Zoho route, with the guard (auth, concurrency, credits) and the pipeline layers.
pub(crate) fn router(zoho: Arc<Zoho>) -> Router {
    let shared: Arc<dyn Vendor> = zoho.clone();
    Router::new()
        .route("/oauth/v2/token", post(oauth::token))
        .route("/crm/{version}/actions/watch", any(watch::watch))
        .route("/crm/{version}/users", get(users::list))
        .route(
            "/crm/{version}/{module}",
            post(records::insert)
                .put(records::update_many)
                .get(records::list),
        )
        .route("/crm/{version}/{module}/upsert", post(records::upsert))
        .route("/crm/{version}/{module}/search", get(search::search))
        .route(
            "/crm/{version}/{module}/{id}",
            get(records::read)
                .put(records::update)
                .delete(records::delete),
        )
        .route(
            "/crm/{version}/{module}/{id}/Notes",
            post(records::notes_of).get(records::related_notes),
        )
        .route(
            "/crm/{version}/{module}/{id}/{related}",
            get(records::related),
        )
        .fallback(records::no_route)
        .layer(from_fn_with_state(shared, pipeline::latency))
        .layer(from_fn_with_state(zoho.clone(), guard::guard))
        .with_state(zoho)
}
