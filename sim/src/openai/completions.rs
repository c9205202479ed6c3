//! `POST /v1/chat/completions` (and `GET /v1/models`): authentication, request checks, the
//! scripted reply, and the `chat.completion` body (or the SSE stream).

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::errors;
use super::flavor::{Fault, Flavor};
use super::state::OpenAi;
use super::{ChatRequest, Reply, ToolCall, shapes, stream};
use crate::shared::http::{self, json};
use crate::shared::stats::RateLimited;

/// `system_fingerprint` of every answer.
pub(crate) const FINGERPRINT: &str = "fp_sim0000001";

/// What the assistant says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Content {
    Text(String),
    Refusal(String),
    ToolCalls(Vec<ToolCall>),
    /// Text cut at `max_tokens` (`finish_reason: "length"`).
    Cut(String),
    /// Text the content filter stopped (`finish_reason: "content_filter"`).
    Filtered(String),
}

/// One completion, before rendering.
#[derive(Debug, Clone)]
pub(crate) struct Completion {
    pub id: String,
    pub created: i64,
    pub model: String,
    pub content: Content,
    /// A reasoning model's thinking, sent where the server exposes it.
    pub reasoning: Option<String>,
    pub flavor: Flavor,
    pub prompt_tokens: u64,
    pub include_usage: bool,
}

/// A rough token count: one per four characters, at least one.
fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64 / 4).max(1)
}

impl Completion {
    /// `finish_reason`.
    pub(crate) fn finish_reason(&self) -> &'static str {
        match self.content {
            Content::ToolCalls(_) => "tool_calls",
            Content::Cut(_) => "length",
            Content::Filtered(_) => "content_filter",
            _ => "stop",
        }
    }

    /// The `usage` object.
    pub(crate) fn usage(&self) -> Value {
        let completion = match &self.content {
            Content::Text(text)
            | Content::Refusal(text)
            | Content::Cut(text)
            | Content::Filtered(text) => tokens(text),
            Content::ToolCalls(calls) => calls.iter().map(|c| tokens(&c.arguments) + 5).sum(),
        };
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        })
    }

    /// The non-streaming `chat.completion` body.
    pub(crate) fn body(&self) -> Value {
        let mut message =
            json!({"role": "assistant", "content": null, "refusal": null, "annotations": []});
        match &self.content {
            Content::Text(text) | Content::Cut(text) => message["content"] = json!(text),
            // What the filter stopped is not sent.
            Content::Filtered(_) => {}
            Content::Refusal(refusal) => message["refusal"] = json!(refusal),
            Content::ToolCalls(calls) => {
                let calls: Vec<Value> = calls
                    .iter()
                    .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
                    .collect();
                message["tool_calls"] = Value::Array(calls);
            }
        }
        if let (Some(thinking), Some(field)) = (&self.reasoning, self.flavor.reasoning_field()) {
            message[field] = json!(thinking);
        }
        let mut body = json!({
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": self.finish_reason()}],
            "usage": self.usage(),
            "service_tier": "default",
            "system_fingerprint": FINGERPRINT,
        });
        shapes::whole(
            self.flavor,
            &mut body,
            matches!(self.content, Content::Filtered(_)),
        );
        body
    }
}

const ROLES: &[&str] = &["system", "developer", "user", "assistant", "tool"];

/// Why a request is refused: the message and the offending parameter.
type Refusal = (String, Option<String>);

fn refusal(message: &str, param: Option<&str>) -> Refusal {
    (message.to_owned(), param.map(str::to_owned))
}

/// Check the request the way OpenAI does (Azure takes the model from the deployment).
fn check(body: &Value, flavor: Flavor) -> Result<(), Refusal> {
    if flavor != Flavor::Azure && body["model"].as_str().is_none_or(str::is_empty) {
        return Err(refusal("you must provide a model parameter", None));
    }
    let Some(messages) = body["messages"].as_array().filter(|m| !m.is_empty()) else {
        return Err(refusal("[] is too short - 'messages'", Some("messages")));
    };
    let mut pending: HashSet<String> = HashSet::new();
    for (index, message) in messages.iter().enumerate() {
        let role = message["role"].as_str().unwrap_or_default();
        if !ROLES.contains(&role) {
            return Err(refusal(
                &format!(
                    "Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function', and 'developer'."
                ),
                Some(&format!("messages.[{index}].role")),
            ));
        }
        if role == "tool" {
            let id = message["tool_call_id"].as_str().unwrap_or_default();
            if !pending.remove(id) {
                return Err(refusal(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                    Some(&format!("messages.[{index}].role")),
                ));
            }
            continue;
        }
        if !pending.is_empty() {
            let mut missing: Vec<&String> = pending.iter().collect();
            missing.sort();
            let missing: Vec<&str> = missing.into_iter().map(String::as_str).collect();
            return Err(refusal(
                &format!(
                    "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {}",
                    missing.join(", ")
                ),
                Some("messages"),
            ));
        }
        if role == "assistant"
            && let Some(calls) = message["tool_calls"].as_array()
        {
            pending.extend(
                calls
                    .iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_owned)),
            );
        }
    }
    Ok(())
}

fn prompt_tokens(body: &Value) -> u64 {
    body["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .map(|m| m["content"].as_str().map_or(1, tokens) + 4)
                .sum()
        })
        .unwrap_or(1)
}

/// `POST /v1/chat/completions`.
pub(crate) async fn create(
    State(openai): State<Arc<OpenAi>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(&openai, &headers, &body).await
}

/// Authentication, the request checks, the scripted reply, and the answer as the flavor
/// sends it.
pub(crate) async fn answer(openai: &OpenAi, headers: &HeaderMap, body: &[u8]) -> Response {
    let flavor = openai.options.flavor;
    if flavor != Flavor::Azure
        && let Some(refused) = flavor.refuse_key(headers, &openai.options.api_key)
    {
        return refused;
    }
    let body: Value = match serde_json::from_slice(body) {
        Ok(body @ Value::Object(_)) => body,
        _ => {
            return bad_request(
                flavor,
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
                None,
            );
        }
    };
    if let Err((message, param)) = check(&body, flavor) {
        return bad_request(flavor, &message, param.as_deref());
    }
    openai.record(&body);
    let request = ChatRequest { body };
    let mut reasoning = None;
    let mut stream_error = None;
    let content = match openai.next_reply(&request) {
        Reply::Text(text) => Content::Text(text),
        Reply::Reasoning { thinking, text } => {
            reasoning = Some(thinking);
            Content::Text(text)
        }
        Reply::Cut(text) => Content::Cut(text),
        Reply::Filtered(text) => Content::Filtered(text),
        Reply::Refusal(refusal) => Content::Refusal(refusal),
        Reply::ToolCalls(calls) => Content::ToolCalls(calls),
        Reply::StreamError { text, message } => {
            if !request.stream() {
                return flavor.error(Fault::Server, &message);
            }
            stream_error = Some(message);
            Content::Text(text)
        }
        Reply::RateLimited => {
            let mut response = flavor.error_after(
                Fault::RateLimited,
                "Too Many Requests",
                openai.options.retry_after_secs,
            );
            response.extensions_mut().insert(RateLimited);
            return response;
        }
        reply @ (Reply::InsufficientQuota | Reply::BudgetExceeded) => {
            let fault = match reply {
                Reply::BudgetExceeded => Fault::Budget,
                _ => Fault::Quota,
            };
            let mut response = flavor.error(fault, "");
            response.extensions_mut().insert(RateLimited);
            return response;
        }
        Reply::ServerError => {
            return flavor.error(
                Fault::Server,
                "The server had an error while processing your request. Sorry about that!",
            );
        }
        Reply::Unavailable => return flavor.error(Fault::Unavailable, "Service Unavailable"),
        Reply::Raw {
            status,
            content_type,
            body,
        } => {
            let mut response = http::text(http::status(status), &body);
            http::set_header(&mut response, "content-type", content_type);
            return response;
        }
    };
    let completion = Completion {
        id: format!(
            "chatcmpl-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..24]
        ),
        created: OffsetDateTime::now_utc().unix_timestamp(),
        model: request.body["model"]
            .as_str()
            .unwrap_or(openai.options.deployment.as_str())
            .to_owned(),
        content,
        reasoning,
        flavor,
        prompt_tokens: prompt_tokens(&request.body),
        include_usage: request.body["stream_options"]["include_usage"]
            .as_bool()
            .unwrap_or(false),
    };
    let mut response = if request.stream() {
        let events = stream::chunks(&completion, openai.options.stream_chunk_chars);
        let filtered = matches!(completion.content, Content::Filtered(_));
        let events = shapes::chunks(flavor, events, filtered);
        let frames = match stream_error {
            Some(message) => stream::broken_off(events, flavor, &message),
            None => stream::framed(events),
        };
        stream::respond(frames, openai.options.stream_chunk_delay)
    } else {
        json(StatusCode::OK, &completion.body())
    };
    if flavor == Flavor::OpenAi {
        errors::limit_headers(&mut response, 150_000);
    }
    response
}

/// A 400 as `flavor` words it.
fn bad_request(flavor: Flavor, message: &str, param: Option<&str>) -> Response {
    match flavor {
        Flavor::OpenAi => errors::bad_request(message, param),
        _ => flavor.error(Fault::BadRequest, message),
    }
}

/// `GET /v1/models`.
pub(crate) async fn models() -> Response {
    let created = 1_721_172_741;
    let models: Vec<Value> = ["gpt-4o-mini", "gpt-4o"]
        .iter()
        .map(|id| json!({"id": id, "object": "model", "created": created, "owned_by": "system"}))
        .collect();
    json(StatusCode::OK, &json!({"object": "list", "data": models}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(messages: Value) -> Value {
        json!({"model": "gpt-4o-mini", "messages": messages})
    }

    #[test]
    fn tool_messages_must_answer_tool_calls() {
        let ok = request(json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "done"},
            {"role": "user", "content": "thanks"}
        ]));
        assert!(check(&ok, Flavor::OpenAi).is_ok());
        let orphan = request(
            json!([{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "call_9", "content": "x"}]),
        );
        assert!(check(&orphan, Flavor::OpenAi).is_err());
        let unanswered = request(json!([
            {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "user", "content": "hi"}
        ]));
        assert!(check(&unanswered, Flavor::OpenAi).is_err());
        assert!(
            check(
                &json!({"messages": [{"role": "user", "content": "x"}]}),
                Flavor::OpenAi
            )
            .is_err()
        );
        assert!(
            check(
                &json!({"messages": [{"role": "user", "content": "x"}]}),
                Flavor::Azure
            )
            .is_ok()
        );
        assert!(check(&request(json!([])), Flavor::OpenAi).is_err());
    }
}
