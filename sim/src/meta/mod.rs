//! Meta Graph simulator for the WhatsApp Cloud API and the Messenger Send API (Facebook Page
//! and Instagram conversations):
//!
//! * Sends: `POST /{version}/{phone-number-id}/messages` (text, interactive buttons and lists,
//!   approved templates, media, location, contacts, reactions; read receipts with typing) and
//!   `POST /{version}/{page-id|me|ig-user-id}/messages` (text, attachments, quick replies,
//!   sender actions), held to the documented limits, with the 24-hour customer-service windows
//!   (WhatsApp 131047, Messenger 10/2018278), the pair rate limit (131056), throttling (130429,
//!   613), token errors (190) and Graph error bodies. Any send can be made to fail with a Graph
//!   error ([`MetaSim::fail_sends`]).
//! * Meta toward the gateway: builders for every inbound event (`inbound.rs`), deliveries signed
//!   with `X-Hub-Signature-256` in Meta's escaped wire format (which open the sender's window),
//!   raw deliveries, batches, status callbacks after sends, and the `hub.challenge` handshake.
//!
//! Each behaviour cites the Meta page it follows where it is implemented; where the pages are
//! silent the comment says so and the simulator is the stricter of the plausible readings.

mod batch;
mod callbacks;
mod errors;
mod events;
mod inbound;
mod messenger;
mod state;
mod wa_checks;
mod wa_events;
mod webhook;
mod whatsapp;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Serialize;
use serde_json::{Value, json};

pub use batch::{batch, batch_entries, with_timestamp};
pub use callbacks::Callback;
pub use wa_events::WaUser;
pub use webhook::{DeliveryError, signature, wire_body};

use crate::shared::auth::authorization;
use crate::shared::handle::{SimHandle, common_methods};
use crate::shared::http::{Params, json};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;
use crate::{RateLimit, SendFailure, SimError};
use errors::GraphError;

/// How a [`MetaSim`] behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Listener address (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// Seed of the fault RNG (random when `None`).
    pub seed: Option<u64>,
    /// WhatsApp system-user token (`Authorization: Bearer …`).
    pub access_token: String,
    /// Messenger page access token (`access_token` query parameter or Bearer).
    pub page_access_token: String,
    /// App secret that signs deliveries.
    pub app_secret: String,
    /// The app's id, as Messenger echoes carry it (`message.app_id`).
    pub app_id: u64,
    /// Verify token sent in the `hub.verify_token` handshake.
    pub verify_token: String,
    /// The business phone number's id (the send path).
    pub phone_number_id: String,
    /// The business phone number, digits only.
    pub display_phone_number: String,
    /// The business phone number's country calling code, prepended by Meta to a `to` number
    /// sent without `+` (default `1`, that of the default display number).
    pub business_country_code: String,
    /// The WhatsApp Business Account id (`entry[].id`).
    pub waba_id: String,
    /// The Facebook page id.
    pub page_id: String,
    /// The Instagram professional account linked to the page (`entry[].id` of Instagram
    /// webhooks; also a send path, `POST /{ig-user-id}/messages`).
    pub instagram_account_id: String,
    /// Approved WhatsApp message templates as `(name, language code)`; sends of any other
    /// pair get error 132001. Default: `leadgate_followup` in `en`, `pl`, `de`, `es`, `fr`.
    pub templates: Vec<(String, String)>,
    /// Refuse free-form messages outside the 24-hour window (default on).
    pub enforce_window: bool,
    /// HTTP status of WhatsApp throttling errors (130429); clients see 400 today.
    pub throttle_status: u16,
    /// Messages per recipient before 131056 (off by default: Meta publishes no number).
    pub pair_rate_limit: Option<RateLimit>,
    /// Where status callbacks go (the gateway's webhook URL): after each accepted WhatsApp
    /// send, signed `sent` then `delivered` receipts; after each Messenger send, a `delivery`
    /// event. Off (`None`) by default; see [`MetaSim::auto_statuses`].
    pub status_webhook: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            access_token: "EAAJBsimWhatsAppSystemUserToken000000000000".into(),
            page_access_token: "EAAJBsimMessengerPageToken0000000000000000".into(),
            app_secret: "meta-sim-app-secret".into(),
            app_id: 1517776481860111,
            verify_token: "meta-sim-verify-token".into(),
            phone_number_id: "106540352242922".into(),
            display_phone_number: "15550783881".into(),
            business_country_code: "1".into(),
            waba_id: "102290129340398".into(),
            page_id: "682498302938465".into(),
            instagram_account_id: "17841400000000000".into(),
            templates: ["en", "pl", "de", "es", "fr"]
                .into_iter()
                .map(|language| ("leadgate_followup".to_owned(), language.to_owned()))
                .collect(),
            enforce_window: true,
            throttle_status: 400,
            pair_rate_limit: None,
            status_webhook: None,
        }
    }
}

/// Which API a message was sent through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// WhatsApp Cloud API.
    #[serde(rename = "whatsapp")]
    WhatsApp,
    /// Messenger Send API.
    Messenger,
}

/// A message the business sent through the simulator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentMessage {
    /// WhatsApp or Messenger.
    pub platform: Platform,
    /// Recipient: `wa_id` (digits) or PSID.
    pub to: String,
    /// `wamid.…` or `m_…`.
    pub id: String,
    /// The request body as sent.
    pub body: Value,
}

/// A running Meta Graph simulator. Sent messages are the records of type `messages`.
pub struct MetaSim {
    handle: SimHandle,
    state: Arc<state::Meta>,
}

async fn send(
    State(meta): State<Arc<state::Meta>>,
    Path((_version, node)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_messenger = meta.messenger_node(&node);
    if !is_messenger && node != meta.options.phone_number_id {
        return GraphError::parameter(format!("Unsupported post request. Object with ID '{node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation")).into_response();
    }
    let params = Params::query(query.as_deref());
    let token = authorization(&headers, "Bearer").or_else(|| params.get("access_token"));
    let expected = if is_messenger {
        &meta.options.page_access_token
    } else {
        &meta.options.access_token
    };
    if token != Some(expected.as_str()) {
        return GraphError::token(false).into_response();
    }
    // Meta tokens are long-lived but do expire; `Faults::expire_tokens` makes them do so.
    if meta.core.faults.token_epoch() > 0 {
        return GraphError::token(true).into_response();
    }
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body @ Value::Object(_)) => body,
        _ => return GraphError::parameter("Invalid JSON for postbody").into_response(),
    };
    let result = if is_messenger {
        messenger::send(&meta, &node, &body)
    } else {
        whatsapp::send(&meta, &body)
    };
    match result {
        Ok(accepted) => {
            if let Some(receipt) = accepted.receipt {
                callbacks::spawn(&meta, receipt);
            }
            json(StatusCode::OK, &accepted.answer)
        }
        Err(error) => error.into_response(),
    }
}

async fn no_route() -> Response {
    GraphError::parameter("Unknown path components").into_response()
}

fn router(meta: Arc<state::Meta>) -> Router {
    let shared: Arc<dyn Vendor> = meta.clone();
    Router::new()
        .route("/{version}/{node}/messages", post(send))
        .fallback(no_route)
        .layer(from_fn_with_state(shared, pipeline::latency))
        .with_state(meta)
}

impl MetaSim {
    /// Bind and start serving.
    pub async fn start(options: Options) -> Result<Self, SimError> {
        let addr = options.addr;
        let (handle, state) = SimHandle::start(addr, |_| state::Meta::new(options), router).await?;
        Ok(MetaSim { handle, state })
    }

    common_methods!();

    /// The options in force (ids, tokens, secrets).
    pub fn options(&self) -> &Options {
        &self.state.options
    }

    /// Every message sent through the simulator, oldest first.
    pub fn sent(&self) -> Vec<SentMessage> {
        self.state.sent()
    }

    /// Open the 24-hour window of `user` (WhatsApp `wa_id` or BSUID, Messenger PSID) as if
    /// they had just written.
    pub fn open_window(&self, user: &str) {
        self.state.open_window(user);
    }

    /// Open the 24-hour window of the Instagram user `igsid` as if they had just written to
    /// the Instagram account: sends to them get Instagram's limits.
    pub fn open_instagram_window(&self, igsid: &str) {
        self.state.mark_instagram(igsid);
        self.state.open_window(igsid);
    }

    /// POST `payload` to `url` as Meta does (escaped wire body, `X-Hub-Signature-256`) and
    /// return the HTTP status. The same payload always goes out as the same bytes. What the
    /// payload carries takes effect in the simulator first: its writers' windows open, its
    /// WhatsApp message ids become known (for mark-as-read) and its users' identities are
    /// remembered (for receipts).
    pub async fn deliver(&self, url: &str, payload: &Value) -> Result<u16, DeliveryError> {
        self.state.learn(events::inbound(payload));
        webhook::post_signed(
            &self.state.http,
            &self.state.options.app_secret,
            url,
            payload,
        )
        .await
    }

    /// POST `body` to `url` as it is, with `signature` as `X-Hub-Signature-256` (none when
    /// `None`): for tampered, unsigned, wrongly signed or re-serialised bodies. It changes
    /// nothing in the simulator — a forged or replayed body is not a message Meta received.
    pub async fn deliver_raw(
        &self,
        url: &str,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<u16, DeliveryError> {
        webhook::post(&self.state.http, url, body, signature).await
    }

    /// The signature Meta would put on `body` with this simulator's app secret.
    pub fn sign(&self, body: &[u8]) -> String {
        signature(&self.state.options.app_secret, body)
    }

    /// Run the verification handshake against `url`
    /// (`GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…`); returns the status and
    /// body, which must be the challenge.
    pub async fn verify(&self, url: &str, challenge: &str) -> Result<(u16, String), DeliveryError> {
        let query = serde_urlencoded::to_string([
            ("hub.mode", "subscribe"),
            ("hub.challenge", challenge),
            ("hub.verify_token", self.state.options.verify_token.as_str()),
        ])
        .unwrap_or_default();
        let separator = if url.contains('?') { '&' } else { '?' };
        let response = self
            .state
            .http
            .get(format!("{url}{separator}{query}"))
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }

    /// Make the next `n` message sends (WhatsApp or Messenger; not read receipts or sender
    /// actions) matching `failure.recipient` fail with the Graph error `failure.code`, e.g.
    /// `SendFailure::new(131056).to("16505551234")`. Catalogued codes get Meta's body and
    /// status (130429, 131056, 131047, 131026, 131049, 131000, 131016, 190, 100, 613, 551,
    /// 10 with subcode 2018278); others a generic body. An asynchronous WhatsApp failure is
    /// accepted and then reported by a `failed` receipt when status callbacks are on. The same
    /// as `faults().fail_sends(n, failure)` and the admin command `{"fail_sends": {…}}`.
    pub fn fail_sends(&self, n: u32, failure: SendFailure) {
        self.faults().fail_sends(n, failure);
    }

    /// Deliver status callbacks to `url` after each accepted send (`None`: stop): WhatsApp
    /// `sent` then `delivered` receipts (or `failed`), Messenger `delivery` events; signed,
    /// in the background, as Meta does. Same as `Options::status_webhook`.
    pub fn auto_statuses(&self, url: Option<&str>) {
        self.state.callbacks.set_url(url.map(str::to_owned));
    }

    /// Every status callback delivered so far, with the gateway's answer.
    pub fn callbacks(&self) -> Vec<Callback> {
        self.state.callbacks.log()
    }

    /// Wait until no status callback is under way.
    pub async fn settle(&self) {
        self.state.callbacks.settled().await;
    }

    /// Base URL and credentials as JSON.
    pub fn describe(&self) -> Value {
        let options = &self.state.options;
        json!({
            "base_url": self.base_url(),
            "graph_url": format!("{}/v25.0", self.base_url()),
            "access_token": options.access_token,
            "page_access_token": options.page_access_token,
            "app_secret": options.app_secret,
            "verify_token": options.verify_token,
            "phone_number_id": options.phone_number_id,
            "page_id": options.page_id,
            "instagram_account_id": options.instagram_account_id,
            "app_id": options.app_id,
        })
    }
}
