//! The batch's deals, notes and tasks: stored ones updated in bulk (a deleted one is created
//! again), missing ones created in bulk.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Job, bulk};
use crate::crm::zoho::client::Api;
use crate::crm::zoho::errors::id_of;
use crate::crm::zoho::record;
use crate::outbound::CallError;

/// Updates stored deals (a deleted one is created again) and creates the missing ones.
pub(super) async fn deals(api: &Api, jobs: &mut [Job<'_>]) {
    let config = api.config();
    let mut updates = Vec::new();
    for (i, job) in jobs.iter().enumerate().filter(|(_, j)| j.active) {
        if let (Some(deal), Some(id)) = (&job.item.input.deal, &job.out.links.deal) {
            let mut body = record::deal_values(config, deal);
            if !body.is_empty() {
                body.insert("id".into(), json!(id));
                updates.push((i, Value::Object(body)));
            }
        }
    }
    let mut recreate = Vec::new();
    for (i, result) in bulk(api, Method::PUT, &["Deals"], updates, &Map::new(), true).await {
        match result {
            Ok(_) => {}
            Err(CallError::NotFound { .. }) => recreate.push(i),
            Err(e) => jobs[i].fail(e),
        }
    }
    let web = api.web_base();
    let creates: Vec<(usize, Value)> = jobs
        .iter()
        .enumerate()
        .filter(|(i, j)| j.active && (j.out.links.deal.is_none() || recreate.contains(i)))
        .filter_map(|(i, j)| {
            Some((
                i,
                record::new_deal(
                    config,
                    web.as_deref(),
                    j.person()?,
                    j.account.as_deref(),
                    j.item.input.deal.as_ref()?,
                ),
            ))
        })
        .collect();
    for (i, result) in bulk(api, Method::POST, &["Deals"], creates, &Map::new(), false).await {
        match result.and_then(|d| id_of(&d)) {
            Ok(id) => jobs[i].out.links.deal = Some(id),
            Err(e) => jobs[i].fail(e),
        }
    }
}

/// Updates stored notes (a deleted one is created again) and creates the missing ones.
pub(super) async fn notes(api: &Api, jobs: &mut [Job<'_>]) {
    let updates: Vec<(usize, Value)> = jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| j.active)
        .filter_map(|(i, j)| {
            let mut body = record::note_update(&j.item.input.note);
            body["id"] = json!(j.out.links.note.as_ref()?);
            Some((i, body))
        })
        .collect();
    let mut recreate = Vec::new();
    for (i, result) in bulk(api, Method::PUT, &["Notes"], updates, &Map::new(), true).await {
        match result {
            Ok(_) => {}
            Err(CallError::NotFound { .. }) => recreate.push(i),
            Err(e) => jobs[i].fail(e),
        }
    }
    let config = api.config();
    let creates: Vec<(usize, Value)> = jobs
        .iter()
        .enumerate()
        .filter(|(i, j)| j.active && (j.out.links.note.is_none() || recreate.contains(i)))
        .filter_map(|(i, j)| Some((i, record::new_note(config, j.person()?, &j.item.input.note))))
        .collect();
    for (i, result) in bulk(api, Method::POST, &["Notes"], creates, &Map::new(), false).await {
        match result.and_then(|d| id_of(&d)) {
            Ok(id) => jobs[i].out.links.note = Some(id),
            Err(e) => jobs[i].fail(e),
        }
    }
}

/// Creates the follow-up tasks not made yet.
pub(super) async fn tasks(api: &Api, jobs: &mut [Job<'_>]) {
    let config = api.config();
    let creates: Vec<(usize, Value)> = jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| j.active && j.out.links.task.is_none())
        .filter_map(|(i, j)| {
            Some((
                i,
                record::new_task(
                    config,
                    j.person()?,
                    j.out.links.deal.as_deref(),
                    j.item.input.task.as_ref()?,
                ),
            ))
        })
        .collect();
    for (i, result) in bulk(api, Method::POST, &["Tasks"], creates, &Map::new(), false).await {
        match result.and_then(|d| id_of(&d)) {
            Ok(id) => jobs[i].out.links.task = Some(id),
            Err(e) => jobs[i].fail(e),
        }
    }
}
