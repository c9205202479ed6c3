//! The OpenAI simulator answering as other servers (Azure OpenAI, vLLM, Ollama, llama.cpp,
//! LiteLLM): each one's route, key header, answer, stream and error shapes on the wire.

mod common;

use common::{client, status_json};
use leadgate_sim::openai::{Flavor, OpenAiSim, Options, Reply};
use serde_json::{Value, json};

async fn sim(flavor: Flavor) -> OpenAiSim {
    OpenAiSim::start(Options {
        flavor,
        ..Options::default()
    })
    .await
    .expect("start")
}

fn body(stream: bool) -> Value {
    json!({"model": "m", "stream": stream, "messages": [{"role": "user", "content": "hi"}]})
}

async fn post(sim: &OpenAiSim, path: &str, stream: bool) -> reqwest::Response {
    client()
        .post(format!("{}{path}", sim.api_base()))
        .bearer_auth(sim.api_key())
        .json(&body(stream))
        .send()
        .await
        .expect("send")
}

/// The raw body of a streamed answer.
async fn raw(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The JSON of each `data:` event (not `[DONE]`).
fn data(raw: &str) -> Vec<Value> {
    raw.split("\n\n")
        .filter_map(|f| f.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).expect("JSON"))
        .collect()
}

#[tokio::test]
async fn azure_needs_the_deployment_route_the_api_version_and_the_api_key_header() {
    let sim = sim(Flavor::Azure).await;
    assert_eq!(sim.api_base(), sim.base_url());
    let url = |deployment: &str, query: &str| {
        format!(
            "{}/openai/deployments/{deployment}/chat/completions{query}",
            sim.base_url()
        )
    };
    let send = |url: String, key: Option<&'static str>, bearer: bool, stream: bool| {
        let mut request = client().post(url).json(&body(stream));
        if let Some(key) = key {
            request = if bearer {
                request.bearer_auth(key)
            } else {
                request.header("api-key", key)
            };
        }
        request.send()
    };
    let good = "?api-version=2024-10-21";
    let (status, ok) = status_json(
        send(url("gpt-4o-mini", good), Some("sk-test"), false, false)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{ok}");
    assert!(ok["prompt_filter_results"].is_array());
    assert_eq!(
        ok["choices"][0]["content_filter_results"]["hate"]["filtered"],
        false
    );
    for (url, key, bearer, code) in [
        (url("gpt-4o-mini", ""), Some("sk-test"), false, "404"),
        (
            url("gpt-4o-mini", "?api-version=latest"),
            Some("sk-test"),
            false,
            "404",
        ),
        (url("gpt-4o-mini", good), Some("sk-test"), true, "401"),
        (url("gpt-4o-mini", good), Some("wrong"), false, "401"),
        (
            url("other", good),
            Some("sk-test"),
            false,
            "DeploymentNotFound",
        ),
    ] {
        let (status, error) = status_json(send(url, key, bearer, false).await.unwrap()).await;
        assert_eq!(error["error"]["code"], code, "{error}");
        assert!(status == 401 || status == 404);
    }
    let (status, _) = status_json(post(&sim, "/v1/chat/completions", false).await).await;
    assert_eq!(status, 404, "no OpenAI route on Azure");
    // Streamed: a first chunk with no choices, id or model; verdicts on each choice after.
    let streamed = raw(send(url("gpt-4o-mini", good), Some("sk-test"), false, true)
        .await
        .unwrap())
    .await;
    let chunks = data(&streamed);
    assert_eq!(chunks[0]["choices"], json!([]));
    assert_eq!(
        (chunks[0]["id"].as_str(), chunks[0]["created"].as_i64()),
        (Some(""), Some(0))
    );
    assert!(
        chunks[1..]
            .iter()
            .all(|c| c["choices"][0]["content_filter_results"].is_object())
    );
    sim.push_reply(Reply::Filtered("not this".into()));
    let (_, filtered) = status_json(
        send(url("gpt-4o-mini", good), Some("sk-test"), false, false)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(filtered["choices"][0]["finish_reason"], "content_filter");
    assert_eq!(filtered["choices"][0]["message"]["content"], Value::Null);
    sim.push_reply(Reply::RateLimited);
    let limited = send(url("gpt-4o-mini", good), Some("sk-test"), false, false)
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after-ms"));
}

#[tokio::test]
async fn vllm_errors_carry_integer_codes_and_a_cut_reply_finishes_on_its_last_piece() {
    let sim = sim(Flavor::Vllm).await;
    let unauthorized = client()
        .post(format!("{}/chat/completions", sim.api_base()))
        .json(&body(false))
        .send()
        .await
        .unwrap();
    let (status, error) = status_json(unauthorized).await;
    assert_eq!((status, error), (401, json!({"error": "Unauthorized"})));
    sim.push_reply(Reply::ServerError);
    let (status, error) = status_json(post(&sim, "/chat/completions", false).await).await;
    assert_eq!(status, 500);
    assert_eq!(error["error"]["code"], 500);
    sim.push_reply(Reply::Cut("One. Two thr".into()));
    let chunks = data(&raw(post(&sim, "/chat/completions", true).await).await);
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"][0]["finish_reason"], "length");
    assert!(
        last["choices"][0]["delta"]["content"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
    );
    assert!(
        chunks
            .iter()
            .all(|c| c["choices"][0].get("stop_reason").is_some())
    );
    sim.push_reply(Reply::StreamError {
        text: "Hel".into(),
        message: "boom".into(),
    });
    let broken = raw(post(&sim, "/chat/completions", true).await).await;
    assert!(broken.ends_with("data: [DONE]\n\n"), "{broken}");
    assert_eq!(data(&broken).last().unwrap()["error"]["code"], 500);
}

#[tokio::test]
async fn ollama_takes_any_key_and_repeats_the_role_in_every_delta() {
    for flavor in [Flavor::Ollama, Flavor::OllamaLegacy] {
        let sim = sim(flavor).await;
        let keyless = client()
            .post(format!("{}/chat/completions", sim.api_base()))
            .json(&body(true))
            .send()
            .await
            .unwrap();
        let chunks = data(&raw(keyless).await);
        assert!(
            chunks
                .iter()
                .all(|c| c["choices"][0]["delta"]["role"] == "assistant")
        );
        assert!(
            chunks
                .iter()
                .all(|c| c["system_fingerprint"] == "fp_ollama")
        );
        let (last, rest) = chunks.split_last().unwrap();
        assert_eq!(last["choices"][0]["finish_reason"], "stop");
        let unfinished = if flavor == Flavor::OllamaLegacy {
            json!("")
        } else {
            Value::Null
        };
        assert!(
            rest.iter()
                .all(|c| c["choices"][0]["finish_reason"] == unfinished),
            "{chunks:?}"
        );
        sim.push_reply(Reply::Reasoning {
            thinking: "hmm".into(),
            text: "Hi.".into(),
        });
        let (_, whole) = status_json(post(&sim, "/chat/completions", false).await).await;
        assert_eq!(whole["choices"][0]["message"]["reasoning"], "hmm");
        sim.push_reply(Reply::StreamError {
            text: "Hel".into(),
            message: "runner died".into(),
        });
        let broken = raw(post(&sim, "/chat/completions", true).await).await;
        let line = broken.trim_end().rsplit('\n').next().unwrap();
        let error: Value = serde_json::from_str(line).expect("a bare JSON line");
        assert_eq!(error["error"]["type"], "api_error", "{broken}");
        assert!(!broken.contains("[DONE]"), "{broken}");
    }
}

#[tokio::test]
async fn llama_cpp_words_errors_its_way_and_fails_a_stream_with_an_error_line() {
    let sim = sim(Flavor::LlamaCpp).await;
    sim.push_reply(Reply::Unavailable);
    let (status, error) = status_json(post(&sim, "/chat/completions", false).await).await;
    assert_eq!(status, 503);
    assert_eq!(
        error,
        json!({"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}})
    );
    let chunks = data(&raw(post(&sim, "/chat/completions", true).await).await);
    assert_eq!(chunks[0]["choices"][0]["delta"]["content"], Value::Null);
    assert!(chunks.last().unwrap()["timings"].is_object());
    sim.push_reply(Reply::StreamError {
        text: "Hel".into(),
        message: "context".into(),
    });
    let broken = raw(post(&sim, "/chat/completions", true).await).await;
    assert!(
        broken.contains("\n\nerror: {\"code\":500") && broken.ends_with("data: [DONE]\n\n"),
        "{broken}"
    );
    let wrong = client()
        .post(format!("{}/chat/completions", sim.api_base()))
        .bearer_auth("nope")
        .json(&body(false))
        .send()
        .await
        .unwrap();
    let (status, error) = status_json(wrong).await;
    assert_eq!((status, &error["error"]["code"]), (401, &json!(401)));
}

#[tokio::test]
async fn litellm_codes_are_strings_and_a_budget_runs_out() {
    let sim = sim(Flavor::LiteLlm).await;
    sim.push_reply(Reply::RateLimited);
    let limited = post(&sim, "/chat/completions", false).await;
    assert!(limited.headers().contains_key("retry-after"));
    let (status, error) = status_json(limited).await;
    assert_eq!((status, &error["error"]["code"]), (429, &json!("429")));
    assert_eq!(error["error"]["param"], "None");
    sim.push_reply(Reply::BudgetExceeded);
    let (status, error) = status_json(post(&sim, "/chat/completions", false).await).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["type"], "budget_exceeded");
    sim.push_reply(Reply::StreamError {
        text: "Hel".into(),
        message: "upstream".into(),
    });
    let broken = raw(post(&sim, "/chat/completions", true).await).await;
    assert!(!broken.contains("[DONE]"));
    assert_eq!(data(&broken).last().unwrap()["error"]["code"], "500");
}
