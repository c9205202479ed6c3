//! Zoho CRM's Notification API toward the gateway: channels, expiry, callbacks with the token,
//! Modified_By of the API user and of a rep.

mod common;

use std::time::Duration;

use common::{Canned, Receiver, client, status_json};
use leadgate_sim::zoho::{Options, ZohoSim};
use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

struct Api {
    sim: ZohoSim,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn start() -> Api {
        let sim = ZohoSim::start(Options::default()).await.expect("start");
        let http = client();
        let oauth = sim.oauth_client();
        let query = serde_urlencoded::to_string([
            ("refresh_token", oauth.refresh_token.as_str()),
            ("client_id", oauth.client_id.as_str()),
            ("client_secret", oauth.client_secret.as_str()),
            ("grant_type", "refresh_token"),
        ])
        .unwrap();
        let response = http
            .post(format!("{}/oauth/v2/token?{query}", sim.base_url()))
            .send()
            .await
            .unwrap();
        let (_, token) = status_json(response).await;
        Api {
            token: token["access_token"].as_str().unwrap().to_owned(),
            sim,
            http,
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}/crm/v8{path}", self.sim.base_url()))
            .header("Authorization", format!("Zoho-oauthtoken {}", self.token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        status_json(request.send().await.unwrap()).await
    }

    async fn deal(&self) -> String {
        let (status, body) = self
            .send(
                reqwest::Method::POST,
                "/Deals",
                Some(json!({"data": [{"Deal_Name": "Chat lead", "Stage": "Qualification", "Closing_Date": "2026-12-31"}]})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["data"][0]["details"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn in_days(days: u64) -> String {
    (time::OffsetDateTime::now_utc() + Duration::from_secs(days * 86_400))
        .format(&Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn channels_are_enabled_listed_updated_and_disabled() {
    let api = Api::start().await;
    let (status, _) = api.send(reqwest::Method::GET, "/actions/watch", None).await;
    assert_eq!(status, 204);
    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "/actions/watch",
            Some(json!({"watch": [{
                "channel_id": "1000000068001",
                "events": ["Deals.edit"],
                "notify_url": "https://gw.example/hooks/zoho?key=k1",
                "token": "TOKEN_FOR_VERIFICATION_OF_1000000068001",
                "channel_expiry": in_days(6),
            }]})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let entry = &body["watch"][0];
    assert_eq!(entry["code"], "SUCCESS");
    let details = &entry["details"]["events"][0];
    assert_eq!(details["resource_name"], "Deals");
    assert_eq!(details["channel_id"], "1000000068001");
    assert_eq!(
        details["resource_uri"],
        format!("{}/crm/v8/Deals", api.sim.base_url())
    );

    // Longer than a week falls back to one hour; no expiry is one hour too.
    let (_, body) = api
        .send(
            reqwest::Method::PATCH,
            "/actions/watch",
            Some(
                json!({"watch": [{"channel_id": "1000000068001", "channel_expiry": in_days(14)}]}),
            ),
        )
        .await;
    let expiry = body["watch"][0]["details"]["events"][0]["channel_expiry"]
        .as_str()
        .unwrap()
        .to_owned();
    let expiry = time::OffsetDateTime::parse(&expiry, &Rfc3339).unwrap();
    assert!(expiry - time::OffsetDateTime::now_utc() <= Duration::from_secs(3600));

    let (status, list) = api.send(reqwest::Method::GET, "/actions/watch", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        list["watch"][0]["token"],
        "TOKEN_FOR_VERIFICATION_OF_1000000068001"
    );

    let (status, body) = api
        .send(
            reqwest::Method::POST,
            "/actions/watch",
            Some(json!({"watch": [{"channel_id": "2", "events": ["Deals.edit"], "notify_url": "https://x", "token": "t".repeat(51)}]})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["watch"][0]["code"], "INVALID_DATA");
    assert_eq!(body["watch"][0]["details"]["api_name"], "token");

    let (status, body) = api
        .send(
            reqwest::Method::DELETE,
            "/actions/watch?channel_ids=1000000068001",
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = api.send(reqwest::Method::GET, "/actions/watch", None).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn deal_edits_call_back_with_ids_and_the_token() {
    let api = Api::start().await;
    let gateway = Receiver::start().await;
    let notify_url = gateway.url("/hooks/zoho?key=k1");
    let (status, _) = api
        .send(
            reqwest::Method::POST,
            "/actions/watch",
            Some(json!({"watch": [{
                "channel_id": 1000000068001u64,
                "events": ["Deals.edit"],
                "notify_url": notify_url,
                "token": "tok-1",
                "notification_condition": [{"type": "field_selection", "module": {"api_name": "Deals"},
                    "field_selection": {"field": {"api_name": "Stage"}}}],
            }]})),
        )
        .await;
    assert_eq!(status, 201);
    let id = api.deal().await;
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            &format!("/Deals/{id}"),
            Some(json!({"data": [{"Stage": "Negotiation/Review"}]})),
        )
        .await;
    assert_eq!(status, 200);
    let callback = gateway.wait_for(1).await.remove(0);
    assert_eq!(callback.uri, "/hooks/zoho?key=k1");
    let body = callback.json();
    assert_eq!(body["module"], "Deals");
    assert_eq!(body["operation"], "update");
    assert_eq!(body["ids"], json!([id]));
    assert_eq!(body["channel_id"], "1000000068001");
    assert_eq!(body["token"], "tok-1");
    assert_eq!(body["query_params"], json!({"key": "k1"}));
    assert_eq!(body["affected_fields"][0][&id], json!(["Stage"]));
    assert!(body["server_time"].is_u64());

    // The API's own write: Modified_By is the API user, as /users?type=CurrentUser says.
    let (_, deal) = api
        .send(reqwest::Method::GET, &format!("/Deals/{id}"), None)
        .await;
    let (_, me) = api
        .send(reqwest::Method::GET, "/users?type=CurrentUser", None)
        .await;
    assert_eq!(deal["data"][0]["Modified_By"]["id"], me["users"][0]["id"]);
    assert_eq!(me["users"][0]["id"], api.sim.api_user_id());

    // Not a Stage change: the field selection keeps it quiet.
    api.send(
        reqwest::Method::PUT,
        &format!("/Deals/{id}"),
        Some(json!({"data": [{"Amount": 5000}]})),
    )
    .await;
    // A rep's edit: a different Modified_By.
    let fields: Map<String, Value> = json!({"Stage": "Closed Won"}).as_object().cloned().unwrap();
    let record = api.sim.crm_user_changes_deal(&id, fields).unwrap();
    assert_eq!(record.str_field("Stage"), Some("Closed Won"));
    let rep = gateway.wait_for(2).await.remove(1).json();
    assert_eq!(rep["affected_fields"][0][&id], json!(["Stage"]));
    let (_, deal) = api
        .send(reqwest::Method::GET, &format!("/Deals/{id}"), None)
        .await;
    assert_eq!(deal["data"][0]["Modified_By"]["id"], "5725767000000297002");
    assert_eq!(gateway.requests().len(), 2);
}

#[tokio::test]
async fn failed_callbacks_are_not_retried() {
    let api = Api::start().await;
    let gateway = Receiver::start().await;
    api.send(
        reqwest::Method::POST,
        "/actions/watch",
        Some(json!({"watch": [{"channel_id": 7, "events": ["Deals.all"], "notify_url": gateway.url("/z")}]})),
    )
    .await;
    gateway.answer([Canned::status(500)]);
    api.deal().await;
    let deliveries = api.sim.wait_for_deliveries(1, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(deliveries[0].status, Some(500));
    assert_eq!(api.sim.webhook_deliveries().len(), 1);
    assert_eq!(gateway.requests()[0].json()["operation"], "insert");
}
