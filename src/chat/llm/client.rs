//! The client adapter: the chat-completions call through async-openai with the engine's own
//! request and lenient answer types (`byot`), and what its errors mean for the engine.

use std::time::Duration;

use async_openai::Client;
use async_openai::config::{AzureConfig, Config, OpenAIConfig};
use async_openai::error::OpenAIError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::LlmError;
use super::finish::{finished, refusal};
use super::transport::{ErrorAnswer, Transport};
use crate::config::{LlmConfig, Provider};

/// An async-openai client for the configured server.
pub(super) type Api = Client<Box<dyn Config>>;

/// The clients of one engine: one for whole answers, one for streams.
pub(super) struct Clients {
    pub whole: Api,
    pub streamed: Api,
}

impl Clients {
    pub(super) fn new(config: &LlmConfig, api_key: &str) -> Result<Clients, SetupError> {
        // async-openai builds the key's header with `parse().unwrap()` on every call: a key it
        // cannot parse would panic there, so it is refused here.
        if !api_key
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        {
            return Err(SetupError::Key);
        }
        let timeout = Duration::from_secs(config.timeout_secs);
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .tcp_nodelay(true)
            .build()?;
        let api =
            |streaming| {
                Client::build(http.clone(), target(config, api_key))
                    .with_http_service(Transport::new(http.clone(), timeout, streaming))
            };
        Ok(Clients {
            whole: api(false),
            streamed: api(true),
        })
    }
}

/// Why an engine cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error(
        "the API key holds a line break or another character that is not printable ASCII, which an HTTP header cannot carry as it is"
    )]
    Key,
}

/// Where requests go and how they are signed: any OpenAI-compatible base URL (up to and
/// including `/v1`) with a bearer key, or an Azure deployment with its `api-version` and the key
/// in `api-key` (async-openai's `AzureConfig`).
fn target(config: &LlmConfig, api_key: &str) -> Box<dyn Config> {
    let base = config.base_url.trim_end_matches('/');
    match config.provider {
        Provider::Openai => Box::new(
            OpenAIConfig::new()
                .with_api_base(base)
                .with_api_key(api_key),
        ),
        Provider::Azure => Box::new(
            AzureConfig::new()
                .with_api_base(base)
                .with_deployment_id(config.azure_deployment.as_deref().unwrap_or_default())
                .with_api_version(config.api_version.as_deref().unwrap_or_default())
                .with_api_key(api_key),
        ),
    }
}

/// The chat-completions request the engine sends.
#[derive(Debug, Clone, Serialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    pub temperature: f64,
    pub max_tokens: u32,
    pub stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
}

/// One message of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

/// `stream_options`: the usage chunk at the end of a stream.
#[derive(Debug, Clone, Serialize)]
pub struct StreamOptions {
    pub include_usage: bool,
}

/// A whole answer or one streamed chunk, read leniently where compatible servers differ (no
/// `id`, `object`, `model` or `created`, an empty or unknown `finish_reason`, content as a list of
/// parts, an error object with an integer code) and strictly where it matters (content is text
/// or parts).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Answer {
    pub choices: Vec<Choice>,
    pub usage: Option<Usage>,
    pub error: Option<Value>,
}

/// One choice: `message` in a whole answer, `delta` in a chunk.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Choice {
    pub message: Option<Said>,
    pub delta: Option<Said>,
    pub finish_reason: Option<String>,
}

impl Choice {
    /// What the choice says, whole or in part.
    pub(super) fn said(&self) -> Result<String, LlmError> {
        match (&self.message, &self.delta) {
            (Some(said), _) | (None, Some(said)) => said.text(),
            (None, None) => Ok(String::new()),
        }
    }

    /// How it finished: a whole message without a reason finished all the same.
    pub(super) fn finish(&self) -> Option<&str> {
        match self.finish_reason.as_deref().filter(|f| !f.is_empty()) {
            None if self.message.is_some() => Some("stop"),
            reason => reason,
        }
    }
}

/// What the assistant says in a message or delta.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Said {
    pub content: Option<Content>,
    pub refusal: Option<String>,
    pub tool_calls: Option<Vec<Value>>,
}

/// Content: text, or a list of parts (text parts are joined).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Content {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Part {
    Text(String),
    Object {
        #[serde(default)]
        text: Option<String>,
    },
}

/// Tokens an answer used, as the server counts them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

impl Usage {
    /// Tokens in all.
    pub fn total(&self) -> u64 {
        self.total_tokens
            .max(self.prompt_tokens + self.completion_tokens)
    }
}

impl Said {
    /// The text said, or why this is not a reply (a refusal, a tool call).
    pub(super) fn text(&self) -> Result<String, LlmError> {
        if let Some(declined) = refusal(self.refusal.as_deref()) {
            return Err(declined);
        }
        if self.tool_calls.is_some() && self.content.is_none() {
            return Err(LlmError::Malformed(
                "the model called a tool; none was offered".into(),
            ));
        }
        Ok(match &self.content {
            Some(Content::Text(text)) => text.clone(),
            Some(Content::Parts(parts)) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Text(text) => Some(text.as_str()),
                    Part::Object { text } => text.as_deref(),
                })
                .collect(),
            None => String::new(),
        })
    }
}

impl Answer {
    /// The error a success answer carries, if any.
    pub(super) fn carried_error(&self) -> Option<String> {
        let error = self.error.as_ref()?;
        let message = error["message"]
            .as_str()
            .or_else(|| error.as_str())
            .unwrap_or("an error object");
        Some(crate::lead::text::truncate(message, 300).to_owned())
    }

    /// The text of a whole answer.
    pub(super) fn reply(&self) -> Result<String, LlmError> {
        if let Some(message) = self.carried_error() {
            return Err(LlmError::Malformed(format!(
                "an error in a success answer: {message}"
            )));
        }
        let choice = self
            .choices
            .first()
            .ok_or_else(|| LlmError::Malformed("the answer has no choices".into()))?;
        finished(choice.said()?, choice.finish())
    }
}

/// What an async-openai error means for the engine.
pub(super) fn from_openai(error: OpenAIError) -> LlmError {
    match error {
        OpenAIError::ApiError(e) => {
            let status = e.status_code.as_u16();
            let answer = ErrorAnswer {
                message: e.api_error.message,
                kind: e.api_error.r#type.unwrap_or_default(),
                code: e.api_error.code.unwrap_or_default(),
            };
            match status {
                401 | 403 => LlmError::Auth {
                    status,
                    message: answer.message,
                },
                _ if answer.is_quota() => LlmError::Quota(answer.message),
                _ => LlmError::Status {
                    status,
                    message: answer.message,
                },
            }
        }
        OpenAIError::Reqwest(e) => LlmError::Transport(without_url(&e)),
        OpenAIError::JSONDeserialize(e, _) => {
            LlmError::Malformed(format!("the answer is not a chat completion: {e}"))
        }
        OpenAIError::StreamError(e) => LlmError::Transport(format!("the stream broke off: {e}")),
        other => LlmError::Malformed(other.to_string()),
    }
}

/// A transport error without the URL (it may carry a key in a query string).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else if e.is_request() {
        "the request failed".to_owned()
    } else {
        "the answer broke off".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(body: &[u8]) -> Result<String, LlmError> {
        serde_json::from_slice::<Answer>(body)
            .map_err(|e| LlmError::Malformed(e.to_string()))?
            .reply()
    }

    fn answer(content: Value, finish: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}]
        }))
        .unwrap()
    }

    #[test]
    fn reads_text_and_content_parts() {
        assert_eq!(read(&answer(json!("Hello!"), "stop")).unwrap(), "Hello!");
        let parts = json!([{"type": "text", "text": "Guten "}, {"type": "text", "text": "Tag."}]);
        assert_eq!(read(&answer(parts, "")).unwrap(), "Guten Tag.");
    }

    #[test]
    fn keeps_whole_sentences_of_a_cut_answer() {
        let cut = answer(
            json!("Merci ! Quel est votre budget ? Et votre cal"),
            "length",
        );
        assert_eq!(read(&cut).unwrap(), "Merci ! Quel est votre budget ?");
        assert_eq!(
            read(&answer(json!("no sentence end"), "length")),
            Err(LlmError::Empty)
        );
    }

    #[test]
    fn refuses_what_is_not_a_reply() {
        for body in [
            b"<html>404</html>".to_vec(),
            b"{}".to_vec(),
            br#"{"choices": []}"#.to_vec(),
            br#"{"error": {"message": "overloaded", "code": 503}}"#.to_vec(),
            br#"{"choices": [{"message": {"content": 42}}]}"#.to_vec(),
            br#"{"choices": [{"message": {"content": null, "tool_calls": []}}]}"#.to_vec(),
        ] {
            assert!(
                matches!(read(&body), Err(LlmError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
        let refusal = br#"{"choices": [{"message": {"content": null, "refusal": "I can't help with that."}, "finish_reason": "stop"}]}"#;
        assert!(matches!(read(refusal), Err(LlmError::Declined(_))));
        let filtered = answer(json!("x"), "content_filter");
        assert!(matches!(read(&filtered), Err(LlmError::Declined(_))));
    }

    #[test]
    fn reads_usage_when_the_server_counts() {
        let body = br#"{"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5}}"#;
        let usage = serde_json::from_slice::<Answer>(body)
            .unwrap()
            .usage
            .unwrap();
        assert_eq!(usage.total(), 15);
    }
}
