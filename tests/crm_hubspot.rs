//! The HubSpot connector against the HubSpot simulator: the shared scenarios every CRM passes
//! (`common::crm`), then what is HubSpot's own: its properties and associations, a refused
//! configuration, the `Existing ID` conflict, and the batch path (`sync_batch`).

mod common;
#[path = "crm_hubspot/companies.rs"]
mod companies;

use std::collections::HashSet;

use common::crm::hubspot::{HubSpot, config, linked, sim};
use leadgate::crm::hubspot::{Config, Connector};
use leadgate::crm::progressive::{BatchItem, OverwritePolicy, SyncInput, execute};
use leadgate::crm::{CrmApi, CrmLinks, DealFields, NoteFields, PersonFields, TaskFields};
use leadgate::lead::{Email, PhoneE164, Region};
use leadgate::outbound::CallError;
use leadgate_sim::hubspot::HubSpotSim;
use serde_json::{Map, Value, json};

crm_scenarios!(HubSpot);

const DUE_MS: i64 = 1_800_000_000_000;

fn connector(sim: &HubSpotSim) -> Connector {
    Connector::new(&config(sim)).expect("valid config")
}

fn pl(raw: &str) -> PhoneE164 {
    PhoneE164::parse(raw, Some(Region::parse("PL").unwrap())).expect("valid phone")
}

/// A qualified lead as the planner builds it: parsed fields, score, deal, note and task.
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
            job_title: None,
            owner: None,
            custom: [("leadgate_score".to_owned(), json!(60))].into(),
        },
        deal: Some(DealFields {
            title: format!("{display} – chat lead"),
            amount: Some(30000),
            currency: Some("PLN".into()),
            owner: None,
            custom: [("leadgate_deal_score".to_owned(), json!(60))].into(),
        }),
        note: NoteFields {
            body: format!("Visitor: {display}\nBudget: 20000–30000 PLN <asap>"),
        },
        task: Some(TaskFields {
            subject: format!("Follow up with {display} (chat lead, score 60)"),
            body: "Call back within a day".into(),
            due_ms: DUE_MS,
        }),
        policy: OverwritePolicy::default(),
    }
}

fn anna() -> SyncInput {
    lead(
        Some("anna.nowak@firma.pl"),
        Some("+48 601 234 567"),
        Some(("Anna", "Nowak")),
        Some("Firma Sp. z o.o."),
    )
}

fn props(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect()
}

#[tokio::test]
async fn a_new_qualified_lead_becomes_one_contact_deal_note_and_task_associated() {
    let sim = sim().await;
    let crm = connector(&sim);
    let out = execute(&crm, &anna(), CrmLinks::default()).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert!(out.created_person);

    let (contacts, deals, notes, tasks) = (
        sim.records("contacts"),
        sim.records("deals"),
        sim.records("notes"),
        sim.records("tasks"),
    );
    assert_eq!(
        (contacts.len(), deals.len(), notes.len(), tasks.len()),
        (1, 1, 1, 1)
    );
    let (contact, deal, note, task) = (&contacts[0], &deals[0], &notes[0], &tasks[0]);
    assert_eq!(out.links.person.as_deref(), Some(contact.id.as_str()));
    assert_eq!(out.links.deal.as_deref(), Some(deal.id.as_str()));
    assert_eq!(out.links.note.as_deref(), Some(note.id.as_str()));
    assert_eq!(out.links.task.as_deref(), Some(task.id.as_str()));

    assert_eq!(contact.str_field("email"), Some("anna.nowak@firma.pl"));
    assert_eq!(
        contact.str_field("phone"),
        Some("+48601234567"),
        "phones are written in E.164"
    );
    assert_eq!(contact.str_field("leadgate_score"), Some("60"));
    assert_eq!(deal.str_field("dealstage"), Some("appointmentscheduled"));
    assert_eq!(deal.str_field("amount"), Some("30000"));
    assert_eq!(deal.str_field("leadgate_deal_score"), Some("60"));
    assert!(
        note.str_field("hs_note_body")
            .unwrap()
            .contains("Visitor: Anna Nowak<br>Budget: 20000–30000 PLN &lt;asap&gt;")
    );
    assert!(note.str_field("hs_timestamp").is_some());
    assert_eq!(task.str_field("hs_task_type"), Some("CALL"));
    assert_eq!(task.str_field("hs_task_status"), Some("NOT_STARTED"));
    assert_eq!(
        task.str_field("hs_timestamp"),
        Some("2027-01-15T08:00:00.000Z")
    );

    for (object, id) in [
        ("deals", &deal.id),
        ("notes", &note.id),
        ("tasks", &task.id),
    ] {
        assert!(
            linked(contact, object, id),
            "contact is associated with its {object}"
        );
    }
    assert!(linked(note, "deals", &deal.id) && linked(task, "deals", &deal.id));
    assert_eq!(
        crm.record_url(&contact.id),
        Some(format!(
            "https://app.hubspot.com/contacts/4242/record/0-1/{}",
            contact.id
        ))
    );
}

#[tokio::test]
async fn a_refused_value_is_permanent_with_hubspots_reason() {
    let sim = sim().await;
    let crm = Connector::new(&Config {
        deal_stage: "negotiation".into(),
        ..config(&sim)
    })
    .unwrap();
    let out = execute(&crm, &anna(), CrmLinks::default()).await;
    match out.error {
        Some(CallError::Permanent { message }) => assert!(
            message.contains("negotiation was not one of the allowed options"),
            "{message}"
        ),
        other => panic!("expected a permanent error, got {other:?}"),
    }
    assert!(
        out.links.person.is_some(),
        "the contact made before the refusal is kept for the retry"
    );
    assert!(out.links.deal.is_none());
}

#[tokio::test]
async fn a_conflict_on_create_reuses_the_existing_contact() {
    let sim = sim().await;
    let crm = connector(&sim);
    let existing = sim
        .insert_record("contacts", props(&[("email", "anna.nowak@firma.pl")]))
        .unwrap();
    let conflict = crm.create_person(&anna().person).await;
    assert!(
        matches!(&conflict, Err(CallError::Conflict { existing_id, .. }) if *existing_id == existing),
        "{conflict:?}"
    );

    // The lookup misses (as while HubSpot's index catches up): the create's 409 names it.
    let no_phone = lead(Some("anna.nowak@firma.pl"), None, None, None);
    sim.faults().fail_next(1, 404);
    let out = execute(&crm, &no_phone, CrmLinks::default()).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.links.person.as_deref(), Some(existing.as_str()));
    assert!(!out.created_person);
    assert_eq!(sim.records("contacts").len(), 1);
}

fn batch(n: usize) -> Vec<BatchItem> {
    (0..n)
        .map(|i| {
            let email = format!("lead{i}@firma{i}.pl");
            let phone = format!("601 234 {:03}", 100 + i);
            let first = format!("Jan{i}");
            let input = lead(
                Some(&email),
                Some(&phone),
                Some((&first, "Kowalski")),
                Some(&format!("Firma {i}")),
            );
            BatchItem {
                input,
                links: CrmLinks::default(),
            }
        })
        .collect()
}

#[tokio::test]
async fn a_backlog_of_new_leads_syncs_in_a_few_batch_requests() {
    let sim = sim().await;
    let crm = connector(&sim);
    let n = 12;
    let items = batch(n);
    let outcomes = crm
        .sync_batch(&items)
        .expect("HubSpot has a batch path")
        .await;
    assert_eq!(outcomes.len(), n);
    for out in &outcomes {
        assert!(out.error.is_none(), "{:?}", out.error);
        assert!(out.created_person);
    }
    let (contacts, deals, notes, tasks) = (
        sim.records("contacts"),
        sim.records("deals"),
        sim.records("notes"),
        sim.records("tasks"),
    );
    assert_eq!(
        (contacts.len(), deals.len(), notes.len(), tasks.len()),
        (n, n, n, n)
    );
    for (item, out) in items.iter().zip(&outcomes) {
        let contact = contacts
            .iter()
            .find(|c| Some(&c.id) == out.links.person.as_ref())
            .unwrap();
        assert_eq!(
            contact.str_field("email"),
            item.input.person.email.as_ref().map(|e| e.as_str())
        );
        assert_eq!(
            contact.str_field("phone"),
            item.input.person.phone.as_ref().map(|p| p.as_str())
        );
        let deal = deals
            .iter()
            .find(|d| Some(&d.id) == out.links.deal.as_ref())
            .unwrap();
        assert_eq!(
            deal.str_field("dealname"),
            Some(item.input.deal.as_ref().unwrap().title.as_str())
        );
        assert!(linked(deal, "contacts", &contact.id));
        let note = notes
            .iter()
            .find(|x| Some(&x.id) == out.links.note.as_ref())
            .unwrap();
        let task = tasks
            .iter()
            .find(|x| Some(&x.id) == out.links.task.as_ref())
            .unwrap();
        assert!(linked(note, "contacts", &contact.id) && linked(note, "deals", &deal.id));
        assert!(linked(task, "contacts", &contact.id) && linked(task, "deals", &deal.id));
    }
    let distinct: HashSet<_> = outcomes.iter().map(|o| o.links.note.clone()).collect();
    assert_eq!(distinct.len(), n);

    let stats = sim.stats();
    let per_lead = stats.total_requests as f64 / n as f64;
    println!(
        "{} HubSpot requests for {n} new leads: {per_lead:.2} per lead; {:?}",
        stats.total_requests, stats.per_route
    );
    assert!(per_lead <= 3.0, "{per_lead} requests per lead");
    assert_eq!(
        stats.route_count("POST /crm/v3/objects/contacts"),
        0,
        "no single creates"
    );
}

#[tokio::test]
async fn notes_written_before_the_deal_are_linked_to_it() {
    let sim = sim().await;
    let crm = connector(&sim);
    let n = 4;
    // First the leads arrive unqualified: contact, note and task, no deal.
    let mut items = batch(n);
    for item in &mut items {
        item.input.deal = None;
    }
    let first = crm.sync_batch(&items).unwrap().await;
    assert!(sim.records("deals").is_empty());
    // Then they qualify: the deals are created and the existing notes linked to them.
    let items: Vec<BatchItem> = batch(n)
        .into_iter()
        .zip(&first)
        .map(|(item, out)| BatchItem {
            links: out.links.clone(),
            ..item
        })
        .collect();
    let second = crm.sync_batch(&items).unwrap().await;
    let notes = sim.records("notes");
    assert_eq!(notes.len(), n, "no second note");
    for out in &second {
        assert!(out.error.is_none(), "{:?}", out.error);
        let note = notes
            .iter()
            .find(|x| Some(&x.id) == out.links.note.as_ref())
            .unwrap();
        assert!(
            linked(note, "deals", out.links.deal.as_ref().unwrap()),
            "{note:?}"
        );
    }
    // One lead alone takes the single path: the same.
    let mut single = batch(1);
    single[0].input.deal = None;
    let mut one = execute(&crm, &single[0].input, CrmLinks::default()).await;
    one = execute(&crm, &batch(1)[0].input, one.links).await;
    let note = sim
        .records("notes")
        .into_iter()
        .find(|x| Some(&x.id) == one.links.note.as_ref())
        .unwrap();
    assert!(linked(&note, "deals", one.links.deal.as_ref().unwrap()));
}

#[tokio::test]
async fn a_batch_item_hubspot_refuses_fails_alone() {
    let sim = sim().await;
    let crm = connector(&sim);
    let items = batch(5);
    sim.faults().fail_batch_items(2);
    let outcomes = crm.sync_batch(&items).unwrap().await;
    for out in &outcomes[..2] {
        assert!(
            matches!(out.error, Some(CallError::Permanent { .. })),
            "{:?}",
            out.error
        );
        assert_eq!(out.links, CrmLinks::default());
    }
    for out in &outcomes[2..] {
        assert!(out.error.is_none(), "{:?}", out.error);
        assert!(out.links.task.is_some());
    }
    assert_eq!(
        (
            sim.records("contacts").len(),
            sim.records("deals").len(),
            sim.records("notes").len(),
            sim.records("tasks").len()
        ),
        (3, 3, 3, 3)
    );

    // The retry of the refused two creates them, nothing else.
    let retry: Vec<BatchItem> = items[..2]
        .iter()
        .zip(&outcomes)
        .map(|(item, out)| BatchItem {
            input: item.input.clone(),
            links: out.links.clone(),
        })
        .collect();
    let outcomes = crm.sync_batch(&retry).unwrap().await;
    assert!(outcomes.iter().all(|o| o.error.is_none()));
    assert_eq!(sim.records("contacts").len(), 5);
}

#[tokio::test]
async fn a_batch_keeps_executes_guarantees() {
    let sim = sim().await;
    let crm = connector(&sim);
    let rep_edited = sim
        .insert_record(
            "contacts",
            props(&[
                ("email", "ewa@sklep.pl"),
                ("firstname", "Ewelina"),
                ("jobtitle", "Owner"),
            ]),
        )
        .unwrap();
    let by_phone = sim
        .insert_record(
            "contacts",
            props(&[("firstname", "Piotr"), ("mobilephone", "+48502345678")]),
        )
        .unwrap();
    let synced = execute(
        &crm,
        &lead(Some("olga@biuro.pl"), None, Some(("Olga", "Lis")), None),
        CrmLinks::default(),
    )
    .await;
    let before = sim.stats().total_requests;

    let items = vec![
        // 0: new.
        BatchItem {
            input: lead(
                Some("marek@huta.pl"),
                Some("601 111 222"),
                Some(("Marek", "Wolny")),
                Some("Huta"),
            ),
            links: CrmLinks::default(),
        },
        // 1: the same visitor in another conversation: onto 0's contact.
        BatchItem {
            input: lead(Some("marek@huta.pl"), None, Some(("Marek", "Wolny")), None),
            links: CrmLinks::default(),
        },
        // 2: an existing contact a rep has edited.
        BatchItem {
            input: lead(
                Some("ewa@sklep.pl"),
                None,
                Some(("Ewa", "Zając")),
                Some("Sklep"),
            ),
            links: CrmLinks::default(),
        },
        // 3: no email; the number a rep typed as a mobile.
        BatchItem {
            input: lead(None, Some("502-345-678"), None, None),
            links: CrmLinks::default(),
        },
        // 4: synced before, its note and task already made.
        BatchItem {
            input: lead(Some("olga@biuro.pl"), None, Some(("Olga", "Lis")), None),
            links: synced.links.clone(),
        },
        // 5: a stored contact id that was merged away.
        BatchItem {
            input: lead(Some("ewa@sklep.pl"), None, None, None),
            links: CrmLinks {
                person: Some("424242".into()),
                ..CrmLinks::default()
            },
        },
    ];
    let outcomes = crm.sync_batch(&items).unwrap().await;
    for out in &outcomes {
        assert!(out.error.is_none(), "{:?}", out.error);
    }
    let person = |i: usize| outcomes[i].links.person.clone().unwrap();
    assert_eq!(person(1), person(0));
    assert_eq!(person(2), rep_edited);
    assert_eq!(person(3), by_phone);
    assert_eq!(person(4), synced.links.person.clone().unwrap());
    assert_eq!(person(5), rep_edited);
    assert_eq!(
        sim.records("contacts").len(),
        4,
        "one new contact, the rest found"
    );

    let ewa = sim
        .records("contacts")
        .into_iter()
        .find(|c| c.id == rep_edited)
        .unwrap();
    assert_eq!(ewa.str_field("firstname"), Some("Ewelina"));
    assert_eq!(ewa.str_field("jobtitle"), Some("Owner"));
    assert_eq!(ewa.str_field("company"), Some("Sklep"));
    assert_eq!(
        outcomes[4].links.note, synced.links.note,
        "the conversation's note is updated, not made again"
    );
    assert_eq!(outcomes[4].links.task, synced.links.task);
    assert_eq!(
        sim.records("tasks").len(),
        1 + 5,
        "one task per conversation, none again for olga's"
    );
    println!(
        "{} requests for the mixed batch",
        sim.stats().total_requests - before
    );
}
