//! The Slack simulator for the rep hand-off: chat.update, chat.postEphemeral, users.info, and
//! Slack's signed requests toward the gateway (interactions, Events API, retries).

mod common;

use std::time::Duration;

use common::{Canned, Receiver, client, status_json};
use leadgate_sim::slack::{Options, SlackSendError, SlackSim, Via, signature};
use serde_json::{Value, json};

fn alert() -> Value {
    json!({
        "channel": "C0123456789",
        "text": "New qualified lead: Jane Doe (Acme Corp) - score 87",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "New lead: Jane Doe"}},
            {"type": "actions", "block_id": "lead_actions:lead_7f3a", "elements": [
                {"type": "button", "action_id": "claim_lead", "text": {"type": "plain_text", "text": "Claim"}, "value": "lead_7f3a"},
                {"type": "button", "action_id": "open_transcript", "text": {"type": "plain_text", "text": "Open transcript"}, "url": "https://gw.example/t/1"}
            ]}
        ]
    })
}

fn fast_events() -> Options {
    Options {
        event_retry: Options::default()
            .event_retry
            .compressed(Duration::from_millis(20))
            .with_timeout(Duration::from_millis(300)),
        ..Options::default()
    }
}

async fn call(sim: &SlackSim, method: &str, body: Value) -> (u16, Value) {
    let response = client()
        .post(format!("{}/api/{method}", sim.base_url()))
        .bearer_auth(sim.bot_token())
        .json(&body)
        .send()
        .await
        .unwrap();
    status_json(response).await
}

async fn post_alert(sim: &SlackSim) -> String {
    let (status, body) = call(sim, "chat.postMessage", alert()).await;
    assert_eq!((status, body["ok"].clone()), (200, json!(true)), "{body}");
    body["ts"].as_str().unwrap().to_owned()
}

fn assert_signed(sim: &SlackSim, request: &common::Received) {
    let timestamp = request.header("x-slack-request-timestamp").unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((now - timestamp.parse::<i64>().unwrap()).abs() <= 5);
    assert_eq!(
        request.header("x-slack-signature").unwrap(),
        signature::v0(sim.signing_secret(), timestamp, &request.body)
    );
}

#[test]
fn signatures_match_the_vectors() {
    // The worked example of docs.slack.dev/authentication/verifying-requests-from-slack.
    let doc_body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert_eq!(
        signature::v0("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", doc_body),
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    );
    // The block_actions fixture as a form body (contracts' signature_vectors.json).
    let form = include_str!("data/slack_block_actions_form_body.txt");
    assert_eq!(
        signature::v0("test_signing_secret_456", "1750000043", form),
        "v0=f62a1eb728659fdc2473e8c978ae6dd1d709697375f9f5bc0a840f9dd15cb3eb"
    );
}

#[tokio::test]
async fn chat_update_replaces_the_bots_own_messages_only() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let ts = post_alert(&sim).await;
    let claimed =
        json!([{"type": "section", "text": {"type": "mrkdwn", "text": "Claimed by Anna"}}]);
    let (status, body) = call(
        &sim,
        "chat.update",
        json!({"channel": "C0123456789", "ts": ts, "text": "Claimed", "blocks": claimed}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(body["ts"], ts.as_str());
    assert_eq!(body["message"]["blocks"], claimed);
    assert_eq!(
        sim.message("C0123456789", &ts).unwrap().blocks,
        Some(claimed.clone())
    );
    assert_eq!(sim.updates().len(), 1);
    assert_eq!(sim.messages().len(), 1, "an update is not a new message");

    // Same window size as chat.postMessage, a window of its own.
    let (status, body) = call(
        &sim,
        "chat.update",
        json!({"channel": "C0123456789", "ts": ts, "text": "again"}),
    )
    .await;
    assert_eq!((status, body["error"].clone()), (429, json!("ratelimited")));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let webhook = client()
        .post(sim.webhook_url())
        .json(&json!({"text": "via webhook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(webhook.status(), 200);
    let hooked = sim
        .messages()
        .into_iter()
        .find(|m| m.via == Via::Webhook)
        .unwrap();
    for (request, error) in [
        (
            json!({"channel": "C0123456789", "ts": hooked.ts, "text": "x"}),
            "cant_update_message",
        ),
        (
            json!({"channel": "C0123456789", "ts": "1.000001", "text": "x"}),
            "message_not_found",
        ),
        (
            json!({"channel": "leads", "ts": ts, "text": "x"}),
            "channel_not_found",
        ),
    ] {
        let (status, body) = call(&sim, "chat.update", request).await;
        assert_eq!((status, body["ok"].clone()), (200, json!(false)));
        assert_eq!(body["error"], error);
    }
}

#[tokio::test]
async fn chat_delete_removes_the_bots_own_messages_only() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let ts = post_alert(&sim).await;
    // One message a second per channel.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let webhook = client()
        .post(sim.webhook_url())
        .json(&json!({"text": "via webhook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(webhook.status(), 200);
    let hooked = sim
        .messages()
        .into_iter()
        .find(|m| m.via == Via::Webhook)
        .unwrap();
    for (request, error) in [
        (
            json!({"channel": "C0123456789", "ts": hooked.ts}),
            "cant_delete_message",
        ),
        (
            json!({"channel": "C0123456789", "ts": "1.000001"}),
            "message_not_found",
        ),
        (json!({"channel": "leads", "ts": ts}), "channel_not_found"),
    ] {
        let (status, body) = call(&sim, "chat.delete", request).await;
        assert_eq!((status, body["ok"].clone()), (200, json!(false)));
        assert_eq!(body["error"], error);
    }
    let (status, body) = call(
        &sim,
        "chat.delete",
        json!({"channel": "C0123456789", "ts": ts}),
    )
    .await;
    assert_eq!((status, body["ok"].clone()), (200, json!(true)), "{body}");
    assert_eq!(body["ts"], ts.as_str());
    assert!(sim.message("C0123456789", &ts).is_none());
    assert_eq!(sim.messages().len(), 1, "the webhook's message stays");
    // Deleted once: a second delete finds nothing.
    let (_, body) = call(
        &sim,
        "chat.delete",
        json!({"channel": "C0123456789", "ts": ts}),
    )
    .await;
    assert_eq!(body["error"], "message_not_found");
}

#[tokio::test]
async fn history_lists_top_level_messages_with_metadata_on_request() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let mut alert = alert();
    alert["metadata"] = json!({"event_type": "lead_alert", "event_payload": {"lead": "7f3a"}});
    let (_, posted) = call(&sim, "chat.postMessage", alert).await;
    let ts = posted["ts"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, bad) = call(
        &sim,
        "chat.postMessage",
        json!({"channel": "C0123456789", "text": "x", "metadata": {"event_type": 1}}),
    )
    .await;
    assert_eq!(bad["error"], "invalid_metadata_format");
    let history = |query: &str| {
        let url = format!("{}/api/conversations.history?{query}", sim.base_url());
        let token = sim.bot_token().to_owned();
        async move {
            let response = client().get(url).bearer_auth(token).send().await.unwrap();
            status_json(response).await.1
        }
    };
    let plain = history("channel=C0123456789").await;
    assert_eq!(plain["messages"][0]["ts"], ts.as_str(), "{plain}");
    assert!(
        plain["messages"][0]["metadata"].is_null(),
        "only on request"
    );
    let tagged = history("channel=C0123456789&include_all_metadata=true").await;
    assert_eq!(
        tagged["messages"][0]["metadata"]["event_payload"]["lead"],
        "7f3a"
    );
    let later = history(&format!("channel=C0123456789&oldest={ts}")).await;
    assert_eq!(
        later["messages"].as_array().unwrap().len(),
        0,
        "oldest is exclusive"
    );
    assert_eq!(
        history("channel=C0123456789&oldest=yesterday").await["error"],
        "invalid_ts_oldest"
    );
    // A JSON body's arguments are not read by this method.
    let (_, json_args) = call(
        &sim,
        "conversations.history",
        json!({"channel": "C0123456789"}),
    )
    .await;
    assert_eq!(json_args["error"], "channel_not_found");
}

#[tokio::test]
async fn updates_keep_the_thread() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let parent = post_alert(&sim).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, body) = call(
        &sim,
        "chat.postMessage",
        json!({"channel": "C0123456789", "thread_ts": parent, "text": "Visitor: hello"}),
    )
    .await;
    let reply = body["ts"].as_str().unwrap().to_owned();
    let (_, body) = call(
        &sim,
        "chat.update",
        json!({"channel": "C0123456789", "ts": reply, "text": "Visitor: hello (edited)"}),
    )
    .await;
    assert_eq!(body["ok"], true);
    let stored = sim.message("C0123456789", &reply).unwrap();
    assert_eq!(stored.thread_ts.as_deref(), Some(parent.as_str()));
    assert_eq!(stored.text.as_deref(), Some("Visitor: hello (edited)"));
}

#[tokio::test]
async fn ephemerals_and_users() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let (status, body) = call(
        &sim,
        "chat.postEphemeral",
        json!({"channel": "leads", "user": "U0REPANNA", "text": "You claimed this lead"}),
    )
    .await;
    assert_eq!((status, body["ok"].clone()), (200, json!(true)), "{body}");
    assert!(body["message_ts"].is_string());
    let ephemerals = sim.ephemerals();
    assert_eq!(ephemerals.len(), 1);
    assert_eq!(ephemerals[0].user, "U0REPANNA");
    assert_eq!(ephemerals[0].channel, "C0123456789");
    assert!(sim.messages().is_empty(), "ephemerals are not in history");
    let (_, body) = call(
        &sim,
        "chat.postEphemeral",
        json!({"channel": "leads", "user": "U0NOBODY", "text": "x"}),
    )
    .await;
    assert_eq!(body["error"], "user_not_in_channel");

    let http = client();
    let info = |user: &str| {
        http.get(format!("{}/api/users.info?user={user}", sim.base_url()))
            .bearer_auth(sim.bot_token())
            .send()
    };
    let (status, body) = status_json(info("U0REPANNA").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["user"]["name"], "anna");
    assert_eq!(body["user"]["profile"]["display_name"], "Anna Nowak");
    assert_eq!(body["user"]["profile"]["real_name"], "Anna Nowak");
    assert!(body["user"]["profile"].get("email").is_none());
    let (_, body) = status_json(info("U0NOBODY").await.unwrap()).await;
    assert_eq!(
        (body["ok"].clone(), body["error"].clone()),
        (json!(false), json!("user_not_found"))
    );
    let form = http
        .post(format!("{}/api/users.info", sim.base_url()))
        .form(&[("token", sim.bot_token()), ("user", "U0REPBEN")])
        .send()
        .await
        .unwrap();
    let (_, body) = status_json(form).await;
    assert_eq!(body["user"]["profile"]["display_name"], "Ben Okafor");
    let (_, body) = call(&sim, "users.info", json!({"user": "U0REPBEN"})).await;
    assert_eq!(body["error"], "invalid_post_type");

    let narrow = SlackSim::start(Options {
        bot_scopes: vec!["chat:write".into()],
        ..Options::default()
    })
    .await
    .unwrap();
    let response = client()
        .get(format!(
            "{}/api/users.info?user=U0REPANNA",
            narrow.base_url()
        ))
        .bearer_auth(narrow.bot_token())
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], "missing_scope");
    assert_eq!(body["needed"], "users:read");
}

#[tokio::test]
async fn a_click_is_a_signed_block_actions_payload() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let gateway = Receiver::start().await;
    let ts = post_alert(&sim).await;
    let reply = sim
        .click(
            &gateway.url("/slack/interactions"),
            "U0REPANNA",
            &ts,
            "C0123456789",
            "claim_lead",
            Some("lead_7f3a"),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, Some(200));
    let request = gateway.wait_for(1).await.remove(0);
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(request.body.starts_with("payload="));
    assert_signed(&sim, &request);
    let payload = request.json();
    assert_eq!(payload["type"], "block_actions");
    assert_eq!(payload["user"]["id"], "U0REPANNA");
    assert_eq!(payload["user"]["username"], "anna");
    assert_eq!(payload["container"]["message_ts"], ts.as_str());
    assert_eq!(payload["container"]["channel_id"], "C0123456789");
    assert_eq!(payload["container"]["is_ephemeral"], false);
    assert_eq!(payload["channel"]["name"], "leads");
    assert_eq!(payload["api_app_id"], "A0SIMAPP001");
    assert_eq!(payload["trigger_id"], reply.id.as_str());
    assert_eq!(payload["message"]["ts"], ts.as_str());
    assert_eq!(payload["message"]["bot_id"], sim.bot_id());
    assert_eq!(payload["actions"][0]["action_id"], "claim_lead");
    assert_eq!(payload["actions"][0]["block_id"], "lead_actions:lead_7f3a");
    assert_eq!(payload["actions"][0]["value"], "lead_7f3a");
    assert_eq!(payload["actions"][0]["type"], "button");
    assert_eq!(payload["actions"][0]["text"]["emoji"], true);

    // The response_url replaces the original, answers ephemerally, and wears out.
    let response_url = payload["response_url"].as_str().unwrap().to_owned();
    let http = client();
    let post = |body: Value| http.post(&response_url).json(&body).send();
    let claimed =
        json!([{"type": "section", "text": {"type": "mrkdwn", "text": "Claimed by <@U0REPANNA>"}}]);
    let (status, body) = status_json(
        post(json!({"replace_original": true, "text": "Claimed", "blocks": claimed}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body), (200, json!({"ok": true})));
    assert_eq!(sim.message("leads", &ts).unwrap().blocks, Some(claimed));
    let (status, _) = status_json(post(json!({"text": "Only you see this"})).await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(sim.ephemerals()[0].user, "U0REPANNA");
    for _ in 0..3 {
        post(json!({"text": "again"})).await.unwrap();
    }
    let (status, body) = status_json(post(json!({"text": "sixth"})).await.unwrap()).await;
    assert_eq!((status, body["error"].clone()), (404, json!("used_url")));
    assert_eq!(sim.response_url_posts().len(), 6);

    // Slack cannot click what is not there.
    let missing = sim
        .click(
            &gateway.url("/i"),
            "U0REPANNA",
            &ts,
            "leads",
            "not_a_button",
            None,
        )
        .await;
    assert_eq!(
        missing,
        Err(SlackSendError::UnknownAction("not_a_button".into()))
    );
}

#[tokio::test]
async fn url_buttons_click_without_a_value() {
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let gateway = Receiver::start().await;
    let ts = post_alert(&sim).await;
    let reply = sim
        .click(
            &gateway.url("/i"),
            "U0REPBEN",
            &ts,
            "leads",
            "open_transcript",
            None,
        )
        .await
        .unwrap();
    assert_eq!(reply.status, Some(200));
    let payload = gateway.wait_for(1).await[0].json();
    assert!(payload["actions"][0].get("value").is_none());
    let wrong = sim
        .click(
            &gateway.url("/i"),
            "U0REPBEN",
            &ts,
            "leads",
            "claim_lead",
            Some("lead_other"),
        )
        .await;
    assert!(matches!(wrong, Err(SlackSendError::ValueMismatch { .. })));
}

#[tokio::test]
async fn thread_replies_are_signed_events_and_are_retried() {
    let sim = SlackSim::start(fast_events()).await.unwrap();
    let gateway = Receiver::start().await;
    let ts = post_alert(&sim).await;
    gateway.answer([
        Canned::status(500),
        Canned::status(200).after(Duration::ZERO),
    ]);
    let reply = sim
        .thread_reply(
            &gateway.url("/slack/events"),
            "U0REPBEN",
            "leads",
            &ts,
            "Hi, Ben here",
        )
        .await
        .unwrap();
    assert_eq!(reply.status, Some(500));
    let requests = gateway.wait_for(2).await;
    for request in &requests {
        assert_signed(&sim, request);
        assert_eq!(
            request.body, requests[0].body,
            "a retry carries the same event"
        );
    }
    assert_eq!(requests[0].header("x-slack-retry-num"), None);
    assert_eq!(requests[1].header("x-slack-retry-num"), Some("1"));
    assert_eq!(
        requests[1].header("x-slack-retry-reason"),
        Some("http_error")
    );
    let envelope = requests[0].json();
    assert_eq!(envelope["type"], "event_callback");
    assert_eq!(envelope["event_id"], reply.id.as_str());
    assert_eq!(envelope["team_id"], "T0SIMTEAM01");
    assert_eq!(envelope["api_app_id"], "A0SIMAPP001");
    assert!(envelope["event_time"].is_i64());
    assert_eq!(envelope["authorizations"][0]["user_id"], sim.bot_user_id());
    let event = &envelope["event"];
    assert_eq!(event["type"], "message");
    assert_eq!(event["user"], "U0REPBEN");
    assert_eq!(event["text"], "Hi, Ben here");
    assert_eq!(event["thread_ts"], ts.as_str());
    assert_eq!(event["channel"], "C0123456789");
    assert_eq!(event["ts"], reply.ts.clone().unwrap().as_str());
    assert!(event.get("bot_id").is_none());
    let stored = sim.message("leads", reply.ts.as_deref().unwrap()).unwrap();
    assert_eq!(
        (stored.via, stored.user.as_deref()),
        (Via::User, Some("U0REPBEN"))
    );
    let deliveries = sim.wait_for_deliveries(2, Duration::from_secs(5)).await;
    assert_eq!(deliveries.len(), 2);
    assert_eq!(
        deliveries.iter().map(|d| d.status).collect::<Vec<_>>(),
        vec![Some(500), Some(200)]
    );

    // X-Slack-No-Retry: 1 on an error answer stops the retries.
    gateway.answer([Canned::status(503).header("x-slack-no-retry", "1")]);
    sim.thread_reply(
        &gateway.url("/slack/events"),
        "U0REPANNA",
        "leads",
        &ts,
        "second",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(gateway.requests().len(), 3);

    // A reply to a message that is not there cannot happen.
    let orphan = sim
        .thread_reply(&gateway.url("/e"), "U0REPANNA", "leads", "1.000001", "x")
        .await;
    assert!(matches!(orphan, Err(SlackSendError::UnknownMessage { .. })));
}

#[tokio::test]
async fn timeouts_are_retried_as_http_timeout_until_the_schedule_ends() {
    let sim = SlackSim::start(fast_events()).await.unwrap();
    let gateway = Receiver::start().await;
    let ts = post_alert(&sim).await;
    let slow = Canned::status(200).after(Duration::from_millis(600));
    gateway.answer([slow.clone(), slow.clone(), slow.clone(), slow]);
    let reply = sim
        .thread_reply(&gateway.url("/e"), "U0REPANNA", "leads", &ts, "hello?")
        .await
        .unwrap();
    assert_eq!(reply.status, None);
    let deliveries = sim.wait_for_deliveries(4, Duration::from_secs(10)).await;
    assert_eq!(
        deliveries.len(),
        4,
        "first attempt and Slack's three retries"
    );
    assert_eq!(deliveries[3].header("x-slack-retry-num"), Some("3"));
    assert_eq!(
        deliveries[3].header("x-slack-retry-reason"),
        Some("http_timeout")
    );
    assert!(
        deliveries
            .iter()
            .all(|d| d.failure.as_deref() == Some("timeout"))
    );
}

#[tokio::test]
async fn the_apps_own_messages_come_back_as_events() {
    let gateway = Receiver::start().await;
    let sim = SlackSim::start(Options {
        events_url: Some(gateway.url("/slack/events")),
        ..fast_events()
    })
    .await
    .unwrap();
    let ts = post_alert(&sim).await;
    let echo = gateway.wait_for(1).await.remove(0);
    assert_signed(&sim, &echo);
    let event = &echo.json()["event"];
    assert_eq!(event["bot_id"], sim.bot_id());
    assert_eq!(event["subtype"], "bot_message");
    assert_eq!(event["ts"], ts.as_str());
    let (_, body) = call(
        &sim,
        "chat.update",
        json!({"channel": "C0123456789", "ts": ts, "text": "Claimed"}),
    )
    .await;
    assert_eq!(body["ok"], true);
    let changed = gateway.wait_for(2).await.remove(1).json();
    assert_eq!(changed["event"]["subtype"], "message_changed");
    assert_eq!(changed["event"]["message"]["ts"], ts.as_str());
    assert_eq!(changed["event"]["message"]["bot_id"], sim.bot_id());

    // Without channels:history the app is not subscribed to message events.
    let quiet = Receiver::start().await;
    let unsubscribed = SlackSim::start(Options {
        events_url: Some(quiet.url("/e")),
        bot_scopes: vec!["chat:write".into()],
        ..Options::default()
    })
    .await
    .unwrap();
    post_alert(&unsubscribed).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(quiet.requests().is_empty());
}

#[tokio::test]
async fn verification_redelivery_and_raw_requests() {
    let sim = SlackSim::start(fast_events()).await.unwrap();
    let gateway = Receiver::start().await;
    gateway.answer([Canned::body(200, "will-be-wrong")]);
    let verification = sim.url_verification(&gateway.url("/slack/events")).await;
    let request = gateway.wait_for(1).await.remove(0);
    assert_signed(&sim, &request);
    let body = request.json();
    assert_eq!(body["type"], "url_verification");
    assert_eq!(body["challenge"], verification.id.as_str());
    assert_eq!(verification.body, "will-be-wrong");

    let ts = post_alert(&sim).await;
    let reply = sim
        .thread_reply(
            &gateway.url("/slack/events"),
            "U0REPANNA",
            "leads",
            &ts,
            "hi",
        )
        .await
        .unwrap();
    let again = sim.redeliver(&reply.id, 2).await.unwrap();
    assert_eq!(again.status, Some(200));
    let requests = gateway.wait_for(3).await;
    assert_eq!(requests[2].body, requests[1].body);
    assert_eq!(requests[2].header("x-slack-retry-num"), Some("2"));
    assert_eq!(
        requests[2].header("x-slack-retry-reason"),
        Some("http_timeout")
    );
    assert_signed(&sim, &requests[2]);
    assert!(sim.redeliver("Ev0NOPE", 1).await.is_err());

    let stale = (time::OffsetDateTime::now_utc().unix_timestamp() - 600).to_string();
    sim.send_raw(
        &gateway.url("/slack/events"),
        "application/json",
        "{}",
        &stale,
        None,
    )
    .await;
    sim.send_raw(
        &gateway.url("/slack/events"),
        "application/json",
        "{}",
        &stale,
        Some("v0=00"),
    )
    .await;
    let requests = gateway.wait_for(5).await;
    assert_eq!(
        requests[3].header("x-slack-request-timestamp"),
        Some(stale.as_str())
    );
    assert_eq!(
        requests[3].header("x-slack-signature").unwrap(),
        signature::v0(sim.signing_secret(), &stale, "{}")
    );
    assert_eq!(requests[4].header("x-slack-signature"), Some("v0=00"));
}
