//! Every fault kind and the admin API, exercised on the HubSpot simulator (the pipeline is the
//! same for every vendor; vendor-specific bodies are checked in each vendor's tests).

mod common;

use std::time::Duration;

use common::{client, status_json};
use leadgate_sim::hubspot::{HubSpotSim, Options};
use leadgate_sim::{FaultCommand, Faults};
use serde_json::json;

async fn sim() -> HubSpotSim {
    HubSpotSim::start(Options {
        seed: Some(7),
        ..Options::default()
    })
    .await
    .expect("start")
}

async fn get(sim: &HubSpotSim, http: &reqwest::Client) -> reqwest::Result<reqwest::Response> {
    http.get(format!("{}/crm/v3/objects/contacts", sim.base_url()))
        .bearer_auth(sim.private_app_token())
        .send()
        .await
}

#[tokio::test]
async fn fail_next_uses_the_vendor_error_body_then_recovers() {
    let sim = sim().await;
    let http = client();
    sim.faults().fail_next(2, 503);
    for _ in 0..2 {
        let (status, body) = status_json(get(&sim, &http).await.unwrap()).await;
        assert_eq!(status, 503);
        assert_eq!(body["status"], "error");
        assert!(body["category"].is_string());
        assert!(body["correlationId"].is_string());
    }
    assert_eq!(get(&sim, &http).await.unwrap().status(), 200);
    let stats = sim.stats();
    assert_eq!(stats.injected_faults, 2);
    assert_eq!(stats.total_requests, 3);
    assert_eq!(stats.requests[0].status, Some(503));
    assert!(stats.requests[0].injected);
}

#[tokio::test]
async fn outage_fails_everything_until_it_ends() {
    let sim = sim().await;
    let http = client();
    sim.faults().outage(502, Duration::from_secs(3600));
    assert_eq!(get(&sim, &http).await.unwrap().status(), 502);
    assert_eq!(get(&sim, &http).await.unwrap().status(), 502);
    sim.faults().outage(500, Duration::from_millis(50));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(get(&sim, &http).await.unwrap().status(), 200);
}

#[tokio::test]
async fn error_rate_is_seeded_and_switchable() {
    let http = client();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = sim().await;
        sim.faults().set_error_rate(0.5, 500);
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(get(&sim, &http).await.unwrap().status().as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&500) && runs[0].contains(&200));

    let sim = sim().await;
    sim.faults().set_error_rate(1.0, 500);
    assert_eq!(get(&sim, &http).await.unwrap().status(), 500);
    sim.faults().set_error_rate(0.0, 500);
    assert_eq!(get(&sim, &http).await.unwrap().status(), 200);
}

#[tokio::test]
async fn latency_makes_an_impatient_client_time_out() {
    let sim = sim().await;
    sim.faults().set_latency(Duration::from_secs(5));
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = get(&sim, &impatient).await.unwrap_err();
    assert!(error.is_timeout());
    sim.faults().set_latency(Duration::ZERO);
    assert_eq!(get(&sim, &impatient).await.unwrap().status(), 200);
}

#[tokio::test]
async fn hang_next_never_answers() {
    let sim = sim().await;
    sim.faults().hang_next(1);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = get(&sim, &impatient).await.unwrap_err();
    assert!(error.is_timeout());
    assert_eq!(get(&sim, &impatient).await.unwrap().status(), 200);
    let stats = sim.stats();
    assert_eq!(stats.requests[0].status, None);
    assert_eq!(stats.injected_faults, 1);
    // Shutting down releases the hung request instead of waiting for it.
    sim.shutdown().await;
}

#[tokio::test]
async fn drop_next_closes_the_connection() {
    let sim = sim().await;
    let http = client();
    sim.faults().drop_next(1);
    let error = get(&sim, &http).await.unwrap_err();
    assert!(!error.is_timeout());
    assert!(error.status().is_none());
    assert_eq!(get(&sim, &http).await.unwrap().status(), 200);
    assert_eq!(sim.stats().requests[0].status, None);
}

#[tokio::test]
async fn throttle_next_answers_with_the_vendor_rate_limit() {
    let sim = sim().await;
    let http = client();
    sim.faults().throttle_next(1);
    let response = get(&sim, &http).await.unwrap();
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(response.headers()["x-hubspot-ratelimit-remaining"], "0");
    let (status, body) = status_json(response).await;
    assert_eq!(status, 429);
    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
    let stats = sim.stats();
    assert_eq!(stats.rate_limited, 1);
    assert_eq!(stats.injected_faults, 1);
}

#[tokio::test]
async fn rejected_field_values_are_validation_errors() {
    let sim = sim().await;
    let http = client();
    sim.faults()
        .reject_field_value("email", "blocked@example.com");
    let response = http
        .post(format!("{}/crm/v3/objects/contacts", sim.base_url()))
        .bearer_auth(sim.private_app_token())
        .json(&json!({"properties": {"email": "blocked@example.com"}}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 400);
    assert_eq!(body["category"], "VALIDATION_ERROR");
    sim.faults().clear();
    let response = http
        .post(format!("{}/crm/v3/objects/contacts", sim.base_url()))
        .bearer_auth(sim.private_app_token())
        .json(&json!({"properties": {"email": "blocked@example.com"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn faults_handles_are_shared_and_commands_apply() {
    let sim = sim().await;
    let handle: Faults = sim.faults().clone();
    handle.apply(FaultCommand::FailNext { n: 1, status: 500 });
    let http = client();
    assert_eq!(get(&sim, &http).await.unwrap().status(), 500);
}

#[tokio::test]
async fn admin_api_drives_a_running_simulator() {
    let sim = sim().await;
    let http = client();
    let base = sim.base_url().to_owned();
    let response = http
        .post(format!("{base}/_sim/faults"))
        .json(&json!([{"fail_next": {"n": 1, "status": 503}}, {"set_latency": {"ms": 0}}]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(get(&sim, &http).await.unwrap().status(), 503);

    let response = http
        .post(format!("{base}/_sim/records/contacts"))
        .json(&json!({"email": "seeded@example.com"}))
        .send()
        .await
        .unwrap();
    let (status, created) = status_json(response).await;
    assert_eq!(status, 201);
    let (_, records) = status_json(
        http.get(format!("{base}/_sim/records/contacts"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(records[0]["id"], created["id"]);
    assert_eq!(records[0]["fields"]["email"], "seeded@example.com");

    let (_, stats) =
        status_json(http.get(format!("{base}/_sim/stats")).send().await.unwrap()).await;
    assert_eq!(stats["total_requests"], 1);
    assert_eq!(stats["injected_faults"], 1);
    assert_eq!(stats["per_route"]["GET /crm/v3/objects/contacts"], 1);

    let response = http
        .post(format!("{base}/_sim/faults"))
        .json(&json!({"explode": true}))
        .send()
        .await
        .unwrap();
    let (status, error) = status_json(response).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "invalid_fault");

    let response = http
        .post(format!("{base}/_sim/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(sim.records("contacts").is_empty());
    assert_eq!(sim.stats().total_requests, 0);
}
