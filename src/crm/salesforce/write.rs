//! Creating and updating people. A new person is an upsert on the external-id field when one
//! is configured (a retried create finds its own record), else a plain create; duplicate rules,
//! unique fields and ambiguous keys come back as conflicts naming the record. A Contact's
//! company is its Account, found by name or created in the same `/composite` call.

use serde_json::{Map, Value, json};

use super::client::{Api, Call};
use super::config::{Config, PersonObject};
use super::person;
use super::soql::eq;
use crate::crm::PersonFields;
use crate::crm::kit::Companies;
use crate::outbound::CallError;

/// The call writing a new person: `PATCH /sobjects/{Obj}/{ExtId}/{email}` with an external
/// id and an email, else `POST /sobjects/{Obj}`.
fn create_call(
    config: &Config,
    object: PersonObject,
    body: Map<String, Value>,
    p: &PersonFields,
) -> Call {
    match (&config.external_id_field, &p.email) {
        (Some(field), Some(email)) if object == config.object => Call::patch(
            &[
                "sobjects",
                object.name(),
                field,
                &email.as_str().to_lowercase(),
            ],
            Value::Object(body),
        ),
        _ => Call::post(&["sobjects", object.name()], Value::Object(body)),
    }
}

/// The `id` of a create or upsert answer.
fn id_of(body: &Value) -> Result<String, CallError> {
    body["id"].as_str().map(str::to_owned).ok_or_else(|| {
        CallError::retryable(
            format!("Salesforce answered a write without an id: {body}"),
            None,
        )
    })
}

/// The oldest Account with this name.
async fn find_account(api: &Api, name: &str) -> Result<Option<String>, CallError> {
    let soql = format!(
        "SELECT Id FROM Account WHERE {} ORDER BY CreatedDate ASC LIMIT 1",
        eq("Name", name)
    );
    let body = api.send(&Call::query(&soql)).await?;
    Ok(body["records"][0]["Id"].as_str().map(str::to_owned))
}

/// Runs `write` (a Contact create or update) with its `AccountId` set to the Account named
/// `company`, creating that Account in the same composite call when there is none. Returns
/// the write's answer and the account id.
async fn with_account(
    api: &Api,
    company: &str,
    write: impl Fn(Value) -> Call,
) -> Result<(Value, String), CallError> {
    if let Some(account) = find_account(api, company).await? {
        let answer = api.send(&write(json!(account))).await?;
        return Ok((answer, account));
    }
    let mut account = Map::new();
    account.insert("Name".into(), json!(company));
    if let Some(owner) = &api.config().owner_id {
        account.insert("OwnerId".into(), json!(owner));
    }
    let calls = [
        Call::post(&["sobjects", "Account"], Value::Object(account)),
        write(json!("@{ref0.id}")),
    ];
    let mut answers = api.composite(&calls, true).await?;
    let account = id_of(&answers[0])?;
    Ok((answers.swap_remove(1), account))
}

fn company(p: &PersonFields) -> Option<&str> {
    p.company
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// Creates the configured object for `p`; returns its id.
pub async fn create(
    api: &Api,
    accounts: &Companies,
    p: &PersonFields,
) -> Result<String, CallError> {
    let config = api.config();
    let object = config.object;
    let body = person::body(config, object, p, true);
    match (object, company(p)) {
        (PersonObject::Contact, Some(company)) => {
            let write = |account: Value| {
                let mut body = body.clone();
                body.insert("AccountId".into(), account);
                create_call(config, object, body, p)
            };
            let (answer, account) = with_account(api, company, write).await?;
            let id = id_of(&answer)?;
            accounts.remember(&id, Some(account));
            Ok(id)
        }
        _ => {
            let id = id_of(&api.send(&create_call(config, object, body, p)).await?)?;
            if object == PersonObject::Contact {
                accounts.remember(&id, None);
            }
            Ok(id)
        }
    }
}

/// Writes exactly these fields to the person `id` (a Lead or a Contact, by its prefix).
pub async fn update(
    api: &Api,
    accounts: &Companies,
    id: &str,
    p: &PersonFields,
) -> Result<(), CallError> {
    let config = api.config();
    let object = PersonObject::of_id(id).unwrap_or(config.object);
    let body = person::body(config, object, p, false);
    let path = ["sobjects", object.name(), id];
    match (object, company(p)) {
        (PersonObject::Contact, Some(company)) => {
            let write = |account: Value| {
                let mut body = body.clone();
                body.insert("AccountId".into(), account);
                Call::patch(&path, Value::Object(body))
            };
            let (_, account) = with_account(api, company, write).await?;
            accounts.remember(id, Some(account));
            Ok(())
        }
        _ if body.is_empty() => Ok(()),
        _ => api
            .send(&Call::patch(&path, Value::Object(body)))
            .await
            .map(drop),
    }
}
