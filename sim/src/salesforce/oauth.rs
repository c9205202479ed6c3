//! `POST /services/oauth2/token`: the refresh-token, JWT-bearer and client-credentials grants,
//! form-encoded. Every answer names the simulator as `instance_url`.
//!
//! A JWT assertion is decoded and its claims checked (`alg` RS256, `iss` = consumer key, `sub`
//! = the integration username, `aud` = `https://login.salesforce.com`,
//! `https://test.salesforce.com` or the simulator's URL, `exp` in the future); its signature is
//! not verified.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use time::OffsetDateTime;

use super::state::Salesforce;
use crate::shared::auth::random_token;
use crate::shared::clock;
use crate::shared::http::{Params, json};

/// A token-endpoint refusal: `{"error","error_description"}` with HTTP 400.
fn refused(error: &str, description: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &json!({ "error": error, "error_description": description }),
    )
}

fn decode_part(part: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A refusal: OAuth `error` and `error_description`.
type Refusal = (&'static str, &'static str);

/// Check a JWT-bearer assertion.
fn check_assertion(sf: &Salesforce, assertion: &str) -> Result<(), Refusal> {
    let invalid = || ("invalid_grant", "invalid assertion");
    let mut parts = assertion.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let header = decode_part(header).ok_or_else(invalid)?;
    let claims = decode_part(payload).ok_or_else(invalid)?;
    if header["alg"] != "RS256" {
        return Err((
            "invalid_grant",
            "invalid assertion: algorithm must be RS256",
        ));
    }
    if claims["iss"].as_str() != Some(sf.options.oauth.client_id.as_str()) {
        return Err(("invalid_client_id", "client identifier invalid"));
    }
    if claims["sub"].as_str() != Some(sf.options.username.as_str()) {
        return Err(("invalid_grant", "user hasn't approved this consumer"));
    }
    let audiences: Vec<&str> = match &claims["aud"] {
        Value::String(aud) => vec![aud.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let accepted = [
        "https://login.salesforce.com",
        "https://test.salesforce.com",
        sf.base_url.as_str(),
    ];
    if !audiences
        .iter()
        .any(|aud| accepted.contains(&aud.trim_end_matches('/')))
    {
        return Err(("invalid_grant", "audience is invalid"));
    }
    let now = OffsetDateTime::now_utc().unix_timestamp();
    match claims["exp"].as_i64() {
        Some(exp) if exp > now => Ok(()),
        _ => Err(("invalid_grant", "expired authorization code")),
    }
}

/// `signature` = base64(HMAC-SHA256(client secret, id + issued_at)), as Salesforce computes it.
fn signature(secret: &str, id: &str, issued_at: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The handler.
pub(crate) async fn token(State(sf): State<Arc<Salesforce>>, body: Bytes) -> Response {
    let params = Params::parse(std::str::from_utf8(&body).unwrap_or_default());
    let client = &sf.options.oauth;
    let client_ok = || params.get("client_id") == Some(client.client_id.as_str());
    let secret_ok = || params.get("client_secret") == Some(client.client_secret.as_str());
    match params.get("grant_type").unwrap_or_default() {
        "refresh_token" => {
            if !client_ok() {
                return refused("invalid_client_id", "client identifier invalid");
            }
            if params.get("client_secret").is_some() && !secret_ok() {
                return refused("invalid_client", "invalid client credentials");
            }
            if params.get("refresh_token") != Some(client.refresh_token.as_str()) {
                return refused("invalid_grant", "expired access/refresh token");
            }
        }
        "client_credentials" => {
            if !client_ok() {
                return refused("invalid_client_id", "client identifier invalid");
            }
            if !secret_ok() {
                return refused("invalid_client", "invalid client credentials");
            }
        }
        "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
            let assertion = params.get("assertion").unwrap_or_default();
            if let Err((error, description)) = check_assertion(&sf, assertion) {
                return refused(error, description);
            }
        }
        _ => return refused("unsupported_grant_type", "grant type not supported"),
    }
    let access_token = format!("{}!{}", &sf.org_id[..15], random_token());
    sf.tokens.issue(
        &access_token,
        sf.options.access_token_ttl,
        sf.core.faults.token_epoch(),
    );
    let id = format!("{}/id/{}/{}", sf.base_url, sf.org_id, sf.user_id);
    let issued_at = clock::unix_millis(OffsetDateTime::now_utc()).to_string();
    json(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "instance_url": sf.base_url,
            "id": id,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": signature(&client.client_secret, &id, &issued_at),
            "scope": "api",
        }),
    )
}
