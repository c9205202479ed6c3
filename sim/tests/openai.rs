//! OpenAI-compatible simulator over real HTTP: scripted replies, streaming, tool calls, errors.

mod common;

use common::{client, header, status_json};
use leadgate_sim::openai::{OpenAiSim, Options, Reply, ToolCall};
use serde_json::{Value, json};

async fn sim() -> OpenAiSim {
    OpenAiSim::start(Options::default()).await.expect("start")
}

async fn chat(sim: &OpenAiSim, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}/chat/completions", sim.api_base()))
        .bearer_auth(sim.api_key())
        .json(&body)
        .send()
        .await
        .expect("send")
}

fn user(text: &str) -> Value {
    json!({"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]})
}

/// The JSON events of an SSE body, and whether it ended with `[DONE]`.
fn events(raw: &str) -> (Vec<Value>, bool) {
    let data: Vec<&str> = raw
        .split("\n\n")
        .filter_map(|frame| frame.strip_prefix("data: "))
        .collect();
    let done = data.last() == Some(&"[DONE]");
    let events = data
        .iter()
        .filter(|d| **d != "[DONE]")
        .map(|d| serde_json::from_str(d).expect("chunk is JSON"))
        .collect();
    (events, done)
}

#[tokio::test]
async fn scripted_then_echoed_text() {
    let sim = sim().await;
    sim.push_reply(Reply::Text("Would Thursday at 10am work?".into()));
    let response = chat(&sim, user("I want a demo")).await;
    assert!(header(&response, "x-ratelimit-remaining-tokens").is_some());
    let (status, body) = status_json(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["object"], "chat.completion");
    assert!(body["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(body["model"], "gpt-4o-mini");
    let choice = &body["choices"][0];
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["message"]["content"], "Would Thursday at 10am work?");
    assert_eq!(choice["message"]["refusal"], Value::Null);
    assert_eq!(choice["finish_reason"], "stop");
    let usage = &body["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64(),
        Some(
            usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
        )
    );
    let (_, echoed) = status_json(chat(&sim, user("hello")).await).await;
    assert_eq!(
        echoed["choices"][0]["message"]["content"],
        "You said: hello"
    );
    assert_eq!(sim.requests().len(), 2);
    assert_eq!(sim.records("requests").len(), 2);
}

#[tokio::test]
async fn tool_calls_round_trip() {
    let sim = sim().await;
    let call = ToolCall::new("update_lead", r#"{"email":"jane.doe@acme.example"}"#);
    sim.push_reply(Reply::ToolCalls(vec![call.clone()]));
    sim.set_responder(|request| {
        if request.last_role() == Some("tool") {
            Reply::Text("Thanks, noted.".into())
        } else {
            Reply::Text("?".into())
        }
    });
    let mut body = user("jane.doe@acme.example");
    body["tools"] = json!([{"type": "function", "function": {"name": "update_lead", "parameters": {"type": "object"}, "strict": true}}]);
    let (_, first) = status_json(chat(&sim, body.clone()).await).await;
    let message = &first["choices"][0]["message"];
    assert_eq!(first["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(message["content"], Value::Null);
    assert_eq!(message["tool_calls"][0]["id"], call.id.as_str());
    assert_eq!(message["tool_calls"][0]["type"], "function");
    assert_eq!(
        message["tool_calls"][0]["function"]["arguments"],
        call.arguments.as_str()
    );

    let mut follow_up = body.clone();
    let messages = follow_up["messages"].as_array_mut().unwrap();
    messages.push(message.clone());
    messages.push(json!({"role": "tool", "tool_call_id": call.id, "content": "saved"}));
    let (status, second) = status_json(chat(&sim, follow_up).await).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["choices"][0]["message"]["content"], "Thanks, noted.");

    let mut orphan = body;
    orphan["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "tool", "tool_call_id": "call_nope", "content": "x"}));
    let (status, error) = status_json(chat(&sim, orphan).await).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert_eq!(error["error"]["param"], "messages.[2].role");
}

#[tokio::test]
async fn streams_text_with_usage() {
    let sim = sim().await;
    sim.respond_to_user(|text| Reply::Text(format!("Thanks, {text}! Talk soon.")));
    let mut body = user("Jane");
    body["stream"] = json!(true);
    body["stream_options"] = json!({"include_usage": true});
    let response = chat(&sim, body).await;
    assert!(
        header(&response, "content-type")
            .unwrap()
            .starts_with("text/event-stream")
    );
    let (events, done) = events(&response.text().await.unwrap());
    assert!(done);
    let id = events[0]["id"].clone();
    assert!(
        events
            .iter()
            .all(|e| e["id"] == id && e["object"] == "chat.completion.chunk")
    );
    assert_eq!(events[0]["choices"][0]["delta"]["role"], "assistant");
    let text: String = events
        .iter()
        .filter_map(|e| e["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "Thanks, Jane! Talk soon.");
    let finish = &events[events.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "stop");
    assert_eq!(finish["usage"], Value::Null);
    let last = events.last().unwrap();
    assert_eq!(last["choices"], json!([]));
    assert!(last["usage"]["total_tokens"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn streams_tool_call_fragments() {
    let sim = sim().await;
    let arguments = r#"{"email":"jane.doe@acme.example","full_name":"Jane"}"#;
    sim.push_reply(Reply::ToolCalls(vec![ToolCall::new(
        "update_lead",
        arguments,
    )]));
    let mut body = user("x");
    body["stream"] = json!(true);
    let (events, done) = events(&chat(&sim, body).await.text().await.unwrap());
    assert!(done);
    let first = &events[0]["choices"][0]["delta"]["tool_calls"][0];
    assert_eq!(first["index"], 0);
    assert!(first["id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(first["function"]["name"], "update_lead");
    let joined: String = events
        .iter()
        .filter_map(|e| e["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"].as_str())
        .collect();
    assert_eq!(joined, arguments);
    assert!(events.len() > 3);
    assert_eq!(
        events.last().unwrap()["choices"][0]["finish_reason"],
        "tool_calls"
    );
    assert!(events.iter().all(|e| e.get("usage").is_none()));
}

#[tokio::test]
async fn documented_errors() {
    let sim = sim().await;
    let http = client();
    let url = format!("{}/chat/completions", sim.api_base());
    let (status, error) = status_json(
        http.post(&url)
            .bearer_auth("sk-wrong")
            .json(&user("x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(error["error"]["code"], "invalid_api_key");
    let (status, _) = status_json(http.post(&url).json(&user("x")).send().await.unwrap()).await;
    assert_eq!(status, 401);
    let response = http
        .post(&url)
        .bearer_auth(sim.api_key())
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    let (status, error) = status_json(response).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["type"], "invalid_request_error");

    sim.push_reply(Reply::RateLimited);
    let response = chat(&sim, user("x")).await;
    assert_eq!(header(&response, "retry-after").as_deref(), Some("0"));
    assert_eq!(
        header(&response, "x-ratelimit-remaining-tokens").as_deref(),
        Some("0")
    );
    let (status, error) = status_json(response).await;
    assert_eq!(status, 429);
    assert_eq!(error["error"]["code"], "rate_limit_exceeded");

    sim.push_reply(Reply::InsufficientQuota);
    let (status, error) = status_json(chat(&sim, user("x")).await).await;
    assert_eq!(status, 429);
    assert_eq!(error["error"]["type"], "insufficient_quota");

    sim.push_reply(Reply::ServerError);
    let response = chat(&sim, user("x")).await;
    assert_eq!(response.status(), 500);
    assert!(
        header(&response, "content-type")
            .unwrap()
            .starts_with("text/plain")
    );

    sim.faults().fail_next(1, 503);
    let response = chat(&sim, user("x")).await;
    assert_eq!(response.status(), 503);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .starts_with("The server had an error")
    );
    sim.faults().throttle_next(1);
    let (status, error) = status_json(chat(&sim, user("x")).await).await;
    assert_eq!(status, 429);
    assert_eq!(error["error"]["code"], "rate_limit_exceeded");
    assert_eq!(sim.stats().rate_limited, 3);

    sim.push_reply(Reply::Raw {
        status: 200,
        content_type: "application/json".into(),
        body: r#"{"id":"x","created":1,"model":"m","choices":[]}"#.into(),
    });
    let (_, raw) = status_json(chat(&sim, user("x")).await).await;
    assert!(raw.get("object").is_none());
}
