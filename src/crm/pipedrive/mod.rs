//! Pipedrive connector: v2 persons, organizations, deals and activities, v1 notes, with an API
//! token or OAuth (refreshed when it expires or is refused). Pipedrive enforces no uniqueness,
//! so duplicates are prevented by the sync finding before it creates (exact email, E.164 phone,
//! name within the organization) and by the worker running one person's jobs one at a time.

mod auth;
mod client;
mod config;
mod erase;
mod errors;
mod persons;
mod records;

pub use config::Config;

use self::client::Api;
use crate::crm::kit::Calls;
use crate::crm::model::{
    Attach, Attached, CrmKind, CrmLinks, DealFields, FindKey, NoteFields, PersonFields,
    PersonRecord, TaskFields,
};
use crate::outbound::CallError;

/// A Pipedrive company.
pub struct Connector {
    config: Config,
    api: Api,
}

impl Connector {
    /// A connector for a validated configuration.
    pub fn new(config: &Config) -> Result<Connector, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(Connector {
            api: Api::new(config)?,
            config: config.clone(),
        })
    }
}

impl Calls for Connector {
    const KIND: CrmKind = CrmKind::Pipedrive;

    async fn find_person(&self, key: FindKey<'_>) -> Result<Option<PersonRecord>, CallError> {
        self.find(key).await
    }

    async fn get_person(&self, id: &str) -> Result<Option<PersonRecord>, CallError> {
        self.read(id).await
    }

    async fn create_person(&self, fields: &PersonFields) -> Result<String, CallError> {
        self.create(fields).await
    }

    async fn update_person(&self, id: &str, fields: &PersonFields) -> Result<(), CallError> {
        self.update(id, fields).await
    }

    async fn create_deal(&self, person: &str, deal: &DealFields) -> Result<String, CallError> {
        self.insert_deal(person, deal).await
    }

    async fn update_deal(&self, id: &str, deal: &DealFields) -> Result<(), CallError> {
        self.patch_deal(id, deal).await
    }

    async fn create_note(
        &self,
        person: &str,
        deal: Option<&str>,
        note: &NoteFields,
    ) -> Result<String, CallError> {
        self.insert_note(person, deal, note).await
    }

    async fn update_note(&self, id: &str, note: &NoteFields) -> Result<(), CallError> {
        self.patch_note(id, note).await
    }

    async fn erase(&self, links: &CrmLinks) -> Result<(), CallError> {
        self.erase_records(links).await
    }

    async fn link_note(&self, note: &str, deal: &str) -> Result<(), CallError> {
        self.note_to_deal(note, deal).await
    }

    async fn create_task(
        &self,
        person: &str,
        deal: Option<&str>,
        task: &TaskFields,
    ) -> Result<String, CallError> {
        self.insert_activity(person, deal, task).await
    }

    async fn attached(
        &self,
        person: &str,
        kind: Attach,
        _sent: &[String],
    ) -> Result<Option<Vec<Attached>>, CallError> {
        self.list_attached(person, kind).await.map(Some)
    }

    /// `{app_url}/person/{id}`, with `app_url` from the configuration or OAuth's `api_domain`.
    fn record_url(&self, person_id: &str) -> Option<String> {
        let app = self
            .config
            .app_url
            .clone()
            .or_else(|| self.api.auth.api_domain())?;
        Some(format!("{}/person/{person_id}", app.trim_end_matches('/')))
    }
}
