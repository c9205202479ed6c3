//! The Pipedrive connector against the Pipedrive simulator: the shared scenarios every CRM
//! passes (`common::crm`), then what is Pipedrive's own: persons with their organizations and
//! v1 notes, finding a person by name within the organization, and OAuth.

mod common;

use common::crm::pipedrive::{DEAL_SCORE, Pipedrive, SCORE, config, int, oauth_config, sim};
use leadgate::crm::pipedrive::{Config, Connector};
use leadgate::crm::progressive::{OverwritePolicy, SyncInput, execute};
use leadgate::crm::{CrmApi, CrmLinks, DealFields, NoteFields, PersonFields, TaskFields};
use leadgate::lead::{Email, PhoneE164, Region};
use leadgate::outbound::CallError;
use leadgate_sim::pipedrive::PipedriveSim;
use serde_json::{Map, Value, json};

crm_scenarios!(Pipedrive, an_expired_token_is_renewed_once);

const DUE_MS: i64 = 1_800_000_000_000;

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
            owner: None,
            custom: [(SCORE.to_owned(), json!(75))].into(),
        },
        deal: Some(DealFields {
            title: format!("{display} – chat lead"),
            amount: Some(80000),
            currency: Some("PLN".into()),
            owner: None,
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
        activity.field("participants"),
        Some(&json!([{"person_id": person.id.parse::<u64>().unwrap(), "primary": true}])),
        "v2 takes the person as the primary participant"
    );
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
async fn a_revoked_oauth_grant_is_an_auth_error() {
    let sim = sim().await;
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
async fn record_links_use_the_oauth_tokens_api_domain() {
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
}

#[tokio::test]
async fn a_spent_daily_write_allowance_holds_back_writes_and_not_reads() {
    let sim = PipedriveSim::start(leadgate_sim::pipedrive::Options {
        daily_writes: 1,
        ..leadgate_sim::pipedrive::Options::default()
    })
    .await
    .unwrap();
    let crm = std::sync::Arc::new(
        Connector::new(&Config {
            fields: leadgate::crm::CustomFields::default(),
            deal_fields: leadgate::crm::CustomFields::default(),
            ..config(&sim)
        })
        .unwrap(),
    );
    let person = PersonFields {
        email: Some(Email::parse("jan.kowalski@firma.pl").unwrap()),
        first_name: Some("Jan".into()),
        last_name: Some("Kowalski".into()),
        ..PersonFields::default()
    };
    // The create answers `x-daily-requests-left: 0`.
    let id = crm.create_person(&person).await.expect("created");
    let writes = |sim: &PipedriveSim| sim.stats().route_count("POST /api/v2/persons");
    assert_eq!(writes(&sim), 1);
    let held = {
        let crm = crm.clone();
        let person = person.clone();
        tokio::spawn(async move { crm.create_person(&person).await })
    };
    let email = person.email.clone().unwrap();
    let found = crm
        .find_person(leadgate::crm::FindKey::Email(&email))
        .await
        .expect("reads are not paused");
    assert_eq!(found.map(|p| p.id), Some(id.clone()));
    assert!(crm.get_person(&id).await.is_ok(), "reads are not paused");
    assert_eq!(writes(&sim), 1, "the second create waits for the next day");
    held.abort();
}
