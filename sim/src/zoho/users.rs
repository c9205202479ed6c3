//! `GET /crm/{version}/users?type=…` (<https://www.zoho.com/crm/developer/docs/api/v8/get-users.html>):
//! `type=CurrentUser` answers the user the OAuth client acts as, whose id is the
//! `Modified_By.id` of the gateway's own writes; `AllUsers`/`ActiveUsers` (or no type) add the
//! sales rep whose web-app edits the simulator plays. An unknown type is `INVALID_DATA`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::errors::ZError;
use super::model::OWNER_ID;
use super::state::Zoho;
use crate::shared::http::{Params, json};

fn user(id: &str, full_name: &str, email: &str, role: &str) -> Value {
    let (first, last) = full_name.split_once(' ').unwrap_or(("", full_name));
    json!({
        "id": id,
        "full_name": full_name,
        "first_name": first,
        "last_name": last,
        "email": email,
        "status": "active",
        "confirm": true,
        "role": {"name": role, "id": "5725767000000026005"},
        "profile": {"name": "Administrator", "id": "5725767000000026011"},
        "time_zone": "Europe/Berlin",
        "locale": "en_US",
    })
}

/// An `Owner` written as `{"id": …}` must name one of the org's users (the API user or the
/// sales rep), and is stored as Zoho shows it, `{name, id, email}`. Zoho's insert and update
/// pages list `INVALID_DATA` ("invalid data") for a value that does not fit its field, with the
/// field's `api_name` and `json_path` (<https://www.zoho.com/crm/developer/docs/api/v8/insert-records.html>);
/// they do not list an owner-specific code, so an unknown user answers that.
pub(crate) fn resolve_owner(
    zoho: &Zoho,
    fields: &mut serde_json::Map<String, Value>,
    index: usize,
) -> Result<(), ZError> {
    let Some(owner) = fields.get("Owner").filter(|o| !o.is_null()) else {
        return Ok(());
    };
    let id = super::model::lookup_id(owner).unwrap_or_default();
    let rep = &zoho.options.sales_rep;
    let user = if id == OWNER_ID {
        super::model::owner()
    } else if id == rep.id {
        json!({"name": rep.name, "id": rep.id, "email": rep.email})
    } else {
        return Err(ZError::invalid("Owner", index, None));
    };
    fields.insert("Owner".into(), user);
    Ok(())
}

/// The handler.
pub(crate) async fn list(
    State(zoho): State<Arc<Zoho>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ZError> {
    let params = Params::query(query.as_deref());
    let api_user = user(OWNER_ID, "Leadgate Sim", "owner@leadgate.example", "CEO");
    let rep = &zoho.options.sales_rep;
    let rep_user = user(&rep.id, &rep.name, &rep.email, "Sales Rep");
    let users = match params.get("type") {
        Some("CurrentUser") => vec![api_user],
        None | Some("AllUsers" | "ActiveUsers") => vec![api_user, rep_user],
        Some(_) => {
            return Err(ZError::new(
                "INVALID_DATA",
                "invalid data",
                json!({"api_name": "type", "param_name": "type"}),
            ));
        }
    };
    let count = users.len();
    Ok(json(
        StatusCode::OK,
        &json!({"users": users, "info": {"per_page": 200, "count": count, "page": 1, "more_records": false}}),
    ))
}
