//! The batch writes, each one step of `execute` for every lead still going: contacts (update
//! what the overwrite policy lets through, create the rest), deals (update, or create with the
//! contact association; a deleted deal is created again), the conversation's note (update, or
//! create on the contact and deal) and the follow-up task (once).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::super::Connector;
use super::super::props::{
    self, DEAL_TO_COMPANY, DEAL_TO_CONTACT, NOTE_TO_CONTACT, NOTE_TO_DEAL, TASK_TO_CONTACT,
    TASK_TO_DEAL,
};
use super::super::single::{now_ms, object_id};
use super::calls::{Change, ItemError, NewObject};
use super::{Slot, State};
use crate::crm::PersonFields;
use crate::crm::kit::escape::html_lines;
use crate::outbound::CallError;

/// A contact's key in a batch-create answer: its email, else its phone.
fn contact_key(person: &PersonFields) -> String {
    match (&person.email, &person.phone) {
        (Some(email), _) => email.as_str().to_lowercase(),
        (None, Some(phone)) => phone.as_str().to_owned(),
        (None, None) => String::new(),
    }
}

fn answered_contact_key(object: &Value) -> Option<String> {
    let email = object["properties"]["email"]
        .as_str()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    email.or_else(|| object["properties"]["phone"].as_str().map(props::phone_key))
}

fn answered_name(object: &Value) -> Option<String> {
    object["properties"]["dealname"].as_str().map(str::to_owned)
}

fn answered_timestamp(object: &Value) -> Option<String> {
    props::timestamp_ms(&object["properties"]["hs_timestamp"]).map(|ms| ms.to_string())
}

/// The slots still going, with their contact id.
fn going(slots: &[Slot]) -> Vec<(usize, String)> {
    slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.active())
        .filter_map(|(i, s)| Some((i, s.links.person.clone()?)))
        .collect()
}

impl Connector {
    pub(super) async fn write_contacts(&self, slots: &mut [Slot<'_>]) {
        let mut changes = Vec::new();
        let mut news = Vec::new();
        for (i, slot) in slots.iter_mut().enumerate().filter(|(_, s)| s.active()) {
            let person = &slot.input.person;
            match &slot.record {
                Some(record) => {
                    let change = slot.input.policy.changes(record, person);
                    if change.is_empty() {
                        slot.links.person = Some(record.id.clone());
                    } else {
                        changes.push(Change {
                            slot: i,
                            id: record.id.clone(),
                            properties: props::contact(&change),
                        });
                    }
                }
                None => news.push(NewObject {
                    slot: i,
                    key: contact_key(person),
                    properties: props::new_contact(&self.config, person),
                    associations: Vec::new(),
                }),
            }
        }
        for (i, outcome) in self.batch_update("contacts", changes).await {
            let slot = &mut slots[i];
            match outcome {
                Ok(()) => slot.links.person = slot.record.as_ref().map(|r| r.id.clone()),
                // Merged away between the read and the write: found again on the retry.
                Err(ItemError::Item(CallError::NotFound { message })) => {
                    slot.state = State::Failed(CallError::retryable(message, None))
                }
                Err(e) => slot.fail(e),
            }
        }
        for (i, outcome) in self
            .batch_create("contacts", news, answered_contact_key)
            .await
        {
            let slot = &mut slots[i];
            match outcome {
                Ok(id) => {
                    slot.links.person = Some(id);
                    slot.created = true;
                }
                // Created meanwhile: the single path reads it and updates what changed.
                Err(ItemError::Item(CallError::Conflict { existing_id, .. })) => {
                    slot.links.person = Some(existing_id);
                    slot.state = State::Deferred(None);
                }
                Err(e) => slot.fail(e),
            }
        }
    }

    pub(super) async fn write_deals(&self, slots: &mut [Slot<'_>]) {
        let mut updates = Vec::new();
        let mut checks: Vec<(usize, String)> = Vec::new();
        let mut creates = Vec::new();
        for (i, _) in going(slots) {
            let Some(deal) = &slots[i].input.deal else {
                continue;
            };
            match &slots[i].links.deal {
                Some(id) => {
                    let properties = props::deal(&self.config, deal, false);
                    if properties.is_empty() {
                        checks.push((i, id.clone()));
                    } else {
                        updates.push(Change {
                            slot: i,
                            id: id.clone(),
                            properties,
                        });
                    }
                }
                None => creates.push(i),
            }
        }
        for (i, outcome) in self.batch_update("deals", updates).await {
            match outcome {
                Ok(()) => {}
                // Deleted in the CRM: a qualified lead gets its deal back.
                Err(ItemError::Item(CallError::NotFound { .. })) => creates.push(i),
                Err(e) => slots[i].fail(e),
            }
        }
        creates.extend(self.deleted_deals(slots, &checks).await);
        let mut news = Vec::new();
        for i in creates {
            let (Some(deal), Some(person)) = (&slots[i].input.deal, &slots[i].links.person) else {
                continue;
            };
            let mut associations = vec![props::association(person, DEAL_TO_CONTACT)];
            if let Some(company) = &slots[i].company {
                associations.push(props::association(company, DEAL_TO_COMPANY));
            }
            news.push(NewObject {
                slot: i,
                key: deal.title.clone(),
                properties: props::deal(&self.config, deal, true),
                associations,
            });
        }
        for (i, outcome) in self.batch_create("deals", news, answered_name).await {
            match outcome {
                Ok(id) => {
                    slots[i].links.deal = Some(id);
                    slots[i].new_deal = true;
                }
                Err(e) => slots[i].fail(e),
            }
        }
    }

    /// Which of the `(slot, deal)` pairs name a deal that no longer exists, read in one batch
    /// (a deal with nothing to update is only checked, so a deleted one is created again). A
    /// failed read stops those slots.
    async fn deleted_deals(
        &self,
        slots: &mut [Slot<'_>],
        checks: &[(usize, String)],
    ) -> Vec<usize> {
        if checks.is_empty() {
            return Vec::new();
        }
        let ids: Vec<String> = checks.iter().map(|(_, id)| id.clone()).collect();
        match self
            .batch_read("deals", None, &ids, &["dealname".to_owned()])
            .await
        {
            Ok(found) => {
                let present: HashSet<String> =
                    found.iter().filter_map(|o| object_id(o).ok()).collect();
                checks
                    .iter()
                    .filter(|(_, id)| !present.contains(id))
                    .map(|(i, _)| *i)
                    .collect()
            }
            Err(error) => {
                for (i, _) in checks {
                    slots[*i].fail(ItemError::Request {
                        error: error.clone(),
                        inputs: checks.len(),
                    });
                }
                Vec::new()
            }
        }
    }

    pub(super) async fn write_notes(&self, slots: &mut [Slot<'_>]) {
        let mut updates = Vec::new();
        let mut creates = Vec::new();
        for (i, _) in going(slots) {
            match &slots[i].links.note {
                Some(id) => {
                    let mut properties = Map::new();
                    properties.insert(
                        "hs_note_body".into(),
                        json!(html_lines(&slots[i].input.note.body)),
                    );
                    updates.push(Change {
                        slot: i,
                        id: id.clone(),
                        properties,
                    });
                }
                None => creates.push(i),
            }
        }
        for (i, outcome) in self.batch_update("notes", updates).await {
            match outcome {
                Ok(()) => {
                    // Written before the lead qualified: the new deal shows it too.
                    let slot = &slots[i];
                    if let (true, Some(note), Some(deal)) =
                        (slot.new_deal, &slot.links.note, &slot.links.deal)
                        && let Err(e) = self.associate_note(note, deal).await
                    {
                        slots[i].fail(ItemError::Item(e));
                    }
                }
                Err(ItemError::Item(CallError::NotFound { .. })) => creates.push(i),
                Err(e) => slots[i].fail(e),
            }
        }
        // Notes are told apart in the answer by their timestamp: one millisecond per slot.
        let base = now_ms();
        let mut news = Vec::new();
        for i in creates {
            let slot = &slots[i];
            let Some(person) = &slot.links.person else {
                continue;
            };
            let at = base + i64::try_from(i).unwrap_or_default();
            let mut associations = vec![props::association(person, NOTE_TO_CONTACT)];
            associations.extend(
                slot.links
                    .deal
                    .as_deref()
                    .map(|d| props::association(d, NOTE_TO_DEAL)),
            );
            news.push(NewObject {
                slot: i,
                key: at.to_string(),
                properties: props::note(&slot.input.note, at),
                associations,
            });
        }
        for (i, outcome) in self.batch_create("notes", news, answered_timestamp).await {
            match outcome {
                Ok(id) => slots[i].links.note = Some(id),
                Err(e) => slots[i].fail(e),
            }
        }
    }

    pub(super) async fn write_tasks(&self, slots: &mut [Slot<'_>]) {
        let mut used = HashSet::new();
        let mut news = Vec::new();
        for (i, person) in going(slots) {
            let slot = &slots[i];
            let (None, Some(task)) = (&slot.links.task, &slot.input.task) else {
                continue;
            };
            // Tasks are told apart by their due time: equal ones are moved by a millisecond.
            let mut due = task.due_ms;
            while !used.insert(due) {
                due += 1;
            }
            let mut associations = vec![props::association(&person, TASK_TO_CONTACT)];
            associations.extend(
                slot.links
                    .deal
                    .as_deref()
                    .map(|d| props::association(d, TASK_TO_DEAL)),
            );
            news.push(NewObject {
                slot: i,
                key: due.to_string(),
                properties: props::task(&self.config, task, due),
                associations,
            });
        }
        for (i, outcome) in self.batch_create("tasks", news, answered_timestamp).await {
            match outcome {
                Ok(id) => slots[i].links.task = Some(id),
                Err(e) => slots[i].fail(e),
            }
        }
    }
}
