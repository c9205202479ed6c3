//! Slack simulator over real HTTP: incoming webhooks, chat.postMessage, per-channel limits.

mod common;

use std::time::Duration;

use common::{client, header, status_json};
use leadgate_sim::RateLimit;
use leadgate_sim::slack::{Options, SlackSim, Via};
use serde_json::{Value, json};

fn alert() -> Value {
    json!({
        "text": "New qualified lead: Jane Doe (Acme Corp) - score 87",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": ":fire: New qualified lead: Jane Doe (Acme Corp)", "emoji": true}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Name:*\nJane Doe"}]},
            {"type": "actions", "block_id": "lead_actions:lead_7f3a", "elements": [
                {"type": "button", "action_id": "claim_lead", "text": {"type": "plain_text", "text": "Claim lead"}, "value": "lead_7f3a"}
            ]}
        ]
    })
}

fn slow_channels() -> Options {
    Options {
        per_channel_limit: RateLimit::new(1, Duration::from_secs(60)),
        ..Options::default()
    }
}

#[tokio::test]
async fn webhook_accepts_blocks_and_answers_ok() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let http = client();
    let response = http
        .post(sim.webhook_url())
        .json(&alert())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        header(&response, "content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(response.text().await.unwrap(), "ok");
    let messages = sim.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].via, Via::Webhook);
    assert_eq!(messages[0].channel, "C0123456789");
    assert_eq!(messages[0].blocks, Some(alert()["blocks"].clone()));
    assert_eq!(sim.records("messages").len(), 1);
}

#[tokio::test]
async fn webhook_errors_are_plain_words() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let http = client();
    let cases = [
        (
            sim.webhook_url(),
            "{nope".to_owned(),
            400,
            "invalid_payload",
        ),
        (
            sim.webhook_url(),
            json!({"text": ""}).to_string(),
            400,
            "no_text",
        ),
        (
            sim.webhook_url(),
            json!({"text": "x", "blocks": [{}]}).to_string(),
            400,
            "invalid_blocks",
        ),
        (
            format!("{}/services/T0SIMTEAM01/B0SIMHOOK01/wrong", sim.base_url()),
            json!({"text": "x"}).to_string(),
            403,
            "invalid_token",
        ),
        (
            format!("{}/services/T1/B1/x", sim.base_url()),
            json!({"text": "x"}).to_string(),
            404,
            "no_service",
        ),
    ];
    for (url, body, status, word) in cases {
        let response = http
            .post(url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(response.text().await.unwrap(), word);
    }
    assert!(sim.messages().is_empty());
}

#[tokio::test]
async fn webhook_rate_limit_is_429_with_retry_after() {
    let sim = SlackSim::start(slow_channels()).await.unwrap();
    let http = client();
    let first = http
        .post(sim.webhook_url())
        .json(&json!({"text": "one"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let second = http
        .post(sim.webhook_url())
        .json(&json!({"text": "two"}))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 429);
    let retry: u64 = header(&second, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(sim.messages().len(), 1);
    assert_eq!(sim.stats().rate_limited, 1);
}

#[tokio::test]
async fn post_message_resolves_channels_and_threads() {
    let sim = SlackSim::start(Options {
        per_channel_limit: RateLimit::new(10, Duration::from_secs(1)),
        ..Options::default()
    })
    .await
    .unwrap();
    let http = client();
    let url = format!("{}/api/chat.postMessage", sim.base_url());
    let mut body = alert();
    body["channel"] = json!("#leads");
    body["unfurl_links"] = json!(false);
    let response = http
        .post(&url)
        .bearer_auth(sim.bot_token())
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, posted) = status_json(response).await;
    assert_eq!(status, 200);
    assert_eq!(posted["ok"], true);
    assert_eq!(posted["channel"], "C0123456789");
    assert_eq!(posted["message"]["blocks"], body["blocks"]);
    let ts = posted["ts"].as_str().unwrap().to_owned();
    assert!(ts.contains('.'));

    let response = http
        .post(&url)
        .form(&[
            ("token", sim.bot_token()),
            ("channel", "C0123456789"),
            ("text", "claimed"),
            ("thread_ts", &ts),
        ])
        .send()
        .await
        .unwrap();
    let (_, reply) = status_json(response).await;
    assert_eq!(reply["ok"], true, "{reply}");
    let messages = sim.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1].thread_ts.as_deref(), Some(ts.as_str()));
    assert_eq!(messages[1].via, Via::Api);
}

#[tokio::test]
async fn post_message_errors_are_http_200_ok_false() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let http = client();
    let url = format!("{}/api/chat.postMessage", sim.base_url());
    let cases = [
        (
            None,
            json!({"channel": "C0123456789", "text": "x"}),
            "not_authed",
        ),
        (
            Some("xoxb-wrong"),
            json!({"channel": "C0123456789", "text": "x"}),
            "invalid_auth",
        ),
        (
            Some(sim.bot_token()),
            json!({"channel": "C9999999999", "text": "x"}),
            "channel_not_found",
        ),
        (
            Some(sim.bot_token()),
            json!({"channel": "C0123456789"}),
            "no_text",
        ),
        (
            Some(sim.bot_token()),
            json!({"channel": "C0123456789", "blocks": "nope"}),
            "invalid_blocks",
        ),
    ];
    for (token, body, code) in cases {
        let mut request = http.post(&url).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, error) = status_json(request.send().await.unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(error, json!({"ok": false, "error": code}));
    }
    let response = http
        .post(&url)
        .bearer_auth(sim.bot_token())
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    let (_, error) = status_json(response).await;
    assert_eq!(error["error"], "invalid_json");
    let response = http
        .post(format!("{}/api/auth.test", sim.base_url()))
        .bearer_auth(sim.bot_token())
        .send()
        .await
        .unwrap();
    let (_, auth) = status_json(response).await;
    assert_eq!(auth["ok"], true);
}

#[tokio::test]
async fn post_message_rate_limit_and_injected_faults() {
    let sim = SlackSim::start(slow_channels()).await.unwrap();
    let http = client();
    let url = format!("{}/api/chat.postMessage", sim.base_url());
    let body = json!({"channel": "C0123456789", "text": "x"});
    let send = || {
        http.post(&url)
            .bearer_auth(sim.bot_token())
            .json(&body)
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    let response = send().await.unwrap();
    assert!(header(&response, "retry-after").is_some());
    let (status, error) = status_json(response).await;
    assert_eq!(status, 429);
    assert_eq!(error, json!({"ok": false, "error": "ratelimited"}));

    sim.faults().throttle_next(1);
    let response = send().await.unwrap();
    assert_eq!(response.status(), 429);
    sim.faults().fail_next(1, 500);
    let response = http
        .post(sim.webhook_url())
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.text().await.unwrap(), "rollup_error");
}
