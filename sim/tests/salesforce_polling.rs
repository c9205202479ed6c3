//! Polling Salesforce for changed Opportunities: SystemModstamp cursors with dateTime literals,
//! LastModifiedById of the integration user and of a rep, and who the integration user is.

mod common;

use std::time::Duration;

use common::{client, status_json};
use leadgate_sim::salesforce::{Options, SalesforceSim};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

const V: &str = "/services/data/v62.0";
const FIELDS: &str = "Id, StageName, Amount, OwnerId, LastModifiedById, SystemModstamp";

struct Api {
    sim: SalesforceSim,
    http: reqwest::Client,
    token: Value,
}

impl Api {
    async fn start() -> Api {
        let sim = SalesforceSim::start(Options::default()).await.unwrap();
        let http = client();
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
            .unwrap();
        let (_, token) = status_json(response).await;
        Api { sim, http, token }
    }

    fn bearer(&self) -> &str {
        self.token["access_token"].as_str().unwrap()
    }

    async fn get(&self, url: &str) -> (u16, Value) {
        status_json(
            self.http
                .get(url)
                .bearer_auth(self.bearer())
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn query(&self, soql: &str) -> (u16, Value) {
        let url = format!(
            "{}{V}/query?{}",
            self.sim.base_url(),
            serde_urlencoded::to_string([("q", soql)]).unwrap()
        );
        self.get(&url).await
    }

    async fn opportunity(&self, name: &str) -> String {
        let response = self
            .http
            .post(format!("{}{V}/sobjects/Opportunity", self.sim.base_url()))
            .bearer_auth(self.bearer())
            .json(&json!({"Name": name, "StageName": "Prospecting", "CloseDate": "2026-12-31", "Amount": 1200}))
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(response).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }
}

/// A cursor for the next poll: the documented literal form, whole seconds, UTC.
fn literal(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap()
}

fn stamp(row: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(
        row["SystemModstamp"].as_str().unwrap(),
        format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory][offset_minute]"
        ),
    )
    .unwrap()
}

#[tokio::test]
async fn the_integration_user_is_discoverable() {
    let api = Api::start().await;
    let id_url = api.token["id"].as_str().unwrap().to_owned();
    let (status, identity) = api.get(&id_url).await;
    assert_eq!(status, 200, "{identity}");
    assert_eq!(identity["user_id"], api.sim.user_id());
    assert_eq!(identity["organization_id"], api.sim.org_id());
    let (status, info) = api
        .get(&format!("{}/services/oauth2/userinfo", api.sim.base_url()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(info["user_id"], api.sim.user_id());
    assert_eq!(info["sub"], id_url.as_str());
    let anonymous = client().get(&id_url).send().await.unwrap();
    assert_eq!(anonymous.status(), 403);
    assert_eq!(anonymous.text().await.unwrap(), "Bad_OAuth_Token");
}

#[tokio::test]
async fn system_modstamp_cursors_find_api_and_rep_changes() {
    let api = Api::start().await;
    let before = OffsetDateTime::now_utc() - Duration::from_secs(2);
    let id = api.opportunity("Chat lead").await;
    let (status, body) = api
        .query(&format!(
            "SELECT {FIELDS} FROM Opportunity WHERE SystemModstamp > {} ORDER BY SystemModstamp",
            literal(before)
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    let row = &body["records"][0];
    assert_eq!(row["Id"], id.as_str());
    assert_eq!(row["StageName"], "Prospecting");
    assert_eq!(row["Amount"], 1200);
    assert_eq!(row["OwnerId"], api.sim.user_id());
    assert_eq!(row["LastModifiedById"], api.sim.user_id());
    let first = stamp(row);

    // Nothing after a cursor in the future.
    let (_, body) = api
        .query(&format!(
            "SELECT Id FROM Opportunity WHERE SystemModstamp > {}",
            literal(first + Duration::from_secs(60))
        ))
        .await;
    assert_eq!(body["totalSize"], 0);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fields: Map<String, Value> = json!({"StageName": "Closed Won"})
        .as_object()
        .cloned()
        .unwrap();
    api.sim.crm_user_changes_deal(&id, fields).unwrap();
    let cursor = first.replace_millisecond(0).unwrap();
    let (_, body) = api
        .query(&format!(
            "SELECT {FIELDS} FROM Opportunity WHERE SystemModstamp >= {} ORDER BY SystemModstamp ASC",
            literal(cursor)
        ))
        .await;
    let row = &body["records"][0];
    assert_eq!(row["StageName"], "Closed Won");
    assert_eq!(row["LastModifiedById"], api.sim.sales_rep_user_id());
    assert_ne!(api.sim.sales_rep_user_id(), api.sim.user_id());
    assert!(stamp(row) > first);

    // An offset literal names the same instant.
    let (_, body) = api
        .query(&format!(
            "SELECT Id FROM Opportunity WHERE SystemModstamp > {}",
            (first - Duration::from_secs(2))
                .to_offset(time::macros::offset!(+1))
                .format(format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
                ))
                .unwrap()
        ))
        .await;
    assert_eq!(body["totalSize"], 1);

    // The API's next write is the integration user's again.
    let response = api
        .http
        .patch(format!(
            "{}{V}/sobjects/Opportunity/{id}",
            api.sim.base_url()
        ))
        .bearer_auth(api.bearer())
        .json(&json!({"Amount": 5000}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (_, body) = api
        .query(&format!(
            "SELECT LastModifiedById FROM Opportunity WHERE Id = '{id}'"
        ))
        .await;
    assert_eq!(body["records"][0]["LastModifiedById"], api.sim.user_id());
}

#[tokio::test]
async fn datetime_filters_are_typed_like_salesforces() {
    let api = Api::start().await;
    api.opportunity("x").await;
    let (status, body) = api
        .query("SELECT Id FROM Opportunity WHERE SystemModstamp > '2026-11-22T10:00:00Z'")
        .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "INVALID_FIELD");
    assert!(
        body[0]["message"]
            .as_str()
            .unwrap()
            .contains("should not be enclosed in quotes")
    );
    for soql in [
        // The form responses use is not a literal.
        "SELECT Id FROM Opportunity WHERE SystemModstamp > 2026-11-22T10:00:00.000+0000",
        "SELECT Id FROM Opportunity WHERE SystemModstamp > 2026-11-22T10:00:00.000Z",
    ] {
        let (status, body) = api.query(soql).await;
        assert_eq!(status, 400, "{soql}");
        assert_eq!(body[0]["errorCode"], "MALFORMED_QUERY");
    }
    let (status, body) = api
        .query("SELECT Id FROM Opportunity WHERE Name > 2026-11-22T10:00:00Z")
        .await;
    assert_eq!(
        (status, body[0]["errorCode"].clone()),
        (400, json!("INVALID_FIELD"))
    );
}
