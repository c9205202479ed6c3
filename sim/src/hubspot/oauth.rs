//! `POST /oauth/v1/token` (and `/oauth/v3/token`): `refresh_token` and `client_credentials`
//! grants, form-encoded, answering `AccessTokenResponse`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::state::{HUB_ID, HubSpot};
use crate::shared::auth::random_token;
use crate::shared::http::{Params, json};

fn refused(status: &str, message: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &json!({
            "status": status,
            "message": message,
            "correlationId": uuid::Uuid::new_v4().to_string(),
        }),
    )
}

/// The handler.
pub(crate) async fn token(
    State(hs): State<Arc<HubSpot>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = Params::query(query.as_deref()).merged(Params::parse(
        std::str::from_utf8(&body).unwrap_or_default(),
    ));
    let client = &hs.options.oauth;
    if params.get("client_id") != Some(client.client_id.as_str()) {
        return refused("BAD_CLIENT_ID", "missing or unknown client id");
    }
    if params.get("client_secret") != Some(client.client_secret.as_str()) {
        return refused("BAD_CLIENT_SECRET", "missing or invalid client secret");
    }
    let grant = params.get("grant_type").unwrap_or_default();
    let token_use = match grant {
        "refresh_token" => {
            if params.get("refresh_token") != Some(client.refresh_token.as_str()) {
                return refused("BAD_REFRESH_TOKEN", "missing or unknown refresh token");
            }
            "access_token"
        }
        "client_credentials" => "client_credentials",
        _ => return refused("BAD_GRANT_TYPE", "unsupported grant_type"),
    };
    let access_token = format!("CN{}", random_token().to_ascii_uppercase());
    let ttl = hs.options.access_token_ttl;
    hs.tokens
        .issue(&access_token, ttl, hs.core.faults.token_epoch());
    let mut body = json!({
        "token_type": "bearer",
        "access_token": access_token,
        "expires_in": ttl.as_secs(),
        "token_use": token_use,
        "hub_id": HUB_ID,
        "scopes": ["crm.objects.contacts.write", "crm.objects.companies.write", "crm.objects.deals.write"],
    });
    if grant == "refresh_token" {
        body["refresh_token"] = json!(client.refresh_token);
    }
    json(StatusCode::OK, &body)
}
