//! Finding every lead's contact at once, in `execute`'s order: stored id, email (both batch
//! reads, which see writes at once), then phone and name-and-company (searches, oldest match
//! first). Each step only looks for the leads the steps before did not find.

use serde_json::Value;

use super::super::Connector;
use super::super::props;
use super::super::single::{name_group, path, phone_groups};
use super::calls::ItemError;
use super::{FoundBy, Slot, State};
use crate::crm::PersonRecord;
use crate::lead::PhoneE164;
use crate::outbound::CallError;

/// Search pages read per request before giving up on completeness (200 contacts a page).
const MAX_PAGES: usize = 5;
/// Phones per search request (`IN` lists).
const PHONES_PER_SEARCH: usize = 100;
/// Name-and-company groups per search request (HubSpot allows 5 groups, 25 filters).
const NAMES_PER_SEARCH: usize = 5;

/// The slots still looking for their contact.
fn unfound(slots: &[Slot]) -> Vec<usize> {
    (0..slots.len())
        .filter(|&i| slots[i].active() && slots[i].record.is_none())
        .collect()
}

/// A failed lookup stops the leads it was for.
fn fail_all(slots: &mut [Slot], which: &[usize], error: CallError) {
    for &i in which {
        slots[i].fail(ItemError::Request {
            error: error.clone(),
            inputs: which.len(),
        });
    }
}

fn found(slot: &mut Slot, record: PersonRecord, by: FoundBy) {
    slot.record = Some(record);
    slot.found_by = Some(by);
}

fn lower(value: &Value, property: &str) -> Option<String> {
    value["properties"][property]
        .as_str()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
}

impl Connector {
    pub(super) async fn find_all(&self, slots: &mut [Slot<'_>]) {
        self.find_by_id(slots).await;
        self.find_by_email(slots).await;
        self.find_by_phone(slots).await;
        self.find_by_name(slots).await;
    }

    /// Leads with a stored contact id: read them back; a merged or deleted id is not found and
    /// the lead is looked for by its email and so on, like `execute` does.
    async fn find_by_id(&self, slots: &mut [Slot<'_>]) {
        let which: Vec<usize> = unfound(slots)
            .into_iter()
            .filter(|&i| slots[i].links.person.is_some())
            .collect();
        if which.is_empty() {
            return;
        }
        let ids: Vec<String> = which
            .iter()
            .filter_map(|&i| slots[i].links.person.clone())
            .collect();
        match self
            .batch_read("contacts", None, &ids, &self.read_properties)
            .await
        {
            Ok(objects) => {
                for object in &objects {
                    let Some(record) = props::record(&self.config, object) else {
                        continue;
                    };
                    for &i in &which {
                        if slots[i].links.person.as_deref() == Some(record.id.as_str()) {
                            found(&mut slots[i], record.clone(), FoundBy::Id);
                        }
                    }
                }
            }
            Err(e) => fail_all(slots, &which, e),
        }
    }

    async fn find_by_email(&self, slots: &mut [Slot<'_>]) {
        let which: Vec<usize> = unfound(slots)
            .into_iter()
            .filter(|&i| slots[i].input.person.email.is_some())
            .collect();
        if which.is_empty() {
            return;
        }
        let email = |slot: &Slot| {
            slot.input
                .person
                .email
                .as_ref()
                .map(|e| e.as_str().to_lowercase())
        };
        let emails: Vec<String> = which.iter().filter_map(|&i| email(&slots[i])).collect();
        match self
            .batch_read("contacts", Some("email"), &emails, &self.read_properties)
            .await
        {
            Ok(objects) => {
                for object in &objects {
                    let (Some(held), Some(record)) =
                        (lower(object, "email"), props::record(&self.config, object))
                    else {
                        continue;
                    };
                    for &i in &which {
                        if slots[i].record.is_none()
                            && email(&slots[i]).as_deref() == Some(held.as_str())
                        {
                            found(&mut slots[i], record.clone(), FoundBy::Email);
                        }
                    }
                }
            }
            Err(e) => fail_all(slots, &which, e),
        }
    }

    async fn find_by_phone(&self, slots: &mut [Slot<'_>]) {
        let which: Vec<usize> = unfound(slots)
            .into_iter()
            .filter(|&i| slots[i].input.person.phone.is_some())
            .collect();
        for chunk in which.chunks(PHONES_PER_SEARCH) {
            let mut phones: Vec<&PhoneE164> = chunk
                .iter()
                .filter_map(|&i| slots[i].input.person.phone.as_ref())
                .collect();
            phones.sort_unstable();
            phones.dedup();
            let searched = self.search_all(phone_groups(&phones)).await;
            self.take_matches(slots, chunk, searched, FoundBy::Phone, |slot, object| {
                slot.input
                    .person
                    .phone
                    .as_ref()
                    .is_some_and(|p| props::has_phone(object, p))
            });
        }
    }

    async fn find_by_name(&self, slots: &mut [Slot<'_>]) {
        let which: Vec<usize> = unfound(slots)
            .into_iter()
            .filter(|&i| {
                slots[i].input.person.first_name.is_some()
                    && slots[i].input.person.company.is_some()
            })
            .collect();
        for chunk in which.chunks(NAMES_PER_SEARCH) {
            let groups = chunk
                .iter()
                .filter_map(|&i| {
                    let p = &slots[i].input.person;
                    Some(name_group(
                        p.first_name.as_deref()?,
                        p.last_name.as_deref(),
                        p.company.as_deref()?,
                    ))
                })
                .collect();
            let searched = self.search_all(groups).await;
            self.take_matches(
                slots,
                chunk,
                searched,
                FoundBy::NameAndCompany,
                |slot, object| {
                    let p = &slot.input.person;
                    let same = |property: &str, wanted: Option<&str>| {
                        lower(object, property) == wanted.map(str::to_lowercase)
                    };
                    same("firstname", p.first_name.as_deref())
                        && same("company", p.company.as_deref())
                        && (p.last_name.is_none() || same("lastname", p.last_name.as_deref()))
                },
            );
        }
    }

    /// Gives each slot of `chunk` the oldest contact of the search answer it matches. When the
    /// answer was cut short, a slot without a match cannot be sure there is none: it is synced
    /// on its own instead.
    fn take_matches(
        &self,
        slots: &mut [Slot<'_>],
        chunk: &[usize],
        searched: Result<(Vec<Value>, bool), CallError>,
        by: FoundBy,
        matches: impl Fn(&Slot, &Value) -> bool,
    ) {
        let (objects, complete) = match searched {
            Ok(found) => found,
            Err(e) => return fail_all(slots, chunk, e),
        };
        for &i in chunk {
            let hit = objects
                .iter()
                .find(|o| matches(&slots[i], o))
                .and_then(|o| props::record(&self.config, o));
            match hit {
                Some(record) => found(&mut slots[i], record, by),
                None if !complete => slots[i].state = State::Deferred(None),
                None => {}
            }
        }
    }

    /// Every page of a contact search (up to [`MAX_PAGES`]); `true` when nothing was left.
    async fn search_all(&self, groups: Vec<Value>) -> Result<(Vec<Value>, bool), CallError> {
        let mut objects = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let body = self.search_body(groups.clone(), 200, after.as_deref());
            let page = self
                .api
                .post("search contacts", &path("contacts", &["search"]), &body)
                .await?;
            objects.extend(page["results"].as_array().into_iter().flatten().cloned());
            match page["paging"]["next"]["after"].as_str() {
                Some(next) => after = Some(next.to_owned()),
                None => return Ok((objects, true)),
            }
        }
        Ok((objects, false))
    }
}
