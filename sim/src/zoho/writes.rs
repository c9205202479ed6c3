//! The write engine behind insert, update and upsert: per-record validation, lookups,
//! unique fields and Zoho's per-record answers. The HTTP status is 201 (insert) or 200 when all
//! records succeed, 400 when all fail, 207 when mixed.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::errors::ZError;
use super::model::{self, Kind, Module, complete, display_name, lookup_id, success_details};
use super::state::Zoho;
use crate::shared::http::json;
use crate::shared::store::{Record, Tables};

/// At most this many records per write.
const MAX_RECORDS: usize = 100;

/// What a write does with each record.
#[derive(Debug, Clone)]
pub(crate) enum Mode {
    Insert,
    /// Update; the id comes from the path or from each record's `id`.
    Update(Option<String>),
    /// Upsert matching on these fields, in order.
    Upsert(Vec<String>),
}

pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ZError> {
    serde_json::from_slice(body).map_err(|_| ZError::malformed())
}

fn data(body: &Value) -> Result<&Vec<Value>, ZError> {
    let data = body["data"].as_array().ok_or_else(|| {
        ZError::new(
            "MANDATORY_NOT_FOUND",
            "required field not found",
            json!({"api_name": "data", "json_path": "$.data"}),
        )
    })?;
    if data.len() > MAX_RECORDS {
        return Err(ZError::new(
            "LIMIT_EXCEEDED",
            format!("Maximum of {MAX_RECORDS} records can be processed in a single request"),
            json!({"limit": MAX_RECORDS}),
        ));
    }
    Ok(data)
}

fn module_of_parent(parent: &Value, fields: &Map<String, Value>) -> Option<String> {
    parent["module"]["api_name"]
        .as_str()
        .or_else(|| parent["module"].as_str())
        .or_else(|| fields.get("$se_module").and_then(Value::as_str))
        .or_else(|| fields.get("se_module").and_then(Value::as_str))
        .map(str::to_owned)
}

/// Check every lookup points at an existing record and store it as `{"id","name"}`
/// (`Parent_Id` of notes as `{"module","id","name"}`); returns the linked `(module, id)`s.
fn resolve_lookups(
    tables: &Tables,
    module: &Module,
    fields: &mut Map<String, Value>,
    index: usize,
) -> Result<Vec<(&'static str, String)>, ZError> {
    let mut links = Vec::new();
    if module.name == "Notes"
        && let Some(parent) = fields.get("Parent_Id").cloned()
    {
        let target = module_of_parent(&parent, fields)
            .and_then(|m| model::module(&m))
            .ok_or_else(|| ZError::mandatory("$se_module", index))?;
        let id = lookup_id(&parent)
            .ok_or_else(|| ZError::invalid("Parent_Id", index, Some("lookup")))?;
        let record = tables
            .get(target.name, &id)
            .ok_or_else(|| ZError::invalid("Parent_Id", index, None))?;
        fields.insert(
            "Parent_Id".into(),
            json!({"module": {"api_name": target.name, "id": target.id}, "id": id, "name": display_name(target.name, record)}),
        );
        fields.remove("se_module");
        fields.insert("$se_module".into(), json!(target.name));
        links.push((target.name, id));
    }
    for (name, kind) in module.fields {
        let Kind::Lookup(targets) = kind else {
            continue;
        };
        let Some(id) = fields.get(*name).and_then(lookup_id) else {
            continue;
        };
        let candidates: Vec<&'static str> = if targets.is_empty() {
            let named = fields
                .get("$se_module")
                .and_then(Value::as_str)
                .and_then(model::module)
                .ok_or_else(|| ZError::mandatory("$se_module", index))?;
            vec![named.name]
        } else {
            targets.to_vec()
        };
        let found = candidates
            .iter()
            .find_map(|target| tables.get(target, &id).map(|r| (*target, r)));
        let Some((target, record)) = found else {
            return Err(ZError::invalid(name, index, None));
        };
        fields.insert(
            (*name).to_owned(),
            json!({"id": id, "name": display_name(target, record)}),
        );
        links.push((target, id));
    }
    Ok(links)
}

fn check_unique(
    zoho: &Zoho,
    tables: &Tables,
    module: &Module,
    fields: &Map<String, Value>,
    own_id: Option<&str>,
    index: usize,
) -> Result<(), ZError> {
    for field in zoho.schema.unique_fields(module.name) {
        let Some(value) = fields
            .get(field)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        let clash = tables
            .find(module.name, |r| {
                Some(r.id.as_str()) != own_id
                    && r.value(field)
                        .as_str()
                        .is_some_and(|held| held.eq_ignore_ascii_case(value))
            })
            .next();
        if let Some(clash) = clash {
            return Err(ZError::new(
                "DUPLICATE_DATA",
                "duplicate data",
                json!({
                    "api_name": field,
                    "json_path": format!("$.data[{index}].{field}"),
                    "duplicate_record": {
                        "id": clash.id,
                        "module": {"api_name": module.name, "id": module.id},
                        "Owner": model::owner(),
                    },
                }),
            ));
        }
    }
    Ok(())
}

fn success(record: &Record, message: &str) -> Value {
    json!({"code": "SUCCESS", "details": success_details(record), "message": message, "status": "success"})
}

fn insert_one(
    zoho: &Zoho,
    tables: &mut Tables,
    module: &Module,
    mut fields: Map<String, Value>,
    index: usize,
) -> Result<Record, ZError> {
    let links = resolve_lookups(tables, module, &mut fields, index)?;
    super::users::resolve_owner(zoho, &mut fields, index)?;
    check_unique(zoho, tables, module, &fields, None, index)?;
    complete(module, &mut fields);
    fields.insert("Modified_By".into(), model::owner());
    let record = Record::new(zoho.next_id(), fields);
    let id = record.id.clone();
    zoho.hooks.note(module, &id, "insert", Vec::new());
    tables.insert(module.name, record);
    for (target, other) in links {
        tables.link((module.name, &id), (target, &other));
    }
    tables
        .get(module.name, &id)
        .cloned()
        .ok_or_else(|| ZError::invalid("id", index, None))
}

/// Update record `id`; `modified_by` is the user making the change.
pub(crate) fn update_one(
    zoho: &Zoho,
    tables: &mut Tables,
    module: &Module,
    id: &str,
    mut fields: Map<String, Value>,
    index: usize,
    modified_by: Value,
) -> Result<Record, ZError> {
    if tables.get(module.name, id).is_none() {
        return Err(ZError::new(
            "INVALID_DATA",
            "the id given seems to be invalid",
            json!({"api_name": "id", "json_path": format!("$.data[{index}].id")}),
        ));
    }
    let links = resolve_lookups(tables, module, &mut fields, index)?;
    super::users::resolve_owner(zoho, &mut fields, index)?;
    check_unique(zoho, tables, module, &fields, Some(id), index)?;
    let record = tables
        .get_mut(module.name, id)
        .ok_or_else(|| ZError::invalid("id", index, None))?;
    let changed: Vec<String> = fields
        .iter()
        .filter(|(name, value)| record.fields.get(*name) != Some(*value))
        .map(|(name, _)| name.clone())
        .collect();
    record.fields.extend(fields);
    complete(module, &mut record.fields);
    record.fields.insert("Modified_By".into(), modified_by);
    record.updated_at = OffsetDateTime::now_utc();
    let record = record.clone();
    zoho.hooks.note(module, id, "update", changed);
    for (target, other) in links {
        tables.link((module.name, id), (target, &other));
    }
    Ok(record)
}

fn upsert_one(
    zoho: &Zoho,
    tables: &mut Tables,
    module: &Module,
    input: &Value,
    fields: Map<String, Value>,
    check_fields: &[String],
    index: usize,
) -> Result<Value, ZError> {
    let existing = check_fields.iter().find_map(|field| {
        let value = fields
            .get(field)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())?;
        tables
            .find(module.name, |r| {
                r.value(field)
                    .as_str()
                    .is_some_and(|held| held.eq_ignore_ascii_case(value))
            })
            .next()
            .map(|r| (field.clone(), r.id.clone()))
    });
    let (record, action, duplicate_field) = match existing {
        Some((field, id)) => (
            update_one(zoho, tables, module, &id, fields, index, model::owner())?,
            "update",
            json!(field),
        ),
        None => {
            let fields = model::clean(&zoho.schema, module, input, index, true, |_| None)?;
            (
                insert_one(zoho, tables, module, fields, index)?,
                "insert",
                Value::Null,
            )
        }
    };
    let message = if action == "insert" {
        "record added"
    } else {
        "record updated"
    };
    let mut item = success(&record, message);
    item["action"] = json!(action);
    item["duplicate_field"] = duplicate_field;
    Ok(item)
}

fn write_one(
    zoho: &Zoho,
    tables: &mut Tables,
    module: &Module,
    mode: &Mode,
    input: &Value,
    index: usize,
) -> Result<Value, ZError> {
    let rejected = |fields: &Map<String, Value>| zoho.core.faults.rejected_value(fields);
    match mode {
        Mode::Insert => {
            let fields = model::clean(&zoho.schema, module, input, index, true, rejected)?;
            Ok(success(
                &insert_one(zoho, tables, module, fields, index)?,
                "record added",
            ))
        }
        Mode::Update(path_id) => {
            let id = path_id
                .clone()
                .or_else(|| lookup_id(&input["id"]))
                .ok_or_else(|| ZError::mandatory("id", index))?;
            let fields = model::clean(&zoho.schema, module, input, index, false, rejected)?;
            Ok(success(
                &update_one(zoho, tables, module, &id, fields, index, model::owner())?,
                "record updated",
            ))
        }
        Mode::Upsert(check_fields) => {
            let fields = model::clean(&zoho.schema, module, input, index, false, rejected)?;
            upsert_one(zoho, tables, module, input, fields, check_fields, index)
        }
    }
}

/// Run a write over `data` and build Zoho's answer.
pub(crate) fn write(
    zoho: &Zoho,
    module: &Module,
    mode: Mode,
    body: &[u8],
    ok: StatusCode,
) -> Result<Response, ZError> {
    let body = parse_body(body)?;
    let inputs = data(&body)?;
    if let Mode::Upsert(fields) = &mode
        && let Some(unknown) = fields
            .iter()
            .find(|f| !zoho.schema.has_field(module.name, f))
    {
        return Err(ZError::new(
            "INVALID_DATA",
            "invalid data",
            json!({"api_name": unknown, "json_path": "$.duplicate_check_fields"}),
        ));
    }
    let failing = usize::try_from(zoho.core.faults.take_batch_failures()).unwrap_or(usize::MAX);
    let items: Vec<Result<Value, ZError>> = zoho.core.store.write(|tables| {
        inputs
            .iter()
            .enumerate()
            .map(|(index, input)| {
                if index < failing {
                    return Err(ZError::invalid("id", index, None));
                }
                write_one(zoho, tables, module, &mode, input, index)
            })
            .collect()
    });
    let failures = items.iter().filter(|i| i.is_err()).count();
    let status = match failures {
        0 => ok,
        n if n == items.len() => StatusCode::BAD_REQUEST,
        _ => StatusCode::MULTI_STATUS,
    };
    let data: Vec<Value> = items
        .into_iter()
        .map(|item| item.unwrap_or_else(|error| error.body()))
        .collect();
    Ok(json(status, &json!({ "data": data })))
}

/// A user's edit of deal `id` in Zoho CRM's web app (see `ZohoSim::crm_user_changes_deal`).
pub(crate) fn ui_update(
    zoho: &Zoho,
    id: &str,
    fields: Map<String, Value>,
) -> Result<Record, crate::UiChangeError> {
    let deals = model::module("Deals").ok_or_else(|| crate::UiChangeError::NotFound(id.into()))?;
    let refused = |e: ZError| crate::UiChangeError::Refused(format!("{}: {}", e.code, e.details));
    let fields = model::clean(
        &zoho.schema,
        deals,
        &Value::Object(fields),
        0,
        false,
        |_| None,
    )
    .map_err(refused)?;
    let rep = &zoho.options.sales_rep;
    let modified_by = json!({"name": rep.name, "id": rep.id, "email": rep.email});
    zoho.core.store.write(|tables| {
        if tables.get(deals.name, id).is_none() {
            return Err(crate::UiChangeError::NotFound(id.to_owned()));
        }
        update_one(zoho, tables, deals, id, fields, 0, modified_by).map_err(refused)
    })
}
