//! `POST /crm/v3/objects/{object}/search`: filter groups (OR-ed) of filters (AND-ed), free-text
//! `query`, `sorts`, `properties`, `limit` (≤ 200) and `after` paging.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::errors::HsError;
use super::model::{self, object_json, object_type};
use super::objects::parse_body;
use super::state::HubSpot;
use crate::shared::http::json;
use crate::shared::store::Record;

/// At most this many filter groups per request, filters per group and filters in all: HubSpot's
/// changelog "Breaking Change: Expanded Filtering Capabilities and Error Messaging in HubSpot's
/// Search API" (https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api,
/// from 26 August 2024): five groups, ten filters a group, twenty-five in all.
const MAX_GROUPS: usize = 5;
const MAX_GROUP_FILTERS: usize = 10;
const MAX_FILTERS: usize = 25;
/// At most this many results per page.
const MAX_LIMIT: u64 = 200;

/// One parsed filter.
#[derive(Debug, Clone)]
struct Filter {
    property: String,
    operator: String,
    value: Option<String>,
    high_value: Option<String>,
    values: Vec<String>,
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn parse_groups(body: &Value) -> Result<Vec<Vec<Filter>>, HsError> {
    let groups = match &body["filterGroups"] {
        Value::Null => return Ok(Vec::new()),
        Value::Array(groups) => groups,
        _ => return Err(HsError::invalid_input("filterGroups must be an array")),
    };
    if groups.len() > MAX_GROUPS {
        return Err(HsError::invalid_input(format!(
            "Too many filter groups: {} (maximum {MAX_GROUPS})",
            groups.len()
        )));
    }
    let count = |group: &Value| group["filters"].as_array().map_or(0, Vec::len);
    if let Some(crowded) = groups.iter().find(|g| count(g) > MAX_GROUP_FILTERS) {
        return Err(HsError::invalid_input(format!(
            "Too many filters in a filter group: {} (maximum {MAX_GROUP_FILTERS})",
            count(crowded)
        )));
    }
    let total: usize = groups.iter().map(count).sum();
    if total > MAX_FILTERS {
        return Err(HsError::invalid_input(format!(
            "Too many filters: {total} (maximum {MAX_FILTERS})"
        )));
    }
    groups
        .iter()
        .map(|group| {
            let filters = group["filters"].as_array().cloned().unwrap_or_default();
            filters
                .iter()
                .map(|filter| {
                    let property = filter["propertyName"]
                        .as_str()
                        .ok_or_else(|| HsError::invalid_input("filter is missing propertyName"))?;
                    let operator = filter["operator"].as_str().unwrap_or("EQ");
                    Ok(Filter {
                        property: property.to_owned(),
                        operator: operator.to_ascii_uppercase(),
                        value: text(&filter["value"]),
                        high_value: text(&filter["highValue"]),
                        values: filter["values"]
                            .as_array()
                            .map(|v| v.iter().filter_map(text).collect())
                            .unwrap_or_default(),
                    })
                })
                .collect()
        })
        .collect()
}

/// Compare numerically when both sides are numbers, else as case-insensitive text.
fn compare(left: &str, right: &str) -> Ordering {
    match (left.parse::<f64>(), right.parse::<f64>()) {
        (Ok(l), Ok(r)) => l.partial_cmp(&r).unwrap_or(Ordering::Equal),
        _ => left.to_lowercase().cmp(&right.to_lowercase()),
    }
}

/// `CONTAINS_TOKEN`: a `*` wildcard pattern over the whole value, or one of its words.
fn contains_token(held: &str, token: &str) -> bool {
    let held = held.to_lowercase();
    let token = token.to_lowercase();
    if let Some((prefix, suffix)) = token.split_once('*') {
        return held.starts_with(prefix) && held.ends_with(suffix.trim_start_matches('*'));
    }
    held.split(|c: char| !c.is_alphanumeric())
        .any(|word| word == token)
}

/// A record's value of `property`: stored, or calculated from the typed phone properties.
fn held_value(record: &Record, property: &str) -> Option<String> {
    match super::phones::CALCULATED
        .iter()
        .find(|(p, _)| *p == property)
    {
        Some((_, typed)) => record.str_field(typed).and_then(super::phones::searchable),
        None => record.str_field(property).map(str::to_owned),
    }
}

fn matches(record: &Record, filter: &Filter) -> Result<bool, HsError> {
    let held = held_value(record, &filter.property);
    let held = held.as_deref().filter(|v| !v.is_empty());
    let equals = |wanted: &str| held.is_some_and(|h| h.eq_ignore_ascii_case(wanted));
    let value = filter.value.as_deref().unwrap_or_default();
    let ordered = |accept: fn(Ordering) -> bool| held.is_some_and(|h| accept(compare(h, value)));
    Ok(match filter.operator.as_str() {
        "EQ" => equals(value),
        "NEQ" => !equals(value),
        "IN" => filter.values.iter().any(|v| equals(v)),
        "NOT_IN" => !filter.values.iter().any(|v| equals(v)),
        "HAS_PROPERTY" => held.is_some(),
        "NOT_HAS_PROPERTY" => held.is_none(),
        "CONTAINS_TOKEN" => held.is_some_and(|h| contains_token(h, value)),
        "NOT_CONTAINS_TOKEN" => !held.is_some_and(|h| contains_token(h, value)),
        "GT" => ordered(Ordering::is_gt),
        "GTE" => ordered(Ordering::is_ge),
        "LT" => ordered(Ordering::is_lt),
        "LTE" => ordered(Ordering::is_le),
        "BETWEEN" => {
            let high = filter.high_value.as_deref().unwrap_or_default();
            held.is_some_and(|h| compare(h, value).is_ge() && compare(h, high).is_le())
        }
        other => {
            return Err(HsError::invalid_input(format!(
                "Unknown filter operator {other}"
            )));
        }
    })
}

/// `(property, descending)` of the first sort, if any.
fn parse_sort(body: &Value) -> Option<(String, bool)> {
    let first = body["sorts"].as_array()?.first()?;
    match first {
        Value::String(property) => Some((property.clone(), false)),
        Value::Object(sort) => {
            let property = sort.get("propertyName")?.as_str()?.to_owned();
            let descending = sort
                .get("direction")
                .and_then(Value::as_str)
                .is_some_and(|d| d.eq_ignore_ascii_case("DESCENDING"));
            Some((property, descending))
        }
        _ => None,
    }
}

/// The handler.
pub(crate) async fn search(
    State(hs): State<Arc<HubSpot>>,
    Path(object): Path<String>,
    body: Bytes,
) -> Result<Response, HsError> {
    let object = object_type(&object)?;
    let body = parse_body(&body)?;
    let groups = parse_groups(&body)?;
    let schema = hs.schema();
    if let Some(unknown) = groups
        .iter()
        .flatten()
        .find(|f| !schema.has_field(object.name, &f.property))
    {
        return Err(HsError::invalid_input(format!(
            "Property \"{}\" does not exist",
            unknown.property
        )));
    }
    let limit = body["limit"].as_u64().unwrap_or(10);
    if limit > MAX_LIMIT {
        return Err(HsError::invalid_input(format!(
            "limit must be at most {MAX_LIMIT}"
        )));
    }
    let after = text(&body["after"])
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(0);
    let requested: Vec<String> = body["properties"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let wanted = model::wanted_properties(object, &requested);
    let query = body["query"].as_str().map(str::to_lowercase);

    let mut found: Vec<Record> = Vec::new();
    hs.core.store.read(|tables| -> Result<(), HsError> {
        for record in tables.all(object.name) {
            let mut hit = groups.is_empty();
            for group in &groups {
                let mut all = true;
                for filter in group {
                    all &= matches(record, filter)?;
                }
                hit |= all;
            }
            if let Some(query) = &query {
                hit &= record
                    .fields
                    .values()
                    .any(|v| v.as_str().is_some_and(|s| s.to_lowercase().contains(query)));
            }
            if hit {
                found.push(record.clone());
            }
        }
        Ok(())
    })?;
    match parse_sort(&body) {
        Some((property, descending)) => found.sort_by(|a, b| {
            let order = compare(
                a.str_field(&property).unwrap_or_default(),
                b.str_field(&property).unwrap_or_default(),
            );
            if descending { order.reverse() } else { order }
        }),
        None => found.sort_by(|a, b| compare(&a.id, &b.id)),
    }
    let total = found.len();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let results: Vec<Value> = found
        .iter()
        .skip(after)
        .take(limit)
        .map(|record| object_json(record, Some(&wanted)))
        .collect();
    let mut response = json!({ "total": total, "results": results });
    if after + limit < total {
        response["paging"] = json!({ "next": { "after": (after + limit).to_string() } });
    }
    Ok(json(StatusCode::OK, &response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_wildcards() {
        assert!(contains_token("Jane Doe", "doe"));
        assert!(contains_token("jane@example.com", "*@example.com"));
        assert!(!contains_token("jane@example.com", "exam"));
    }

    #[test]
    fn numbers_compare_as_numbers() {
        assert_eq!(compare("9", "10"), Ordering::Less);
        assert_eq!(compare("b", "A"), Ordering::Greater);
    }
}
