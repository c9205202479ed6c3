//! Helpers shared by the integration tests: an HTTP client and JSON assertions.
#![allow(dead_code)]

use std::time::Duration;

use reqwest::{Client, Response};
use serde_json::Value;

/// A client with a timeout, so a hung request fails the test instead of blocking it.
pub fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// Status and JSON body of a response (`Value::Null` for an empty or non-JSON body).
pub async fn status_json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A header's value as text.
pub fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
