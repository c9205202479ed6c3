//! Small HTTP helpers: JSON responses, query and form parameters, route labels.

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

/// A response with a JSON body.
pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

/// A response with a plain-text body.
pub(crate) fn text(status: StatusCode, body: &str) -> Response {
    let mut response = Response::new(Body::from(body.to_owned()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    response
}

/// A response with no body.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// Set a header whose value is built at run time (silently skipped if it is not a valid
/// header value, which the callers' numeric and ASCII values never are).
pub(crate) fn set_header(response: &mut Response, name: &'static str, value: impl ToString) {
    if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), value);
    }
}

/// `status` as a [`StatusCode`], falling back to 500 for numbers HTTP does not allow.
pub(crate) fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Decoded `application/x-www-form-urlencoded` pairs (a query string or a form body).
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parse a query string or form body; undecodable input gives no pairs.
    pub(crate) fn parse(raw: &str) -> Self {
        Params(serde_urlencoded::from_str(raw).unwrap_or_default())
    }

    /// Parse an optional query string.
    pub(crate) fn query(raw: Option<&str>) -> Self {
        raw.map(Params::parse).unwrap_or_default()
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of `name`, with comma-separated values split (`properties=a,b&properties=c`).
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .flat_map(|(_, value)| value.split(','))
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Whether `name` is present with the value `true`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Add the pairs of `other` after these (query string first, then form body).
    pub(crate) fn merged(mut self, other: Params) -> Self {
        self.0.extend(other.0);
        self
    }
}

/// Route-parameter names whose values are spelled out in route labels (object types); every
/// other parameter (ids, values) stays a `{placeholder}`.
const SPELLED_OUT: &[&str] = &["object", "module", "from_type", "to_type"];

/// Build the route label of a matched route, e.g. template `/crm/v3/objects/{object}/{id}` and
/// path `/crm/v3/objects/contacts/12` → `/crm/v3/objects/contacts/{id}`.
pub(crate) fn route_label(method: &str, template: Option<&str>, path: &str) -> String {
    let Some(template) = template else {
        return format!("{method} {path}");
    };
    let parts: Vec<&str> = template.split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    if parts.len() != actual.len() {
        return format!("{method} {template}");
    }
    let label: Vec<&str> = parts
        .iter()
        .zip(&actual)
        .map(|(part, value)| {
            let name = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
            match name {
                Some(name) if SPELLED_OUT.contains(&name) => *value,
                _ => *part,
            }
        })
        .collect();
    format!("{method} {}", label.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_spell_out_object_types_and_template_ids() {
        assert_eq!(
            route_label(
                "PATCH",
                Some("/crm/v3/objects/{object}/{id}"),
                "/crm/v3/objects/contacts/12"
            ),
            "PATCH /crm/v3/objects/contacts/{id}"
        );
        assert_eq!(route_label("GET", None, "/nope"), "GET /nope");
    }

    #[test]
    fn params_decode_and_merge() {
        let params = Params::parse("a=1&b=x%40y.com").merged(Params::parse("c=true"));
        assert_eq!(params.get("b"), Some("x@y.com"));
        assert!(params.flag("c"));
        assert_eq!(params.get("d"), None);
    }
}
