//! Deals (v2, linked to the person and their organization), notes (v1, where Pipedrive keeps
//! them: HTML on the person and the deal) and follow-up activities (v2).

use serde_json::{Map, Value, json};

use super::Connector;
use super::client::Version;
use super::persons::{numeric, record_id};
use crate::crm::kit::escape::html_lines;
use crate::crm::{DealFields, NoteFields, TaskFields};
use crate::outbound::CallError;

/// A due time in Unix milliseconds as Pipedrive's UTC `due_date` and `due_time`.
fn due(ms: i64) -> Option<(String, String)> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    let date = t
        .format(time::macros::format_description!("[year]-[month]-[day]"))
        .ok()?;
    let clock = t
        .format(time::macros::format_description!("[hour]:[minute]"))
        .ok()?;
    Some((date, clock))
}

impl Connector {
    /// Deal fields: a new deal gets its title, pipeline, stage and owner; an update only the
    /// value, currency, own fields and the owner a rep's claim named, so a rep's renaming or
    /// stage move stands.
    fn deal_body(
        &self,
        deal: &DealFields,
        creating: bool,
    ) -> Result<Map<String, Value>, CallError> {
        let mut body = Map::new();
        if creating {
            body.insert("title".into(), json!(deal.title));
            let settings = [
                ("pipeline_id", self.config.pipeline_id),
                ("stage_id", self.config.stage_id),
            ];
            for (key, value) in settings {
                if let Some(v) = value {
                    body.insert(key.into(), json!(v));
                }
            }
        }
        let owner = match &deal.owner {
            Some(claimed) => Some(numeric(claimed)?),
            None => self.config.owner_id.filter(|_| creating),
        };
        if let Some(owner) = owner {
            body.insert("owner_id".into(), json!(owner));
        }
        if let Some(amount) = deal.amount {
            body.insert("value".into(), json!(amount));
        }
        if let Some(currency) = &deal.currency {
            body.insert("currency".into(), json!(currency));
        }
        let custom: Map<String, Value> = deal
            .custom
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !custom.is_empty() {
            body.insert("custom_fields".into(), Value::Object(custom));
        }
        Ok(body)
    }

    pub(super) async fn insert_deal(
        &self,
        person: &str,
        deal: &DealFields,
    ) -> Result<String, CallError> {
        let person_id = numeric(person)?;
        let mut body = self.deal_body(deal, true)?;
        body.insert("person_id".into(), json!(person_id));
        // The deal also belongs to the person's organization.
        let holder = self
            .api
            .get("read person", Version::V2, &["persons", person], &[])
            .await?;
        if let Some(org) = holder["org_id"].as_u64() {
            body.insert("org_id".into(), json!(org));
        }
        record_id(
            &self
                .api
                .post("create deal", Version::V2, &["deals"], &Value::Object(body))
                .await?,
        )
    }

    /// Updates the value, currency and own fields; with nothing to write it only checks the deal
    /// still exists, so a deleted deal is created again.
    pub(super) async fn patch_deal(&self, id: &str, deal: &DealFields) -> Result<(), CallError> {
        numeric(id)?;
        let body = self.deal_body(deal, false)?;
        let answer = if body.is_empty() {
            self.api
                .get("read deal", Version::V2, &["deals", id], &[])
                .await?
        } else {
            self.api
                .patch("update deal", &["deals", id], &Value::Object(body))
                .await?
        };
        if answer["is_deleted"] == Value::Bool(true) {
            return Err(CallError::not_found(format!("deal {id} was deleted")));
        }
        Ok(())
    }

    pub(super) async fn insert_note(
        &self,
        person: &str,
        deal: Option<&str>,
        note: &NoteFields,
    ) -> Result<String, CallError> {
        let mut body = json!({"content": html_lines(&note.body), "person_id": numeric(person)?});
        if let Some(deal) = deal {
            body["deal_id"] = json!(numeric(deal)?);
        }
        record_id(
            &self
                .api
                .post("create note", Version::V1, &["notes"], &body)
                .await?,
        )
    }

    pub(super) async fn patch_note(&self, id: &str, note: &NoteFields) -> Result<(), CallError> {
        numeric(id)?;
        self.api
            .put(
                "update note",
                Version::V1,
                &["notes", id],
                &json!({ "content": html_lines(&note.body) }),
            )
            .await
            .map(drop)
    }

    /// `PUT /v1/notes/{id}` with the deal.
    pub(super) async fn note_to_deal(&self, id: &str, deal: &str) -> Result<(), CallError> {
        numeric(id)?;
        let deal_id = numeric(deal)?;
        self.api
            .put(
                "link note",
                Version::V1,
                &["notes", id],
                &json!({ "deal_id": deal_id }),
            )
            .await
            .map(drop)
    }

    pub(super) async fn insert_activity(
        &self,
        person: &str,
        deal: Option<&str>,
        task: &TaskFields,
    ) -> Result<String, CallError> {
        let mut body = json!({
            "subject": task.subject,
            "type": self.config.activity_type,
            // v2 derives the activity's (read-only) `person_id` from its primary participant.
            "participants": [{"person_id": numeric(person)?, "primary": true}],
            "note": html_lines(&task.body),
            "done": false,
        });
        if let Some((date, clock)) = due(task.due_ms) {
            body["due_date"] = json!(date);
            body["due_time"] = json!(clock);
        }
        if let Some(deal) = deal {
            body["deal_id"] = json!(numeric(deal)?);
        }
        if let Some(owner) = self.config.owner_id {
            body["owner_id"] = json!(owner);
        }
        if let Some(priority) = self.config.activity_priority {
            body["priority"] = json!(priority);
        }
        record_id(
            &self
                .api
                .post("create activity", Version::V2, &["activities"], &body)
                .await?,
        )
    }
}

impl Connector {
    /// The person's deals, notes or activities, newest last.
    pub(super) async fn list_attached(
        &self,
        person: &str,
        kind: crate::crm::Attach,
    ) -> Result<Vec<crate::crm::Attached>, CallError> {
        use crate::crm::Attach;
        let person_id = numeric(person)?.to_string();
        let (version, object, field) = match kind {
            Attach::Deal => (Version::V2, "deals", "title"),
            Attach::Note => (Version::V1, "notes", "content"),
            Attach::Task => (Version::V2, "activities", "subject"),
        };
        let list = self
            .api
            .get(
                "list attached",
                version,
                &[object],
                &[("person_id", person_id), ("limit", "500".to_owned())],
            )
            .await?;
        // The answer's `data`: the list.
        Ok(list
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                Some(crate::crm::Attached {
                    id: record_id(r).ok()?,
                    text: r[field].as_str().unwrap_or_default().to_owned(),
                    created_ms: crate::crm::model::timestamp_ms(&r["add_time"]),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_times_are_utc_dates_and_minutes() {
        assert_eq!(
            due(1_700_000_000_123),
            Some(("2023-11-14".into(), "22:13".into()))
        );
    }
}
