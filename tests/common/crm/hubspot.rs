//! HubSpot in the scenario table: contacts, deals, notes and tasks with associations, a
//! private-app token that never expires.

use std::time::Duration;

use leadgate::crm::hubspot::{Config, Connector};
use leadgate::crm::{Attach, CrmApi, CustomFields, Field};
use leadgate_sim::hubspot::{HubSpotSim, Options};
use leadgate_sim::{FieldDef, Record};
use serde_json::json;

use super::{Row, Said, Seed, Seen, text};

/// The simulator with leadgate's score properties on contacts and deals.
pub async fn sim() -> HubSpotSim {
    let options = Options {
        custom_fields: vec![
            FieldDef::new("contacts", "leadgate_score"),
            FieldDef::new("deals", "leadgate_deal_score"),
        ],
        ..Options::default()
    };
    HubSpotSim::start(options).await.expect("simulator starts")
}

/// A connector's settings for the simulator, with the score properties mapped.
pub fn config(sim: &HubSpotSim) -> Config {
    Config {
        base_url: sim.base_url().to_owned(),
        token: sim.private_app_token().into(),
        timeout_secs: 5,
        fields: CustomFields {
            score: Some("leadgate_score".into()),
            ..CustomFields::default()
        },
        deal_fields: CustomFields {
            score: Some("leadgate_deal_score".into()),
            ..CustomFields::default()
        },
        portal_id: Some(4242),
        ..Config::default()
    }
}

/// Whether `record` is associated with the `object` record `id`.
pub fn linked(record: &Record, object: &str, id: &str) -> bool {
    record
        .associations
        .iter()
        .any(|(o, i)| o == object && i == id)
}

pub struct HubSpot {
    pub sim: HubSpotSim,
}

impl HubSpot {
    fn with(&self, config: Config) -> Box<dyn CrmApi> {
        Box::new(Connector::new(&config).expect("valid config"))
    }
}

impl Row for HubSpot {
    const OBJECTS: [&'static str; 4] = ["contacts", "deals", "notes", "tasks"];
    const COMPANY_OBJECT: Option<&'static str> = Some("companies");
    const TOKEN_ROUTE: Option<&'static str> = None;
    const SCORE: &'static str = "leadgate_score";
    const DEAL_TITLE: &'static str = "dealname";
    const OUTAGE: Said = Said::Containing("HubSpot answered 503");
    const RATE_LIMITED: Said = Said::Containing("rate limit");
    const RATE_LIMIT_WAIT: Option<Duration> = None;
    const REFUSED_VALUE: Said = Said::Containing("HubSpot refused the data");
    const REFUSED_CREDENTIALS: Said = Said::Containing("HubSpot answered 401");
    const REFUSED_BEFORE_ANY_CALL: bool = false;
    const UNKNOWN_OWNER: Said = Said::Containing("424242 is not a valid owner id");
    const LOST_CREATES: &'static [(Attach, &'static str)] = &[
        (Attach::Deal, "/objects/deals"),
        (Attach::Note, "/objects/notes"),
        (Attach::Task, "/objects/tasks"),
    ];

    async fn start() -> Self {
        HubSpot { sim: sim().await }
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
            token: "pat-na1-wrong".into(),
            ..config(&self.sim)
        })
    }

    /// HubSpot keeps emails in lower case.
    fn seed(&self, p: Seed<'_>) -> String {
        let mut props = serde_json::Map::new();
        let email = p.email.map(str::to_lowercase);
        for (name, value) in [
            ("email", email.as_deref()),
            ("phone", p.phone),
            ("firstname", p.first_name),
            ("lastname", p.last_name),
            ("company", p.company),
            ("jobtitle", p.job_title),
        ] {
            if let Some(v) = value {
                props.insert(name.into(), json!(v));
            }
        }
        if let Some(score) = p.score {
            props.insert("leadgate_score".into(), json!(score.to_string()));
        }
        self.sim.insert_record("contacts", props).unwrap()
    }

    async fn delete(&self, person: &str) {
        let status = reqwest::Client::new()
            .delete(format!(
                "{}/crm/v3/objects/contacts/{person}",
                self.sim.base_url()
            ))
            .bearer_auth(self.sim.private_app_token())
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 204);
    }

    fn seen(&self, person: &Record) -> Seen {
        let get = |name: &str| text(person.field(name));
        Seen {
            email: get("email"),
            phones: ["phone", "mobilephone"]
                .iter()
                .filter_map(|p| get(p))
                .collect(),
            first_name: get("firstname"),
            last_name: get("lastname"),
            company: get("company"),
            job_title: get("jobtitle"),
            score: get("leadgate_score"),
        }
    }

    fn written(&self, field: Field, value: &str) -> (&'static str, String) {
        let name = match field {
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Company => "company",
            other => panic!("{other:?} is not checked"),
        };
        (name, value.to_owned())
    }

    fn note_text(&self, note: &Record) -> String {
        note.str_field("hs_note_body")
            .unwrap_or_default()
            .to_owned()
    }

    fn note_on_deal(&self, note: &Record, deal: &str) -> Option<bool> {
        Some(linked(note, "deals", deal))
    }

    fn owners(&self) -> (String, String) {
        (
            leadgate_sim::hubspot::OWNER_IDS[1].to_owned(),
            "424242".to_owned(),
        )
    }

    fn owner_of(&self, record: &Record) -> Option<String> {
        text(record.field("hubspot_owner_id"))
    }
}
