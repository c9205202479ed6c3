//! Companies. A lead with a company gets a company record associated with their contact and
//! their deal: the contact's own company when it already has one of that domain or name, else
//! the oldest company with the domain of the lead's business email, else the oldest of that
//! name, else a new one.
//!
//! The contact is written first and a new company is created already associated with it (one
//! call), so a create whose answer was lost shows on the contact: the retry lists the contact's
//! companies (an association read, which has no index lag) before it searches or creates.

use serde_json::{Value, json};

use super::Connector;
use super::props::{self, COMPANY_TO_CONTACT};
use super::single::{object_id, path};
use crate::crm::kit::company_domain;
use crate::lead::Email;
use crate::outbound::CallError;

/// The properties a company match is decided on.
pub(super) const COMPANY_PROPERTIES: [&str; 2] = ["name", "domain"];

/// What a lead says about their company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Wanted {
    pub name: String,
    /// The company web domain of a business email.
    pub domain: Option<String>,
}

impl Wanted {
    /// The company of a lead with a non-empty company name.
    pub fn of(name: Option<&str>, email: Option<&Email>) -> Option<Wanted> {
        let name = name.map(str::trim).filter(|n| !n.is_empty())?;
        Some(Wanted {
            name: name.to_owned(),
            domain: email.and_then(company_domain).map(str::to_owned),
        })
    }

    /// Whether a company object has this domain.
    pub fn same_domain(&self, company: &Value) -> bool {
        let held = company["properties"]["domain"].as_str().map(bare_domain);
        self.domain.is_some() && held.as_deref() == self.domain.as_deref()
    }

    /// The key a batch groups this company under, and reads back from a created company
    /// ([`Wanted::answered_key`]): its domain, else its name in lower case.
    pub fn key(&self) -> String {
        self.domain
            .clone()
            .unwrap_or_else(|| self.name.to_lowercase())
    }

    /// The key of a company as HubSpot answers it.
    pub fn answered_key(company: &Value) -> Option<String> {
        let props = &company["properties"];
        match props["domain"].as_str().filter(|d| !d.trim().is_empty()) {
            Some(domain) => Some(bare_domain(domain)),
            None => props["name"].as_str().map(|n| n.trim().to_lowercase()),
        }
    }

    /// Whether a company object has this name (letter case and outer spaces aside).
    pub fn same_name(&self, company: &Value) -> bool {
        company["properties"]["name"]
            .as_str()
            .is_some_and(|n| n.trim().to_lowercase() == self.name.to_lowercase())
    }

    /// The first company of `companies` with this domain, else the first with this name.
    pub fn pick<'a>(&self, companies: &'a [Value]) -> Option<&'a Value> {
        companies
            .iter()
            .find(|c| self.same_domain(c))
            .or_else(|| companies.iter().find(|c| self.same_name(c)))
    }

    /// Search filter groups (OR-ed) for these companies: domain, then name.
    pub fn groups(wanted: &[&Wanted]) -> Vec<Value> {
        // Names in lower case: one entry per company however the leads wrote it.
        let mut domains: Vec<String> = wanted.iter().filter_map(|w| w.domain.clone()).collect();
        let mut names: Vec<String> = wanted.iter().map(|w| w.name.to_lowercase()).collect();
        domains.sort_unstable();
        domains.dedup();
        names.sort_unstable();
        names.dedup();
        let mut groups = Vec::new();
        for (property, values) in [("domain", domains), ("name", names)] {
            if !values.is_empty() {
                groups.push(json!({"filters": [{"propertyName": property, "operator": "IN", "values": values}]}));
            }
        }
        groups
    }

    /// The properties of the company to create.
    pub fn properties(&self, owner: Option<&str>) -> serde_json::Map<String, Value> {
        let mut properties = serde_json::Map::new();
        properties.insert("name".into(), json!(self.name));
        if let Some(domain) = &self.domain {
            properties.insert("domain".into(), json!(domain));
        }
        if let Some(owner) = owner {
            properties.insert("hubspot_owner_id".into(), json!(owner));
        }
        properties
    }
}

/// A domain as a rep may have typed it (`https://www.Firma.pl/`), bare: `firma.pl`.
pub(super) fn bare_domain(raw: &str) -> String {
    let lower = raw.trim().to_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    host.strip_prefix("www.").unwrap_or(host).to_owned()
}

/// The ids in a v4 association listing.
pub(super) fn associated_ids(listing: &Value) -> Vec<String> {
    listing["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| match &r["toObjectId"] {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
        .collect()
}

impl Connector {
    /// The ids of the companies a contact is associated with (v4 association listing).
    async fn contact_companies(&self, contact: &str) -> Result<Vec<String>, CallError> {
        let listing = self
            .api
            .get(
                "list contact companies",
                &[
                    "crm",
                    "v4",
                    "objects",
                    "contacts",
                    contact,
                    "associations",
                    "companies",
                ],
                &[("limit", "100")],
            )
            .await?;
        Ok(associated_ids(&listing))
    }

    /// Reads companies by id with their name and domain.
    pub(super) async fn read_companies(&self, ids: &[String]) -> Result<Vec<Value>, CallError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for chunk in ids.chunks(100) {
            let inputs: Vec<Value> = chunk.iter().map(|id| json!({ "id": id })).collect();
            let read = self
                .api
                .post(
                    "read companies",
                    &path("companies", &["batch", "read"]),
                    &json!({"properties": COMPANY_PROPERTIES, "propertiesWithHistory": [], "inputs": inputs}),
                )
                .await?;
            found.extend(read["results"].as_array().into_iter().flatten().cloned());
        }
        Ok(found)
    }

    /// Companies with any of these domains or names, oldest first, and whether that was all of
    /// them (one page of 200).
    pub(super) async fn search_companies(
        &self,
        wanted: &[&Wanted],
    ) -> Result<(Vec<Value>, bool), CallError> {
        let body = json!({
            "filterGroups": Wanted::groups(wanted),
            "properties": COMPANY_PROPERTIES,
            "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}],
            "limit": 200,
        });
        let page = self
            .api
            .post("search companies", &path("companies", &["search"]), &body)
            .await?;
        let complete = page["paging"]["next"]["after"].is_null();
        Ok((
            page["results"].as_array().cloned().unwrap_or_default(),
            complete,
        ))
    }

    /// Gives `contact` the company the lead names (found or created) and returns its id. A
    /// contact just created has no companies yet, so their listing is skipped.
    pub(super) async fn attach_company(
        &self,
        contact: &str,
        wanted: &Wanted,
        new_contact: bool,
    ) -> Result<String, CallError> {
        if !new_contact {
            let held = self.contact_companies(contact).await?;
            let companies = self.read_companies(&held).await?;
            if let Some(id) = wanted.pick(&companies).and_then(|c| object_id(c).ok()) {
                self.companies.remember(contact, Some(id.clone()));
                return Ok(id);
            }
        }
        let (found, _) = self.search_companies(&[wanted]).await?;
        let id = match wanted.pick(&found) {
            Some(company) => {
                let id = object_id(company)?;
                self.associate_default("contacts", contact, "companies", &id)
                    .await?;
                id
            }
            None => {
                let body = json!({
                    "properties": wanted.properties(self.config.owner_id.as_deref()),
                    "associations": [props::association(contact, COMPANY_TO_CONTACT)],
                });
                object_id(
                    &self
                        .api
                        .post("create company", &path("companies", &[]), &body)
                        .await?,
                )?
            }
        };
        self.companies.remember(contact, Some(id.clone()));
        Ok(id)
    }

    /// The company a contact's deal goes to: remembered, else the contact's first company; a
    /// contact with a company name but no company record (one whose company step failed) gets
    /// it now.
    pub(super) async fn company_of(&self, contact: &str) -> Result<Option<String>, CallError> {
        if let Some(known) = self.companies.get(contact) {
            return Ok(known);
        }
        if let Some(first) = self.contact_companies(contact).await?.into_iter().next() {
            self.companies.remember(contact, Some(first.clone()));
            return Ok(Some(first));
        }
        let properties = "company,email";
        let read = self
            .api
            .get(
                "read contact",
                &path("contacts", &[contact]),
                &[("properties", properties)],
            )
            .await;
        let object = match read {
            Ok(object) => object,
            Err(CallError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let email = object["properties"]["email"]
            .as_str()
            .and_then(|e| Email::parse(e).ok());
        match Wanted::of(object["properties"]["company"].as_str(), email.as_ref()) {
            Some(wanted) => Ok(Some(self.attach_company(contact, &wanted, true).await?)),
            None => {
                self.companies.remember(contact, None);
                Ok(None)
            }
        }
    }

    /// `PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{to_id}`.
    pub(super) async fn associate_default(
        &self,
        from: &str,
        id: &str,
        to: &str,
        to_id: &str,
    ) -> Result<(), CallError> {
        let url = self.api.url(&[
            "crm",
            "v4",
            "objects",
            from,
            id,
            "associations",
            "default",
            to,
            to_id,
        ]);
        self.api
            .call("associate", reqwest::Method::PUT, url, None)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(id: &str, name: &str, domain: Option<&str>) -> Value {
        json!({"id": id, "properties": {"name": name, "domain": domain}})
    }

    #[test]
    fn a_company_is_picked_by_domain_before_name() {
        let email = Email::parse("anna@firma.pl").unwrap();
        let wanted = Wanted::of(Some(" Firma Sp. z o.o. "), Some(&email)).unwrap();
        assert_eq!(wanted.domain.as_deref(), Some("firma.pl"));
        let found = [
            company("1", "FIRMA SP. Z O.O.", None),
            company("2", "Firma (old name)", Some("https://www.Firma.pl/")),
        ];
        assert_eq!(wanted.pick(&found).unwrap()["id"], "2");
        assert_eq!(wanted.pick(&found[..1]).unwrap()["id"], "1");
        assert!(
            wanted
                .pick(&[company("3", "Other", Some("other.pl"))])
                .is_none()
        );
        let gmail = Email::parse("anna@gmail.com").unwrap();
        assert_eq!(
            Wanted::of(Some("Firma"), Some(&gmail)).unwrap().domain,
            None
        );
        assert_eq!(Wanted::of(Some("  "), Some(&email)), None);
    }

    #[test]
    fn searches_ask_for_every_domain_and_name_once() {
        let a = Wanted {
            name: "Firma".into(),
            domain: Some("firma.pl".into()),
        };
        let b = Wanted {
            name: "Firma".into(),
            domain: None,
        };
        let groups = Wanted::groups(&[&a, &b]);
        assert_eq!(groups[0]["filters"][0]["values"], json!(["firma.pl"]));
        assert_eq!(groups[1]["filters"][0]["values"], json!(["firma"]));
    }
}
