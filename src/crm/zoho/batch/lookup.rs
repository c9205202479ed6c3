//! Finding the batch's people: stored ids read 100 at a time, the rest searched by email,
//! phone and name with `in` lists (matches checked exactly, as Zoho's search is loose).

use futures_util::future::join_all;
use serde_json::Value;

use super::{Job, MAX_RECORDS};
use crate::crm::kit::Companies;
use crate::crm::zoho::client::Api;
use crate::crm::zoho::config::Config;
use crate::crm::zoho::ops::{self, rows};
use crate::crm::zoho::record::{self, criteria_value, has_email, has_name, has_phone, oldest};
use crate::crm::{FindKey, PersonFields};
use crate::outbound::CallError;

/// Values per `in` condition.
const MAX_VALUES: usize = 100;
/// Characters of `criteria` per search (Zoho accepts 3,000).
const MAX_CRITERIA: usize = 2_500;
/// Pages of 200 read per search (Zoho stops at 2,000 records).
const MAX_PAGES: u32 = 10;

/// Reads the people whose id is stored: `GET /{module}?ids=…` for up to 100 at a time; an id
/// that answer leaves out is read alone (204: deleted or merged), as are all of them when
/// Zoho refuses the multi-id read.
pub(super) async fn read_stored(api: &Api, accounts: &Companies, jobs: &mut [Job<'_>]) {
    let module = api.config().module.name();
    let wanted: Vec<(usize, String)> = jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| j.active)
        .filter_map(|(i, j)| Some((i, j.item.links.person.clone()?)))
        .collect();
    let fields = record::read_fields(api.config()).join(",");
    let mut missing = Vec::new();
    for chunk in wanted.chunks(MAX_RECORDS) {
        let ids = chunk
            .iter()
            .map(|(_, id)| id.as_str())
            .collect::<Vec<_>>()
            .join(",");
        match api
            .get(
                &[module],
                &[
                    ("ids", ids),
                    ("fields", fields.clone()),
                    ("per_page", "200".to_owned()),
                ],
            )
            .await
        {
            Ok(answer) => {
                let found = rows(answer);
                for (i, id) in chunk {
                    match found
                        .iter()
                        .find(|r| record::id(r).as_deref() == Some(id.as_str()))
                    {
                        Some(row) => found_row(api, accounts, &mut jobs[*i], row),
                        None => missing.push((*i, id.clone())),
                    }
                }
            }
            // Refused (a field this org lacks, say): read them one by one instead.
            Err(CallError::Permanent { .. }) => missing.extend(chunk.iter().cloned()),
            Err(e) => chunk.iter().for_each(|(i, _)| jobs[*i].fail(e.clone())),
        }
    }
    let reads = join_all(
        missing
            .iter()
            .map(|(_, id)| async move { api.get(&[module, id], &[]).await }),
    )
    .await;
    for ((i, _), read) in missing.into_iter().zip(reads) {
        match read {
            Ok(answer) => {
                if let Some(row) = rows(answer).first() {
                    found_row(api, accounts, &mut jobs[i], row);
                }
            }
            Err(e) => jobs[i].fail(e),
        }
    }
}

/// Takes `row` as the job's person.
fn found_row(api: &Api, accounts: &Companies, job: &mut Job<'_>, row: &Value) {
    accounts.remember_row(row);
    job.account = record::account_of(row);
    job.found = record::person(api.config(), row);
}

/// `values` in groups whose `in` lists fit one criteria (`fields` conditions per value).
fn groups(values: Vec<(usize, String)>, fields: usize) -> Vec<Vec<(usize, String)>> {
    let mut out: Vec<Vec<(usize, String)>> = Vec::new();
    let mut length = 0;
    for (i, value) in values {
        let cost = (criteria_value(&value).len() + 1) * fields;
        if out
            .last()
            .is_none_or(|g| g.len() >= MAX_VALUES || length + cost > MAX_CRITERIA)
        {
            out.push(Vec::new());
            length = 0;
        }
        length += cost;
        out.last_mut().expect("a group was pushed").push((i, value));
    }
    out
}

/// Every record matching `criteria`, page by page.
async fn search(api: &Api, criteria: &str) -> Result<Vec<Value>, CallError> {
    let mut found = Vec::new();
    for page in 1..=MAX_PAGES {
        let query = [
            ("criteria", criteria.to_owned()),
            ("page", page.to_string()),
            ("per_page", "200".to_owned()),
        ];
        let answer = api
            .get(&[api.config().module.name(), "search"], &query)
            .await?;
        let more = answer
            .as_ref()
            .is_some_and(|a| a["info"]["more_records"] == true);
        found.extend(rows(answer));
        if !more {
            break;
        }
    }
    Ok(found)
}

/// One lookup round, in the order `execute` tries the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    Email,
    Phone,
    /// Name and company, by `Full_Name`.
    FullName,
    /// First name and company, for people without a last name.
    FirstName,
}

impl Round {
    /// The fields searched with `in`.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Round::Email => &["Email", "Secondary_Email"],
            Round::Phone => &["Phone", "Mobile"],
            Round::FullName => &["Full_Name"],
            Round::FirstName => &["First_Name"],
        }
    }

    /// The value a person is searched by in this round.
    fn value(self, p: &PersonFields) -> Option<String> {
        match self {
            Round::Email => p.email.as_ref().map(|e| e.as_str().to_owned()),
            Round::Phone => p.phone.as_ref().map(|e| e.as_str().to_owned()),
            Round::FullName => {
                p.company.as_ref()?;
                Some(format!(
                    "{} {}",
                    p.first_name.as_deref()?,
                    p.last_name.as_deref()?
                ))
            }
            Round::FirstName => (p.company.is_some() && p.last_name.is_none())
                .then(|| p.first_name.clone())
                .flatten(),
        }
    }

    /// The same lookup for one person, as `execute` makes it.
    fn key(self, p: &PersonFields) -> Option<FindKey<'_>> {
        match self {
            Round::Email => p.email.as_ref().map(FindKey::Email),
            Round::Phone => p.phone.as_ref().map(FindKey::Phone),
            Round::FullName | Round::FirstName => Some(FindKey::NameAndCompany {
                first: p.first_name.as_deref()?,
                last: p.last_name.as_deref(),
                company: p.company.as_deref()?,
            }),
        }
    }

    /// Whether `row` is exactly this person by this round's key.
    fn matches(self, config: &Config, p: &PersonFields, row: &Value) -> bool {
        match self.key(p) {
            Some(FindKey::Email(email)) => has_email(row, email.as_str()),
            Some(FindKey::Phone(phone)) => has_phone(row, phone),
            Some(FindKey::NameAndCompany {
                first,
                last,
                company,
            }) => has_name(config, row, first, last, company),
            None => false,
        }
    }
}

/// One lookup round: the values of the people still unfound, searched with `in` lists, each
/// person taking the oldest record that matches exactly. When Zoho refuses a list search (more
/// than 2,000 records match, a field it cannot search), those people are looked up one by one.
async fn look_up(api: &Api, accounts: &Companies, jobs: &mut [Job<'_>], round: Round) {
    let wanted: Vec<(usize, String)> = jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| j.active && j.found.is_none())
        .filter_map(|(i, j)| Some((i, round.value(&j.item.input.person)?)))
        .collect();
    let fields = round.fields();
    for group in groups(wanted, fields.len()) {
        let list = group
            .iter()
            .map(|(_, v)| criteria_value(v))
            .collect::<Vec<_>>()
            .join(",");
        let conditions: Vec<String> = fields.iter().map(|f| format!("({f}:in:{list})")).collect();
        let criteria = if conditions.len() == 1 {
            conditions[0].clone()
        } else {
            format!("({})", conditions.join("or"))
        };
        match search(api, &criteria).await {
            Ok(found) => {
                for (i, _) in group {
                    if let Some(row) = oldest(&found, |r| {
                        round.matches(api.config(), &jobs[i].item.input.person, r)
                    }) {
                        found_row(api, accounts, &mut jobs[i], row);
                    }
                }
            }
            Err(CallError::Permanent { message }) => {
                tracing::debug!(?round, %message, "zoho refused a list search: looking up one by one");
                for (i, _) in group {
                    let item = jobs[i].item;
                    let Some(key) = round.key(&item.input.person) else {
                        continue;
                    };
                    match ops::find(api, accounts, key).await {
                        Ok(found) => {
                            jobs[i].account =
                                found.as_ref().and_then(|f| accounts.get(&f.id).flatten());
                            jobs[i].found = found;
                        }
                        Err(e) => jobs[i].fail(e),
                    }
                }
            }
            Err(e) => group.into_iter().for_each(|(i, _)| jobs[i].fail(e.clone())),
        }
    }
}

/// Looks the unfound people up by email, then phone, then name and company.
pub(super) async fn find_people(api: &Api, accounts: &Companies, jobs: &mut [Job<'_>]) {
    for round in [
        Round::Email,
        Round::Phone,
        Round::FullName,
        Round::FirstName,
    ] {
        look_up(api, accounts, jobs, round).await;
        if round == Round::Phone {
            look_up_national_phones(api, accounts, jobs).await;
        }
    }
}

/// `in` lists compare the text of a phone field, so a number a rep typed without its country
/// code ("(415) 555-0134") is not among them: each lead still unfound is looked up by its
/// national form with `phone=`, which compares digits (as the single path does).
async fn look_up_national_phones(api: &Api, accounts: &Companies, jobs: &mut [Job<'_>]) {
    for job in jobs.iter_mut() {
        if !job.active || job.found.is_some() {
            continue;
        }
        let Some(phone) = job.item.input.person.phone.clone() else {
            continue;
        };
        let query = [("phone", phone.national_dialled())];
        match api
            .get(&[api.config().module.name(), "search"], &query)
            .await
        {
            Ok(answer) => {
                if let Some(row) = oldest(&rows(answer), |r| has_phone(r, &phone)) {
                    found_row(api, accounts, job, row);
                }
            }
            Err(e) => job.fail(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_lists_are_split_by_count_and_length() {
        let values: Vec<(usize, String)> = (0..250)
            .map(|i| (i, format!("lead{i}@example.com")))
            .collect();
        let split = groups(values, 2);
        assert!(split.iter().all(|g| g.len() <= MAX_VALUES));
        assert!(
            split
                .iter()
                .all(|g| g.iter().map(|(_, v)| (v.len() + 1) * 2).sum::<usize>() <= MAX_CRITERIA)
        );
        assert_eq!(split.iter().map(Vec::len).sum::<usize>(), 250);
        assert_eq!(split[0][0].0, 0, "order is kept");
    }
}
