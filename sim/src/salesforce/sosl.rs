//! A SOSL subset: `GET /search?q=FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS]
//! [RETURNING Obj[(fields [WHERE …] [LIMIT n])], …] [LIMIT n]` and
//! `GET /parameterizedSearch?q=term&sobject=Obj&Obj.fields=…&in=PHONE`.
//!
//! Matching: `PHONE` compares digits only, formatting ignored (a stored `+1 (415) 555-0123`
//! matches `+14155550123`); `EMAIL` and `NAME` match case-insensitive substrings of email and
//! name fields; `ALL` any text field or phone. `*` and `?` wildcards are honoured, and terms
//! joined by `OR` (upper case, as the SOSL reference writes its operators:
//! https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm)
//! match when any of them does.
//!
//! Salesforce keeps phone values as they were typed (help article 000385963, "Standard 'Phone'
//! field length and formatting"). The SOSL reference does not say whether a number searched
//! with its country code finds one stored without it (or the reverse): the simulator requires
//! the same digits, the stricter reading, so `+14155550123` does not find `(415) 555-0123`
//! and a client must also search the national form.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::api::{Answer, Call};
use super::errors::SfError;
use super::soql::{self, Query, row, select};
use super::state::Salesforce;
use crate::shared::store::{Record, Tables};

/// Which fields a search looks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    All,
    Name,
    Email,
    Phone,
}

const PHONE_FIELDS: &[&str] = &["Phone", "MobilePhone"];
const NAME_FIELDS: &[&str] = &[
    "Name",
    "FirstName",
    "LastName",
    "Company",
    "Title",
    "Subject",
];
const DEFAULT_OBJECTS: &[&str] = &["Lead", "Contact", "Account", "Opportunity"];

fn malformed(message: impl Into<String>) -> SfError {
    SfError::new(StatusCode::BAD_REQUEST, "MALFORMED_SEARCH", message)
}

fn group(word: &str) -> Result<Group, SfError> {
    match word.to_ascii_uppercase().as_str() {
        "ALL" => Ok(Group::All),
        "NAME" => Ok(Group::Name),
        "EMAIL" => Ok(Group::Email),
        "PHONE" => Ok(Group::Phone),
        other => Err(malformed(format!("unknown search group {other}"))),
    }
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

fn wildcard(value: &str, pattern: &str) -> bool {
    fn go(v: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => v.is_empty(),
            Some(('*', rest)) => (0..=v.len()).any(|i| go(&v[i..], rest)),
            Some(('?', rest)) => !v.is_empty() && go(&v[1..], rest),
            Some((c, rest)) => v.first() == Some(c) && go(&v[1..], rest),
        }
    }
    let v: Vec<char> = value.to_lowercase().chars().collect();
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    go(&v, &p)
}

fn text_matches(value: &str, term: &str) -> bool {
    if term.contains(['*', '?']) {
        value
            .split_whitespace()
            .chain(std::iter::once(value))
            .any(|word| wildcard(word, term))
    } else {
        value.to_lowercase().contains(&term.to_lowercase())
    }
}

fn phone_matches(value: &str, term: &str) -> bool {
    let (held, wanted) = (digits(value), digits(term));
    !wanted.is_empty() && held == wanted
}

/// Whether a record matches the search term (any of its `OR` alternatives) in the group's
/// fields.
pub(crate) fn matches(record: &Record, term: &str, group: Group) -> bool {
    term.split(" OR ")
        .map(|t| t.trim().trim_matches('"'))
        .filter(|t| !t.is_empty())
        .any(|t| matches_one(record, t, group))
}

fn matches_one(record: &Record, term: &str, group: Group) -> bool {
    let text = |field: &str| record.value(field).as_str().map(str::to_owned);
    let phone = || {
        PHONE_FIELDS
            .iter()
            .filter_map(|f| text(f))
            .any(|v| phone_matches(&v, term))
    };
    match group {
        Group::Phone => phone(),
        Group::Email => text("Email").is_some_and(|v| text_matches(&v, term)),
        Group::Name => NAME_FIELDS
            .iter()
            .filter_map(|f| text(f))
            .any(|v| text_matches(&v, term)),
        Group::All => {
            phone()
                || record
                    .fields
                    .values()
                    .filter_map(Value::as_str)
                    .any(|v| text_matches(v, term))
        }
    }
}

/// One `RETURNING` entry as a SOQL query (fields, filter, limit).
fn returning_query(object: &str, inner: Option<&str>) -> Result<Query, SfError> {
    let inner = inner
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .unwrap_or("Id");
    let upper = inner.to_ascii_uppercase();
    let split = [" WHERE ", " ORDER ", " LIMIT "]
        .iter()
        .filter_map(|k| upper.find(k))
        .min()
        .unwrap_or(inner.len());
    let (fields, rest) = inner.split_at(split);
    soql::parse(&format!("SELECT {fields} FROM {object} {rest}"))
}

/// Split `Contact(Id, Name), Lead` at top-level commas.
fn split_specs(text: &str) -> Vec<String> {
    let mut specs = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                specs.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    specs.push(current);
    specs
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A parsed SOSL search.
struct Search {
    term: String,
    group: Group,
    returning: Vec<Query>,
    limit: Option<usize>,
}

fn parse(text: &str) -> Result<Search, SfError> {
    let text = text.trim();
    let rest = text
        .get(..4)
        .filter(|head| head.eq_ignore_ascii_case("FIND"))
        .map(|_| text[4..].trim_start())
        .ok_or_else(|| malformed("a SOSL search starts with FIND"))?;
    let (open, close) = match rest.chars().next() {
        Some('{') => ('{', '}'),
        Some('\'') => ('\'', '\''),
        _ => return Err(malformed("the search term must be enclosed in braces")),
    };
    let mut term = String::new();
    let mut chars = rest[open.len_utf8()..].char_indices();
    let mut end = None;
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    term.push(escaped);
                }
            }
            c if c == close => {
                end = Some(at + open.len_utf8() + close.len_utf8());
                break;
            }
            c => term.push(c),
        }
    }
    let end = end.ok_or_else(|| malformed("unterminated search term"))?;
    let term = term.trim().trim_matches('"').to_owned();
    let mut tail = rest[end..].trim().to_owned();
    let mut search_group = Group::All;
    if tail.to_ascii_uppercase().starts_with("IN ") {
        let mut words = tail[3..].split_whitespace();
        search_group = group(words.next().unwrap_or_default())?;
        if !words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("FIELDS"))
        {
            return Err(malformed("expecting FIELDS"));
        }
        tail = words.collect::<Vec<_>>().join(" ");
    }
    let mut limit = None;
    let upper = tail.to_ascii_uppercase();
    if let Some(at) = upper.rfind("LIMIT ")
        && !tail[at..].contains(')')
    {
        limit = Some(
            tail[at + 6..]
                .trim()
                .parse::<usize>()
                .map_err(|_| malformed("LIMIT needs a number"))?,
        );
        tail.truncate(at);
    }
    let tail = tail.trim();
    let returning = if tail.to_ascii_uppercase().starts_with("RETURNING") {
        split_specs(&tail[9..])
            .iter()
            .map(|spec| match spec.split_once('(') {
                Some((object, inner)) => {
                    returning_query(object.trim(), Some(inner.trim_end_matches(')')))
                }
                None => returning_query(spec, None),
            })
            .collect::<Result<Vec<_>, _>>()?
    } else if tail.is_empty() {
        DEFAULT_OBJECTS
            .iter()
            .map(|o| returning_query(o, None))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        return Err(malformed(format!("unexpected text: {tail}")));
    };
    Ok(Search {
        term,
        group: search_group,
        returning,
        limit,
    })
}

fn run(
    sf: &Salesforce,
    tables: &Tables,
    version: &str,
    search: &Search,
) -> Result<Answer, SfError> {
    if search.term.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
        return Err(malformed("search term must be longer than one character"));
    }
    let mut rows = Vec::new();
    for query in &search.returning {
        let selection = select(sf, tables, query, |r| {
            matches(r, &search.term, search.group)
        })?;
        rows.extend(
            selection
                .records
                .iter()
                .map(|r| row(sf, tables, selection.object, r, &selection.fields, version)),
        );
    }
    rows.truncate(search.limit.unwrap_or(2000));
    Ok(Answer::json(
        StatusCode::OK,
        json!({ "searchRecords": rows }),
    ))
}

/// `GET /search?q=FIND …`.
pub(crate) fn search(sf: &Salesforce, tables: &mut Tables, call: &Call) -> Result<Answer, SfError> {
    let text = call
        .query
        .get("q")
        .ok_or_else(|| malformed("A search string has to be specified"))?;
    run(sf, tables, &call.version, &parse(text)?)
}

/// `GET /parameterizedSearch?q=…&sobject=…&{Obj}.fields=…&in=…&overallLimit=…`.
pub(crate) fn parameterized(
    sf: &Salesforce,
    tables: &mut Tables,
    call: &Call,
) -> Result<Answer, SfError> {
    let params = &call.query;
    let term = params
        .get("q")
        .ok_or_else(|| malformed("parameter q is required"))?
        .to_owned();
    let search_group = params
        .get("in")
        .map(group)
        .transpose()?
        .unwrap_or(Group::All);
    let mut objects = params.list("sobject");
    if objects.is_empty() {
        objects = DEFAULT_OBJECTS.iter().map(|o| (*o).to_owned()).collect();
    }
    let default_fields = params.get("fields").unwrap_or("Id").to_owned();
    let returning = objects
        .iter()
        .map(|object| {
            let fields = params
                .get(&format!("{object}.fields"))
                .unwrap_or(&default_fields)
                .to_owned();
            returning_query(object, Some(&fields))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let limit = params.get("overallLimit").and_then(|l| l.parse().ok());
    let search = Search {
        term,
        group: search_group,
        returning,
        limit,
    };
    run(sf, tables, &call.version, &search)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_find_in_returning() {
        let search = parse("FIND {\\+14155550123} IN PHONE FIELDS RETURNING Contact(Id, Name, Email WHERE Email != null LIMIT 5), Lead(Id) LIMIT 10").unwrap();
        assert_eq!(search.term, "+14155550123");
        assert_eq!(search.group, Group::Phone);
        assert_eq!(search.returning.len(), 2);
        assert_eq!(search.returning[0].limit, Some(5));
        assert_eq!(search.returning[1].object, "Lead");
        assert_eq!(search.limit, Some(10));
    }

    #[test]
    fn phone_matching_ignores_formatting() {
        assert!(phone_matches("+1 (415) 555-0123", "+14155550123"));
        assert!(phone_matches("415.555.0123", "4155550123"));
        assert!(
            !phone_matches("4155550123", "+14155550123"),
            "a country code is not dropped"
        );
        assert!(!phone_matches("+14155550199", "+14155550123"));
    }

    #[test]
    fn or_terms_match_any_alternative() {
        let fields = json!({"Phone": "(415) 555-0123"})
            .as_object()
            .unwrap()
            .clone();
        let record = Record::new("003A".into(), fields);
        assert!(matches(&record, "+14155550123 OR 4155550123", Group::Phone));
        assert!(!matches(&record, "+14155550123", Group::Phone));
    }

    #[test]
    fn bad_searches_are_refused() {
        assert!(parse("SELECT Id FROM Lead").is_err());
        assert!(parse("FIND {unterminated").is_err());
        assert!(parse("FIND {x} IN BODY FIELDS").is_err());
    }
}
