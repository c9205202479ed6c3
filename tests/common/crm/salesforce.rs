//! Salesforce in the scenario table: Leads, Opportunities, enhanced notes and Tasks, with a
//! session from the connected app's refresh token.

use std::time::Duration;

use leadgate::crm::salesforce::{Config, Connector, CustomFields};
use leadgate::crm::{Attach, CrmApi, Field};
use leadgate_sim::salesforce::{Options, SalesforceSim};
use leadgate_sim::{FieldDef, Record};
use serde_json::{Value, json};

use super::{Row, Said, Seed, Seen, text};

pub const TOKEN_ROUTE: &str = "POST /services/oauth2/token";

pub async fn sim(options: Options) -> SalesforceSim {
    SalesforceSim::start(options)
        .await
        .expect("simulator starts")
}

/// A connector's settings for the simulator: its connected app, no throttle, a short pause
/// after the limit is hit.
pub fn config(sim: &SalesforceSim) -> Config {
    let oauth = sim.oauth_client();
    Config {
        login_url: sim.base_url().to_owned(),
        client_id: oauth.client_id.clone(),
        client_secret: Some(oauth.client_secret.clone().into()),
        refresh_token: Some(oauth.refresh_token.clone().into()),
        timeout_secs: 5,
        max_requests_per_second: 0,
        limit_pause_secs: 1,
        ..Config::default()
    }
}

/// Deletes a record the way a rep would, through the REST API.
pub async fn delete(sim: &SalesforceSim, object: &str, id: &str) {
    let http = reqwest::Client::new();
    let oauth = sim.oauth_client();
    let token: Value = http
        .post(format!("{}/services/oauth2/token", sim.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &oauth.client_id),
            ("refresh_token", &oauth.refresh_token),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = http
        .delete(format!(
            "{}/services/data/v62.0/sobjects/{object}/{id}",
            sim.base_url()
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
}

/// What Salesforce requires and the lead does not have yet.
const PLACEHOLDER: &str = "[not provided]";

pub struct Salesforce {
    pub sim: SalesforceSim,
}

impl Salesforce {
    fn with(&self, config: Config) -> Box<dyn CrmApi> {
        let config = Config {
            fields: CustomFields {
                score: Some("Chat_Score__c".into()),
                ..CustomFields::default()
            },
            ..config
        };
        Box::new(Connector::new(&config).expect("valid configuration"))
    }
}

impl Row for Salesforce {
    const OBJECTS: [&'static str; 4] = ["Lead", "Opportunity", "ContentNote", "Task"];
    const COMPANY_OBJECT: Option<&'static str> = None;
    const TOKEN_ROUTE: Option<&'static str> = Some(TOKEN_ROUTE);
    const SCORE: &'static str = "Chat_Score__c";
    const DEAL_TITLE: &'static str = "Name";
    const OUTAGE: Said = Said::Containing("SERVER_UNAVAILABLE");
    const RATE_LIMITED: Said =
        Said::Exactly("Salesforce HTTP 403: REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.");
    const RATE_LIMIT_WAIT: Option<Duration> = Some(Duration::from_secs(1));
    const REFUSED_VALUE: Said = Said::Containing("FIELD_CUSTOM_VALIDATION_EXCEPTION");
    const REFUSED_CREDENTIALS: Said = Said::Containing("invalid_grant");
    const REFUSED_BEFORE_ANY_CALL: bool = true;
    const UNKNOWN_OWNER: Said = Said::Containing("INVALID_CROSS_REFERENCE_KEY");
    /// A Lead's opportunities and enhanced notes cannot be listed: only tasks are found again.
    const LOST_CREATES: &'static [(Attach, &'static str)] = &[(Attach::Task, "/sobjects/Task")];

    async fn start() -> Self {
        let options = Options {
            custom_fields: vec![FieldDef::new("Lead", "Chat_Score__c")],
            ..Options::default()
        };
        Salesforce {
            sim: sim(options).await,
        }
    }

    fn faults(&self) -> &leadgate_sim::Faults {
        self.sim.faults()
    }

    fn stats(&self) -> leadgate_sim::Stats {
        self.sim.stats()
    }

    fn records(&self, object: &str) -> Vec<Record> {
        self.sim.records(object)
    }

    fn connector(&self) -> Box<dyn CrmApi> {
        self.with(config(&self.sim))
    }

    fn timing_out(&self, secs: u64) -> Box<dyn CrmApi> {
        self.with(Config {
            timeout_secs: secs,
            ..config(&self.sim)
        })
    }

    fn refused(&self) -> Box<dyn CrmApi> {
        self.with(Config {
            refresh_token: Some("5Aep861revoked".into()),
            ..config(&self.sim)
        })
    }

    fn renewing(&self) -> Box<dyn CrmApi> {
        self.connector()
    }

    /// A Lead needs a last name and a company: a rep's placeholder stands in.
    fn seed(&self, p: Seed<'_>) -> String {
        let mut lead = serde_json::Map::new();
        lead.insert("LastName".into(), json!(p.last_name.unwrap_or(PLACEHOLDER)));
        lead.insert("Company".into(), json!(p.company.unwrap_or(PLACEHOLDER)));
        for (name, value) in [
            ("Email", p.email),
            ("Phone", p.phone),
            ("FirstName", p.first_name),
            ("Title", p.job_title),
        ] {
            if let Some(v) = value {
                lead.insert(name.into(), json!(v));
            }
        }
        if let Some(score) = p.score {
            lead.insert("Chat_Score__c".into(), json!(score));
        }
        self.sim.insert_record("Lead", lead).unwrap()
    }

    async fn delete(&self, person: &str) {
        delete(&self.sim, "Lead", person).await
    }

    fn seen(&self, person: &Record) -> Seen {
        let get = |name: &str| text(person.field(name));
        Seen {
            email: get("Email"),
            phones: ["Phone", "MobilePhone"]
                .iter()
                .filter_map(|p| get(p))
                .collect(),
            first_name: get("FirstName"),
            last_name: get("LastName"),
            company: get("Company"),
            job_title: get("Title"),
            score: get("Chat_Score__c"),
        }
    }

    fn written(&self, field: Field, value: &str) -> (&'static str, String) {
        let name = match field {
            Field::Email => "Email",
            Field::Phone => "Phone",
            Field::Company => "Company",
            other => panic!("{other:?} is not checked"),
        };
        (name, value.to_owned())
    }

    /// An enhanced note keeps its HTML base64-encoded.
    fn note_text(&self, note: &Record) -> String {
        use base64::Engine;
        let content = note.str_field("Content").unwrap_or_default();
        let html = base64::engine::general_purpose::STANDARD
            .decode(content)
            .unwrap();
        String::from_utf8(html).unwrap()
    }

    fn note_on_deal(&self, note: &Record, deal: &str) -> Option<bool> {
        Some(note.associations.iter().any(|(_, id)| id == deal))
    }

    fn owners(&self) -> (String, String) {
        (
            self.sim.sales_rep_user_id().to_owned(),
            "005000000000099AAA".to_owned(),
        )
    }

    fn owner_of(&self, record: &Record) -> Option<String> {
        text(record.field("OwnerId"))
    }
}
