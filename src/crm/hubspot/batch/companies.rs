//! The batch's companies, after its contacts: each lead with a company gets its contact's own
//! company of that domain or name (one association batch read for the contacts found, one batch
//! read of those companies), else the oldest company of that domain or name (one search for the
//! whole batch, associated in one batch call), else a new company, created once for all the
//! leads of the batch that name it and already associated with their contacts (one batch
//! create). A new company's lost answer therefore shows on the contacts, which the retry finds
//! by email and reads first.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::super::Connector;
use super::super::companies::{Wanted, associated_ids};
use super::super::props::{self, COMPANY_TO_CONTACT};
use super::super::single::object_id;
use super::calls::{ItemError, NewObject};
use super::{Slot, State};
use crate::outbound::CallError;

/// Inputs per v4 association request (HubSpot's batch read limit).
const MAX_ASSOCIATION_INPUTS: usize = 100;

/// A lead of the batch that names a company.
struct Want {
    slot: usize,
    contact: String,
    wanted: Wanted,
}

/// One company to create, for the leads in `members` (indexes into the wants).
struct Group {
    key: String,
    members: Vec<usize>,
}

fn fail(slots: &mut [Slot], which: impl IntoIterator<Item = usize>, error: &CallError) {
    for i in which {
        slots[i].state = State::Failed(error.clone());
    }
}

impl Connector {
    pub(super) async fn write_companies(&self, slots: &mut [Slot<'_>]) {
        let wants: Vec<Want> = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.active())
            .filter_map(|(slot, s)| {
                let p = &s.input.person;
                Some(Want {
                    slot,
                    contact: s.links.person.clone()?,
                    wanted: Wanted::of(p.company.as_deref(), p.email.as_ref())?,
                })
            })
            .collect();
        if wants.is_empty() {
            return;
        }
        self.adopt_held(slots, &wants).await;
        let open: Vec<&Want> = wants
            .iter()
            .filter(|w| slots[w.slot].active() && slots[w.slot].company.is_none())
            .collect();
        if open.is_empty() {
            return;
        }
        let wanted: Vec<&Wanted> = open.iter().map(|w| &w.wanted).collect();
        let (found, complete) = match self.search_companies(&wanted).await {
            Ok(found) => found,
            Err(e) => return fail(slots, open.iter().map(|w| w.slot), &e),
        };
        let mut pairs = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        for (at, want) in open.iter().enumerate() {
            if let Some(id) = want.wanted.pick(&found).and_then(|c| object_id(c).ok()) {
                pairs.push((at, id));
                continue;
            }
            if !complete {
                // More companies matched than one page holds: the single path decides.
                slots[want.slot].state = State::Deferred(None);
                continue;
            }
            let key = want.wanted.key();
            let joins = groups.iter_mut().find(|g| {
                g.key == key
                    || (want.wanted.domain.is_none()
                        && open[g.members[0]].wanted.name.to_lowercase()
                            == want.wanted.name.to_lowercase())
            });
            match joins {
                Some(group) => group.members.push(at),
                None => groups.push(Group {
                    key,
                    members: vec![at],
                }),
            }
        }
        self.associate_found(slots, &open, pairs).await;
        self.create_companies(slots, &open, groups).await;
    }

    /// Gives found contacts the company they already have of that domain or name.
    async fn adopt_held(&self, slots: &mut [Slot<'_>], wants: &[Want]) {
        let held: Vec<&Want> = wants.iter().filter(|w| !slots[w.slot].created).collect();
        let mut of_contact: HashMap<String, Vec<String>> = HashMap::new();
        for chunk in held.chunks(MAX_ASSOCIATION_INPUTS) {
            let inputs: Vec<Value> = chunk.iter().map(|w| json!({ "id": w.contact })).collect();
            let answer = self
                .api
                .post(
                    "read contact companies",
                    &[
                        "crm",
                        "v4",
                        "associations",
                        "contacts",
                        "companies",
                        "batch",
                        "read",
                    ],
                    &json!({ "inputs": inputs }),
                )
                .await;
            // A contact without companies is an error of the answer, not a result.
            match answer {
                Ok(answer) => {
                    for result in answer["results"].as_array().into_iter().flatten() {
                        let Some(from) = object_id(&result["from"]).ok() else {
                            continue;
                        };
                        let ids = associated_ids(&json!({ "results": result["to"] }));
                        of_contact.entry(from).or_default().extend(ids);
                    }
                }
                Err(e) => fail(slots, chunk.iter().map(|w| w.slot), &e),
            }
        }
        let mut ids: Vec<String> = of_contact.values().flatten().cloned().collect();
        ids.sort_unstable();
        ids.dedup();
        let companies = match self.read_companies(&ids).await {
            Ok(companies) => companies,
            Err(e) => return fail(slots, held.iter().map(|w| w.slot), &e),
        };
        for want in held {
            let Some(own) = of_contact.get(&want.contact) else {
                continue;
            };
            let candidates: Vec<Value> = companies
                .iter()
                .filter(|c| object_id(c).is_ok_and(|id| own.contains(&id)))
                .cloned()
                .collect();
            if let Some(id) = want
                .wanted
                .pick(&candidates)
                .and_then(|c| object_id(c).ok())
            {
                self.companies.remember(&want.contact, Some(id.clone()));
                slots[want.slot].company = Some(id);
            }
        }
    }

    /// Associates contacts with the companies found for them, in batches.
    async fn associate_found(
        &self,
        slots: &mut [Slot<'_>],
        open: &[&Want],
        pairs: Vec<(usize, String)>,
    ) {
        for chunk in pairs.chunks(MAX_ASSOCIATION_INPUTS) {
            let inputs: Vec<Value> = chunk
                .iter()
                .map(|(at, id)| json!({"from": {"id": open[*at].contact}, "to": {"id": id}}))
                .collect();
            let answer = self
                .api
                .post(
                    "associate companies",
                    &[
                        "crm",
                        "v4",
                        "associations",
                        "contacts",
                        "companies",
                        "batch",
                        "associate",
                        "default",
                    ],
                    &json!({ "inputs": inputs }),
                )
                .await;
            match answer {
                Ok(_) => {
                    for (at, id) in chunk {
                        self.companies
                            .remember(&open[*at].contact, Some(id.clone()));
                        slots[open[*at].slot].company = Some(id.clone());
                    }
                }
                Err(e) => fail(slots, chunk.iter().map(|(at, _)| open[*at].slot), &e),
            }
        }
    }

    /// Creates one company per group, associated with every contact of the group.
    async fn create_companies(&self, slots: &mut [Slot<'_>], open: &[&Want], groups: Vec<Group>) {
        let owner = self.config.owner_id.as_deref();
        let news: Vec<NewObject> = groups
            .iter()
            .map(|g| NewObject {
                slot: open[g.members[0]].slot,
                key: g.key.clone(),
                properties: open[g.members[0]].wanted.properties(owner),
                associations: g
                    .members
                    .iter()
                    .map(|&at| props::association(&open[at].contact, COMPANY_TO_CONTACT))
                    .collect(),
            })
            .collect();
        let by_first: HashMap<usize, &Group> = groups
            .iter()
            .map(|g| (open[g.members[0]].slot, g))
            .collect();
        for (first, outcome) in self
            .batch_create("companies", news, Wanted::answered_key)
            .await
        {
            let Some(group) = by_first.get(&first) else {
                continue;
            };
            for &at in &group.members {
                let slot = open[at].slot;
                match &outcome {
                    Ok(id) => {
                        self.companies.remember(&open[at].contact, Some(id.clone()));
                        slots[slot].company = Some(id.clone());
                    }
                    Err(ItemError::Item(e)) => slots[slot].state = State::Failed(e.clone()),
                    Err(e) => slots[slot].fail(e.clone()),
                }
            }
        }
    }
}
