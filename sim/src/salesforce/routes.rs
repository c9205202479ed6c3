//! The Salesforce route table: the token endpoint, the version list and one catch-all for the
//! REST API (dispatched by hand in `api`).

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};

use super::errors::SfError;
use super::state::Salesforce;
use super::{api, guard, identity, oauth};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;

async fn no_route() -> Response {
    SfError::not_found().into_response()
}

/// Every Salesforce route, with the guard (session, allocation) and the shared pipeline layers.
pub(crate) fn router(sf: Arc<Salesforce>) -> Router {
    let shared: Arc<dyn Vendor> = sf.clone();
    Router::new()
        .route("/services/oauth2/token", post(oauth::token))
        .route(
            "/services/oauth2/userinfo",
            get(identity::userinfo).post(identity::userinfo),
        )
        .route("/id/{org}/{user}", get(identity::identity))
        .route("/services/data", get(api::versions))
        .route("/services/data/", get(api::versions))
        .route("/services/data/{version}", any(api::handle))
        .route("/services/data/{version}/{*rest}", any(api::handle))
        .fallback(no_route)
        .layer(from_fn_with_state(shared, pipeline::latency))
        .layer(from_fn_with_state(sf.clone(), guard::guard))
        .with_state(sf)
}
