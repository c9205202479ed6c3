//! The Pipedrive connector against the Pipedrive simulator, driven by the progressive sync:
//! find before create (Pipedrive keeps nothing unique), organizations, the overwrite policy,
//! OAuth refresh, and every failure class.

use std::time::Duration;

use leadgate::crm::pipedrive::{Config, Connector};
use leadgate::crm::progressive::{OverwritePolicy, SyncInput, execute};
use leadgate::crm::{
    CrmApi, CrmLinks, CustomFields, DealFields, NoteFields, PersonFields, TaskFields,
};
use leadgate::lead::{Email, PhoneE164, Region};
use leadgate::outbound::CallError;
use leadgate_sim::FieldDef;
use leadgate_sim::pipedrive::{Options, PipedriveSim};
use serde_json::{Map, Value, json};

const SCORE: &str = "5f1ac3b2c6d94e0b8a7f2d1e3c4b5a6978695a4b";
const DEAL_SCORE: &str = "0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d";
const DUE_MS: i64 = 1_800_000_000_000;

async fn sim() -> PipedriveSim {
    let options = Options {
        custom_fields: vec![
            FieldDef::new("persons", SCORE),
            FieldDef::new("deals", DEAL_SCORE),
        ],
        ..Options::default()
    };
    PipedriveSim::start(options)
        .await
        .expect("simulator starts")
}

fn config(sim: &PipedriveSim) -> Config {
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

fn oauth_config(sim: &PipedriveSim) -> Config {
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

fn connector(sim: &PipedriveSim) -> Connector {
    Connector::new(&config(sim)).expect("valid config")
}

fn pl(raw: &str) -> PhoneE164 {
    PhoneE164::parse(raw, Some(Region::parse("PL").unwrap())).expect("valid phone")
}

/// A qualified lead as the planner builds it.
fn lead(
    email: Option<&str>,
    phone: Option<&str>,
    name: Option<(&str, &str)>,
    company: Option<&str>,
) -> SyncInput {
    let display = name
        .map(|(f, l)| format!("{f} {l}"))
        .or(email.map(str::to_owned))
        .unwrap_or_else(|| "visitor".into());
    SyncInput {
        person: PersonFields {
            email: email.map(|e| Email::parse(e).expect("valid email")),
            phone: phone.map(pl),
            first_name: name.map(|(f, _)| f.to_owned()),
            last_name: name.map(|(_, l)| l.to_owned()),
            company: company.map(str::to_owned),
            job_title: Some("CTO".into()),
            custom: [(SCORE.to_owned(), json!(75))].into(),
        },
        deal: Some(DealFields {
            title: format!("{display} – chat lead"),
            amount: Some(80000),
            currency: Some("PLN".into()),
            custom: [(DEAL_SCORE.to_owned(), json!(75))].into(),
        }),
        note: NoteFields {
            body: format!("Visitor: {display}\nWants a demo & pricing"),
        },
        task: Some(TaskFields {
            subject: format!("Follow up with {display}"),
            body: "Call back".into(),
            due_ms: DUE_MS,
        }),
        policy: OverwritePolicy::default(),
    }
}

fn jan() -> SyncInput {
    lead(
        Some("jan.kowalski@firma.pl"),
        Some("+48 888 784 878"),
        Some(("Jan", "Kowalski")),
        Some("Firma Sp. z o.o."),
    )
}

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn int(record: &leadgate_sim::Record, field: &str) -> Option<String> {
    record
        .field(field)
        .and_then(Value::as_u64)
        .map(|v| v.to_string())
}

#[tokio::test]
async fn a_new_qualified_lead_becomes_one_person_organization_deal_note_and_activity() {
    let sim = sim().await;
    let crm = connector(&sim);
    let out = execute(&crm, &jan(), CrmLinks::default()).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert!(out.created_person);

    let (persons, orgs, deals, notes, activities) = (
        sim.records("persons"),
        sim.records("organizations"),
        sim.records("deals"),
        sim.records("notes"),
        sim.records("activities"),
    );
    assert_eq!(
        (
            persons.len(),
            orgs.len(),
            deals.len(),
            notes.len(),
            activities.len()
        ),
        (1, 1, 1, 1, 1)
    );
    let (person, org, deal, note, activity) =
        (&persons[0], &orgs[0], &deals[0], &notes[0], &activities[0]);
    assert_eq!(out.links.person.as_deref(), Some(person.id.as_str()));
    assert_eq!(out.links.deal.as_deref(), Some(deal.id.as_str()));
    assert_eq!(out.links.note.as_deref(), Some(note.id.as_str()));
    assert_eq!(out.links.task.as_deref(), Some(activity.id.as_str()));

    assert_eq!(person.str_field("name"), Some("Jan Kowalski"));
    assert_eq!(
        person.field("emails").unwrap()[0]["value"],
        "jan.kowalski@firma.pl"
    );
    assert_eq!(
        person.field("phones").unwrap()[0]["value"],
        "+48888784878",
        "phones are written in E.164"
    );
    assert_eq!(person.field("custom_fields").unwrap()[SCORE], 75);
    assert_eq!(org.str_field("name"), Some("Firma Sp. z o.o."));
    assert_eq!(int(person, "org_id").as_deref(), Some(org.id.as_str()));

    assert_eq!(deal.str_field("title"), Some("Jan Kowalski – chat lead"));
    assert_eq!(deal.field("value"), Some(&json!(80000)));
    assert_eq!(deal.str_field("currency"), Some("PLN"));
    assert_eq!(int(deal, "person_id").as_deref(), Some(person.id.as_str()));
    assert_eq!(int(deal, "org_id").as_deref(), Some(org.id.as_str()));
    assert_eq!(deal.field("custom_fields").unwrap()[DEAL_SCORE], 75);

    assert_eq!(
        note.str_field("content"),
        Some("Visitor: Jan Kowalski<br>Wants a demo &amp; pricing")
    );
    assert_eq!(int(note, "person_id").as_deref(), Some(person.id.as_str()));
    assert_eq!(int(note, "deal_id").as_deref(), Some(deal.id.as_str()));

    assert_eq!(activity.str_field("type"), Some("call"));
    assert_eq!(activity.str_field("due_date"), Some("2027-01-15"));
    assert_eq!(activity.str_field("due_time"), Some("08:00"));
    assert_eq!(
        int(activity, "person_id").as_deref(),
        Some(person.id.as_str())
    );
    assert_eq!(int(activity, "deal_id").as_deref(), Some(deal.id.as_str()));

    assert_eq!(
        crm.record_url(&person.id),
        Some(format!("https://firma.pipedrive.com/person/{}", person.id))
    );
}

#[tokio::test]
async fn the_same_person_again_by_email_or_by_a_phone_typed_differently_is_updated() {
    let sim = sim().await;
    let crm = connector(&sim);
    let first = execute(&crm, &jan(), CrmLinks::default()).await;
    let id = first.links.person.clone().unwrap();

    let again = lead(
        Some("JAN.KOWALSKI@firma.pl"),
        None,
        Some(("Jan", "Kowalski")),
        None,
    );
    let out = execute(&crm, &again, CrmLinks::default()).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.links.person.as_deref(), Some(id.as_str()));
    assert!(!out.created_person);

    let by_phone = lead(None, Some("888-784-878"), None, None);
    let out = execute(&crm, &by_phone, CrmLinks::default()).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.links.person.as_deref(), Some(id.as_str()));
    assert_eq!(sim.records("persons").len(), 1);
    assert_eq!(
        sim.records("organizations").len(),
        1,
        "the organization is found, not made again"
    );
}

#[tokio::test]
async fn a_person_deleted_or_merged_in_pipedrive_is_found_again_by_email() {
    let sim = sim().await;
    let crm = connector(&sim);
    let existing = sim.insert_record("persons", fields(json!({"name": "Jan Kowalski", "emails": [{"value": "jan.kowalski@firma.pl", "primary": true, "label": "work"}]}))).unwrap();
    let stale = CrmLinks {
        person: Some("987654".into()),
        ..CrmLinks::default()
    };
    let out = execute(&crm, &jan(), stale).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.links.person.as_deref(), Some(existing.as_str()));
    assert_eq!(sim.records("persons").len(), 1);
}

#[tokio::test]
async fn a_person_is_found_by_name_within_their_organization() {
    let sim = sim().await;
    let crm = connector(&sim);
    let org = sim
        .insert_record("organizations", fields(json!({"name": "Firma Sp. z o.o."})))
        .unwrap();
    let org_id: u64 = org.parse().unwrap();
    let existing = sim.insert_record("persons", fields(json!({"name": "Jan Kowalski", "first_name": "Jan", "last_name": "Kowalski", "org_id": org_id}))).unwrap();
    let elsewhere = sim
        .insert_record("organizations", fields(json!({"name": "Inna Firma"})))
        .unwrap();
    sim.insert_record(
        "persons",
        fields(json!({"name": "Jan Kowalski", "org_id": elsewhere.parse::<u64>().unwrap()})),
    );
    let out = execute(&crm, &jan(), CrmLinks::default()).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.links.person.as_deref(), Some(existing.as_str()));
    let person = sim
        .records("persons")
        .into_iter()
        .find(|p| p.id == existing)
        .unwrap();
    assert_eq!(
        person.field("emails").unwrap()[0]["value"],
        "jan.kowalski@firma.pl",
        "the email is added"
    );
}

#[tokio::test]
async fn a_reps_edits_stand_and_nothing_is_blanked() {
    let sim = sim().await;
    let crm = connector(&sim);
    let id = sim
        .insert_record(
            "persons",
            fields(
                json!({"name": "Janek Kowalski", "first_name": "Janek", "last_name": "Kowalski",
                "emails": [{"value": "jan.kowalski@firma.pl", "primary": true, "label": "work"}],
                "phones": [{"value": "+48 22 123 45 67", "primary": true, "label": "work"}],
                "custom_fields": {SCORE: 10}}),
            ),
        )
        .unwrap();
    let out = execute(&crm, &jan(), CrmLinks::default()).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    let person = sim
        .records("persons")
        .into_iter()
        .find(|p| p.id == id)
        .unwrap();
    assert_eq!(
        person.str_field("name"),
        Some("Janek Kowalski"),
        "a rep's value wins"
    );
    assert_eq!(
        person.field("phones").unwrap().as_array().unwrap().len(),
        1,
        "the rep's phone stays alone"
    );
    assert_eq!(
        person.field("phones").unwrap()[0]["value"],
        "+48 22 123 45 67"
    );
    assert_eq!(
        person.field("custom_fields").unwrap()[SCORE],
        75,
        "leadgate's own values are kept current"
    );
    let org = &sim.records("organizations")[0];
    assert_eq!(
        int(&person, "org_id").as_deref(),
        Some(org.id.as_str()),
        "an empty organization is filled"
    );
}

#[tokio::test]
async fn a_refused_value_is_permanent_with_pipedrives_reason() {
    let sim = sim().await;
    let crm = connector(&sim);
    sim.faults()
        .reject_field_value("title", "Jan Kowalski – chat lead");
    let out = execute(&crm, &jan(), CrmLinks::default()).await;
    match out.error {
        Some(CallError::Permanent { message }) => {
            assert!(message.contains("is not accepted"), "{message}")
        }
        other => panic!("expected a permanent error, got {other:?}"),
    }
    assert!(out.links.person.is_some());
    assert!(out.links.deal.is_none());
}

#[tokio::test]
async fn outages_and_rate_limits_are_retryable() {
    let sim = sim().await;
    let crm = connector(&sim);
    sim.faults().fail_next(1, 503);
    let out = execute(&crm, &jan(), CrmLinks::default()).await;
    assert!(
        matches!(out.error, Some(CallError::Retryable { .. })),
        "{:?}",
        out.error
    );

    sim.faults().throttle_next(1);
    let out = execute(&crm, &jan(), CrmLinks::default()).await;
    match out.error {
        Some(CallError::Retryable {
            retry_after: Some(wait),
            ..
        }) => assert!(wait > Duration::ZERO),
        other => panic!("expected a retryable error with retry_after, got {other:?}"),
    }
    assert!(sim.records("persons").is_empty());
}

#[tokio::test]
async fn a_hung_request_times_out_as_retryable() {
    let sim = sim().await;
    let crm = Connector::new(&Config {
        timeout_secs: 1,
        ..config(&sim)
    })
    .unwrap();
    sim.faults().hang_next(1);
    let out = execute(&crm, &jan(), CrmLinks::default()).await;
    match out.error {
        Some(CallError::Retryable { message, .. }) => {
            assert!(message.contains("timed out"), "{message}");
            assert!(
                !message.contains("jan.kowalski"),
                "no lead data in the error: {message}"
            );
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn refused_credentials_are_auth_errors() {
    let sim = sim().await;
    let token = Connector::new(&Config {
        api_token: Some("wrong".into()),
        ..config(&sim)
    })
    .unwrap();
    let out = execute(&token, &jan(), CrmLinks::default()).await;
    assert!(
        matches!(out.error, Some(CallError::Auth { .. })),
        "{:?}",
        out.error
    );

    let oauth = Connector::new(&Config {
        refresh_token: Some("1:1:revoked".into()),
        ..oauth_config(&sim)
    })
    .unwrap();
    let out = execute(&oauth, &jan(), CrmLinks::default()).await;
    match out.error {
        Some(CallError::Auth { message }) => {
            assert!(message.contains("invalid_grant"), "{message}")
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_expired_oauth_token_is_refreshed_without_losing_the_call() {
    let sim = sim().await;
    let crm = Connector::new(&oauth_config(&sim)).unwrap();
    let first = execute(&crm, &jan(), CrmLinks::default()).await;
    assert!(first.error.is_none(), "{:?}", first.error);
    assert_eq!(sim.stats().route_count("POST /oauth/token"), 1);
    assert_eq!(
        crm.record_url("7"),
        Some(format!("{}/person/7", sim.base_url())),
        "links use the token's api_domain"
    );

    sim.faults().expire_tokens();
    let refreshed = lead(Some("jan.kowalski@firma.pl"), None, None, None);
    let out = execute(&crm, &refreshed, first.links.clone()).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.links.person, first.links.person);
    assert_eq!(
        sim.stats().route_count("POST /oauth/token"),
        2,
        "one refresh after the refusal"
    );
    assert_eq!(sim.records("persons").len(), 1);
    assert_eq!(sim.records("activities").len(), 1, "the task is made once");
}
