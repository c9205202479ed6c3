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
