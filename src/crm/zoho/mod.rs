//! Zoho CRM connector (API v8): people are Leads (or Contacts with an Account), deals are
//! Deals, the conversation is a Note on the person, the follow-up a Task. The access token is
//! minted from a refresh token at the data centre's accounts server and renewed once on
//! `INVALID_TOKEN`; a 429 pauses the throttle. A backlog goes through Zoho's multi-record
//! endpoints ([`batch`]).

mod batch;
mod client;
mod config;
mod errors;
mod ops;
mod record;

pub use config::{Config, CustomFields, DealConfig, Module, NoteConfig, TaskConfig};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tracing::Instrument;

use crate::crm::CrmKind;
use crate::crm::progressive::{BatchItem, SyncOutcome};
use crate::crm::{CrmApi, DealFields, FindKey, NoteFields, PersonFields, PersonRecord, TaskFields};
use crate::outbound::CallError;
use client::Api;
use ops::Accounts;

/// The Zoho side of the sync.
pub struct Connector {
    api: Api,
    accounts: Accounts,
}

impl Connector {
    /// A connector for `config`; checks it but makes no request (the first sync mints the
    /// token).
    pub fn new(config: &Config) -> Result<Connector, crate::outbound::InvalidKey> {
        config.validate()?;
        Ok(Connector {
            api: Api::new(config),
            accounts: Accounts::default(),
        })
    }
}

/// Runs a connector step in a span naming the operation.
fn step<'a, T: Send + 'a>(
    op: &'static str,
    future: impl Future<Output = Result<T, CallError>> + Send + 'a,
) -> BoxFuture<'a, Result<T, CallError>> {
    crate::crm::step("zoho", op, future)
}

impl CrmApi for Connector {
    fn kind(&self) -> CrmKind {
        CrmKind::Zoho
    }

    fn find_person<'a>(
        &'a self,
        key: FindKey<'a>,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        step("find_person", ops::find(&self.api, &self.accounts, key))
    }

    fn get_person<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        step("get_person", ops::get(&self.api, &self.accounts, id))
    }

    fn create_person<'a>(
        &'a self,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            "create_person",
            ops::create(&self.api, &self.accounts, fields),
        )
    }

    fn update_person<'a>(
        &'a self,
        id: &'a str,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step(
            "update_person",
            ops::update(&self.api, &self.accounts, id, fields),
        )
    }

    fn create_deal<'a>(
        &'a self,
        person: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            "create_deal",
            ops::create_deal(&self.api, &self.accounts, person, deal),
        )
    }

    fn update_deal<'a>(
        &'a self,
        id: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step("update_deal", ops::update_deal(&self.api, id, deal))
    }

    /// Zoho notes have one parent: the person (the deal is reached from there).
    fn create_note<'a>(
        &'a self,
        person: &'a str,
        _deal: Option<&'a str>,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step("create_note", ops::create_note(&self.api, person, note))
    }

    fn update_note<'a>(
        &'a self,
        id: &'a str,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step("update_note", ops::update_note(&self.api, id, note))
    }

    fn create_task<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        task: &'a TaskFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            "create_task",
            ops::create_task(&self.api, person, deal, task),
        )
    }

    fn attached<'a>(
        &'a self,
        person: &'a str,
        kind: super::Attach,
        sent: &'a [String],
    ) -> BoxFuture<'a, Result<Option<Vec<super::Attached>>, CallError>> {
        step("attached", ops::attached(&self.api, person, kind, sent))
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
        let span =
            tracing::debug_span!("crm", crm = "zoho", op = "sync_batch", leads = batch.len());
        Some(
            batch::sync(&self.api, &self.accounts, self, batch)
                .instrument(span)
                .boxed(),
        )
    }
}
