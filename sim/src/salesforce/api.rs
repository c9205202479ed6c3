//! The REST API under `/services/data/{version}/…`, routed by hand so that `/composite` can run
//! its subrequests through the same dispatcher inside one store transaction.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::errors::SfError;
use super::model::SOBJECTS;
use super::state::Salesforce;
use super::{composite, sobjects, soql, sosl};
use crate::shared::http::{self, Params};
use crate::shared::stats::RouteLabel;
use crate::shared::store::Tables;

/// One REST call, from the wire or from a composite subrequest.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    /// Decoded path segments after `/services/data/{version}/`.
    pub segments: Vec<String>,
    pub query: Params,
    /// The JSON body (`None` when there was none).
    pub body: Option<Value>,
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`.
    pub allow_save: bool,
    /// The API version in the path (`v62.0`).
    pub version: String,
}

/// The outcome of a call.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Option<Value>,
    /// `Location` of a created record.
    pub location: Option<String>,
}

impl Answer {
    /// A JSON answer.
    pub(crate) fn json(status: StatusCode, body: Value) -> Self {
        Answer {
            status,
            body: Some(body),
            location: None,
        }
    }

    /// An empty answer (204).
    pub(crate) fn empty(status: StatusCode) -> Self {
        Answer {
            status,
            body: None,
            location: None,
        }
    }

    /// Whether the call failed.
    pub(crate) fn failed(&self) -> bool {
        self.status.as_u16() >= 400
    }
}

impl From<SfError> for Answer {
    fn from(error: SfError) -> Self {
        Answer::json(error.status, error.body)
    }
}

/// Percent-decode one path segment.
pub(crate) fn decode_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Split a path (after the version) into decoded segments.
pub(crate) fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(decode_segment)
        .collect()
}

/// The route label of a REST request path (`/services/data/v62.0/sobjects/Lead/00Q…` →
/// `PATCH /services/data/{version}/sobjects/Lead/{id}`), or `None` outside the REST API.
pub(crate) fn path_label(method: &str, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/services/data/v")?;
    let (_, rest) = rest.split_once('/').unwrap_or((rest, ""));
    Some(label(method, &segments(rest)))
}

/// The route label of a call, with object names spelled out and ids templated.
pub(crate) fn label(method: &str, segments: &[String]) -> String {
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let tail = match parts.as_slice() {
        ["sobjects", object, "describe"] => format!("sobjects/{object}/describe"),
        ["sobjects", object, _] => format!("sobjects/{object}/{{id}}"),
        ["sobjects", object, field, _] => format!("sobjects/{object}/{field}/{{value}}"),
        ["composite", "sobjects", object, field] => format!("composite/sobjects/{object}/{field}"),
        other => other.join("/"),
    };
    format!("{method} /services/data/{{version}}/{tail}")
}

/// Run one call against the tables.
pub(crate) fn dispatch(sf: &Salesforce, tables: &mut Tables, call: &Call) -> Answer {
    let parts: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    let method = &call.method;
    let result = match (method, parts.as_slice()) {
        (&Method::GET, []) => Ok(resources(&call.version)),
        (&Method::GET, ["limits"]) => Ok(limits(sf)),
        (&Method::GET, ["sobjects"]) => Ok(describe_global()),
        (&Method::POST, ["sobjects", object]) => sobjects::create(sf, tables, call, object),
        (&Method::GET, ["sobjects", object, "describe"]) => sobjects::describe(sf, object),
        (&Method::GET, ["sobjects", object, id]) => sobjects::read(sf, tables, call, object, id),
        (&Method::PATCH, ["sobjects", object, id]) => {
            sobjects::update(sf, tables, call, object, id)
        }
        (&Method::DELETE, ["sobjects", object, id]) => sobjects::delete(tables, object, id),
        (&Method::PATCH | &Method::POST, ["sobjects", object, field, value]) => {
            sobjects::upsert(sf, tables, call, object, field, value)
        }
        (&Method::GET, ["sobjects", object, field, value]) => {
            sobjects::read_by_external(sf, tables, call, object, field, value)
        }
        (&Method::GET, ["query" | "queryAll"]) => soql::query(sf, tables, call),
        (&Method::GET, ["search"]) => sosl::search(sf, tables, call),
        (&Method::GET, ["parameterizedSearch"]) => sosl::parameterized(sf, tables, call),
        (&Method::POST, ["composite"]) => composite::composite(sf, tables, call),
        (&Method::POST, ["composite", "graph"]) => composite::graph(sf, tables, call),
        (&Method::POST | &Method::PATCH, ["composite", "sobjects"]) => {
            composite::collection(sf, tables, call, None)
        }
        (&Method::PATCH, ["composite", "sobjects", object, field]) => {
            composite::collection(sf, tables, call, Some((object, field)))
        }
        _ => Err(SfError::not_found()),
    };
    result.unwrap_or_else(Answer::from)
}

fn resources(version: &str) -> Answer {
    let base = format!("/services/data/{version}");
    Answer::json(
        StatusCode::OK,
        json!({
            "sobjects": format!("{base}/sobjects"),
            "query": format!("{base}/query"),
            "search": format!("{base}/search"),
            "composite": format!("{base}/composite"),
            "limits": format!("{base}/limits"),
            "parameterizedSearch": format!("{base}/parameterizedSearch"),
        }),
    )
}

fn limits(sf: &Salesforce) -> Answer {
    let usage = sf.usage();
    Answer::json(
        StatusCode::OK,
        json!({
            "DailyApiRequests": {"Max": usage.limit, "Remaining": usage.remaining},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
        }),
    )
}

fn describe_global() -> Answer {
    let objects: Vec<Value> = SOBJECTS
        .iter()
        .map(|o| json!({"name": o.name, "keyPrefix": o.prefix, "createable": true, "updateable": true, "queryable": true}))
        .collect();
    Answer::json(
        StatusCode::OK,
        json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": objects}),
    )
}

/// Turn an [`Answer`] into an HTTP response labelled for the stats.
pub(crate) fn respond(answer: Answer, label: String) -> Response {
    let mut response = match &answer.body {
        Some(body) => http::json(answer.status, body),
        None => http::empty(answer.status),
    };
    if let Some(location) = &answer.location {
        http::set_header(&mut response, "location", location);
    }
    response.extensions_mut().insert(RouteLabel(label));
    response
}

/// Build a [`Call`] from the wire.
fn call_from(
    version: &str,
    request_path: &str,
    headers: &HeaderMap,
    method: Method,
    query: Option<&str>,
    body: &[u8],
) -> Result<Call, SfError> {
    let prefix = format!("/services/data/{version}");
    let rest = request_path.strip_prefix(&prefix).unwrap_or_default();
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(serde_json::from_slice(body).map_err(|e| SfError::parser(e.to_string()))?)
    };
    let allow_save = headers
        .get("sforce-duplicate-rule-header")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .any(|part| part.trim().eq_ignore_ascii_case("allowSave=true"))
        });
    Ok(Call {
        method,
        segments: segments(rest),
        query: Params::query(query),
        body,
        allow_save,
        version: version.to_owned(),
    })
}

/// The axum handler for `/services/data/{version}` and everything below it.
pub(crate) async fn handle(
    State(sf): State<Arc<Salesforce>>,
    Path(params): Path<Vec<(String, String)>>,
    request: Request,
) -> Response {
    let version = params
        .iter()
        .find(|(name, _)| name == "version")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let (parts, body) = request.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(_) => return SfError::parser("Unable to read the request body").into_response(),
    };
    if !version.starts_with('v') || version[1..].parse::<f32>().is_err() {
        return SfError::not_found().into_response();
    }
    let call = match call_from(
        &version,
        parts.uri.path(),
        &parts.headers,
        parts.method,
        parts.uri.query(),
        &body,
    ) {
        Ok(call) => call,
        Err(error) => return error.into_response(),
    };
    let label = label(call.method.as_str(), &call.segments);
    let answer = sf.core.store.write(|tables| dispatch(&sf, tables, &call));
    respond(answer, label)
}

/// `GET /services/data`: the API versions.
pub(crate) async fn versions() -> Response {
    let versions: Vec<Value> = [(60, "Spring '24"), (61, "Summer '24"), (62, "Winter '25")]
        .into_iter()
        .map(|(n, label)| json!({"label": label, "url": format!("/services/data/v{n}.0"), "version": format!("{n}.0")}))
        .collect();
    http::json(StatusCode::OK, &Value::Array(versions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_decoded() {
        assert_eq!(
            segments("/sobjects/Lead/Email__c/jane%40example.com"),
            vec!["sobjects", "Lead", "Email__c", "jane@example.com"]
        );
        assert_eq!(decode_segment("100%"), "100%");
    }
}
