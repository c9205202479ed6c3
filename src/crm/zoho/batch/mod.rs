//! The batch path: a backlog of up to 100 leads synced with Zoho's multi-record endpoints,
//! keeping the guarantees of [`execute`]. In order: stored ids are read (100 a call); the rest are looked
//! up by email, then phone, then name and company, many at a time (`in` criteria, matches
//! checked exactly); found people get only the changes the overwrite policy allows, in one
//! bulk update; new people are created by one upsert on the duplicate-check fields (a
//! `DUPLICATE_DATA` is resolved like `execute` does); then deals, notes and tasks are updated
//! and created in bulk. A record's failure stops only its own lead, which keeps the links it
//! reached. Leads that share an email, phone or stored id with an earlier lead of the batch run
//! after it through `execute` (with the id the earlier one got when they share the key
//! `execute` tries first).

mod activity;
mod lookup;
mod people;

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Map, Value};

use super::client::{Api, ItemResult};
use crate::crm::kit::Companies;
use crate::crm::progressive::{BatchItem, SyncOutcome, execute};
use crate::crm::{CrmApi, PersonRecord};
use crate::outbound::CallError;

/// Records per multi-record write.
const MAX_RECORDS: usize = 100;

/// One lead of the batch on its way through.
struct Job<'a> {
    item: &'a BatchItem,
    out: SyncOutcome,
    /// Synced by the batch (not deferred) and not failed.
    active: bool,
    /// The person as Zoho holds it, once read or found.
    found: Option<PersonRecord>,
    /// A contact's Account.
    account: Option<String>,
}

impl Job<'_> {
    fn fail(&mut self, error: CallError) {
        if self.active {
            self.active = false;
            self.out.error = Some(error);
        }
    }

    fn person(&self) -> Option<&str> {
        self.out.links.person.as_deref()
    }
}

/// The keys that identify a lead's person within a batch, in the order `execute` uses them.
fn keys(item: &BatchItem) -> Vec<String> {
    let p = &item.input.person;
    let mut keys = Vec::new();
    if let Some(id) = &item.links.person {
        keys.push(format!("id:{id}"));
    }
    if let Some(email) = &p.email {
        keys.push(format!("email:{}", email.as_str().to_lowercase()));
    }
    if let Some(phone) = &p.phone {
        keys.push(format!("phone:{}", phone.as_str()));
    }
    keys
}

/// Syncs `batch`; one outcome per item, in order.
pub async fn sync(
    api: &Api,
    accounts: &Companies,
    connector: &dyn CrmApi,
    batch: &[BatchItem],
) -> Vec<SyncOutcome> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut deferred = Vec::new();
    let mut jobs: Vec<Job> = batch
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let keys = keys(item);
            let earlier = keys.iter().find_map(|k| seen.get(k).copied());
            // Only a lead `execute` would match by its first key gets that lead's id.
            let same_person = keys.first().and_then(|k| seen.get(k).copied());
            for k in keys {
                seen.entry(k).or_insert(i);
            }
            if earlier.is_some() {
                deferred.push((i, same_person));
            }
            Job {
                item,
                out: SyncOutcome {
                    links: item.links.clone(),
                    error: None,
                    created_person: false,
                },
                active: earlier.is_none(),
                found: None,
                account: None,
            }
        })
        .collect();

    lookup::read_stored(api, accounts, &mut jobs).await;
    lookup::find_people(api, accounts, &mut jobs).await;
    people::write_people(api, accounts, &mut jobs).await;
    activity::deals(api, &mut jobs).await;
    activity::notes(api, &mut jobs).await;
    activity::tasks(api, &mut jobs).await;

    for (i, same_person) in deferred {
        let mut links = jobs[i].item.links.clone();
        if let (None, Some(first)) = (&links.person, same_person) {
            // Zoho's search index lags behind writes: the id is known, the search may not be.
            links.person = jobs[first].out.links.person.clone();
        }
        jobs[i].out = execute(connector, &jobs[i].item.input, links).await;
    }
    jobs.into_iter().map(|j| j.out).collect()
}

/// A multi-record write in chunks of 100: one result per `(job, record)`.
async fn bulk(
    api: &Api,
    method: Method,
    path: &[&str],
    records: Vec<(usize, Value)>,
    extra: &Map<String, Value>,
    targets_id: bool,
) -> Vec<(usize, ItemResult)> {
    let mut out = Vec::with_capacity(records.len());
    for chunk in records.chunks(MAX_RECORDS) {
        let values = chunk.iter().map(|(_, v)| v.clone()).collect();
        match api
            .write(method.clone(), path, values, extra.clone(), targets_id)
            .await
        {
            Ok(results) => out.extend(chunk.iter().map(|(i, _)| *i).zip(results)),
            Err(e) => out.extend(chunk.iter().map(|(i, _)| (*i, Err(e.clone())))),
        }
    }
    out
}
