//! `conversations.history` (<https://docs.slack.dev/reference/methods/conversations.history>):
//! a channel's top-level messages, newest first. Arguments: `channel` (required), `oldest` and
//! `latest` (timestamps, exclusive unless `inclusive`), `limit` (default 100, at most 999),
//! `include_all_metadata` (message metadata is returned only with it). Needs `channels:history`
//! (public channels). Thread replies are not listed (they are read with `conversations.replies`).
//! Errors: `channel_not_found`, `invalid_ts_oldest`, `invalid_ts_latest`, `missing_scope`.
//! The method is Tier 3; the simulator does not throttle it (the docs give no exact figure).
//! Pagination: the simulator answers one page and `has_more` (no `cursor` follow-up), which
//! the docs allow a client to ignore when the page holds what it looks for.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::api::refuse_unauthorized;
use super::errors::api_error;
use super::state::{Slack, message_json};
use crate::shared::http::{Params, json};

/// A Slack timestamp (`1750000001.000200`) as a number to compare.
fn ts_value(ts: &str) -> Option<f64> {
    let (secs, micros) = ts.split_once('.').unwrap_or((ts, "0"));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !micros.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    format!("{secs}.{micros}").parse().ok()
}

/// Arguments this method reads.
const ARGUMENTS: [&str; 8] = [
    "channel",
    "oldest",
    "latest",
    "inclusive",
    "limit",
    "include_all_metadata",
    "cursor",
    "token",
];

/// The arguments, from the query string or a form body. Slack reads this method's arguments
/// as query or form parameters only: a JSON body's are not seen ("JSON-encoded bodies" are
/// accepted by write methods, <https://docs.slack.dev/apis/web-api/#posting_json>), so a client
/// that sends them as JSON gets `channel_not_found`.
fn arguments(headers: &HeaderMap, body: &Bytes, query: Option<&str>) -> Map<String, Value> {
    let form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let body = if form {
        std::str::from_utf8(body).unwrap_or_default()
    } else {
        ""
    };
    let (query, body) = (Params::query(query), Params::parse(body));
    ARGUMENTS
        .iter()
        .filter_map(|k| {
            Some((
                (*k).to_owned(),
                Value::String(query.get(k).or(body.get(k))?.to_owned()),
            ))
        })
        .collect()
}

fn text<'a>(args: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

/// `GET|POST /api/conversations.history`.
pub(crate) async fn history(
    State(slack): State<Arc<Slack>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let args = arguments(&headers, &body, query.as_deref());
    if let Some(refusal) = refuse_unauthorized(&slack, &headers, &args, "channels:history") {
        return refusal;
    }
    let Some(channel) = text(&args, "channel")
        .and_then(|c| slack.channel(c))
        .map(|c| c.id.clone())
    else {
        return api_error("channel_not_found");
    };
    let bound = |key: &str, error: &'static str| match text(&args, key) {
        None => Ok(None),
        Some(ts) => ts_value(ts).map(Some).ok_or(error),
    };
    let (oldest, latest) = match (
        bound("oldest", "invalid_ts_oldest"),
        bound("latest", "invalid_ts_latest"),
    ) {
        (Ok(o), Ok(l)) => (o, l),
        (Err(e), _) | (_, Err(e)) => return api_error(e),
    };
    let inclusive = matches!(text(&args, "inclusive"), Some("true" | "1"));
    let limit = text(&args, "limit")
        .and_then(|l| l.parse::<u64>().ok())
        .unwrap_or(100)
        .clamp(1, 999) as usize;
    let with_metadata = matches!(text(&args, "include_all_metadata"), Some("true" | "1"));
    let mut messages: Vec<_> = slack
        .messages()
        .into_iter()
        .filter(|m| m.channel == channel && m.thread_ts.as_ref().is_none_or(|t| *t == m.ts))
        .filter(|m| {
            let ts = ts_value(&m.ts).unwrap_or_default();
            let after = oldest.is_none_or(|o| if inclusive { ts >= o } else { ts > o });
            let before = latest.is_none_or(|l| if inclusive { ts <= l } else { ts < l });
            after && before
        })
        .collect();
    messages.sort_by(|a, b| {
        let (a, b) = (
            ts_value(&a.ts).unwrap_or_default(),
            ts_value(&b.ts).unwrap_or_default(),
        );
        b.total_cmp(&a)
    });
    let has_more = messages.len() > limit;
    let page: Vec<Value> = messages
        .iter()
        .take(limit)
        .map(|m| {
            let mut out = message_json(m);
            if with_metadata && let Some(metadata) = slack.metadata(&m.ts) {
                out["metadata"] = metadata;
            }
            out
        })
        .collect();
    json(
        StatusCode::OK,
        &json!({"ok": true, "messages": page, "has_more": has_more, "pin_count": 0}),
    )
}
