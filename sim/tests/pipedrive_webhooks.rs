//! Pipedrive's webhooks toward the gateway: the webhooks API, v2 and v1 deliveries with Basic
//! auth, change sources, retries and bans.

mod common;

use std::time::Duration;

use common::{Canned, Receiver, client, status_json};
use leadgate_sim::pipedrive::{Options, PipedriveSim, pipedrive_retry};
use serde_json::{Map, Value, json};

fn fast() -> Options {
    Options {
        webhook_retry: pipedrive_retry()
            .compressed(Duration::from_millis(20))
            .with_timeout(Duration::from_millis(500)),
        ..Options::default()
    }
}

async fn call(
    sim: &PipedriveSim,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client()
        .request(method, format!("{}{path}", sim.base_url()))
        .header("x-api-token", sim.api_token());
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_json(request.send().await.unwrap()).await
}

async fn subscribe(sim: &PipedriveSim, url: &str, body: Value) -> Value {
    let mut body = body;
    body["subscription_url"] = json!(url);
    let (status, answer) = call(sim, reqwest::Method::POST, "/v1/webhooks", Some(body)).await;
    assert_eq!(status, 201, "{answer}");
    answer
}

async fn create_deal(sim: &PipedriveSim) -> String {
    let (status, body) = call(
        sim,
        reqwest::Method::POST,
        "/api/v2/deals",
        Some(json!({"title": "Chat lead", "value": 1200})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["id"].to_string()
}

#[tokio::test]
async fn the_webhooks_api_creates_lists_and_deletes() {
    let sim = PipedriveSim::start(Options::default()).await.unwrap();
    let created = subscribe(
        &sim,
        "https://gw.example/hooks/pipedrive",
        json!({"event_action": "change", "event_object": "deal", "name": "deal changes",
               "http_auth_user": "pd", "http_auth_password": "secret"}),
    )
    .await;
    assert_eq!(created["success"], true);
    assert_eq!(created["data"]["version"], "2.0");
    assert_eq!(created["data"]["event_object"], "deal");
    assert_eq!(created["data"]["user_id"], 13_579_001);
    let id = created["data"]["id"].as_u64().unwrap();
    let (_, list) = call(&sim, reqwest::Method::GET, "/v1/webhooks", None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    for (body, field) in [
        (
            json!({"subscription_url": "not a url", "event_action": "change", "event_object": "deal", "name": "x"}),
            "subscription_url",
        ),
        (
            json!({"subscription_url": "https://x", "event_action": "updated", "event_object": "deal", "name": "x"}),
            "event_action",
        ),
        (
            json!({"subscription_url": "https://x", "event_action": "change", "event_object": "deals", "name": "x"}),
            "event_object",
        ),
        (
            json!({"subscription_url": "https://x", "event_action": "change", "event_object": "deal"}),
            "name",
        ),
    ] {
        let (status, answer) = call(&sim, reqwest::Method::POST, "/v1/webhooks", Some(body)).await;
        assert_eq!(status, 400);
        assert_eq!(answer["success"], false);
        assert!(answer["errors"].get(field).is_some(), "{answer}");
    }
    let (status, _) = call(
        &sim,
        reqwest::Method::DELETE,
        &format!("/v1/webhooks/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &sim,
        reqwest::Method::DELETE,
        &format!("/v1/webhooks/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, me) = call(&sim, reqwest::Method::GET, "/v1/users/me", None).await;
    assert_eq!(status, 200);
    assert_eq!(me["data"]["id"], 13_579_001);
}

#[tokio::test]
async fn api_and_app_changes_are_delivered_with_basic_auth() {
    let sim = PipedriveSim::start(fast()).await.unwrap();
    let gateway = Receiver::start().await;
    let url = gateway.url("/hooks/pipedrive");
    subscribe(
        &sim,
        &url,
        json!({"event_action": "*", "event_object": "deal", "name": "deals",
               "http_auth_user": "pd", "http_auth_password": "secret"}),
    )
    .await;
    let id = create_deal(&sim).await;
    let created = gateway.wait_for(1).await.remove(0);
    assert_eq!(created.header("authorization"), Some("Basic cGQ6c2VjcmV0"));
    let body = created.json();
    assert_eq!(body["meta"]["action"], "create");
    assert_eq!(body["previous"], Value::Null);
    assert_eq!(body["data"]["title"], "Chat lead");

    let (status, _) = call(
        &sim,
        reqwest::Method::PATCH,
        &format!("/api/v2/deals/{id}"),
        Some(json!({"stage_id": 2})),
    )
    .await;
    assert_eq!(status, 200);
    let changed = gateway.wait_for(2).await.remove(1).json();
    let meta = &changed["meta"];
    assert_eq!(meta["action"], "change");
    assert_eq!(meta["entity"], "deal");
    assert_eq!(meta["entity_id"], id.as_str());
    assert_eq!(meta["version"], "2.0");
    assert_eq!(meta["change_source"], "api");
    assert_eq!(meta["user_id"], "13579001");
    assert_eq!(meta["attempt"], 1);
    assert!(meta["id"].is_string() && meta["webhook_id"].is_string());
    assert!(meta["timestamp"].is_string());
    assert_eq!(changed["data"]["stage_id"], 2);
    assert_eq!(changed["previous"], json!({"stage_id": 1}));

    let fields: Map<String, Value> = json!({"stage_id": 3, "status": "won"})
        .as_object()
        .cloned()
        .unwrap();
    sim.crm_user_changes_deal(&id, fields).unwrap();
    let app = gateway.wait_for(3).await.remove(2).json();
    assert_eq!(app["meta"]["change_source"], "app");
    assert_eq!(app["meta"]["user_id"], "13579002");
    assert_eq!(app["previous"], json!({"stage_id": 2, "status": "open"}));

    // Writing what is already there sends nothing; deleting sends a delete.
    call(
        &sim,
        reqwest::Method::PATCH,
        &format!("/api/v2/deals/{id}"),
        Some(json!({"stage_id": 3})),
    )
    .await;
    call(
        &sim,
        reqwest::Method::DELETE,
        &format!("/api/v2/deals/{id}"),
        None,
    )
    .await;
    let deleted = gateway.wait_for(4).await.remove(3).json();
    assert_eq!(deleted["meta"]["action"], "delete");
    assert_eq!(deleted["data"], Value::Null);
    assert_eq!(deleted["previous"]["id"], id.parse::<u64>().unwrap());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(gateway.requests().len(), 4);
}

#[tokio::test]
async fn version_one_webhooks_get_the_v1_format() {
    let sim = PipedriveSim::start(fast()).await.unwrap();
    let gateway = Receiver::start().await;
    subscribe(
        &sim,
        &gateway.url("/v1hook"),
        json!({"event_action": "change", "event_object": "deal", "name": "v1", "version": "1.0"}),
    )
    .await;
    let id = create_deal(&sim).await;
    call(
        &sim,
        reqwest::Method::PATCH,
        &format!("/api/v2/deals/{id}"),
        Some(json!({"title": "Renamed"})),
    )
    .await;
    let body = gateway.wait_for(1).await.remove(0).json();
    assert_eq!(body["event"], "updated.deal");
    assert_eq!(body["meta"]["action"], "updated");
    assert_eq!(body["meta"]["change_source"], "api");
    assert_eq!(body["retry"], 0);
    assert_eq!(body["current"]["title"], "Renamed");
    assert_eq!(body["previous"]["title"], "Chat lead");
    assert!(gateway.requests()[0].header("authorization").is_none());
}

#[tokio::test]
async fn failures_are_retried_three_times_and_ten_get_a_webhook_banned() {
    let sim = PipedriveSim::start(fast()).await.unwrap();
    let gateway = Receiver::start().await;
    subscribe(
        &sim,
        &gateway.url("/hooks"),
        json!({"event_action": "create", "event_object": "deal", "name": "new deals"}),
    )
    .await;
    gateway.answer([
        Canned::status(500),
        Canned::status(502),
        Canned::status(200),
    ]);
    create_deal(&sim).await;
    let deliveries = sim.wait_for_deliveries(3, Duration::from_secs(5)).await;
    assert_eq!(
        deliveries.iter().map(|d| d.status).collect::<Vec<_>>(),
        vec![Some(500), Some(502), Some(200)]
    );
    let attempts: Vec<Value> = gateway
        .wait_for(3)
        .await
        .iter()
        .map(|r| r.json()["meta"]["attempt"].clone())
        .collect();
    assert_eq!(attempts, [json!(1), json!(2), json!(3)]);

    // Ten failed first attempts (this one included) ban the webhook: the eleventh event is lost.
    gateway.answer((0..60).map(|_| Canned::status(500)));
    for _ in 0..9 {
        create_deal(&sim).await;
    }
    let total = 3 + 9 * 4;
    sim.wait_for_deliveries(total, Duration::from_secs(10))
        .await;
    create_deal(&sim).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        sim.webhook_deliveries().len(),
        total,
        "banned: nothing more is sent"
    );
}
