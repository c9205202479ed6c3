//! OpenAI-compatible chat-completions simulator: `POST /v1/chat/completions`, non-streaming
//! and SSE streaming (`stream: true`, with `stream_options.include_usage`), text and tool-call
//! replies scripted by the test (a queue of [`Reply`]s, then a responder closure, then an echo),
//! the documented error bodies (401 `invalid_api_key`, 429 `rate_limit_exceeded` with
//! `retry-after` and `x-ratelimit-*`, 429 `insufficient_quota`, 500 plain text), and the
//! request checks async-openai users trip over (a `tool` message must answer a preceding
//! assistant `tool_calls`).
//!
//! [`Options::flavor`] makes it answer as another server people run behind an OpenAI-compatible
//! base URL — Azure OpenAI, vLLM, Ollama, llama.cpp's server, LiteLLM — with that server's
//! route, key header, answer and error shapes (see `flavor.rs` for each quirk and its source).

mod azure;
mod completions;
mod errors;
mod flavor;
mod shapes;
mod state;
mod stream;

pub use flavor::Flavor;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::SimError;
use crate::shared::handle::{SimHandle, common_methods};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;

/// How an [`OpenAiSim`] behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Listener address (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// Seed of the fault RNG (random when `None`).
    pub seed: Option<u64>,
    /// The accepted API key (`Authorization: Bearer …`).
    pub api_key: String,
    /// `retry-after` seconds on 429 rate-limit answers (0 keeps async-openai's retries fast).
    pub retry_after_secs: u64,
    /// Characters of content (or tool-call arguments) per streamed chunk.
    pub stream_chunk_chars: usize,
    /// Pause between streamed chunks.
    pub stream_chunk_delay: Duration,
    /// The server to answer as.
    pub flavor: Flavor,
    /// Azure: the one deployment that exists.
    pub deployment: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            api_key: "sk-test".into(),
            retry_after_secs: 0,
            stream_chunk_chars: 8,
            stream_chunk_delay: Duration::ZERO,
            flavor: Flavor::OpenAi,
            deployment: "gpt-4o-mini".into(),
        }
    }
}

/// A function call the assistant makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// `call_…` id the `tool` answer must quote.
    pub id: String,
    /// Function name.
    pub name: String,
    /// Arguments as a JSON string (sent as-is, even if it is not valid JSON).
    pub arguments: String,
}

impl ToolCall {
    /// A call with a fresh id.
    pub fn new(name: impl Into<String>, arguments: impl Into<String>) -> Self {
        ToolCall {
            id: format!("call_{}", &uuid::Uuid::new_v4().simple().to_string()[..24]),
            name: name.into(),
            arguments: arguments.into(),
        }
    }
}

/// What the simulated model answers to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Assistant text (`finish_reason: "stop"`).
    Text(String),
    /// A reasoning model's answer: its thinking in the field the server uses for it (none on
    /// OpenAI and Azure), then the text.
    Reasoning {
        /// The thinking.
        thinking: String,
        /// The reply.
        text: String,
    },
    /// Text cut at `max_tokens` (`finish_reason: "length"`).
    Cut(String),
    /// Text stopped by Azure's content filter (`finish_reason: "content_filter"`).
    Filtered(String),
    /// A stream that fails after `text`, written as the server writes such a failure; a
    /// whole answer is the server's 500.
    StreamError {
        /// What was streamed before.
        text: String,
        /// The server's error message.
        message: String,
    },
    /// 503: llama.cpp's "Loading model", or the server's own overload answer.
    Unavailable,
    /// LiteLLM: a key, team or user past its budget (400 `budget_exceeded`); other servers
    /// answer as with [`Reply::InsufficientQuota`].
    BudgetExceeded,
    /// Function calls (`content: null`, `finish_reason: "tool_calls"`).
    ToolCalls(Vec<ToolCall>),
    /// A refusal (`message.refusal`, `finish_reason: "stop"`).
    Refusal(String),
    /// 429 `rate_limit_exceeded` with `retry-after` and `x-ratelimit-*` headers.
    RateLimited,
    /// 429 `insufficient_quota` (permanent).
    InsufficientQuota,
    /// 500 with a plain-text body.
    ServerError,
    /// Any status and body, sent verbatim (for non-conforming servers' answers).
    Raw {
        /// HTTP status.
        status: u16,
        /// `Content-Type`.
        content_type: String,
        /// Body.
        body: String,
    },
}

/// A received chat-completions request, as the responder sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The JSON body.
    pub body: Value,
}

impl ChatRequest {
    /// `messages`.
    pub fn messages(&self) -> &[Value] {
        self.body["messages"].as_array().map_or(&[], Vec::as_slice)
    }

    /// Text of the last `user` message.
    pub fn last_user_message(&self) -> Option<&str> {
        self.messages()
            .iter()
            .rev()
            .find(|m| m["role"] == "user")
            .and_then(|m| m["content"].as_str())
    }

    /// Role of the last message (`"tool"` after tool results were sent).
    pub fn last_role(&self) -> Option<&str> {
        self.messages().last().and_then(|m| m["role"].as_str())
    }

    /// Whether a streamed answer was asked for.
    pub fn stream(&self) -> bool {
        self.body["stream"].as_bool().unwrap_or(false)
    }

    /// Names of the offered tools.
    pub fn tool_names(&self) -> Vec<&str> {
        self.body["tools"]
            .as_array()
            .map(|tools| {
                tools
                    .iter()
                    .filter_map(|t| t["function"]["name"].as_str())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A running OpenAI-compatible simulator. Configure clients with base URL
/// [`OpenAiSim::api_base`] (`http://127.0.0.1:PORT/v1`). Received requests are the records of
/// type `requests`.
pub struct OpenAiSim {
    handle: SimHandle,
    state: Arc<state::OpenAi>,
}

fn router(openai: Arc<state::OpenAi>) -> Router {
    let shared: Arc<dyn Vendor> = openai.clone();
    let routes = match openai.options.flavor {
        Flavor::Azure => Router::new().route(
            "/openai/deployments/{deployment}/chat/completions",
            post(azure::create),
        ),
        _ => Router::new()
            .route("/v1/chat/completions", post(completions::create))
            .route("/v1/models", get(completions::models)),
    };
    routes
        .fallback(errors::no_route)
        .layer(from_fn_with_state(shared, pipeline::latency))
        .with_state(openai)
}

impl OpenAiSim {
    /// Bind and start serving.
    pub async fn start(options: Options) -> Result<Self, SimError> {
        let addr = options.addr;
        let (handle, state) =
            SimHandle::start(addr, |_| state::OpenAi::new(options), router).await?;
        Ok(OpenAiSim { handle, state })
    }

    common_methods!();

    /// `base_url()` + `/v1`: what `OpenAIConfig::with_api_base` wants; for Azure the resource
    /// endpoint, `base_url()` itself.
    pub fn api_base(&self) -> String {
        match self.state.options.flavor {
            Flavor::Azure => self.base_url().to_string(),
            _ => format!("{}/v1", self.base_url()),
        }
    }

    /// The server it answers as.
    pub fn flavor(&self) -> Flavor {
        self.state.options.flavor
    }

    /// The accepted API key.
    pub fn api_key(&self) -> &str {
        &self.state.options.api_key
    }

    /// Queue a reply; queued replies are used first, oldest first.
    pub fn push_reply(&self, reply: Reply) {
        self.state.push(reply);
    }

    /// Answer requests the queue does not cover with `responder`.
    pub fn set_responder(&self, responder: impl Fn(&ChatRequest) -> Reply + Send + Sync + 'static) {
        self.state.set_responder(Box::new(responder));
    }

    /// Answer with a function of the last user message.
    pub fn respond_to_user(&self, responder: impl Fn(&str) -> Reply + Send + Sync + 'static) {
        self.set_responder(move |request| {
            responder(request.last_user_message().unwrap_or_default())
        });
    }

    /// Every accepted request body, oldest first.
    pub fn requests(&self) -> Vec<Value> {
        self.state.requests()
    }

    /// Base URL and credentials as JSON.
    pub fn describe(&self) -> Value {
        json!({"base_url": self.base_url(), "api_base": self.api_base(), "api_key": self.api_key(),
               "flavor": self.flavor().name(), "deployment": self.state.options.deployment})
    }
}
