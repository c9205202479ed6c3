//! Slack simulator: incoming webhooks (`POST /services/T…/B…/…`, plain-text `ok` or error
//! words) and the Web API's `chat.postMessage` and `auth.test` (HTTP 200 with `ok:false` for
//! API errors), with Slack's per-channel limit of about one message per second answered by HTTP
//! 429 and `Retry-After`.

mod api;
mod errors;
mod state;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use serde::Serialize;
use serde_json::{Value, json};

use crate::shared::handle::{SimHandle, common_methods};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;
use crate::{RateLimit, SimError};

/// A channel the workspace has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    /// Channel id (`C0123456789`).
    pub id: String,
    /// Channel name without `#` (`leads`).
    pub name: String,
}

impl Channel {
    /// A channel.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Channel {
            id: id.into(),
            name: name.into(),
        }
    }
}

/// How a [`SlackSim`] behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Listener address (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// Seed of the fault RNG (random when `None`).
    pub seed: Option<u64>,
    /// The bot token accepted by the Web API (`Authorization: Bearer xoxb-…`).
    pub bot_token: String,
    /// Channels that exist (default: `C0123456789` named `leads`).
    pub channels: Vec<Channel>,
    /// The channel the incoming webhook posts to (fixed at install time).
    pub webhook_channel: String,
    /// Path of the incoming webhook (`/services/{team}/{bot}/{secret}`).
    pub webhook_path: String,
    /// Messages allowed per channel (Slack: about 1 per second).
    pub per_channel_limit: RateLimit,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            bot_token: "xoxb-0000000000-0000000000000-SIMxBOTxTOKENxLEADGATE01".into(),
            channels: vec![Channel::new("C0123456789", "leads")],
            webhook_channel: "C0123456789".into(),
            webhook_path: "/services/T0SIMTEAM01/B0SIMHOOK01/simwebhooksecret000000001".into(),
            per_channel_limit: RateLimit::new(1, Duration::from_secs(1)),
        }
    }
}

/// How a message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// An incoming webhook.
    Webhook,
    /// `chat.postMessage`.
    Api,
}

/// A message Slack accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackMessage {
    /// Channel id.
    pub channel: String,
    /// `text` (the notification fallback when blocks are present).
    pub text: Option<String>,
    /// `blocks`, as sent.
    pub blocks: Option<Value>,
    /// Thread parent, if a reply.
    pub thread_ts: Option<String>,
    /// The message's own timestamp id.
    pub ts: String,
    /// Webhook or Web API.
    pub via: Via,
}

/// A running Slack simulator. [`SlackSim::messages`] lists accepted messages; they are also
/// the records of type `messages`.
pub struct SlackSim {
    handle: SimHandle,
    state: Arc<state::Slack>,
}

fn router(slack: Arc<state::Slack>) -> Router {
    let shared: Arc<dyn Vendor> = slack.clone();
    Router::new()
        .route("/services/{team}/{bot}/{secret}", post(webhook::post))
        .route("/api/chat.postMessage", post(api::post_message))
        .route("/api/auth.test", post(api::auth_test).get(api::auth_test))
        .fallback(errors::no_route)
        .layer(from_fn_with_state(shared, pipeline::latency))
        .with_state(slack)
}

impl SlackSim {
    /// Bind and start serving.
    pub async fn start(options: Options) -> Result<Self, SimError> {
        let addr = options.addr;
        let (handle, state) =
            SimHandle::start(addr, |_| state::Slack::new(options), router).await?;
        Ok(SlackSim { handle, state })
    }

    common_methods!();

    /// Every accepted message, oldest first.
    pub fn messages(&self) -> Vec<SlackMessage> {
        self.state.messages()
    }

    /// The ready-to-use incoming-webhook URL.
    pub fn webhook_url(&self) -> String {
        format!("{}{}", self.base_url(), self.state.options.webhook_path)
    }

    /// The valid bot token.
    pub fn bot_token(&self) -> &str {
        &self.state.options.bot_token
    }

    /// Base URL and credentials as JSON (what the binary prints).
    pub fn describe(&self) -> Value {
        json!({
            "base_url": self.base_url(),
            "api_url": format!("{}/api", self.base_url()),
            "webhook_url": self.webhook_url(),
            "bot_token": self.bot_token(),
            "channels": self.state.options.channels,
        })
    }
}
