//! A B2B lead's company in HubSpot: found by the domain of a business email, then by name, or
//! created; associated with the contact and the deal; never made twice, on the single path and
//! the batch path, and not when a create's answer is lost.

use leadgate::crm::progressive::{BatchItem, execute};
use leadgate::crm::{CrmApi, CrmLinks};
use leadgate_sim::Record;
use leadgate_sim::hubspot::HubSpotSim;

use super::common::crm::hubspot::{linked, sim};
use super::{connector, lead, props};

/// Associates a contact with a company as a rep would (HubSpot's v4 default association).
async fn rep_links(sim: &HubSpotSim, contact: &str, company: &str) {
    let status = reqwest::Client::new()
        .put(format!(
            "{}/crm/v4/objects/contacts/{contact}/associations/default/companies/{company}",
            sim.base_url()
        ))
        .bearer_auth(sim.private_app_token())
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
}

fn record(sim: &HubSpotSim, object: &str, id: Option<&String>) -> Record {
    sim.records(object)
        .into_iter()
        .find(|r| Some(&r.id) == id)
        .unwrap_or_else(|| panic!("no {object} {id:?}"))
}

#[tokio::test]
async fn a_b2b_lead_gets_its_company_found_by_domain_then_name_or_created() {
    let sim = sim().await;
    let crm = connector(&sim);
    let anna = lead(
        Some("anna.nowak@firma.pl"),
        None,
        Some(("Anna", "Nowak")),
        Some("Firma Sp. z o.o."),
    );
    let first = execute(&crm, &anna, CrmLinks::default()).await;
    assert!(first.error.is_none(), "{:?}", first.error);
    let companies = sim.records("companies");
    assert_eq!(companies.len(), 1, "the company is created");
    let firma = &companies[0];
    assert_eq!(firma.str_field("name"), Some("Firma Sp. z o.o."));
    assert_eq!(firma.str_field("domain"), Some("firma.pl"));
    let contact = record(&sim, "contacts", first.links.person.as_ref());
    let deal = record(&sim, "deals", first.links.deal.as_ref());
    assert!(linked(&contact, "companies", &firma.id));
    assert!(linked(&deal, "companies", &firma.id));

    // A colleague writing the company's name differently: found by the email's domain.
    let ewa = lead(
        Some("ewa@firma.pl"),
        None,
        Some(("Ewa", "Lis")),
        Some("FIRMA"),
    );
    let second = execute(&crm, &ewa, CrmLinks::default()).await;
    assert!(second.error.is_none(), "{:?}", second.error);
    assert_eq!(sim.records("companies").len(), 1, "found by domain");
    let contact = record(&sim, "contacts", second.links.person.as_ref());
    let deal = record(&sim, "deals", second.links.deal.as_ref());
    assert!(linked(&contact, "companies", &firma.id));
    assert!(linked(&deal, "companies", &firma.id));

    // A mailbox address says nothing of the company: found by name, as a rep typed it.
    let huta = sim
        .insert_record("companies", props(&[("name", "HUTA")]))
        .unwrap();
    let marek = lead(
        Some("marek.wolny@gmail.com"),
        None,
        Some(("Marek", "Wolny")),
        Some("Huta"),
    );
    let third = execute(&crm, &marek, CrmLinks::default()).await;
    assert!(third.error.is_none(), "{:?}", third.error);
    assert_eq!(sim.records("companies").len(), 2, "found by name");
    let contact = record(&sim, "contacts", third.links.person.as_ref());
    assert!(linked(&contact, "companies", &huta));
    assert!(linked(
        &record(&sim, "deals", third.links.deal.as_ref()),
        "companies",
        &huta
    ));

    // A lead without a company gets none.
    let plain = lead(Some("jan@sklep.pl"), None, Some(("Jan", "Nowy")), None);
    let fourth = execute(&crm, &plain, CrmLinks::default()).await;
    assert!(fourth.error.is_none(), "{:?}", fourth.error);
    assert_eq!(sim.records("companies").len(), 2);
}

#[tokio::test]
async fn a_lost_company_create_is_adopted_not_made_twice() {
    let sim = sim().await;
    let crm = connector(&sim);
    let anna = lead(
        Some("anna.nowak@firma.pl"),
        None,
        Some(("Anna", "Nowak")),
        Some("Firma Sp. z o.o."),
    );
    sim.faults().lose_answer_next(1, "/objects/companies");
    let lost = execute(&crm, &anna, CrmLinks::default()).await;
    assert!(lost.error.is_some(), "the lost answer fails the sync");
    assert_eq!(sim.records("companies").len(), 1, "HubSpot made it");
    // A fresh process: nothing remembered but what HubSpot holds.
    let crm = connector(&sim);
    let retried = execute(&crm, &anna, lost.links).await;
    assert!(retried.error.is_none(), "{:?}", retried.error);
    let companies = sim.records("companies");
    assert_eq!(
        companies.len(),
        1,
        "adopted from the contact, not made again"
    );
    let deal = record(&sim, "deals", retried.links.deal.as_ref());
    assert!(linked(&deal, "companies", &companies[0].id));
}

#[tokio::test]
async fn a_backlog_of_b2b_leads_gets_its_companies_in_a_few_batch_requests() {
    let sim = sim().await;
    let crm = connector(&sim);
    // A contact a rep already put in a company (under an older name, same domain).
    let rep_company = sim
        .insert_record(
            "companies",
            props(&[("name", "Sklep (old)"), ("domain", "www.sklep.pl")]),
        )
        .unwrap();
    let rep_contact = sim
        .insert_record("contacts", props(&[("email", "ewa@sklep.pl")]))
        .unwrap();
    rep_links(&sim, &rep_contact, &rep_company).await;
    let named = sim
        .insert_record("companies", props(&[("name", "Huta")]))
        .unwrap();
    let before = sim.stats().total_requests;

    let item = |email: &str, first: &str, company: &str| BatchItem {
        input: lead(Some(email), None, Some((first, "Kowalski")), Some(company)),
        links: CrmLinks::default(),
    };
    let items = vec![
        item("jan@firma.pl", "Jan", "Firma"),
        item("ola@firma.pl", "Ola", "Firma SA"),
        item("ewa@sklep.pl", "Ewa", "Sklep"),
        item("piotr@gmail.com", "Piotr", "huta"),
        item("adam@biuro.pl", "Adam", "Biuro"),
    ];
    let outcomes = crm.sync_batch(&items).expect("a batch path").await;
    for out in &outcomes {
        assert!(out.error.is_none(), "{:?}", out.error);
    }
    let company_of = |i: usize| {
        let contact = record(&sim, "contacts", outcomes[i].links.person.as_ref());
        let deal = record(&sim, "deals", outcomes[i].links.deal.as_ref());
        let mine: Vec<String> = contact
            .associations
            .iter()
            .filter(|(o, _)| o == "companies")
            .map(|(_, id)| id.clone())
            .collect();
        assert_eq!(mine.len(), 1, "lead {i}: one company, {mine:?}");
        assert!(linked(&deal, "companies", &mine[0]), "lead {i}: deal");
        mine[0].clone()
    };
    assert_eq!(company_of(0), company_of(1), "one company per domain");
    assert_eq!(company_of(2), rep_company, "the contact's own company");
    assert_eq!(company_of(3), named, "found by name");
    let companies = sim.records("companies");
    assert_eq!(companies.len(), 4, "firma.pl and biuro.pl made, once each");
    let made = record(&sim, "companies", Some(&company_of(0)));
    assert_eq!(made.str_field("domain"), Some("firma.pl"));

    let stats = sim.stats();
    let calls = stats.total_requests - before;
    println!("{calls} requests for 5 B2B leads: {:?}", stats.per_route);
    assert_eq!(
        stats.route_count("POST /crm/v3/objects/companies"),
        0,
        "no single company creates"
    );
    assert!(calls <= 14, "{calls} requests");
}
