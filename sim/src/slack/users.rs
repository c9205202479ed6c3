//! `users.info` (<https://docs.slack.dev/reference/methods/users.info>; arguments, answer and
//! errors from slack-ruby/slack-api-ref `methods/users/users.info.json`): bot scope
//! `users:read`, argument `user`, unknown ids answer `user_not_found`. The method takes a query
//! string or a form body: its documented post types are form, multipart and text, not JSON, so
//! a JSON body answers `invalid_post_type`. The token goes in `Authorization` or a form field;
//! apps created since 2021 may not pass it in the query string, so a query `token` is ignored.
//! `profile.email` needs `users:read.email` as well. The bot's own id answers an `is_bot` user.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::SlackUser;
use super::api::{is_form, refuse_unauthorized};
use super::errors::api_error;
use super::state::{BOT_USER, Slack, TEAM_ID};
use crate::shared::http::{Params, json};

/// When every simulated profile was last changed (Unix seconds).
const UPDATED: i64 = 1_750_000_000;

fn user_json(user: &SlackUser, is_bot: bool, with_email: bool) -> Value {
    let (first, last) = user
        .real_name
        .split_once(' ')
        .unwrap_or((user.real_name.as_str(), ""));
    let mut profile = json!({
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.display_name,
        "display_name_normalized": user.display_name,
        "first_name": first,
        "last_name": last,
        "team": TEAM_ID,
    });
    if with_email && !is_bot {
        profile["email"] = json!(format!("{}@leadgate.example", user.name));
    }
    json!({
        "id": user.id,
        "team_id": TEAM_ID,
        "name": user.name,
        "deleted": false,
        "real_name": user.real_name,
        "tz": "Europe/Warsaw",
        "tz_label": "Central European Time",
        "tz_offset": 3600,
        "profile": profile,
        "is_admin": false,
        "is_owner": false,
        "is_bot": is_bot,
        "is_app_user": false,
        "updated": UPDATED,
    })
}

/// `GET|POST /api/users.info`.
pub(crate) async fn info(
    State(slack): State<Arc<Slack>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json_body = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json_body && !body.is_empty() {
        return api_error("invalid_post_type");
    }
    let form = if is_form(&headers) {
        Params::parse(std::str::from_utf8(&body).unwrap_or_default())
    } else {
        Params::default()
    };
    let params = Params::query(query.as_deref()).merged(form.clone());
    let mut fields = Map::new();
    if let Some(token) = form.get("token") {
        fields.insert("token".into(), json!(token));
    }
    if let Some(refusal) = refuse_unauthorized(&slack, &headers, &fields, "users:read") {
        return refusal;
    }
    let with_email = slack.has_scope("users:read.email");
    let wanted = params.get("user").unwrap_or_default();
    let user = if wanted == BOT_USER {
        let bot = SlackUser::new(BOT_USER, "leadgate", "Leadgate", "Leadgate");
        user_json(&bot, true, false)
    } else {
        match slack.user(wanted) {
            Some(user) => user_json(user, false, with_email),
            None => return api_error("user_not_found"),
        }
    };
    json(StatusCode::OK, &json!({"ok": true, "user": user}))
}
