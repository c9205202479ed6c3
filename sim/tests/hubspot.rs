//! HubSpot simulator over real HTTP: objects, search, batch, associations, limits, auth.

mod common;

use std::time::Duration;

use common::{client, header, status_json};
use leadgate_sim::hubspot::{HubSpotSim, Options};
use leadgate_sim::{FieldDef, RateLimit};
use serde_json::{Value, json};

struct Api {
    sim: HubSpotSim,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn start(options: Options) -> Api {
        let sim = HubSpotSim::start(options).await.expect("start");
        let token = sim.private_app_token().to_owned();
        Api {
            sim,
            http: client(),
            token,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("send");
        status_json(response).await
    }

    async fn create_contact(&self, email: &str) -> (u16, Value) {
        self.post(
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": email, "firstname": "Jane", "lastname": "Doe", "phone": "+14155550123"}, "associations": []}),
        )
        .await
    }
}

#[tokio::test]
async fn create_then_duplicate_gives_409_with_existing_id() {
    let api = Api::start(Options::default()).await;
    let (status, created) = api.create_contact("jane@example.com").await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["properties"]["email"], "jane@example.com");
    assert_eq!(created["properties"]["hs_object_id"], id.as_str());
    assert_eq!(created["archived"], false);

    let (status, conflict) = api.create_contact("JANE@example.com").await;
    assert_eq!(status, 409);
    assert_eq!(conflict["category"], "OBJECT_ALREADY_EXISTS");
    assert_eq!(
        conflict["message"],
        format!("Contact already exists. Existing ID: {id}")
    );
    assert_eq!(conflict["status"], "error");
    assert!(conflict["correlationId"].is_string());

    let records = api.sim.records("contacts");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].str_field("firstname"), Some("Jane"));
}

#[tokio::test]
async fn gdpr_delete_removes_a_contact_by_id_or_email() {
    let api = Api::start(Options::default()).await;
    let (_, first) = api.create_contact("jane@acme.test").await;
    let (_, second) = api.create_contact("joe@acme.test").await;
    let path = "/crm/v3/objects/contacts/gdpr-delete";
    for (body, status) in [
        (json!({}), 400),
        (json!({"objectId": 7}), 400),
        (json!({"objectId": "x", "idProperty": "phone"}), 400),
        (json!({"objectId": "999999"}), 404),
    ] {
        assert_eq!(api.post(path, body.clone()).await.0, status, "{body}");
    }
    let (status, _) = api.post(path, json!({"objectId": first["id"]})).await;
    assert_eq!(status, 204);
    let (status, _) = api
        .post(
            path,
            json!({"objectId": "JOE@acme.test", "idProperty": "email"}),
        )
        .await;
    assert_eq!(status, 204);
    assert!(api.sim.records("contacts").is_empty(), "{second}");
    let (status, _) = api.post(path, json!({"objectId": first["id"]})).await;
    assert_eq!(status, 404, "deleted once");
}

#[tokio::test]
async fn search_by_email_and_phone_groups() {
    let api = Api::start(Options::default()).await;
    api.create_contact("jane@example.com").await;
    api.create_contact("john@example.com").await;
    let (status, found) = api
        .post(
            "/crm/v3/objects/contacts/search",
            json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "Jane@Example.com"}]}],
                   "properties": ["email", "phone"], "limit": 1}),
        )
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["total"], 1);
    assert_eq!(
        found["results"][0]["properties"]["email"],
        "jane@example.com"
    );
    assert_eq!(found["results"][0]["properties"]["phone"], "+14155550123");

    let (_, by_phone) = api
        .post(
            "/crm/v3/objects/contacts/search",
            json!({"filterGroups": [
                {"filters": [{"propertyName": "phone", "operator": "EQ", "value": "+14155550123"}]},
                {"filters": [{"propertyName": "mobilephone", "operator": "EQ", "value": "+14155550123"}]}
            ], "limit": 1}),
        )
        .await;
    assert_eq!(by_phone["total"], 2);
    assert_eq!(by_phone["results"].as_array().unwrap().len(), 1);
    assert_eq!(by_phone["paging"]["next"]["after"], "1");

    let (_, none) = api
        .post(
            "/crm/v3/objects/contacts/search",
            json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "nobody@example.com"}]}]}),
        )
        .await;
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn validation_errors_are_permanent_400s() {
    let api = Api::start(Options::default()).await;
    let (status, unknown) = api
        .post(
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "a@example.com", "favourite_colour": "blue"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(unknown["category"], "VALIDATION_ERROR");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("PROPERTY_DOESNT_EXIST")
    );
    assert_eq!(unknown["errors"][0]["code"], "PROPERTY_DOESNT_EXIST");

    let (status, bad_email) = api.create_contact("jane@").await;
    assert_eq!(status, 400);
    assert!(
        bad_email["message"]
            .as_str()
            .unwrap()
            .contains("INVALID_EMAIL")
    );

    let response = api
        .http
        .post(api.url("/crm/v3/objects/contacts"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, malformed) = status_json(response).await;
    assert_eq!(status, 400);
    assert_eq!(malformed["category"], "VALIDATION_ERROR");
    assert!(
        malformed["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid input JSON")
    );
    assert!(api.sim.records("contacts").is_empty());
}

#[tokio::test]
async fn update_by_email_and_conflicting_email_update() {
    let api = Api::start(Options::default()).await;
    api.create_contact("jane@example.com").await;
    let (_, john) = api.create_contact("john@example.com").await;
    let response = api
        .http
        .patch(api.url("/crm/v3/objects/contacts/jane@example.com?idProperty=email"))
        .bearer_auth(&api.token)
        .json(&json!({"properties": {"company": "Acme"}}))
        .send()
        .await
        .unwrap();
    let (status, updated) = status_json(response).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["properties"]["company"], "Acme");

    let response = api
        .http
        .patch(api.url(&format!(
            "/crm/v3/objects/contacts/{}",
            john["id"].as_str().unwrap()
        )))
        .bearer_auth(&api.token)
        .json(&json!({"properties": {"email": "jane@example.com"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);

    let response = api
        .http
        .get(api.url("/crm/v3/objects/contacts/999999"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    let (status, missing) = status_json(response).await;
    assert_eq!(status, 404);
    assert_eq!(missing["category"], "OBJECT_NOT_FOUND");
}

#[tokio::test]
async fn batch_upsert_by_email_reports_new() {
    let api = Api::start(Options::default()).await;
    let body = json!({"inputs": [{"id": "jane@example.com", "idProperty": "email", "properties": {"firstname": "Jane"}, "objectWriteTraceId": "lead-1"}]});
    let (status, first) = api
        .post("/crm/v3/objects/contacts/batch/upsert", body.clone())
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "COMPLETE");
    assert_eq!(first["results"][0]["new"], true);
    let (_, second) = api
        .post("/crm/v3/objects/contacts/batch/upsert", body)
        .await;
    assert_eq!(second["results"][0]["new"], false);
    assert_eq!(second["results"][0]["id"], first["results"][0]["id"]);
    assert_eq!(api.sim.records("contacts").len(), 1);

    let (status, refused) = api
        .post(
            "/crm/v3/objects/contacts/batch/upsert",
            json!({"inputs": [{"id": "Jane", "idProperty": "firstname", "properties": {}}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused["category"], "VALIDATION_ERROR");
}

#[tokio::test]
async fn batch_create_is_atomic_without_trace_ids_and_multi_status_with_them() {
    let api = Api::start(Options::default()).await;
    api.create_contact("taken@example.com").await;
    let (status, _) = api
        .post(
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": [
                {"properties": {"email": "new@example.com"}},
                {"properties": {"email": "taken@example.com"}}
            ]}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(api.sim.records("contacts").len(), 1);

    let (status, partial) = api
        .post(
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": [
                {"properties": {"email": "new@example.com"}, "objectWriteTraceId": "a"},
                {"properties": {"email": "taken@example.com"}, "objectWriteTraceId": "b"}
            ]}),
        )
        .await;
    assert_eq!(status, 207, "{partial}");
    assert_eq!(partial["numErrors"], 1);
    assert_eq!(partial["errors"][0]["category"], "OBJECT_ALREADY_EXISTS");
    assert_eq!(
        partial["errors"][0]["context"]["objectWriteTraceId"][0],
        "b"
    );
    assert_eq!(api.sim.records("contacts").len(), 2);
}

#[tokio::test]
async fn injected_batch_item_failures_give_207() {
    let api = Api::start(Options::default()).await;
    api.sim.faults().fail_batch_items(2);
    let inputs: Vec<Value> = (0..3)
        .map(|i| json!({"properties": {"email": format!("p{i}@example.com")}}))
        .collect();
    let (status, body) = api
        .post(
            "/crm/v3/objects/contacts/batch/create",
            json!({ "inputs": inputs }),
        )
        .await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(body["numErrors"], 2);
    assert_eq!(body["results"].as_array().unwrap().len(), 1);
    assert_eq!(api.sim.records("contacts").len(), 1);
    // The fault applies to one batch only.
    let (status, _) = api
        .post(
            "/crm/v3/objects/contacts/batch/create",
            json!({"inputs": [{"properties": {"email": "later@example.com"}}]}),
        )
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn deals_notes_and_tasks_associate_on_create() {
    let api = Api::start(Options::default()).await;
    let (_, contact) = api.create_contact("jane@example.com").await;
    let contact_id = contact["id"].as_str().unwrap();
    let (status, deal) = api
        .post(
            "/crm/v3/objects/deals",
            json!({"properties": {"dealname": "Chat lead", "pipeline": "default", "dealstage": "appointmentscheduled", "amount": 1000},
                   "associations": [{"to": {"id": contact_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]}]}),
        )
        .await;
    assert_eq!(status, 201, "{deal}");
    let deal_id = deal["id"].as_str().unwrap();

    let (status, missing_timestamp) = api
        .post(
            "/crm/v3/objects/notes",
            json!({"properties": {"hs_note_body": "hi"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        missing_timestamp["context"]["properties"][0],
        "hs_timestamp"
    );

    let (status, note) = api
        .post(
            "/crm/v3/objects/notes",
            json!({"properties": {"hs_timestamp": "2026-11-22T10:00:00Z", "hs_note_body": "transcript"},
                   "associations": [
                       {"to": {"id": contact_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]},
                       {"to": {"id": deal_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 214}]}
                   ]}),
        )
        .await;
    assert_eq!(status, 201, "{note}");

    let (status, bad_task) = api
        .post(
            "/crm/v3/objects/tasks",
            json!({"properties": {"hs_timestamp": "2026-11-25T10:00:00Z", "hs_task_subject": "Call", "hs_task_priority": "URGENT"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        bad_task["message"]
            .as_str()
            .unwrap()
            .contains("INVALID_OPTION")
    );

    let (status, wrong_type) = api
        .post(
            "/crm/v3/objects/deals",
            json!({"properties": {"dealname": "x"},
                   "associations": [{"to": {"id": contact_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]}]}),
        )
        .await;
    assert_eq!(status, 400, "{wrong_type}");

    let contact = &api.sim.records("contacts")[0];
    assert!(
        contact
            .associations
            .contains(&("deals".into(), deal_id.into()))
    );
    assert!(
        contact
            .associations
            .contains(&("notes".into(), note["id"].as_str().unwrap().into()))
    );
    let note = &api.sim.records("notes")[0];
    assert_eq!(note.associations.len(), 2);
}

#[tokio::test]
async fn v4_default_association_links_both_ways() {
    let api = Api::start(Options::default()).await;
    let (_, contact) = api.create_contact("jane@example.com").await;
    let (_, company) = api
        .post(
            "/crm/v3/objects/companies",
            json!({"properties": {"name": "Acme", "domain": "acme.com"}}),
        )
        .await;
    let path = format!(
        "/crm/v4/objects/contacts/{}/associations/default/companies/{}",
        contact["id"].as_str().unwrap(),
        company["id"].as_str().unwrap()
    );
    let response = api
        .http
        .put(api.url(&path))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["results"][0]["associationSpec"]["associationTypeId"],
        279
    );
    assert_eq!(api.sim.records("companies")[0].associations.len(), 1);
}

#[tokio::test]
async fn burst_limit_429_with_headers_and_body() {
    let api = Api::start(Options {
        rate_limit: RateLimit::new(3, Duration::from_secs(60)),
        ..Options::default()
    })
    .await;
    for remaining in [2, 1, 0] {
        let response = api
            .http
            .get(api.url("/crm/v3/objects/contacts"))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            header(&response, "x-hubspot-ratelimit-max").as_deref(),
            Some("3")
        );
        assert_eq!(
            header(&response, "x-hubspot-ratelimit-remaining"),
            Some(remaining.to_string())
        );
        assert_eq!(
            header(&response, "x-hubspot-ratelimit-interval-milliseconds").as_deref(),
            Some("60000")
        );
        assert!(header(&response, "x-hubspot-ratelimit-daily-remaining").is_some());
    }
    let response = api
        .http
        .get(api.url("/crm/v3/objects/contacts"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    let retry_after: u64 = header(&response, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_eq!(
        header(&response, "x-hubspot-ratelimit-remaining").as_deref(),
        Some("0")
    );
    let (status, body) = status_json(response).await;
    assert_eq!(status, 429);
    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
    assert_eq!(body["errorType"], "RATE_LIMIT");
    assert_eq!(
        body["message"],
        "You have reached your ten_secondly_rolling limit."
    );

    // Search has its own bucket and is exempt from the 10-second one.
    let (status, _) = api
        .post(
            "/crm/v3/objects/contacts/search",
            json!({"filterGroups": []}),
        )
        .await;
    assert_eq!(status, 200);
    let stats = api.sim.stats();
    assert_eq!(stats.rate_limited, 1);
    assert_eq!(stats.route_count("GET /crm/v3/objects/contacts"), 4);
    assert_eq!(stats.route_count("POST /crm/v3/objects/contacts/search"), 1);
}

#[tokio::test]
async fn search_and_daily_limits() {
    let api = Api::start(Options {
        search_rate_limit: RateLimit::new(1, Duration::from_secs(60)),
        daily_limit: RateLimit::per_day(3),
        ..Options::default()
    })
    .await;
    let search = json!({"filterGroups": []});
    let (status, _) = api
        .post("/crm/v3/objects/contacts/search", search.clone())
        .await;
    assert_eq!(status, 200);
    let (status, body) = api.post("/crm/v3/objects/contacts/search", search).await;
    assert_eq!(status, 429);
    assert_eq!(body["policyName"], "SECONDLY");
    api.create_contact("a@example.com").await;
    api.create_contact("b@example.com").await;
    let (status, body) = api.create_contact("c@example.com").await;
    assert_eq!(status, 429);
    assert_eq!(body["policyName"], "DAILY");
    assert_eq!(body["message"], "You have reached your daily limit.");
}

#[tokio::test]
async fn missing_or_wrong_token_is_401() {
    let api = Api::start(Options::default()).await;
    let response = api
        .http
        .get(api.url("/crm/v3/objects/contacts"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(body["category"], "INVALID_AUTHENTICATION");
    let response = api
        .http
        .get(api.url("/crm/v3/objects/contacts"))
        .bearer_auth("pat-na1-wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn oauth_tokens_refresh_and_expire() {
    let api = Api::start(Options {
        access_token_ttl: Duration::from_secs(600),
        ..Options::default()
    })
    .await;
    let oauth = api.sim.oauth_client().clone();
    let response = api
        .http
        .post(api.url("/oauth/v1/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &oauth.client_id),
            ("client_secret", &oauth.client_secret),
            ("refresh_token", &oauth.refresh_token),
        ])
        .send()
        .await
        .unwrap();
    let (status, token) = status_json(response).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["expires_in"], 600);
    assert_eq!(token["token_use"], "access_token");
    let access = token["access_token"].as_str().unwrap();

    let response = api
        .http
        .get(api.url("/crm/v3/objects/contacts"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(header(&response, "x-hubspot-ratelimit-daily").is_none());
    assert!(header(&response, "x-hubspot-ratelimit-max").is_some());

    api.sim.faults().expire_tokens();
    let response = api
        .http
        .get(api.url("/crm/v3/objects/contacts"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(body["category"], "INVALID_AUTHENTICATION");
    assert!(body["message"].as_str().unwrap().contains("expired"));

    let response = api
        .http
        .post(api.url("/oauth/v1/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", oauth.client_id.as_str()),
            ("client_secret", oauth.client_secret.as_str()),
            ("refresh_token", "stale"),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 400);
    assert_eq!(body["status"], "BAD_REFRESH_TOKEN");
}

#[tokio::test]
async fn custom_unique_property_works_as_id_property() {
    let api = Api::start(Options {
        custom_fields: vec![FieldDef::new("contacts", "chat_lead_key").unique()],
        ..Options::default()
    })
    .await;
    let body = json!({"inputs": [{"id": "lead-42", "idProperty": "chat_lead_key", "properties": {"firstname": "Jane"}}]});
    let (status, first) = api
        .post("/crm/v3/objects/contacts/batch/upsert", body.clone())
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        first["results"][0]["properties"]["chat_lead_key"],
        "lead-42"
    );
    let (_, second) = api
        .post("/crm/v3/objects/contacts/batch/upsert", body)
        .await;
    assert_eq!(second["results"][0]["new"], false);

    let (status, _) = api
        .post(
            "/crm/v3/properties/deals",
            json!({"name": "chat_score", "label": "Chat score", "type": "number", "fieldType": "number", "groupName": "dealinformation"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, deal) = api
        .post(
            "/crm/v3/objects/deals",
            json!({"properties": {"dealname": "x", "chat_score": 87}}),
        )
        .await;
    assert_eq!(status, 201, "{deal}");
    assert_eq!(deal["properties"]["chat_score"], "87");
}

#[tokio::test]
async fn seeded_records_are_found_and_reset_clears_everything() {
    let api = Api::start(Options::default()).await;
    let mut fields = serde_json::Map::new();
    fields.insert("email".into(), json!("seeded@example.com"));
    let id = api.sim.insert_record("contacts", fields).unwrap();
    let (status, conflict) = api.create_contact("seeded@example.com").await;
    assert_eq!(status, 409);
    assert!(conflict["message"].as_str().unwrap().ends_with(&id));
    api.sim.faults().fail_next(5, 503);
    api.sim.reset();
    assert!(api.sim.records("contacts").is_empty());
    assert_eq!(api.sim.stats().total_requests, 0);
    let (status, _) = api.create_contact("seeded@example.com").await;
    assert_eq!(status, 201);
    api.sim.shutdown().await;
}
