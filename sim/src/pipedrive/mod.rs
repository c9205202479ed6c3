//! Pipedrive simulator: v2 persons, organizations, deals and activities (create, update, read,
//! list, delete, search with `exact_match`), v1 notes and activities, the API token
//! (`x-api-token` header or `api_token` query) and OAuth bearer tokens from
//! `POST /oauth/token`, the per-token 2-second burst window, the search window and the daily
//! token budget with each operation's `x-token-cost`, `x-ratelimit-*` and
//! `x-daily-ratelimit-token-*` headers, and `{"success":false,…}` errors. Like Pipedrive, it
//! enforces no uniqueness: the same email may be stored on many persons. Webhooks (v2 and v1)
//! created with `POST /v1/webhooks` are delivered with Pipedrive's retries and bans, and
//! `GET /v1/users/me` names the API token's user.

mod activities;
mod deliveries;
mod entities;
mod errors;
mod guard;
mod notes;
mod oauth;
mod records;
mod routes;
mod search;
mod state;
mod users;
mod webhooks;

pub use deliveries::pipedrive_retry;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::shared::handle::{SimHandle, common_methods, outbound_methods};
use crate::{FieldDef, OAuthClient, RateLimit, Record, RetryPolicy, SimError, UiChangeError};

/// How a [`PipedriveSim`] behaves. Defaults follow the Essential plan with one seat.
#[derive(Debug, Clone)]
pub struct Options {
    /// Listener address (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// Seed of the fault RNG (random when `None`).
    pub seed: Option<u64>,
    /// The personal API token (`x-api-token` header or `api_token` query parameter).
    pub api_token: String,
    /// The OAuth client accepted by `POST /oauth/token` (HTTP Basic client authentication).
    pub oauth: OAuthClient,
    /// Lifetime of OAuth access tokens (Pipedrive: 3599 s).
    pub access_token_ttl: Duration,
    /// Burst limit per API token (Essential: 20 requests per rolling 2 s).
    pub api_token_burst: RateLimit,
    /// Burst limit per OAuth access token (Essential: 80 per 2 s).
    pub oauth_burst: RateLimit,
    /// Search limit per token, for every plan (10 per 2 s).
    pub search_burst: RateLimit,
    /// Company-wide daily token budget (Essential: 30,000 × seats), spent by each operation's
    /// token cost.
    pub daily_budget: RateLimit,
    /// POST/PUT requests an API token may make per UTC day, counted down in
    /// `x-daily-requests-left` (Pipedrive's fair-use allowance: 10,000).
    pub daily_writes: u32,
    /// Custom fields (object `persons`, `organizations` or `deals`; name = the 40-character
    /// field key used inside `custom_fields`).
    pub custom_fields: Vec<FieldDef>,
    /// The user who owns the API token (`GET /v1/users/me`, `meta.user_id` of API changes).
    pub api_user_id: u64,
    /// The sales rep whose web-app edits `crm_user_changes_deal` plays.
    pub sales_rep_user_id: u64,
    /// The company's id.
    pub company_id: u64,
    /// The company's subdomain (`{company_domain}.pipedrive.com`).
    pub company_domain: String,
    /// How webhook deliveries time out and are retried (Pipedrive: 10 s; 3, 30, 150 s).
    pub webhook_retry: RetryPolicy,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            api_token: "0123456789abcdef0123456789abcdef01234567".into(),
            oauth: OAuthClient::new(
                "pipedrive-sim-client-id",
                "pipedrive-sim-client-secret",
                "1:1:pipedrive-sim-refresh-token",
            ),
            access_token_ttl: Duration::from_secs(3599),
            api_token_burst: RateLimit::new(20, Duration::from_secs(2)),
            oauth_burst: RateLimit::new(80, Duration::from_secs(2)),
            search_burst: RateLimit::new(10, Duration::from_secs(2)),
            daily_budget: RateLimit::per_day(30_000),
            daily_writes: 10_000,
            custom_fields: Vec::new(),
            api_user_id: entities::DEFAULT_OWNER,
            sales_rep_user_id: entities::DEFAULT_OWNER + 1,
            company_id: 12_882_925,
            company_domain: "leadgate-sim".into(),
            webhook_retry: pipedrive_retry(),
        }
    }
}

/// A running Pipedrive simulator. Object types: `persons`, `organizations`, `deals`, `notes`,
/// `activities`; ids are numeric (strings in [`crate::Record`]).
pub struct PipedriveSim {
    handle: SimHandle,
    state: Arc<state::Pipedrive>,
}

impl PipedriveSim {
    /// Bind and start serving.
    pub async fn start(options: Options) -> Result<Self, SimError> {
        let addr = options.addr;
        let (handle, state) = SimHandle::start(
            addr,
            |base| state::Pipedrive::new(options, base),
            routes::router,
        )
        .await?;
        Ok(PipedriveSim { handle, state })
    }

    common_methods!();
    outbound_methods!();

    /// A sales rep ([`Options::sales_rep_user_id`]) edits deal `deal_id` in Pipedrive's web
    /// app, setting `fields` (v2 names, validated as the API validates them). Webhooks carry
    /// `change_source: app` and the rep's `user_id`.
    pub fn crm_user_changes_deal(
        &self,
        deal_id: &str,
        fields: Map<String, Value>,
    ) -> Result<Record, UiChangeError> {
        let record = records::ui_update(&self.state, deal_id, fields)?;
        deliveries::dispatch(&self.state);
        Ok(record)
    }

    /// The accepted API token.
    pub fn api_token(&self) -> &str {
        &self.state.options.api_token
    }

    /// The accepted OAuth client.
    pub fn oauth_client(&self) -> &OAuthClient {
        &self.state.options.oauth
    }

    /// Base URL and credentials as JSON (what the binary prints).
    pub fn describe(&self) -> Value {
        json!({
            "base_url": self.base_url(),
            "v1_url": format!("{}/v1", self.base_url()),
            "v2_url": format!("{}/api/v2", self.base_url()),
            "api_token": self.api_token(),
            "oauth": self.oauth_client(),
            "token_url": format!("{}/oauth/token", self.base_url()),
        })
    }
}
