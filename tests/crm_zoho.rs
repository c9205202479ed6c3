//! The Zoho CRM connector against the Zoho simulator over real HTTP: the shared scenarios
//! every CRM passes (`common::crm`), then what is Zoho's own: Leads and Contacts with
//! Accounts, duplicate checks, API credits and leadgate's own budget, and the batch path with
//! its calls per lead in a backlog.

mod common;

use std::collections::BTreeMap;

use common::crm::zoho::{TOKEN_ROUTE, Zoho, config, delete, sim};
use common::crm::{fields, ok};
use leadgate::crm::progressive::{BatchItem, OverwritePolicy, SyncInput, execute};
use leadgate::crm::zoho::{Config, Connector, CustomFields, Module};
use leadgate::crm::{CrmApi, CrmLinks, DealFields, NoteFields, PersonFields, TaskFields};
use leadgate::lead::{Email, PhoneE164, Region};
use leadgate::outbound::CallError;
use leadgate_sim::zoho::{Options, ZohoSim};
use leadgate_sim::{FieldDef, RateLimit, Record};
use serde_json::json;

crm_scenarios!(Zoho, an_expired_token_is_renewed_once);

fn connector(config: &Config) -> Connector {
    Connector::new(config).expect("valid configuration")
}

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

fn phone(raw: &str) -> PhoneE164 {
    PhoneE164::parse(raw, Some(Region::parse("DE").unwrap())).expect("valid phone")
}

fn jana() -> PersonFields {
    PersonFields {
        email: Some(email("jana.schmidt@beispiel.de")),
        phone: Some(phone("+49 30 1234567")),
        first_name: Some("Jana".into()),
        last_name: Some("Schmidt".into()),
        company: Some("Beispiel GmbH".into()),
        job_title: None,
        owner: None,
        custom: BTreeMap::new(),
    }
}

fn input(person: PersonFields, qualified: bool) -> SyncInput {
    SyncInput {
        deal: qualified.then(|| DealFields {
            title: "Chat lead – Jana Schmidt".into(),
            amount: Some(12_000),
            currency: Some("EUR".into()),
            owner: None,
            custom: BTreeMap::new(),
        }),
        note: NoteFields {
            body: "Wants 25 seats from March.\nBudget: 12,000 EUR.".into(),
        },
        task: Some(TaskFields {
            subject: "Call Jana Schmidt".into(),
            body: "Qualified in chat.".into(),
            due_ms: 1_893_456_000_000,
        }),
        person,
        policy: OverwritePolicy::default(),
    }
}

fn text<'a>(record: &'a Record, name: &str) -> Option<&'a str> {
    record.str_field(name)
}

fn lookup<'a>(record: &'a Record, name: &str) -> Option<&'a str> {
    record.field(name)?.get("id")?.as_str()
}

fn api_calls(sim: &ZohoSim) -> u64 {
    let stats = sim.stats();
    stats.total_requests - stats.route_count(TOKEN_ROUTE)
}

#[tokio::test]
async fn a_qualified_lead_becomes_one_lead_with_deal_note_and_task() {
    let sim = sim(Options {
        custom_fields: vec![
            FieldDef::new("Leads", "Chat_Score"),
            FieldDef::new("Leads", "Chat_Channel"),
        ],
        ..Options::default()
    })
    .await;
    let config = Config {
        fields: CustomFields {
            score: Some("Chat_Score".into()),
            channel: Some("Chat_Channel".into()),
            ..CustomFields::default()
        },
        lead_source: Some("Chat".into()),
        ..config(&sim)
    };
    let api = connector(&config);
    let mut person = jana();
    person.custom = config.fields.values(Some(75), None, Some("whatsapp"), None);
    let outcome = execute(&api, &input(person, true), CrmLinks::default()).await;
    ok(&outcome);
    assert!(outcome.created_person);

    let leads = sim.records("Leads");
    assert_eq!(leads.len(), 1);
    let lead = &leads[0];
    assert_eq!(outcome.links.person.as_ref(), Some(&lead.id));
    assert_eq!(text(lead, "Email"), Some("jana.schmidt@beispiel.de"));
    assert_eq!(text(lead, "Phone"), Some("+49301234567"));
    assert_eq!(text(lead, "Company"), Some("Beispiel GmbH"));
    assert_eq!(text(lead, "Lead_Source"), Some("Chat"));
    assert_eq!(lead.field("Chat_Score"), Some(&json!(75)));
    assert_eq!(text(lead, "Chat_Channel"), Some("whatsapp"));

    let deals = sim.records("Deals");
    assert_eq!(deals.len(), 1);
    assert_eq!(outcome.links.deal.as_ref(), Some(&deals[0].id));
    assert_eq!(text(&deals[0], "Stage"), Some("Qualification"));
    assert_eq!(deals[0].field("Amount"), Some(&json!(12_000)));
    assert_eq!(
        text(&deals[0], "Description"),
        Some(format!("Chat lead: https://crm.zoho.eu/crm/tab/Leads/{}", lead.id).as_str())
    );

    let notes = sim.records("Notes");
    assert_eq!(notes.len(), 1);
    assert_eq!(outcome.links.note.as_ref(), Some(&notes[0].id));
    assert_eq!(lookup(&notes[0], "Parent_Id"), Some(lead.id.as_str()));
    assert!(
        lead.associations
            .contains(&("Notes".to_owned(), notes[0].id.clone()))
    );

    let tasks = sim.records("Tasks");
    assert_eq!(tasks.len(), 1);
    assert_eq!(lookup(&tasks[0], "What_Id"), Some(lead.id.as_str()));
    assert_eq!(text(&tasks[0], "$se_module"), Some("Leads"));
    assert_eq!(text(&tasks[0], "Due_Date"), Some("2030-01-01"));
    assert_eq!(
        api.record_url(&lead.id),
        Some(format!("https://crm.zoho.eu/crm/tab/Leads/{}", lead.id))
    );

    // search by email, phone (E.164, then national), name; upsert; deal; note; task.
    assert_eq!(api_calls(&sim), 8, "{:?}", sim.stats().per_route);
    assert_eq!(sim.stats().route_count(TOKEN_ROUTE), 1);
}

#[tokio::test]
async fn a_contact_comes_with_its_account_and_linked_deal_and_task() {
    let sim = sim(Options::default()).await;
    let api = connector(&Config {
        module: Module::Contacts,
        ..config(&sim)
    });
    let outcome = execute(&api, &input(jana(), true), CrmLinks::default()).await;
    ok(&outcome);
    let accounts = sim.records("Accounts");
    assert_eq!(accounts.len(), 1);
    assert_eq!(text(&accounts[0], "Account_Name"), Some("Beispiel GmbH"));
    let contact = &sim.records("Contacts")[0];
    assert_eq!(
        lookup(contact, "Account_Name"),
        Some(accounts[0].id.as_str())
    );
    assert!(sim.records("Leads").is_empty());
    let deal = &sim.records("Deals")[0];
    assert_eq!(lookup(deal, "Contact_Name"), Some(contact.id.as_str()));
    assert_eq!(lookup(deal, "Account_Name"), Some(accounts[0].id.as_str()));
    let task = &sim.records("Tasks")[0];
    assert_eq!(lookup(task, "Who_Id"), Some(contact.id.as_str()));
    assert_eq!(lookup(task, "What_Id"), Some(deal.id.as_str()));

    let mut colleague = jana();
    colleague.email = Some(email("tom@beispiel.de"));
    colleague.phone = None;
    colleague.first_name = Some("Tom".into());
    ok(&execute(&api, &input(colleague, false), CrmLinks::default()).await);
    assert_eq!(sim.records("Accounts").len(), 1, "the account is reused");
    assert_eq!(sim.records("Contacts").len(), 2);
}

#[tokio::test]
async fn a_number_a_rep_typed_formatted_is_found_by_it() {
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    ok(&execute(&api, &input(jana(), false), CrmLinks::default()).await);
    let seeded = sim
        .insert_record(
            "Leads",
            fields(&[
                ("Last_Name", json!("Weber")),
                ("Phone", json!("+49 (40) 555-0100")),
            ]),
        )
        .unwrap();
    let caller = PersonFields {
        phone: Some(phone("040 5550100")),
        last_name: Some("Weber".into()),
        ..PersonFields::default()
    };
    let found = execute(&api, &input(caller, false), CrmLinks::default()).await;
    ok(&found);
    assert_eq!(found.links.person.as_deref(), Some(seeded.as_str()));
    assert_eq!(sim.records("Leads").len(), 2);
}

#[tokio::test]
async fn refusals_are_permanent_with_zohos_reason() {
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    sim.faults().reject_field_value("Company", "Beispiel GmbH");
    let outcome = execute(&api, &input(jana(), true), CrmLinks::default()).await;
    assert_eq!(
        outcome.error,
        Some(CallError::permanent(
            "Zoho: INVALID_DATA: invalid data (Company)"
        ))
    );

    let misconfigured = connector(&Config {
        fields: CustomFields {
            score: Some("Missing_Score".into()),
            ..CustomFields::default()
        },
        ..config(&sim)
    });
    let mut person = jana();
    person.email = Some(email("other@beispiel.de"));
    person.company = None;
    person.custom = [("Missing_Score".to_owned(), json!(5))].into();
    let error = misconfigured.create_person(&person).await.unwrap_err();
    assert_eq!(
        error,
        CallError::permanent("Zoho: INVALID_DATA: invalid data (Missing_Score)")
    );
}

#[tokio::test]
async fn exhausted_credits_are_a_rate_limit() {
    let sim = sim(Options {
        api_credits: RateLimit::per_day(2),
        ..Options::default()
    })
    .await;
    let api = connector(&config(&sim));
    let outcome = execute(&api, &input(jana(), false), CrmLinks::default()).await;
    assert!(
        matches!(&outcome.error, Some(CallError::Retryable { retry_after: Some(_), message }) if message.contains("credit")),
        "{:?}",
        outcome.error
    );
    assert_eq!(sim.stats().rate_limited, 1);
}

#[tokio::test]
async fn leadgates_own_credit_budget_is_kept() {
    let sim = sim(Options::default()).await;
    let api = connector(&Config {
        daily_credit_budget: 2,
        ..config(&sim)
    });
    let outcome = execute(&api, &input(jana(), false), CrmLinks::default()).await;
    assert!(
        matches!(&outcome.error, Some(CallError::Retryable { retry_after: Some(_), message }) if message.contains("budget")),
        "{:?}",
        outcome.error
    );
    assert_eq!(api_calls(&sim), 2, "the third call never left");
}

#[tokio::test]
async fn duplicate_data_names_the_existing_record() {
    let sim = sim(Options {
        custom_fields: vec![FieldDef::new("Leads", "Visitor_Id").unique()],
        ..Options::default()
    })
    .await;
    let api = connector(&config(&sim));
    let existing = sim
        .insert_record(
            "Leads",
            fields(&[
                ("First_Name", json!("J.")),
                ("Last_Name", json!("S.")),
                ("Email", json!("js@old.example")),
                ("Visitor_Id", json!("v-42")),
            ]),
        )
        .unwrap();
    let mut person = jana();
    person.phone = None;
    person.custom = [("Visitor_Id".to_owned(), json!("v-42"))].into();

    let error = api.create_person(&person).await.unwrap_err();
    assert!(
        matches!(&error, CallError::Conflict { existing_id, message } if *existing_id == existing && message.contains("DUPLICATE_DATA")),
        "{error:?}"
    );

    let outcome = execute(&api, &input(person, false), CrmLinks::default()).await;
    ok(&outcome);
    assert_eq!(
        outcome.links.person.as_deref(),
        Some(existing.as_str()),
        "the sync adopts the existing record"
    );
    assert!(!outcome.created_person);
    let leads = sim.records("Leads");
    assert_eq!(leads.len(), 1);
    assert_eq!(
        text(&leads[0], "Email"),
        Some("js@old.example"),
        "the rep's email is kept"
    );
    assert_eq!(
        text(&leads[0], "Company"),
        Some("Beispiel GmbH"),
        "empty fields are filled"
    );
}

/// A backlog lead number `n`.
fn backlog_lead(n: usize) -> BatchItem {
    let person = PersonFields {
        email: Some(email(&format!("lead{n}@firma{n}.de"))),
        phone: Some(phone(&format!("+49 30 5550{n:03}"))),
        first_name: Some(format!("Vorname{n}")),
        last_name: Some(format!("Nachname{n}")),
        company: Some(format!("Firma {n} GmbH")),
        ..PersonFields::default()
    };
    let mut input = input(person, true);
    input.deal.as_mut().unwrap().title = format!("Chat lead {n}");
    BatchItem {
        input,
        links: CrmLinks::default(),
    }
}

#[tokio::test]
async fn a_backlog_syncs_in_a_few_calls_with_a_partial_failure() {
    const N: usize = 40;
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    // Two leads the CRM already has: one by email (with a rep's edit), one by a phone a rep
    // typed in national format.
    let by_email = sim
        .insert_record(
            "Leads",
            fields(&[
                ("First_Name", json!("Rep-Edited")),
                ("Last_Name", json!("Nachname3")),
                ("Email", json!("LEAD3@firma3.de")),
            ]),
        )
        .unwrap();
    let by_phone = sim
        .insert_record(
            "Leads",
            fields(&[
                ("Last_Name", json!("Nachname5")),
                ("Phone", json!("030 5550005")),
            ]),
        )
        .unwrap();
    let mut batch: Vec<BatchItem> = (0..N).map(backlog_lead).collect();
    batch[5].input.person.email = None;
    batch[7].input.person.company = Some("Broken Corp".into());
    sim.faults().reject_field_value("Company", "Broken Corp");

    let outcomes = api.sync_batch(&batch).expect("Zoho has a batch path").await;
    assert_eq!(outcomes.len(), N);
    for (n, outcome) in outcomes.iter().enumerate() {
        if n == 7 {
            assert_eq!(
                outcome.error,
                Some(CallError::permanent(
                    "Zoho: INVALID_DATA: invalid data (Company)"
                ))
            );
            assert_eq!(outcome.links, CrmLinks::default());
            continue;
        }
        ok(outcome);
        let links = &outcome.links;
        assert!(
            links.person.is_some()
                && links.deal.is_some()
                && links.note.is_some()
                && links.task.is_some(),
            "lead {n}: {links:?}"
        );
    }
    assert_eq!(outcomes[3].links.person.as_deref(), Some(by_email.as_str()));
    assert!(!outcomes[3].created_person);
    assert_eq!(outcomes[5].links.person.as_deref(), Some(by_phone.as_str()));
    assert!(outcomes[0].created_person);

    let leads = sim.records("Leads");
    assert_eq!(
        leads.len(),
        N + 2 - 1 - 2,
        "N new, minus the refused one and the two found"
    );
    let edited = leads.iter().find(|l| l.id == by_email).unwrap();
    assert_eq!(
        text(edited, "First_Name"),
        Some("Rep-Edited"),
        "the policy holds in the batch"
    );
    assert_eq!(
        text(edited, "Company"),
        Some("Firma 3 GmbH"),
        "empty fields are filled"
    );
    assert_eq!(sim.records("Deals").len(), N - 1);
    assert_eq!(sim.records("Notes").len(), N - 1);
    assert_eq!(sim.records("Tasks").len(), N - 1);
    for outcome in outcomes.iter().filter(|o| o.error.is_none()) {
        let note = sim
            .records("Notes")
            .into_iter()
            .find(|r| Some(&r.id) == outcome.links.note.as_ref())
            .unwrap();
        assert_eq!(lookup(&note, "Parent_Id"), outcome.links.person.as_deref());
    }

    let calls = api_calls(&sim);
    // email, phone and name lookups, one bulk update, one upsert, deals, notes, tasks; and a
    // national-number search for each of the 39 leads no list found (`in` lists compare text,
    // so a number typed without its country code is only found by `phone=`).
    assert_eq!(calls, 8 + 39, "{:?}", sim.stats().per_route);
    println!("zoho batch: {calls} API calls for {N} leads");

    // The same backlog again, with the links it got: updates only, still in bulk.
    sim.faults().clear();
    let before = api_calls(&sim);
    let again: Vec<BatchItem> = batch
        .iter()
        .zip(&outcomes)
        .map(|(item, outcome)| BatchItem {
            input: item.input.clone(),
            links: outcome.links.clone(),
        })
        .collect();
    let second = api.sync_batch(&again).unwrap().await;
    assert!(
        second.iter().all(|o| o.error.is_none()),
        "{:?}",
        second.iter().find_map(|o| o.error.clone())
    );
    assert_eq!(
        sim.records("Leads").len(),
        N,
        "the refused lead is created now, nothing else"
    );
    assert_eq!(sim.records("Deals").len(), N);
    assert_eq!(sim.records("Tasks").len(), N);
    let again_calls = api_calls(&sim) - before;
    println!("zoho batch again: {again_calls} API calls for {N} leads");
    // read stored ids; email, phone, national phone and name lookups for the refused lead;
    // upsert; deal update + create; note update + create; task.
    assert_eq!(again_calls, 11, "{:?}", sim.stats().per_route);
}

#[tokio::test]
async fn a_batch_with_the_same_person_twice_and_a_stale_id_makes_no_duplicates() {
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    let first = execute(&api, &input(jana(), true), CrmLinks::default()).await;
    ok(&first);
    delete(&sim, "Leads", first.links.person.as_deref().unwrap()).await;

    let stale = BatchItem {
        input: input(jana(), true),
        links: CrmLinks {
            person: first.links.person.clone(),
            ..CrmLinks::default()
        },
    };
    let new = backlog_lead(1);
    let mut twice = backlog_lead(1);
    twice.input.person.job_title = Some("Geschäftsführer".into());
    let outcomes = api.sync_batch(&[stale, new, twice]).unwrap().await;
    for outcome in &outcomes {
        ok(outcome);
    }
    assert!(
        outcomes[0].created_person,
        "the deleted lead is created again: nobody else has the email"
    );
    assert_eq!(
        outcomes[1].links.person, outcomes[2].links.person,
        "one person for both conversations"
    );
    let leads = sim.records("Leads");
    assert_eq!(leads.len(), 2);
    let lead1 = leads
        .iter()
        .find(|l| Some(&l.id) == outcomes[1].links.person.as_ref())
        .unwrap();
    assert_eq!(
        text(lead1, "Designation"),
        Some("Geschäftsführer"),
        "the second conversation's detail lands"
    );
}

#[tokio::test]
async fn a_refused_list_search_falls_back_to_one_search_per_lead() {
    let sim = sim(Options::default()).await;
    let api = connector(&config(&sim));
    let known = sim
        .insert_record(
            "Leads",
            fields(&[
                ("Last_Name", json!("Nachname2")),
                ("Email", json!("lead2@firma2.de")),
            ]),
        )
        .unwrap();
    let nobody = email("nobody@firma.de");
    let found = api
        .find_person(leadgate::crm::FindKey::Email(&nobody))
        .await;
    assert_eq!(found, Ok(None), "a token is minted first");
    sim.faults().fail_next(1, 400);
    let outcomes = api
        .sync_batch(&[backlog_lead(1), backlog_lead(2), backlog_lead(3)])
        .unwrap()
        .await;
    for outcome in &outcomes {
        ok(outcome);
    }
    assert_eq!(outcomes[1].links.person.as_deref(), Some(known.as_str()));
    assert_eq!(sim.records("Leads").len(), 3);
    let by_email = sim
        .stats()
        .requests
        .iter()
        .filter(|r| r.query.as_deref().is_some_and(|q| q.starts_with("email=")))
        .count();
    assert_eq!(
        by_email,
        1 + 3,
        "one email search per lead after the refused list search"
    );
}

#[tokio::test]
async fn the_batch_path_can_be_switched_off() {
    let sim = sim(Options::default()).await;
    let api = connector(&Config {
        batch: false,
        ..config(&sim)
    });
    assert!(api.sync_batch(&[backlog_lead(1)]).is_none());
}

#[tokio::test]
async fn a_missing_search_scope_is_an_auth_error_naming_it() {
    let sim = sim(Options {
        scopes: vec!["ZohoCRM.modules.ALL".into(), "ZohoCRM.settings.ALL".into()],
        ..Options::default()
    })
    .await;
    let out = execute(
        &connector(&config(&sim)),
        &input(jana(), true),
        CrmLinks::default(),
    )
    .await;
    match out.error {
        Some(CallError::Auth { message }) => {
            assert!(
                message.contains("lacks ZohoSearch.securesearch.READ;"),
                "{message}"
            );
            assert!(
                message.contains("ZohoCRM.modules.ALL,ZohoSearch.securesearch.READ"),
                "says what to grant: {message}"
            );
        }
        other => panic!("expected an auth error (the target pauses), got {other:?}"),
    }
    assert!(sim.records("Leads").is_empty());
}

#[tokio::test]
async fn an_org_listing_tasks_as_activities_finds_a_lost_task() {
    let sim = sim(Options {
        tasks_related_list: "Activities".into(),
        ..Options::default()
    })
    .await;
    let crm = connector(&config(&sim));
    let out = execute(&crm, &input(jana(), true), CrmLinks::default()).await;
    ok(&out);
    let person = out.links.person.clone().unwrap();
    let task = out.links.task.clone().unwrap();
    let listed = crm
        .attached(
            &person,
            leadgate::crm::Attach::Task,
            &["Call Jana Schmidt".into()],
        )
        .await
        .expect("the Activities related list is read")
        .expect("Zoho lists a person's tasks");
    assert_eq!(
        listed.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [task.as_str()]
    );
    assert_eq!(listed[0].text, "Call Jana Schmidt");
}
