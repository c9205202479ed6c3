//! Zoho CRM notification channels: what a `watch` item may say and how long a channel lives.
//!
//! Items (`zoho/crm-oas` `v8.0/notifications.json`; inputs as
//! <https://www.zoho.com/crm/developer/docs/api/v8/notifications/enable.html> describes them):
//! `channel_id` is a number ("long") and mandatory, `notify_url` is mandatory, `events` are
//! `<Module>.create|edit|delete|all`, and `token` is at most 50 characters ("The maximum
//! character length is 50"; the spec file says 256, the docs are stricter and win). A
//! `field_selection` `notification_condition` limits edit notifications to changes of the
//! fields it names.
//!
//! Expiry (Kaizen #170,
//! <https://help.zoho.com/portal/en/community/topic/kaizen-170-faqs-on-notification-apis>;
//! v6 update-info page): from v4 the default is one hour and the maximum one week, and an
//! expiry "not specified or set for more than a week" gives one hour. An expiry in the past is
//! refused with `INVALID_DATA` (the docs are silent). Expired channels send nothing and are no
//! longer listed.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::errors::ZError;
use super::model::{Module, module};
use crate::shared::clock;

const MAX_TOKEN: usize = 50;
const DEFAULT_EXPIRY: Duration = Duration::from_secs(60 * 60);
const MAX_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);
const OPERATIONS: &[&str] = &["create", "edit", "delete", "all"];

/// One notification channel.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) channel_id: String,
    pub(crate) events: Vec<String>,
    pub(crate) notify_url: String,
    pub(crate) token: Option<String>,
    pub(crate) expiry: OffsetDateTime,
    pub(crate) return_affected_field_values: bool,
    pub(crate) notify_on_related_action: bool,
    /// Per module: the fields a `field_selection` condition names.
    pub(crate) conditions: BTreeMap<String, Vec<String>>,
    pub(crate) raw_conditions: Value,
    pub(crate) version: String,
}

impl Channel {
    pub(crate) fn modules(&self) -> Vec<&'static Module> {
        let mut modules: Vec<&'static Module> = Vec::new();
        for event in &self.events {
            if let Some(found) = event.split_once('.').and_then(|(m, _)| module(m))
                && !modules.iter().any(|m| m.name == found.name)
            {
                modules.push(found);
            }
        }
        modules
    }

    pub(crate) fn wants(&self, module: &str, operation: &str) -> bool {
        let op = match operation {
            "insert" => "create",
            "update" => "edit",
            _ => "delete",
        };
        self.events.iter().any(|event| {
            event
                .split_once('.')
                .is_some_and(|(m, o)| m.eq_ignore_ascii_case(module) && (o == op || o == "all"))
        })
    }

    pub(crate) fn active(&self) -> bool {
        OffsetDateTime::now_utc() < self.expiry
    }

    pub(crate) fn json(&self, base_url: &str) -> Vec<Value> {
        self.modules()
            .into_iter()
            .map(|m| {
                json!({
                    "channel_id": self.channel_id,
                    "events": self.events.iter().filter(|e| e.starts_with(m.name)).collect::<Vec<_>>(),
                    "notify_url": self.notify_url,
                    "token": self.token,
                    "channel_expiry": clock::seconds_offset(self.expiry),
                    "resource_uri": resource_uri(base_url, &self.version, m.name),
                    "resource_id": m.id,
                    "resource_name": m.name,
                    "return_affected_field_values": self.return_affected_field_values,
                    "notify_on_related_action": self.notify_on_related_action,
                    "notification_condition": self.raw_conditions,
                    "fields": null,
                })
            })
            .collect()
    }
}

pub(crate) fn resource_uri(base_url: &str, version: &str, module: &str) -> String {
    format!("{base_url}/crm/{version}/{module}")
}

/// Every `api_name` a `field_selection` names, at any depth.
fn condition_fields(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map.get("field").and_then(|f| f["api_name"].as_str()) {
                out.push(name.to_owned());
            }
            for inner in map.values() {
                condition_fields(inner, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| condition_fields(i, out)),
        _ => {}
    }
}

fn conditions(raw: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for condition in raw.as_array().into_iter().flatten() {
        let Some(module) = condition["module"]["api_name"].as_str().and_then(module) else {
            continue;
        };
        let mut fields = Vec::new();
        condition_fields(&condition["field_selection"], &mut fields);
        if !fields.is_empty() {
            out.entry(module.name.to_owned())
                .or_insert_with(Vec::new)
                .extend(fields);
        }
    }
    out
}

fn at(index: usize, field: &str) -> Value {
    json!({"api_name": field, "json_path": format!("$.watch[{index}].{field}")})
}

fn mandatory(index: usize, field: &str) -> ZError {
    ZError::new(
        "MANDATORY_NOT_FOUND",
        "required field not found",
        at(index, field),
    )
}

pub(crate) fn invalid(index: usize, field: &str) -> ZError {
    ZError::new("INVALID_DATA", "invalid data", at(index, field))
}

pub(crate) fn channel_id_of(item: &Map<String, Value>, index: usize) -> Result<String, ZError> {
    let id = match item.get("channel_id") {
        None | Some(Value::Null) => return Err(mandatory(index, "channel_id")),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(invalid(index, "channel_id")),
    };
    if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(index, "channel_id"));
    }
    Ok(id)
}

fn expiry_of(item: &Map<String, Value>, index: usize) -> Result<OffsetDateTime, ZError> {
    let now = OffsetDateTime::now_utc();
    let Some(raw) = item.get("channel_expiry").filter(|v| !v.is_null()) else {
        return Ok(now + DEFAULT_EXPIRY);
    };
    let parsed = raw
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .ok_or_else(|| invalid(index, "channel_expiry"))?;
    if parsed <= now {
        return Err(invalid(index, "channel_expiry"));
    }
    if parsed - now > MAX_EXPIRY {
        return Ok(now + DEFAULT_EXPIRY);
    }
    Ok(parsed)
}

fn events_of(value: Option<&Value>, index: usize) -> Result<Vec<String>, ZError> {
    let Some(list) = value.and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        return Err(mandatory(index, "events"));
    };
    let mut events = Vec::new();
    for event in list {
        let parsed = event
            .as_str()
            .and_then(|e| e.split_once('.'))
            .and_then(|(m, op)| {
                let module = module(m)?;
                OPERATIONS
                    .contains(&op)
                    .then(|| format!("{}.{op}", module.name))
            });
        match parsed {
            Some(event) => events.push(event),
            None => return Err(invalid(index, "events")),
        }
    }
    Ok(events)
}

fn token_of(value: Option<&Value>, index: usize) -> Result<Option<String>, ZError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(token)) if token.chars().count() <= MAX_TOKEN => Ok(Some(token.clone())),
        Some(_) => {
            let mut error = invalid(index, "token");
            error.details["maximum_length"] = json!(MAX_TOKEN);
            Err(error)
        }
    }
}

fn url_of(value: Option<&Value>, index: usize) -> Result<String, ZError> {
    let Some(url) = value.and_then(Value::as_str).filter(|u| !u.is_empty()) else {
        return Err(mandatory(index, "notify_url"));
    };
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(url.to_owned()),
        _ => Err(invalid(index, "notify_url")),
    }
}

fn flag(item: &Map<String, Value>, key: &str, default: bool) -> bool {
    item.get(key).and_then(Value::as_bool).unwrap_or(default)
}

/// A channel from a full item (`POST`, `PUT`).
pub(crate) fn channel_from(
    item: &Map<String, Value>,
    index: usize,
    version: &str,
) -> Result<Channel, ZError> {
    let raw_conditions = item
        .get("notification_condition")
        .cloned()
        .unwrap_or(Value::Null);
    Ok(Channel {
        channel_id: channel_id_of(item, index)?,
        events: events_of(item.get("events"), index)?,
        notify_url: url_of(item.get("notify_url"), index)?,
        token: token_of(item.get("token"), index)?,
        expiry: expiry_of(item, index)?,
        return_affected_field_values: flag(item, "return_affected_field_values", false),
        notify_on_related_action: flag(item, "notify_on_related_action", true),
        conditions: conditions(&raw_conditions),
        raw_conditions,
        version: version.to_owned(),
    })
}

/// Apply the fields given in a `PATCH` item.
pub(crate) fn patch(
    channel: &mut Channel,
    item: &Map<String, Value>,
    index: usize,
) -> Result<(), ZError> {
    if item.contains_key("events") {
        channel.events = events_of(item.get("events"), index)?;
    }
    if item.contains_key("notify_url") {
        channel.notify_url = url_of(item.get("notify_url"), index)?;
    }
    if item.contains_key("token") {
        channel.token = token_of(item.get("token"), index)?;
    }
    if item.contains_key("channel_expiry") {
        channel.expiry = expiry_of(item, index)?;
    }
    if let Some(raw) = item.get("notification_condition") {
        channel.raw_conditions = raw.clone();
        channel.conditions = conditions(raw);
    }
    channel.return_affected_field_values = flag(
        item,
        "return_affected_field_values",
        channel.return_affected_field_values,
    );
    channel.notify_on_related_action = flag(
        item,
        "notify_on_related_action",
        channel.notify_on_related_action,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn expiry_defaults_to_an_hour_and_longer_than_a_week_falls_back_to_it() {
        let now = OffsetDateTime::now_utc();
        let about_an_hour = |d: time::Duration| {
            d > Duration::from_secs(3590) && d < DEFAULT_EXPIRY + Duration::from_secs(10)
        };
        assert!(about_an_hour(expiry_of(&item(json!({})), 0).unwrap() - now));
        let two_weeks = (now + Duration::from_secs(14 * 86_400))
            .format(&Rfc3339)
            .unwrap();
        let fallback = expiry_of(&item(json!({"channel_expiry": two_weeks})), 0).unwrap() - now;
        assert!(about_an_hour(fallback));
        let six_days = (now + Duration::from_secs(6 * 86_400))
            .format(&Rfc3339)
            .unwrap();
        let kept = expiry_of(&item(json!({"channel_expiry": six_days})), 0).unwrap() - now;
        assert!(kept > Duration::from_secs(5 * 86_400));
        let past = (now - Duration::from_secs(60)).format(&Rfc3339).unwrap();
        assert_eq!(
            expiry_of(&item(json!({"channel_expiry": past})), 0)
                .unwrap_err()
                .code,
            "INVALID_DATA"
        );
    }

    #[test]
    fn items_are_checked() {
        let ok = json!({"channel_id": 1000000068001u64, "events": ["Deals.edit", "deals.all"], "notify_url": "https://gw.example/zoho?key=k", "token": "t"});
        let channel = channel_from(&item(ok), 0, "v8").unwrap();
        assert_eq!(channel.channel_id, "1000000068001");
        assert_eq!(channel.events, ["Deals.edit", "Deals.all"]);
        assert!(channel.wants("Deals", "update") && channel.wants("Deals", "insert"));
        assert!(!channel.wants("Leads", "update"));
        for (bad, code) in [
            (
                json!({"events": ["Deals.edit"], "notify_url": "https://x"}),
                "MANDATORY_NOT_FOUND",
            ),
            (
                json!({"channel_id": "12ab", "events": ["Deals.edit"], "notify_url": "https://x"}),
                "INVALID_DATA",
            ),
            (
                json!({"channel_id": 1, "events": ["Deals.update"], "notify_url": "https://x"}),
                "INVALID_DATA",
            ),
            (
                json!({"channel_id": 1, "events": ["Deals.edit"]}),
                "MANDATORY_NOT_FOUND",
            ),
            (
                json!({"channel_id": 1, "events": ["Deals.edit"], "notify_url": "https://x", "token": "x".repeat(51)}),
                "INVALID_DATA",
            ),
        ] {
            assert_eq!(
                channel_from(&item(bad.clone()), 0, "v8").unwrap_err().code,
                code,
                "{bad}"
            );
        }
    }

    #[test]
    fn field_selections_name_their_fields() {
        let raw = json!([{"type": "field_selection", "module": {"api_name": "Deals"},
            "field_selection": {"group_operator": "or", "group": [
                {"field": {"api_name": "Stage"}}, {"field": {"api_name": "Amount"}}]}}]);
        assert_eq!(conditions(&raw)["Deals"], ["Stage", "Amount"]);
    }
}
