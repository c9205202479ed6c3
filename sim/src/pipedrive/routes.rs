//! The Pipedrive route table: v2 under `/api/v2`, v1 under both `/v1` (api.pipedrive.com) and
//! `/api/v1` (the OAuth `api_domain` form), OAuth under `/oauth`.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::errors::PdError;
use super::state::Pipedrive;
use super::{guard, notes, oauth, records, search, users, webhooks};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;

async fn no_route(request: Request) -> Response {
    PdError::new(
        StatusCode::NOT_FOUND,
        format!("Unknown method {}", request.uri().path()),
        Some("ERR_NOT_FOUND"),
    )
    .into_response()
}

fn v1_routes(prefix: &str) -> Router<Arc<Pipedrive>> {
    Router::new()
        .route(
            &format!("{prefix}/webhooks"),
            post(webhooks::create).get(webhooks::list),
        )
        .route(
            &format!("{prefix}/webhooks/{{id}}"),
            axum::routing::delete(webhooks::delete),
        )
        .route(&format!("{prefix}/users/me"), get(users::me))
        .route(
            &format!("{prefix}/notes"),
            post(notes::create_note).get(notes::list_notes),
        )
        .route(
            &format!("{prefix}/activities"),
            post(notes::create_activity).get(notes::list_activities),
        )
        .route(
            &format!("{prefix}/{{segment}}/{{id}}"),
            get(notes::read).put(notes::update).delete(notes::delete),
        )
        .route(
            &format!("{prefix}/{{segment}}/search"),
            get(search::search_v1),
        )
}

/// Every Pipedrive route, with the guard (auth, limits) and the shared pipeline layers.
pub(crate) fn router(pd: Arc<Pipedrive>) -> Router {
    let shared: Arc<dyn Vendor> = pd.clone();
    Router::new()
        .route("/api/v2/{object}", post(records::create).get(records::list))
        .route("/api/v2/{object}/search", get(search::search_v2))
        .route(
            "/api/v2/{object}/{id}",
            get(records::read)
                .patch(records::update)
                .delete(records::delete),
        )
        .merge(v1_routes("/v1"))
        .merge(v1_routes("/api/v1"))
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/token/", post(oauth::token))
        .fallback(no_route)
        .layer(from_fn_with_state(shared, pipeline::latency))
        .layer(from_fn_with_state(pd.clone(), guard::guard))
        .with_state(pd)
}
