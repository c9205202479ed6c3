//! The transport under async-openai: the one piece of the HTTP path the crate cannot be told to
//! do the engine's way. It replaces the crate's retry layer (which waits out any `Retry-After`,
//! however long, up to three times) with one retry that fits the turn's deadline, caps what is
//! read, and hands the crate error answers in the one shape it reads, whatever the server sent.

use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::{StreamExt, TryStreamExt};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

/// Largest answer read, or reply text taken from a stream.
pub(super) const MAX_ANSWER_BYTES: usize = 1 << 20;
/// Largest event stream read: each chunk wraps a few characters of reply in some 200 bytes.
const MAX_STREAM_BYTES: usize = 16 << 20;
/// Longest wait before the one retry of a throttled or failed call.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(2);
/// The least time a retry must leave for its answer.
const RETRY_ROOM: Duration = Duration::from_millis(500);

/// What the transport sends to the server and hands back to async-openai.
#[derive(Clone, Debug)]
pub(super) struct Transport {
    http: reqwest::Client,
    /// The turn's whole budget: a retry must fit in it.
    timeout: Duration,
    /// Whether the requests it carries ask for a stream: a whole answer to one is handed on as
    /// a stream of one event.
    streaming: bool,
}

/// An attempt's outcome, and how long to wait before trying once more when that may help.
struct Attempt {
    result: Result<reqwest::Response, OpenAIError>,
    retry: Option<Duration>,
}

impl Attempt {
    fn done(result: Result<reqwest::Response, OpenAIError>) -> Attempt {
        Attempt {
            result,
            retry: None,
        }
    }
}

/// An answer past [`MAX_ANSWER_BYTES`].
#[derive(Debug, thiserror::Error)]
#[error("the answer is too large")]
pub(super) struct TooLarge;

impl Transport {
    pub(super) fn new(http: reqwest::Client, timeout: Duration, streaming: bool) -> Transport {
        Transport {
            http,
            timeout,
            streaming,
        }
    }

    async fn send(self, request: HttpRequestFactory) -> Result<reqwest::Response, OpenAIError> {
        let deadline = Instant::now() + self.timeout;
        let first = self.attempt(&request).await;
        match first.retry {
            Some(wait)
                if wait <= MAX_RETRY_WAIT
                    && wait + RETRY_ROOM < deadline.saturating_duration_since(Instant::now()) =>
            {
                tokio::time::sleep(wait).await;
                self.attempt(&request).await.result
            }
            _ => first.result,
        }
    }

    async fn attempt(&self, request: &HttpRequestFactory) -> Attempt {
        let request = match request.build().await {
            Ok(request) => request,
            Err(e) => return Attempt::done(Err(e)),
        };
        let response = match self.http.execute(request).await {
            Ok(response) => response,
            Err(e) => {
                return Attempt {
                    result: Err(OpenAIError::Reqwest(e.without_url())),
                    retry: Some(Duration::from_millis(100)),
                };
            }
        };
        let status = response.status();
        if status.is_success() && is_event_stream(response.headers()) {
            return Attempt::done(Ok(capped_stream(response)));
        }
        let wait = retry_after(response.headers());
        let body = match read_capped(response).await {
            Ok(body) => body,
            Err(e) => {
                let retry =
                    matches!(e, OpenAIError::Reqwest(_)).then(|| Duration::from_millis(100));
                return Attempt {
                    result: Err(e),
                    retry,
                };
            }
        };
        if status.is_success() {
            return Attempt::done(Ok(self.whole(status, body)));
        }
        let error = ErrorAnswer::read(status, &body);
        Attempt {
            retry: error.retry_in(status, wait),
            result: Ok(error.response(status)),
        }
    }

    /// A whole answer, as a stream of one event when a stream was asked for (some servers
    /// answer `stream: true` with one JSON body).
    fn whole(&self, status: StatusCode, body: Bytes) -> reqwest::Response {
        if !self.streaming {
            return rebuilt(status, "application/json", body);
        }
        let mut events = String::with_capacity(body.len() + 32);
        for line in String::from_utf8_lossy(&body).lines() {
            events.push_str("data: ");
            events.push_str(line);
            events.push('\n');
        }
        events.push_str("\ndata: [DONE]\n\n");
        rebuilt(status, "text/event-stream", Bytes::from(events))
    }
}

impl tower::Service<HttpRequestFactory> for Transport {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = BoxFuture<'static, Result<reqwest::Response, OpenAIError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), OpenAIError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequestFactory) -> Self::Future {
        Box::pin(self.clone().send(request))
    }
}

fn is_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

fn rebuilt(status: StatusCode, content_type: &'static str, body: Bytes) -> reqwest::Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    reqwest::Response::from(response)
}

/// The body, refused past [`MAX_ANSWER_BYTES`].
async fn read_capped(mut response: reqwest::Response) -> Result<Bytes, OpenAIError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| OpenAIError::Reqwest(e.without_url()))?
    {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(OpenAIError::Boxed(Box::new(TooLarge)));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}

/// The event stream, cut with an error past [`MAX_STREAM_BYTES`].
fn capped_stream(response: reqwest::Response) -> reqwest::Response {
    let status = response.status();
    let headers = response.headers().clone();
    let mut seen = 0usize;
    let body = response
        .bytes_stream()
        .map_err(std::io::Error::other)
        .and_then(move |chunk| {
            seen += chunk.len();
            let result = if seen > MAX_STREAM_BYTES {
                Err(std::io::Error::other(TooLarge))
            } else {
                Ok(chunk)
            };
            std::future::ready(result)
        });
    let mut capped = http::Response::new(reqwest::Body::wrap_stream(body.boxed()));
    *capped.status_mut() = status;
    *capped.headers_mut() = headers;
    reqwest::Response::from(capped)
}

/// `retry-after-ms`, or `retry-after` in seconds with fractions (async-openai reads whole
/// seconds only).
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
    };
    number("retry-after-ms")
        .map(|ms| Duration::from_secs_f64((ms / 1000.0).min(3600.0)))
        .or_else(|| number("retry-after").map(|s| Duration::from_secs_f64(s.min(3600.0))))
}

/// An error answer read leniently: OpenAI's `{"error": {message, type, code}}`, the unwrapped and
/// integer-code shapes of other servers, or plain text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ErrorAnswer {
    pub message: String,
    pub kind: String,
    pub code: String,
}

impl ErrorAnswer {
    pub(super) fn read(status: StatusCode, body: &[u8]) -> ErrorAnswer {
        let json: Option<Value> = serde_json::from_slice(body).ok();
        let error = json.as_ref().map(|v| {
            if v["error"].is_object() {
                &v["error"]
            } else {
                v
            }
        });
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let field = |name: &str| error.and_then(|e| text(&e[name])).unwrap_or_default();
        let mut message = match error.and_then(|e| e["message"].as_str()) {
            Some(m) => m.to_owned(),
            // `{"error": "…"}` (LiteLLM, llama.cpp's older builds).
            None => match json.as_ref().and_then(|v| v["error"].as_str()) {
                Some(m) => m.to_owned(),
                None if json.is_some() => String::new(),
                None => String::from_utf8_lossy(body).trim().to_owned(),
            },
        };
        if message.is_empty() {
            message = format!("HTTP {}", status.as_u16());
        }
        ErrorAnswer {
            message: crate::lead::text::truncate(&message, 300).to_owned(),
            kind: field("type"),
            code: field("code"),
        }
    }

    /// Whether only an operator (or the next billing period) can help: OpenAI's used-up quota,
    /// or a LiteLLM proxy key, team or user past its budget (`type: "budget_exceeded"`, sent with
    /// status 400: litellm/proxy/auth/auth_exception_handler.py).
    pub(super) fn is_quota(&self) -> bool {
        self.code == "insufficient_quota"
            || self.kind == "insufficient_quota"
            || self.kind == "budget_exceeded"
    }

    fn retry_in(&self, status: StatusCode, retry_after: Option<Duration>) -> Option<Duration> {
        match status.as_u16() {
            429 if self.is_quota() => None,
            429 => Some(retry_after.unwrap_or(Duration::from_secs(1))),
            408 | 409 | 500..=599 => Some(retry_after.unwrap_or(Duration::from_millis(200))),
            _ => None,
        }
    }

    /// The answer in the one shape async-openai reads: plain text for a 5xx, OpenAI's error
    /// object with string fields otherwise.
    fn response(&self, status: StatusCode) -> reqwest::Response {
        if status.is_server_error() {
            return rebuilt(status, "text/plain", Bytes::from(self.message.clone()));
        }
        let or_null = |s: &str| if s.is_empty() { Value::Null } else { json!(s) };
        let body = json!({"error": {
            "message": self.message,
            "type": or_null(&self.kind),
            "param": null,
            "code": or_null(&self.code),
        }});
        rebuilt(status, "application/json", Bytes::from(body.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(status: u16, body: &[u8]) -> ErrorAnswer {
        ErrorAnswer::read(StatusCode::from_u16(status).unwrap(), body)
    }

    #[test]
    fn reads_error_answers_of_every_shape() {
        let quota = br#"{"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}"#;
        assert!(read(429, quota).is_quota());
        // LiteLLM: the status as a string code, a budget that is used up.
        let budget = read(
            400,
            br#"{"error": {"message": "Budget has been exceeded! Current cost: 1.2, Max budget: 1.0", "type": "budget_exceeded", "param": null, "code": "400"}}"#,
        );
        assert!(budget.is_quota() && budget.code == "400");
        let limited = read(
            429,
            br#"{"error": {"message": "Rate limit reached", "type": "tokens", "code": "rate_limit_exceeded"}}"#,
        );
        assert_eq!(limited.message, "Rate limit reached");
        assert_eq!(
            limited.retry_in(
                StatusCode::TOO_MANY_REQUESTS,
                Some(Duration::from_millis(1146))
            ),
            Some(Duration::from_millis(1146))
        );
        assert_eq!(
            read(429, quota).retry_in(StatusCode::TOO_MANY_REQUESTS, None),
            None
        );
        // vLLM: unwrapped, integer code.
        let vllm = read(
            404,
            br#"{"object": "error", "message": "model not found", "type": "NotFoundError", "code": 404}"#,
        );
        assert_eq!(
            (vllm.message.as_str(), vllm.code.as_str()),
            ("model not found", "404")
        );
        assert_eq!(vllm.retry_in(StatusCode::NOT_FOUND, None), None);
        assert_eq!(
            read(401, br#"{"error": "Unauthorized"}"#).message,
            "Unauthorized"
        );
        let plain = read(500, b"Internal Server Error");
        assert_eq!(plain.message, "Internal Server Error");
        assert!(
            plain
                .retry_in(StatusCode::INTERNAL_SERVER_ERROR, None)
                .is_some()
        );
        assert_eq!(read(400, b"{}").message, "HTTP 400");
        let long = "x".repeat(10_000);
        assert!(read(502, long.as_bytes()).message.len() <= 300);
    }

    #[test]
    fn reads_retry_after_headers() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "1.5".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(1500)));
        h.insert("retry-after-ms", "20".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(20)));
        let mut bad = HeaderMap::new();
        bad.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&bad), None);
        bad.insert("retry-after", "-3".parse().unwrap());
        assert_eq!(retry_after(&bad), None);
    }
}
