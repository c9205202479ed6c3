//! Slack simulator, both directions.
//!
//! As the Slack API the gateway calls: incoming webhooks (`POST /services/T…/B…/…`, plain-text
//! `ok` or error words), the Web API's `chat.postMessage`, `chat.update`, `chat.postEphemeral`,
//! `users.info` and `auth.test` (HTTP 200 with `ok:false` for API errors, bot scopes checked),
//! Slack's per-channel limit of about one message per second answered by HTTP 429 and
//! `Retry-After`, and the `response_url` of interactions.
//!
//! As Slack toward the gateway: signed `block_actions` interactions ([`SlackSim::click`]),
//! signed Events API deliveries with Slack's retries ([`SlackSim::thread_reply`], the app's own
//! messages echoed to [`Options::events_url`]), `url_verification`, redeliveries and raw signed
//! requests for tests of bad signatures.

mod api;
mod chat;
mod errors;
mod events;
mod history;
mod interactions;
pub mod signature;
mod state;
mod users;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::shared::handle::{SimHandle, common_methods, outbound_methods};
use crate::shared::pipeline;
use crate::shared::vendor::Vendor;
use crate::{RateLimit, RetryPolicy, SimError};

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

/// A member of the workspace (a sales rep), as `users.info` describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlackUser {
    /// User id (`U0REPANNA`).
    pub id: String,
    /// The handle (`anna`); `username`/`name` in interaction payloads.
    pub name: String,
    /// `profile.real_name`.
    pub real_name: String,
    /// `profile.display_name`.
    pub display_name: String,
}

impl SlackUser {
    /// A user.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        real_name: impl Into<String>,
        display_name: impl Into<String>,
    ) -> Self {
        SlackUser {
            id: id.into(),
            name: name.into(),
            real_name: real_name.into(),
            display_name: display_name.into(),
        }
    }
}

/// The bot scopes a lead hand-off app needs (see the crate README).
pub const HANDOFF_SCOPES: &[&str] = &[
    "chat:write",
    "channels:history",
    "groups:history",
    "users:read",
];

/// How a [`SlackSim`] behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Listener address (default `127.0.0.1:0`).
    pub addr: SocketAddr,
    /// Seed of the fault RNG (random when `None`).
    pub seed: Option<u64>,
    /// The bot token accepted by the Web API (`Authorization: Bearer xoxb-…`).
    pub bot_token: String,
    /// The scopes granted to the bot token (default [`HANDOFF_SCOPES`]). Methods answer
    /// `missing_scope` without theirs, and message events are only sent with `channels:history`.
    pub bot_scopes: Vec<String>,
    /// Channels that exist (default: `C0123456789` named `leads`).
    pub channels: Vec<Channel>,
    /// Members of the workspace (default: two reps, `U0REPANNA` "Anna Nowak" and `U0REPBEN`
    /// "Ben Okafor").
    pub users: Vec<SlackUser>,
    /// The channel the incoming webhook posts to (fixed at install time).
    pub webhook_channel: String,
    /// Path of the incoming webhook (`/services/{team}/{bot}/{secret}`).
    pub webhook_path: String,
    /// Messages allowed per channel (Slack: about 1 per second), for `chat.postMessage` and
    /// incoming webhooks; `chat.update` has a window of the same size of its own.
    pub per_channel_limit: RateLimit,
    /// The app's signing secret; every request the simulator sends as Slack is signed with it.
    pub signing_secret: String,
    /// The app's id (`api_app_id`).
    pub app_id: String,
    /// The deprecated verification token carried as `token` in payloads.
    pub verification_token: String,
    /// The workspace's domain (`team.domain` in payloads).
    pub team_domain: String,
    /// The app's Events API Request URL. When set, the app's own messages (`chat.postMessage`,
    /// `chat.update`, `response_url` posts) come back to it as message events, as they do for an
    /// app subscribed to `message.channels`.
    pub events_url: Option<String>,
    /// How Events API deliveries time out and are retried (default: Slack's 3 s, then retries
    /// immediately, after 1 minute and after 5 minutes).
    pub event_retry: RetryPolicy,
    /// How long an interaction may take before Slack gives up on it (3 s; never retried).
    pub interaction_timeout: Duration,
}

/// The default signing secret (a fixed string, so tests can configure the gateway with it).
pub const DEFAULT_SIGNING_SECRET: &str = "5a1c0ffee5ec7e75a1c0ffee5ec7e701";

impl Default for Options {
    fn default() -> Self {
        Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: None,
            bot_token: "xoxb-0000000000-0000000000000-SIMxBOTxTOKENxLEADGATE01".into(),
            bot_scopes: HANDOFF_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            channels: vec![Channel::new("C0123456789", "leads")],
            users: vec![
                SlackUser::new("U0REPANNA", "anna", "Anna Nowak", "Anna Nowak"),
                SlackUser::new("U0REPBEN", "ben", "Ben Okafor", "Ben Okafor"),
            ],
            webhook_channel: "C0123456789".into(),
            webhook_path: "/services/T0SIMTEAM01/B0SIMHOOK01/simwebhooksecret000000001".into(),
            per_channel_limit: RateLimit::new(1, Duration::from_secs(1)),
            signing_secret: DEFAULT_SIGNING_SECRET.into(),
            app_id: "A0SIMAPP001".into(),
            verification_token: "simverificationtoken0001".into(),
            team_domain: "leadgate-sim".into(),
            events_url: None,
            event_retry: events::slack_event_retry(),
            interaction_timeout: Duration::from_secs(3),
        }
    }
}

/// How a message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// An incoming webhook.
    Webhook,
    /// The app: `chat.postMessage`, or a `response_url` post.
    Api,
    /// A person in the Slack client (thread replies played by [`SlackSim::thread_reply`]).
    User,
}

/// A message Slack holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackMessage {
    /// Channel id.
    pub channel: String,
    /// `text` (the notification fallback when blocks are present).
    pub text: Option<String>,
    /// `blocks`, as sent or as last updated.
    pub blocks: Option<Value>,
    /// Thread parent, if a reply.
    pub thread_ts: Option<String>,
    /// The message's own timestamp id.
    pub ts: String,
    /// Webhook, Web API or a person.
    pub via: Via,
    /// The person who wrote it ([`Via::User`] only).
    pub user: Option<String>,
}

/// A `chat.update` (or `response_url` replacement) Slack accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageUpdate {
    /// Channel id.
    pub channel: String,
    /// The updated message's `ts`.
    pub ts: String,
    /// The new `text`.
    pub text: Option<String>,
    /// The new `blocks`.
    pub blocks: Option<Value>,
    /// When it was accepted.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// An ephemeral message (`chat.postEphemeral`, or a `response_url` reply): seen by one user,
/// never in the channel's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ephemeral {
    /// Channel id.
    pub channel: String,
    /// The only user who sees it.
    pub user: String,
    /// `text`.
    pub text: Option<String>,
    /// `blocks`.
    pub blocks: Option<Value>,
    /// Thread it was shown in.
    pub thread_ts: Option<String>,
    /// The `message_ts` Slack answered.
    pub message_ts: String,
}

/// A post to an interaction's `response_url`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseUrlPost {
    /// The `response_url` it was sent to.
    pub url: String,
    /// The JSON body (`text`, `blocks`, `response_type`, `replace_original`, …).
    pub body: Value,
    /// The HTTP status Slack answered.
    pub status: u16,
}

/// What the gateway answered to a request the simulator sent as Slack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlackReply {
    /// The Events API `event_id`, the interaction's `trigger_id` or the `url_verification`
    /// challenge.
    pub id: String,
    /// The `ts` of the message the action created (thread replies).
    pub ts: Option<String>,
    /// The gateway's HTTP status, or `None` when it timed out or could not be reached.
    pub status: Option<u16>,
    /// The gateway's response body.
    pub body: String,
}

/// Why the simulator could not send something as Slack: Slack itself could not produce it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackSendError {
    /// The channel does not exist.
    #[error("no channel {0}")]
    UnknownChannel(String),
    /// The user is not a member of the workspace.
    #[error("no user {0}")]
    UnknownUser(String),
    /// No message with this `ts` in the channel.
    #[error("no message {ts} in {channel}")]
    UnknownMessage {
        /// Channel id.
        channel: String,
        /// Message ts.
        ts: String,
    },
    /// The message has no interactive element with this `action_id`.
    #[error("no element with action_id {0} in the message")]
    UnknownAction(String),
    /// The button's value in the message is not the one the test expected.
    #[error("the button's value is {actual:?}, not {expected:?}")]
    ValueMismatch {
        /// The value the test passed.
        expected: String,
        /// The value in the message.
        actual: Option<String>,
    },
    /// The bot token lacks the scope the event subscription needs.
    #[error("message events need the {0} scope")]
    NotSubscribed(&'static str),
    /// No event with this id was sent.
    #[error("no event {0} was sent")]
    UnknownEvent(String),
}

/// A running Slack simulator. [`SlackSim::messages`] lists the messages Slack holds; they are
/// also the records of type `messages`.
pub struct SlackSim {
    handle: SimHandle,
    state: Arc<state::Slack>,
}

fn router(slack: Arc<state::Slack>) -> Router {
    let shared: Arc<dyn Vendor> = slack.clone();
    Router::new()
        .route("/services/{team}/{bot}/{secret}", post(webhook::post))
        .route("/api/chat.postMessage", post(api::post_message))
        .route("/api/chat.update", post(chat::update))
        .route("/api/chat.delete", post(chat::delete))
        .route(
            "/api/conversations.history",
            post(history::history).get(history::history),
        )
        .route("/api/chat.postEphemeral", post(chat::post_ephemeral))
        .route("/api/users.info", post(users::info).get(users::info))
        .route("/api/auth.test", post(api::auth_test).get(api::auth_test))
        .route(
            "/actions/{team}/{id}/{secret}",
            post(interactions::response_url),
        )
        .fallback(errors::no_route)
        .layer(from_fn_with_state(shared, pipeline::latency))
        .with_state(slack)
}

impl SlackSim {
    /// Bind and start serving.
    pub async fn start(options: Options) -> Result<Self, SimError> {
        let addr = options.addr;
        let (handle, state) =
            SimHandle::start(addr, |base| state::Slack::new(options, base), router).await?;
        Ok(SlackSim { handle, state })
    }

    common_methods!();
    outbound_methods!();

    /// Every message Slack holds (as last updated), oldest first.
    pub fn messages(&self) -> Vec<SlackMessage> {
        self.state.messages()
    }

    /// One message as it is now (blocks after every update), or `None`.
    pub fn message(&self, channel: &str, ts: &str) -> Option<SlackMessage> {
        let channel = self.state.channel(channel)?.id.clone();
        self.state.message(ts).filter(|m| m.channel == channel)
    }

    /// Every `chat.update` (and `response_url` replacement) accepted, oldest first.
    pub fn updates(&self) -> Vec<MessageUpdate> {
        self.state.updates()
    }

    /// Every ephemeral message accepted, oldest first.
    pub fn ephemerals(&self) -> Vec<Ephemeral> {
        self.state.ephemerals()
    }

    /// Every post to an interaction's `response_url`, oldest first.
    pub fn response_url_posts(&self) -> Vec<ResponseUrlPost> {
        self.state.response_posts()
    }

    /// The ready-to-use incoming-webhook URL.
    pub fn webhook_url(&self) -> String {
        format!("{}{}", self.base_url(), self.state.options.webhook_path)
    }

    /// The valid bot token.
    pub fn bot_token(&self) -> &str {
        &self.state.options.bot_token
    }

    /// The app's signing secret.
    pub fn signing_secret(&self) -> &str {
        &self.state.options.signing_secret
    }

    /// The bot's user id (`U0SIMBOT01`).
    pub fn bot_user_id(&self) -> &str {
        state::BOT_USER
    }

    /// The bot's id (`B0SIMBOT01`), the `bot_id` of its messages.
    pub fn bot_id(&self) -> &str {
        state::BOT_ID
    }

    /// `user` clicks the button `action_id` of the message `message_ts` in `channel`: a signed
    /// `block_actions` interaction is POSTed to `url` (the app's Interactivity Request URL) and
    /// the gateway's answer returned. `value` is the value the test expects the button to carry
    /// (`None` for URL buttons); the payload carries the message's own. Interactions are never
    /// retried.
    pub async fn click(
        &self,
        url: &str,
        user: &str,
        message_ts: &str,
        channel: &str,
        action_id: &str,
        value: Option<&str>,
    ) -> Result<SlackReply, SlackSendError> {
        interactions::click(
            &self.state,
            url,
            user,
            message_ts,
            channel,
            action_id,
            value,
        )
        .await
    }

    /// `user` replies `text` in the thread of `thread_ts` in `channel`: the reply is stored in the
    /// channel's history and delivered to `url` (the Events API Request URL) as an
    /// `event_callback` with a `message` event. Returns the answer to the first attempt; Slack's
    /// retries (per [`Options::event_retry`]) continue in the background.
    pub async fn thread_reply(
        &self,
        url: &str,
        user: &str,
        channel: &str,
        thread_ts: &str,
        text: &str,
    ) -> Result<SlackReply, SlackSendError> {
        events::thread_reply(&self.state, url, user, channel, thread_ts, text).await
    }

    /// The Events API's `url_verification` handshake against `url`; the reply's `id` is the
    /// challenge, which the body must echo (as plain text, `challenge=…` or
    /// `{"challenge":…}`).
    pub async fn url_verification(&self, url: &str) -> SlackReply {
        events::url_verification(&self.state, url).await
    }

    /// Send an earlier event again, freshly signed, with `X-Slack-Retry-Num: retry_num` and
    /// `X-Slack-Retry-Reason: http_timeout`, as Slack does when the first delivery timed out.
    pub async fn redeliver(
        &self,
        event_id: &str,
        retry_num: u32,
    ) -> Result<SlackReply, SlackSendError> {
        events::redeliver(&self.state, event_id, retry_num).await
    }

    /// POST `body` to `url` with Slack's signature headers set to `timestamp` and `signature`
    /// as given (`None`: the correct signature for that timestamp), for tests of stale
    /// timestamps and forged signatures. Use [`signature::v0`] to build one.
    pub async fn send_raw(
        &self,
        url: &str,
        content_type: &str,
        body: &str,
        timestamp: &str,
        signature: Option<&str>,
    ) -> SlackReply {
        events::send_raw(&self.state, url, content_type, body, timestamp, signature).await
    }

    /// Base URL and credentials as JSON (what the binary prints).
    pub fn describe(&self) -> Value {
        let options = &self.state.options;
        json!({
            "base_url": self.base_url(),
            "api_url": format!("{}/api", self.base_url()),
            "webhook_url": self.webhook_url(),
            "bot_token": self.bot_token(),
            "bot_scopes": options.bot_scopes,
            "signing_secret": options.signing_secret,
            "app_id": options.app_id,
            "bot_user_id": state::BOT_USER,
            "channels": options.channels,
            "users": options.users,
            "events_url": options.events_url,
        })
    }
}
