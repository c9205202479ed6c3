//! Salesforce simulator: the OAuth token endpoint (refresh token, JWT bearer, client
//! credentials) returning the simulator as `instance_url`; sObject create, read, update,
//! delete and upsert by external id (201/200/300); a SOQL subset on `/query`; SOSL `FIND` on
//! `/search` and `/parameterizedSearch`; `/composite` (with `allOrNone` and references),
//! `/composite/sobjects` and `/composite/graph`; `/limits`; the daily API allocation with
//! `Sforce-Limit-Info` and 403 `REQUEST_LIMIT_EXCEEDED`; standard duplicate rules
//! (`DUPLICATES_DETECTED`); and Salesforce's error arrays.
//!
//! Supported SOQL: `SELECT f1, f2, Rel.Field | COUNT() FROM Obj [WHERE cond] [ORDER BY f
//! [ASC|DESC] [NULLS FIRST|LAST]] [LIMIT n] [OFFSET n]`, where `cond` combines with `AND`,
//! `OR`, `NOT` and parentheses comparisons `field op value` (`= != <> < <= > >=`), `LIKE`,
//! `IN (…)` and `NOT IN (…)`; values are quoted strings, numbers, `true`, `false`, `null` and
//! dates, and unquoted dateTime literals (`2026-11-22T10:00:00Z`, `…+01:00`) which dateTime
//! fields require. String comparisons ignore case, as in Salesforce.
//!
//! Every write moves `SystemModstamp`/`LastModifiedDate` and sets `LastModifiedById`: the
//! integration user's id for API writes (the `user_id` of the identity URL and of
//! `/services/oauth2/userinfo`), the rep's for `SalesforceSim::crm_user_changes_deal`.

mod api;
mod catalog;
mod composite;
mod errors;
mod guard;
mod identity;
mod ids;
mod model;
mod oauth;
mod routes;
mod sobjects;
mod soql;
mod soql_parser;
mod sosl;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::shared::handle::{SimHandle, common_methods};
use crate::{FieldDef, OAuthClient, RateLimit, Record, SimError, UiChangeError};

/// How a [`SalesforceSim`] behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Listener address (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// Seed of the fault RNG (random when `None`).
    pub seed: Option<u64>,
    /// The connected app: consumer key and secret (also the JWT `iss`) and a refresh token.
    pub oauth: OAuthClient,
    /// The integration user's username (the JWT `sub`).
    pub username: String,
    /// Lifetime of access tokens (Salesforce's default session timeout: 2 hours).
    pub access_token_ttl: Duration,
    /// Total API request allocation per rolling 24 hours (default 100,000).
    pub daily_api_requests: RateLimit,
    /// Standard Lead and Contact duplicate rules (match on `Email`): creating or updating a
    /// record into a duplicate answers 400 `DUPLICATES_DETECTED` unless the request carries
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`. On by default, as in new orgs.
    pub duplicate_rules: bool,
    /// Custom fields (`FieldDef::new("Lead", "Chat_Lead_Key__c").external_id()`); mark them
    /// `external_id` for upserts and `unique` to refuse duplicate values.
    pub custom_fields: Vec<FieldDef>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            oauth: OAuthClient::new(
                "3MVG9sim.leadgate.consumer.key",
                "salesforce-sim-consumer-secret",
                "5Aep861salesforce.sim.refresh.token",
            ),
            username: "integration@leadgate.example".into(),
            access_token_ttl: Duration::from_secs(2 * 60 * 60),
            daily_api_requests: RateLimit::per_day(100_000),
            duplicate_rules: true,
            custom_fields: Vec::new(),
        }
    }
}

/// A running Salesforce simulator. Object types: `Lead`, `Contact`, `Account`, `Opportunity`,
/// `OpportunityContactRole`, `Task`, `Note`, `ContentNote` (transcripts, the documented way)
/// and `ContentDocumentLink`; record ids are 18-character Salesforce ids.
pub struct SalesforceSim {
    handle: SimHandle,
    state: Arc<state::Salesforce>,
}

impl SalesforceSim {
    /// Bind and start serving.
    pub async fn start(options: Options) -> Result<Self, SimError> {
        let addr = options.addr;
        let (handle, state) = SimHandle::start(
            addr,
            |base| state::Salesforce::new(options, base),
            routes::router,
        )
        .await?;
        Ok(SalesforceSim { handle, state })
    }

    common_methods!();

    /// The accepted connected app.
    pub fn oauth_client(&self) -> &OAuthClient {
        &self.state.options.oauth
    }

    /// The integration user's username (JWT `sub`).
    pub fn username(&self) -> &str {
        &self.state.options.username
    }

    /// The simulated org's id.
    pub fn org_id(&self) -> &str {
        &self.state.org_id
    }

    /// The integration user's id (`OwnerId` of created records, `LastModifiedById` of API
    /// writes).
    pub fn user_id(&self) -> &str {
        &self.state.user_id
    }

    /// The sales rep's user id (`LastModifiedById` after [`SalesforceSim::crm_user_changes_deal`]).
    pub fn sales_rep_user_id(&self) -> &str {
        &self.state.rep_user_id
    }

    /// A sales rep edits Opportunity `opportunity_id` in Salesforce's UI, setting `fields`
    /// (validated as the API validates them): `SystemModstamp` moves and `LastModifiedById`
    /// becomes the rep. Salesforce pushes nothing here; the gateway polls `SystemModstamp`.
    pub fn crm_user_changes_deal(
        &self,
        opportunity_id: &str,
        fields: Map<String, Value>,
    ) -> Result<Record, UiChangeError> {
        sobjects::ui_update(&self.state, opportunity_id, fields)
    }

    /// Base URL and credentials as JSON (what the binary prints).
    pub fn describe(&self) -> Value {
        json!({
            "base_url": self.base_url(),
            "token_url": format!("{}/services/oauth2/token", self.base_url()),
            "oauth": self.oauth_client(),
            "username": self.username(),
            "api_base": format!("{}/services/data/v62.0", self.base_url()),
        })
    }
}
