//! The widget and the demo page, compiled into the binary so `leadgate serve` needs no files.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The demo page's policy: no inline script or style anywhere, everything from the gateway.
pub const DEMO_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

const WIDGET_JS: &str = include_str!("../../widget/widget.js");
const WIDGET_CSS: &str = include_str!("../../widget/widget.css");
const DEMO_HTML: &str = include_str!("../../widget/demo.html");
const DEMO_CSS: &str = include_str!("../../widget/demo.css");

fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// `GET /`: the demo page with the widget.
pub async fn demo_page() -> Response {
    let mut r = asset(DEMO_HTML, "text/html; charset=utf-8", "no-cache");
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DEMO_CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    r
}

/// `GET /widget.js`: embedded on other sites, so it may be loaded cross-origin.
pub async fn widget_js() -> Response {
    let mut r = asset(
        WIDGET_JS,
        "text/javascript; charset=utf-8",
        "public, max-age=300",
    );
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

/// `GET /widget.css`.
pub async fn widget_css() -> Response {
    let mut r = asset(WIDGET_CSS, "text/css; charset=utf-8", "public, max-age=300");
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

/// `GET /demo.css`.
pub async fn demo_css() -> Response {
    asset(DEMO_CSS, "text/css; charset=utf-8", "public, max-age=300")
}
