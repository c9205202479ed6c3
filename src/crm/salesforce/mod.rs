//! Salesforce connector (REST API): people are Leads (or Contacts with an Account), deals are
//! Opportunities, the conversation is an enhanced note, the follow-up a Task. Tokens come from
//! the connected app's OAuth flow (refresh token, JWT bearer or client credentials) and are
//! renewed once on `INVALID_SESSION_ID`; 403 `REQUEST_LIMIT_EXCEEDED` pauses the throttle.

mod activity;
mod client;
mod config;
mod errors;
mod find;
mod jwt;
mod person;
mod soql;
mod write;

pub use config::{AuthFlow, Config, PersonObject};
pub use config::{CustomFields, NoteConfig, NoteObject, OpportunityConfig, TaskConfig};

use futures_util::future::BoxFuture;

use crate::crm::CrmKind;
use crate::crm::{CrmApi, DealFields, FindKey, NoteFields, PersonFields, PersonRecord, TaskFields};
use crate::outbound::CallError;
use client::Api;
use person::Accounts;

/// The Salesforce side of the sync.
pub struct Connector {
    api: Api,
    accounts: Accounts,
}

impl Connector {
    /// A connector for `config`; checks it and reads the JWT key, but makes no request (the
    /// first sync obtains the token).
    pub fn new(config: &Config) -> Result<Connector, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(Connector {
            api: Api::new(config)?,
            accounts: Accounts::default(),
        })
    }
}

/// Runs a connector step in a span naming the operation.
fn step<'a, T: Send + 'a>(
    op: &'static str,
    future: impl Future<Output = Result<T, CallError>> + Send + 'a,
) -> BoxFuture<'a, Result<T, CallError>> {
    crate::crm::step("salesforce", op, future)
}

impl CrmApi for Connector {
    fn kind(&self) -> CrmKind {
        CrmKind::Salesforce
    }

    fn find_person<'a>(
        &'a self,
        key: FindKey<'a>,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        step("find_person", find::find(&self.api, &self.accounts, key))
    }

    fn get_person<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        step("get_person", find::get(&self.api, &self.accounts, id))
    }

    fn create_person<'a>(
        &'a self,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            "create_person",
            write::create(&self.api, &self.accounts, fields),
        )
    }

    fn update_person<'a>(
        &'a self,
        id: &'a str,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step(
            "update_person",
            write::update(&self.api, &self.accounts, id, fields),
        )
    }

    fn create_deal<'a>(
        &'a self,
        person: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            "create_deal",
            activity::create_deal(&self.api, &self.accounts, person, deal),
        )
    }

    fn update_deal<'a>(
        &'a self,
        id: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step("update_deal", activity::update_deal(&self.api, id, deal))
    }

    fn create_note<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            "create_note",
            activity::create_note(&self.api, person, deal, note),
        )
    }

    fn update_note<'a>(
        &'a self,
        id: &'a str,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step("update_note", activity::update_note(&self.api, id, note))
    }

    fn link_note<'a>(
        &'a self,
        note: &'a str,
        deal: &'a str,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step("link_note", activity::link_note(&self.api, note, deal))
    }

    fn create_task<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        task: &'a TaskFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            "create_task",
            activity::create_task(&self.api, person, deal, task),
        )
    }

    fn attached<'a>(
        &'a self,
        person: &'a str,
        kind: crate::crm::Attach,
        _sent: &'a [String],
    ) -> BoxFuture<'a, Result<Option<Vec<crate::crm::Attached>>, CallError>> {
        step("attached", activity::attached(&self.api, person, kind))
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
