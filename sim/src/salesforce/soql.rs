//! SOQL evaluation for `GET /query?q=…`: enough for the lookups a connector makes
//! (`SELECT Id, Email FROM Contact WHERE Email = 'x' AND IsConverted = false LIMIT 1`).
//! The grammar is documented on the `salesforce` module; parsing lives in `soql_parser`.

use std::cmp::Ordering;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::api::{Answer, Call};
use super::errors::SfError;
use super::model::{SObject, attributes, field_value, object_of, sobject};
use super::soql_parser::malformed;
pub(crate) use super::soql_parser::{Cond, Literal, Query, parse};
use super::state::Salesforce;
use crate::shared::store::{Record, Tables};

/// The object a relationship name refers to through its reference field (`Account` →
/// `AccountId`), and that field.
fn relationship(sf: &Salesforce, object: &SObject, name: &str) -> Option<String> {
    let reference = format!("{name}Id");
    sf.schema
        .field(object.name, &reference)
        .filter(|f| object.references.iter().any(|(r, _)| r == f))
        .map(str::to_owned)
}

fn invalid_field(field: &str, object: &str) -> SfError {
    SfError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD",
        format!(
            "No such column '{field}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    )
}

/// Check a field path exists; returns its canonical spelling.
fn check_field(sf: &Salesforce, object: &SObject, path: &str) -> Result<String, SfError> {
    match path.split_once('.') {
        None => sf
            .schema
            .field(object.name, path)
            .map(str::to_owned)
            .ok_or_else(|| invalid_field(path, object.name)),
        Some((rel, rest)) => {
            relationship(sf, object, rel).ok_or_else(|| invalid_field(path, object.name))?;
            let rel = rel.to_owned();
            Ok(format!("{rel}.{rest}"))
        }
    }
}

/// A field's value on a record, following one relationship hop.
fn resolve(
    sf: &Salesforce,
    tables: &Tables,
    object: &SObject,
    record: &Record,
    path: &str,
) -> Value {
    match path.split_once('.') {
        None => {
            let field = sf.schema.field(object.name, path).unwrap_or(path);
            field_value(record, field, &sf.user_id)
        }
        Some((rel, rest)) => {
            let Some(reference) = relationship(sf, object, rel) else {
                return Value::Null;
            };
            let Some(id) = record.value(&reference).as_str() else {
                return Value::Null;
            };
            let Some(target) = object_of(id).and_then(sobject) else {
                return Value::Null;
            };
            tables
                .get(target.name, id)
                .map(|r| resolve(sf, tables, target, r, rest))
                .unwrap_or(Value::Null)
        }
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Fields of type dateTime (the system stamps; the catalogue has no other).
const DATETIME_FIELDS: &[&str] = &["CreatedDate", "LastModifiedDate", "SystemModstamp"];

/// A stored dateTime (`2026-11-22T10:00:00.000+0000`).
fn stored_datetime(value: &Value) -> Option<OffsetDateTime> {
    let format = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(value.as_str()?, format).ok()
}

fn compare(value: &Value, literal: &Literal) -> Option<Ordering> {
    match literal {
        Literal::Null => None,
        Literal::DateTime(at) => stored_datetime(value).map(|held| held.cmp(at)),
        Literal::Bool(b) => value.as_bool().map(|v| v.cmp(b)),
        Literal::Number(n) => as_number(value).and_then(|v| v.partial_cmp(n)),
        Literal::Text(t) => match value {
            Value::String(s) => Some(s.to_lowercase().cmp(&t.to_lowercase())),
            Value::Number(_) => as_number(value)
                .zip(t.parse::<f64>().ok())
                .and_then(|(v, t)| v.partial_cmp(&t)),
            Value::Bool(b) => Some(b.to_string().cmp(&t.to_lowercase())),
            _ => None,
        },
    }
}

fn is_null(value: &Value) -> bool {
    value.is_null() || value.as_str() == Some("")
}

fn like(value: &str, pattern: &str) -> bool {
    fn go(v: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => v.is_empty(),
            Some(('%', rest)) => (0..=v.len()).any(|i| go(&v[i..], rest)),
            Some(('_', rest)) => !v.is_empty() && go(&v[1..], rest),
            Some((c, rest)) => v.first() == Some(c) && go(&v[1..], rest),
        }
    }
    let v: Vec<char> = value.to_lowercase().chars().collect();
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    go(&v, &p)
}

fn eval(sf: &Salesforce, tables: &Tables, object: &SObject, record: &Record, cond: &Cond) -> bool {
    let value = |path: &str| resolve(sf, tables, object, record, path);
    match cond {
        Cond::And(a, b) => {
            eval(sf, tables, object, record, a) && eval(sf, tables, object, record, b)
        }
        Cond::Or(a, b) => {
            eval(sf, tables, object, record, a) || eval(sf, tables, object, record, b)
        }
        Cond::Not(inner) => !eval(sf, tables, object, record, inner),
        Cond::Compare(field, op, Literal::Null) => {
            let null = is_null(&value(field));
            if *op == "=" {
                null
            } else {
                *op == "!=" && !null
            }
        }
        Cond::Compare(field, op, literal) => {
            let held = value(field);
            let ordering = compare(&held, literal);
            match *op {
                "=" => ordering == Some(Ordering::Equal),
                "!=" => ordering != Some(Ordering::Equal),
                "<" => ordering == Some(Ordering::Less),
                "<=" => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
                ">" => ordering == Some(Ordering::Greater),
                _ => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
            }
        }
        Cond::In(field, values, negated) => {
            let held = value(field);
            let found = values.iter().any(|l| match l {
                Literal::Null => is_null(&held),
                other => compare(&held, other) == Some(Ordering::Equal),
            });
            found != *negated
        }
        Cond::Like(field, pattern) => value(field).as_str().is_some_and(|v| like(v, pattern)),
    }
}

/// Salesforce types filter values: a dateTime field takes an unquoted dateTime literal, and a
/// dateTime literal fits nothing else ("value of filter criterion for field … must be of type
/// dateTime and should not be enclosed in quotes").
fn check_literal_types(object: &SObject, cond: &Cond) -> Result<(), SfError> {
    let check = |field: &str, literal: &Literal| {
        let is_datetime = DATETIME_FIELDS
            .iter()
            .any(|f| f.eq_ignore_ascii_case(field));
        let wrong = match literal {
            Literal::Text(_) | Literal::Number(_) | Literal::Bool(_) => is_datetime
                .then_some("must be of type dateTime and should not be enclosed in quotes"),
            Literal::DateTime(_) if !is_datetime => Some(
                if object.dates.iter().any(|d| d.eq_ignore_ascii_case(field)) {
                    "must be of type date and should not be enclosed in quotes"
                } else {
                    "must be of type string and should be enclosed in quotes"
                },
            ),
            Literal::DateTime(_) | Literal::Null => None,
        };
        match wrong {
            Some(rule) => Err(SfError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                format!("value of filter criterion for field '{field}' {rule}"),
            )),
            None => Ok(()),
        }
    };
    match cond {
        Cond::And(a, b) | Cond::Or(a, b) => {
            check_literal_types(object, a)?;
            check_literal_types(object, b)
        }
        Cond::Not(inner) => check_literal_types(object, inner),
        Cond::Compare(field, _, literal) => check(field, literal),
        Cond::In(field, literals, _) => literals.iter().try_for_each(|l| check(field, l)),
        Cond::Like(_, _) => Ok(()),
    }
}

fn condition_fields(cond: &Cond, out: &mut Vec<String>) {
    match cond {
        Cond::And(a, b) | Cond::Or(a, b) => {
            condition_fields(a, out);
            condition_fields(b, out);
        }
        Cond::Not(inner) => condition_fields(inner, out),
        Cond::Compare(f, _, _) | Cond::In(f, _, _) | Cond::Like(f, _) => out.push(f.clone()),
    }
}

/// What [`select`] found: the object, the canonical selected fields and the matching records
/// (filtered, ordered, offset and limited).
pub(crate) struct Selection<'a> {
    pub object: &'static SObject,
    pub fields: Vec<String>,
    pub records: Vec<&'a Record>,
}

/// Run a parsed query's filter, order, offset and limit, keeping only records `keep` accepts.
pub(crate) fn select<'a>(
    sf: &Salesforce,
    tables: &'a Tables,
    query: &Query,
    keep: impl Fn(&Record) -> bool,
) -> Result<Selection<'a>, SfError> {
    let object = sobject(&query.object).ok_or_else(|| {
        SfError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            format!("sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", query.object),
        )
    })?;
    let mut used = Vec::new();
    if let Some(filter) = &query.filter {
        condition_fields(filter, &mut used);
        check_literal_types(object, filter)?;
    }
    if let Some((field, _, _)) = &query.order {
        used.push(field.clone());
    }
    for field in &used {
        check_field(sf, object, field)?;
    }
    let fields: Vec<String> = query
        .fields
        .iter()
        .map(|f| check_field(sf, object, f))
        .collect::<Result<_, _>>()?;

    let mut hits: Vec<&Record> = tables
        .all(object.name)
        .iter()
        .filter(|r| {
            keep(r)
                && query
                    .filter
                    .as_ref()
                    .is_none_or(|c| eval(sf, tables, object, r, c))
        })
        .collect();
    if let Some((field, descending, nulls_last)) = &query.order {
        hits.sort_by(|a, b| {
            let (va, vb) = (
                resolve(sf, tables, object, a, field),
                resolve(sf, tables, object, b, field),
            );
            match (is_null(&va), is_null(&vb)) {
                (true, true) => Ordering::Equal,
                (true, false) if *nulls_last => Ordering::Greater,
                (true, false) => Ordering::Less,
                (false, true) if *nulls_last => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => {
                    let order = compare(&va, &literal_of(&vb)).unwrap_or(Ordering::Equal);
                    if *descending { order.reverse() } else { order }
                }
            }
        });
    }
    let records = hits
        .into_iter()
        .skip(query.offset)
        .take(query.limit.unwrap_or(usize::MAX))
        .collect();
    Ok(Selection {
        object,
        fields,
        records,
    })
}

/// Run a parsed query; `Ok((total, rows))`.
pub(crate) fn run(
    sf: &Salesforce,
    tables: &Tables,
    version: &str,
    query: &Query,
) -> Result<(usize, Vec<Value>), SfError> {
    let selection = select(sf, tables, query, |_| true)?;
    let total = selection.records.len();
    if query.count {
        return Ok((total, Vec::new()));
    }
    let rows = selection
        .records
        .iter()
        .map(|record| {
            row(
                sf,
                tables,
                selection.object,
                record,
                &selection.fields,
                version,
            )
        })
        .collect();
    Ok((total, rows))
}

fn literal_of(value: &Value) -> Literal {
    if let Some(at) = stored_datetime(value) {
        return Literal::DateTime(at);
    }
    match value {
        Value::Bool(b) => Literal::Bool(*b),
        Value::Number(n) => Literal::Number(n.as_f64().unwrap_or_default()),
        Value::String(s) => Literal::Text(s.clone()),
        _ => Literal::Null,
    }
}

/// One result row: `attributes`, then the selected fields (relationships nested).
pub(crate) fn row(
    sf: &Salesforce,
    tables: &Tables,
    object: &SObject,
    record: &Record,
    fields: &[String],
    version: &str,
) -> Value {
    let mut row = Map::new();
    row.insert(
        "attributes".into(),
        attributes(version, object.name, &record.id),
    );
    for field in fields {
        match field.split_once('.') {
            None => {
                row.insert(field.clone(), resolve(sf, tables, object, record, field));
            }
            Some((rel, rest)) => {
                let target = relationship(sf, object, rel)
                    .and_then(|reference| record.value(&reference).as_str().map(str::to_owned))
                    .and_then(|id| {
                        let target = object_of(&id).and_then(sobject)?;
                        let found = tables.get(target.name, &id)?;
                        Some(row_of(sf, tables, target, found, rest, version))
                    });
                let entry = row.entry(rel.to_owned()).or_insert(Value::Null);
                match (entry, target) {
                    (Value::Object(existing), Some(Value::Object(more))) => existing.extend(more),
                    (slot, target) => *slot = target.unwrap_or(Value::Null),
                }
            }
        }
    }
    Value::Object(row)
}

fn row_of(
    sf: &Salesforce,
    tables: &Tables,
    object: &SObject,
    record: &Record,
    field: &str,
    version: &str,
) -> Value {
    row(sf, tables, object, record, &[field.to_owned()], version)
}

/// `GET /query?q=…`.
pub(crate) fn query(sf: &Salesforce, tables: &mut Tables, call: &Call) -> Result<Answer, SfError> {
    let text = call
        .query
        .get("q")
        .ok_or_else(|| malformed("A query string has to be specified"))?;
    let parsed = parse(text)?;
    let (total, records) = run(sf, tables, &call.version, &parsed)?;
    Ok(Answer::json(
        StatusCode::OK,
        json!({"totalSize": total, "done": true, "records": records}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        assert!(like("Jane Doe", "jane%"));
        assert!(like("Jane", "J_ne"));
        assert!(!like("Jane", "Jo%"));
    }
}
