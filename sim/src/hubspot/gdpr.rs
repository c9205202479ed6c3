//! `POST /crm/v3/objects/contacts/gdpr-delete`: "Permanently delete a contact and all
//! associated content to follow GDPR"
//! (<https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/basic/post-crm-v3-objects-contacts-gdpr-delete>).
//! The body is `PublicGdprDeleteInput`: `objectId` (required, a string) and `idProperty`
//! (optional: `email` makes `objectId` an email address); success is 204 with no body. The
//! reference does not say what an unknown contact answers: the simulator answers 404
//! `OBJECT_NOT_FOUND`, like a read of that id.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::errors::HsError;
use super::objects::parse_body;
use super::state::HubSpot;

/// `POST /crm/v3/objects/contacts/gdpr-delete`.
pub(crate) async fn delete(
    State(hs): State<Arc<HubSpot>>,
    body: Bytes,
) -> Result<Response, HsError> {
    let body = parse_body(&body)?;
    let Some(object_id) = body.get("objectId").and_then(Value::as_str) else {
        return Err(HsError::invalid_input(
            "objectId is required and must be a string",
        ));
    };
    let id_property = match body.get("idProperty") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p == "email" => Some("email"),
        Some(other) => {
            return Err(HsError::invalid_input(format!(
                "idProperty {other} is not supported; use email or leave it out"
            )));
        }
    };
    let removed = hs.core.store.write(|tables| {
        let id = match id_property {
            Some(property) => tables
                .all("contacts")
                .iter()
                .find(|r| {
                    r.str_field(property)
                        .is_some_and(|v| v.eq_ignore_ascii_case(object_id))
                })
                .map(|r| r.id.clone()),
            None => Some(object_id.to_owned()),
        };
        id.and_then(|id| tables.remove("contacts", &id))
    });
    match removed {
        Some(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        None => Err(HsError::object_not_found(object_id)),
    }
}
