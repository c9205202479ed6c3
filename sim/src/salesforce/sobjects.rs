//! sObject rows: create, read, update, delete, upsert and read by external id, with the checks
//! Salesforce makes inside the save (references, unique fields, duplicate rules).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::api::{Answer, Call};
use super::errors::SfError;
use super::ids;
use super::model::{self, SObject, attributes, object_of, record_url, render, sobject};
use super::state::Salesforce;
use crate::shared::store::{Record, Tables};

/// The sObject a path names, or 404.
pub(crate) fn find_object(name: &str) -> Result<&'static SObject, SfError> {
    sobject(name).ok_or_else(SfError::not_found)
}

fn body(call: &Call) -> Result<&Value, SfError> {
    call.body
        .as_ref()
        .ok_or_else(|| SfError::parser("No content to map due to end-of-input"))
}

fn clean(
    sf: &Salesforce,
    object: &SObject,
    call: &Call,
    creating: bool,
) -> Result<Map<String, Value>, SfError> {
    model::clean(&sf.schema, object, body(call)?, creating, |fields| {
        sf.core.faults.rejected_value(fields)
    })
}

/// `(field, referenced object, id)` for every non-empty reference in `fields`.
fn references<'a>(
    object: &SObject,
    fields: &'a Map<String, Value>,
) -> Vec<(&'static str, &'a str)> {
    object
        .references
        .iter()
        .filter_map(|(field, _)| {
            let id = fields.get(*field)?.as_str().filter(|id| !id.is_empty())?;
            Some((*field, id))
        })
        .collect()
}

fn check_references(
    sf: &Salesforce,
    tables: &Tables,
    object: &SObject,
    fields: &Map<String, Value>,
) -> Result<(), SfError> {
    for (field, id) in references(object, fields) {
        let allowed = object
            .references
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, targets)| *targets)
            .unwrap_or_default();
        let target = object_of(id);
        let type_ok = target.is_some_and(|t| allowed.is_empty() || allowed.contains(&t));
        if !type_ok {
            return Err(SfError::fields(
                "FIELD_INTEGRITY_EXCEPTION",
                format!("{field}: id value of incorrect type: {id}"),
                &[field],
            ));
        }
        let exists = match target {
            // The org's users: the integration user and the sales rep. An `OwnerId` naming
            // anyone else fails the save as any reference to a missing record does.
            Some("User") => id == sf.user_id || id == sf.rep_user_id,
            Some(target) => tables.get(target, id).is_some(),
            None => false,
        };
        if !exists {
            return Err(SfError::fields(
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                &[],
            ));
        }
    }
    if object.name == "Task"
        && fields
            .get("WhoId")
            .and_then(Value::as_str)
            .is_some_and(|who| object_of(who) == Some("Lead"))
        && fields
            .get("WhatId")
            .and_then(Value::as_str)
            .is_some_and(|w| !w.is_empty())
    {
        return Err(SfError::fields(
            "FIELD_INTEGRITY_EXCEPTION",
            "Only Contact may be specified as the Who when a What is provided; a Lead Who cannot have a What",
            &["WhatId"],
        ));
    }
    Ok(())
}

fn same_text(record: &Record, field: &str, value: &str) -> bool {
    record
        .value(field)
        .as_str()
        .is_some_and(|held| held.eq_ignore_ascii_case(value))
}

fn check_unique(
    sf: &Salesforce,
    tables: &Tables,
    object: &SObject,
    fields: &Map<String, Value>,
    own_id: Option<&str>,
) -> Result<(), SfError> {
    for field in sf.schema.unique_fields(object.name) {
        let Some(value) = fields
            .get(field)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        let clash = tables
            .find(object.name, |r| {
                Some(r.id.as_str()) != own_id && same_text(r, field, value)
            })
            .next();
        if let Some(clash) = clash {
            return Err(SfError::fields(
                "DUPLICATE_VALUE",
                format!(
                    "duplicate value found: {field} duplicates value on record with id: {}",
                    clash.id
                ),
                &[],
            ));
        }
    }
    Ok(())
}

fn check_duplicate_rule(
    tables: &Tables,
    object: &SObject,
    fields: &Map<String, Value>,
    own_id: Option<&str>,
    version: &str,
) -> Result<(), SfError> {
    if !matches!(object.name, "Lead" | "Contact") {
        return Ok(());
    }
    let Some(email) = fields
        .get("Email")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
    else {
        return Ok(());
    };
    let matches: Vec<Value> = tables
        .find(object.name, |r| {
            Some(r.id.as_str()) != own_id && same_text(r, "Email", email)
        })
        .map(|r| {
            json!({
                "additionalInformation": [],
                "fieldDiffs": [],
                "matchConfidence": 100.0,
                "record": {"attributes": attributes(version, object.name, &r.id), "Id": r.id},
            })
        })
        .collect();
    if matches.is_empty() {
        return Ok(());
    }
    let message = "Use one of these records?";
    let body = json!([{
        "duplicateResult": {
            "allowSave": true,
            "duplicateRule": format!("Standard_{}_Duplicate_Rule", object.name),
            "duplicateRuleEntityType": object.name,
            "errorMessage": message,
            "matchResults": [{
                "entityType": object.name,
                "errors": [],
                "matchEngine": "FuzzyMatchEngine",
                "matchRecords": matches,
                "rule": format!("Standard_{}_Match_Rule_v1_0", object.name),
                "size": matches.len(),
                "success": true,
            }],
        },
        "errorCode": "DUPLICATES_DETECTED",
        "message": message,
    }]);
    Err(SfError {
        status: StatusCode::BAD_REQUEST,
        body,
    })
}

fn check_save(
    sf: &Salesforce,
    tables: &Tables,
    object: &SObject,
    fields: &Map<String, Value>,
    own_id: Option<&str>,
    call: &Call,
) -> Result<(), SfError> {
    check_references(sf, tables, object, fields)?;
    check_unique(sf, tables, object, fields, own_id)?;
    if sf.options.duplicate_rules && !call.allow_save {
        check_duplicate_rule(tables, object, fields, own_id, &call.version)?;
    }
    Ok(())
}

/// Record the associations a record's references imply (both directions); a
/// `ContentDocumentLink` also links the note to the entity it is shared with.
pub(crate) fn link_references(
    tables: &mut Tables,
    object: &SObject,
    id: &str,
    fields: &Map<String, Value>,
) {
    for (_, target_id) in references(object, fields) {
        if let Some(target) = object_of(target_id).filter(|t| *t != "User") {
            tables.link((object.name, id), (target, target_id));
        }
    }
    if object.name == "ContentDocumentLink" {
        let document = fields.get("ContentDocumentId").and_then(Value::as_str);
        let entity = fields.get("LinkedEntityId").and_then(Value::as_str);
        if let (Some(document), Some(entity)) = (document, entity)
            && let Some(target) = object_of(entity)
        {
            tables.link(("ContentNote", document), (target, entity));
        }
    }
}

/// Insert a validated record; returns its id.
pub(crate) fn insert(
    sf: &Salesforce,
    tables: &mut Tables,
    object: &SObject,
    mut fields: Map<String, Value>,
    call: &Call,
) -> Result<String, SfError> {
    check_save(sf, tables, object, &fields, None, call)?;
    model::complete(object, &mut fields, &sf.user_id, true);
    let record = Record::new(sf.next_id(object.prefix), fields);
    let id = record.id.clone();
    let fields = record.fields.clone();
    tables.insert(object.name, record);
    link_references(tables, object, &id, &fields);
    Ok(id)
}

/// Apply validated changes to an existing record.
pub(crate) fn apply(
    sf: &Salesforce,
    tables: &mut Tables,
    object: &SObject,
    id: &str,
    fields: Map<String, Value>,
    call: &Call,
) -> Result<(), SfError> {
    let current = tables.get(object.name, id).ok_or_else(SfError::not_found)?;
    let mut merged = current.fields.clone();
    merged.extend(fields.clone());
    check_save(sf, tables, object, &merged, Some(id), call)?;
    model::complete(object, &mut merged, &sf.user_id, false);
    // Every write moves LastModifiedDate and SystemModstamp and names its user
    // (<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm>);
    // writes through the API are the integration user's.
    merged.insert("LastModifiedById".into(), json!(sf.user_id));
    let record = tables
        .get_mut(object.name, id)
        .ok_or_else(SfError::not_found)?;
    record.fields = merged;
    record.updated_at = OffsetDateTime::now_utc();
    link_references(tables, object, id, &fields);
    Ok(())
}

fn created(call: &Call, object: &SObject, id: &str, upsert: bool) -> Answer {
    let mut body = json!({"id": id, "success": true, "errors": []});
    if upsert {
        body["created"] = json!(true);
    }
    let mut answer = Answer::json(StatusCode::CREATED, body);
    answer.location = Some(record_url(&call.version, object.name, id));
    answer
}

/// `POST /sobjects/{Obj}`.
pub(crate) fn create(
    sf: &Salesforce,
    tables: &mut Tables,
    call: &Call,
    object: &str,
) -> Result<Answer, SfError> {
    let object = find_object(object)?;
    let fields = clean(sf, object, call, true)?;
    let id = insert(sf, tables, object, fields, call)?;
    Ok(created(call, object, &id, false))
}

fn normalise_id(id: &str) -> Result<String, SfError> {
    ids::to_18(id).ok_or_else(|| {
        SfError::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_ID",
            format!("Provided external ID field does not exist or is not accessible: {id}"),
        )
    })
}

/// `GET /sobjects/{Obj}/{id}`.
pub(crate) fn read(
    sf: &Salesforce,
    tables: &Tables,
    call: &Call,
    object: &str,
    id: &str,
) -> Result<Answer, SfError> {
    let object = find_object(object)?;
    let id = normalise_id(id)?;
    let record = tables
        .get(object.name, &id)
        .ok_or_else(SfError::not_found)?;
    Ok(Answer::json(
        StatusCode::OK,
        render(&sf.schema, object, record, &call.version, &sf.user_id),
    ))
}

/// `PATCH /sobjects/{Obj}/{id}` → 204.
pub(crate) fn update(
    sf: &Salesforce,
    tables: &mut Tables,
    call: &Call,
    object: &str,
    id: &str,
) -> Result<Answer, SfError> {
    let object = find_object(object)?;
    let id = normalise_id(id)?;
    let fields = clean(sf, object, call, false)?;
    apply(sf, tables, object, &id, fields, call)?;
    Ok(Answer::empty(StatusCode::NO_CONTENT))
}

/// `DELETE /sobjects/{Obj}/{id}` → 204.
pub(crate) fn delete(tables: &mut Tables, object: &str, id: &str) -> Result<Answer, SfError> {
    let object = find_object(object)?;
    let id = normalise_id(id)?;
    tables
        .remove(object.name, &id)
        .ok_or_else(SfError::not_found)?;
    Ok(Answer::empty(StatusCode::NO_CONTENT))
}

/// Ids of records whose external-id `field` equals `value` (case-insensitive).
fn matching(
    sf: &Salesforce,
    tables: &Tables,
    object: &SObject,
    field: &str,
    value: &str,
) -> Result<Vec<String>, SfError> {
    if field.eq_ignore_ascii_case("Id") {
        let id = normalise_id(value)?;
        return Ok(tables
            .get(object.name, &id)
            .map(|r| r.id.clone())
            .into_iter()
            .collect());
    }
    if !sf.schema.is_external_id(object.name, field) {
        return Err(SfError::not_found());
    }
    let field = sf.schema.field(object.name, field).unwrap_or(field);
    Ok(tables
        .find(object.name, |r| same_text(r, field, value))
        .map(|r| r.id.clone())
        .collect())
}

fn multiple_choices(call: &Call, object: &SObject, ids: &[String]) -> Answer {
    let urls: Vec<Value> = ids
        .iter()
        .map(|id| json!(record_url(&call.version, object.name, id)))
        .collect();
    Answer::json(StatusCode::MULTIPLE_CHOICES, Value::Array(urls))
}

/// Upsert one record by external id; the answer body is Salesforce's `UpsertResult`.
pub(crate) fn upsert_fields(
    sf: &Salesforce,
    tables: &mut Tables,
    call: &Call,
    object: &SObject,
    field: &str,
    value: &str,
    mut fields: Map<String, Value>,
) -> Result<Answer, SfError> {
    let found = matching(sf, tables, object, field, value)?;
    match found.as_slice() {
        [] if field.eq_ignore_ascii_case("Id") || call.query.flag("updateOnly") => {
            Err(SfError::not_found())
        }
        [] => {
            let canonical = sf
                .schema
                .field(object.name, field)
                .unwrap_or(field)
                .to_owned();
            fields.insert(canonical, json!(value));
            let missing: Vec<&str> = object
                .required
                .iter()
                .copied()
                .filter(|f| {
                    fields
                        .get(*f)
                        .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
                })
                .collect();
            if !missing.is_empty() {
                return Err(SfError::fields(
                    "REQUIRED_FIELD_MISSING",
                    format!("Required fields are missing: [{}]", missing.join(", ")),
                    &missing,
                ));
            }
            let id = insert(sf, tables, object, fields, call)?;
            Ok(created(call, object, &id, true))
        }
        [id] => {
            apply(sf, tables, object, id, fields, call)?;
            Ok(Answer::json(
                StatusCode::OK,
                json!({"id": id, "success": true, "errors": [], "created": false}),
            ))
        }
        many => Ok(multiple_choices(call, object, many)),
    }
}

/// `PATCH /sobjects/{Obj}/{ExtField}/{value}`: 201 created, 200 updated, 300 ambiguous, 404
/// when the field is not an external id.
pub(crate) fn upsert(
    sf: &Salesforce,
    tables: &mut Tables,
    call: &Call,
    object: &str,
    field: &str,
    value: &str,
) -> Result<Answer, SfError> {
    let object = find_object(object)?;
    let fields = clean(sf, object, call, false)?;
    upsert_fields(sf, tables, call, object, field, value, fields)
}

/// `GET /sobjects/{Obj}/{ExtField}/{value}`.
pub(crate) fn read_by_external(
    sf: &Salesforce,
    tables: &Tables,
    call: &Call,
    object: &str,
    field: &str,
    value: &str,
) -> Result<Answer, SfError> {
    let object = find_object(object)?;
    let found = matching(sf, tables, object, field, value)?;
    match found.as_slice() {
        [] => Err(SfError::not_found()),
        [id] => {
            let record = tables.get(object.name, id).ok_or_else(SfError::not_found)?;
            Ok(Answer::json(
                StatusCode::OK,
                render(&sf.schema, object, record, &call.version, &sf.user_id),
            ))
        }
        many => Ok(multiple_choices(call, object, many)),
    }
}

/// `GET /sobjects/{Obj}/describe`: the field list.
pub(crate) fn describe(sf: &Salesforce, object: &str) -> Result<Answer, SfError> {
    let object = find_object(object)?;
    let fields: Vec<Value> = sf
        .schema
        .fields(object.name)
        .iter()
        .map(|name| {
            json!({
                "name": name,
                "externalId": sf.schema.is_external_id(object.name, name),
                "unique": sf.schema.is_unique(object.name, name),
                "nillable": !object.required.contains(&name.as_str()),
                "createable": !model::SYSTEM_FIELDS.contains(&name.as_str()) && !object.read_only.contains(&name.as_str()),
            })
        })
        .collect();
    Ok(Answer::json(
        StatusCode::OK,
        json!({"name": object.name, "keyPrefix": object.prefix, "fields": fields}),
    ))
}

/// A user's edit of Opportunity `id` in Salesforce's UI (see
/// `SalesforceSim::crm_user_changes_deal`): validated as the API validates it, then stamped
/// with the rep as `LastModifiedById`.
pub(crate) fn ui_update(
    sf: &Salesforce,
    id: &str,
    fields: Map<String, Value>,
) -> Result<Record, crate::UiChangeError> {
    let refused = |e: SfError| crate::UiChangeError::Refused(e.body.to_string());
    let object = find_object("Opportunity").map_err(refused)?;
    let id = normalise_id(id).map_err(refused)?;
    let fields = model::clean(&sf.schema, object, &Value::Object(fields), false, |_| None)
        .map_err(refused)?;
    let call = Call {
        method: axum::http::Method::PATCH,
        segments: Vec::new(),
        query: crate::shared::http::Params::default(),
        body: None,
        allow_save: true,
        version: "v62.0".into(),
    };
    sf.core.store.write(|tables| {
        if tables.get(object.name, &id).is_none() {
            return Err(crate::UiChangeError::NotFound(id.clone()));
        }
        apply(sf, tables, object, &id, fields, &call).map_err(refused)?;
        let record = tables
            .get_mut(object.name, &id)
            .ok_or_else(|| crate::UiChangeError::NotFound(id.clone()))?;
        record
            .fields
            .insert("LastModifiedById".into(), json!(sf.rep_user_id));
        Ok(record.clone())
    })
}
