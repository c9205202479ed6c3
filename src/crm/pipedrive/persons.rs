//! Persons and their organizations. Pipedrive keeps no email unique, so the sync's find-before-
//! create is the only guard: persons are found by exact email, by E.164 phone, or by name within
//! the organization of that exact name; the oldest (lowest id) match wins. A person is created
//! with their organization (found by exact name, else created) and updated field by field,
//! keeping the emails and phones they already have.

use serde_json::{Map, Value, json};

use super::Connector;
use super::client::Version;
use crate::crm::{Field, FindKey, PersonFields, PersonRecord};
use crate::lead::PhoneE164;
use crate::outbound::CallError;

/// Search hits read per lookup.
const SEARCH_LIMIT: &str = "50";
/// Organizations of the same name whose persons are looked through.
const MAX_ORGANIZATIONS: usize = 3;

/// An id as Pipedrive's JSON wants it.
pub(super) fn numeric(id: &str) -> Result<u64, CallError> {
    id.trim()
        .parse()
        .map_err(|_| CallError::permanent(format!("`{id}` is not a Pipedrive id")))
}

/// The id of an answered record.
pub(super) fn record_id(data: &Value) -> Result<String, CallError> {
    match &data["id"] {
        Value::Number(n) => Ok(n.to_string()),
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        _ => Err(CallError::retryable(
            "Pipedrive's answer carried no id",
            None,
        )),
    }
}

/// A phone as compared: E.164 when it parses as an international number.
fn phone_key(raw: &str) -> String {
    PhoneE164::parse(raw, None)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|_| raw.trim().to_owned())
}

/// The values of an `emails`/`phones` list (`[{value, primary, label}]`, or plain strings as
/// search answers them), primary first.
fn listed(list: &Value) -> Vec<String> {
    let mut items: Vec<(bool, String)> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            Value::String(s) => Some((false, s.clone())),
            other => Some((
                other["primary"].as_bool().unwrap_or(false),
                other["value"].as_str()?.to_owned(),
            )),
        })
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    items.sort_by_key(|(primary, _)| !primary);
    items.into_iter().map(|(_, v)| v).collect()
}

/// The name a new person gets: their full name, else their email or phone (Pipedrive requires
/// one).
fn display_name(person: &PersonFields) -> String {
    let name = [person.first_name.as_deref(), person.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !name.trim().is_empty() {
        return name;
    }
    person
        .email
        .as_ref()
        .map(|e| e.as_str().to_owned())
        .or_else(|| person.phone.as_ref().map(|p| p.as_str().to_owned()))
        .unwrap_or_else(|| "Website visitor".into())
}

/// A list with `value` first and primary, then the others as they were.
fn with_primary(
    current: &Value,
    value: &str,
    label: &str,
    same: impl Fn(&str, &str) -> bool,
) -> Value {
    let mut list = vec![json!({"value": value, "primary": true, "label": label})];
    for item in current.as_array().into_iter().flatten() {
        let Some(held) = item["value"].as_str() else {
            continue;
        };
        if !same(held, value) {
            list.push(json!({"value": held, "primary": false, "label": item["label"].as_str().unwrap_or(label)}));
        }
    }
    Value::Array(list)
}

impl Connector {
    /// A v2 person as a record; `company` is its organization's name when known.
    fn record(&self, person: &Value, company: Option<String>) -> Option<PersonRecord> {
        let id = record_id(person).ok()?;
        let mut values = std::collections::BTreeMap::new();
        let emails = listed(&person["emails"]);
        let phones = listed(&person["phones"]);
        if let Some(email) = emails.first() {
            values.insert(Field::Email, email.trim().to_owned());
        }
        if let Some(phone) = phones.first() {
            values.insert(Field::Phone, phone_key(phone));
        }
        // A person created without a name carries their email or phone as one: not a name.
        let name = person["name"].as_str().unwrap_or_default().trim();
        if !emails.iter().chain(&phones).any(|v| v.trim() == name) {
            for (field, key) in [
                (Field::FirstName, "first_name"),
                (Field::LastName, "last_name"),
            ] {
                if let Some(v) = person[key]
                    .as_str()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                {
                    values.insert(field, v.to_owned());
                }
            }
        }
        if let Some(company) = company.filter(|c| !c.trim().is_empty()) {
            values.insert(Field::Company, company);
        }
        if let Some(owner) = person["owner_id"].as_u64() {
            values.insert(Field::Owner, owner.to_string());
        }
        let custom = &person["custom_fields"];
        let text = |key: &str| match &custom[key] {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        if let Some(value) = self.config.job_title_field.as_deref().and_then(text) {
            values.insert(Field::JobTitle, value);
        }
        for key in self.config.own_person_fields() {
            if let Some(value) = text(key) {
                values.insert(Field::Custom(key.to_owned()), value);
            }
        }
        Some(PersonRecord { id, values })
    }

    /// Search hits (`data.items[].item`) for `term` in `field`.
    async fn search(
        &self,
        object: &str,
        term: &str,
        field: &str,
        exact: bool,
        organization: Option<u64>,
    ) -> Result<Vec<Value>, CallError> {
        let mut query = vec![
            ("term", term.to_owned()),
            ("fields", field.to_owned()),
            ("exact_match", exact.to_string()),
            ("limit", SEARCH_LIMIT.to_owned()),
        ];
        query.extend(organization.map(|o| ("organization_id", o.to_string())));
        let data = self
            .api
            .get("search", Version::V2, &[object, "search"], &query)
            .await?;
        Ok(data["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|hit| hit["item"].clone())
            .collect())
    }

    /// The oldest hit that `matches`, read in full.
    async fn oldest(
        &self,
        hits: Vec<Value>,
        matches: impl Fn(&Value) -> bool,
    ) -> Result<Option<PersonRecord>, CallError> {
        let oldest = hits
            .iter()
            .filter(|h| matches(h))
            .min_by_key(|h| h["id"].as_u64().unwrap_or(u64::MAX));
        let Some(hit) = oldest else { return Ok(None) };
        let company = hit["organization"]["name"].as_str().map(str::to_owned);
        match self.read_raw(&record_id(hit)?).await? {
            Some(person) => Ok(self.record(&person, company)),
            None => Ok(None),
        }
    }

    pub(super) async fn find(&self, key: FindKey<'_>) -> Result<Option<PersonRecord>, CallError> {
        match key {
            FindKey::Email(email) => {
                let hits = self
                    .search("persons", email.as_str(), "email", true, None)
                    .await?;
                self.oldest(hits, |h| {
                    listed(&h["emails"])
                        .iter()
                        .any(|e| e.trim().eq_ignore_ascii_case(email.as_str()))
                })
                .await
            }
            // Pipedrive keeps phones as typed and its search compares text: `exact_match`
            // the whole value (case aside), otherwise "the term can be present anywhere in the
            // field value". E.164 first; then the last three digits, which a rep's "(415)
            // 555-0134", "0161 496 0000" or "601 234 567" holds as written, every candidate
            // then read in the phone's region and compared.
            FindKey::Phone(phone) => {
                let same = |h: &Value| listed(&h["phones"]).iter().any(|p| phone.same_as(p));
                let hits = self
                    .search("persons", phone.as_str(), "phone", true, None)
                    .await?;
                if let Some(found) = self.oldest(hits, same).await? {
                    return Ok(Some(found));
                }
                let digits = phone.as_str();
                let tail = &digits[digits.len().saturating_sub(3)..];
                let hits = self.search("persons", tail, "phone", false, None).await?;
                self.oldest(hits, same).await
            }
            FindKey::NameAndCompany {
                first,
                last,
                company,
            } => {
                for organization in self
                    .organizations_named(company)
                    .await?
                    .into_iter()
                    .take(MAX_ORGANIZATIONS)
                {
                    let full = [Some(first), last]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    // Without a last name, any person of that first name in the organization.
                    let (term, exact) = if last.is_some() || first.chars().count() < 2 {
                        (full.as_str(), true)
                    } else {
                        (first, false)
                    };
                    let hits = self
                        .search("persons", term, "name", exact, Some(organization))
                        .await?;
                    let wanted = |h: &Value| {
                        let name = h["name"].as_str().unwrap_or_default().trim().to_lowercase();
                        if last.is_some() {
                            name == full.to_lowercase()
                        } else {
                            name.split_whitespace().next() == Some(first.to_lowercase().as_str())
                        }
                    };
                    if let Some(found) = self.oldest(hits, wanted).await? {
                        return Ok(Some(found));
                    }
                }
                Ok(None)
            }
        }
    }

    /// A v2 person as Pipedrive holds it; `None` when deleted or merged away.
    async fn read_raw(&self, id: &str) -> Result<Option<Value>, CallError> {
        numeric(id)?;
        match self
            .api
            .get("read person", Version::V2, &["persons", id], &[])
            .await
        {
            Ok(person) if person["is_deleted"] == Value::Bool(true) || person.is_null() => Ok(None),
            Ok(person) => Ok(Some(person)),
            Err(CallError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn read(&self, id: &str) -> Result<Option<PersonRecord>, CallError> {
        let Some(person) = self.read_raw(id).await? else {
            return Ok(None);
        };
        let company = match person["org_id"].as_u64() {
            Some(org) => match self
                .api
                .get(
                    "read organization",
                    Version::V2,
                    &["organizations", &org.to_string()],
                    &[],
                )
                .await
            {
                Ok(organization) => organization["name"].as_str().map(str::to_owned),
                Err(CallError::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        Ok(self.record(&person, company))
    }

    /// Ids of organizations with exactly this name, oldest first.
    async fn organizations_named(&self, name: &str) -> Result<Vec<u64>, CallError> {
        let hits = self
            .search("organizations", name, "name", true, None)
            .await?;
        let mut ids: Vec<u64> = hits
            .iter()
            .filter(|h| {
                h["name"]
                    .as_str()
                    .is_some_and(|n| n.trim().to_lowercase() == name.trim().to_lowercase())
            })
            .filter_map(|h| h["id"].as_u64())
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    /// The organization of this name: the oldest found, else a new one.
    async fn organization_for(&self, name: &str) -> Result<u64, CallError> {
        if let Some(&id) = self.organizations_named(name).await?.first() {
            return Ok(id);
        }
        let mut body = json!({ "name": name });
        if let Some(owner) = self.config.owner_id {
            body["owner_id"] = json!(owner);
        }
        let created = self
            .api
            .post(
                "create organization",
                Version::V2,
                &["organizations"],
                &body,
            )
            .await?;
        numeric(&record_id(&created)?)
    }

    /// The owner a write gives: the claiming rep's Pipedrive user id, else the configured one.
    pub(super) fn owner_id(&self, claimed: Option<&str>) -> Result<Option<u64>, CallError> {
        Ok(claimed.map(numeric).transpose()?.or(self.config.owner_id))
    }

    /// `custom_fields` for the job title and the own values that are set.
    fn custom_fields(&self, person: &PersonFields) -> Map<String, Value> {
        let mut custom: Map<String, Value> = person
            .custom
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let (Some(key), Some(title)) = (&self.config.job_title_field, &person.job_title) {
            custom.insert(key.clone(), json!(title));
        }
        custom
    }

    pub(super) async fn create(&self, person: &PersonFields) -> Result<String, CallError> {
        let mut body = json!({ "name": display_name(person) });
        if let Some(email) = &person.email {
            body["emails"] = json!([{"value": email.as_str(), "primary": true, "label": "work"}]);
        }
        if let Some(phone) = &person.phone {
            body["phones"] = json!([{"value": phone.as_str(), "primary": true, "label": "mobile"}]);
        }
        if let Some(company) = &person.company {
            body["org_id"] = json!(self.organization_for(company).await?);
        }
        if let Some(owner) = self.owner_id(person.owner.as_deref())? {
            body["owner_id"] = json!(owner);
        }
        let custom = self.custom_fields(person);
        if !custom.is_empty() {
            body["custom_fields"] = Value::Object(custom);
        }
        record_id(
            &self
                .api
                .post("create person", Version::V2, &["persons"], &body)
                .await?,
        )
    }

    /// Sets these fields: a new email or phone becomes the primary one and the others stay; a
    /// new first or last name keeps the other part.
    pub(super) async fn update(&self, id: &str, person: &PersonFields) -> Result<(), CallError> {
        let needs_current = person.email.is_some()
            || person.phone.is_some()
            || person.first_name.is_some()
            || person.last_name.is_some();
        let current =
            match needs_current {
                true => Some(self.read_raw(id).await?.ok_or_else(|| {
                    CallError::not_found(format!("person {id} no longer exists"))
                })?),
                false => None,
            };
        let current = current.unwrap_or(Value::Null);
        let mut body = Map::new();
        if person.first_name.is_some() || person.last_name.is_some() {
            let known = self
                .record(&current, None)
                .map(|r| r.values)
                .unwrap_or_default();
            let first = person
                .first_name
                .clone()
                .or_else(|| known.get(&Field::FirstName).cloned());
            let last = person
                .last_name
                .clone()
                .or_else(|| known.get(&Field::LastName).cloned());
            let name = [first, last]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if !name.trim().is_empty() {
                body.insert("name".into(), json!(name));
            }
        }
        if let Some(email) = &person.email {
            body.insert(
                "emails".into(),
                with_primary(&current["emails"], email.as_str(), "work", |a, b| {
                    a.trim().eq_ignore_ascii_case(b)
                }),
            );
        }
        if let Some(phone) = &person.phone {
            body.insert(
                "phones".into(),
                with_primary(&current["phones"], phone.as_str(), "mobile", |a, b| {
                    phone_key(a) == b
                }),
            );
        }
        if let Some(company) = &person.company {
            body.insert(
                "org_id".into(),
                json!(self.organization_for(company).await?),
            );
        }
        if let Some(owner) = &person.owner {
            body.insert("owner_id".into(), json!(numeric(owner)?));
        }
        let custom = self.custom_fields(person);
        if !custom.is_empty() {
            body.insert("custom_fields".into(), Value::Object(custom));
        }
        if body.is_empty() {
            return Ok(());
        }
        numeric(id)?;
        self.api
            .patch("update person", &["persons", id], &Value::Object(body))
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::Email;

    #[test]
    fn lists_put_the_primary_first_and_keep_the_rest() {
        let current = json!([{"value": "old@firma.pl", "primary": true, "label": "home"}, {"value": "NEW@firma.pl", "primary": false}]);
        assert_eq!(listed(&current), vec!["old@firma.pl", "NEW@firma.pl"]);
        let merged = with_primary(&current, "new@firma.pl", "work", |a, b| {
            a.eq_ignore_ascii_case(b)
        });
        assert_eq!(
            merged,
            json!([{"value": "new@firma.pl", "primary": true, "label": "work"}, {"value": "old@firma.pl", "primary": false, "label": "home"}])
        );
        assert_eq!(listed(&json!(["a@b.pl"])), vec!["a@b.pl"]);
    }

    #[test]
    fn names_fall_back_to_email_or_phone() {
        let mut p = PersonFields {
            email: Some(Email::parse("anna@firma.pl").unwrap()),
            ..PersonFields::default()
        };
        assert_eq!(display_name(&p), "anna@firma.pl");
        p.first_name = Some("Anna".into());
        p.last_name = Some("Nowak".into());
        assert_eq!(display_name(&p), "Anna Nowak");
    }
}
