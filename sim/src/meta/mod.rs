//! Meta Graph simulator for the WhatsApp Cloud API and the Messenger Send API:
//! `POST /{version}/{phone-number-id}/messages` (text, interactive, template, read receipts
//! with typing) and `POST /{version}/{page-id|me}/messages` (text, quick replies, sender
//! actions), with the 24-hour customer-service windows (WhatsApp 131047, Messenger 10/2018278),
//! the pair rate limit (131056), throttling (130429, 613), token errors (190) and Graph error
//! bodies. It also plays Meta toward the gateway: it builds inbound events, delivers them
//! signed with `X-Hub-Signature-256` in Meta's escaped wire format (which opens the sender's
//! window), and performs the `hub.challenge` verification handshake.

mod errors;
mod events;
mod messenger;
mod state;
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

pub use webhook::{DeliveryError, signature, wire_body};

use crate::shared::auth::authorization;
use crate::shared::handle::{SimHandle, common_methods};
use crate::shared::http::{Params, json};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;
use crate::{RateLimit, SimError};
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
    /// Verify token sent in the `hub.verify_token` handshake.
    pub verify_token: String,
    /// The business phone number's id (the send path).
    pub phone_number_id: String,
    /// The business phone number, digits only.
    pub display_phone_number: String,
    /// The WhatsApp Business Account id (`entry[].id`).
    pub waba_id: String,
    /// The Facebook page id.
    pub page_id: String,
    /// Refuse free-form messages outside the 24-hour window (default on).
    pub enforce_window: bool,
    /// HTTP status of WhatsApp throttling errors (130429); clients see 400 today.
    pub throttle_status: u16,
    /// Messages per recipient before 131056 (off by default: Meta publishes no number).
    pub pair_rate_limit: Option<RateLimit>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            access_token: "EAAJBsimWhatsAppSystemUserToken000000000000".into(),
            page_access_token: "EAAJBsimMessengerPageToken0000000000000000".into(),
            app_secret: "meta-sim-app-secret".into(),
            verify_token: "meta-sim-verify-token".into(),
            phone_number_id: "106540352242922".into(),
            display_phone_number: "15550783881".into(),
            waba_id: "102290129340398".into(),
            page_id: "682498302938465".into(),
            enforce_window: true,
            throttle_status: 400,
            pair_rate_limit: None,
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
    let is_messenger = node == "me" || node == meta.options.page_id;
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
        messenger::send(&meta, &body)
    } else {
        whatsapp::send(&meta, &body)
    };
    match result {
        Ok(answer) => json(StatusCode::OK, &answer),
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

    /// Open the 24-hour window of `user` (WhatsApp `wa_id` or Messenger PSID) as if they had
    /// just written.
    pub fn open_window(&self, user: &str) {
        self.state.open_window(user);
    }

    /// An inbound WhatsApp text from `from` (`wa_id`, digits) named `name`.
    pub fn whatsapp_text_event(&self, from: &str, name: &str, text: &str) -> Value {
        events::whatsapp_message(
            &self.state.options,
            from,
            name,
            json!({"type": "text", "text": {"body": text}}),
        )
    }

    /// An inbound WhatsApp reply-button tap answering the business message `context_id`.
    pub fn whatsapp_button_reply_event(
        &self,
        from: &str,
        name: &str,
        reply_id: &str,
        title: &str,
        context_id: &str,
    ) -> Value {
        let display = &self.state.options.display_phone_number;
        events::whatsapp_message(
            &self.state.options,
            from,
            name,
            json!({
                "type": "interactive",
                "context": {"from": display, "id": context_id},
                "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
            }),
        )
    }

    /// A WhatsApp status receipt (`sent`, `delivered`, `read`, `failed`) for a sent message.
    pub fn whatsapp_status_event(&self, wamid: &str, status: &str, recipient: &str) -> Value {
        events::whatsapp_status(&self.state.options, wamid, status, recipient)
    }

    /// An inbound Messenger text from page-scoped user `psid`.
    pub fn messenger_text_event(&self, psid: &str, text: &str) -> Value {
        events::messenger_event(
            &self.state.options,
            psid,
            json!({"message": {"mid": events::mid(), "text": text}}),
        )
    }

    /// A Messenger postback (button tap) from `psid`.
    pub fn messenger_postback_event(&self, psid: &str, title: &str, payload: &str) -> Value {
        events::messenger_event(
            &self.state.options,
            psid,
            json!({"postback": {"mid": events::mid(), "title": title, "payload": payload}}),
        )
    }

    /// POST `payload` to `url` as Meta does (escaped wire body, `X-Hub-Signature-256`) and
    /// return the HTTP status. Senders of inbound messages get their window opened first.
    pub async fn deliver(&self, url: &str, payload: &Value) -> Result<u16, DeliveryError> {
        for user in events::writers(payload) {
            self.state.open_window(&user);
        }
        let body = wire_body(payload);
        let response = self
            .state
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                signature(&self.state.options.app_secret, body.as_bytes()),
            )
            .body(body)
            .send()
            .await?;
        Ok(response.status().as_u16())
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
        })
    }
}
