//! Writing the batch's people: found ones get the policy's changes in one bulk update, new
//! ones one upsert on the duplicate-check fields (contacts' accounts first, by upsert on the
//! name); a `DUPLICATE_DATA` is resolved like `execute` does.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Job, bulk};
use crate::crm::PersonFields;
use crate::crm::kit::Companies;
use crate::crm::zoho::client::{Api, upsert_extra};
use crate::crm::zoho::config::Module;
use crate::crm::zoho::errors::id_of;
use crate::crm::zoho::ops;
use crate::crm::zoho::record;
use crate::outbound::CallError;

/// For contacts: one Account per company the writes name, by upsert on `Account_Name`.
async fn ensure_accounts(
    api: &Api,
    companies: Vec<String>,
) -> HashMap<String, Result<String, CallError>> {
    let mut distinct: Vec<String> = Vec::new();
    for company in companies {
        if !distinct.iter().any(|c| c.eq_ignore_ascii_case(&company)) {
            distinct.push(company);
        }
    }
    let records = distinct
        .iter()
        .enumerate()
        .map(|(i, name)| (i, json!({ "Account_Name": name })))
        .collect();
    let results = bulk(
        api,
        Method::POST,
        &["Accounts", "upsert"],
        records,
        &upsert_extra(&["Account_Name".to_owned()]),
        false,
    )
    .await;
    results
        .into_iter()
        .map(|(i, r)| (distinct[i].to_lowercase(), r.and_then(|d| id_of(&d))))
        .collect()
}

/// Updates found people (policy-allowed changes only) and creates the others.
pub(super) async fn write_people(api: &Api, accounts: &Companies, jobs: &mut [Job<'_>]) {
    let config = api.config();
    let changes: Vec<Option<PersonFields>> = jobs
        .iter()
        .map(|j| {
            j.found
                .as_ref()
                .filter(|_| j.active)
                .map(|f| j.item.input.policy.changes(f, &j.item.input.person))
        })
        .collect();
    let companies: Vec<String> = jobs
        .iter()
        .zip(&changes)
        .filter(|(j, _)| j.active)
        .filter_map(|(j, change)| match change {
            Some(change) => record::company(config, change),
            None => record::company(config, &j.item.input.person),
        })
        .collect();
    let account_ids = if companies.is_empty() {
        HashMap::new()
    } else {
        ensure_accounts(api, companies).await
    };
    let (updates, creates) = records(api, jobs, changes, &account_ids);
    let module = config.module.name();
    for (i, result) in bulk(api, Method::PUT, &[module], updates, &Map::new(), true).await {
        match result {
            Ok(_) => jobs[i].out.links.person = jobs[i].found.as_ref().map(|f| f.id.clone()),
            // Merged away between the read and the write: found again on the retry.
            Err(CallError::NotFound { message }) => {
                jobs[i].fail(CallError::retryable(message, None))
            }
            Err(e) => jobs[i].fail(e),
        }
    }
    let created = bulk(
        api,
        Method::POST,
        &[module, "upsert"],
        creates,
        &upsert_extra(&config.duplicate_check_fields),
        false,
    )
    .await;
    for (i, result) in created {
        match result.and_then(|r| Ok((id_of(&r)?, r["action"] != "update"))) {
            Ok((id, inserted)) => {
                jobs[i].out.created_person = inserted;
                jobs[i].out.links.person = Some(id);
            }
            Err(CallError::Conflict { existing_id, .. }) => {
                resolve_conflict(api, accounts, &mut jobs[i], existing_id).await
            }
            Err(e) => jobs[i].fail(e),
        }
    }
    for job in jobs
        .iter()
        .filter(|j| j.active && config.module == Module::Contacts)
    {
        if let Some(person) = job.person() {
            accounts.remember(person, job.account.clone());
        }
    }
}

/// A record to write for the job in that slot.
type JobRecord = (usize, Value);

/// Each going job's record: `(job, body)` updates of the people found (with their `id`), and
/// creates of the others. A found person with nothing to change is linked at once; a job whose
/// company has no account fails.
fn records(
    api: &Api,
    jobs: &mut [Job<'_>],
    changes: Vec<Option<PersonFields>>,
    account_ids: &HashMap<String, Result<String, CallError>>,
) -> (Vec<JobRecord>, Vec<JobRecord>) {
    let config = api.config();
    let mut updates = Vec::new();
    let mut creates = Vec::new();
    for (i, change) in changes.into_iter().enumerate() {
        let job = &mut jobs[i];
        if !job.active {
            continue;
        }
        let fields = change.as_ref().unwrap_or(&job.item.input.person);
        let account = match record::company(config, fields)
            .map(|c| account_ids.get(&c.to_lowercase()).cloned())
        {
            Some(Some(Ok(id))) => Some(id),
            Some(Some(Err(e))) => {
                job.fail(e);
                continue;
            }
            Some(None) => {
                job.fail(CallError::retryable(
                    "Zoho answered no account for the company",
                    None,
                ));
                continue;
            }
            None => None,
        };
        if account.is_some() {
            job.account = account.clone();
        }
        let body = record::person_body(config, fields, change.is_none(), account.as_deref());
        match (&job.found, change) {
            (Some(found), Some(_)) if body.is_empty() => {
                job.out.links.person = Some(found.id.clone())
            }
            (Some(found), Some(_)) => {
                let mut body = body;
                body.insert("id".into(), json!(found.id));
                updates.push((i, Value::Object(body)));
            }
            _ => creates.push((i, Value::Object(body))),
        }
    }
    (updates, creates)
}

/// A create refused as a duplicate of `existing`: that record is the person, brought up to
/// date under the policy, as `execute` does.
async fn resolve_conflict(api: &Api, accounts: &Companies, job: &mut Job<'_>, existing: String) {
    let input = &job.item.input;
    match ops::get(api, accounts, &existing).await {
        Ok(Some(record)) => {
            let changes = input.policy.changes(&record, &input.person);
            if !changes.is_empty()
                && let Err(e) = ops::update(api, accounts, &existing, &changes).await
            {
                return job.fail(e);
            }
            job.account = accounts.get(&existing).flatten();
            job.out.links.person = Some(existing);
        }
        Ok(None) => job.out.links.person = Some(existing),
        Err(e) => job.fail(e),
    }
}
