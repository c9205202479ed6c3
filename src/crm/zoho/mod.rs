//! Zoho CRM connector (API v8): people are Leads (or Contacts with an Account), deals are
//! Deals, the conversation is a Note on the person, the follow-up a Task. The access token is
//! minted from a refresh token at the data centre's accounts server and renewed once on
//! `INVALID_TOKEN`; a 429 pauses the throttle. A backlog goes through Zoho's multi-record
//! endpoints ([`batch`]).

mod auth;
mod batch;
mod client;
mod config;
mod deals;
mod erase;
mod errors;
mod ops;
mod record;
pub mod scopes;

pub use config::{Config, CustomFields, DealConfig, Module, NoteConfig, TaskConfig};

use futures_util::future::BoxFuture;

use crate::crm::input::{BatchItem, SyncOutcome};
use crate::crm::kit::{Calls, Companies};
use crate::crm::model::{
    Attach, Attached, CrmKind, CrmLinks, DealFields, FindKey, NoteFields, PersonFields,
    PersonRecord, TaskFields,
};
use crate::outbound::CallError;
use client::Api;

/// Reads back the Deals leadgate made when Zoho notifies a change, and keeps the notification
/// channel open (`webhook_token`).
pub struct DealReader {
    api: Api,
    own_user: tokio::sync::OnceCell<Option<String>>,
}

impl DealReader {
    /// A reader with its own session, for `config`.
    pub fn new(config: &Config) -> Result<DealReader, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(DealReader {
            api: Api::new(config),
            own_user: tokio::sync::OnceCell::new(),
        })
    }

    /// Deal `id` as it is now (`None`: deleted); edits by the API's own user are marked as
    /// leadgate's.
    pub async fn deal(
        &self,
        id: &str,
    ) -> Result<Option<crate::crm::webhooks::DealChange>, CallError> {
        let own = self
            .own_user
            .get_or_try_init(|| deals::own_user(&self.api))
            .await?;
        deals::deal(&self.api, id, own.as_deref()).await
    }

    /// Enables or renews the `Deals.edit` notification channel toward `notify_url` for a week.
    pub async fn watch(&self, notify_url: &str, token: &str) -> Result<(), CallError> {
        deals::watch(&self.api, notify_url, token).await
    }
}

/// The Zoho side of the sync.
pub struct Connector {
    api: Api,
    /// The Account of each contact seen lately.
    accounts: Companies,
}

impl Connector {
    /// A connector for `config`; checks it but makes no request (the first sync mints the
    /// token).
    pub fn new(config: &Config) -> Result<Connector, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(Connector {
            api: Api::new(config),
            accounts: Companies::new(match config.module {
                Module::Contacts => record::contact_account,
                Module::Leads => |_| None,
            }),
        })
    }
}

impl Calls for Connector {
    const KIND: CrmKind = CrmKind::Zoho;

    async fn find_person(&self, key: FindKey<'_>) -> Result<Option<PersonRecord>, CallError> {
        ops::find(&self.api, &self.accounts, key).await
    }

    async fn get_person(&self, id: &str) -> Result<Option<PersonRecord>, CallError> {
        ops::get(&self.api, &self.accounts, id).await
    }

    async fn create_person(&self, fields: &PersonFields) -> Result<String, CallError> {
        ops::create(&self.api, &self.accounts, fields).await
    }

    async fn update_person(&self, id: &str, fields: &PersonFields) -> Result<(), CallError> {
        ops::update(&self.api, &self.accounts, id, fields).await
    }

    async fn create_deal(&self, person: &str, deal: &DealFields) -> Result<String, CallError> {
        ops::create_deal(&self.api, &self.accounts, person, deal).await
    }

    async fn update_deal(&self, id: &str, deal: &DealFields) -> Result<(), CallError> {
        ops::update_deal(&self.api, id, deal).await
    }

    /// Zoho notes have one parent: the person (the deal is reached from there).
    async fn create_note(
        &self,
        person: &str,
        _deal: Option<&str>,
        note: &NoteFields,
    ) -> Result<String, CallError> {
        ops::create_note(&self.api, person, note).await
    }

    async fn update_note(&self, id: &str, note: &NoteFields) -> Result<(), CallError> {
        ops::update_note(&self.api, id, note).await
    }

    async fn create_task(
        &self,
        person: &str,
        deal: Option<&str>,
        task: &TaskFields,
    ) -> Result<String, CallError> {
        ops::create_task(&self.api, person, deal, task).await
    }

    async fn attached(
        &self,
        person: &str,
        kind: Attach,
        sent: &[String],
    ) -> Result<Option<Vec<Attached>>, CallError> {
        ops::attached(&self.api, person, kind, sent).await
    }

    async fn erase(&self, links: &CrmLinks) -> Result<(), CallError> {
        erase::erase(&self.api, links).await
    }

    /// `{crm_url}/tab/{Module}/{id}`, when the web app's address is known (`crm_url`, or
    /// derived from the data centre's API domain).
    fn record_url(&self, person_id: &str) -> Option<String> {
        Some(format!(
            "{}/tab/{}/{person_id}",
            self.api.web_base()?,
            self.api.config().module.name()
        ))
    }

    fn sync_batch<'a>(&'a self, batch: &'a [BatchItem]) -> Option<BoxFuture<'a, Vec<SyncOutcome>>> {
        if !self.api.config().batch {
            return None;
        }
        Some(Box::pin(batch::sync(
            &self.api,
            &self.accounts,
            self,
            batch,
        )))
    }
}
