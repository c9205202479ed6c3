//! Salesforce connector (REST API): people are Leads (or Contacts with an Account), deals are
//! Opportunities, the conversation is an enhanced note, the follow-up a Task. Tokens come from
//! the connected app's OAuth flow (refresh token, JWT bearer or client credentials) and are
//! renewed once on `INVALID_SESSION_ID`; 403 `REQUEST_LIMIT_EXCEEDED` pauses the throttle.

mod activity;
mod auth;
mod client;
mod config;
mod deals;
mod erase;
mod errors;
mod find;
mod jwt;
mod person;
mod soql;
mod write;

pub use config::{AuthFlow, Config, PersonObject};
pub use config::{CustomFields, NoteConfig, NoteObject, OpportunityConfig, TaskConfig};

use crate::crm::kit::{Calls, Companies};
use crate::crm::model::{
    Attach, Attached, CrmKind, CrmLinks, DealFields, FindKey, NoteFields, PersonFields,
    PersonRecord, TaskFields,
};
use crate::outbound::CallError;
use client::Api;

/// The most changes one poll reads; a full page is followed by the next at once.
pub const POLL_PAGE: usize = deals::PAGE;

/// Reads back the Opportunities leadgate made, for the deal-outcome poll (`poll_secs`).
pub struct DealReader {
    api: Api,
}

impl DealReader {
    /// A reader with its own session, for `config`.
    pub fn new(config: &Config) -> Result<DealReader, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(DealReader {
            api: Api::new(config)?,
        })
    }

    /// Opportunities whose `SystemModstamp` is at or after `since`, oldest first, a page at a
    /// time; the integration user's own edits are marked as leadgate's.
    pub async fn changed_since(
        &self,
        since: time::OffsetDateTime,
    ) -> Result<(Vec<crate::crm::webhooks::DealChange>, time::OffsetDateTime), CallError> {
        let page = deals::changed_since(&self.api, since).await?;
        Ok((page.deals, page.next))
    }
}

/// The Salesforce side of the sync.
pub struct Connector {
    api: Api,
    /// The Account of each Contact seen lately.
    accounts: Companies,
}

impl Connector {
    /// A connector for `config`; checks it and reads the JWT key, but makes no request (the
    /// first sync obtains the token).
    pub fn new(config: &Config) -> Result<Connector, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(Connector {
            api: Api::new(config)?,
            accounts: Companies::new(person::contact_account),
        })
    }
}

impl Calls for Connector {
    const KIND: CrmKind = CrmKind::Salesforce;

    async fn find_person(&self, key: FindKey<'_>) -> Result<Option<PersonRecord>, CallError> {
        find::find(&self.api, &self.accounts, key).await
    }

    async fn get_person(&self, id: &str) -> Result<Option<PersonRecord>, CallError> {
        find::get(&self.api, &self.accounts, id).await
    }

    async fn create_person(&self, fields: &PersonFields) -> Result<String, CallError> {
        write::create(&self.api, &self.accounts, fields).await
    }

    async fn update_person(&self, id: &str, fields: &PersonFields) -> Result<(), CallError> {
        write::update(&self.api, &self.accounts, id, fields).await
    }

    async fn create_deal(&self, person: &str, deal: &DealFields) -> Result<String, CallError> {
        activity::create_deal(&self.api, &self.accounts, person, deal).await
    }

    async fn update_deal(&self, id: &str, deal: &DealFields) -> Result<(), CallError> {
        activity::update_deal(&self.api, id, deal).await
    }

    async fn create_note(
        &self,
        person: &str,
        deal: Option<&str>,
        note: &NoteFields,
    ) -> Result<String, CallError> {
        activity::create_note(&self.api, person, deal, note).await
    }

    async fn update_note(&self, id: &str, note: &NoteFields) -> Result<(), CallError> {
        activity::update_note(&self.api, id, note).await
    }

    async fn link_note(&self, note: &str, deal: &str) -> Result<(), CallError> {
        activity::link_note(&self.api, note, deal).await
    }

    async fn create_task(
        &self,
        person: &str,
        deal: Option<&str>,
        task: &TaskFields,
    ) -> Result<String, CallError> {
        activity::create_task(&self.api, person, deal, task).await
    }

    async fn attached(
        &self,
        person: &str,
        kind: Attach,
        _sent: &[String],
    ) -> Result<Option<Vec<Attached>>, CallError> {
        activity::attached(&self.api, person, kind).await
    }

    async fn erase(&self, links: &CrmLinks) -> Result<(), CallError> {
        erase::erase(&self.api, links).await
    }

    /// `{instance_url}/{id}`, which Salesforce redirects to the record in Lightning; known
    /// once a token has been obtained (or when `login_url` is the org's My Domain).
    fn record_url(&self, person_id: &str) -> Option<String> {
        let base = self.api.instance_url().or_else(|| {
            let login = &self.api.config().login_url;
            login
                .contains(".my.salesforce.com")
                .then(|| login.trim_end_matches('/').to_owned())
        })?;
        Some(format!("{base}/{person_id}"))
    }
}
