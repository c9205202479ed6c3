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

/// A stand-in for the gateway: an HTTP server that records every request and answers each
/// with the next canned answer (200 with an empty body when none is queued).
pub struct Receiver {
    /// `http://127.0.0.1:PORT` (any path is accepted).
    pub base: String,
    state: std::sync::Arc<std::sync::Mutex<ReceiverState>>,
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Path and query, as sent.
    pub uri: String,
    /// Headers, names lower-case.
    pub headers: std::collections::HashMap<String, String>,
    /// Raw body.
    pub body: String,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body as JSON (or a form body's `payload` field as JSON).
    pub fn json(&self) -> Value {
        if let Ok(value) = serde_json::from_str(&self.body) {
            return value;
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&self.body).unwrap();
        let payload = pairs.into_iter().find(|(k, _)| k == "payload").unwrap().1;
        serde_json::from_str(&payload).unwrap()
    }
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Canned {
    /// Status.
    pub status: u16,
    /// Body.
    pub body: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Wait before answering.
    pub delay: Duration,
}

impl Canned {
    /// `status` with an empty body.
    pub fn status(status: u16) -> Self {
        Canned {
            status,
            body: String::new(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// `status` with `body`.
    pub fn body(status: u16, body: &str) -> Self {
        Canned {
            body: body.to_owned(),
            ..Canned::status(status)
        }
    }

    /// Add a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Answer only after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct ReceiverState {
    requests: Vec<Received>,
    answers: std::collections::VecDeque<Canned>,
}

impl Receiver {
    /// Start listening on `127.0.0.1:0`.
    pub async fn start() -> Self {
        use axum::response::IntoResponse;
        let state = std::sync::Arc::new(std::sync::Mutex::new(ReceiverState::default()));
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let shared = shared.clone();
            async move {
                let uri = request.uri().to_string();
                let headers = request
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                    .collect();
                let bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
                    .await
                    .unwrap();
                let canned = {
                    let mut state = shared.lock().unwrap();
                    state.requests.push(Received {
                        uri,
                        headers,
                        body: String::from_utf8_lossy(&bytes).into_owned(),
                    });
                    state
                        .answers
                        .pop_front()
                        .unwrap_or_else(|| Canned::status(200))
                };
                tokio::time::sleep(canned.delay).await;
                let mut response = (
                    axum::http::StatusCode::from_u16(canned.status).unwrap(),
                    canned.body,
                )
                    .into_response();
                for (name, value) in canned.headers {
                    response.headers_mut().insert(
                        axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                        axum::http::HeaderValue::from_str(&value).unwrap(),
                    );
                }
                response
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { base, state }
    }

    /// A URL on this receiver.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Queue answers for the next requests.
    pub fn answer(&self, answers: impl IntoIterator<Item = Canned>) {
        self.state.lock().unwrap().answers.extend(answers);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Received> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Wait (a hang guard) until `n` requests arrived and return them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..500 {
            let requests = self.requests();
            if requests.len() >= n {
                return requests;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("expected {n} requests, got {:?}", self.requests());
    }
}
