//! Composite resources: `/composite` (≤ 25 subrequests, `allOrNone`, `@{ref.path}`
//! references), `/composite/graph` (each graph all-or-nothing) and sObject Collections
//! (`/composite/sobjects` create/update, `/composite/sobjects/{Obj}/{ExtField}` upsert).
//! Each counts as one API request. `Faults::fail_batch_items(k)` fails the first `k`
//! subrequests or records.

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::api::{Answer, Call, dispatch, segments};
use super::errors::SfError;
use super::model;
use super::sobjects::{self, find_object, upsert_fields};
use super::state::Salesforce;
use crate::shared::http::Params;
use crate::shared::store::Tables;

/// At most this many subrequests per `/composite` call.
const MAX_SUBREQUESTS: usize = 25;
/// At most this many records per collection call.
const MAX_RECORDS: usize = 200;
/// Headers a subrequest may not set.
const FORBIDDEN_HEADERS: &[&str] = &["accept", "authorization", "content-type"];

fn halted(message: &str) -> Answer {
    SfError::new(StatusCode::BAD_REQUEST, "PROCESSING_HALTED", message).into()
}

fn rolled_back() -> Answer {
    halted(
        "The transaction was rolled back since another operation in the same transaction failed.",
    )
}

fn injected(index: usize) -> SfError {
    SfError::fields(
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        format!("Simulated failure of item {index}"),
        &[],
    )
}

fn body_of(call: &Call) -> Result<&Value, SfError> {
    call.body
        .as_ref()
        .ok_or_else(|| SfError::parser("No content to map due to end-of-input"))
}

/// Follow `records[0].Id`-style paths inside a result body.
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |current, part| {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let field = if name.is_empty() {
            current
        } else {
            current.get(name)?
        };
        match index {
            Some(i) => field.get(i),
            None => Some(field),
        }
    })
}

/// Replace every `@{ref.path}` in `text`; `Err(reference)` names the first unresolved one.
fn substitute(text: &str, results: &Map<String, Value>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("@{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| after.to_owned())?;
        let reference = &after[..end];
        let (name, path) = reference.split_once('.').unwrap_or((reference, ""));
        let value = results
            .get(name)
            .and_then(|body| {
                if path.is_empty() {
                    Some(body)
                } else {
                    lookup(body, path)
                }
            })
            .ok_or_else(|| reference.to_owned())?;
        match value {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn substitute_value(value: &Value, results: &Map<String, Value>) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(substitute(s, results)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| substitute_value(i, results))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), substitute_value(v, results)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// A subrequest turned into a [`Call`], or the answer that refuses it.
fn subcall(parent: &Call, sub: &Value, results: &Map<String, Value>) -> Result<Call, Answer> {
    let reference_error = |reference: String| {
        let name = reference.split('.').next().unwrap_or_default().to_owned();
        halted(&format!(
            "Invalid reference specified. No value for {reference} found in {name}. Provided referenceId ('@{{{reference}}}') may be wrong, or the referenced object was not created."
        ))
    };
    let url =
        substitute(sub["url"].as_str().unwrap_or_default(), results).map_err(reference_error)?;
    let body = match sub.get("body").filter(|b| !b.is_null()) {
        Some(body) => Some(substitute_value(body, results).map_err(reference_error)?),
        None => None,
    };
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let mut parts = segments(path).into_iter();
    let (Some(services), Some(data), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(SfError::not_found().into());
    };
    if services != "services" || data != "data" || !version.starts_with('v') {
        return Err(SfError::not_found().into());
    }
    let segments: Vec<String> = parts.collect();
    if segments.first().is_some_and(|s| s == "composite") {
        return Err(SfError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "Composite requests cannot be nested",
        )
        .into());
    }
    let method = sub["method"]
        .as_str()
        .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
        .unwrap_or(Method::GET);
    let allow_save = sub["httpHeaders"]["Sforce-Duplicate-Rule-Header"]
        .as_str()
        .map(|v| v.to_ascii_lowercase().contains("allowsave=true"))
        .unwrap_or(parent.allow_save);
    Ok(Call {
        method,
        segments,
        query: Params::parse(query),
        body,
        allow_save,
        version,
    })
}

fn check_subrequests(subs: &[Value]) -> Result<(), SfError> {
    let mut seen = Vec::new();
    for sub in subs {
        let (Some(_), Some(_), Some(reference)) = (
            sub["method"].as_str(),
            sub["url"].as_str(),
            sub["referenceId"].as_str(),
        ) else {
            return Err(SfError::parser(
                "Each subrequest needs method, url and referenceId",
            ));
        };
        if seen.contains(&reference) {
            return Err(SfError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                format!("Duplicate referenceId provided in the request: {reference}"),
            ));
        }
        seen.push(reference);
        if let Some(headers) = sub["httpHeaders"].as_object()
            && let Some(header) = headers
                .keys()
                .find(|h| FORBIDDEN_HEADERS.contains(&h.to_ascii_lowercase().as_str()))
        {
            return Err(SfError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                format!("Header {header} is not allowed in a composite subrequest"),
            ));
        }
    }
    Ok(())
}

/// Run subrequests in order; returns the `compositeResponse` entries and whether all
/// succeeded. With `all_or_none`, the first failure rolls every change back.
fn run_subrequests(
    sf: &Salesforce,
    tables: &mut Tables,
    parent: &Call,
    subs: &[Value],
    all_or_none: bool,
) -> Result<(Vec<Value>, bool), SfError> {
    check_subrequests(subs)?;
    let snapshot = all_or_none.then(|| tables.clone());
    let failing = usize::try_from(sf.core.faults.take_batch_failures()).unwrap_or(usize::MAX);
    let mut results = Map::new();
    let mut answers: Vec<Answer> = Vec::new();
    let mut first_failure = None;
    for (index, sub) in subs.iter().enumerate() {
        let answer = if all_or_none && first_failure.is_some() {
            rolled_back()
        } else if index < failing {
            injected(index).into()
        } else {
            match subcall(parent, sub, &results) {
                Ok(call) => dispatch(sf, tables, &call),
                Err(refused) => refused,
            }
        };
        if answer.failed() {
            first_failure.get_or_insert(index);
        } else {
            let reference = sub["referenceId"].as_str().unwrap_or_default().to_owned();
            results.insert(reference, answer.body.clone().unwrap_or(json!({})));
        }
        answers.push(answer);
    }
    if let (Some(failed), Some(snapshot)) = (first_failure, snapshot) {
        *tables = snapshot;
        for (index, answer) in answers.iter_mut().enumerate() {
            if index != failed {
                *answer = rolled_back();
            }
        }
    }
    let entries = subs
        .iter()
        .zip(answers)
        .map(|(sub, answer)| {
            let headers = answer
                .location
                .map(|location| json!({ "Location": location }))
                .unwrap_or(json!({}));
            json!({
                "body": answer.body.unwrap_or(Value::Null),
                "httpHeaders": headers,
                "httpStatusCode": answer.status.as_u16(),
                "referenceId": sub["referenceId"],
            })
        })
        .collect();
    Ok((entries, first_failure.is_none()))
}

/// `POST /composite`.
pub(crate) fn composite(
    sf: &Salesforce,
    tables: &mut Tables,
    call: &Call,
) -> Result<Answer, SfError> {
    let body = body_of(call)?;
    let subs = body["compositeRequest"]
        .as_array()
        .ok_or_else(|| SfError::parser("compositeRequest is required"))?;
    if subs.len() > MAX_SUBREQUESTS {
        return Err(SfError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            format!("Composite requests may have at most {MAX_SUBREQUESTS} subrequests"),
        ));
    }
    let all_or_none = body["allOrNone"].as_bool().unwrap_or(false);
    let (entries, _) = run_subrequests(sf, tables, call, subs, all_or_none)?;
    Ok(Answer::json(
        StatusCode::OK,
        json!({ "compositeResponse": entries }),
    ))
}

/// `POST /composite/graph`.
pub(crate) fn graph(sf: &Salesforce, tables: &mut Tables, call: &Call) -> Result<Answer, SfError> {
    let body = body_of(call)?;
    let graphs = body["graphs"]
        .as_array()
        .ok_or_else(|| SfError::parser("graphs is required"))?;
    let mut out = Vec::new();
    for graph in graphs {
        let subs = graph["compositeRequest"]
            .as_array()
            .ok_or_else(|| SfError::parser("compositeRequest is required in each graph"))?;
        let (entries, ok) = run_subrequests(sf, tables, call, subs, true)?;
        out.push(json!({
            "graphId": graph["graphId"],
            "graphResponse": {"compositeResponse": entries},
            "isSuccessful": ok,
        }));
    }
    Ok(Answer::json(StatusCode::OK, json!({ "graphs": out })))
}

/// A `SaveResult` error entry from an [`SfError`].
fn save_error(error: &SfError) -> Value {
    let first = &error.body[0];
    json!({
        "statusCode": first["errorCode"],
        "message": first["message"],
        "fields": first.get("fields").cloned().unwrap_or(json!([])),
    })
}

fn collection_item(
    sf: &Salesforce,
    tables: &mut Tables,
    call: &Call,
    record: &Value,
    upsert_key: Option<(&str, &str)>,
) -> Result<Value, SfError> {
    let type_name = record["attributes"]["type"]
        .as_str()
        .or(upsert_key.map(|(object, _)| object))
        .ok_or_else(|| SfError::fields("INVALID_TYPE", "Each record needs attributes.type", &[]))?;
    let object = find_object(type_name)?;
    let mut body = record.clone();
    let id = body
        .as_object_mut()
        .and_then(|b| b.remove("id").or_else(|| b.remove("Id")));
    let item_call = Call {
        body: Some(body),
        ..call.clone()
    };
    let creating = call.method == Method::POST;
    let fields = model::clean(
        &sf.schema,
        object,
        item_call.body.as_ref().unwrap_or(&Value::Null),
        creating && upsert_key.is_none(),
        |f| sf.core.faults.rejected_value(f),
    )?;
    if let Some((_, field)) = upsert_key {
        let value = fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(field))
            .and_then(|(_, v)| v.as_str())
            .ok_or_else(|| {
                SfError::fields(
                    "REQUIRED_FIELD_MISSING",
                    format!("Required fields are missing: [{field}]"),
                    &[field],
                )
            })?
            .to_owned();
        let answer = upsert_fields(sf, tables, &item_call, object, field, &value, fields)?;
        if answer.status == StatusCode::MULTIPLE_CHOICES {
            return Err(SfError::fields(
                "DUPLICATE_EXTERNAL_ID",
                format!("{field}: more than one record found for external id field: {value}"),
                &[field],
            ));
        }
        return Ok(answer.body.unwrap_or(Value::Null));
    }
    if creating {
        let id = sobjects::insert(sf, tables, object, fields, &item_call)?;
        return Ok(json!({"id": id, "success": true, "errors": []}));
    }
    let id = id
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or_else(|| {
            SfError::fields(
                "MISSING_ARGUMENT",
                "Id not specified in an update call",
                &[],
            )
        })?;
    sobjects::apply(sf, tables, object, &id, fields, &item_call)?;
    Ok(json!({"id": id, "success": true, "errors": []}))
}

/// `POST|PATCH /composite/sobjects` and `PATCH /composite/sobjects/{Obj}/{ExtField}`.
pub(crate) fn collection(
    sf: &Salesforce,
    tables: &mut Tables,
    call: &Call,
    upsert_key: Option<(&str, &str)>,
) -> Result<Answer, SfError> {
    let body = body_of(call)?;
    let records = body["records"]
        .as_array()
        .ok_or_else(|| SfError::parser("records is required"))?;
    if records.len() > MAX_RECORDS {
        return Err(SfError::new(
            StatusCode::BAD_REQUEST,
            "EXCEEDED_ID_LIMIT",
            format!(
                "record limit reached. cannot submit more than {MAX_RECORDS} records into this call"
            ),
        ));
    }
    let all_or_none = body["allOrNone"].as_bool().unwrap_or(false);
    let snapshot = all_or_none.then(|| tables.clone());
    let failing = usize::try_from(sf.core.faults.take_batch_failures()).unwrap_or(usize::MAX);
    let mut results: Vec<Result<Value, SfError>> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let result = if index < failing {
            Err(injected(index))
        } else {
            collection_item(sf, tables, call, record, upsert_key)
        };
        results.push(result);
    }
    let any_failed = results.iter().any(Result::is_err);
    if let (true, Some(snapshot)) = (any_failed, snapshot) {
        *tables = snapshot;
    }
    let rolled = json!([{
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
        "fields": [],
    }]);
    let out: Vec<Value> = results
        .iter()
        .map(|result| match result {
            Err(error) => json!({"success": false, "errors": [save_error(error)]}),
            Ok(_) if all_or_none && any_failed => {
                json!({"id": null, "success": false, "errors": rolled})
            }
            Ok(value) => value.clone(),
        })
        .collect();
    Ok(Answer::json(StatusCode::OK, Value::Array(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_through_paths() {
        let mut results = Map::new();
        results.insert("refAccount".into(), json!({"id": "001A"}));
        results.insert("refQuery".into(), json!({"records": [{"Id": "003B"}]}));
        assert_eq!(
            substitute("/sobjects/Account/@{refAccount.id}", &results).unwrap(),
            "/sobjects/Account/001A"
        );
        assert_eq!(
            substitute("@{refQuery.records[0].Id}", &results).unwrap(),
            "003B"
        );
        assert_eq!(
            substitute("@{refMissing.id}", &results).unwrap_err(),
            "refMissing.id"
        );
    }
}
