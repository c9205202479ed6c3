//! Search: `GET /api/v2/{persons,organizations,deals}/search` (and the v1 paths) with `term`,
//! `fields`, `exact_match` (case-insensitive equality), `organization_id` / `person_id`,
//! `limit` and cursor paging.
//!
//! Matching follows Pipedrive's API reference (https://developers.pipedrive.com/docs/api/v1/ItemSearch,
//! and the v2 `searchPersons` parameters): with `exact_match` "only full exact matches against
//! the given term are returned. It is not case sensitive"; without it "the term can be present
//! anywhere in the resulting field values". The reference says nothing of phone numbers being
//! normalised, so a phone is compared as the text it was typed as: `+14155550134` does not find
//! a stored `(415) 555-0134`, while the term `0134` does.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::entities::numeric_id;
use super::errors::PdError;
use super::records::success;
use super::state::Pipedrive;
use crate::shared::http::Params;
use crate::shared::store::{Record, Tables};

/// Searchable fields per entity (the allowed values of `fields`).
fn searchable(table: &str) -> &'static [&'static str] {
    match table {
        "persons" => &["custom_fields", "email", "notes", "phone", "name"],
        "organizations" => &["address", "custom_fields", "notes", "name"],
        _ => &["custom_fields", "notes", "title"],
    }
}

/// An opaque cursor for offset `start`.
pub(crate) fn encode_cursor(start: usize) -> String {
    STANDARD.encode(format!("offset:{start}"))
}

/// The offset a cursor stands for (0 without one).
pub(crate) fn decode_cursor(cursor: Option<&str>) -> Result<usize, PdError> {
    let Some(cursor) = cursor else {
        return Ok(0);
    };
    STANDARD
        .decode(cursor)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| text.strip_prefix("offset:")?.parse().ok())
        .ok_or_else(|| PdError::invalid("query/cursor is not a valid cursor"))
}

/// The texts of `field` on a record.
fn values(record: &Record, field: &str) -> Vec<String> {
    let list = |name: &str| -> Vec<String> {
        record
            .value(name)
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["value"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let text = |name: &str| {
        record
            .str_field(name)
            .map(str::to_owned)
            .into_iter()
            .collect()
    };
    match field {
        "email" => list("emails"),
        "phone" => list("phones"),
        "name" => text("name"),
        "title" => text("title"),
        "address" => match &record.value("address") {
            Value::String(address) => vec![address.clone()],
            Value::Object(address) => address
                .get("value")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        },
        "custom_fields" => record
            .value("custom_fields")
            .as_object()
            .map(|c| {
                c.values()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn item(tables: &Tables, table: &str, record: &Record) -> Value {
    let strings = |name: &str| -> Vec<Value> {
        record
            .value(name)
            .as_array()
            .map(|items| items.iter().map(|i| i["value"].clone()).collect())
            .unwrap_or_default()
    };
    let organization = |field: &str| {
        record.value(field)
            .as_u64()
            .and_then(|id| tables.get("organizations", &id.to_string()))
            .map(|org| json!({"id": numeric_id(&org.id), "name": org.value("name"), "address": null}))
            .unwrap_or(Value::Null)
    };
    let owner = json!({ "id": record.value("owner_id") });
    match table {
        "persons" => json!({
            "id": numeric_id(&record.id),
            "type": "person",
            "name": record.value("name"),
            "phones": strings("phones"),
            "emails": strings("emails"),
            "visible_to": record.value("visible_to"),
            "owner": owner,
            "organization": organization("org_id"),
            "custom_fields": [],
            "notes": [],
        }),
        "organizations" => json!({
            "id": numeric_id(&record.id),
            "type": "organization",
            "name": record.value("name"),
            "address": record.fields.get("address").cloned().unwrap_or(Value::Null),
            "visible_to": record.value("visible_to"),
            "owner": owner,
            "custom_fields": [],
            "notes": [],
        }),
        _ => {
            let person = record
                .value("person_id")
                .as_u64()
                .and_then(|id| tables.get("persons", &id.to_string()))
                .map(|p| json!({"id": numeric_id(&p.id), "name": p.value("name")}))
                .unwrap_or(Value::Null);
            json!({
                "id": numeric_id(&record.id),
                "type": "deal",
                "title": record.value("title"),
                "value": record.fields.get("value").cloned().unwrap_or(Value::Null),
                "currency": record.value("currency"),
                "status": record.value("status"),
                "visible_to": record.value("visible_to"),
                "owner": owner,
                "person": person,
                "organization": organization("org_id"),
                "custom_fields": [],
                "notes": [],
            })
        }
    }
}

/// The handler for both API versions (`v1` changes only the paging block).
pub(crate) async fn search(
    State(pd): State<Arc<Pipedrive>>,
    Path(object): Path<String>,
    RawQuery(query): RawQuery,
    v1: bool,
) -> Result<Response, PdError> {
    if !matches!(object.as_str(), "persons" | "organizations" | "deals") {
        return Err(PdError::not_found("Item"));
    }
    let params = Params::query(query.as_deref());
    let term = params
        .get("term")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| PdError::invalid("query/term is required"))?;
    let exact = params.flag("exact_match");
    if !exact && term.chars().count() < 2 {
        return Err(PdError::invalid(
            "query/term must be at least 2 characters long",
        ));
    }
    let allowed = searchable(&object);
    let mut fields = params.list("fields");
    if let Some(bad) = fields.iter().find(|f| !allowed.contains(&f.as_str())) {
        return Err(PdError::invalid(format!(
            "query/fields: '{bad}' is not searchable"
        )));
    }
    if fields.is_empty() {
        fields = allowed.iter().map(|f| (*f).to_owned()).collect();
    }
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100);
    if limit > 500 {
        return Err(PdError::invalid("query/limit must be at most 500"));
    }
    let start = decode_cursor(params.get("cursor"))?;
    let filters: Vec<(&str, String)> = [("organization_id", "org_id"), ("person_id", "person_id")]
        .into_iter()
        .filter_map(|(param, field)| Some((field, params.get(param)?.to_owned())))
        .collect();
    let term_lower = term.to_lowercase();

    let (items, total) = pd.core.store.read(|tables| {
        let mut hits = Vec::new();
        for record in tables.all(&object) {
            let filtered_out = filters.iter().any(|(field, wanted)| {
                record
                    .value(field)
                    .as_u64()
                    .map(|v| v.to_string())
                    .as_deref()
                    != Some(wanted)
            });
            if filtered_out {
                continue;
            }
            let texts: Vec<String> = fields.iter().flat_map(|f| values(record, f)).collect();
            let equal = texts.iter().any(|t| t.to_lowercase() == term_lower);
            let partial = texts.iter().any(|t| t.to_lowercase().contains(&term_lower));
            if equal || (!exact && partial) {
                let score = if equal { 1.0 } else { 0.5 };
                hits.push(json!({"result_score": score, "item": item(tables, &object, record)}));
            }
        }
        let total = hits.len();
        let page: Vec<Value> = hits.into_iter().skip(start).take(limit).collect();
        (page, total)
    });
    let more = start + limit < total;
    let additional = if v1 {
        json!({"pagination": {"start": start, "limit": limit, "more_items_in_collection": more}})
    } else {
        json!({"next_cursor": more.then(|| encode_cursor(start + limit))})
    };
    Ok(success(
        StatusCode::OK,
        json!({ "items": items }),
        additional,
    ))
}

/// `GET /api/v2/{object}/search`.
pub(crate) async fn search_v2(
    state: State<Arc<Pipedrive>>,
    object: Path<String>,
    query: RawQuery,
) -> Result<Response, PdError> {
    search(state, object, query, false).await
}

/// `GET /v1/{object}/search`.
pub(crate) async fn search_v1(
    state: State<Arc<Pipedrive>>,
    object: Path<String>,
    query: RawQuery,
) -> Result<Response, PdError> {
    search(state, object, query, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(Some(&encode_cursor(40))).unwrap(), 40);
        assert_eq!(decode_cursor(None).unwrap(), 0);
        assert!(decode_cursor(Some("%%%")).is_err());
    }
}
