//! The single-lead operations behind [`CrmApi`](crate::crm::CrmApi): search by email, phone
//! or name and company (results checked exactly, as Zoho's search is loose), read, upsert with
//! the duplicate-check fields, update, and the deal, note and task.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::client::{Api, upsert_extra};
use super::config::Module;
use super::errors::id_of;
use super::record::{self, criteria_value, has_email, has_name, has_phone, oldest};
use crate::crm::kit::Companies;
use crate::crm::{DealFields, FindKey, NoteFields, PersonFields, PersonRecord, TaskFields};
use crate::outbound::CallError;

/// Every record of a search answer (`None`/204: none).
pub fn rows(answer: Option<Value>) -> Vec<Value> {
    answer
        .and_then(|mut a| a["data"].as_array_mut().map(std::mem::take))
        .unwrap_or_default()
}

/// The `criteria` finding a name (and, for leads, the company); the exact match is ours.
fn name_criteria(module: Module, first: &str, last: Option<&str>, company: &str) -> String {
    let mut parts = vec![format!("(First_Name:equals:{})", criteria_value(first))];
    if let Some(last) = last {
        parts.push(format!("(Last_Name:equals:{})", criteria_value(last)));
    }
    if module == Module::Leads {
        parts.push(format!("(Company:equals:{})", criteria_value(company)));
    }
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("({})", parts.join("and"))
    }
}

/// Finds a person by one key.
pub async fn find(
    api: &Api,
    accounts: &Companies,
    key: FindKey<'_>,
) -> Result<Option<PersonRecord>, CallError> {
    let config = api.config();
    let search = |param: &'static str, value: String| async move {
        Ok::<_, CallError>(rows(
            api.get(&[config.module.name(), "search"], &[(param, value)])
                .await?,
        ))
    };
    let found = match key {
        FindKey::Email(email) => oldest(&search("email", email.as_str().to_owned()).await?, |r| {
            has_email(r, email.as_str())
        })
        .cloned(),
        // Zoho's `phone` search compares the digits of the number as stored (see the
        // simulator's `zoho/search.rs`): E.164 finds a number stored with its country code,
        // the national form one a rep typed without it.
        FindKey::Phone(phone) => {
            let mut found = None;
            for form in [phone.as_str().to_owned(), phone.national_dialled()] {
                let rows = search("phone", form).await?;
                found = oldest(&rows, |r| has_phone(r, phone)).cloned();
                if found.is_some() {
                    break;
                }
            }
            found
        }
        FindKey::NameAndCompany {
            first,
            last,
            company,
        } => {
            let criteria = name_criteria(config.module, first, last, company);
            oldest(&search("criteria", criteria).await?, |r| {
                has_name(config, r, first, last, company)
            })
            .cloned()
        }
    };
    Ok(found.and_then(|row| {
        accounts.remember_row(&row);
        record::person(config, &row)
    }))
}

/// Reads a person by id (`None` when Zoho answers 204: deleted or merged).
pub async fn get(
    api: &Api,
    accounts: &Companies,
    id: &str,
) -> Result<Option<PersonRecord>, CallError> {
    let found = rows(api.get(&[api.config().module.name(), id], &[]).await?);
    Ok(found.first().and_then(|row| {
        accounts.remember_row(row);
        record::person(api.config(), row)
    }))
}

/// The id of the Account named `company`, created when there is none (one upsert call).
pub async fn ensure_account(api: &Api, company: &str) -> Result<String, CallError> {
    // No Owner: the upsert may match an account a rep owns.
    let account = json!({ "Account_Name": company });
    let details = api
        .write_one(
            Method::POST,
            &["Accounts", "upsert"],
            account,
            upsert_extra(&["Account_Name".to_owned()]),
            false,
        )
        .await?;
    id_of(&details)
}

/// Creates the person by upsert on the duplicate-check fields; returns the id.
pub async fn create(
    api: &Api,
    accounts: &Companies,
    p: &PersonFields,
) -> Result<String, CallError> {
    let config = api.config();
    let account = match record::company(config, p) {
        Some(company) => Some(ensure_account(api, &company).await?),
        None => None,
    };
    let body = record::person_body(config, p, true, account.as_deref());
    let details = api
        .write_one(
            Method::POST,
            &[config.module.name(), "upsert"],
            Value::Object(body),
            upsert_extra(&config.duplicate_check_fields),
            false,
        )
        .await?;
    let id = id_of(&details)?;
    if config.module == Module::Contacts {
        accounts.remember(&id, account);
    }
    Ok(id)
}

/// Writes exactly these fields to the person `id`.
pub async fn update(
    api: &Api,
    accounts: &Companies,
    id: &str,
    p: &PersonFields,
) -> Result<(), CallError> {
    let config = api.config();
    let account = match record::company(config, p) {
        Some(company) => Some(ensure_account(api, &company).await?),
        None => None,
    };
    let body = record::person_body(config, p, false, account.as_deref());
    if body.is_empty() {
        return Ok(());
    }
    api.write_one(
        Method::PUT,
        &[config.module.name(), id],
        Value::Object(body),
        Map::new(),
        true,
    )
    .await?;
    if account.is_some() {
        accounts.remember(id, account);
    }
    Ok(())
}

/// The Account of a contact (remembered, else read); `None` for leads.
async fn account_for(
    api: &Api,
    accounts: &Companies,
    person: &str,
) -> Result<Option<String>, CallError> {
    if api.config().module != Module::Contacts {
        return Ok(None);
    }
    if let Some(known) = accounts.get(person) {
        return Ok(known);
    }
    let found = rows(api.get(&["Contacts", person], &[]).await?);
    let row = found
        .first()
        .ok_or_else(|| CallError::not_found(format!("Zoho contact {person} no longer exists")))?;
    accounts.remember_row(row);
    Ok(record::account_of(row))
}

/// Creates the deal; returns its id.
pub async fn create_deal(
    api: &Api,
    accounts: &Companies,
    person: &str,
    deal: &DealFields,
) -> Result<String, CallError> {
    let account = account_for(api, accounts, person).await?;
    let web = api.web_base();
    let body = record::new_deal(
        api.config(),
        web.as_deref(),
        person,
        account.as_deref(),
        deal,
    );
    id_of(
        &api.write_one(Method::POST, &["Deals"], body, Map::new(), false)
            .await?,
    )
}

/// Brings a deal's amount and custom fields up to date (its name, stage and date are the
/// rep's).
pub async fn update_deal(api: &Api, id: &str, deal: &DealFields) -> Result<(), CallError> {
    let body = record::deal_values(api.config(), deal);
    if body.is_empty() {
        // Nothing to write; still notice a deleted deal so the sync recreates it.
        return match api.get(&["Deals", id], &[]).await? {
            Some(_) => Ok(()),
            None => Err(CallError::not_found(format!(
                "Zoho deal {id} no longer exists"
            ))),
        };
    }
    api.write_one(
        Method::PUT,
        &["Deals", id],
        Value::Object(body),
        Map::new(),
        true,
    )
    .await
    .map(drop)
}

/// Creates the conversation's note on the person; returns its id.
pub async fn create_note(api: &Api, person: &str, note: &NoteFields) -> Result<String, CallError> {
    let body = record::new_note(api.config(), person, note);
    id_of(
        &api.write_one(Method::POST, &["Notes"], body, Map::new(), false)
            .await?,
    )
}

/// Replaces a note's text.
pub async fn update_note(api: &Api, id: &str, note: &NoteFields) -> Result<(), CallError> {
    api.write_one(
        Method::PUT,
        &["Notes", id],
        record::note_update(note),
        Map::new(),
        true,
    )
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
    let body = record::new_task(api.config(), person, deal, task);
    id_of(
        &api.write_one(Method::POST, &["Tasks"], body, Map::new(), false)
            .await?,
    )
}

/// The person's deals, notes or tasks from its related lists. A Lead's deals are not linked to
/// it: they are searched by the titles `sent`, and those whose description links the Lead kept.
pub async fn attached(
    api: &Api,
    person: &str,
    kind: crate::crm::Attach,
    sent: &[String],
) -> Result<Option<Vec<crate::crm::Attached>>, CallError> {
    use crate::crm::Attach;
    let module = api.config().module;
    let (related, field) = match kind {
        Attach::Deal if module == Module::Leads => {
            let mut found = Vec::new();
            for title in sent.iter().take(3) {
                let criteria = format!("(Deal_Name:equals:{})", criteria_value(title));
                let answer = api
                    .get(&["Deals", "search"], &[("criteria", criteria)])
                    .await?;
                found.extend(
                    rows(answer)
                        .iter()
                        .filter(|r| {
                            r["Description"]
                                .as_str()
                                .is_some_and(|d| d.contains(&format!("Leads/{person}")))
                        })
                        .filter_map(|r| attached_row(r, "Deal_Name")),
                );
            }
            return Ok(Some(found));
        }
        Attach::Deal => ("Deals", "Deal_Name"),
        Attach::Note => ("Notes", "Note_Content"),
        Attach::Task => ("Tasks", "Subject"),
    };
    let query = [
        ("fields", format!("{field},Created_Time")),
        ("per_page", "200".to_owned()),
    ];
    let answer = match api.get(&[module.name(), person, related], &query).await {
        // Orgs that list tasks with events and calls name that related list `Activities`; a
        // related list an org lacks answers `INVALID_URL_PATTERN` or `INVALID_DATA`.
        Err(CallError::Permanent { message })
            if related == "Tasks"
                && ["INVALID_URL_PATTERN", "INVALID_DATA"]
                    .iter()
                    .any(|code| message.contains(code)) =>
        {
            tracing::debug!(%message, "no Tasks related list: reading Activities");
            api.get(&[module.name(), person, "Activities"], &query)
                .await?
        }
        other => other?,
    };
    let Some(answer) = answer else {
        return Ok(Some(Vec::new()));
    };
    Ok(Some(
        rows(Some(answer))
            .iter()
            .filter_map(|r| attached_row(r, field))
            .collect(),
    ))
}

/// A record of a related list or search as an attached record, its text in `field`.
fn attached_row(r: &Value, field: &str) -> Option<crate::crm::Attached> {
    Some(crate::crm::Attached {
        id: match &r["id"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        },
        text: r[field].as_str().unwrap_or_default().to_owned(),
        created_ms: crate::crm::model::timestamp_ms(&r["Created_Time"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_criteria_escape_and_leave_contacts_company_to_us() {
        assert_eq!(
            name_criteria(Module::Leads, "Anna", Some("Nowak"), "Firma (PL), Ltd"),
            r"((First_Name:equals:Anna)and(Last_Name:equals:Nowak)and(Company:equals:Firma \(PL\)\, Ltd))"
        );
        assert_eq!(
            name_criteria(Module::Contacts, "Anna", None, "Firma"),
            "(First_Name:equals:Anna)"
        );
    }
}
