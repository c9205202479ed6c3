//! HubSpot simulator: companies with their contacts (v4 batch association read and default
//! associate), the search API's documented limits, and the searchable phone properties.

mod common;

use common::{client, status_json};
use leadgate_sim::hubspot::{HubSpotSim, Options};
use serde_json::{Value, json};

struct Api {
    sim: HubSpotSim,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        let sim = HubSpotSim::start(Options::default()).await.expect("start");
        Api {
            sim,
            http: client(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.sim.base_url()))
            .bearer_auth(self.sim.private_app_token())
            .json(&body)
            .send()
            .await
            .expect("send");
        status_json(response).await
    }

    async fn create(&self, object: &str, body: Value) -> String {
        let (status, made) = self.post(&format!("/crm/v3/objects/{object}"), body).await;
        assert_eq!(status, 201, "{made}");
        made["id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn companies_are_read_and_associated_with_contacts_in_batches() {
    let api = Api::start().await;
    let anna = api
        .create(
            "contacts",
            json!({"properties": {"email": "anna@firma.pl"}, "associations": []}),
        )
        .await;
    let ewa = api
        .create(
            "contacts",
            json!({"properties": {"email": "ewa@firma.pl"}, "associations": []}),
        )
        .await;
    let firma = api
        .create(
            "companies",
            json!({"properties": {"name": "Firma", "domain": "firma.pl"},
                   "associations": [{"to": {"id": anna}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 280}]}]}),
        )
        .await;
    let read = "/crm/v4/associations/contacts/companies/batch/read";
    let (status, answer) = api
        .post(read, json!({"inputs": [{"id": anna}, {"id": ewa}]}))
        .await;
    assert_eq!(status, 207, "ewa has no company: an error of the answer");
    assert_eq!(answer["results"][0]["from"]["id"], anna.as_str());
    assert_eq!(
        answer["results"][0]["to"][0]["toObjectId"].to_string(),
        firma
    );
    assert_eq!(answer["numErrors"], 1);

    let (status, linked) = api
        .post(
            "/crm/v4/associations/contacts/companies/batch/associate/default",
            json!({"inputs": [{"from": {"id": ewa}, "to": {"id": firma}}]}),
        )
        .await;
    assert_eq!(status, 200, "{linked}");
    let (status, _) = api
        .post(read, json!({"inputs": [{"id": anna}, {"id": ewa}]}))
        .await;
    assert_eq!(status, 200, "both have it now");

    let too_many: Vec<Value> = (0..101).map(|i| json!({"id": i.to_string()})).collect();
    let (status, _) = api.post(read, json!({"inputs": too_many})).await;
    assert_eq!(status, 400, "at most 100 ids a read");
    let (status, _) = api
        .post(read, json!({"inputs": [{"id": anna}], "limit": 5}))
        .await;
    assert_eq!(status, 400, "an unknown field is refused");
    let (status, _) = api
        .post(
            "/crm/v4/associations/contacts/companies/batch/associate/default",
            json!({"inputs": [{"from": {"id": ewa}, "to": {"id": "999999"}}]}),
        )
        .await;
    assert_eq!(status, 404, "a missing company");
}

#[tokio::test]
async fn searches_keep_to_hubspots_filter_limits() {
    let api = Api::start().await;
    let group = |n: usize| {
        let filters: Vec<Value> = (0..n)
            .map(|i| json!({"propertyName": "email", "operator": "EQ", "value": format!("a{i}@b.pl")}))
            .collect();
        json!({ "filters": filters })
    };
    let search = |groups: Vec<Value>| json!({ "filterGroups": groups });
    let path = "/crm/v3/objects/contacts/search";
    assert_eq!(api.post(path, search(vec![group(1); 5])).await.0, 200);
    assert_eq!(
        api.post(path, search(vec![group(1); 6])).await.0,
        400,
        "six groups"
    );
    assert_eq!(api.post(path, search(vec![group(10)])).await.0, 200);
    assert_eq!(
        api.post(path, search(vec![group(11)])).await.0,
        400,
        "eleven filters"
    );
    assert_eq!(
        api.post(path, search(vec![group(9), group(9), group(8)]))
            .await
            .0,
        400,
        "twenty-six filters"
    );
}

#[tokio::test]
async fn a_typed_phone_is_found_by_its_searchable_national_number_only() {
    let api = Api::start().await;
    let typed = api
        .create(
            "contacts",
            json!({"properties": {"phone": "(415) 555-0134"}, "associations": []}),
        )
        .await;
    let by = |property: &str, value: &str| json!({"filterGroups": [{"filters": [{"propertyName": property, "operator": "EQ", "value": value}]}]});
    let path = "/crm/v3/objects/contacts/search";
    let (_, e164) = api.post(path, by("phone", "+14155550134")).await;
    assert_eq!(e164["total"], 0, "phone keeps the text as typed");
    let (_, national) = api
        .post(
            path,
            by("hs_searchable_calculated_phone_number", "4155550134"),
        )
        .await;
    assert_eq!(national["total"], 1);
    assert_eq!(national["results"][0]["id"], typed.as_str());
    let (status, _) = api
        .post(
            "/crm/v3/objects/contacts",
            json!({"properties": {"hs_searchable_calculated_phone_number": "1"}, "associations": []}),
        )
        .await;
    assert_eq!(status, 201, "a read-only property is ignored on write");
}
