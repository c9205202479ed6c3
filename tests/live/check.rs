//! How one scripted conversation is judged: the lead read back from the admin API against the
//! script's `[expect]`, the language of the assistant's replies, and what must never happen
//! (a value recorded that the visitor never meant, a question asked again for a field already
//! recorded).

use std::collections::{BTreeMap, BTreeSet};

use leadgate::lead::Lang;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

/// The fields a script may expect, in the order the figures are reported.
pub const FIELDS: [&str; 17] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "budget_min",
    "budget_max",
    "budget_currency",
    "timeline_days",
    "decision_maker",
    "company_size",
    "competitors",
    "request",
    "request_when",
    "open_questions",
    "is_test",
];

/// The checks besides the fields: every reply in the visitor's language, no value the script
/// forbids ever recorded, no question for a field already recorded.
pub const CHECKS: [&str; 3] = ["reply_lang", "never", "reask"];

/// A reply shorter than this many letters says too little about its language to be judged.
const MIN_LETTERS_FOR_LANGUAGE: usize = 24;

/// A scripted visitor, read from a `tests/live/*/*.toml` file.
#[derive(Debug, Clone)]
pub struct Script {
    /// `scripts` or `held_out`.
    pub half: String,
    pub id: String,
    pub lang: Lang,
    pub browser_locale: String,
    pub site_region: Option<String>,
    pub visitor: Vec<String>,
    pub expect: toml::Table,
    pub never: Vec<String>,
}

impl Script {
    pub fn parse(half: &str, id: &str, text: &str) -> Script {
        let t: toml::Table = text.parse().unwrap_or_else(|e| panic!("{half}/{id}: {e}"));
        let s = |k: &str| t.get(k).and_then(toml::Value::as_str).map(str::to_owned);
        let list = |v: Option<&toml::Value>| -> Vec<String> {
            v.and_then(toml::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let lang = s("lang")
            .as_deref()
            .and_then(Lang::from_locale)
            .unwrap_or_else(|| panic!("{half}/{id}: lang is one of en, pl, de, es, fr"));
        let expect = t
            .get("expect")
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default();
        for key in expect.keys() {
            assert!(
                FIELDS.contains(&key.as_str()),
                "{half}/{id}: unknown expected field {key}"
            );
        }
        Script {
            half: half.to_owned(),
            id: id.to_owned(),
            lang,
            browser_locale: s("browser_locale").unwrap_or_else(|| "en-US".into()),
            site_region: s("site_region"),
            visitor: list(t.get("visitor")),
            expect,
            never: list(t.get("never").and_then(|n| n.get("values"))),
        }
    }
}

/// One check's outcome: its name, and a description when it failed.
pub type Outcome = (String, Option<String>);

/// Judges a finished conversation (the admin API's view of it).
pub fn judge(script: &Script, conversation: &Value) -> Vec<Outcome> {
    let lead = &conversation["lead"];
    let mut out: Vec<Outcome> = script
        .expect
        .iter()
        .map(|(field, want)| {
            let got = actual(lead, field);
            let failure = (!matches(field, want, &got)).then(|| format!("want {want}, got {got}"));
            (field.clone(), failure)
        })
        .collect();
    out.push(("reply_lang".into(), reply_language(script, conversation)));
    out.push(("never".into(), forbidden_values(script, conversation)));
    out.push(("reask".into(), asked_again(conversation)));
    out
}

/// The lead's value for an expected field.
fn actual(lead: &Value, field: &str) -> Value {
    match field {
        "budget_min" => lead["budget"]["min"].clone(),
        "budget_max" => lead["budget"]["max"].clone(),
        "budget_currency" => lead["budget"]["currency"].clone(),
        "is_test" => Value::Bool(lead["is_test"].as_bool().unwrap_or(false)),
        // Questions left for the rep: how many.
        "open_questions" => Value::from(lead["open_questions"].as_array().map_or(0, Vec::len)),
        _ => lead[field].clone(),
    }
}

/// Lower case without accents and with single spaces, for comparing words.
pub fn fold(s: &str) -> String {
    let folded: String = s
        .to_lowercase()
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn matches(field: &str, want: &toml::Value, got: &Value) -> bool {
    match want {
        toml::Value::String(w) => match field {
            "email" | "phone" | "budget_currency" | "request" => got.as_str() == Some(w.as_str()),
            _ => got.as_str().is_some_and(|g| fold(g) == fold(w)),
        },
        toml::Value::Integer(w) => match got.as_f64() {
            // Money within 1 %, counts and days exactly.
            Some(g) if field.starts_with("budget") => (g - *w as f64).abs() <= 0.01 * *w as f64,
            Some(g) => g == *w as f64,
            None => false,
        },
        toml::Value::Boolean(w) => got.as_bool() == Some(*w),
        toml::Value::Array(items) if field == "competitors" => {
            let want: BTreeSet<String> =
                items.iter().filter_map(|i| i.as_str().map(fold)).collect();
            let got: BTreeSet<String> = got
                .as_array()
                .map(|a| a.iter().filter_map(|i| i.as_str().map(fold)).collect())
                .unwrap_or_default();
            want == got
        }
        // `[low, high]`: a value in that range.
        toml::Value::Array(range) => match (
            range.first().and_then(toml::Value::as_integer),
            range.get(1).and_then(toml::Value::as_integer),
            got.as_i64(),
        ) {
            (Some(lo), Some(hi), Some(g)) => (lo..=hi).contains(&g),
            _ => false,
        },
        _ => false,
    }
}

/// Every reply after the visitor's first message is in the script's language (the greeting
/// follows the browser and is not judged), where the reply holds enough words to tell.
fn reply_language(script: &Script, conversation: &Value) -> Option<String> {
    let messages = conversation["messages"].as_array()?;
    let first_visitor = messages
        .iter()
        .find(|m| m["role"] == "visitor")
        .and_then(|m| m["seq"].as_i64())?;
    let wrong: Vec<String> = messages
        .iter()
        .filter(|m| m["role"] == "bot" && m["seq"].as_i64() > Some(first_visitor))
        .filter_map(|m| m["text"].as_str())
        .filter(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= MIN_LETTERS_FOR_LANGUAGE)
        .filter_map(|t| {
            let got = leadgate::lead::language::detect([t])?;
            (got != script.lang).then(|| format!("{got}: {t}"))
        })
        .collect();
    (!wrong.is_empty()).then(|| wrong.join(" | "))
}

/// Every value the lead held at any revision, as (field, value) pairs.
fn recorded(conversation: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut push = |field: &str, v: &Value| match v {
        Value::Object(parts) => {
            for (k, p) in parts {
                out.push((format!("{field}.{k}"), p.clone()));
            }
        }
        Value::Array(items) => out.extend(items.iter().map(|i| (field.to_owned(), i.clone()))),
        _ => out.push((field.to_owned(), v.clone())),
    };
    for r in conversation["revisions"].as_array().into_iter().flatten() {
        for (field, change) in r["changes"].as_object().into_iter().flatten() {
            push(field, &change["new"]);
        }
    }
    for (field, v) in conversation["lead"].as_object().into_iter().flatten() {
        push(field, v);
    }
    out
}

/// A forbidden value as a number, when it is one ("80.000", "1 500").
fn number(s: &str) -> Option<f64> {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | ',' | '\''))
        .collect();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// A value the script forbids, found among those the lead ever held.
fn forbidden_values(script: &Script, conversation: &Value) -> Option<String> {
    let held = recorded(conversation);
    let found: Vec<String> = script
        .never
        .iter()
        .filter_map(|never| {
            held.iter()
                .filter(|(field, _)| field != "questions")
                .find(|(_, v)| match v {
                    Value::String(s) => fold(s) == fold(never),
                    Value::Number(n) => n.as_f64().is_some() && n.as_f64() == number(never),
                    _ => false,
                })
                .map(|(field, v)| format!("{field} = {v}"))
        })
        .collect();
    (!found.is_empty()).then(|| found.join(", "))
}

/// The lead field an assistant question asks for.
fn asked_field(asked: &str) -> Option<&'static str> {
    Some(match asked {
        "email" => "email",
        "phone" => "phone",
        "name" => "first_name",
        "company" => "company",
        "budget" => "budget",
        "timeline" => "timeline_days",
        "decision" => "decision_maker",
        _ => return None,
    })
}

/// A question for a field the lead already held when it was asked.
fn asked_again(conversation: &Value) -> Option<String> {
    let mut lead: BTreeMap<String, Value> = BTreeMap::new();
    let mut revisions = conversation["revisions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .peekable();
    let mut again = Vec::new();
    for m in conversation["messages"].as_array().into_iter().flatten() {
        let seq = m["seq"].as_i64().unwrap_or(0);
        while let Some(r) = revisions.next_if(|r| r["message_seq"].as_i64().unwrap_or(0) < seq) {
            for (field, change) in r["changes"].as_object().into_iter().flatten() {
                lead.insert(field.clone(), change["new"].clone());
            }
        }
        let Some(field) = m["asked"].as_str().and_then(asked_field) else {
            continue;
        };
        if lead.get(field).is_some_and(|v| !v.is_null()) {
            again.push(format!("{field} at message {seq}"));
        }
    }
    (!again.is_empty()).then(|| again.join(", "))
}
