//! `GET /c/{id}?t=TOKEN`: a read-only transcript for the sales rep who opens the link in a CRM
//! note or a Slack alert. The token is an HMAC of the conversation id; nothing else is exposed.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::ApiError;

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    t: Option<String>,
}

const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders the transcript.
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Response {
    let valid =
        q.t.as_deref()
            .is_some_and(|t| state.tokens.verify_transcript(&id, t));
    if !valid {
        return ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such conversation")
            .into_response();
    }
    let store = state.chat.store();
    let conversation = match store.conversation(&id).await {
        Ok(Some(c)) if c.erased_ms.is_none() => c,
        Ok(_) => {
            return ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such conversation")
                .into_response();
        }
        Err(e) => return ApiError::from(e).into_response(),
    };
    let messages = match store.messages_after(&id, 0, 10_000).await {
        Ok(m) => m,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>Conversation</title>",
    );
    html.push_str("<style>body{font:15px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}.m{margin:.6rem 0;padding:.5rem .8rem;border-radius:.6rem;white-space:pre-wrap}.visitor{background:#e7efff;margin-left:4rem}.bot{background:#f2f3f5;margin-right:4rem}small{color:#5b6470}</style></head><body>");
    html.push_str(&format!(
        "<h1>Conversation on {}</h1><p><small>{} · {} messages</small></p>",
        escape(&conversation.site),
        escape(&conversation.channel),
        messages.len()
    ));
    for m in &messages {
        let who = if m.role == "visitor" {
            "Visitor"
        } else {
            "Assistant"
        };
        html.push_str(&format!(
            "<div class=\"m {}\"><small>{who}</small><br>{}</div>",
            escape(&m.role),
            escape(&m.text)
        ));
    }
    html.push_str("</body></html>");
    let mut r = html.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The page holds visitors' words: never let a browser read it as anything but HTML.
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}
