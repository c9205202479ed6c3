//! The client adapter: one call to the chat-completions endpoint, with one retry when the
//! server asks for one and the deadline leaves room; error answers and whole answers read
//! leniently.

use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;

use super::finish::{finished, refusal};
use super::stream::{Shown, read_stream};
use super::{LlmEngine, LlmError};
use crate::chat::engine::StreamSink;

/// Largest answer body read.
pub(super) const MAX_ANSWER_BYTES: usize = 1 << 20;
/// Longest wait before the one retry of a throttled or failed call.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(2);

impl LlmEngine {
    /// The model's wording of the turn, with one retry when the server asks for one and the
    /// deadline leaves room.
    pub(super) async fn words(
        &self,
        body: &Value,
        sink: Option<&StreamSink>,
    ) -> Result<String, LlmError> {
        let deadline = Instant::now() + Duration::from_secs(self.config.timeout_secs);
        let bytes = serde_json::to_vec(body).map_err(|e| LlmError::Malformed(e.to_string()))?;
        let mut retried = false;
        let mut shown = Shown::default();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let result = tokio::time::timeout(left, self.call(bytes.clone(), sink, &mut shown))
                .await
                .unwrap_or(Err(LlmError::Timeout));
            let wait = match &result {
                // Once the visitor saw part of a reply, a second one would not follow on.
                Err(e) if !retried && shown.sent.is_empty() => e.retry_in(),
                _ => None,
            };
            match wait {
                Some(wait)
                    if wait <= MAX_RETRY_WAIT
                        && wait + Duration::from_millis(500)
                            < deadline.saturating_duration_since(Instant::now()) =>
                {
                    retried = true;
                    tokio::time::sleep(wait).await;
                }
                _ => return result.and_then(|text| self.tidy(&text)),
            }
        }
    }

    async fn call(
        &self,
        body: Vec<u8>,
        sink: Option<&StreamSink>,
        shown: &mut Shown,
    ) -> Result<String, LlmError> {
        let mut request = self
            .http
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        if !self.api_key.is_empty() {
            request = request.bearer_auth(&self.api_key);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| LlmError::Transport(without_url(e)))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let event_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if (200..300).contains(&status) && event_stream {
            return read_stream(&mut response, sink, shown).await;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| LlmError::Transport(without_url(e)))?
        {
            if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(LlmError::Malformed(
                    "the answer is larger than 1 MiB".into(),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if (200..300).contains(&status) {
            read_answer(&bytes)
        } else {
            Err(classify(status, &bytes, retry_after))
        }
    }
}

/// A transport error without the URL (it may carry a key in a query string).
pub(super) fn without_url(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        e.without_url().to_string()
    }
}

/// `retry-after` (seconds, fractions allowed) or `retry-after-ms`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
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

/// An error answer: OpenAI's `{"error": {message, type, code}}`, the unwrapped and integer-code
/// shapes of other servers, or plain text.
pub fn classify(status: u16, body: &[u8], retry_after: Option<Duration>) -> LlmError {
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
        None if json.is_some() => String::new(),
        None => String::from_utf8_lossy(body).trim().to_owned(),
    };
    if message.is_empty() {
        message = format!("HTTP {status}");
    }
    let message = crate::lead::text::truncate(&message, 300).to_owned();
    let (code, kind) = (field("code"), field("type"));
    match status {
        401 | 403 => LlmError::Auth { status, message },
        429 if code == "insufficient_quota" || kind == "insufficient_quota" => {
            LlmError::Quota(message)
        }
        429 => LlmError::Status {
            status,
            message,
            retry: Some(retry_after.unwrap_or(Duration::from_secs(1))),
        },
        408 | 409 | 500..=599 => LlmError::Status {
            status,
            message,
            retry: Some(retry_after.unwrap_or(Duration::from_millis(200))),
        },
        _ => LlmError::Status {
            status,
            message,
            retry: None,
        },
    }
}

/// The text of a successful answer. Lenient where compatible servers differ (missing `id`,
/// `object` or `model`, an empty or unknown `finish_reason`, content as a list of parts); strict
/// where it matters (there must be a first choice with text).
pub fn read_answer(body: &[u8]) -> Result<String, LlmError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| LlmError::Malformed(format!("the answer is not JSON: {e}")))?;
    if let Some(message) = v["error"]["message"].as_str() {
        return Err(LlmError::Malformed(format!(
            "an error in a success answer: {}",
            crate::lead::text::truncate(message, 300)
        )));
    }
    let choice = v["choices"]
        .get(0)
        .ok_or_else(|| LlmError::Malformed("the answer has no choices".into()))?;
    let message = &choice["message"];
    if let Some(declined) = refusal(message) {
        return Err(declined);
    }
    let content = match &message["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str().or_else(|| p.as_str()))
            .collect::<Vec<_>>()
            .join(""),
        Value::Null if message["tool_calls"].is_array() => {
            return Err(LlmError::Malformed(
                "the model called a tool; none was offered".into(),
            ));
        }
        Value::Null => String::new(),
        other => {
            return Err(LlmError::Malformed(format!(
                "content is neither text nor parts: {}",
                kind_of(other)
            )));
        }
    };
    finished(content, choice["finish_reason"].as_str())
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(content: Value, finish: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}]
        }))
        .unwrap()
    }

    #[test]
    fn reads_text_and_content_parts() {
        assert_eq!(
            read_answer(&answer(json!("Hello!"), "stop")).unwrap(),
            "Hello!"
        );
        let parts = json!([{"type": "text", "text": "Guten "}, {"type": "text", "text": "Tag."}]);
        assert_eq!(read_answer(&answer(parts, "")).unwrap(), "Guten Tag.");
    }

    #[test]
    fn keeps_whole_sentences_of_a_cut_answer() {
        let cut = answer(
            json!("Merci ! Quel est votre budget ? Et votre cal"),
            "length",
        );
        assert_eq!(
            read_answer(&cut).unwrap(),
            "Merci ! Quel est votre budget ?"
        );
        assert_eq!(
            read_answer(&answer(json!("no sentence end"), "length")),
            Err(LlmError::Empty)
        );
    }

    #[test]
    fn refuses_what_is_not_a_reply() {
        for body in [
            b"<html>404</html>".to_vec(),
            b"{}".to_vec(),
            br#"{"choices": []}"#.to_vec(),
            br#"{"error": {"message": "overloaded"}}"#.to_vec(),
            br#"{"choices": [{"message": {"content": 42}}]}"#.to_vec(),
            br#"{"choices": [{"message": {"content": null, "tool_calls": []}}]}"#.to_vec(),
        ] {
            assert!(
                matches!(read_answer(&body), Err(LlmError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
        let refusal = br#"{"choices": [{"message": {"content": null, "refusal": "I can't help with that."}, "finish_reason": "stop"}]}"#;
        assert!(matches!(read_answer(refusal), Err(LlmError::Declined(_))));
        let filtered = answer(json!("x"), "content_filter");
        assert!(matches!(read_answer(&filtered), Err(LlmError::Declined(_))));
    }

    #[test]
    fn classifies_error_answers() {
        let quota = br#"{"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}"#;
        assert!(matches!(classify(429, quota, None), LlmError::Quota(_)));
        let limited = br#"{"error": {"message": "Rate limit reached", "type": "tokens", "code": "rate_limit_exceeded"}}"#;
        assert_eq!(
            classify(429, limited, Some(Duration::from_millis(1146))),
            LlmError::Status {
                status: 429,
                message: "Rate limit reached".into(),
                retry: Some(Duration::from_millis(1146)),
            }
        );
        assert!(matches!(
            classify(
                401,
                br#"{"error": {"message": "Incorrect API key provided"}}"#,
                None
            ),
            LlmError::Auth { status: 401, .. }
        ));
        // vLLM: unwrapped, integer code.
        let vllm = br#"{"object": "error", "message": "model not found", "type": "NotFoundError", "code": 404}"#;
        assert_eq!(
            classify(404, vllm, None),
            LlmError::Status {
                status: 404,
                message: "model not found".into(),
                retry: None
            }
        );
        let plain = classify(500, b"Internal Server Error", None);
        assert!(
            matches!(&plain, LlmError::Status { status: 500, message, retry: Some(_) } if message == "Internal Server Error")
        );
        let long = "x".repeat(10_000);
        assert!(classify(502, long.as_bytes(), None).to_string().len() < 400);
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
