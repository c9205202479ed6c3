//! `POST /webhooks/hubspot`, `/webhooks/pipedrive` and `/webhooks/zoho`: CRMs telling leadgate
//! that a deal moved. Refused (401, nothing stored) unless signed or authenticated the way the vendor does
//! it; each notification is handled once, leadgate's own writes are ignored, and nothing is
//! written back to the CRM.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use tracing::warn;

use super::AppState;
use super::error::ApiError;
use crate::crm::CrmKind;
use crate::crm::webhooks::{DealChange, WebhookError, hubspot, pipedrive, zoho};
use crate::sync::outcomes::apply;

fn refused(e: WebhookError) -> Response {
    metrics::counter!("leadgate_crm_webhooks_refused_total").increment(1);
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", e.to_string()).into_response()
}

async fn handle(state: &AppState, crm: CrmKind, changes: Vec<DealChange>) -> Response {
    for change in &changes {
        match apply(state.chat.store(), &state.config, crm, change).await {
            Ok(_) => {}
            Err(e) => {
                warn!(crm = crm.name(), error = %e, "a deal change could not be stored; the CRM will send it again");
                return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "try again")
                    .into_response();
            }
        }
    }
    state.wake.notify_waiters();
    StatusCode::OK.into_response()
}

/// The URL the request was sent to, as the sender saw it: the public URL when configured,
/// else this host.
fn full_uri(state: &AppState, headers: &HeaderMap, uri: &axum::http::Uri) -> String {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    match &state.config.server.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => {
            let host = headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}{path}")
        }
    }
}

/// `POST /webhooks/hubspot`
pub async fn hubspot(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(config) = state.config.crm.hubspot.as_ref() else {
        return ApiError::not_found("HubSpot is not configured").into_response();
    };
    let Some(secret) = &config.webhook_secret else {
        return ApiError::not_found(
            "set [crm.hubspot] webhook_secret to receive HubSpot's webhooks",
        )
        .into_response();
    };
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = crate::store::now_ms();
    let url = full_uri(&state, &headers, &uri);
    if let Err(e) = hubspot::verify(
        secret.expose_secret().as_bytes(),
        "POST",
        &url,
        &body,
        get("x-hubspot-request-timestamp"),
        get("x-hubspot-signature-v3"),
        now,
    ) {
        return refused(e);
    }
    let Ok(v) = serde_json::from_slice(&body) else {
        return ApiError::bad_request("bad_json", "expected a JSON array of events")
            .into_response();
    };
    let changes = hubspot::parse(&v, config.app_id.as_deref());
    handle(&state, CrmKind::Hubspot, changes).await
}

/// `POST /webhooks/pipedrive`
pub async fn pipedrive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(config) = state.config.crm.pipedrive.as_ref() else {
        return ApiError::not_found("Pipedrive is not configured").into_response();
    };
    let (Some(user), Some(password)) = (&config.webhook_user, &config.webhook_password) else {
        return ApiError::not_found(
            "set [crm.pipedrive] webhook_user and webhook_password to receive Pipedrive's webhooks",
        )
        .into_response();
    };
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if let Err(e) = pipedrive::verify(auth, user, password.expose_secret()) {
        return refused(e);
    }
    let Ok(v) = serde_json::from_slice(&body) else {
        return ApiError::bad_request("bad_json", "expected a JSON object").into_response();
    };
    let changes: Vec<DealChange> = pipedrive::parse(&v, None).into_iter().collect();
    handle(&state, CrmKind::Pipedrive, changes).await
}

/// `POST /webhooks/zoho`: a notification names changed Deals; each of leadgate's is read back
/// by a `deal_refresh` job (one open job per lead however many notifications arrive).
pub async fn zoho(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(token) = state
        .config
        .crm
        .zoho
        .as_ref()
        .and_then(|z| z.webhook_token.as_ref())
    else {
        return ApiError::not_found("set [crm.zoho] webhook_token to receive Zoho's notifications")
            .into_response();
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return ApiError::bad_request("bad_json", "expected a JSON object").into_response();
    };
    if let Err(e) = zoho::verify(&v, token.expose_secret()) {
        return refused(e);
    }
    let store = state.chat.store();
    let job = crate::store::NewJob {
        kind: crate::store::JobKind::DealRefresh,
        target: CrmKind::Zoho.name().to_owned(),
        person_key: None,
        revision: crate::sync::plan::stamp(),
    };
    for deal in zoho::deal_ids(&v) {
        let queued = match store
            .conversation_by_deal(CrmKind::Zoho.name(), &deal)
            .await
        {
            Ok(Some(conversation)) => {
                store
                    .enqueue(&conversation, std::slice::from_ref(&job))
                    .await
            }
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = queued {
            warn!(error = %e, "a Zoho notification could not be stored");
            return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "try again")
                .into_response();
        }
    }
    state.wake.notify_waiters();
    StatusCode::OK.into_response()
}
