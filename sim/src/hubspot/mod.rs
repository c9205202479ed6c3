//! HubSpot CRM simulator: v3 objects (contacts, companies, deals, notes, tasks) with search,
//! batch create/update/upsert/read, associations on create and v4 association PUTs, custom
//! properties, the private-app token and the OAuth token endpoint, the 10-second, per-second
//! search and daily limits with `X-HubSpot-RateLimit-*` headers, and HubSpot's error bodies
//! (409 `Contact already exists. Existing ID: <id>`, 400 `PROPERTY_DOESNT_EXIST`, 429 with
//! `policyName`), and `deal.propertyChange` webhooks signed with version 3 (see `webhooks`).

mod assoc_batch;
mod associations;
mod batch;
mod errors;
mod gdpr;
mod guard;
mod model;
mod oauth;
mod objects;
mod phones;
mod routes;
mod search;
mod settings;
pub mod signature;
mod state;
mod webhooks;

pub use model::OWNER_IDS;
pub use webhooks::{WebhookSubscription, hubspot_retry};

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::shared::handle::{SimHandle, common_methods, outbound_methods};
use crate::{FieldDef, OAuthClient, RateLimit, Record, SimError, UiChangeError};

/// How a [`HubSpotSim`] behaves. Defaults follow HubSpot's documented Free/Starter limits.
#[derive(Debug, Clone)]
pub struct Options {
    /// Listener address (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// Seed of the fault RNG (random when `None`).
    pub seed: Option<u64>,
    /// The private-app access token accepted as `Authorization: Bearer …`.
    pub private_app_token: String,
    /// The OAuth client accepted by `POST /oauth/v1/token`.
    pub oauth: OAuthClient,
    /// Lifetime of OAuth access tokens (HubSpot: 30 minutes).
    pub access_token_ttl: Duration,
    /// The rolling burst limit (default 100 per 10 s; Professional/Enterprise 190).
    pub rate_limit: RateLimit,
    /// The CRM search limit, separate from the burst limit (default 5 per second).
    pub search_rate_limit: RateLimit,
    /// The daily limit (default 250,000 per 24 h).
    pub daily_limit: RateLimit,
    /// Extra properties (object `contacts`, `companies`, `deals`, `notes` or `tasks`); mark one
    /// `unique` to use it as a batch-upsert `idProperty`.
    pub custom_fields: Vec<FieldDef>,
    /// The app's webhook subscription (off when `None`).
    pub webhook: Option<WebhookSubscription>,
    /// The HubSpot user id of the sales rep whose UI edits `crm_user_changes_deal` plays.
    pub sales_rep_user_id: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            private_app_token: "pat-na1-11111111-2222-4333-8444-555555555555".into(),
            oauth: OAuthClient::new(
                "hubspot-sim-client-id",
                "hubspot-sim-client-secret",
                "hubspot-sim-refresh-token",
            ),
            access_token_ttl: Duration::from_secs(30 * 60),
            rate_limit: RateLimit::new(100, Duration::from_secs(10)),
            search_rate_limit: RateLimit::new(5, Duration::from_secs(1)),
            daily_limit: RateLimit::per_day(250_000),
            custom_fields: Vec::new(),
            webhook: None,
            sales_rep_user_id: 45_678,
        }
    }
}

/// A running HubSpot simulator. Object types: `contacts`, `companies`, `deals`, `notes`,
/// `tasks`; record fields are the HubSpot properties (string values).
pub struct HubSpotSim {
    handle: SimHandle,
    state: std::sync::Arc<state::HubSpot>,
}

impl HubSpotSim {
    /// Bind and start serving.
    pub async fn start(options: Options) -> Result<Self, SimError> {
        let addr = options.addr;
        let (handle, state) = SimHandle::start(
            addr,
            |base| state::HubSpot::new(options, base),
            routes::router,
        )
        .await?;
        Ok(HubSpotSim { handle, state })
    }

    common_methods!();
    outbound_methods!();

    /// Start (or replace) the app's webhook subscription.
    pub fn subscribe_webhook(&self, subscription: WebhookSubscription) {
        self.state.hooks.subscribe(Some(subscription));
    }

    /// Stop webhook deliveries (retries already under way go on).
    pub fn unsubscribe_webhook(&self) {
        self.state.hooks.subscribe(None);
    }

    /// A sales rep ([`Options::sales_rep_user_id`]) edits deal `deal_id` in HubSpot's UI,
    /// setting `properties` (validated as the API validates them). Watched properties that
    /// change are delivered with `changeSource: CRM_UI` and `sourceId: userId:<id>`.
    pub fn crm_user_changes_deal(
        &self,
        deal_id: &str,
        properties: Map<String, Value>,
    ) -> Result<Record, UiChangeError> {
        let record = objects::ui_update(&self.state, deal_id, properties)?;
        webhooks::dispatch(&self.state);
        Ok(record)
    }

    /// The accepted private-app token.
    pub fn private_app_token(&self) -> &str {
        &self.state.options.private_app_token
    }

    /// The accepted OAuth client.
    pub fn oauth_client(&self) -> &OAuthClient {
        &self.state.options.oauth
    }

    /// Base URL and credentials as JSON (what the binary prints).
    pub fn describe(&self) -> Value {
        json!({
            "base_url": self.base_url(),
            "private_app_token": self.private_app_token(),
            "oauth": self.oauth_client(),
            "token_url": format!("{}/oauth/v1/token", self.base_url()),
            "portal_id": state::HUB_ID,
        })
    }
}
