//! Who the integration user is: the identity URL handed out as `id` in every token answer
//! (`GET {id}` = `/id/{org id}/{user id}`,
//! <https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm>, "Identity
//! URLs") and the OpenID Connect `GET|POST /services/oauth2/userinfo`. Both take the access token
//! as `Authorization: Bearer`; a missing or invalid one answers 403 `Bad_OAuth_Token`, as the
//! identity service does. Their `user_id` is the `LastModifiedById` of the gateway's own writes
//! and is how it tells them from a rep's. Neither counts against the API allocation.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::state::Salesforce;
use crate::shared::auth::{TokenStatus, authorization};
use crate::shared::http::{json, text};

fn authorized(sf: &Salesforce, headers: &HeaderMap) -> bool {
    authorization(headers, "Bearer")
        .map(|token| sf.tokens.status(token, sf.core.faults.token_epoch()))
        == Some(TokenStatus::Valid)
}

fn refused() -> Response {
    text(StatusCode::FORBIDDEN, "Bad_OAuth_Token")
}

fn identity_url(sf: &Salesforce) -> String {
    format!("{}/id/{}/{}", sf.base_url, sf.org_id, sf.user_id)
}

fn urls(sf: &Salesforce) -> Value {
    let base = &sf.base_url;
    json!({
        "enterprise": format!("{base}/services/Soap/c/{{version}}/{}", &sf.org_id[..15]),
        "rest": format!("{base}/services/data/v{{version}}/"),
        "sobjects": format!("{base}/services/data/v{{version}}/sobjects/"),
        "query": format!("{base}/services/data/v{{version}}/query/"),
        "profile": format!("{base}/{}", sf.user_id),
    })
}

/// `GET /id/{org}/{user}`.
pub(crate) async fn identity(
    State(sf): State<Arc<Salesforce>>,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&sf, &headers) {
        return refused();
    }
    if org != sf.org_id || user != sf.user_id {
        return text(StatusCode::NOT_FOUND, "Bad_Id");
    }
    json(
        StatusCode::OK,
        &json!({
            "id": identity_url(&sf),
            "asserted_user": true,
            "user_id": sf.user_id,
            "organization_id": sf.org_id,
            "username": sf.options.username,
            "nick_name": "integration",
            "display_name": "Leadgate Integration",
            "email": sf.options.username,
            "email_verified": true,
            "first_name": "Leadgate",
            "last_name": "Integration",
            "timezone": "Europe/Berlin",
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 3_600_000,
            "urls": urls(&sf),
            "is_app_installed": true,
        }),
    )
}

/// `GET|POST /services/oauth2/userinfo`.
pub(crate) async fn userinfo(State(sf): State<Arc<Salesforce>>, headers: HeaderMap) -> Response {
    if !authorized(&sf, &headers) {
        return refused();
    }
    json(
        StatusCode::OK,
        &json!({
            "sub": identity_url(&sf),
            "user_id": sf.user_id,
            "organization_id": sf.org_id,
            "preferred_username": sf.options.username,
            "nickname": "integration",
            "name": "Leadgate Integration",
            "email": sf.options.username,
            "email_verified": true,
            "given_name": "Leadgate",
            "family_name": "Integration",
            "zoneinfo": "Europe/Berlin",
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 3_600_000,
            "urls": urls(&sf),
            "is_app_installed": true,
        }),
    )
}
