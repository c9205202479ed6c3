//! Pipedrive in the scenario table: persons with their organizations, deals, notes and
//! activities; an API token, or OAuth tokens that expire.

use std::time::Duration;

use leadgate::crm::pipedrive::{Config, Connector};
use leadgate::crm::{Attach, CrmApi, CustomFields, Field};
use leadgate_sim::pipedrive::{Options, PipedriveSim};
use leadgate_sim::{FieldDef, Record};
use serde_json::{Value, json};

use super::{Row, Said, Seed, Seen, text};

/// Person custom field for the score.
pub const SCORE: &str = "5f1ac3b2c6d94e0b8a7f2d1e3c4b5a6978695a4b";
/// Deal custom field for the score.
pub const DEAL_SCORE: &str = "0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d";
/// Person custom field for the job title.
pub const TITLE: &str = "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3";

/// The simulator with those custom fields.
pub async fn sim() -> PipedriveSim {
    let options = Options {
        custom_fields: vec![
            FieldDef::new("persons", SCORE),
            FieldDef::new("persons", TITLE),
            FieldDef::new("deals", DEAL_SCORE),
        ],
        ..Options::default()
    };
    PipedriveSim::start(options)
        .await
        .expect("simulator starts")
}

/// A connector's settings for the simulator with its API token, the scores mapped.
pub fn config(sim: &PipedriveSim) -> Config {
    Config {
        base_url: sim.base_url().to_owned(),
        api_token: Some(sim.api_token().into()),
        timeout_secs: 5,
        fields: CustomFields {
            score: Some(SCORE.into()),
            ..CustomFields::default()
        },
        deal_fields: CustomFields {
            score: Some(DEAL_SCORE.into()),
            ..CustomFields::default()
        },
        app_url: Some("https://firma.pipedrive.com".into()),
        ..Config::default()
    }
}

/// The same with the simulator's OAuth app instead of the API token.
pub fn oauth_config(sim: &PipedriveSim) -> Config {
    let client = sim.oauth_client();
    Config {
        api_token: None,
        client_id: Some(client.client_id.clone()),
        client_secret: Some(client.client_secret.clone().into()),
        refresh_token: Some(client.refresh_token.clone().into()),
        token_url: format!("{}/oauth/token", sim.base_url()),
        app_url: None,
        ..config(sim)
    }
}

/// An id field of a record, as text.
pub fn int(record: &Record, field: &str) -> Option<String> {
    record
        .field(field)
        .and_then(Value::as_u64)
        .map(|v| v.to_string())
}

pub struct Pipedrive {
    pub sim: PipedriveSim,
}

impl Pipedrive {
    fn with(&self, config: Config) -> Box<dyn CrmApi> {
        Box::new(
            Connector::new(&Config {
                job_title_field: Some(TITLE.into()),
                ..config
            })
            .expect("valid config"),
        )
    }

    /// The id of the organization of this name.
    fn organization(&self, name: &str) -> Option<String> {
        self.sim
            .records("organizations")
            .into_iter()
            .find(|o| o.str_field("name") == Some(name))
            .map(|o| o.id)
    }
}

/// The values of an `emails` or `phones` list.
fn listed(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| item["value"].as_str().map(str::to_owned))
        .collect()
}

impl Row for Pipedrive {
    const OBJECTS: [&'static str; 4] = ["persons", "deals", "notes", "activities"];
    const COMPANY_OBJECT: Option<&'static str> = Some("organizations");
    const TOKEN_ROUTE: Option<&'static str> = Some("POST /oauth/token");
    const SCORE: &'static str = SCORE;
    const DEAL_TITLE: &'static str = "title";
    const OUTAGE: Said = Said::Containing("Pipedrive answered 503");
    const RATE_LIMITED: Said = Said::Containing("Pipedrive rate limit");
    const RATE_LIMIT_WAIT: Option<Duration> = None;
    const REFUSED_VALUE: Said = Said::Containing("is not accepted");
    const REFUSED_CREDENTIALS: Said = Said::Containing("Pipedrive answered 401");
    const REFUSED_BEFORE_ANY_CALL: bool = false;
    const UNKNOWN_OWNER: Said = Said::Containing("User with id 424242 not found");
    const LOST_CREATES: &'static [(Attach, &'static str)] = &[
        (Attach::Deal, "/deals"),
        (Attach::Note, "/notes"),
        (Attach::Task, "/activities"),
    ];

    async fn start() -> Self {
        Pipedrive { sim: sim().await }
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
            api_token: Some("wrong".into()),
            ..config(&self.sim)
        })
    }

    fn renewing(&self) -> Box<dyn CrmApi> {
        self.with(oauth_config(&self.sim))
    }

    fn seed(&self, p: Seed<'_>) -> String {
        let name = [p.first_name, p.last_name]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let mut person =
            json!({ "name": if name.is_empty() { p.email.unwrap_or("?") } else { &name } });
        if let Some(first) = p.first_name {
            person["first_name"] = json!(first);
        }
        if let Some(last) = p.last_name {
            person["last_name"] = json!(last);
        }
        if let Some(email) = p.email {
            person["emails"] = json!([{"value": email, "primary": true, "label": "work"}]);
        }
        if let Some(phone) = p.phone {
            person["phones"] = json!([{"value": phone, "primary": true, "label": "work"}]);
        }
        if let Some(company) = p.company {
            let org = self
                .sim
                .insert_record("organizations", super::fields(&[("name", json!(company))]))
                .unwrap();
            person["org_id"] = json!(org.parse::<u64>().unwrap());
        }
        let mut custom = serde_json::Map::new();
        if let Some(score) = p.score {
            custom.insert(SCORE.into(), json!(score));
        }
        if let Some(title) = p.job_title {
            custom.insert(TITLE.into(), json!(title));
        }
        person["custom_fields"] = Value::Object(custom);
        let Value::Object(person) = person else {
            unreachable!()
        };
        self.sim.insert_record("persons", person).unwrap()
    }

    async fn delete(&self, person: &str) {
        let status = reqwest::Client::new()
            .delete(format!("{}/api/v2/persons/{person}", self.sim.base_url()))
            .header("x-api-token", self.sim.api_token())
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }

    fn seen(&self, person: &Record) -> Seen {
        let custom = person.field("custom_fields");
        let company = int(person, "org_id").and_then(|org| {
            self.sim
                .records("organizations")
                .into_iter()
                .find(|o| o.id == org)
                .and_then(|o| o.str_field("name").map(str::to_owned))
        });
        Seen {
            email: listed(person.field("emails")).into_iter().next(),
            phones: listed(person.field("phones")),
            first_name: text(person.field("first_name")),
            last_name: text(person.field("last_name")),
            company,
            job_title: text(custom.and_then(|c| c.get(TITLE))),
            score: text(custom.and_then(|c| c.get(SCORE))),
        }
    }

    /// A person's company is written as the id of its organization.
    fn written(&self, field: Field, value: &str) -> (&'static str, String) {
        match field {
            Field::Email => ("emails", value.to_owned()),
            Field::Phone => ("phones", value.to_owned()),
            Field::Company => (
                "org_id",
                self.organization(value).expect("the organization exists"),
            ),
            other => panic!("{other:?} is not checked"),
        }
    }

    fn note_text(&self, note: &Record) -> String {
        note.str_field("content").unwrap_or_default().to_owned()
    }

    fn note_on_deal(&self, note: &Record, deal: &str) -> Option<bool> {
        Some(int(note, "deal_id").as_deref() == Some(deal))
    }

    fn owners(&self) -> (String, String) {
        let rep = Options::default().sales_rep_user_id;
        (rep.to_string(), "424242".to_owned())
    }

    fn owner_of(&self, record: &Record) -> Option<String> {
        int(record, "owner_id")
    }
}
