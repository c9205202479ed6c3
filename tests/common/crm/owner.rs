//! The owner a claim names: a rep who claims a lead in Slack becomes the owner of its person
//! and deal in the CRM, on the sync that follows the claim; an owner the CRM does not know is
//! refused with the CRM's reason, and nothing else is lost.

use leadgate::crm::CrmLinks;
use leadgate::crm::progressive::{SyncInput, execute};
use leadgate::outbound::CallError;

use super::{Row, anna, ok};

fn claimed_by<C: Row>(owner: &str) -> SyncInput {
    let mut input = anna::<C>();
    input.person.owner = Some(owner.to_owned());
    if let Some(deal) = input.deal.as_mut() {
        deal.owner = Some(owner.to_owned());
    }
    input
}

/// Synced first as the API's user's, then claimed: the next sync gives the person and the deal
/// to the rep, and makes nothing new; a second sync sends no owner again. An owner the CRM
/// has no user for is a permanent error naming it.
pub async fn a_claimed_leads_owner_reaches_the_person_and_the_deal<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let (rep, nobody) = crm.owners();
    let first = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    ok(&first);
    let person = first.links.person.clone().unwrap();
    let deal = first.links.deal.clone().unwrap();
    let deal_of = |crm: &C| {
        crm.records(C::OBJECTS[1])
            .into_iter()
            .find(|d| d.id == deal)
            .expect("the deal")
    };
    assert_ne!(
        crm.owner_of(&crm.person(&person)).as_deref(),
        Some(rep.as_str())
    );

    let claimed = execute(&*api, &claimed_by::<C>(&rep), first.links.clone()).await;
    ok(&claimed);
    assert_eq!(claimed.links.person.as_deref(), Some(person.as_str()));
    assert_eq!(claimed.links.deal.as_deref(), Some(deal.as_str()));
    assert_eq!(
        crm.owner_of(&crm.person(&person)),
        Some(rep.clone()),
        "the person's owner"
    );
    assert_eq!(
        crm.owner_of(&deal_of(&crm)),
        Some(rep.clone()),
        "the deal's owner"
    );
    assert_eq!(crm.counts(), [1, 1, 1, 1], "nothing made again");

    let unknown = execute(&*api, &claimed_by::<C>(&nobody), CrmLinks::default()).await;
    match &unknown.error {
        Some(CallError::Permanent { message }) => C::UNKNOWN_OWNER.check(message),
        other => panic!("expected a permanent error, got {other:?}"),
    }
    assert_eq!(
        crm.owner_of(&crm.person(&person)),
        Some(rep),
        "the rep stays owner"
    );
}
