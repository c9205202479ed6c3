//! HubSpot connector: contacts, companies, deals, notes and tasks through the v3 object APIs
//! with a private-app token. Contacts are unique by email in HubSpot (a duplicate create answers
//! 409 `Existing ID`); phones are written in E.164 and searched in `phone` and `mobilephone`. A
//! lead's company is found or created and associated with the contact and the deal (see the
//! `companies` module).
//! Under a backlog, [`CrmApi::sync_batch`](crate::crm::CrmApi::sync_batch) syncs up to 100
//! leads with HubSpot's batch endpoints (see the `batch` module).

mod batch;
mod client;
mod companies;
mod config;
mod erase;
mod errors;
mod props;
mod single;

pub use config::Config;

use futures_util::future::BoxFuture;

use self::client::Api;
use crate::crm::input::{BatchItem, SyncOutcome};
use crate::crm::kit::{Calls, Companies};
use crate::crm::model::{
    Attach, Attached, CrmKind, CrmLinks, DealFields, FindKey, NoteFields, PersonFields,
    PersonRecord, TaskFields,
};
use crate::outbound::CallError;

/// A HubSpot account.
pub struct Connector {
    config: Config,
    api: Api,
    /// The contact properties every read asks for.
    read_properties: Vec<String>,
    /// Each contact's company, as the writes and reads of this process saw it.
    companies: Companies,
}

impl Connector {
    /// A connector for a validated configuration.
    pub fn new(config: &Config) -> Result<Connector, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(Connector {
            api: Api::new(config)?,
            read_properties: props::read_properties(config),
            // Contacts are not read with their companies: only writes and listings fill this.
            companies: Companies::new(|_| None),
            config: config.clone(),
        })
    }
}

impl Calls for Connector {
    const KIND: CrmKind = CrmKind::Hubspot;

    async fn find_person(&self, key: FindKey<'_>) -> Result<Option<PersonRecord>, CallError> {
        self.find_contact(key).await
    }

    async fn get_person(&self, id: &str) -> Result<Option<PersonRecord>, CallError> {
        self.read_contact(id, None).await
    }

    async fn create_person(&self, fields: &PersonFields) -> Result<String, CallError> {
        self.create_contact(fields).await
    }

    async fn update_person(&self, id: &str, fields: &PersonFields) -> Result<(), CallError> {
        self.update_contact(id, fields).await
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

    async fn link_note(&self, note: &str, deal: &str) -> Result<(), CallError> {
        self.associate_note(note, deal).await
    }

    async fn create_task(
        &self,
        person: &str,
        deal: Option<&str>,
        task: &TaskFields,
    ) -> Result<String, CallError> {
        self.insert_task(person, deal, task).await
    }

    async fn attached(
        &self,
        person: &str,
        kind: Attach,
        _sent: &[String],
    ) -> Result<Option<Vec<Attached>>, CallError> {
        self.list_attached(person, kind).await.map(Some)
    }

    async fn erase(&self, links: &CrmLinks) -> Result<(), CallError> {
        self.erase_records(links).await
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
}
