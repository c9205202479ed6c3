//! The servers people run behind an OpenAI-compatible base URL, and how each one differs from
//! OpenAI where a client notices: the route and key header, the shape of error answers, and
//! how a failure in the middle of a stream is written. (How each shapes its answers is in
//! `shapes.rs`.) Each quirk names the source it follows; where that source is silent the
//! simulator answers as OpenAI does, and says so.
//!
//! Sources:
//! - Azure OpenAI: REST reference, learn.microsoft.com/azure/ai-services/openai/reference
//!   (`POST {endpoint}/openai/deployments/{deployment-id}/chat/completions?api-version=…`, the
//!   key in an `api-key` header); error bodies `{"error":{"code":"401","message":"Access denied
//!   due to invalid subscription key or wrong API endpoint…"}}` and 404 "Resource not found" /
//!   "DeploymentNotFound" as Azure answers them (Microsoft Q&A 1241073, 2225315).
//! - vLLM: vllm/entrypoints/openai/protocol.py `ErrorResponse{error: ErrorInfo{message, type,
//!   param, code: int}}` (the HTTP status as an integer `code`); api_server.py
//!   `AuthenticationMiddleware` answers `{"error": "Unauthorized"}`; serving_chat.py writes a
//!   failure mid-stream as `data: {"error": …}` followed by `data: [DONE]`.
//! - Ollama: openai/openai.go `NewError` (`type` invalid_request_error / not_found_error /
//!   api_error, `code` always null); no key is checked; middleware/openai.go `writeError` writes
//!   a failure mid-stream as a bare JSON line (no `data:`), and no `[DONE]`.
//! - llama.cpp's server: tools/server/utils.hpp `format_error_response` (`{"code": <int>,
//!   "message", "type"}` wrapped in `error`), "Invalid API Key" / authentication_error, "Loading
//!   model" / unavailable_error 503 while the model loads; `server_sent_event(sink, "error", …)`
//!   writes a failure mid-stream as an `error: {…}` SSE line, then `data: [DONE]`.
//! - LiteLLM proxy: litellm/proxy/_types.py `ProxyException` (`code` is `str(status)`, `type`
//!   and `param` the string "None" when unknown), auth_exception_handler.py (`budget_exceeded`,
//!   status 400), proxy_server.py `async_data_generator` (mid-stream `data: {"error": …}`, and
//!   the stream ends there).

use std::str::FromStr;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::errors;
use crate::shared::auth::authorization;
use crate::shared::http::{json, set_header};

/// Which server the simulator answers as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// api.openai.com.
    #[default]
    OpenAi,
    /// Azure OpenAI: deployment URLs, `api-version`, the `api-key` header.
    Azure,
    /// vLLM's OpenAI-compatible server.
    Vllm,
    /// Ollama's `/v1` endpoint as it is today.
    Ollama,
    /// Ollama before 0.1.37 (ollama/ollama#4357, fixed by #4368): every streamed chunk but the
    /// last says `"finish_reason": ""`.
    OllamaLegacy,
    /// llama.cpp's `llama-server`.
    LlamaCpp,
    /// The LiteLLM proxy.
    LiteLlm,
}

/// What went wrong, for the server to say in its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    BadRequest,
    Auth,
    NotFound,
    RateLimited,
    Quota,
    /// A LiteLLM key, team or user past its budget.
    Budget,
    Server,
    /// The model is still loading (llama.cpp) or the server is overloaded.
    Unavailable,
}

impl Fault {
    fn status(self) -> StatusCode {
        match self {
            Fault::BadRequest | Fault::Budget => StatusCode::BAD_REQUEST,
            Fault::Auth => StatusCode::UNAUTHORIZED,
            Fault::NotFound => StatusCode::NOT_FOUND,
            Fault::RateLimited | Fault::Quota => StatusCode::TOO_MANY_REQUESTS,
            Fault::Server => StatusCode::INTERNAL_SERVER_ERROR,
            Fault::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl Flavor {
    /// Every flavor, in the order the CLI lists them.
    pub const ALL: [Flavor; 7] = [
        Flavor::OpenAi,
        Flavor::Azure,
        Flavor::Vllm,
        Flavor::Ollama,
        Flavor::OllamaLegacy,
        Flavor::LlamaCpp,
        Flavor::LiteLlm,
    ];

    /// The name `--openai-flavor` takes.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::OpenAi => "openai",
            Flavor::Azure => "azure",
            Flavor::Vllm => "vllm",
            Flavor::Ollama => "ollama",
            Flavor::OllamaLegacy => "ollama-0.1",
            Flavor::LlamaCpp => "llama.cpp",
            Flavor::LiteLlm => "litellm",
        }
    }

    /// Whether the key is checked, and the answer when it is missing or wrong.
    pub(crate) fn refuse_key(self, headers: &HeaderMap, key: &str) -> Option<Response> {
        let bearer = authorization(headers, "Bearer");
        match self {
            Flavor::OpenAi => match bearer {
                None => Some(errors::missing_key()),
                Some(given) if given != key => Some(errors::invalid_key(given)),
                Some(_) => None,
            },
            // An API key goes in `api-key`; a bearer token would have to be an Entra ID token.
            Flavor::Azure => {
                let given = headers.get("api-key").and_then(|v| v.to_str().ok());
                (given != Some(key)).then(|| self.error(Fault::Auth, ""))
            }
            // Ollama checks no key (docs/openai.md: `api_key='ollama', # required, but unused`).
            Flavor::Ollama | Flavor::OllamaLegacy => None,
            Flavor::Vllm | Flavor::LlamaCpp | Flavor::LiteLlm => {
                (bearer != Some(key)).then(|| self.error(Fault::Auth, ""))
            }
        }
    }

    /// The error answer for `fault`, with `message` where the server words it itself; a rate
    /// limit says `retry_after_secs`.
    pub(crate) fn error_after(
        self,
        fault: Fault,
        message: &str,
        retry_after_secs: u64,
    ) -> Response {
        let status = fault.status();
        let mut response = match self {
            Flavor::OpenAi => openai_error(fault, message, retry_after_secs),
            Flavor::Azure => azure_error(fault, message),
            Flavor::Vllm => match fault {
                Fault::Auth => json(status, &json!({"error": "Unauthorized"})),
                _ => json(
                    status,
                    &json!({"error": {"message": message, "type": vllm_type(fault), "param": null, "code": status.as_u16()}}),
                ),
            },
            Flavor::Ollama | Flavor::OllamaLegacy => {
                let kind = match status.as_u16() {
                    400 => "invalid_request_error",
                    404 => "not_found_error",
                    _ => "api_error",
                };
                json(
                    status,
                    &json!({"error": {"message": message, "type": kind, "param": null, "code": null}}),
                )
            }
            Flavor::LlamaCpp => {
                let (message, kind) = match fault {
                    Fault::Auth => ("Invalid API Key", "authentication_error"),
                    Fault::Unavailable => ("Loading model", "unavailable_error"),
                    Fault::BadRequest | Fault::Budget => (message, "invalid_request_error"),
                    Fault::NotFound => (message, "not_found_error"),
                    _ => (message, "server_error"),
                };
                json(
                    status,
                    &json!({"error": {"code": status.as_u16(), "message": message, "type": kind}}),
                )
            }
            Flavor::LiteLlm => {
                let (message, kind) = match fault {
                    Fault::Auth => (
                        "Authentication Error, Invalid proxy server token passed. Received API Key = sk-...ng, Key Hash (Token) =0f3b…",
                        "auth_error",
                    ),
                    Fault::Budget => (
                        "Budget has been exceeded! Current cost: 10.0021, Max budget: 10.0",
                        "budget_exceeded",
                    ),
                    _ => (message, "None"),
                };
                json(
                    status,
                    &json!({"error": {"message": message, "type": kind, "param": "None", "code": status.as_u16().to_string()}}),
                )
            }
        };
        if fault == Fault::RateLimited {
            // Azure also sends `retry-after-ms` (the non-standard header openai-python reads
            // first for Azure); the others relay or send `retry-after` alone.
            set_header(&mut response, "retry-after", retry_after_secs);
            if self == Flavor::Azure {
                set_header(&mut response, "retry-after-ms", retry_after_secs * 1000);
            }
        }
        response
    }

    /// [`Flavor::error_after`] with no wait.
    pub(crate) fn error(self, fault: Fault, message: &str) -> Response {
        self.error_after(fault, message, 0)
    }

    /// A failure after part of a stream was sent, framed as this server frames it, and whether
    /// `data: [DONE]` follows.
    pub(crate) fn stream_error(self, message: &str) -> (String, bool) {
        let body = |flavor: Flavor| error_body(flavor, Fault::Server, message);
        match self {
            Flavor::Vllm => (format!("data: {}\n\n", body(self)), true),
            Flavor::LlamaCpp => (format!("error: {}\n\n", body(self)["error"]), true),
            Flavor::Ollama | Flavor::OllamaLegacy => (format!("{}\n", body(self)), false),
            Flavor::LiteLlm => (format!("data: {}\n\n", body(self)), false),
            // OpenAI's and Azure's docs do not say how a stream fails midway; an error event
            // and a closed connection, as community reports show.
            Flavor::OpenAi | Flavor::Azure => (
                format!(
                    "data: {}\n\n",
                    json!({"error": {"message": message, "type": "server_error", "param": null, "code": null}})
                ),
                false,
            ),
        }
    }

    /// The field a reasoning model's thinking is streamed and answered in, where the server
    /// exposes it: vLLM and llama.cpp `reasoning_content` (as DeepSeek), Ollama `reasoning`
    /// (openai.go `Message.Reasoning`), LiteLLM `reasoning_content`. OpenAI's and Azure's chat
    /// completions do not return reasoning text.
    pub(crate) fn reasoning_field(self) -> Option<&'static str> {
        match self {
            Flavor::Vllm | Flavor::LlamaCpp | Flavor::LiteLlm => Some("reasoning_content"),
            Flavor::Ollama | Flavor::OllamaLegacy => Some("reasoning"),
            Flavor::OpenAi | Flavor::Azure => None,
        }
    }
}

/// The JSON error body of `fault` (for the flavors whose errors are JSON).
fn error_body(flavor: Flavor, fault: Fault, message: &str) -> Value {
    let status = fault.status().as_u16();
    match flavor {
        Flavor::Vllm => {
            json!({"error": {"message": message, "type": vllm_type(fault), "param": null, "code": status}})
        }
        Flavor::LlamaCpp => {
            json!({"error": {"code": status, "message": message, "type": "server_error"}})
        }
        Flavor::Ollama | Flavor::OllamaLegacy => {
            json!({"error": {"message": message, "type": "api_error", "param": null, "code": null}})
        }
        Flavor::LiteLlm => {
            json!({"error": {"message": message, "type": "None", "param": "None", "code": status.to_string()}})
        }
        Flavor::OpenAi | Flavor::Azure => json!({"error": {"message": message}}),
    }
}

/// vLLM's `err_type` names (serving_engine.py `create_error_response`).
fn vllm_type(fault: Fault) -> &'static str {
    match fault {
        Fault::NotFound => "NotFoundError",
        Fault::Server => "InternalServerError",
        Fault::Unavailable => "ServiceUnavailableError",
        _ => "BadRequestError",
    }
}

fn openai_error(fault: Fault, message: &str, retry_after_secs: u64) -> Response {
    match fault {
        Fault::Auth => errors::invalid_key("sk-***"),
        Fault::RateLimited => errors::rate_limited(retry_after_secs),
        Fault::Quota | Fault::Budget => errors::insufficient_quota(),
        Fault::Server | Fault::Unavailable => errors::server_error(fault.status()),
        Fault::BadRequest | Fault::NotFound => {
            errors::error(fault.status(), message, "invalid_request_error", None, None)
        }
    }
}

/// Azure's errors: `code` is a string (the status, or a name such as `DeploymentNotFound`).
fn azure_error(fault: Fault, message: &str) -> Response {
    let status = fault.status();
    let (code, message) = match fault {
        Fault::Auth => (
            "401".to_owned(),
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.".to_owned(),
        ),
        Fault::RateLimited => (
            "429".to_owned(),
            "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.".to_owned(),
        ),
        _ if message.is_empty() => (status.as_u16().to_string(), "Resource not found".into()),
        _ => (status.as_u16().to_string(), message.to_owned()),
    };
    json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

impl FromStr for Flavor {
    type Err = String;

    fn from_str(name: &str) -> Result<Flavor, String> {
        Flavor::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let names: Vec<&str> = Flavor::ALL.iter().map(|f| f.name()).collect();
                format!("unknown server `{name}`: one of {}", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for flavor in Flavor::ALL {
            assert_eq!(flavor.name().parse::<Flavor>(), Ok(flavor));
        }
        assert!(
            "gemini"
                .parse::<Flavor>()
                .unwrap_err()
                .contains("llama.cpp")
        );
    }

    #[test]
    fn stream_errors_are_framed_as_each_server_frames_them() {
        let (llama, done) = Flavor::LlamaCpp.stream_error("context size exceeded");
        assert!(llama.starts_with("error: {\"code\":500") && done);
        let (ollama, done) = Flavor::Ollama.stream_error("boom");
        assert!(ollama.starts_with("{\"error\"") && !done);
        let (litellm, done) = Flavor::LiteLlm.stream_error("boom");
        assert!(litellm.contains("\"code\":\"500\"") && !done);
    }
}
