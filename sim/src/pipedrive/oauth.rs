//! `POST /oauth/token` (and `/oauth/token/`): the `refresh_token` grant with HTTP Basic client
//! authentication, answering with `api_domain` = the simulator's base URL.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::state::Pipedrive;
use crate::shared::auth::{authorization, random_token};
use crate::shared::http::{Params, json};

fn refused(status: StatusCode, error: &str, description: &str) -> Response {
    json(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

/// `(client_id, client_secret)` from `Authorization: Basic …`.
fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = authorization(headers, "Basic")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The handler.
pub(crate) async fn token(
    State(pd): State<Arc<Pipedrive>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let client = &pd.options.oauth;
    let expected = (client.client_id.clone(), client.client_secret.clone());
    if basic_client(&headers) != Some(expected) {
        return refused(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client credentials",
        );
    }
    let params = Params::parse(std::str::from_utf8(&body).unwrap_or_default());
    if params.get("grant_type") != Some("refresh_token") {
        return refused(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only the refresh_token grant is simulated",
        );
    }
    if params.get("refresh_token") != Some(client.refresh_token.as_str()) {
        return refused(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Invalid refresh token",
        );
    }
    let access_token = format!("v1u:{}", random_token());
    let ttl = pd.options.access_token_ttl;
    pd.tokens
        .issue(&access_token, ttl, pd.core.faults.token_epoch());
    json(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ttl.as_secs(),
            "refresh_token": client.refresh_token,
            "scope": "base,deals:full,contacts:full,activities:full",
            "api_domain": pd.base_url,
        }),
    )
}
