//! The Salesforce connector against the Salesforce simulator over real HTTP: the shared
//! scenarios every CRM passes (`common::crm`), then what is Salesforce's own: Leads and
//! Contacts with Accounts, opportunities, enhanced and classic notes, the three OAuth flows,
//! the daily allocation, duplicate rules, external ids and safe SOQL.

mod common;

use std::collections::BTreeMap;

use common::crm::salesforce::{Salesforce, TOKEN_ROUTE, config, sim};
use common::crm::{fields, ok};
use leadgate::crm::progressive::{OverwritePolicy, SyncInput, SyncOutcome, execute};
use leadgate::crm::salesforce::{AuthFlow, Config, Connector, CustomFields, PersonObject};
use leadgate::crm::{CrmApi, CrmLinks, DealFields, FindKey, NoteFields, PersonFields, TaskFields};
use leadgate::lead::{Email, PhoneE164, Region};
use leadgate::outbound::CallError;
use leadgate_sim::salesforce::{Options, SalesforceSim};
use leadgate_sim::{FieldDef, RateLimit, Record};
use serde_json::json;

crm_scenarios!(Salesforce, an_expired_token_is_renewed_once);

fn connector(config: &Config) -> Connector {
    Connector::new(config).expect("valid configuration")
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

fn phone(raw: &str) -> PhoneE164 {
    PhoneE164::parse(raw, Some(Region::parse("PL").unwrap())).expect("valid phone")
}

/// What a chat lead looks like after extraction: parsed email and phone, a name, a company.
fn anna() -> PersonFields {
    PersonFields {
        email: Some(email("anna.nowak@firma.pl")),
        phone: Some(phone("+48 601 234 567")),
        first_name: Some("Anna".into()),
        last_name: Some("Nowak".into()),
        company: Some("Firma Sp. z o.o.".into()),
        job_title: None,
        owner: None,
        custom: BTreeMap::new(),
    }
}

fn input(person: PersonFields, qualified: bool) -> SyncInput {
    SyncInput {
        deal: qualified.then(|| DealFields { title: "Chat lead – Anna Nowak".into(), amount: Some(20_000), currency: Some("PLN".into()), owner: None, custom: BTreeMap::new() }),
        note: NoteFields { body: "Wants a CRM integration for 40 people.\nBudget: 20,000 PLN.\nVisitor: \"we need it <soon> & cheap\"".into() },
        task: Some(TaskFields { subject: "Call Anna Nowak".into(), body: "Qualified in chat; call back about the budget.".into(), due_ms: 1_893_456_000_000 }),
        person,
        policy: OverwritePolicy::default(),
    }
}

async fn sync(api: &Connector, input: &SyncInput, links: CrmLinks) -> SyncOutcome {
    execute(api, input, links).await
}

fn field<'a>(record: &'a Record, name: &str) -> Option<&'a str> {
    record.str_field(name)
}

fn api_calls(sim: &SalesforceSim) -> u64 {
    let stats = sim.stats();
    stats.total_requests - stats.route_count(TOKEN_ROUTE)
}

#[tokio::test]
async fn a_qualified_lead_becomes_one_lead_with_opportunity_note_and_task() {
    let sim = sim(Options {
        custom_fields: vec![FieldDef::new("Lead", "Chat_Score__c")],
        ..Options::default()
    })
    .await;
    let config = Config {
        fields: CustomFields {
            score: Some("Chat_Score__c".into()),
            ..CustomFields::default()
        },
        lead_source: Some("Chat".into()),
        ..config(&sim)
    };
    let api = connector(&config);
    let mut person = anna();
    person.custom = config
        .fields
        .values(Some(72), Some("demo site"), Some("widget"), None);
    let outcome = sync(&api, &input(person, true), CrmLinks::default()).await;
    ok(&outcome);
    assert!(outcome.created_person);

    let leads = sim.records("Lead");
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(Some(&lead.id), outcome.links.person.as_ref());
    assert_eq!(field(lead, "Email"), Some("anna.nowak@firma.pl"));
    assert_eq!(field(lead, "Phone"), Some("+48601234567"));
    assert_eq!(field(lead, "Company"), Some("Firma Sp. z o.o."));
    assert_eq!(field(lead, "LeadSource"), Some("Chat"));
    assert_eq!(lead.field("Chat_Score__c"), Some(&json!(72)));

    let opportunities = sim.records("Opportunity");
    assert_eq!(opportunities.len(), 1);
    let opportunity = &opportunities[0];
    assert_eq!(Some(&opportunity.id), outcome.links.deal.as_ref());
    assert_eq!(field(opportunity, "StageName"), Some("Prospecting"));
    assert_eq!(opportunity.field("Amount"), Some(&json!(20_000)));
    assert!(
        field(opportunity, "Description")
            .unwrap()
            .ends_with(&lead.id),
        "the opportunity names its lead"
    );

    let notes = sim.records("ContentNote");
    assert_eq!(notes.len(), 1);
    assert_eq!(Some(&notes[0].id), outcome.links.note.as_ref());
    let linked: Vec<&str> = notes[0]
        .associations
        .iter()
        .map(|(_, id)| id.as_str())
        .collect();
    assert!(
        linked.contains(&lead.id.as_str()) && linked.contains(&opportunity.id.as_str()),
        "note shared with lead and opportunity: {linked:?}"
    );
    assert_eq!(sim.records("ContentDocumentLink").len(), 2);

    let tasks = sim.records("Task");
    assert_eq!(tasks.len(), 1);
    assert_eq!(field(&tasks[0], "WhoId"), Some(lead.id.as_str()));
    assert_eq!(
        field(&tasks[0], "WhatId"),
        None,
        "a Lead task cannot name a What"
    );
    assert_eq!(field(&tasks[0], "ActivityDate"), Some("2030-01-01"));
    assert_eq!(
        api.record_url(&lead.id),
        Some(format!("{}/{}", sim.base_url(), lead.id))
    );

    // find by email (composite: leads + contacts), phone (SOSL), name (composite), create,
    // opportunity, note (composite: note + two links), task.
    assert_eq!(api_calls(&sim), 7, "{:?}", sim.stats().per_route);
    assert_eq!(
        sim.stats().route_count(TOKEN_ROUTE),
        1,
        "one token for the whole sync"
    );
}

#[tokio::test]
async fn a_contact_comes_with_its_account_and_a_linked_opportunity() {
    let sim = sim(Options::default()).await;
    let api = connector(&Config {
        object: PersonObject::Contact,
        ..config(&sim)
    });
    let outcome = sync(&api, &input(anna(), true), CrmLinks::default()).await;
    ok(&outcome);

    let accounts = sim.records("Account");
    assert_eq!(accounts.len(), 1);
    let account = &accounts[0].id;
    assert_eq!(field(&accounts[0], "Name"), Some("Firma Sp. z o.o."));
    let contacts = sim.records("Contact");
    assert_eq!(contacts.len(), 1);
    let contact = &contacts[0].id;
    assert_eq!(field(&contacts[0], "AccountId"), Some(account.as_str()));
    assert!(sim.records("Lead").is_empty());

    let opportunity = &sim.records("Opportunity")[0];
    assert_eq!(field(opportunity, "AccountId"), Some(account.as_str()));
    let roles = sim.records("OpportunityContactRole");
    assert_eq!(roles.len(), 1);
    assert_eq!(field(&roles[0], "ContactId"), Some(contact.as_str()));
    assert_eq!(
        field(&roles[0], "OpportunityId"),
        Some(opportunity.id.as_str())
    );
    assert_eq!(roles[0].field("IsPrimary"), Some(&json!(true)));

    let task = &sim.records("Task")[0];
    assert_eq!(field(task, "WhoId"), Some(contact.as_str()));
    assert_eq!(field(task, "WhatId"), Some(opportunity.id.as_str()));

    // A second lead at the same company reuses the account.
    let mut colleague = anna();
    colleague.email = Some(email("piotr@firma.pl"));
    colleague.phone = None;
    colleague.first_name = Some("Piotr".into());
    ok(&sync(&api, &input(colleague, false), CrmLinks::default()).await);
    assert_eq!(sim.records("Account").len(), 1);
    assert_eq!(sim.records("Contact").len(), 2);
}

#[tokio::test]
async fn a_number_a_rep_typed_formatted_is_found_by_it() {
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    ok(&sync(&api, &input(anna(), false), CrmLinks::default()).await);
    let seeded = sim
        .insert_record(
            "Lead",
            fields(&[
                ("LastName", json!("Kowalski")),
                ("Company", json!("Sklep")),
                ("Phone", json!("(+48) 602-000-111")),
            ]),
        )
        .unwrap();
    let caller = PersonFields {
        phone: Some(phone("602 000 111")),
        last_name: Some("Kowalski".into()),
        ..PersonFields::default()
    };
    let found = sync(&api, &input(caller, false), CrmLinks::default()).await;
    ok(&found);
    assert_eq!(found.links.person.as_deref(), Some(seeded.as_str()));
    assert_eq!(sim.records("Lead").len(), 2);
}

#[tokio::test]
async fn refusals_are_permanent_with_salesforces_reason() {
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    sim.faults()
        .reject_field_value("Company", "Firma Sp. z o.o.");
    let outcome = sync(&api, &input(anna(), true), CrmLinks::default()).await;
    let Some(CallError::Permanent { message }) = &outcome.error else {
        panic!("expected a permanent error, got {:?}", outcome.error)
    };
    assert!(
        message.contains("FIELD_CUSTOM_VALIDATION_EXCEPTION")
            && message.contains("validation rule"),
        "{message}"
    );
    assert!(outcome.links.person.is_none());

    // A misconfigured custom field is refused with the column it names.
    let bad = connector(&Config {
        fields: CustomFields {
            score: Some("Missing_Score__c".into()),
            ..CustomFields::default()
        },
        ..config(&sim)
    });
    let error = bad
        .find_person(FindKey::Email(&email("x@y.pl")))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, CallError::Permanent { message } if message.contains("Missing_Score__c")),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_daily_allocation_running_out_is_a_rate_limit() {
    let sim = sim(Options {
        daily_api_requests: RateLimit::per_day(2),
        ..Options::default()
    })
    .await;
    let api = connector(&Config {
        slow_down_at_percent: 0,
        ..config(&sim)
    });
    let outcome = sync(&api, &input(anna(), false), CrmLinks::default()).await;
    assert!(
        matches!(&outcome.error, Some(CallError::Retryable { retry_after: Some(_), message }) if message.contains("REQUEST_LIMIT_EXCEEDED")),
        "{:?}",
        outcome.error
    );
    assert_eq!(sim.stats().rate_limited, 1);
}

#[tokio::test]
async fn all_three_oauth_flows_obtain_a_token() {
    let sim = sim(Options::default()).await;
    let base = config(&sim);

    let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der: aws_lc_rs::encoding::Pkcs8V1Der = aws_lc_rs::encoding::AsDer::as_der(&key).unwrap();
    let body = base64_lines(der.as_ref());
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("salesforce-jwt.pem");
    std::fs::write(
        &key_path,
        format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"),
    )
    .unwrap();

    let flows = [
        Config {
            auth: AuthFlow::RefreshToken,
            client_secret: None,
            ..base.clone()
        },
        Config {
            auth: AuthFlow::Jwt,
            refresh_token: None,
            client_secret: None,
            username: Some(sim.username().to_owned()),
            private_key_path: Some(key_path.display().to_string()),
            ..base.clone()
        },
        Config {
            auth: AuthFlow::ClientCredentials,
            refresh_token: None,
            ..base.clone()
        },
    ];
    for (n, config) in flows.iter().enumerate() {
        let api = connector(config);
        let found = api
            .find_person(FindKey::Email(&email("nobody@firma.pl")))
            .await;
        assert_eq!(found, Ok(None), "{:?}", config.auth);
        assert_eq!(sim.stats().route_count(TOKEN_ROUTE), n as u64 + 1);
    }

    let wrong_user = Config {
        auth: AuthFlow::Jwt,
        refresh_token: None,
        username: Some("someone@else.example".into()),
        private_key_path: Some(key_path.display().to_string()),
        ..base
    };
    let error = connector(&wrong_user)
        .find_person(FindKey::Email(&email("nobody@firma.pl")))
        .await
        .unwrap_err();
    assert_eq!(error.class(), "auth");
}

fn base64_lines(der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    text.as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn quotes_and_backslashes_in_names_are_escaped_not_injected() {
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    let seeded = sim
        .insert_record(
            "Lead",
            fields(&[
                ("FirstName", json!("D'Arcy")),
                ("LastName", json!(r"O\Neill")),
                ("Company", json!(r"Back\slash 'n' Co")),
            ]),
        )
        .unwrap();

    let same = PersonFields {
        first_name: Some("D'Arcy".into()),
        last_name: Some(r"O\Neill".into()),
        company: Some(r"Back\slash 'n' Co".into()),
        ..PersonFields::default()
    };
    let outcome = sync(&api, &input(same, false), CrmLinks::default()).await;
    ok(&outcome);
    assert_eq!(
        outcome.links.person.as_deref(),
        Some(seeded.as_str()),
        "found by name and company"
    );

    let injection = PersonFields {
        first_name: Some("x' OR FirstName != 'x".into()),
        last_name: Some("Eve".into()),
        company: Some(r"\' OR Company != \'".into()),
        ..PersonFields::default()
    };
    let found = api
        .find_person(FindKey::NameAndCompany {
            first: injection.first_name.as_deref().unwrap(),
            last: injection.last_name.as_deref(),
            company: injection.company.as_deref().unwrap(),
        })
        .await;
    assert_eq!(found, Ok(None), "the quote is data, not SOQL");
    let created = sync(&api, &input(injection, false), CrmLinks::default()).await;
    ok(&created);
    assert!(created.created_person);
    let leads = sim.records("Lead");
    assert_eq!(leads.len(), 2);
    assert!(
        leads
            .iter()
            .any(|l| field(l, "FirstName") == Some("x' OR FirstName != 'x"))
    );
}

#[tokio::test]
async fn duplicates_and_ambiguous_keys_name_the_existing_record() {
    let sim = sim(Options {
        custom_fields: vec![FieldDef::new("Lead", "Chat_Lead_Key__c").external_id()],
        ..Options::default()
    })
    .await;
    let api = connector(&config(&sim));
    let existing = sim
        .insert_record(
            "Lead",
            fields(&[
                ("LastName", json!("Nowak")),
                ("Company", json!("Firma")),
                ("Email", json!("anna.nowak@firma.pl")),
            ]),
        )
        .unwrap();
    let error = api.create_person(&anna()).await.unwrap_err();
    assert!(
        matches!(&error, CallError::Conflict { existing_id, .. } if *existing_id == existing),
        "duplicate rule: {error:?}"
    );

    let keyed = connector(&Config {
        external_id_field: Some("Chat_Lead_Key__c".into()),
        ..config(&sim)
    });
    let mut piotr = anna();
    piotr.email = Some(email("piotr@firma.pl"));
    let a = sim
        .insert_record(
            "Lead",
            fields(&[
                ("LastName", json!("A")),
                ("Company", json!("F")),
                ("Chat_Lead_Key__c", json!("piotr@firma.pl")),
            ]),
        )
        .unwrap();
    let b = sim
        .insert_record(
            "Lead",
            fields(&[
                ("LastName", json!("B")),
                ("Company", json!("F")),
                ("Chat_Lead_Key__c", json!("piotr@firma.pl")),
            ]),
        )
        .unwrap();
    let error = keyed.create_person(&piotr).await.unwrap_err();
    assert!(
        matches!(&error, CallError::Conflict { existing_id, .. } if *existing_id == a || *existing_id == b),
        "300 on upsert: {error:?}"
    );
}

#[tokio::test]
async fn an_external_id_makes_creation_an_upsert_and_finds_by_key() {
    let sim = sim(Options {
        custom_fields: vec![
            FieldDef::new("Lead", "Chat_Lead_Key__c")
                .external_id()
                .unique(),
        ],
        ..Options::default()
    })
    .await;
    let api = connector(&Config {
        external_id_field: Some("Chat_Lead_Key__c".into()),
        ..config(&sim)
    });
    let mut person = anna();
    person.email = Some(email("Anna.Nowak@Firma.pl"));
    let outcome = sync(&api, &input(person, false), CrmLinks::default()).await;
    ok(&outcome);
    let lead = &sim.records("Lead")[0];
    assert_eq!(field(lead, "Chat_Lead_Key__c"), Some("anna.nowak@firma.pl"));
    assert_eq!(
        sim.stats()
            .route_count("PATCH /services/data/{version}/sobjects/Lead/Chat_Lead_Key__c/{value}"),
        1
    );

    // The rep changed the email; the key still finds the lead.
    sim.reset();
    let id = sim
        .insert_record(
            "Lead",
            fields(&[
                ("LastName", json!("Nowak")),
                ("Company", json!("Firma")),
                ("Email", json!("anna@private.pl")),
                ("Chat_Lead_Key__c", json!("anna.nowak@firma.pl")),
            ]),
        )
        .unwrap();
    let again = sync(&api, &input(anna(), false), CrmLinks::default()).await;
    ok(&again);
    assert_eq!(again.links.person.as_deref(), Some(id.as_str()));
    assert_eq!(sim.records("Lead").len(), 1);
}

#[tokio::test]
async fn a_converted_lead_is_followed_to_its_contact() {
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    let contact = sim
        .insert_record(
            "Contact",
            fields(&[
                ("LastName", json!("Nowak")),
                ("FirstName", json!("Anna")),
                ("Email", json!("anna.nowak@firma.pl")),
            ]),
        )
        .unwrap();
    let lead = sim
        .insert_record(
            "Lead",
            fields(&[
                ("LastName", json!("Nowak")),
                ("Company", json!("Firma")),
                ("Email", json!("anna.nowak@firma.pl")),
                ("IsConverted", json!(true)),
                ("ConvertedContactId", json!(contact)),
            ]),
        )
        .unwrap();

    let by_link = sync(
        &api,
        &input(anna(), true),
        CrmLinks {
            person: Some(lead),
            ..CrmLinks::default()
        },
    )
    .await;
    ok(&by_link);
    assert_eq!(by_link.links.person.as_deref(), Some(contact.as_str()));
    let fresh = sync(&api, &input(anna(), false), CrmLinks::default()).await;
    ok(&fresh);
    assert_eq!(
        fresh.links.person.as_deref(),
        Some(contact.as_str()),
        "found among contacts by email"
    );
    assert_eq!(sim.records("Lead").len(), 1);
    let task = &sim.records("Task")[0];
    assert_eq!(
        field(task, "WhatId"),
        by_link.links.deal.as_deref(),
        "a Contact's task names the opportunity"
    );
}

#[tokio::test]
async fn classic_notes_are_written_and_updated_in_place() {
    let sim = sim(Options::default()).await;
    let config = Config {
        note: leadgate::crm::salesforce::NoteConfig {
            object: leadgate::crm::salesforce::NoteObject::Note,
            title: "Chat".into(),
        },
        ..config(&sim)
    };
    let api = connector(&config);
    let first = sync(&api, &input(anna(), false), CrmLinks::default()).await;
    ok(&first);
    let mut longer = input(anna(), false);
    longer.note.body.push_str("\nVisitor: one more thing.");
    ok(&sync(&api, &longer, first.links.clone()).await);
    let notes = sim.records("Note");
    assert_eq!(notes.len(), 1);
    assert_eq!(field(&notes[0], "ParentId"), first.links.person.as_deref());
    assert!(
        field(&notes[0], "Body")
            .unwrap()
            .ends_with("one more thing.")
    );
    assert!(sim.records("ContentNote").is_empty());
}

#[tokio::test]
async fn a_classic_note_title_is_cut_to_the_80_characters_it_holds() {
    let sim = sim(Options::default()).await;
    let title = format!("Rozmowa z czatu – {}", "ż".repeat(100));
    let config = Config {
        note: leadgate::crm::salesforce::NoteConfig {
            object: leadgate::crm::salesforce::NoteObject::Note,
            title: title.clone(),
        },
        ..config(&sim)
    };
    ok(&sync(
        &connector(&config),
        &input(anna(), false),
        CrmLinks::default(),
    )
    .await);
    let notes = sim.records("Note");
    assert_eq!(notes.len(), 1);
    let stored = field(&notes[0], "Title").unwrap();
    assert_eq!(stored.chars().count(), 80);
    assert!(title.starts_with(stored), "cut on a character boundary");
}
