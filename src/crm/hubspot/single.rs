//! One record per call: the operations behind [`CrmApi`](crate::crm::CrmApi). Contacts are
//! found by email with a read by the unique `email` property (not search, whose index lags
//! behind writes by seconds), by phone with a search over `phone` and `mobilephone`, and by
//! name and company with a search; the oldest match wins.

use serde_json::{Map, Value, json};

use super::Connector;
use super::companies::Wanted;
use super::props::{
    self, DEAL_TO_COMPANY, DEAL_TO_CONTACT, NOTE_TO_CONTACT, NOTE_TO_DEAL, TASK_TO_CONTACT,
    TASK_TO_DEAL,
};
use crate::crm::kit::escape::html_lines;
use crate::crm::{DealFields, FindKey, NoteFields, PersonFields, PersonRecord, TaskFields};
use crate::lead::PhoneE164;
use crate::outbound::CallError;

/// The path segments of an object type and what follows it (an id, `search`, `batch`/`read`).
pub(super) fn path<'a>(object: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut segments = vec!["crm", "v3", "objects", object];
    segments.extend_from_slice(rest);
    segments
}

/// The id of a created or read object.
pub(super) fn object_id(object: &Value) -> Result<String, CallError> {
    match &object["id"] {
        Value::String(id) if !id.is_empty() => Ok(id.clone()),
        Value::Number(id) => Ok(id.to_string()),
        _ => Err(CallError::retryable(
            "HubSpot's answer carried no object id",
            None,
        )),
    }
}

/// Now, in Unix milliseconds.
pub(super) fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or_default()
}

/// A filter `property EQ value`.
fn eq(property: &str, value: &str) -> Value {
    json!({"propertyName": property, "operator": "EQ", "value": value})
}

/// Filter groups matching any of `phones` (OR-ed): the E.164 text in `phone` or
/// `mobilephone` (HubSpot keeps numbers as typed and `EQ` compares text), and the national
/// number in the read-only `hs_searchable_calculated_phone_number` and
/// `hs_searchable_calculated_mobile_number`, HubSpot's copies of them without formatting or
/// country code, which find a rep's "(415) 555-0134". Four groups of HubSpot's five.
pub(super) fn phone_groups(phones: &[&PhoneE164]) -> Vec<Value> {
    let e164: Vec<&str> = phones.iter().map(|p| p.as_str()).collect();
    let mut national: Vec<&str> = phones.iter().map(|p| p.national_number()).collect();
    national.sort_unstable();
    national.dedup();
    let group = |property: &str, values: &[&str]| match values {
        [one] => json!({"filters": [eq(property, one)]}),
        many => json!({"filters": [{"propertyName": property, "operator": "IN", "values": many}]}),
    };
    vec![
        group("phone", &e164),
        group("mobilephone", &e164),
        group("hs_searchable_calculated_phone_number", &national),
        group("hs_searchable_calculated_mobile_number", &national),
    ]
}

/// A filter group matching a first name, last name (when known) and company (AND-ed).
pub(super) fn name_group(first: &str, last: Option<&str>, company: &str) -> Value {
    let mut filters = vec![eq("firstname", first)];
    filters.extend(last.map(|l| eq("lastname", l)));
    filters.push(eq("company", company));
    json!({ "filters": filters })
}

impl Connector {
    /// A contact search request body: oldest first, with the properties leadgate reads.
    pub(super) fn search_body(&self, groups: Vec<Value>, limit: u32, after: Option<&str>) -> Value {
        let mut body = json!({
            "filterGroups": groups,
            "properties": self.read_properties,
            "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}],
            "limit": limit,
        });
        if let Some(after) = after {
            body["after"] = json!(after);
        }
        body
    }

    pub(super) async fn find_contact(
        &self,
        key: FindKey<'_>,
    ) -> Result<Option<PersonRecord>, CallError> {
        let (groups, limit) = match key {
            FindKey::Email(email) => return self.read_contact(email.as_str(), Some("email")).await,
            // The national number finds other numbers that end alike: each is checked.
            FindKey::Phone(phone) => (phone_groups(&[phone]), 20),
            FindKey::NameAndCompany {
                first,
                last,
                company,
            } => (vec![name_group(first, last, company)], 1),
        };
        let page = self
            .api
            .post(
                "search contacts",
                &path("contacts", &["search"]),
                &self.search_body(groups, limit, None),
            )
            .await?;
        let confirmed = |o: &&Value| match key {
            FindKey::Phone(phone) => props::has_phone(o, phone),
            _ => true,
        };
        Ok(page["results"]
            .as_array()
            .and_then(|r| r.iter().find(confirmed))
            .and_then(|o| props::record(&self.config, o)))
    }

    /// Reads a contact by id, or by a unique property; `None` when there is none.
    pub(super) async fn read_contact(
        &self,
        id: &str,
        id_property: Option<&str>,
    ) -> Result<Option<PersonRecord>, CallError> {
        let properties = self.read_properties.join(",");
        let mut query = vec![("properties", properties.as_str())];
        query.extend(id_property.map(|p| ("idProperty", p)));
        match self
            .api
            .get("read contact", &path("contacts", &[id]), &query)
            .await
        {
            Ok(object) => Ok(props::record(&self.config, &object)),
            Err(CallError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn create_contact(&self, person: &PersonFields) -> Result<String, CallError> {
        let body =
            json!({"properties": props::new_contact(&self.config, person), "associations": []});
        let id = object_id(
            &self
                .api
                .post("create contact", &path("contacts", &[]), &body)
                .await?,
        )?;
        match Wanted::of(person.company.as_deref(), person.email.as_ref()) {
            // A failure here fails the create; the retry finds the contact by email and its
            // deal gives it the company (`company_of`).
            Some(wanted) => {
                self.attach_company(&id, &wanted, true).await?;
            }
            None => self.companies.remember(&id, None),
        }
        Ok(id)
    }

    pub(super) async fn update_contact(
        &self,
        id: &str,
        person: &PersonFields,
    ) -> Result<(), CallError> {
        let body = json!({ "properties": props::contact(person) });
        self.api
            .patch("update contact", &path("contacts", &[id]), &body)
            .await?;
        if let Some(wanted) = Wanted::of(person.company.as_deref(), person.email.as_ref()) {
            self.attach_company(id, &wanted, false).await?;
        }
        Ok(())
    }

    pub(super) async fn insert_deal(
        &self,
        person: &str,
        deal: &DealFields,
    ) -> Result<String, CallError> {
        let mut associations = vec![props::association(person, DEAL_TO_CONTACT)];
        if let Some(company) = self.company_of(person).await? {
            associations.push(props::association(&company, DEAL_TO_COMPANY));
        }
        let body = json!({
            "properties": props::deal(&self.config, deal, true),
            "associations": associations,
        });
        object_id(
            &self
                .api
                .post("create deal", &path("deals", &[]), &body)
                .await?,
        )
    }

    /// Updates the amount, currency and own values; with nothing to write it only checks the
    /// deal still exists, so a deleted deal is created again.
    pub(super) async fn patch_deal(&self, id: &str, deal: &DealFields) -> Result<(), CallError> {
        let properties = props::deal(&self.config, deal, false);
        if properties.is_empty() {
            return self
                .api
                .get(
                    "read deal",
                    &path("deals", &[id]),
                    &[("properties", "dealname")],
                )
                .await
                .map(drop);
        }
        self.api
            .patch(
                "update deal",
                &path("deals", &[id]),
                &json!({ "properties": properties }),
            )
            .await
            .map(drop)
    }

    pub(super) async fn insert_note(
        &self,
        person: &str,
        deal: Option<&str>,
        note: &NoteFields,
    ) -> Result<String, CallError> {
        let mut associations = vec![props::association(person, NOTE_TO_CONTACT)];
        associations.extend(deal.map(|d| props::association(d, NOTE_TO_DEAL)));
        let body = json!({"properties": props::note(note, now_ms()), "associations": associations});
        object_id(
            &self
                .api
                .post("create note", &path("notes", &[]), &body)
                .await?,
        )
    }

    pub(super) async fn patch_note(&self, id: &str, note: &NoteFields) -> Result<(), CallError> {
        let mut properties = Map::new();
        properties.insert("hs_note_body".into(), json!(html_lines(&note.body)));
        self.api
            .patch(
                "update note",
                &path("notes", &[id]),
                &json!({ "properties": properties }),
            )
            .await
            .map(drop)
    }

    /// `PUT /crm/v4/objects/notes/{id}/associations/default/deals/{deal}`.
    pub(super) async fn associate_note(&self, id: &str, deal: &str) -> Result<(), CallError> {
        let url = self.api.url(&[
            "crm",
            "v4",
            "objects",
            "notes",
            id,
            "associations",
            "default",
            "deals",
            deal,
        ]);
        self.api
            .call("link note", reqwest::Method::PUT, url, None)
            .await
            .map(drop)
    }

    pub(super) async fn insert_task(
        &self,
        person: &str,
        deal: Option<&str>,
        task: &TaskFields,
    ) -> Result<String, CallError> {
        let mut associations = vec![props::association(person, TASK_TO_CONTACT)];
        associations.extend(deal.map(|d| props::association(d, TASK_TO_DEAL)));
        let body = json!({"properties": props::task(&self.config, task, task.due_ms), "associations": associations});
        object_id(
            &self
                .api
                .post("create task", &path("tasks", &[]), &body)
                .await?,
        )
    }
}

impl Connector {
    /// The contact's deals, notes or tasks: their ids from the v4 associations, then their text
    /// in one batch read.
    pub(super) async fn list_attached(
        &self,
        contact: &str,
        kind: crate::crm::Attach,
    ) -> Result<Vec<crate::crm::Attached>, CallError> {
        use crate::crm::Attach;
        let (object, property) = match kind {
            Attach::Deal => ("deals", "dealname"),
            Attach::Note => ("notes", "hs_note_body"),
            Attach::Task => ("tasks", "hs_task_subject"),
        };
        let linked = self
            .api
            .get(
                "list associations",
                &[
                    "crm",
                    "v4",
                    "objects",
                    "contacts",
                    contact,
                    "associations",
                    object,
                ],
                &[("limit", "500")],
            )
            .await?;
        let ids: Vec<Value> = linked["results"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| match &r["toObjectId"] {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                _ => None,
            })
            // The newest are the likely ones; a batch read takes 100.
            .rev()
            .take(100)
            .map(|id| json!({ "id": id }))
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let read = self
            .api
            .post(
                "read attached",
                &path(object, &["batch", "read"]),
                // `propertiesWithHistory` is required by HubSpot's batch read model.
                &json!({ "properties": [property], "propertiesWithHistory": [], "inputs": ids }),
            )
            .await?;
        Ok(read["results"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|o| {
                Some(crate::crm::Attached {
                    id: object_id(o).ok()?,
                    text: o["properties"][property]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    created_ms: crate::crm::model::timestamp_ms(&o["createdAt"]),
                })
            })
            .collect())
    }
}
