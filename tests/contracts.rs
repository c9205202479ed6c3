//! Every request body the connectors send, held against the vendor's schema. The connector
//! scenarios run against the four simulators while the simulators record the JSON bodies they
//! receive; each body is then validated with the JSON Schema of its route, written under
//! `tests/contracts/` from the vendor's reference (the source is named in each schema's
//! `$comment`). A route without a schema fails, so a new kind of request needs its contract.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::crm::hubspot::HubSpot;
use common::crm::pipedrive::Pipedrive;
use common::crm::salesforce::Salesforce;
use common::crm::zoho::Zoho;
use common::crm::{self as scenarios, Row, lead};
use leadgate::crm::CrmLinks;
use leadgate::crm::progressive::BatchItem;
use serde_json::{Value, json};

fn contracts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contracts")
}

/// Route label → schema file, from `tests/contracts/routes.json`.
fn routes() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(contracts().join("routes.json")).expect("routes.json");
    serde_json::from_str(&text).expect("routes.json is a map of route to schema file")
}

/// The validator of `file#name`: the definition `name` of a vendor's schema file, with the
/// file's other definitions beside it for its references.
fn validator(target: &str) -> jsonschema::Validator {
    let (file, name) = target.split_once('#').expect("routes name file#definition");
    let text =
        std::fs::read_to_string(contracts().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let document: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(
        document["$defs"].get(name).is_some(),
        "{file} has no definition {name}"
    );
    let schema = json!({"$defs": document["$defs"], "$ref": format!("#/$defs/{name}")});
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{target}: {e}"))
}

/// What is wrong with `body` for `route`: nothing, or one line per problem.
fn check(
    routes: &BTreeMap<String, String>,
    cache: &mut BTreeMap<String, jsonschema::Validator>,
    route: &str,
    body: &Value,
) -> Vec<String> {
    let Some(file) = routes.get(route) else {
        return vec![format!("{route}: no contract for this route")];
    };
    let validator = cache.entry(file.clone()).or_insert_with(|| validator(file));
    validator
        .iter_errors(body)
        .map(|e| format!("{route} ({file}) at {}: {e}", e.instance_path()))
        .collect()
}

/// A backlog of a few B2B leads through the batch path, where the CRM has one.
async fn backlog<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let items: Vec<BatchItem> = (0..4)
        .map(|i| BatchItem {
            input: lead::<C>(
                Some(&format!("lead{i}@firma{}.pl", i % 2)),
                Some(&format!("601 234 {:03}", 100 + i)),
                Some(("Jan", &format!("Kowalski{i}"))),
                Some(&format!("Firma {}", i % 2)),
            ),
            links: CrmLinks::default(),
        })
        .collect();
    if let Some(run) = api.sync_batch(&items) {
        for outcome in run.await {
            scenarios::ok(&outcome);
        }
    }
}

/// The scenarios whose requests are held against the contracts.
async fn run_all<C: Row>() {
    scenarios::create_then_update_only_changed_fields::<C>().await;
    scenarios::the_same_person_is_found_by_email_and_by_phone::<C>().await;
    scenarios::a_person_deleted_in_the_crm_is_found_again_by_email::<C>().await;
    scenarios::a_reps_values_stand_and_nothing_is_blanked::<C>().await;
    scenarios::a_deal_once_qualified_and_never_twice::<C>().await;
    scenarios::one_note_per_conversation::<C>().await;
    scenarios::a_lost_create_answer_is_adopted_not_duplicated::<C>().await;
    scenarios::a_claimed_leads_owner_reaches_the_person_and_the_deal::<C>().await;
    scenarios::a_number_a_rep_typed_nationally_is_found::<C>().await;
    backlog::<C>().await;
}

#[tokio::test]
async fn every_request_body_a_connector_sends_is_one_the_vendor_accepts() {
    leadgate_sim::record_bodies(true);
    run_all::<HubSpot>().await;
    run_all::<Pipedrive>().await;
    run_all::<Salesforce>().await;
    run_all::<Zoho>().await;
    leadgate_sim::record_bodies(false);
    let bodies = leadgate_sim::take_bodies();

    let routes = routes();
    let mut cache = BTreeMap::new();
    let mut per_route: BTreeMap<&str, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    for recorded in &bodies {
        *per_route.entry(recorded.route.as_str()).or_default() += 1;
        problems.extend(check(&routes, &mut cache, &recorded.route, &recorded.body));
    }
    println!("{} bodies checked: {per_route:#?}", bodies.len());
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for vendor in ["/crm/v3/", "/api/v2/", "/services/data/", "/crm/{version}/"] {
        assert!(
            per_route.keys().any(|r| r.contains(vendor)),
            "no body recorded for {vendor}"
        );
    }
}

#[test]
fn a_field_the_vendor_does_not_accept_fails_the_contract() {
    let routes = routes();
    let mut cache = BTreeMap::new();
    let contact = json!({"properties": {"email": "anna@firma.pl"}, "associations": []});
    let route = "POST /crm/v3/objects/contacts";
    assert!(check(&routes, &mut cache, route, &contact).is_empty());
    for wrong in [
        json!({"properties": {"email": "anna@firma.pl"}, "associations": [], "idProperty": "email"}),
        json!({"properties": {"email": "anna@firma.pl"}}),
        json!({"properties": {"email": 5}, "associations": []}),
    ] {
        assert!(
            !check(&routes, &mut cache, route, &wrong).is_empty(),
            "{wrong} passed"
        );
    }
    let activity = json!({"subject": "Call", "type": "call", "person_id": 5});
    assert!(
        !check(&routes, &mut cache, "POST /api/v2/activities", &activity).is_empty(),
        "a read-only person_id fails"
    );
    assert!(!check(&routes, &mut cache, "POST /nowhere", &json!({})).is_empty());
}
