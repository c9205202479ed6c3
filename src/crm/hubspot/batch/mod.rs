//! The batch sync: many leads in a handful of requests, with the guarantees of
//! [`progressive::execute`]. In order:
//!
//! 1. find every lead's contact as `execute` would, but for all leads at once: stored ids and
//!    emails with batch reads, phones and name-and-company with a few searches;
//! 2. leads that would end up on the same contact as an earlier lead of the batch (same email,
//!    phone or name and company; or found to be the same contact) are set aside and synced one
//!    by one afterwards, onto that contact, exactly as `execute` would have run them in order;
//! 3. batch update the found contacts (only what the overwrite policy lets through), batch
//!    create the rest, give them their companies (see `companies`), then batch the deals, notes
//!    and tasks with their associations.
//!
//! A lead that fails stops where it failed (its links keep what was reached); the others go on.
//! A lead whose create conflicts (`Existing ID`), and every lead of a request HubSpot refused
//! as a whole, finishes on the single path. N new leads with email, phone, name and company
//! cost 6 + N/5 requests (one batch read, one phone search, a name search per five leads, four
//! batch creates), and two more when they name companies (a company search and a batch create):
//! 11 for 12 leads, where the single path takes about 9 per lead.

mod calls;
mod companies;
mod find;
mod steps;

use std::collections::BTreeMap;

use super::Connector;
use crate::crm::progressive::{self, BatchItem, SyncInput, SyncOutcome};
use crate::crm::{CrmLinks, Field, PersonRecord};
use crate::outbound::CallError;

use self::calls::ItemError;

/// How a lead's contact was found before the batch wrote anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FoundBy {
    Id,
    Email,
    Phone,
    NameAndCompany,
}

/// Where a lead of the batch stands.
#[derive(Debug, Clone)]
enum State {
    /// Going on with the batch.
    Active,
    /// Stopped by this error.
    Failed(CallError),
    /// Synced alone after the batch, onto the contact of the lead in that slot when given.
    Deferred(Option<usize>),
}

/// One lead of the batch.
struct Slot<'a> {
    input: &'a SyncInput,
    links: CrmLinks,
    state: State,
    /// The contact as found, before this batch's writes.
    record: Option<PersonRecord>,
    found_by: Option<FoundBy>,
    created: bool,
    /// The deal was created in this batch: a note written before it must be linked to it.
    new_deal: bool,
    /// The company the contact was given in this batch, for the deal.
    company: Option<String>,
}

impl Slot<'_> {
    fn active(&self) -> bool {
        matches!(self.state, State::Active)
    }

    /// Records how a write of this lead failed: a request HubSpot refused as a whole for one of
    /// several leads is retried alone; anything else stops the lead.
    fn fail(&mut self, error: ItemError) {
        self.state = match error {
            ItemError::Request {
                error: CallError::Permanent { .. } | CallError::Conflict { .. },
                inputs,
            } if inputs > 1 => State::Deferred(None),
            ItemError::Request { error, .. } | ItemError::Item(error) => State::Failed(error),
        };
    }
}

/// Runs the batch; one outcome per item, in order.
pub(super) async fn run(connector: &Connector, batch: &[BatchItem]) -> Vec<SyncOutcome> {
    let mut slots: Vec<Slot> = batch
        .iter()
        .map(|item| Slot {
            input: &item.input,
            links: item.links.clone(),
            state: State::Active,
            record: None,
            found_by: None,
            created: false,
            new_deal: false,
            company: None,
        })
        .collect();
    for slot in &mut slots {
        // Without an email or phone a created contact cannot be told apart in the answer.
        if slot.input.person.email.is_none() && slot.input.person.phone.is_none() {
            slot.state = State::Deferred(None);
        }
    }
    connector.find_all(&mut slots).await;
    set_aside_shared_contacts(&mut slots);
    connector.write_contacts(&mut slots).await;
    connector.write_companies(&mut slots).await;
    connector.write_deals(&mut slots).await;
    connector.write_notes(&mut slots).await;
    connector.write_tasks(&mut slots).await;

    let mut outcomes: Vec<SyncOutcome> = Vec::with_capacity(slots.len());
    for slot in slots {
        let outcome = match slot.state {
            State::Active => SyncOutcome {
                links: slot.links,
                error: None,
                created_person: slot.created,
            },
            State::Failed(error) => SyncOutcome {
                links: slot.links,
                error: Some(error),
                created_person: slot.created,
            },
            State::Deferred(onto) => {
                let mut links = slot.links;
                if let Some(person) = onto.and_then(|j| outcomes[j].links.person.clone()) {
                    links.person = Some(person);
                }
                progressive::execute(connector, slot.input, links).await
            }
        };
        outcomes.push(outcome);
    }
    outcomes
}

/// What a contact will hold once the batch has written it: for `execute`'s lookups by later
/// leads of the same batch.
struct Planned {
    slot: usize,
    id: Option<String>,
    values: BTreeMap<Field, String>,
}

impl Planned {
    fn email(&self, email: &str) -> bool {
        self.values
            .get(&Field::Email)
            .is_some_and(|e| e.eq_ignore_ascii_case(email))
    }

    fn phone(&self, phone: &str) -> bool {
        self.values.get(&Field::Phone).is_some_and(|p| p == phone)
    }

    /// `execute`'s name-and-company search: first name and company equal, and the last name
    /// too when the lead has one.
    fn name(&self, first: &str, last: Option<&str>, company: &str) -> bool {
        let same = |field: &Field, wanted: &str| {
            self.values
                .get(field)
                .is_some_and(|v| v.to_lowercase() == wanted.to_lowercase())
        };
        same(&Field::FirstName, first)
            && same(&Field::Company, company)
            && last.is_none_or(|l| same(&Field::LastName, l))
    }

    /// Fills what is still empty, as the default overwrite policy does.
    fn absorb(&mut self, values: Vec<(Field, String)>) {
        for (field, value) in values {
            self.values.entry(field).or_insert(value);
        }
    }
}

/// Sets aside each lead that `execute`, run over the batch in order, would put on a contact an
/// earlier lead of the batch creates or updates: the earlier lead's email, phone or name and
/// company matches in `execute`'s order, or both were found to be the same contact.
fn set_aside_shared_contacts(slots: &mut [Slot]) {
    let mut planned: Vec<Planned> = Vec::new();
    for (i, slot) in slots.iter_mut().enumerate() {
        if !slot.active() {
            continue;
        }
        let input = slot.input;
        let p = &input.person;
        let email = p.email.as_ref().map(|e| e.as_str());
        let phone = p.phone.as_ref().map(|e| e.as_str());
        let name = p.first_name.as_deref().zip(p.company.as_deref());
        let found = slot.found_by;
        let by = |pred: &dyn Fn(&Planned) -> bool| planned.iter().position(pred);
        let shared = if found == Some(FoundBy::Id) {
            None
        } else if let Some(at) = email.and_then(|e| by(&|f| f.email(e))) {
            Some(at)
        } else if matches!(found, Some(FoundBy::Email | FoundBy::Phone)) {
            None
        } else if let Some(at) = phone.and_then(|ph| by(&|f| f.phone(ph))) {
            Some(at)
        } else if found == Some(FoundBy::NameAndCompany) {
            None
        } else {
            name.and_then(|(first, company)| {
                by(&|f| f.name(first, p.last_name.as_deref(), company))
            })
        };
        let own_id = slot.record.as_ref().map(|r| r.id.clone());
        let shared = shared.or_else(|| {
            own_id
                .as_ref()
                .and_then(|id| by(&|f| f.id.as_ref() == Some(id)))
        });
        match shared {
            Some(at) => {
                planned[at].absorb(p.values());
                slot.state = State::Deferred(Some(planned[at].slot));
            }
            None => {
                let mut values = slot
                    .record
                    .as_ref()
                    .map(|r| r.values.clone())
                    .unwrap_or_default();
                let writes = match &slot.record {
                    Some(record) => input.policy.changes(record, p),
                    None => p.clone(),
                };
                values.extend(writes.values());
                planned.push(Planned {
                    slot: i,
                    id: own_id,
                    values,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::progressive::OverwritePolicy;
    use crate::crm::{NoteFields, PersonFields};
    use crate::lead::{Email, PhoneE164};

    fn input(
        email: Option<&str>,
        phone: Option<&str>,
        first: Option<&str>,
        company: Option<&str>,
    ) -> SyncInput {
        SyncInput {
            person: PersonFields {
                email: email.map(|e| Email::parse(e).unwrap()),
                phone: phone.map(|p| PhoneE164::parse(p, None).unwrap()),
                first_name: first.map(str::to_owned),
                company: company.map(str::to_owned),
                ..PersonFields::default()
            },
            deal: None,
            note: NoteFields { body: "n".into() },
            task: None,
            policy: OverwritePolicy::default(),
        }
    }

    fn slots(inputs: &[SyncInput]) -> Vec<Slot<'_>> {
        inputs
            .iter()
            .map(|input| Slot {
                input,
                links: CrmLinks::default(),
                state: State::Active,
                record: None,
                found_by: None,
                created: false,
                new_deal: false,
                company: None,
            })
            .collect()
    }

    fn deferred(slots: &[Slot]) -> Vec<Option<usize>> {
        slots
            .iter()
            .map(|s| {
                if let State::Deferred(onto) = s.state {
                    onto
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn leads_sharing_an_email_phone_or_name_go_onto_the_first_ones_contact() {
        let inputs = [
            input(
                Some("anna@firma.pl"),
                Some("+48601234567"),
                Some("Anna"),
                Some("Firma"),
            ),
            input(Some("anna@firma.pl"), None, None, None),
            input(Some("other@firma.pl"), Some("+48 601 234 567"), None, None),
            input(Some("third@firma.pl"), None, Some("anna"), Some("FIRMA")),
            input(
                Some("fourth@firma.pl"),
                Some("+48501234567"),
                Some("Jan"),
                Some("Firma"),
            ),
        ];
        let mut s = slots(&inputs);
        set_aside_shared_contacts(&mut s);
        assert_eq!(deferred(&s), vec![None, Some(0), Some(0), Some(0), None]);
        assert!(s[4].active());
    }

    #[test]
    fn a_lead_found_by_its_own_email_keeps_its_contact() {
        let inputs = [
            input(Some("a@firma.pl"), Some("+48601234567"), None, None),
            input(Some("b@firma.pl"), Some("+48601234567"), None, None),
        ];
        let mut s = slots(&inputs);
        s[1].record = Some(PersonRecord {
            id: "9".into(),
            values: BTreeMap::new(),
        });
        s[1].found_by = Some(FoundBy::Email);
        set_aside_shared_contacts(&mut s);
        assert!(
            s[1].active(),
            "execute finds b@ by email before it looks at phones"
        );
    }

    #[test]
    fn two_leads_found_on_the_same_contact_are_written_in_turn() {
        let inputs = [
            input(Some("a@firma.pl"), None, None, None),
            input(Some("b@firma.pl"), None, None, None),
        ];
        let mut s = slots(&inputs);
        for slot in &mut s {
            slot.record = Some(PersonRecord {
                id: "9".into(),
                values: BTreeMap::new(),
            });
            slot.found_by = Some(FoundBy::Phone);
        }
        set_aside_shared_contacts(&mut s);
        assert_eq!(deferred(&s), vec![None, Some(0)]);
    }
}
