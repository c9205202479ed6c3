//! Pipedrive connector: v2 persons, organizations, deals and activities, v1 notes, with an API
//! token or OAuth (refreshed when it expires or is refused). Pipedrive enforces no uniqueness,
//! so duplicates are prevented by the sync finding before it creates (exact email, E.164 phone,
//! name within the organization) and by the worker running one person's jobs one at a time.

mod auth;
mod client;
mod config;
mod errors;
mod persons;
mod records;

pub use config::Config;

use futures_util::future::BoxFuture;

use self::client::Api;
use super::{CrmApi, DealFields, FindKey, NoteFields, PersonFields, PersonRecord, TaskFields};
use crate::crm::CrmKind;
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

impl CrmApi for Connector {
    fn kind(&self) -> CrmKind {
        CrmKind::Pipedrive
    }

    fn find_person<'a>(
        &'a self,
        key: FindKey<'a>,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        Box::pin(self.find(key))
    }

    fn get_person<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        Box::pin(self.read(id))
    }

    fn create_person<'a>(
        &'a self,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        Box::pin(self.create(fields))
    }

    fn update_person<'a>(
        &'a self,
        id: &'a str,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.update(id, fields))
    }

    fn create_deal<'a>(
        &'a self,
        person: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        Box::pin(self.insert_deal(person, deal))
    }

    fn update_deal<'a>(
        &'a self,
        id: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.patch_deal(id, deal))
    }

    fn create_note<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        Box::pin(self.insert_note(person, deal, note))
    }

    fn update_note<'a>(
        &'a self,
        id: &'a str,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.patch_note(id, note))
    }

    fn link_note<'a>(
        &'a self,
        note: &'a str,
        deal: &'a str,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.note_to_deal(note, deal))
    }

    fn create_task<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        task: &'a TaskFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        Box::pin(self.insert_activity(person, deal, task))
    }

    fn attached<'a>(
        &'a self,
        person: &'a str,
        kind: crate::crm::Attach,
        _sent: &'a [String],
    ) -> BoxFuture<'a, Result<Option<Vec<crate::crm::Attached>>, CallError>> {
        Box::pin(async move { self.list_attached(person, kind).await.map(Some) })
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
