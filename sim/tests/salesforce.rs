//! Salesforce simulator over real HTTP: OAuth grants, sObjects, external-id upserts, SOQL,
//! SOSL, composite, duplicate rules, the API allocation and token expiry.

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{client, header, status_json};
use leadgate_sim::salesforce::{Options, SalesforceSim};
use leadgate_sim::{FieldDef, RateLimit};
use serde_json::{Value, json};

const V: &str = "/services/data/v62.0";

struct Api {
    sim: SalesforceSim,
    http: reqwest::Client,
    token: String,
}

async fn refresh(sim: &SalesforceSim, http: &reqwest::Client) -> (u16, Value) {
    let oauth = sim.oauth_client();
    let response = http
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", oauth.client_id.as_str()),
            ("client_secret", oauth.client_secret.as_str()),
            ("refresh_token", oauth.refresh_token.as_str()),
        ])
        .send()
        .await
        .expect("token");
    status_json(response).await
}

impl Api {
    async fn start(options: Options) -> Api {
        let sim = SalesforceSim::start(options).await.expect("start");
        let http = client();
        let (status, token) = refresh(&sim, &http).await;
        assert_eq!(status, 200, "{token}");
        assert_eq!(token["instance_url"], sim.base_url());
        Api {
            token: token["access_token"].as_str().unwrap().to_owned(),
            sim,
            http,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{V}{path}", self.sim.base_url())
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("send")
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        status_json(self.call(reqwest::Method::POST, path, Some(body)).await).await
    }

    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        status_json(self.call(reqwest::Method::PATCH, path, Some(body)).await).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        status_json(self.call(reqwest::Method::GET, path, None).await).await
    }

    async fn query(&self, soql: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}?{}", self.url("/query"), encode(&[("q", soql)])))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        status_json(response).await
    }

    async fn lead(&self, email: &str) -> String {
        let (status, body) = self
            .post(
                "/sobjects/Lead",
                json!({"FirstName": "Jane", "LastName": "Doe", "Company": "Acme", "Email": email, "Phone": "+1 (415) 555-0123"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }
}

fn encode(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

fn jwt(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn create_read_update_with_limit_info() {
    let api = Api::start(Options::default()).await;
    let response = api
        .call(
            reqwest::Method::POST,
            "/sobjects/Lead",
            Some(json!({"FirstName": "Jane", "LastName": "Doe", "Company": "Acme", "Email": "jane@example.com"})),
        )
        .await;
    assert_eq!(
        header(&response, "sforce-limit-info").as_deref(),
        Some("api-usage=1/100000")
    );
    assert!(
        header(&response, "location")
            .unwrap()
            .contains("/sobjects/Lead/00Q")
    );
    let (status, created) = status_json(response).await;
    assert_eq!(status, 201);
    assert_eq!(created["success"], true);
    assert_eq!(created["errors"], json!([]));
    let id = created["id"].as_str().unwrap();
    assert_eq!(id.len(), 18);
    assert!(id.starts_with("00Q"));

    let (status, lead) = api.get(&format!("/sobjects/Lead/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(lead["attributes"]["type"], "Lead");
    assert_eq!(lead["Name"], "Jane Doe");
    assert_eq!(lead["Status"], "Open - Not Contacted");
    assert_eq!(lead["IsConverted"], false);
    assert_eq!(lead["MobilePhone"], Value::Null);
    assert_eq!(lead["OwnerId"], api.sim.user_id());

    let response = api
        .call(
            reqwest::Method::PATCH,
            &format!("/sobjects/Lead/{}", &id[..15]),
            Some(json!({"Phone": "+14155550123"})),
        )
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        api.sim.records("Lead")[0].str_field("Phone"),
        Some("+14155550123")
    );

    let (status, missing) = api.get("/sobjects/Lead/00Q000000000000AAA").await;
    assert_eq!(status, 404);
    assert_eq!(missing[0]["errorCode"], "NOT_FOUND");
}

#[tokio::test]
async fn validation_errors_use_salesforce_arrays() {
    let api = Api::start(Options::default()).await;
    let cases = [
        (json!({"LastName": "Doe"}), "REQUIRED_FIELD_MISSING"),
        (
            json!({"LastName": "Doe", "Company": "A", "Email": "jane@"}),
            "INVALID_EMAIL_ADDRESS",
        ),
        (
            json!({"LastName": "Doe", "Company": "A", "Chat_Score__c": 3}),
            "INVALID_FIELD",
        ),
        (
            json!({"LastName": "Doe", "Company": "A", "Status": "Hot"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
    ];
    for (body, code) in cases {
        let (status, error) = api.post("/sobjects/Lead", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error[0]["errorCode"], code, "{body}");
    }
    let response = api
        .http
        .post(api.url("/sobjects/Lead"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{\"LastName\": ")
        .send()
        .await
        .unwrap();
    let (status, error) = status_json(response).await;
    assert_eq!(status, 400);
    assert_eq!(error[0]["errorCode"], "JSON_PARSER_ERROR");
    let (status, _) = api.post("/sobjects/Nonsense", json!({})).await;
    assert_eq!(status, 404);
    assert!(api.sim.records("Lead").is_empty());
}

#[tokio::test]
async fn duplicate_rule_blocks_unless_allow_save() {
    let api = Api::start(Options::default()).await;
    let first = api.lead("jane@example.com").await;
    let (status, error) = api
        .post(
            "/sobjects/Lead",
            json!({"LastName": "Doe", "Company": "Acme", "Email": "JANE@example.com"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error[0]["errorCode"], "DUPLICATES_DETECTED");
    assert_eq!(
        error[0]["duplicateResult"]["matchResults"][0]["matchRecords"][0]["record"]["Id"],
        first.as_str()
    );
    let response = api
        .http
        .post(api.url("/sobjects/Lead"))
        .bearer_auth(&api.token)
        .header(
            "Sforce-Duplicate-Rule-Header",
            "allowSave=true; includeRecordDetails=true",
        )
        .json(&json!({"LastName": "Doe", "Company": "Acme", "Email": "jane@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(api.sim.records("Lead").len(), 2);
}

#[tokio::test]
async fn external_id_upsert_creates_updates_and_reports_300() {
    let api = Api::start(Options {
        custom_fields: vec![FieldDef::new("Lead", "Chat_Lead_Key__c").external_id()],
        duplicate_rules: false,
        ..Options::default()
    })
    .await;
    let body = json!({"LastName": "Doe", "Company": "Acme", "Email": "jane@example.com"});
    let (status, created) = api
        .patch("/sobjects/Lead/Chat_Lead_Key__c/lead-42", body.clone())
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["created"], true);
    let (status, updated) = api
        .patch(
            "/sobjects/Lead/Chat_Lead_Key__c/LEAD-42",
            json!({"Phone": "+1"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["created"], false);
    assert_eq!(updated["id"], created["id"]);

    let (status, _) = api
        .post(
            "/sobjects/Lead",
            json!({"LastName": "Roe", "Company": "Acme", "Chat_Lead_Key__c": "lead-42"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, choices) = api
        .patch(
            "/sobjects/Lead/Chat_Lead_Key__c/lead-42",
            json!({"Phone": "+2"}),
        )
        .await;
    assert_eq!(status, 300);
    assert_eq!(choices.as_array().unwrap().len(), 2);
    assert!(
        choices[0]
            .as_str()
            .unwrap()
            .starts_with("/services/data/v62.0/sobjects/Lead/00Q")
    );

    let (status, error) = api
        .patch("/sobjects/Lead/Email/jane@example.com", json!({}))
        .await;
    assert_eq!(status, 404);
    assert_eq!(error[0]["errorCode"], "NOT_FOUND");
    let (status, _) = api
        .patch(
            "/sobjects/Lead/Chat_Lead_Key__c/nobody?updateOnly=true",
            json!({"LastName": "X", "Company": "Y"}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn unique_external_ids_refuse_duplicates() {
    let api = Api::start(Options {
        custom_fields: vec![
            FieldDef::new("Contact", "Chat_Lead_Key__c")
                .external_id()
                .unique(),
        ],
        ..Options::default()
    })
    .await;
    let body = json!({"LastName": "Doe", "Chat_Lead_Key__c": "k1"});
    assert_eq!(api.post("/sobjects/Contact", body.clone()).await.0, 201);
    let (status, error) = api.post("/sobjects/Contact", body).await;
    assert_eq!(status, 400);
    assert_eq!(error[0]["errorCode"], "DUPLICATE_VALUE");
}

#[tokio::test]
async fn soql_lookups() {
    let api = Api::start(Options::default()).await;
    api.lead("jane@example.com").await;
    let (status, account) = api.post("/sobjects/Account", json!({"Name": "Acme"})).await;
    assert_eq!(status, 201);
    let (status, contact) = api
        .post(
            "/sobjects/Contact",
            json!({"FirstName": "Jane", "LastName": "Doe", "Email": "jane@example.com", "AccountId": account["id"]}),
        )
        .await;
    assert_eq!(status, 201, "{contact}");

    let (status, found) = api
        .query("SELECT Id, Email, Phone, Name, Company FROM Lead WHERE Email = 'JANE@example.com' AND IsConverted = false")
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["totalSize"], 1);
    assert_eq!(found["done"], true);
    assert_eq!(found["records"][0]["attributes"]["type"], "Lead");
    assert_eq!(found["records"][0]["Company"], "Acme");

    let (_, by_company) = api
        .query("SELECT Id, Account.Name FROM Contact WHERE FirstName = 'Jane' AND LastName = 'Doe' AND Account.Name = 'acme' LIMIT 1")
        .await;
    assert_eq!(by_company["totalSize"], 1);
    assert_eq!(by_company["records"][0]["Account"]["Name"], "Acme");
    assert_eq!(by_company["records"][0]["Id"], contact["id"]);

    let (_, none) = api
        .query("SELECT Id FROM Contact WHERE Email = 'nobody@example.com'")
        .await;
    assert_eq!(none["totalSize"], 0);
    assert_eq!(none["records"], json!([]));

    let (status, error) = api.query("SELECT Id, Shoe_Size__c FROM Lead").await;
    assert_eq!(status, 400);
    assert_eq!(error[0]["errorCode"], "INVALID_FIELD");
    let (status, error) = api.query("SELECT Id FROM Lead WHERE").await;
    assert_eq!(status, 400);
    assert_eq!(error[0]["errorCode"], "MALFORMED_QUERY");
    let (status, error) = api.query("SELECT Id FROM Widget__c").await;
    assert_eq!(status, 400);
    assert_eq!(error[0]["errorCode"], "INVALID_TYPE");
}

#[tokio::test]
async fn sosl_finds_phones_regardless_of_format() {
    let api = Api::start(Options::default()).await;
    api.lead("jane@example.com").await;
    let response = api
        .http
        .get(format!(
            "{}?{}",
            api.url("/search"),
            encode(&[("q", "FIND {\\+14155550123} IN PHONE FIELDS RETURNING Contact(Id, Name), Lead(Id, Name, Email, Phone)")])
        ))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    let (status, found) = status_json(response).await;
    assert_eq!(status, 200, "{found}");
    let records = found["searchRecords"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["attributes"]["type"], "Lead");
    assert_eq!(records[0]["Email"], "jane@example.com");
}

#[tokio::test]
async fn composite_resolves_references_and_rolls_back() {
    let api = Api::start(Options::default()).await;
    let request = |contact: Value| {
        json!({"allOrNone": true, "compositeRequest": [
            {"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "refAccount", "body": {"Name": "Acme"}},
            {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "refContact", "body": contact},
            {"method": "GET", "url": "/services/data/v62.0/sobjects/Account/@{refAccount.id}", "referenceId": "refRead"}
        ]})
    };
    let (status, failed) = api
        .post(
            "/composite",
            request(json!({"FirstName": "Jane", "AccountId": "@{refAccount.id}"})),
        )
        .await;
    assert_eq!(status, 200);
    let responses = failed["compositeResponse"].as_array().unwrap();
    assert_eq!(responses[0]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(
        responses[1]["body"][0]["errorCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(responses[2]["httpStatusCode"], 400);
    assert!(api.sim.records("Account").is_empty());

    let response = api
        .call(
            reqwest::Method::POST,
            "/composite",
            Some(request(
                json!({"LastName": "Doe", "AccountId": "@{refAccount.id}"}),
            )),
        )
        .await;
    // The token refresh does not count; the failed composite counted once, this one once.
    assert_eq!(
        header(&response, "sforce-limit-info").as_deref(),
        Some("api-usage=2/100000")
    );
    let (_, ok) = status_json(response).await;
    let responses = ok["compositeResponse"].as_array().unwrap();
    assert_eq!(responses[0]["httpStatusCode"], 201);
    assert!(responses[0]["httpHeaders"]["Location"].is_string());
    assert_eq!(responses[1]["httpStatusCode"], 201);
    assert_eq!(responses[2]["body"]["Name"], "Acme");
    let contact = &api.sim.records("Contact")[0];
    assert_eq!(
        contact.str_field("AccountId"),
        responses[0]["body"]["id"].as_str()
    );
    assert_eq!(contact.associations[0].0, "Account");
}

#[tokio::test]
async fn collections_report_per_record_and_injected_failures() {
    let api = Api::start(Options::default()).await;
    api.sim.faults().fail_batch_items(1);
    let (status, results) = api
        .post(
            "/composite/sobjects",
            json!({"allOrNone": false, "records": [
                {"attributes": {"type": "Account"}, "Name": "A"},
                {"attributes": {"type": "Account"}, "Name": "B"},
                {"attributes": {"type": "Account"}}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{results}");
    assert_eq!(results[0]["success"], false);
    assert_eq!(results[1]["success"], true);
    assert_eq!(
        results[2]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(api.sim.records("Account").len(), 1);
}

#[tokio::test]
async fn tasks_and_content_notes() {
    let api = Api::start(Options::default()).await;
    let lead = api.lead("jane@example.com").await;
    let (_, account) = api.post("/sobjects/Account", json!({"Name": "Acme"})).await;
    let (status, error) = api
        .post(
            "/sobjects/Task",
            json!({"Subject": "Call", "WhoId": lead, "WhatId": account["id"]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error[0]["errorCode"], "FIELD_INTEGRITY_EXCEPTION");
    let (status, task) = api
        .post(
            "/sobjects/Task",
            json!({"Subject": "Call Jane", "WhoId": lead, "ActivityDate": "2026-11-25", "Priority": "High"}),
        )
        .await;
    assert_eq!(status, 201, "{task}");

    let (status, error) = api
        .post(
            "/sobjects/ContentNote",
            json!({"Title": "Transcript", "Content": "<p>not base64</p>"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error[0]["errorCode"], "JSON_PARSER_ERROR");
    let (status, note) = api
        .post(
            "/sobjects/ContentNote",
            json!({"Title": "Transcript", "Content": STANDARD.encode("<p>Hi</p>")}),
        )
        .await;
    assert_eq!(status, 201);
    assert!(note["id"].as_str().unwrap().starts_with("069"));
    let (status, _) = api
        .post(
            "/sobjects/ContentDocumentLink",
            json!({"ContentDocumentId": note["id"], "LinkedEntityId": lead, "ShareType": "V"}),
        )
        .await;
    assert_eq!(status, 201);
    let note = &api.sim.records("ContentNote")[0];
    assert!(note.associations.contains(&("Lead".into(), lead.clone())));
    let (status, _) = api
        .post(
            "/sobjects/ContentDocumentLink",
            json!({"ContentDocumentId": note.id, "LinkedEntityId": "00Q000000000000AAA"}),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_classic_note_title_longer_than_80_characters_is_string_too_long() {
    let api = Api::start(Options::default()).await;
    let lead = api.lead("jane@example.com").await;
    let long = "é".repeat(81);
    let (status, error) = api
        .post(
            "/sobjects/Note",
            json!({"ParentId": lead, "Title": long, "Body": "x"}),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error[0]["errorCode"], "STRING_TOO_LONG");
    assert_eq!(error[0]["fields"], json!(["Title"]));
    assert!(
        error[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(max length=80)"),
        "{error}"
    );
    let (status, note) = api
        .post(
            "/sobjects/Note",
            json!({"ParentId": lead, "Title": "é".repeat(80), "Body": "x"}),
        )
        .await;
    assert_eq!(status, 201, "80 characters fit, however many bytes: {note}");
    assert_eq!(api.sim.records("Note").len(), 1);
}

#[tokio::test]
async fn allocation_exhaustion_is_403_request_limit_exceeded() {
    let api = Api::start(Options {
        daily_api_requests: RateLimit::per_day(2),
        ..Options::default()
    })
    .await;
    assert_eq!(api.get("/limits").await.0, 200);
    let (_, limits) = api.get("/limits").await;
    assert_eq!(limits["DailyApiRequests"]["Remaining"], 0);
    let response = api.call(reqwest::Method::GET, "/limits", None).await;
    assert_eq!(
        header(&response, "sforce-limit-info").as_deref(),
        Some("api-usage=2/2")
    );
    assert!(header(&response, "retry-after").is_none());
    let (status, error) = status_json(response).await;
    assert_eq!(status, 403);
    assert_eq!(error[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
    assert_eq!(api.sim.stats().rate_limited, 1);
}

#[tokio::test]
async fn sessions_expire_and_refresh() {
    let api = Api::start(Options {
        access_token_ttl: Duration::ZERO,
        ..Options::default()
    })
    .await;
    let (status, error) = api.get("/limits").await;
    assert_eq!(status, 401);
    assert_eq!(
        error,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );

    let api = Api::start(Options::default()).await;
    api.sim.faults().expire_tokens();
    assert_eq!(api.get("/limits").await.0, 401);
    let (status, token) = refresh(&api.sim, &api.http).await;
    assert_eq!(status, 200);
    let response = api
        .http
        .get(api.url("/limits"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn jwt_and_client_credentials_grants() {
    let sim = SalesforceSim::start(Options::default()).await.unwrap();
    let http = client();
    let token_url = format!("{}/services/oauth2/token", sim.base_url());
    let grant = |assertion: String| {
        http.post(&token_url)
            .form(&[
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:jwt-bearer".to_owned(),
                ),
                ("assertion", assertion),
            ])
            .send()
    };
    let good = json!({"iss": sim.oauth_client().client_id, "sub": sim.username(), "aud": "https://login.salesforce.com", "exp": now() + 120});
    let (status, token) = status_json(grant(jwt(good.clone())).await.unwrap()).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["instance_url"], sim.base_url());
    assert!(token.get("refresh_token").is_none());

    let mut expired = good.clone();
    expired["exp"] = json!(now() - 10);
    let (status, error) = status_json(grant(jwt(expired)).await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"], "invalid_grant");
    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("https://example.com");
    assert_eq!(grant(jwt(wrong_aud)).await.unwrap().status(), 400);
    let mut wrong_user = good;
    wrong_user["sub"] = json!("someone@else.example");
    assert_eq!(grant(jwt(wrong_user)).await.unwrap().status(), 400);
    assert_eq!(grant("garbage".into()).await.unwrap().status(), 400);

    let response = http
        .post(&token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sim.oauth_client().client_id.as_str()),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    let (status, error) = status_json(response).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"], "invalid_client");
}

#[tokio::test]
async fn injected_failures_use_salesforce_bodies() {
    let api = Api::start(Options::default()).await;
    api.sim.faults().fail_next(1, 503);
    let (status, error) = api.get("/limits").await;
    assert_eq!(status, 503);
    assert_eq!(error[0]["errorCode"], "SERVER_UNAVAILABLE");
    api.sim.faults().throttle_next(1);
    let response = api.call(reqwest::Method::GET, "/limits", None).await;
    assert!(header(&response, "sforce-limit-info").is_some());
    let (status, error) = status_json(response).await;
    assert_eq!(status, 403);
    assert_eq!(error[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
    let stats = api.sim.stats();
    assert_eq!(stats.rate_limited, 1);
    assert_eq!(stats.route_count("GET /services/data/{version}/limits"), 2);
}
