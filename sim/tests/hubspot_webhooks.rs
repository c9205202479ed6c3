//! HubSpot's deal.propertyChange webhooks toward the gateway: payload, signatures, change
//! sources and retries.

mod common;

use std::time::Duration;

use common::{Canned, Receiver, client, status_json};
use leadgate_sim::UiChangeError;
use leadgate_sim::hubspot::{HubSpotSim, Options, WebhookSubscription, signature};
use serde_json::{Map, Value, json};

const SECRET: &str = "hubspot-app-client-secret";
const APP_ID: u64 = 4_242_001;

fn subscription(url: String) -> WebhookSubscription {
    WebhookSubscription {
        retry: leadgate_sim::hubspot::hubspot_retry()
            .compressed(Duration::from_millis(20))
            .with_timeout(Duration::from_millis(500)),
        ..WebhookSubscription::new(url, SECRET, APP_ID)
    }
}

async fn create_deal(sim: &HubSpotSim, properties: Value) -> String {
    let response = client()
        .post(format!("{}/crm/v3/objects/deals", sim.base_url()))
        .bearer_auth(sim.private_app_token())
        .json(&json!({"properties": properties}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn patch_deal(sim: &HubSpotSim, id: &str, properties: Value) {
    let response = client()
        .patch(format!("{}/crm/v3/objects/deals/{id}", sim.base_url()))
        .bearer_auth(sim.private_app_token())
        .json(&json!({"properties": properties}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

fn props(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

fn verify(request: &common::Received, url: &str) {
    let timestamp = request.header("x-hubspot-request-timestamp").unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    assert!((now - timestamp.parse::<i128>().unwrap()).abs() < 5_000);
    assert_eq!(
        request.header("x-hubspot-signature-v3").unwrap(),
        signature::v3(SECRET, "POST", url, &request.body, timestamp)
    );
    assert_eq!(
        request.header("x-hubspot-signature").unwrap(),
        signature::v1(SECRET, &request.body)
    );
    assert_eq!(request.header("x-hubspot-signature-version"), Some("v1"));
}

#[tokio::test]
async fn api_writes_come_back_as_integration_changes() {
    let gateway = Receiver::start().await;
    let url = gateway.url("/hooks/hubspot?tenant=a%3Ab");
    let sim = HubSpotSim::start(Options {
        webhook: Some(subscription(url.clone())),
        ..Options::default()
    })
    .await
    .unwrap();
    let id = create_deal(
        &sim,
        json!({"dealname": "Chat lead", "dealstage": "appointmentscheduled"}),
    )
    .await;
    let created = gateway.wait_for(1).await.remove(0);
    verify(&created, &url);
    let events = created.json();
    assert_eq!(
        events.as_array().unwrap().len(),
        1,
        "dealname is not watched"
    );
    assert_eq!(events[0]["propertyName"], "dealstage");
    assert_eq!(events[0]["propertyValue"], "appointmentscheduled");

    patch_deal(
        &sim,
        &id,
        json!({"dealstage": "qualifiedtobuy", "amount": "1200", "dealname": "Renamed"}),
    )
    .await;
    let request = gateway.wait_for(2).await.remove(1);
    verify(&request, &url);
    assert_eq!(request.header("content-type"), Some("application/json"));
    let events = request.json();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    let mut names: Vec<&str> = events
        .iter()
        .map(|e| e["propertyName"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["amount", "dealstage"]);
    for event in events {
        assert_eq!(event["subscriptionType"], "deal.propertyChange");
        assert_eq!(event["objectId"], id.parse::<u64>().unwrap());
        assert_eq!(event["appId"], APP_ID);
        assert_eq!(event["portalId"], 24_681_357);
        assert_eq!(event["attemptNumber"], 0);
        assert_eq!(event["changeSource"], "INTEGRATION");
        assert_eq!(event["sourceId"], APP_ID.to_string());
        assert!(event["eventId"].is_u64());
        assert!(event["subscriptionId"].is_u64());
        assert!(event["occurredAt"].is_u64());
    }
    assert_ne!(events[0]["eventId"], events[1]["eventId"]);

    // Writing the same value again changes nothing and sends nothing.
    patch_deal(&sim, &id, json!({"dealstage": "qualifiedtobuy"})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(gateway.requests().len(), 2);
}

#[tokio::test]
async fn a_reps_ui_edit_is_a_crm_ui_change() {
    let gateway = Receiver::start().await;
    let url = gateway.url("/hooks/hubspot");
    let sim = HubSpotSim::start(Options::default()).await.unwrap();
    let id = create_deal(
        &sim,
        json!({"dealname": "Chat lead", "dealstage": "appointmentscheduled"}),
    )
    .await;
    sim.subscribe_webhook(subscription(url.clone()));
    let deal = sim
        .crm_user_changes_deal(
            &id,
            props(json!({"dealstage": "closedwon", "hubspot_owner_id": "9001"})),
        )
        .unwrap();
    assert_eq!(deal.str_field("dealstage"), Some("closedwon"));
    let request = gateway.wait_for(1).await.remove(0);
    verify(&request, &url);
    for event in request.json().as_array().unwrap() {
        assert_eq!(event["changeSource"], "CRM_UI");
        assert_eq!(event["sourceId"], "userId:45678");
    }
    assert_eq!(
        sim.crm_user_changes_deal("999999", props(json!({"dealstage": "closedwon"}))),
        Err(UiChangeError::NotFound("999999".into()))
    );
    assert!(matches!(
        sim.crm_user_changes_deal(&id, props(json!({"dealstage": "no_such_stage"}))),
        Err(UiChangeError::Refused(_))
    ));
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_next_attempt_number() {
    let gateway = Receiver::start().await;
    let url = gateway.url("/hooks/hubspot");
    let sim = HubSpotSim::start(Options {
        webhook: Some(subscription(url.clone())),
        ..Options::default()
    })
    .await
    .unwrap();
    gateway.answer([
        Canned::status(401),
        Canned::status(200).after(Duration::from_millis(800)),
        Canned::status(200),
    ]);
    create_deal(&sim, json!({"dealname": "x", "dealstage": "contractsent"})).await;
    let deliveries = sim.wait_for_deliveries(3, Duration::from_secs(10)).await;
    assert_eq!(
        deliveries.iter().map(|d| d.status).collect::<Vec<_>>(),
        vec![Some(401), None, Some(200)],
        "4xx and timeouts are retried"
    );
    assert_eq!(deliveries[1].failure.as_deref(), Some("timeout"));
    assert!(deliveries.iter().all(|d| d.id == deliveries[0].id));
    let requests = gateway.wait_for(3).await;
    for (n, request) in requests.iter().enumerate() {
        verify(request, &url);
        assert_eq!(request.json()[0]["attemptNumber"], n);
        assert_eq!(
            request.json()[0]["eventId"],
            requests[0].json()[0]["eventId"]
        );
    }
}

#[tokio::test]
async fn nothing_is_sent_without_a_subscription() {
    let sim = HubSpotSim::start(Options::default()).await.unwrap();
    let id = create_deal(&sim, json!({"dealname": "x", "dealstage": "contractsent"})).await;
    patch_deal(&sim, &id, json!({"dealstage": "closedwon"})).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(sim.webhook_deliveries().is_empty());
}
