//! Zoho CRM simulator over real HTTP: token refresh, per-record statuses, upsert, search,
//! lookups and notes, credits and concurrency.

mod common;

use std::time::Duration;

use common::{client, status_json};
use leadgate_sim::zoho::{Options, ZohoSim};
use leadgate_sim::{FieldDef, RateLimit};
use serde_json::{Value, json};

struct Api {
    sim: ZohoSim,
    http: reqwest::Client,
    token: String,
}

async fn refresh(sim: &ZohoSim, http: &reqwest::Client, refresh_token: &str) -> (u16, Value) {
    let oauth = sim.oauth_client();
    let query = serde_urlencoded::to_string([
        ("refresh_token", refresh_token),
        ("client_id", oauth.client_id.as_str()),
        ("client_secret", oauth.client_secret.as_str()),
        ("grant_type", "refresh_token"),
    ])
    .unwrap();
    let response = http
        .post(format!("{}/oauth/v2/token?{query}", sim.base_url()))
        .send()
        .await
        .expect("token");
    status_json(response).await
}

impl Api {
    async fn start(options: Options) -> Api {
        let sim = ZohoSim::start(options).await.expect("start");
        let http = client();
        let refresh_token = sim.oauth_client().refresh_token.clone();
        let (status, token) = refresh(&sim, &http, &refresh_token).await;
        assert_eq!(status, 200, "{token}");
        assert_eq!(token["api_domain"], sim.base_url());
        assert_eq!(token["expires_in"], 3600);
        Api {
            token: token["access_token"].as_str().unwrap().to_owned(),
            sim,
            http,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/crm/v8{path}", self.sim.base_url())
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("Authorization", format!("Zoho-oauthtoken {}", self.token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        status_json(request.send().await.expect("send")).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn lead(&self, last: &str, email: &str) -> String {
        let (status, body) = self
            .post(
                "/Leads",
                json!({"data": [{"Last_Name": last, "First_Name": "Jane", "Email": email, "Phone": "+14155550123", "Company": "Acme"}]}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["data"][0]["details"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

#[tokio::test]
async fn insert_reports_per_record_status() {
    let api = Api::start(Options::default()).await;
    let (status, body) = api
        .post(
            "/Leads",
            json!({"data": [{"Last_Name": "Doe", "First_Name": "Jane", "Email": "jane@example.com"}], "trigger": ["workflow"]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let item = &body["data"][0];
    assert_eq!(item["code"], "SUCCESS");
    assert_eq!(item["status"], "success");
    assert_eq!(item["message"], "record added");
    let id = item["details"]["id"].as_str().unwrap();
    assert_eq!(id.len(), 19);
    assert!(
        item["details"]["Created_Time"]
            .as_str()
            .unwrap()
            .ends_with("+00:00")
    );
    assert_eq!(
        api.sim.records("Leads")[0].str_field("Full_Name"),
        Some("Jane Doe")
    );

    let (status, mixed) = api
        .post(
            "/Leads",
            json!({"data": [{"Last_Name": "Roe"}, {"First_Name": "NoLast"}, {"Last_Name": "X", "Email": "bad@"}]}),
        )
        .await;
    assert_eq!(status, 207, "{mixed}");
    assert_eq!(mixed["data"][0]["code"], "SUCCESS");
    assert_eq!(mixed["data"][1]["code"], "MANDATORY_NOT_FOUND");
    assert_eq!(mixed["data"][1]["details"]["api_name"], "Last_Name");
    assert_eq!(
        mixed["data"][1]["details"]["json_path"],
        "$.data[1].Last_Name"
    );
    assert_eq!(mixed["data"][2]["code"], "INVALID_DATA");
    assert_eq!(mixed["data"][2]["details"]["expected_data_type"], "email");

    let (status, all_bad) = api
        .post(
            "/Leads",
            json!({"data": [{"Shoe_Size": 9, "Last_Name": "Z"}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(all_bad["data"][0]["status"], "error");

    let (_, read) = api.get(&format!("/Leads/{id}")).await;
    assert_eq!(read["data"][0]["Email"], "jane@example.com");
    let (status, _) = api.get("/Leads/5725767000000999999").await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn unique_fields_give_duplicate_data() {
    let api = Api::start(Options {
        custom_fields: vec![FieldDef::new("Leads", "Email").unique()],
        ..Options::default()
    })
    .await;
    let first = api.lead("Doe", "jane@example.com").await;
    let (status, body) = api
        .post(
            "/Leads",
            json!({"data": [{"Last_Name": "Doe", "Email": "JANE@example.com"}]}),
        )
        .await;
    assert_eq!(status, 400);
    let item = &body["data"][0];
    assert_eq!(item["code"], "DUPLICATE_DATA");
    assert_eq!(item["message"], "duplicate data");
    assert_eq!(item["details"]["api_name"], "Email");
    assert_eq!(item["details"]["duplicate_record"]["id"], first.as_str());
    assert_eq!(
        item["details"]["duplicate_record"]["module"]["api_name"],
        "Leads"
    );
}

#[tokio::test]
async fn upsert_reports_action_and_duplicate_field() {
    let api = Api::start(Options::default()).await;
    let body = json!({"data": [{"Last_Name": "Doe", "Email": "jane@example.com", "Phone": "+1"}], "duplicate_check_fields": ["Email", "Phone"]});
    let (status, first) = api.post("/Leads/upsert", body).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["data"][0]["action"], "insert");
    assert_eq!(first["data"][0]["duplicate_field"], Value::Null);
    assert_eq!(first["data"][0]["message"], "record added");

    let (_, second) = api
        .post(
            "/Leads/upsert",
            json!({"data": [{"Email": "other@example.com", "Phone": "+1", "Company": "Acme"}], "duplicate_check_fields": ["Email", "Phone"]}),
        )
        .await;
    assert_eq!(second["data"][0]["action"], "update");
    assert_eq!(second["data"][0]["duplicate_field"], "Phone");
    assert_eq!(
        second["data"][0]["details"]["id"],
        first["data"][0]["details"]["id"]
    );

    // Without duplicate_check_fields the system check (Leads: Email) applies.
    let (_, third) = api
        .post(
            "/Leads/upsert",
            json!({"data": [{"Email": "OTHER@example.com", "City": "Paris"}]}),
        )
        .await;
    assert_eq!(third["data"][0]["action"], "update");
    assert_eq!(api.sim.records("Leads").len(), 1);
    let (status, refused) = api
        .post("/Leads/upsert", json!({"data": [{"First_Name": "NoKey"}]}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused["data"][0]["code"], "MANDATORY_NOT_FOUND");
}

#[tokio::test]
async fn search_by_email_phone_and_criteria() {
    let api = Api::start(Options::default()).await;
    let id = api.lead("Doe", "jane@example.com").await;
    api.lead("Roe", "john@example.com").await;
    let (status, found) = api.get("/Leads/search?email=JANE%40example.com").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["id"], id.as_str());
    assert_eq!(found["info"]["more_records"], false);

    let (_, by_phone) = api.get("/Leads/search?phone=%2B14155550123").await;
    assert_eq!(by_phone["info"]["count"], 2);

    let (_, by_name) = api
        .get("/Leads/search?criteria=((First_Name:equals:jane)and(Last_Name:equals:Doe)and(Company:equals:Acme))")
        .await;
    assert_eq!(by_name["data"][0]["id"], id.as_str());

    let (status, nothing) = api.get("/Leads/search?email=nobody%40example.com").await;
    assert_eq!(status, 204);
    assert_eq!(nothing, Value::Null);

    let (status, error) = api.get("/Leads/search?criteria=(Email:equals").await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], "INVALID_QUERY");
    let (status, error) = api.get("/Leads/search").await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], "REQUIRED_PARAM_MISSING");
}

#[tokio::test]
async fn deals_notes_and_tasks_link_by_lookup() {
    let api = Api::start(Options::default()).await;
    let (_, account) = api
        .post("/Accounts", json!({"data": [{"Account_Name": "Acme"}]}))
        .await;
    let account_id = account["data"][0]["details"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, contact) = api
        .post(
            "/Contacts",
            json!({"data": [{"Last_Name": "Doe", "Account_Name": {"id": account_id}}]}),
        )
        .await;
    let contact_id = contact["data"][0]["details"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, deal) = api
        .post(
            "/Deals",
            json!({"data": [{"Deal_Name": "Chat lead", "Stage": "Qualification", "Closing_Date": "2026-12-31", "Amount": 1000,
                             "Contact_Name": {"id": contact_id}, "Account_Name": {"id": account_id}}]}),
        )
        .await;
    assert_eq!(status, 201, "{deal}");
    let deal_id = deal["data"][0]["details"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = &api.sim.records("Deals")[0];
    assert_eq!(stored.field("Account_Name").unwrap()["name"], "Acme");

    let (status, bad) = api
        .post(
            "/Deals",
            json!({"data": [{"Deal_Name": "x", "Stage": "Qualification", "Closing_Date": "2026-12-31", "Contact_Name": {"id": "5725767000000999999"}}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(bad["data"][0]["details"]["api_name"], "Contact_Name");

    let lead = api.lead("Doe", "jane@example.com").await;
    let (status, note) = api
        .post(
            "/Notes",
            json!({"data": [{"Note_Title": "Chat transcript", "Note_Content": "Hi", "Parent_Id": {"module": {"api_name": "Leads"}, "id": lead}}]}),
        )
        .await;
    assert_eq!(status, 201, "{note}");
    let (status, _) = api
        .post(
            &format!("/Deals/{deal_id}/Notes"),
            json!({"data": [{"Note_Content": "Qualified"}]}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, task) = api
        .post(
            "/Tasks",
            json!({"data": [{"Subject": "Call Jane", "Due_Date": "2026-11-25", "Status": "Not Started", "What_Id": {"id": deal_id}, "$se_module": "Deals", "Who_Id": {"id": contact_id}}]}),
        )
        .await;
    assert_eq!(status, 201, "{task}");
    let (status, orphan) = api
        .post(
            "/Tasks",
            json!({"data": [{"Subject": "x", "What_Id": {"id": deal_id}}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(orphan["data"][0]["details"]["api_name"], "$se_module");

    let deal = &api.sim.records("Deals")[0];
    assert!(
        deal.associations
            .contains(&("Contacts".into(), contact_id.clone()))
    );
    assert!(deal.associations.iter().any(|(m, _)| m == "Notes"));
    assert!(deal.associations.iter().any(|(m, _)| m == "Tasks"));
    assert_eq!(api.sim.records("Notes").len(), 2);
}

#[tokio::test]
async fn updates_single_and_bulk() {
    let api = Api::start(Options::default()).await;
    let id = api.lead("Doe", "jane@example.com").await;
    let (status, updated) = api
        .send(
            reqwest::Method::PUT,
            &format!("/Leads/{id}"),
            Some(json!({"data": [{"Phone": "+442071234567"}]})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["data"][0]["message"], "record updated");
    let (status, bulk) = api
        .send(
            reqwest::Method::PUT,
            "/Leads",
            Some(json!({"data": [{"id": id, "City": "Paris"}, {"id": "5725767000000999999", "City": "Rome"}, {"City": "Nowhere"}]})),
        )
        .await;
    assert_eq!(status, 207);
    assert_eq!(bulk["data"][1]["code"], "INVALID_DATA");
    assert_eq!(bulk["data"][2]["code"], "MANDATORY_NOT_FOUND");
    let lead = &api.sim.records("Leads")[0];
    assert_eq!(lead.str_field("City"), Some("Paris"));
    assert_eq!(lead.str_field("Phone"), Some("+442071234567"));
}

#[tokio::test]
async fn request_level_errors() {
    let api = Api::start(Options::default()).await;
    let response = api
        .http
        .post(api.url("/Leads"))
        .header("Authorization", format!("Zoho-oauthtoken {}", api.token))
        .header("content-type", "application/json")
        .body("{\"data\": [")
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "INVALID_REQUEST");
    assert_eq!(body["status"], "error");
    let (status, body) = api.post("/Widgets", json!({"data": []})).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "INVALID_MODULE");
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"Last_Name": format!("L{i}")}))
        .collect();
    let (status, body) = api.post("/Leads", json!({ "data": many })).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "LIMIT_EXCEEDED");
    let (status, body) = api.get("/Leads").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "REQUIRED_PARAM_MISSING");
    api.lead("Doe", "jane@example.com").await;
    let (status, list) = api.get("/Leads?fields=Last_Name,Email").await;
    assert_eq!(status, 200);
    assert_eq!(list["data"][0]["Last_Name"], "Doe");
}

#[tokio::test]
async fn auth_failures_and_token_refresh_rules() {
    let api = Api::start(Options {
        token_refresh_limit: RateLimit::new(2, Duration::from_secs(600)),
        ..Options::default()
    })
    .await;
    let response = api
        .http
        .get(api.url("/Leads/search?email=a%40b.co"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "AUTHENTICATION_FAILURE");
    let response = api
        .http
        .get(api.url("/Leads/search?email=a%40b.co"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    api.sim.faults().expire_tokens();
    let (status, body) = api.get("/Leads/search?email=a%40b.co").await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"})
    );

    let (status, body) = refresh(&api.sim, &api.http, "1000.wrong").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"error": "invalid_code"}));
    let good = api.sim.oauth_client().refresh_token.clone();
    let (status, _) = refresh(&api.sim, &api.http, &good).await;
    assert_eq!(status, 200);
    let (status, body) = refresh(&api.sim, &api.http, &good).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "Access Denied");
}

#[tokio::test]
async fn credits_and_concurrency_answer_429() {
    let api = Api::start(Options {
        api_credits: RateLimit::per_day(2),
        ..Options::default()
    })
    .await;
    api.get("/Leads/search?email=a%40b.co").await;
    api.get("/Leads/search?email=a%40b.co").await;
    let (status, body) = api.get("/Leads/search?email=a%40b.co").await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "TOO_MANY_REQUESTS");
    assert_eq!(api.sim.stats().rate_limited, 1);

    let api = Api::start(Options {
        concurrency: 1,
        ..Options::default()
    })
    .await;
    api.sim.faults().set_latency(Duration::from_secs(2));
    let path = "/Leads/search?email=a%40b.co";
    let (first, second) = tokio::join!(api.get(path), api.get(path));
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 429]);
}

#[tokio::test]
async fn injected_failures_use_zoho_bodies() {
    let api = Api::start(Options::default()).await;
    api.sim.faults().fail_batch_items(1);
    let (status, body) = api
        .post(
            "/Leads",
            json!({"data": [{"Last_Name": "A"}, {"Last_Name": "B"}]}),
        )
        .await;
    assert_eq!(status, 207);
    assert_eq!(body["data"][0]["status"], "error");
    assert_eq!(body["data"][1]["code"], "SUCCESS");
    api.sim.faults().fail_next(1, 500);
    let (status, body) = api.get("/Leads/search?email=a%40b.co").await;
    assert_eq!(status, 500);
    assert_eq!(body["code"], "INTERNAL_ERROR");
    api.sim.faults().throttle_next(1);
    let (status, body) = api.get("/Leads/search?email=a%40b.co").await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "TOO_MANY_REQUESTS");
}

#[tokio::test]
async fn a_search_without_the_search_scope_is_oauth_scope_mismatch() {
    let api = Api::start(Options {
        scopes: vec!["ZohoCRM.modules.ALL".into()],
        ..Options::default()
    })
    .await;
    let (status, lead) = api
        .post(
            "/Leads",
            json!({"data": [{"Last_Name": "Doe", "Email": "jane@example.com"}]}),
        )
        .await;
    assert_eq!(
        status, 201,
        "module writes need ZohoCRM.modules.ALL only: {lead}"
    );
    let (status, body) = api.get("/Leads/search?email=jane%40example.com").await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"code": "OAUTH_SCOPE_MISMATCH", "details": {}, "message": "invalid oauth scope to access this URL", "status": "error"})
    );
    let (status, token) = refresh(
        &api.sim,
        &api.http,
        &api.sim.oauth_client().refresh_token.clone(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        token["scope"], "ZohoCRM.modules.ALL",
        "the token answer lists the grant"
    );
}

#[tokio::test]
async fn an_org_may_name_its_tasks_related_list_activities() {
    let api = Api::start(Options {
        tasks_related_list: "Activities".into(),
        ..Options::default()
    })
    .await;
    let lead = api.lead("Doe", "jane@example.com").await;
    let (status, task) = api
        .post(
            "/Tasks",
            json!({"data": [{"Subject": "Call Jane", "What_Id": {"id": lead}, "$se_module": "Leads"}]}),
        )
        .await;
    assert_eq!(status, 201, "{task}");
    let (status, body) = api
        .get(&format!("/Leads/{lead}/Tasks?fields=Subject"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "INVALID_URL_PATTERN");
    let (status, body) = api
        .get(&format!("/Leads/{lead}/Activities?fields=Subject"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["Subject"], "Call Jane");
}
