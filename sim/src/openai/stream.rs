//! Server-sent events for `stream: true`: `data: {chunk}\n\n` lines of
//! `chat.completion.chunk` objects sharing one id, a finishing chunk with `finish_reason`, an
//! optional usage chunk (`choices: []`) and `data: [DONE]`.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::ToolCall;
use super::completions::{Completion, Content};
use super::flavor::Flavor;

/// Split `text` into pieces of at most `size` characters (one empty piece for empty text).
pub(crate) fn pieces(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(size.max(1))
        .map(|piece| piece.iter().collect())
        .collect()
}

/// The JSON chunks (without framing) of a streamed completion.
pub(crate) fn chunks(completion: &Completion, chunk_chars: usize) -> Vec<Value> {
    let with_usage = completion.include_usage;
    let chunk = |delta: Value, finish: Option<&str>| {
        let mut chunk = json!({
            "id": completion.id,
            "object": "chat.completion.chunk",
            "created": completion.created,
            "model": completion.model,
            "system_fingerprint": super::completions::FINGERPRINT,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        });
        if with_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    };
    let mut out = Vec::new();
    match &completion.content {
        Content::Text(text) | Content::Cut(text) | Content::Filtered(text) => {
            out.push(chunk(
                json!({"role": "assistant", "content": "", "refusal": null}),
                None,
            ));
            if let (Some(thinking), Some(field)) =
                (&completion.reasoning, completion.flavor.reasoning_field())
            {
                for piece in pieces(thinking, chunk_chars) {
                    out.push(chunk(json!({ field: piece }), None));
                }
            }
            for piece in pieces(text, chunk_chars)
                .into_iter()
                .filter(|p| !p.is_empty())
            {
                out.push(chunk(json!({ "content": piece }), None));
            }
        }
        Content::Refusal(refusal) => {
            out.push(chunk(
                json!({"role": "assistant", "content": null, "refusal": ""}),
                None,
            ));
            for piece in pieces(refusal, chunk_chars)
                .into_iter()
                .filter(|p| !p.is_empty())
            {
                out.push(chunk(json!({ "refusal": piece }), None));
            }
        }
        Content::ToolCalls(calls) => {
            for (index, call) in calls.iter().enumerate() {
                out.push(chunk(first_fragment(index, call), None));
                for piece in pieces(&call.arguments, chunk_chars)
                    .into_iter()
                    .filter(|p| !p.is_empty())
                {
                    out.push(chunk(
                        json!({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}),
                        None,
                    ));
                }
            }
        }
    }
    out.push(chunk(json!({}), Some(completion.finish_reason())));
    if with_usage {
        let mut usage = chunk(json!({}), None);
        usage["choices"] = json!([]);
        usage["usage"] = completion.usage();
        out.push(usage);
    }
    out
}

fn first_fragment(index: usize, call: &ToolCall) -> Value {
    let fragment = json!({
        "index": index,
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": ""},
    });
    if index == 0 {
        json!({"role": "assistant", "content": null, "tool_calls": [fragment], "refusal": null})
    } else {
        json!({ "tool_calls": [fragment] })
    }
}

/// Each chunk as a `data:` event, then `data: [DONE]`.
pub(crate) fn framed(events: Vec<Value>) -> Vec<String> {
    events
        .iter()
        .map(|event| format!("data: {event}\n\n"))
        .chain(std::iter::once("data: [DONE]\n\n".to_owned()))
        .collect()
}

/// The chunks up to the reply's last piece of text, then a failure as `flavor` writes one in the
/// middle of a stream (and `[DONE]` where that server still sends it).
pub(crate) fn broken_off(events: Vec<Value>, flavor: Flavor, message: &str) -> Vec<String> {
    let mut frames: Vec<String> = events
        .iter()
        .take_while(|e| {
            e["choices"][0]["finish_reason"]
                .as_str()
                .is_none_or(str::is_empty)
        })
        .map(|event| format!("data: {event}\n\n"))
        .collect();
    let (error, done) = flavor.stream_error(message);
    frames.push(error);
    if done {
        frames.push("data: [DONE]\n\n".to_owned());
    }
    frames
}

/// The SSE response of `frames`, pausing `delay` before each.
pub(crate) fn respond(frames: Vec<String>, delay: Duration) -> Response {
    let body = futures_util::stream::iter(frames).then(move |event| async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok::<_, Infallible>(Bytes::from(event))
    });
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(
        CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_respect_characters() {
        assert_eq!(pieces("héllo wörld", 4), vec!["héll", "o wö", "rld"]);
        assert_eq!(pieces("", 4), vec![""]);
    }
}
