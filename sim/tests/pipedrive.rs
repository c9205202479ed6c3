//! Pipedrive simulator over real HTTP: v2 records and search, v1 notes and activities, token
//! and OAuth auth, burst/search windows and the daily token budget.

mod common;

use std::time::Duration;

use common::{client, header, status_json};
use leadgate_sim::pipedrive::{Options, PipedriveSim};
use leadgate_sim::{FieldDef, RateLimit};
use serde_json::{Value, json};

const SCORE_KEY: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const TITLE_KEY: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0f98765432";

struct Api {
    sim: PipedriveSim,
    http: reqwest::Client,
}

impl Api {
    async fn start(options: Options) -> Api {
        Api {
            sim: PipedriveSim::start(options).await.expect("start"),
            http: client(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request
            .header("x-api-token", self.sim.api_token())
            .send()
            .await
            .expect("send");
        status_json(response).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.http.post(self.url(path)).json(&body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.http.get(self.url(path))).await
    }

    async fn person(&self, name: &str, email: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/v2/persons",
                json!({"name": name, "emails": [{"value": email, "primary": true, "label": "work"}],
                       "phones": [{"value": "+14155550123"}]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }
}

#[tokio::test]
async fn persons_are_created_without_uniqueness() {
    let api = Api::start(Options::default()).await;
    let (_, org) = api
        .post("/api/v2/organizations", json!({"name": "Acme"}))
        .await;
    let org_id = org["data"]["id"].as_u64().unwrap();
    let (status, created) = api
        .post(
            "/api/v2/persons",
            json!({"name": "Jane Doe", "emails": [{"value": "jane@example.com"}], "org_id": org_id}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["success"], true);
    let person = &created["data"];
    assert!(person["id"].is_u64());
    assert_eq!(person["first_name"], "Jane");
    assert_eq!(person["last_name"], "Doe");
    assert_eq!(person["emails"][0]["primary"], true);
    assert_eq!(person["org_id"], org_id);
    assert!(person["add_time"].as_str().unwrap().ends_with('Z'));

    api.person("Jane Again", "jane@example.com").await;
    let persons = api.sim.records("persons");
    assert_eq!(persons.len(), 2);
    assert!(
        persons[0]
            .associations
            .contains(&("organizations".into(), org_id.to_string()))
    );
}

#[tokio::test]
async fn search_with_exact_match_and_filters() {
    let api = Api::start(Options::default()).await;
    api.person("Jane Doe", "jane@example.com").await;
    api.person("John Roe", "john@example.com").await;
    let (status, found) = api
        .get("/api/v2/persons/search?term=JANE%40example.com&fields=email&exact_match=true")
        .await;
    assert_eq!(status, 200, "{found}");
    let items = found["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["item"]["type"], "person");
    assert_eq!(items[0]["item"]["emails"][0], "jane@example.com");
    assert_eq!(found["additional_data"]["next_cursor"], Value::Null);

    let (_, by_phone) = api
        .get("/api/v2/persons/search?term=%2B14155550123&fields=phone&exact_match=true")
        .await;
    assert_eq!(by_phone["data"]["items"].as_array().unwrap().len(), 2);

    let (_, partial) = api
        .get("/api/v2/persons/search?term=example.com&fields=email")
        .await;
    assert_eq!(partial["data"]["items"].as_array().unwrap().len(), 2);
    let (_, exact_miss) = api
        .get("/api/v2/persons/search?term=example.com&fields=email&exact_match=true")
        .await;
    assert!(exact_miss["data"]["items"].as_array().unwrap().is_empty());

    let (status, short) = api.get("/api/v2/persons/search?term=j").await;
    assert_eq!(status, 400);
    assert_eq!(short["success"], false);
    let (status, _) = api
        .get("/api/v2/persons/search?term=j&exact_match=true")
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .get("/api/v2/persons/search?term=jane&fields=colour")
        .await;
    assert_eq!(status, 400);

    let (_, org) = api
        .post("/api/v2/organizations", json!({"name": "Acme Corp"}))
        .await;
    let (_, orgs) = api
        .get("/api/v2/organizations/search?term=acme%20corp&fields=name&exact_match=true")
        .await;
    assert_eq!(orgs["data"]["items"][0]["item"]["id"], org["data"]["id"]);
}

#[tokio::test]
async fn update_and_missing_records() {
    let api = Api::start(Options::default()).await;
    let person = api.person("Jane Doe", "jane@example.com").await;
    let id = person["id"].as_u64().unwrap();
    let (status, updated) = api
        .send(
            api.http
                .patch(api.url(&format!("/api/v2/persons/{id}")))
                .json(&json!({"name": "Jane Smith", "phones": [{"value": "+441234"}]})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["data"]["last_name"], "Smith");
    assert_eq!(updated["data"]["phones"][0]["value"], "+441234");
    assert_eq!(updated["data"]["emails"][0]["value"], "jane@example.com");

    let (status, missing) = api.get("/api/v2/persons/999999").await;
    assert_eq!(status, 404);
    assert_eq!(missing["success"], false);
    assert_eq!(missing["error"], "Person not found");
}

#[tokio::test]
async fn deals_notes_and_activities_link_to_persons() {
    let api = Api::start(Options::default()).await;
    let person = api.person("Jane Doe", "jane@example.com").await;
    let person_id = person["id"].as_u64().unwrap();
    let (status, deal) = api
        .post(
            "/api/v2/deals",
            json!({"title": "Chat lead", "person_id": person_id, "value": 1000, "currency": "EUR", "expected_close_date": "2026-12-31"}),
        )
        .await;
    assert_eq!(status, 200, "{deal}");
    let deal_id = deal["data"]["id"].as_u64().unwrap();
    assert_eq!(deal["data"]["status"], "open");

    let (status, note) = api
        .post(
            "/v1/notes",
            json!({"content": "<p>transcript</p>", "person_id": person_id, "deal_id": deal_id, "pinned_to_deal_flag": 1}),
        )
        .await;
    assert_eq!(status, 200, "{note}");
    assert_eq!(note["data"]["person"]["name"], "Jane Doe");
    assert_eq!(note["data"]["deal"]["title"], "Chat lead");
    assert_eq!(note["data"]["active_flag"], true);

    let (status, orphan) = api.post("/v1/notes", json!({"content": "x"})).await;
    assert_eq!(status, 400);
    assert_eq!(orphan["success"], false);

    let (status, refused) = api
        .post(
            "/api/v2/activities",
            json!({"subject": "Call Jane", "type": "call", "deal_id": deal_id, "person_id": person_id}),
        )
        .await;
    assert_eq!(status, 400, "v2 activities: person_id is read-only");
    assert_eq!(refused["code"], "ERR_BAD_REQUEST");
    assert_eq!(
        refused["error"],
        "'person_id' is a read-only field. Add a primary participant to set 'person_id' instead."
    );
    let (status, activity) = api
        .post(
            "/api/v2/activities",
            json!({"subject": "Call Jane", "type": "call", "due_date": "2026-11-25", "due_time": "15:00", "deal_id": deal_id,
                   "participants": [{"person_id": person_id, "primary": true}]}),
        )
        .await;
    assert_eq!(status, 200, "{activity}");
    assert_eq!(
        activity["data"]["person_id"], person_id,
        "the primary participant is the activity's person"
    );
    let (status, listed) = api
        .get(&format!("/api/v2/activities?person_id={person_id}"))
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));

    let (status, v1_activity) = api
        .send(api.http.post(api.url("/api/v1/activities")).form(&[
            ("subject", "Follow up"),
            ("type", "task"),
            ("person_id", &person_id.to_string()),
            ("done", "0"),
        ]))
        .await;
    assert_eq!(status, 201, "{v1_activity}");
    assert_eq!(v1_activity["data"]["done"], false);

    let (status, bad_link) = api
        .post("/api/v2/deals", json!({"title": "x", "person_id": 424242}))
        .await;
    assert_eq!(status, 400, "{bad_link}");
    assert_eq!(api.sim.records("activities").len(), 2);
    assert_eq!(api.sim.records("notes").len(), 1);
    let person = &api.sim.records("persons")[0];
    assert!(
        person
            .associations
            .contains(&("deals".into(), deal_id.to_string()))
    );
}

#[tokio::test]
async fn bodies_are_validated() {
    let api = Api::start(Options {
        custom_fields: vec![FieldDef::new("persons", SCORE_KEY)],
        ..Options::default()
    })
    .await;
    let (status, body) = api
        .post(
            "/api/v2/persons",
            json!({"name": "x", "emails": ["jane@example.com"]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "ERR_SCHEMA_VALIDATION_FAILED");
    let (status, _) = api.post("/api/v2/persons", json!({"emails": []})).await;
    assert_eq!(status, 400);
    let (status, _) = api
        .post(
            "/api/v2/persons",
            json!({"name": "x", "custom_fields": {"nope": 1}}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, ok) = api
        .post(
            "/api/v2/persons",
            json!({"name": "x", "custom_fields": {SCORE_KEY: 87}}),
        )
        .await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(ok["data"]["custom_fields"][SCORE_KEY], 87);

    let (status, malformed) = api
        .send(
            api.http
                .post(api.url("/api/v2/persons"))
                .header("content-type", "application/json")
                .body("{\"name\":"),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(malformed["success"], false);
}

#[tokio::test]
async fn api_token_by_header_or_query_else_401() {
    let api = Api::start(Options::default()).await;
    let response = api
        .http
        .get(api.url(&format!(
            "/api/v2/persons?api_token={}",
            api.sim.api_token()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = api
        .http
        .get(api.url("/api/v2/persons"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(body["success"], false);
    assert_eq!(body["errorCode"], 401);
}

#[tokio::test]
async fn oauth_refresh_gives_api_domain_and_tokens_expire() {
    let api = Api::start(Options::default()).await;
    let oauth = api.sim.oauth_client().clone();
    let response = api
        .http
        .post(api.url("/oauth/token"))
        .basic_auth(&oauth.client_id, Some(&oauth.client_secret))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", oauth.refresh_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let (status, token) = status_json(response).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["api_domain"], api.sim.base_url());
    assert_eq!(token["expires_in"], 3599);
    let access = token["access_token"].as_str().unwrap().to_owned();

    let response = api
        .http
        .get(api.url("/api/v1/notes"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(header(&response, "x-daily-requests-left").is_none());

    api.sim.faults().expire_tokens();
    let response = api
        .http
        .get(api.url("/api/v2/persons"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let response = api
        .http
        .post(api.url("/oauth/token"))
        .basic_auth(&oauth.client_id, Some("wrong"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", oauth.refresh_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn burst_and_search_windows_answer_429_with_headers() {
    let api = Api::start(Options {
        api_token_burst: RateLimit::new(2, Duration::from_secs(60)),
        search_burst: RateLimit::new(1, Duration::from_secs(60)),
        ..Options::default()
    })
    .await;
    for remaining in ["1", "0"] {
        let response = api
            .http
            .get(api.url("/api/v2/persons"))
            .header("x-api-token", api.sim.api_token())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit").as_deref(), Some("2"));
        assert_eq!(
            header(&response, "x-ratelimit-remaining").as_deref(),
            Some(remaining)
        );
        assert!(header(&response, "x-ratelimit-reset").is_some());
        assert_eq!(
            header(&response, "x-daily-requests-left").as_deref(),
            Some("10000")
        );
        assert!(header(&response, "x-daily-ratelimit-token-remaining").is_some());
    }
    let (status, body) = api.get("/api/v2/persons").await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({"success": false, "error": "Rate limit exceeded", "errorCode": 429,
        "error_info": "Please check developers.pipedrive.com for more information about Pipedrive API.",
        "data": null, "additional_data": null})
    );
    let (status, _) = api.get("/api/v2/persons/search?term=jane").await;
    assert_eq!(status, 200);
    let (status, _) = api.get("/api/v2/persons/search?term=jane").await;
    assert_eq!(status, 429);
    assert_eq!(api.sim.stats().rate_limited, 2);
}

#[tokio::test]
async fn daily_requests_left_counts_writes_only() {
    let api = Api::start(Options {
        daily_writes: 2,
        ..Options::default()
    })
    .await;
    let left = |response: &reqwest::Response| header(response, "x-daily-requests-left");
    let send = |request: reqwest::RequestBuilder| {
        request.header("x-api-token", api.sim.api_token()).send()
    };
    let read = send(api.http.get(api.url("/api/v2/persons")))
        .await
        .unwrap();
    assert_eq!(left(&read).as_deref(), Some("2"), "a read spends none");
    let created = send(
        api.http
            .post(api.url("/api/v2/persons"))
            .json(&json!({"name": "Jane"})),
    )
    .await
    .unwrap();
    assert_eq!(left(&created).as_deref(), Some("1"));
    let id = api.sim.records("persons")[0].id.clone();
    let patched = send(
        api.http
            .patch(api.url(&format!("/api/v2/persons/{id}")))
            .json(&json!({"name": "Jane Doe"})),
    )
    .await
    .unwrap();
    assert_eq!(
        left(&patched).as_deref(),
        Some("0"),
        "v2's PATCH is a write"
    );
    let search = send(api.http.get(api.url("/api/v2/persons/search?term=jane")))
        .await
        .unwrap();
    assert_eq!(search.status(), 200, "reads go on");
    assert_eq!(left(&search).as_deref(), Some("0"));
}

#[tokio::test]
async fn daily_budget_is_spent_by_token_cost() {
    let api = Api::start(Options {
        daily_budget: RateLimit::per_day(30),
        ..Options::default()
    })
    .await;
    let response = api
        .http
        .get(api.url("/api/v2/persons/search?term=jane"))
        .header("x-api-token", api.sim.api_token())
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&response, "x-daily-ratelimit-token-remaining").as_deref(),
        Some("10")
    );
    api.person("Jane Doe", "jane@example.com").await;
    let (status, _) = api.get("/api/v2/persons").await;
    assert_eq!(status, 429);
    let (status, _) = api.get("/api/v2/persons/1").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn injected_failures_use_pipedrive_bodies() {
    let api = Api::start(Options::default()).await;
    api.sim.faults().fail_next(1, 502);
    let (status, body) = api.get("/api/v2/persons").await;
    assert_eq!(status, 502);
    assert_eq!(body["success"], false);
    api.sim.faults().throttle_next(1);
    let response = api
        .http
        .get(api.url("/api/v2/persons"))
        .header("x-api-token", api.sim.api_token())
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&response, "x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    let (status, body) = status_json(response).await;
    assert_eq!(status, 429);
    assert_eq!(body["errorCode"], 429);
    api.sim
        .faults()
        .reject_field_value("emails", "blocked@example.com");
    let (status, _) = api
        .post(
            "/api/v2/persons",
            json!({"name": "x", "emails": [{"value": "blocked@example.com"}]}),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_update_sets_the_custom_fields_it_names_and_keeps_the_others() {
    let api = Api::start(Options {
        custom_fields: vec![
            FieldDef::new("persons", SCORE_KEY),
            FieldDef::new("persons", TITLE_KEY),
        ],
        ..Options::default()
    })
    .await;
    let (_, created) = api
        .post(
            "/api/v2/persons",
            json!({"name": "x", "custom_fields": {SCORE_KEY: 10, TITLE_KEY: "CEO"}}),
        )
        .await;
    let id = created["data"]["id"].as_u64().unwrap();
    let patch = |body: Value| {
        api.send(
            api.http
                .patch(api.url(&format!("/api/v2/persons/{id}")))
                .json(&body),
        )
    };
    let (status, updated) = patch(json!({"custom_fields": {SCORE_KEY: 60}})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["data"]["custom_fields"][SCORE_KEY], 60);
    assert_eq!(updated["data"]["custom_fields"][TITLE_KEY], "CEO", "kept");
    let (_, cleared) = patch(json!({"custom_fields": {TITLE_KEY: null}})).await;
    assert_eq!(cleared["data"]["custom_fields"][SCORE_KEY], 60);
    assert!(cleared["data"]["custom_fields"][TITLE_KEY].is_null());
}
