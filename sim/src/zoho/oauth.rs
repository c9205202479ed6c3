//! The accounts server's `POST /oauth/v2/token?grant_type=refresh_token&…` (parameters in the
//! query string or a form body). Like Zoho, refusals other than throttling come back with
//! HTTP 200 and `{"error": …}`; minting more than the refresh limit answers 400
//! `Access Denied`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::state::Zoho;
use crate::shared::auth::random_token;
use crate::shared::http::{Params, json};

fn refused(error: &str) -> Response {
    json(StatusCode::OK, &json!({ "error": error }))
}

/// The handler.
pub(crate) async fn token(
    State(zoho): State<Arc<Zoho>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = Params::query(query.as_deref()).merged(Params::parse(
        std::str::from_utf8(&body).unwrap_or_default(),
    ));
    let client = &zoho.options.oauth;
    if params.get("grant_type") != Some("refresh_token") {
        return refused("unsupported_grant_type");
    }
    if params.get("client_id") != Some(client.client_id.as_str()) {
        return refused("invalid_client");
    }
    if params.get("client_secret") != Some(client.client_secret.as_str()) {
        return refused("invalid_client_secret");
    }
    if params.get("refresh_token") != Some(client.refresh_token.as_str()) {
        return refused("invalid_code");
    }
    let allowed = zoho
        .refreshes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .admit(1)
        .is_ok();
    if !allowed {
        return json(
            StatusCode::BAD_REQUEST,
            &json!({
                "error_description": "You have made too many requests continuously. Please try again after some time.",
                "error": "Access Denied",
                "status": "failure",
            }),
        );
    }
    let token = random_token();
    let access_token = format!("1000.{}.{}", &token[..16], &token[16..]);
    let ttl = zoho.options.access_token_ttl;
    zoho.tokens
        .issue(&access_token, ttl, zoho.core.faults.token_epoch());
    json(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "scope": zoho.options.scopes.join(" "),
            "api_domain": zoho.base_url,
            "token_type": "Bearer",
            "expires_in": ttl.as_secs(),
        }),
    )
}
