//! How each server shapes a successful answer, whole and streamed, where it differs from
//! OpenAI's (sources in `flavor.rs`; the chunk samples quoted below are from the servers' own
//! issue threads and tests).

use serde_json::{Value, json};

use super::flavor::Flavor;

/// Azure's content-filter verdicts for one piece of text.
fn filter_results(filtered: bool) -> Value {
    let safe = json!({"filtered": false, "severity": "safe"});
    let violence = if filtered {
        json!({"filtered": true, "severity": "medium"})
    } else {
        safe.clone()
    };
    json!({"hate": safe, "self_harm": safe, "sexual": safe, "violence": violence})
}

/// Azure's verdicts on the prompt (`prompt_filter_results`).
fn prompt_filter_results() -> Value {
    let mut results = filter_results(false);
    results["jailbreak"] = json!({"filtered": false, "detected": false});
    json!([{"prompt_index": 0, "content_filter_results": results}])
}

/// llama.cpp's `timings` object (tools/server: `result_timings::to_json`).
fn timings() -> Value {
    json!({"prompt_n": 12, "prompt_ms": 40.1, "prompt_per_token_ms": 3.3, "prompt_per_second": 299.2,
           "predicted_n": 9, "predicted_ms": 88.4, "predicted_per_token_ms": 9.8, "predicted_per_second": 101.8})
}

/// A whole `chat.completion` body as `flavor` sends it; `filtered` when Azure's filter stopped
/// the reply.
pub(crate) fn whole(flavor: Flavor, body: &mut Value, filtered: bool) {
    let choice = &mut body["choices"][0];
    match flavor {
        Flavor::OpenAi | Flavor::LiteLlm => {}
        // Azure adds the filter verdicts on the prompt and on each choice.
        Flavor::Azure => {
            choice["content_filter_results"] = filter_results(filtered);
            body["prompt_filter_results"] = prompt_filter_results();
        }
        // vLLM: `stop_reason`, `reasoning_content` (null without a reasoning parser), an empty
        // `tool_calls` list (protocol.py `ChatMessage`, `ChatCompletionResponseChoice`).
        Flavor::Vllm => {
            choice["stop_reason"] = Value::Null;
            let message = &mut choice["message"];
            if message.get("reasoning_content").is_none() {
                message["reasoning_content"] = Value::Null;
            }
            if message.get("tool_calls").is_none() {
                message["tool_calls"] = json!([]);
            }
            strip(message, &["refusal", "annotations"]);
            body["prompt_logprobs"] = Value::Null;
        }
        // Ollama's `Message` has no refusal or annotations; its fingerprint is `fp_ollama`.
        Flavor::Ollama | Flavor::OllamaLegacy => {
            strip(&mut choice["message"], &["refusal", "annotations"]);
            strip(choice, &["logprobs"]);
            body["system_fingerprint"] = json!("fp_ollama");
            strip(body, &["service_tier"]);
        }
        Flavor::LlamaCpp => {
            strip(&mut choice["message"], &["refusal", "annotations"]);
            body["timings"] = timings();
            strip(body, &["service_tier"]);
        }
    }
}

/// The stream of `chat.completion.chunk`s as `flavor` sends it, from OpenAI's.
pub(crate) fn chunks(flavor: Flavor, mut chunks: Vec<Value>, filtered: bool) -> Vec<Value> {
    match flavor {
        Flavor::OpenAi | Flavor::LiteLlm => chunks,
        // Azure's first chunk carries only the prompt's filter verdicts: no choices, an empty
        // id and model, `created: 0` (seen in Azure streams; clients must skip it). Each later
        // choice carries its own verdicts.
        Flavor::Azure => {
            for chunk in &mut chunks {
                if let Some(choice) = chunk["choices"].get_mut(0) {
                    let has_text = choice["delta"]["content"]
                        .as_str()
                        .is_some_and(|c| !c.is_empty());
                    choice["content_filter_results"] = if has_text || filtered {
                        filter_results(filtered && choice["finish_reason"].is_string())
                    } else {
                        json!({})
                    };
                }
            }
            let first = json!({"choices": [], "created": 0, "id": "", "model": "", "object": "",
                               "prompt_filter_results": prompt_filter_results()});
            chunks.insert(0, first);
            chunks
        }
        Flavor::Vllm => vllm(chunks),
        Flavor::Ollama | Flavor::OllamaLegacy => ollama(flavor, chunks),
        // llama.cpp: the first delta says `content: null`; the last chunk carries `timings`.
        Flavor::LlamaCpp => {
            for chunk in &mut chunks {
                strip(chunk, &["system_fingerprint"]);
                if let Some(choice) = chunk["choices"].get_mut(0) {
                    strip(choice, &["logprobs"]);
                    strip(&mut choice["delta"], &["refusal"]);
                    if choice["delta"].get("role").is_some() {
                        choice["delta"]["content"] = Value::Null;
                    }
                }
            }
            if let Some(last) = chunks
                .iter_mut()
                .rev()
                .find(|c| c["choices"].get(0).is_some())
            {
                last["timings"] = timings();
            }
            chunks
        }
    }
}

/// vLLM: every choice has `stop_reason`; a reply cut at `max_tokens` carries
/// `finish_reason: "length"` on the chunk with the last piece of text, not on an empty one after
/// it (the behaviour vllm-project/vllm#35705 reports, still open after the unmerged #36944).
fn vllm(mut chunks: Vec<Value>) -> Vec<Value> {
    for chunk in &mut chunks {
        if let Some(choice) = chunk["choices"].get_mut(0) {
            choice["stop_reason"] = Value::Null;
            strip(&mut choice["delta"], &["refusal"]);
        }
    }
    let finish_at = chunks
        .iter()
        .position(|c| c["choices"][0]["finish_reason"] == "length");
    if let Some(at) = finish_at.filter(|at| *at > 0) {
        let finish = chunks.remove(at);
        chunks[at - 1]["choices"][0]["finish_reason"] =
            finish["choices"][0]["finish_reason"].clone();
    }
    chunks
}

/// Ollama: each chunk is one of the model's responses, with `role` and `content` in every delta
/// (`content: ""` while it only thinks), no role-only opening chunk, `fp_ollama`; before 0.1.37
/// every chunk but the last said `"finish_reason": ""` (ollama/ollama#4357).
fn ollama(flavor: Flavor, chunks: Vec<Value>) -> Vec<Value> {
    let legacy = flavor == Flavor::OllamaLegacy;
    chunks
        .into_iter()
        .filter(|chunk| {
            let delta = &chunk["choices"][0]["delta"];
            // OpenAI's opening chunk (role only, empty content) has no Ollama counterpart.
            !(delta.get("role").is_some() && delta["content"] == "")
        })
        .map(|mut chunk| {
            chunk["system_fingerprint"] = json!("fp_ollama");
            if let Some(choice) = chunk["choices"].get_mut(0) {
                strip(choice, &["logprobs"]);
                let delta = &mut choice["delta"];
                strip(delta, &["refusal"]);
                delta["role"] = json!("assistant");
                if delta.get("content").is_none_or(Value::is_null) {
                    delta["content"] = json!("");
                }
                if legacy && choice["finish_reason"].is_null() {
                    choice["finish_reason"] = json!("");
                }
            }
            chunk
        })
        .collect()
}

fn strip(value: &mut Value, keys: &[&str]) {
    if let Some(object) = value.as_object_mut() {
        for key in keys {
            object.remove(*key);
        }
    }
}
