//! Finding and reading people. Email and name+company are SOQL equality queries (Salesforce
//! compares text without case); the phone is a SOSL phone search, whose loose matches are then
//! checked digit by digit. With `object = "Lead"` and `match_contacts`, Leads are searched
//! first and Contacts second, in one `/composite` call; a converted Lead leads to its Contact.

use serde_json::Value;

use super::client::{Api, Call};
use super::config::{Config, PersonObject};
use super::person;
use super::soql::{eq, search_term};
use crate::crm::kit::Companies;
use crate::crm::{FindKey, PersonRecord};
use crate::lead::PhoneE164;
use crate::outbound::CallError;

/// The objects searched, in order of preference.
fn objects(config: &Config) -> Vec<PersonObject> {
    match config.object {
        PersonObject::Lead if config.match_contacts => {
            vec![PersonObject::Lead, PersonObject::Contact]
        }
        object => vec![object],
    }
}

/// The fields of a person query, without `SELECT` and `FROM`.
fn field_list(config: &Config, object: PersonObject) -> String {
    let select = person::select(config, object);
    select
        .trim_start_matches("SELECT ")
        .trim_end_matches(&format!(" FROM {}", object.name()))
        .to_owned()
}

/// Unconverted Leads only: a converted Lead lives on as its Contact.
fn open_only(object: PersonObject) -> &'static str {
    match object {
        PersonObject::Lead => " AND IsConverted = false",
        PersonObject::Contact => "",
    }
}

/// The oldest person of `object` matching `condition`.
fn oldest(config: &Config, object: PersonObject, condition: &str) -> String {
    format!(
        "{} WHERE ({condition}){} ORDER BY CreatedDate ASC LIMIT 1",
        person::select(config, object),
        open_only(object)
    )
}

/// The condition for an email: the `Email` field, or the external id holding it.
fn email_condition(config: &Config, object: PersonObject, email: &str) -> String {
    let mut condition = eq("Email", email);
    if let (Some(field), true) = (&config.external_id_field, object == config.object) {
        condition = format!("{condition} OR {}", eq(field, &email.to_lowercase()));
    }
    condition
}

fn name_condition(object: PersonObject, first: &str, last: Option<&str>, company: &str) -> String {
    let mut parts = vec![eq("FirstName", first)];
    if let Some(last) = last {
        parts.push(eq("LastName", last));
    }
    parts.push(match object {
        PersonObject::Lead => eq("Company", company),
        PersonObject::Contact => eq("Account.Name", company),
    });
    parts.join(" AND ")
}

/// The SOSL term for a phone: the number in E.164 and as dialled at home, OR-ed. SOSL's phone
/// search compares digits, not formatting, but a number stored without its country code only
/// has the national digits (see `sim/src/salesforce/sosl.rs` for what Salesforce documents).
fn phone_term(phone: &PhoneE164) -> String {
    let mut forms = vec![phone.as_str().to_owned(), phone.national_dialled()];
    if phone.national_number() != phone.national_dialled() {
        forms.push(phone.national_number().to_owned());
    }
    forms
        .iter()
        .map(|f| search_term(f))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Runs one query per object (in one call) and returns the first person found.
async fn first_of(
    api: &Api,
    accounts: &Companies,
    queries: Vec<(PersonObject, String)>,
) -> Result<Option<PersonRecord>, CallError> {
    let calls: Vec<Call> = queries.iter().map(|(_, soql)| Call::query(soql)).collect();
    let bodies = api.composite(&calls, false).await?;
    for ((object, _), body) in queries.iter().zip(&bodies) {
        if let Some(row) = body["records"].as_array().and_then(|r| r.first()) {
            accounts.remember_row(row);
            return Ok(person::record(api.config(), *object, row));
        }
    }
    Ok(None)
}

/// Finds a person by one key.
pub async fn find(
    api: &Api,
    accounts: &Companies,
    key: FindKey<'_>,
) -> Result<Option<PersonRecord>, CallError> {
    let config = api.config();
    let objects = objects(config);
    match key {
        FindKey::Email(email) => {
            let queries = objects
                .iter()
                .map(|o| {
                    (
                        *o,
                        oldest(config, *o, &email_condition(config, *o, email.as_str())),
                    )
                })
                .collect();
            first_of(api, accounts, queries).await
        }
        FindKey::NameAndCompany {
            first,
            last,
            company,
        } => {
            let queries = objects
                .iter()
                .map(|o| {
                    (
                        *o,
                        oldest(config, *o, &name_condition(*o, first, last, company)),
                    )
                })
                .collect();
            first_of(api, accounts, queries).await
        }
        FindKey::Phone(phone) => find_by_phone(api, accounts, phone).await,
    }
}

/// Finds a person by phone: a SOSL phone search for the number's international and national
/// forms, each number it returns then read in the phone's region and compared, Leads before
/// Contacts.
async fn find_by_phone(
    api: &Api,
    accounts: &Companies,
    phone: &PhoneE164,
) -> Result<Option<PersonRecord>, CallError> {
    let config = api.config();
    let objects = objects(config);
    let returning: Vec<String> = objects
        .iter()
        .map(|o| {
            let filter = open_only(*o).trim_start_matches(" AND ");
            let filter = if filter.is_empty() {
                String::new()
            } else {
                format!(" WHERE {filter}")
            };
            format!(
                "{}({}{filter} ORDER BY CreatedDate ASC LIMIT 20)",
                o.name(),
                field_list(config, *o)
            )
        })
        .collect();
    let sosl = format!(
        "FIND {{{}}} IN PHONE FIELDS RETURNING {}",
        phone_term(phone),
        returning.join(", ")
    );
    let body = api
        .send(&Call::get(&["search"]).with_query("q", &sosl))
        .await?;
    let rows = body["searchRecords"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let matches = |row: &&Value| {
        ["Phone", "MobilePhone"]
            .iter()
            .any(|f| row[f].as_str().is_some_and(|v| phone.same_as(v)))
    };
    for object in objects {
        let found = rows
            .iter()
            .filter(|r| r["attributes"]["type"] == object.name())
            .find(matches);
        if let Some(row) = found {
            accounts.remember_row(row);
            return Ok(person::record(config, object, row));
        }
    }
    Ok(None)
}

/// Reads a person by id (`None` when deleted or merged away). A converted Lead answers with
/// the Contact it became.
pub async fn get(
    api: &Api,
    accounts: &Companies,
    id: &str,
) -> Result<Option<PersonRecord>, CallError> {
    let config = api.config();
    let object = PersonObject::of_id(id).unwrap_or(config.object);
    let soql = format!(
        "{} WHERE {} LIMIT 1",
        person::select(config, object),
        eq("Id", id)
    );
    let body = api.send(&Call::query(&soql)).await?;
    let Some(row) = body["records"].as_array().and_then(|r| r.first()) else {
        return Ok(None);
    };
    if object == PersonObject::Lead
        && row["IsConverted"] == true
        && let Some(contact) = row["ConvertedContactId"].as_str().filter(|c| !c.is_empty())
    {
        let soql = format!(
            "{} WHERE {} LIMIT 1",
            person::select(config, PersonObject::Contact),
            eq("Id", contact)
        );
        let body = api.send(&Call::query(&soql)).await?;
        let row = body["records"].as_array().and_then(|r| r.first());
        return Ok(row.and_then(|row| {
            accounts.remember_row(row);
            person::record(config, PersonObject::Contact, row)
        }));
    }
    accounts.remember_row(row);
    Ok(person::record(config, object, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_searched_in_their_international_and_national_forms() {
        let us = PhoneE164::parse("+14155550123", None).unwrap();
        assert_eq!(phone_term(&us), r"\+14155550123 OR 4155550123");
        let gb = PhoneE164::parse("+441614960000", None).unwrap();
        assert_eq!(
            phone_term(&gb),
            r"\+441614960000 OR 01614960000 OR 1614960000"
        );
    }

    #[test]
    fn queries_quote_every_value() {
        let config = Config {
            external_id_field: Some("Chat_Lead_Key__c".into()),
            ..Config::default()
        };
        let soql = oldest(
            &config,
            PersonObject::Lead,
            &email_condition(&config, PersonObject::Lead, "O'Hara@Example.com"),
        );
        assert!(soql.ends_with(r"WHERE (Email = 'O\'Hara@Example.com' OR Chat_Lead_Key__c = 'o\'hara@example.com') AND IsConverted = false ORDER BY CreatedDate ASC LIMIT 1"), "{soql}");
        let name = name_condition(PersonObject::Contact, r"D'Arcy \ Jr", None, "Acme");
        assert_eq!(
            name,
            r"FirstName = 'D\'Arcy \\ Jr' AND Account.Name = 'Acme'"
        );
    }
}
