//! Zoho CRM in the scenario table: Leads, Deals, Notes and Tasks, with access tokens minted
//! from a refresh token.

use std::time::Duration;

use leadgate::crm::zoho::{Config, Connector, CustomFields};
use leadgate::crm::{Attach, CrmApi, Field};
use leadgate_sim::zoho::{Options, ZohoSim};
use leadgate_sim::{FieldDef, Record};
use serde_json::{Value, json};

use super::{Row, Said, Seed, Seen, text};

pub const TOKEN_ROUTE: &str = "POST /oauth/v2/token";

pub async fn sim(options: Options) -> ZohoSim {
    ZohoSim::start(options).await.expect("simulator starts")
}

/// A connector's settings for the simulator: its OAuth client, no throttle, a short pause after
/// the credits run out.
pub fn config(sim: &ZohoSim) -> Config {
    let oauth = sim.oauth_client();
    Config {
        accounts_url: sim.base_url().to_owned(),
        api_domain: "https://www.zohoapis.eu".to_owned(),
        client_id: oauth.client_id.clone(),
        client_secret: oauth.client_secret.clone().into(),
        refresh_token: oauth.refresh_token.clone().into(),
        timeout_secs: 5,
        max_requests_per_second: 0,
        rate_limit_pause_secs: 1,
        ..Config::default()
    }
}

/// Deletes a record the way a rep would, through the API.
pub async fn delete(sim: &ZohoSim, module: &str, id: &str) {
    let http = reqwest::Client::new();
    let oauth = sim.oauth_client();
    let token: Value = http
        .post(format!("{}/oauth/v2/token", sim.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &oauth.client_id),
            ("client_secret", &oauth.client_secret),
            ("refresh_token", &oauth.refresh_token),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = http
        .delete(format!("{}/crm/v8/{module}/{id}", sim.base_url()))
        .header(
            "Authorization",
            format!(
                "Zoho-oauthtoken {}",
                token["access_token"].as_str().unwrap()
            ),
        )
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

/// What Zoho requires and the lead does not have yet.
const PLACEHOLDER: &str = "[not provided]";

pub struct Zoho {
    pub sim: ZohoSim,
}

impl Zoho {
    fn with(&self, config: Config) -> Box<dyn CrmApi> {
        let config = Config {
            fields: CustomFields {
                score: Some("Chat_Score".into()),
                ..CustomFields::default()
            },
            ..config
        };
        Box::new(Connector::new(&config).expect("valid configuration"))
    }
}

impl Row for Zoho {
    const OBJECTS: [&'static str; 4] = ["Leads", "Deals", "Notes", "Tasks"];
    const COMPANY_OBJECT: Option<&'static str> = None;
    const TOKEN_ROUTE: Option<&'static str> = Some(TOKEN_ROUTE);
    const SCORE: &'static str = "Chat_Score";
    const DEAL_TITLE: &'static str = "Deal_Name";
    const OUTAGE: Said = Said::Containing("INTERNAL_ERROR");
    const RATE_LIMITED: Said = Said::Containing("TOO_MANY_REQUESTS");
    const RATE_LIMIT_WAIT: Option<Duration> = Some(Duration::from_secs(1));
    const REFUSED_VALUE: Said = Said::Exactly("Zoho: INVALID_DATA: invalid data (Deal_Name)");
    const REFUSED_CREDENTIALS: Said = Said::Containing("invalid_code");
    const REFUSED_BEFORE_ANY_CALL: bool = true;
    const UNKNOWN_OWNER: Said = Said::Exactly("Zoho: INVALID_DATA: invalid data (Owner)");
    const LOST_CREATES: &'static [(Attach, &'static str)] = &[
        (Attach::Deal, "/Deals"),
        (Attach::Note, "/Notes"),
        (Attach::Task, "/Tasks"),
    ];

    async fn start() -> Self {
        let options = Options {
            custom_fields: vec![FieldDef::new("Leads", "Chat_Score")],
            ..Options::default()
        };
        Zoho {
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
            refresh_token: "1000.revoked".into(),
            ..config(&self.sim)
        })
    }

    fn renewing(&self) -> Box<dyn CrmApi> {
        self.connector()
    }

    /// A lead needs a last name and a company: a rep's placeholder stands in.
    fn seed(&self, p: Seed<'_>) -> String {
        let mut lead = serde_json::Map::new();
        lead.insert(
            "Last_Name".into(),
            json!(p.last_name.unwrap_or(PLACEHOLDER)),
        );
        lead.insert("Company".into(), json!(p.company.unwrap_or(PLACEHOLDER)));
        for (name, value) in [
            ("Email", p.email),
            ("Phone", p.phone),
            ("First_Name", p.first_name),
            ("Designation", p.job_title),
        ] {
            if let Some(v) = value {
                lead.insert(name.into(), json!(v));
            }
        }
        if let Some(score) = p.score {
            lead.insert("Chat_Score".into(), json!(score));
        }
        self.sim.insert_record("Leads", lead).unwrap()
    }

    async fn delete(&self, person: &str) {
        delete(&self.sim, "Leads", person).await
    }

    fn seen(&self, person: &Record) -> Seen {
        let get = |name: &str| text(person.field(name));
        Seen {
            email: get("Email"),
            phones: ["Phone", "Mobile"].iter().filter_map(|p| get(p)).collect(),
            first_name: get("First_Name"),
            last_name: get("Last_Name"),
            company: get("Company"),
            job_title: get("Designation"),
            score: get("Chat_Score"),
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

    fn note_text(&self, note: &Record) -> String {
        note.str_field("Note_Content")
            .unwrap_or_default()
            .to_owned()
    }

    /// A Zoho note has one parent: the person.
    fn note_on_deal(&self, _note: &Record, _deal: &str) -> Option<bool> {
        None
    }

    fn owners(&self) -> (String, String) {
        (
            self.sim.sales_rep_user_id().to_owned(),
            "5725767000009999999".to_owned(),
        )
    }

    fn owner_of(&self, record: &Record) -> Option<String> {
        text(record.field("Owner").map(|o| &o["id"]))
    }
}
