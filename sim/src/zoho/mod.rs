//! Zoho CRM simulator (API v8, any `/crm/v{n}` path): the accounts-server token refresh
//! (`/oauth/v2/token`, with Zoho's 200 + `{"error":"invalid_code"}` refusals and its refresh
//! rate limit) returning the simulator as `api_domain`; insert, update, get, delete and list of
//! records in `Leads`, `Contacts`, `Accounts`, `Deals`, `Notes` and `Tasks`, with per-record
//! statuses (`SUCCESS`, `DUPLICATE_DATA`, `MANDATORY_NOT_FOUND`, `INVALID_DATA`) and 201/200,
//! 207 or 400 overall; `upsert` with `duplicate_check_fields` (or the system duplicate checks)
//! reporting `action` and `duplicate_field`; search by `email`, `phone`, `word` or `criteria`
//! (204 when nothing matches); notes under a record; API credits per rolling 24 hours and a
//! concurrency limit, both answering 429 `TOO_MANY_REQUESTS`; notification channels
//! (`/actions/watch`) with their callbacks, and `/users?type=CurrentUser`.

mod channel;
mod errors;
mod guard;
mod model;
mod notify;
mod oauth;
mod records;
mod routes;
mod scopes;
mod search;
mod state;
mod users;
mod watch;
mod writes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::shared::handle::{SimHandle, common_methods, outbound_methods};
use crate::{FieldDef, OAuthClient, RateLimit, Record, RetryPolicy, SimError, UiChangeError};

/// A CRM user other than the API's (the sales rep whose web-app edits the simulator plays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZohoUser {
    /// User id (19 digits).
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
}

/// How a [`ZohoSim`] behaves. Defaults follow the Standard edition.
#[derive(Debug, Clone)]
pub struct Options {
    /// Listener address (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// Seed of the fault RNG (random when `None`).
    pub seed: Option<u64>,
    /// The self client / server-based client accepted by `/oauth/v2/token`.
    pub oauth: OAuthClient,
    /// Lifetime of access tokens (Zoho: 1 hour).
    pub access_token_ttl: Duration,
    /// API credits per rolling 24 hours (Standard: 50,000 base); each call costs 1.
    pub api_credits: RateLimit,
    /// Simultaneous active calls allowed (Standard: 10).
    pub concurrency: u32,
    /// Access tokens one refresh token may mint (Zoho: 10 per 10 minutes).
    pub token_refresh_limit: RateLimit,
    /// Extra fields, or standard fields re-declared `unique` ("do not allow duplicate values",
    /// e.g. `FieldDef::new("Leads", "Email").unique()`), which makes inserts answer
    /// `DUPLICATE_DATA`.
    pub custom_fields: Vec<FieldDef>,
    /// The sales rep whose edits `crm_user_changes_deal` plays (their `Modified_By`).
    pub sales_rep: ZohoUser,
    /// How long a notification callback may take; Zoho documents no retries (see `watch`).
    pub callback_policy: RetryPolicy,
    /// The scopes the refresh token was granted: the token answer's `scope`, and what the API
    /// checks (see `scopes`).
    pub scopes: Vec<String>,
    /// The API name of the related list holding a record's tasks: `Tasks`, or `Activities` in
    /// orgs that list tasks, events and calls together.
    pub tasks_related_list: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            oauth: OAuthClient::new(
                "1000.ZOHOSIMCLIENTID0000000000000",
                "zohosimclientsecret00000000000000000000000",
                "1000.zohosimrefreshtoken.0000000000000000",
            ),
            access_token_ttl: Duration::from_secs(3600),
            api_credits: RateLimit::per_day(50_000),
            concurrency: 10,
            token_refresh_limit: RateLimit::new(10, Duration::from_secs(600)),
            custom_fields: Vec::new(),
            sales_rep: ZohoUser {
                id: "5725767000000297002".into(),
                name: "Anna Nowak".into(),
                email: "anna.nowak@leadgate.example".into(),
            },
            callback_policy: notify::zoho_callback_policy(),
            scopes: [
                "ZohoCRM.modules.ALL",
                "ZohoCRM.settings.ALL",
                "ZohoCRM.users.READ",
                "ZohoCRM.notifications.ALL",
                "ZohoSearch.securesearch.READ",
            ]
            .map(String::from)
            .to_vec(),
            tasks_related_list: "Tasks".into(),
        }
    }
}

/// A running Zoho CRM simulator. Object types: `Leads`, `Contacts`, `Accounts`, `Deals`,
/// `Notes`, `Tasks`; ids are 19-digit strings.
pub struct ZohoSim {
    handle: SimHandle,
    state: Arc<state::Zoho>,
}

impl ZohoSim {
    /// Bind and start serving.
    pub async fn start(options: Options) -> Result<Self, SimError> {
        let addr = options.addr;
        let (handle, state) =
            SimHandle::start(addr, |base| state::Zoho::new(options, base), routes::router).await?;
        Ok(ZohoSim { handle, state })
    }

    common_methods!();
    outbound_methods!();

    /// A sales rep ([`Options::sales_rep`]) edits deal `deal_id` in Zoho CRM's web app,
    /// setting `fields` (validated as the API validates them): `Modified_By` becomes the rep
    /// and channels watching `Deals.edit` are notified.
    pub fn crm_user_changes_deal(
        &self,
        deal_id: &str,
        fields: Map<String, Value>,
    ) -> Result<Record, UiChangeError> {
        let record = writes::ui_update(&self.state, deal_id, fields)?;
        notify::dispatch(&self.state);
        Ok(record)
    }

    /// The id of the user the API acts as (`GET /crm/v8/users?type=CurrentUser`).
    pub fn api_user_id(&self) -> &str {
        model::OWNER_ID
    }

    /// The id of the sales rep ([`Options::sales_rep`]), a user records may be owned by.
    pub fn sales_rep_user_id(&self) -> &str {
        &self.state.options.sales_rep.id
    }

    /// The accepted OAuth client.
    pub fn oauth_client(&self) -> &OAuthClient {
        &self.state.options.oauth
    }

    /// Base URL and credentials as JSON (what the binary prints).
    pub fn describe(&self) -> Value {
        json!({
            "base_url": self.base_url(),
            "accounts_url": self.base_url(),
            "token_url": format!("{}/oauth/v2/token", self.base_url()),
            "api_base": format!("{}/crm/v8", self.base_url()),
            "oauth": self.oauth_client(),
        })
    }
}
