//! HubSpot connector: contacts, deals, notes and tasks through the v3 object APIs with a
//! private-app token. Contacts are unique by email in HubSpot (a duplicate create answers 409
//! `Existing ID`); phones are written in E.164 and searched in `phone` and `mobilephone`.
//! Under a backlog, [`CrmApi::sync_batch`] syncs up to 100 leads with HubSpot's batch
//! endpoints (see the `batch` module).

mod batch;
mod client;
mod config;
mod errors;
mod props;
mod single;

pub use config::Config;

use futures_util::future::BoxFuture;

use self::client::Api;
use super::progressive::{BatchItem, SyncOutcome};
use super::{CrmApi, DealFields, FindKey, NoteFields, PersonFields, PersonRecord, TaskFields};
use crate::crm::CrmKind;
use crate::outbound::CallError;

/// A HubSpot account.
pub struct Connector {
    config: Config,
    api: Api,
    /// The contact properties every read asks for.
    read_properties: Vec<String>,
}

impl Connector {
    /// A connector for a validated configuration.
    pub fn new(config: &Config) -> Result<Connector, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(Connector {
            api: Api::new(config)?,
            read_properties: props::read_properties(config),
            config: config.clone(),
        })
    }
}

impl CrmApi for Connector {
    fn kind(&self) -> CrmKind {
        CrmKind::Hubspot
    }

    fn find_person<'a>(
        &'a self,
        key: FindKey<'a>,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        Box::pin(self.find_contact(key))
    }

    fn get_person<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        Box::pin(self.read_contact(id, None))
    }

    fn create_person<'a>(
        &'a self,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        Box::pin(self.create_contact(fields))
    }

    fn update_person<'a>(
        &'a self,
        id: &'a str,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(self.update_contact(id, fields))
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
        Box::pin(self.associate_note(note, deal))
    }

    fn create_task<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        task: &'a TaskFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        Box::pin(self.insert_task(person, deal, task))
    }

    /// `{app_url}/contacts/{portal_id}/record/0-1/{id}` when `portal_id` is configured.
    fn record_url(&self, person_id: &str) -> Option<String> {
        let portal = self.config.portal_id?;
        Some(format!(
            "{}/contacts/{portal}/record/0-1/{person_id}",
            self.config.app_url.trim_end_matches('/')
        ))
    }

    fn sync_batch<'a>(&'a self, batch: &'a [BatchItem]) -> Option<BoxFuture<'a, Vec<SyncOutcome>>> {
        Some(Box::pin(batch::run(self, batch)))
    }

    fn attached<'a>(
        &'a self,
        person: &'a str,
        kind: super::Attach,
        _sent: &'a [String],
    ) -> BoxFuture<'a, Result<Option<Vec<super::Attached>>, CallError>> {
        Box::pin(async move { self.list_attached(person, kind).await.map(Some) })
    }
}
