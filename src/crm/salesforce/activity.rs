//! What hangs off a person: the opportunity (on the Contact's Account with a primary contact
//! role; for a Lead, unattached with the Lead's link in its description, as Salesforce links
//! opportunities to Leads only by conversion), the conversation's note (a `ContentNote` shared
//! with the person and the opportunity, or a classic `Note`) and the follow-up task (`WhoId`
//! the person, `WhatId` the opportunity where Salesforce allows it: not for Leads).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::client::{Api, Call};
use super::config::NoteObject;
use super::config::PersonObject;
use super::soql::{eq, is_api_name};
use crate::crm::kit::Companies;
use crate::crm::kit::escape::html_paragraphs;
use crate::crm::{Attach, Attached, DealFields, NoteFields, TaskFields};
use crate::outbound::CallError;

/// Longest text Salesforce keeps in a long text area (`Description`, a `Note`'s `Body`).
const LONG_TEXT: usize = 32_000;
/// A classic Note's `Title` holds 80 characters; a ContentNote's 255 (Salesforce's field
/// reference for Note and ContentNote).
const NOTE_TITLE: usize = 80;
const CONTENT_NOTE_TITLE: usize = 255;

/// `text` cut to `max` characters.
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn date(at: OffsetDateTime) -> String {
    at.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

fn at_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

fn id_of(body: &Value) -> Result<String, CallError> {
    body["id"].as_str().map(str::to_owned).ok_or_else(|| {
        CallError::retryable(
            format!("Salesforce answered a create without an id: {body}"),
            None,
        )
    })
}

/// The opportunity's amount, currency and custom fields.
fn deal_values(api: &Api, deal: &DealFields, body: &mut Map<String, Value>) {
    if let Some(owner) = &deal.owner {
        body.insert("OwnerId".into(), json!(owner));
    }
    if let Some(amount) = deal.amount {
        body.insert("Amount".into(), json!(amount));
    }
    if let (true, Some(currency)) = (api.config().opportunity.multi_currency, &deal.currency) {
        body.insert("CurrencyIsoCode".into(), json!(currency));
    }
    for (name, value) in &deal.custom {
        if is_api_name(name) && !value.is_null() {
            body.insert(name.clone(), value.clone());
        }
    }
}

/// The Account of a Contact: remembered from the read that found it, else queried.
async fn account_of(
    api: &Api,
    accounts: &Companies,
    contact: &str,
) -> Result<Option<String>, CallError> {
    if let Some(known) = accounts.get(contact) {
        return Ok(known);
    }
    let soql = format!(
        "SELECT Id, AccountId FROM Contact WHERE {} LIMIT 1",
        eq("Id", contact)
    );
    let body = api.send(&Call::query(&soql)).await?;
    let row = body["records"]
        .as_array()
        .and_then(|r| r.first())
        .ok_or_else(|| CallError::not_found(format!("Contact {contact} no longer exists")))?;
    accounts.remember_row(row);
    Ok(row["AccountId"].as_str().map(str::to_owned))
}

/// Creates the opportunity for `person`; returns its id.
pub async fn create_deal(
    api: &Api,
    accounts: &Companies,
    person: &str,
    deal: &DealFields,
) -> Result<String, CallError> {
    let config = api.config();
    let settings = &config.opportunity;
    let mut body = Map::new();
    body.insert("Name".into(), json!(cut(&deal.title, 120)));
    body.insert("StageName".into(), json!(settings.stage_name));
    body.insert(
        "CloseDate".into(),
        json!(date(
            OffsetDateTime::now_utc() + time::Duration::days(i64::from(settings.close_days))
        )),
    );
    if let Some(source) = &config.lead_source {
        body.insert("LeadSource".into(), json!(source));
    }
    if let Some(owner) = &config.owner_id {
        body.insert("OwnerId".into(), json!(owner));
    }
    deal_values(api, deal, &mut body);
    match PersonObject::of_id(person).unwrap_or(config.object) {
        PersonObject::Contact => {
            if let Some(account) = account_of(api, accounts, person).await? {
                body.insert("AccountId".into(), json!(account));
            }
            let mut role =
                json!({ "OpportunityId": "@{ref0.id}", "ContactId": person, "IsPrimary": true });
            if let Some(r) = &settings.contact_role {
                role["Role"] = json!(r);
            }
            let calls = [
                Call::post(&["sobjects", "Opportunity"], Value::Object(body)),
                Call::post(&["sobjects", "OpportunityContactRole"], role),
            ];
            id_of(&api.composite(&calls, true).await?[0])
        }
        PersonObject::Lead => {
            let link = api
                .instance_url()
                .map(|base| format!("{base}/{person}"))
                .unwrap_or_else(|| person.to_owned());
            body.insert("Description".into(), json!(format!("Chat lead: {link}")));
            id_of(
                &api.send(&Call::post(
                    &["sobjects", "Opportunity"],
                    Value::Object(body),
                ))
                .await?,
            )
        }
    }
}

/// Brings an opportunity's amount, custom fields and claimed owner up to date (name, stage
/// and close date are the rep's).
pub async fn update_deal(api: &Api, id: &str, deal: &DealFields) -> Result<(), CallError> {
    let mut body = Map::new();
    deal_values(api, deal, &mut body);
    if body.is_empty() {
        // Nothing to write; still notice a deleted opportunity so the sync recreates it.
        return api
            .send(&Call::get(&["sobjects", "Opportunity", id]).with_query("fields", "Id"))
            .await
            .map(drop);
    }
    api.send(&Call::patch(
        &["sobjects", "Opportunity", id],
        Value::Object(body),
    ))
    .await
    .map(drop)
}

/// The note as the HTML a `ContentNote` holds, base64-encoded.
fn content(body: &str) -> String {
    STANDARD.encode(html_paragraphs(body))
}

/// Creates the conversation's note on `person` (and the opportunity); returns its id.
pub async fn create_note(
    api: &Api,
    person: &str,
    deal: Option<&str>,
    note: &NoteFields,
) -> Result<String, CallError> {
    let settings = &api.config().note;
    match settings.object {
        NoteObject::Note => {
            let body = json!({ "ParentId": person, "Title": cut(&settings.title, NOTE_TITLE), "Body": cut(&note.body, LONG_TEXT) });
            id_of(&api.send(&Call::post(&["sobjects", "Note"], body)).await?)
        }
        NoteObject::ContentNote => {
            let mut calls = vec![Call::post(
                &["sobjects", "ContentNote"],
                json!({ "Title": cut(&settings.title, CONTENT_NOTE_TITLE), "Content": content(&note.body) }),
            )];
            for entity in std::iter::once(person).chain(deal) {
                let link = json!({ "ContentDocumentId": "@{ref0.id}", "LinkedEntityId": entity, "ShareType": "V", "Visibility": "AllUsers" });
                calls.push(Call::post(&["sobjects", "ContentDocumentLink"], link));
            }
            id_of(&api.composite(&calls, true).await?[0])
        }
    }
}

/// Replaces a note's text (`069…` enhanced notes, `002…` classic notes).
pub async fn update_note(api: &Api, id: &str, note: &NoteFields) -> Result<(), CallError> {
    let classic = match id.get(..3) {
        Some("002") => true,
        Some("069") => false,
        _ => api.config().note.object == NoteObject::Note,
    };
    let call = if classic {
        Call::patch(
            &["sobjects", "Note", id],
            json!({ "Body": cut(&note.body, LONG_TEXT) }),
        )
    } else {
        Call::patch(
            &["sobjects", "ContentNote", id],
            json!({ "Content": content(&note.body) }),
        )
    };
    api.send(&call).await.map(drop)
}

/// Shares a ContentNote with the opportunity; a classic Note has one parent and stays there.
pub async fn link_note(api: &Api, id: &str, deal: &str) -> Result<(), CallError> {
    if !id.starts_with("069") {
        return Ok(());
    }
    let link = json!({ "ContentDocumentId": id, "LinkedEntityId": deal, "ShareType": "V", "Visibility": "AllUsers" });
    api.send(&Call::post(&["sobjects", "ContentDocumentLink"], link))
        .await
        .map(drop)
}

/// Creates the follow-up task; returns its id.
pub async fn create_task(
    api: &Api,
    person: &str,
    deal: Option<&str>,
    task: &TaskFields,
) -> Result<String, CallError> {
    let config = api.config();
    let due = at_ms(task.due_ms);
    let mut body = json!({
        "Subject": cut(&task.subject, 255),
        "Description": cut(&task.body, LONG_TEXT),
        "ActivityDate": date(due),
        "Status": config.task.status,
        "Priority": config.task.priority,
        "WhoId": person,
    });
    // Salesforce refuses a WhatId next to a Lead WhoId.
    if let (Some(deal), Some(PersonObject::Contact)) = (deal, PersonObject::of_id(person)) {
        body["WhatId"] = json!(deal);
    }
    if let Some(owner) = &config.owner_id {
        body["OwnerId"] = json!(owner);
    }
    if config.task.reminder {
        body["IsReminderSet"] = json!(true);
        body["ReminderDateTime"] = json!(
            due.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        );
    }
    id_of(&api.send(&Call::post(&["sobjects", "Task"], body)).await?)
}

/// The rows of a query answer as attached records.
fn rows(answer: &Value, text: &str) -> Vec<Attached> {
    answer["records"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            Some(Attached {
                id: r["Id"].as_str()?.to_owned(),
                text: r[text].as_str().unwrap_or_default().to_owned(),
                created_ms: crate::crm::model::timestamp_ms(&r["CreatedDate"]),
            })
        })
        .collect()
}

/// The person's opportunities (through their contact roles), classic notes or tasks; `None`
/// for what cannot be told apart by a query (enhanced notes keep their text in a file, and a
/// Lead's opportunities are not linked to it).
pub async fn attached(
    api: &Api,
    person: &str,
    kind: Attach,
) -> Result<Option<Vec<Attached>>, CallError> {
    let who = super::soql::quote(person);
    match kind {
        Attach::Task => {
            let q = format!(
                "SELECT Id, Subject, CreatedDate FROM Task WHERE WhoId = {who} ORDER BY CreatedDate DESC LIMIT 200"
            );
            Ok(Some(rows(&api.send(&Call::query(&q)).await?, "Subject")))
        }
        Attach::Note if api.config().note.object == NoteObject::Note => {
            let q = format!(
                "SELECT Id, Body, CreatedDate FROM Note WHERE ParentId = {who} ORDER BY CreatedDate DESC LIMIT 200"
            );
            Ok(Some(rows(&api.send(&Call::query(&q)).await?, "Body")))
        }
        Attach::Note => Ok(None),
        Attach::Deal => {
            if PersonObject::of_id(person) != Some(PersonObject::Contact) {
                return Ok(None);
            }
            let q = format!(
                "SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = {who} LIMIT 200"
            );
            let roles = api.send(&Call::query(&q)).await?;
            let ids: Vec<String> = roles["records"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|r| r["OpportunityId"].as_str())
                .map(super::soql::quote)
                .collect();
            if ids.is_empty() {
                return Ok(Some(Vec::new()));
            }
            let q = format!(
                "SELECT Id, Name, CreatedDate FROM Opportunity WHERE Id IN ({})",
                ids.join(", ")
            );
            Ok(Some(rows(&api.send(&Call::query(&q)).await?, "Name")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_content_is_escaped_html_in_base64() {
        let html =
            String::from_utf8(STANDARD.decode(content("a < b & \"c\"\nnext")).unwrap()).unwrap();
        assert_eq!(html, "<p>a &lt; b &amp; &quot;c&quot;</p><p>next</p>");
    }

    #[test]
    fn dates_are_utc_days() {
        assert_eq!(date(at_ms(1_764_000_000_000)), "2025-11-24");
        assert_eq!(cut("żółw", 2), "żó");
    }
}
