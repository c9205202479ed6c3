//! `GET /v1/users/me` (`pipedrive-openapi-v1.yaml`, `getCurrentUser`, token cost 2): the user
//! who owns the API token, with the company it belongs to. Its `id` is the `meta.user_id` of
//! webhooks about the gateway's own API writes.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::errors::PdError;
use super::state::Pipedrive;
use crate::shared::http::json;

/// Refuse an `owner_id` (or an activity's `user_id`) that is none of the company's users: the
/// API token's user and the sales rep. Pipedrive's models say only "the ID of the user who will
/// be marked as the owner" (`NewPerson`, `PersonRequestBody`); the answer to an unknown user
/// is not documented, so the simulator refuses it as it refuses any link to a missing entity
/// (400 `ERR_RELATED_ENTITY_NOT_FOUND`), which is at least as strict.
pub(crate) fn check_owner(
    pd: &Pipedrive,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), PdError> {
    let users = [pd.options.api_user_id, pd.options.sales_rep_user_id];
    for key in ["owner_id", "user_id"] {
        let Some(value) = fields.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        if !value.as_u64().is_some_and(|id| users.contains(&id)) {
            return Err(PdError::new(
                StatusCode::BAD_REQUEST,
                format!("User with id {value} not found"),
                Some("ERR_RELATED_ENTITY_NOT_FOUND"),
            ));
        }
    }
    Ok(())
}

/// The handler.
pub(crate) async fn me(State(pd): State<Arc<Pipedrive>>) -> Response {
    let options = &pd.options;
    json(
        StatusCode::OK,
        &json!({
            "success": true,
            "data": {
                "id": options.api_user_id,
                "name": "Leadgate Integration",
                "default_currency": "USD",
                "locale": "en_US",
                "lang": 1,
                "email": "integration@leadgate.example",
                "phone": null,
                "activated": true,
                "last_login": "2026-01-01 00:00:00",
                "created": "2025-01-01 00:00:00",
                "modified": null,
                "has_created_company": true,
                "access": [{"app": "sales", "admin": true, "permission_set_id": "sim-admin"}],
                "active_flag": true,
                "timezone_name": "Europe/Berlin",
                "timezone_offset": "+01:00",
                "role_id": 1,
                "icon_url": null,
                "is_you": true,
                "is_deleted": false,
                "company_id": options.company_id,
                "company_name": "Leadgate Sim",
                "company_domain": options.company_domain,
                "company_country": "DE",
                "company_industry": null,
                "language": {"language_code": "en", "country_code": "US"},
            },
        }),
    )
}
