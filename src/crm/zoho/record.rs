//! Zoho records as leadgate sees them: a lead or contact as a [`PersonRecord`] (placeholders
//! count as empty), the bodies that write people, deals, notes and tasks, and the exact
//! matching Zoho's loose search needs (its `equals` behaves like `contains`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::config::{Config, Module, is_api_name};
use crate::crm::kit::escape::backslashed;
use crate::crm::{DealFields, Field, NoteFields, PersonFields, PersonRecord, TaskFields};
use crate::lead::PhoneE164;

/// Longest text leadgate writes into a note or description.
const LONG_TEXT: usize = 32_000;

/// `text` cut to `max` characters.
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A JSON value as the text the overwrite policy compares (`60`, not `60.0`).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The job-title field of a module.
fn title_field(module: Module) -> &'static str {
    match module {
        Module::Leads => "Designation",
        Module::Contacts => "Title",
    }
}

/// The fields [`person`] reads, for calls that must name them.
pub fn read_fields(config: &Config) -> Vec<String> {
    let company = match config.module {
        Module::Leads => "Company",
        Module::Contacts => "Account_Name",
    };
    let mut fields: Vec<String> = [
        "First_Name",
        "Last_Name",
        "Email",
        "Secondary_Email",
        "Phone",
        "Mobile",
        company,
        title_field(config.module),
    ]
    .iter()
    .map(|f| (*f).to_owned())
    .collect();
    fields.extend(config.fields.names().into_iter().map(str::to_owned));
    fields
}

/// A record's id as a string.
pub fn id(row: &Value) -> Option<String> {
    row["id"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| row["id"].as_u64().map(|n| n.to_string()))
}

/// A contact row as `(contact, its account)`, for the account cache.
pub fn contact_account(row: &Value) -> Option<(String, Option<String>)> {
    Some((id(row)?, account_of(row)))
}

/// The Account a Contact row points to.
pub fn account_of(row: &Value) -> Option<String> {
    id(&row["Account_Name"])
}

/// A lead or contact row as a person; `None` without an id.
pub fn person(config: &Config, row: &Value) -> Option<PersonRecord> {
    let id = id(row)?;
    let placeholder = config.placeholder.trim();
    let real = |v: &Value| text(v).filter(|t| t != placeholder);
    let mut values = BTreeMap::new();
    let mut put = |field: Field, value: Option<String>| {
        if let Some(v) = value {
            values.insert(field, v);
        }
    };
    put(Field::Email, text(&row["Email"]));
    put(
        Field::Phone,
        text(&row["Phone"]).or_else(|| text(&row["Mobile"])),
    );
    put(Field::FirstName, text(&row["First_Name"]));
    put(Field::LastName, real(&row["Last_Name"]));
    put(Field::JobTitle, text(&row[title_field(config.module)]));
    put(Field::Owner, self::id(&row["Owner"]));
    put(
        Field::Company,
        match config.module {
            Module::Leads => real(&row["Company"]),
            Module::Contacts => text(&row["Account_Name"]["name"]),
        },
    );
    for name in config.fields.names() {
        put(Field::Custom(name.to_owned()), text(&row[name]));
    }
    Some(PersonRecord { id, values })
}

/// The record writing `p`: only the fields given, never an empty value. Creating adds what
/// Zoho requires (placeholders), `Lead_Source` and `Owner`. A contact's company is its
/// `account` (an Accounts id), never text.
pub fn person_body(
    config: &Config,
    p: &PersonFields,
    creating: bool,
    account: Option<&str>,
) -> Map<String, Value> {
    let mut body = Map::new();
    let mut set = |name: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            body.insert(name.to_owned(), json!(v));
        }
    };
    set("First_Name", p.first_name.as_deref());
    set("Last_Name", p.last_name.as_deref());
    set("Email", p.email.as_ref().map(|e| e.as_str()));
    set("Phone", p.phone.as_ref().map(|e| e.as_str()));
    set(title_field(config.module), p.job_title.as_deref());
    match config.module {
        Module::Leads => set("Company", p.company.as_deref()),
        Module::Contacts => {
            if let Some(account) = account {
                body.insert("Account_Name".into(), json!({ "id": account }));
            }
        }
    }
    if let Some(owner) = &p.owner {
        body.insert("Owner".into(), json!({ "id": owner }));
    }
    if creating {
        body.entry("Last_Name")
            .or_insert_with(|| json!(config.placeholder));
        if config.module == Module::Leads {
            body.entry("Company")
                .or_insert_with(|| json!(config.placeholder));
        }
        if let Some(source) = &config.lead_source {
            body.insert("Lead_Source".into(), json!(source));
        }
        if let Some(owner) = &config.owner_id {
            body.entry("Owner")
                .or_insert_with(|| json!({ "id": owner }));
        }
    }
    for (name, value) in &p.custom {
        if is_api_name(name) && !value.is_null() {
            body.insert(name.clone(), value.clone());
        }
    }
    body
}

/// The company a person write needs an account for (contacts only).
pub fn company(config: &Config, p: &PersonFields) -> Option<String> {
    (config.module == Module::Contacts)
        .then(|| {
            p.company
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
        })
        .flatten()
}

fn date(at: OffsetDateTime) -> String {
    at.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// A deal's amount, currency, custom fields and claimed owner (what an update keeps current).
pub fn deal_values(config: &Config, deal: &DealFields) -> Map<String, Value> {
    let mut body = Map::new();
    if let Some(owner) = &deal.owner {
        body.insert("Owner".into(), json!({ "id": owner }));
    }
    if let Some(amount) = deal.amount {
        body.insert("Amount".into(), json!(amount));
    }
    if let (true, Some(currency)) = (config.deal.multi_currency, &deal.currency) {
        body.insert("Currency".into(), json!(currency));
    }
    for (name, value) in &deal.custom {
        if is_api_name(name) && !value.is_null() {
            body.insert(name.clone(), value.clone());
        }
    }
    body
}

/// A new deal for `person`. Deals link to Contacts and Accounts; a lead's deal names the lead
/// (its link under `web`, the CRM's web address) in its description, as Zoho links deals to
/// leads only by conversion.
pub fn new_deal(
    config: &Config,
    web: Option<&str>,
    person: &str,
    account: Option<&str>,
    deal: &DealFields,
) -> Value {
    let mut body = deal_values(config, deal);
    body.insert("Deal_Name".into(), json!(cut(&deal.title, 120)));
    body.insert("Stage".into(), json!(config.deal.stage));
    body.insert(
        "Closing_Date".into(),
        json!(date(
            OffsetDateTime::now_utc() + time::Duration::days(i64::from(config.deal.close_days))
        )),
    );
    if let Some(pipeline) = &config.deal.pipeline {
        body.insert("Pipeline".into(), json!(pipeline));
    }
    if let Some(source) = &config.lead_source {
        body.insert("Lead_Source".into(), json!(source));
    }
    if let Some(owner) = &config.owner_id {
        body.entry("Owner")
            .or_insert_with(|| json!({ "id": owner }));
    }
    match config.module {
        Module::Contacts => {
            body.insert("Contact_Name".into(), json!({ "id": person }));
            if let Some(account) = account {
                body.insert("Account_Name".into(), json!({ "id": account }));
            }
        }
        Module::Leads => {
            let link = web
                .map(|base| format!("{base}/tab/Leads/{person}"))
                .unwrap_or_else(|| format!("Leads/{person}"));
            body.insert("Description".into(), json!(format!("Chat lead: {link}")));
        }
    }
    Value::Object(body)
}

/// A new note on the person.
pub fn new_note(config: &Config, person: &str, note: &NoteFields) -> Value {
    json!({
        "Note_Title": cut(&config.note.title, 120),
        "Note_Content": cut(&note.body, LONG_TEXT),
        "Parent_Id": { "module": { "api_name": config.module.name() }, "id": person },
    })
}

/// A note's new text.
pub fn note_update(note: &NoteFields) -> Value {
    json!({ "Note_Content": cut(&note.body, LONG_TEXT) })
}

/// A new follow-up task: a contact is its `Who_Id` and the deal its `What_Id`; a lead is the
/// `What_Id` (Zoho's `Who_Id` takes contacts only).
pub fn new_task(config: &Config, person: &str, deal: Option<&str>, task: &TaskFields) -> Value {
    let due = OffsetDateTime::from_unix_timestamp_nanos(i128::from(task.due_ms) * 1_000_000)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    let mut body = json!({
        "Subject": cut(&task.subject, 255),
        "Description": cut(&task.body, LONG_TEXT),
        "Due_Date": date(due),
        "Status": config.task.status,
        "Priority": config.task.priority,
    });
    match (config.module, deal) {
        (Module::Leads, _) => {
            body["What_Id"] = json!({ "id": person });
            body["$se_module"] = json!("Leads");
        }
        (Module::Contacts, deal) => {
            body["Who_Id"] = json!({ "id": person });
            if let Some(deal) = deal {
                body["What_Id"] = json!({ "id": deal });
                body["$se_module"] = json!("Deals");
            }
        }
    }
    if let Some(owner) = &config.owner_id {
        body["Owner"] = json!({ "id": owner });
    }
    body
}

/// A value inside `criteria`: backslash, parentheses and commas escaped, as Zoho documents.
pub fn criteria_value(value: &str) -> String {
    backslashed(value, "\\(),")
}

/// Whether two texts are the same value (trimmed, any case).
pub fn same_text(held: &Value, wanted: &str) -> bool {
    held.as_str()
        .is_some_and(|h| h.trim().eq_ignore_ascii_case(wanted.trim()))
}

/// Whether a stored number (any format; without a country code, read in the number's region)
/// is `wanted`.
pub fn same_phone(held: &Value, wanted: &PhoneE164) -> bool {
    held.as_str().is_some_and(|h| wanted.same_as(h))
}

/// Whether a row has this email (in either email field).
pub fn has_email(row: &Value, email: &str) -> bool {
    same_text(&row["Email"], email) || same_text(&row["Secondary_Email"], email)
}

/// Whether a row has this phone (in either phone field).
pub fn has_phone(row: &Value, phone: &PhoneE164) -> bool {
    same_phone(&row["Phone"], phone) || same_phone(&row["Mobile"], phone)
}

/// Whether a row is this name at this company (a missing last name matches any).
pub fn has_name(
    config: &Config,
    row: &Value,
    first: &str,
    last: Option<&str>,
    company: &str,
) -> bool {
    let company_held = match config.module {
        Module::Leads => &row["Company"],
        Module::Contacts => &row["Account_Name"]["name"],
    };
    same_text(&row["First_Name"], first)
        && last.is_none_or(|l| same_text(&row["Last_Name"], l))
        && same_text(company_held, company)
}

/// The oldest of `rows` matching `test` (Zoho ids grow with time).
pub fn oldest<'a>(
    rows: impl IntoIterator<Item = &'a Value>,
    test: impl Fn(&Value) -> bool,
) -> Option<&'a Value> {
    rows.into_iter()
        .filter(|r| test(r))
        .min_by_key(|r| id(r).map(|id| (id.len(), id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::zoho::config::CustomFields;

    fn config(module: Module) -> Config {
        Config {
            module,
            fields: CustomFields {
                score: Some("Chat_Score".into()),
                ..CustomFields::default()
            },
            ..Config::default()
        }
    }

    #[test]
    fn rows_become_people_without_placeholders() {
        let row = json!({"id": "5725767000000000001", "First_Name": "Anna", "Last_Name": "[not provided]", "Company": "[not provided]", "Mobile": "+48601234567", "Designation": "CTO", "Chat_Score": 60.0});
        let p = person(&config(Module::Leads), &row).unwrap();
        assert_eq!(p.values.get(&Field::LastName), None);
        assert_eq!(p.values.get(&Field::Company), None);
        assert_eq!(p.values[&Field::Phone], "+48601234567");
        assert_eq!(p.values[&Field::JobTitle], "CTO");
        assert_eq!(p.values[&Field::Custom("Chat_Score".into())], "60");
        let contact =
            json!({"id": "2", "Last_Name": "Nowak", "Account_Name": {"id": "9", "name": "Firma"}});
        assert_eq!(
            person(&config(Module::Contacts), &contact).unwrap().values[&Field::Company],
            "Firma"
        );
        assert_eq!(account_of(&contact).as_deref(), Some("9"));
    }

    #[test]
    fn tasks_follow_zohos_who_and_what() {
        let task = TaskFields {
            subject: "Call".into(),
            body: "b".into(),
            due_ms: 1_893_456_000_000,
        };
        let lead = new_task(&config(Module::Leads), "1", Some("7"), &task);
        assert_eq!(lead["What_Id"]["id"], "1");
        assert_eq!(lead["$se_module"], "Leads");
        assert_eq!(lead["Due_Date"], "2030-01-01");
        let contact = new_task(&config(Module::Contacts), "2", Some("7"), &task);
        assert_eq!(contact["Who_Id"]["id"], "2");
        assert_eq!(contact["What_Id"]["id"], "7");
        assert_eq!(contact["$se_module"], "Deals");
    }

    #[test]
    fn criteria_values_are_escaped_and_matches_are_exact() {
        assert_eq!(
            criteria_value(r"Nowak, Kowalski (PL) \ Co"),
            r"Nowak\, Kowalski \(PL\) \\ Co"
        );
        let row =
            json!({"First_Name": "Anna", "Last_Name": "Nowak", "Company": "Firma Sp. z o.o."});
        let config = config(Module::Leads);
        assert!(has_name(
            &config,
            &row,
            "anna",
            Some("NOWAK"),
            "firma sp. z o.o."
        ));
        assert!(has_name(&config, &row, "Anna", None, "Firma Sp. z o.o."));
        assert!(
            !has_name(&config, &row, "Anna", None, "Firma"),
            "Zoho's equals is contains; ours is not"
        );
        let berlin = PhoneE164::parse("+49301234567", None).unwrap();
        assert!(same_phone(&json!("030 1234567"), &berlin));
        assert!(!same_phone(&json!("+49301234568"), &berlin));
        assert!(
            !same_phone(&json!("1234567"), &berlin),
            "not a suffix match"
        );
    }
}
