//! The HubSpot route table. Both the `v3` paths and the date-versioned `2026-03` paths are
//! served by the same handlers.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use super::errors::HsError;
use super::state::HubSpot;
use super::{assoc_batch, associations, batch, gdpr, guard, oauth, objects, search, settings};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;

/// Object routes under one prefix (`/crm/v3/objects` or `/crm/objects/2026-03`).
fn object_routes(prefix: &str) -> Router<Arc<HubSpot>> {
    Router::new()
        .route(
            &format!("{prefix}/{{object}}"),
            post(objects::create).get(objects::list),
        )
        .route(&format!("{prefix}/{{object}}/search"), post(search::search))
        .route(
            &format!("{prefix}/{{object}}/batch/create"),
            post(batch::create),
        )
        .route(
            &format!("{prefix}/{{object}}/batch/update"),
            post(batch::update),
        )
        .route(
            &format!("{prefix}/{{object}}/batch/upsert"),
            post(batch::upsert),
        )
        .route(
            &format!("{prefix}/{{object}}/batch/read"),
            post(batch::read),
        )
        .route(
            &format!("{prefix}/{{object}}/{{id}}"),
            get(objects::read)
                .patch(objects::update)
                .delete(objects::archive),
        )
}

async fn no_route(request: Request) -> Response {
    HsError::no_route(request.method().as_str(), request.uri().path()).into_response()
}

/// Every HubSpot route, with the guard (auth, limits) and the shared pipeline layers.
pub(crate) fn router(hs: Arc<HubSpot>) -> Router {
    let shared: Arc<dyn Vendor> = hs.clone();
    let v4 = "/crm/v4/objects/{from_type}/{from_id}/associations";
    Router::new()
        .route("/crm/v3/objects/contacts/gdpr-delete", post(gdpr::delete))
        .merge(object_routes("/crm/v3/objects"))
        .merge(object_routes("/crm/objects/2026-03"))
        .route(
            &format!("{v4}/default/{{to_type}}/{{to_id}}"),
            put(associations::put_default),
        )
        .route(
            &format!("{v4}/{{to_type}}/{{to_id}}"),
            put(associations::put_labelled),
        )
        .route(&format!("{v4}/{{to_type}}"), get(associations::list))
        .route(
            "/crm/v4/associations/{from_type}/{to_type}/batch/read",
            post(assoc_batch::read),
        )
        .route(
            "/crm/v4/associations/{from_type}/{to_type}/batch/associate/default",
            post(assoc_batch::associate_default),
        )
        .route(
            "/crm/v3/properties/{object}",
            post(settings::create_property).get(settings::list_properties),
        )
        .route(
            "/crm/v3/properties/{object}/{name}",
            get(settings::read_property),
        )
        .route("/crm/v3/pipelines/deals", get(settings::deal_pipelines))
        .route(
            "/account-info/v3/api-usage/daily/private-apps",
            get(settings::daily_usage),
        )
        .route("/oauth/v1/token", post(oauth::token))
        .route("/oauth/v3/token", post(oauth::token))
        .fallback(no_route)
        .layer(from_fn_with_state(shared, pipeline::latency))
        .layer(from_fn_with_state(hs.clone(), guard::guard))
        .with_state(hs)
}
