//! The Meta simulator's state: open 24-hour windows per user, pair rate windows, sent
//! messages (records of type `messages`), what delivered webhooks told it (message ids
//! received, WhatsApp users' identities, Instagram users) and the HTTP client for webhook
//! deliveries.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::callbacks::Callbacks;
use super::errors::{Api, GraphError, catalogued};
use super::events::Inbound;
use super::wa_events::{WaUser, is_bsuid};
use super::whatsapp::wa_id;
use super::{Options, Platform, SentMessage};
use crate::SendFailure;
use crate::shared::ratelimit::Window;
use crate::shared::store::Record;
use crate::shared::vendor::{Core, Vendor};

/// The store table holding sent messages.
pub(crate) const MESSAGES: &str = "messages";

/// Everything one Meta simulator holds.
pub(crate) struct Meta {
    pub core: Core,
    pub options: Options,
    pub http: reqwest::Client,
    /// Status callbacks to the gateway.
    pub callbacks: Callbacks,
    windows: Mutex<HashMap<String, Instant>>,
    pairs: Mutex<HashMap<String, Window>>,
    /// WhatsApp message ids the business received (delivered through the simulator).
    received: Mutex<HashMap<String, WaUser>>,
    /// WhatsApp users by phone number and by BSUID, as webhooks last described them.
    users: Mutex<HashMap<String, WaUser>>,
    /// Instagram-scoped ids of users who wrote to the Instagram account.
    instagram: Mutex<HashSet<String>>,
    sequence: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Meta {
    /// Fresh state for `options`.
    pub(crate) fn new(options: Options) -> Self {
        Meta {
            core: Core::new(options.seed),
            callbacks: Callbacks::new(options.status_webhook.clone()),
            options,
            http: reqwest::Client::new(),
            windows: Mutex::new(HashMap::new()),
            pairs: Mutex::new(HashMap::new()),
            received: Mutex::new(HashMap::new()),
            users: Mutex::new(HashMap::new()),
            instagram: Mutex::new(HashSet::new()),
            sequence: AtomicU64::new(1),
        }
    }

    /// Record that `user` (WhatsApp `wa_id` or Messenger PSID) just wrote to the business.
    pub(crate) fn open_window(&self, user: &str) {
        self.windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(user.to_owned(), Instant::now());
    }

    /// Take in what a delivered payload carries: open the writers' windows, remember received
    /// WhatsApp message ids and users, and which users are on Instagram.
    pub(crate) fn learn(&self, inbound: Inbound) {
        for user in &inbound.writers {
            self.open_window(user);
        }
        lock(&self.instagram).extend(inbound.instagram);
        let mut users = lock(&self.users);
        let mut received = lock(&self.received);
        for (id, user) in inbound.received {
            for key in user.wa_id.iter().chain(&user.user_id) {
                let known = users.entry(key.clone()).or_insert_with(|| user.clone());
                known.wa_id = user.wa_id.clone().or(known.wa_id.take());
                known.user_id = user.user_id.clone().or(known.user_id.take());
                known.username = user.username.clone().or(known.username.take());
                if !user.name.is_empty() {
                    known.name.clone_from(&user.name);
                }
            }
            received.insert(id, user);
        }
    }

    /// Whether the business received the WhatsApp message `id`.
    pub(crate) fn received(&self, id: &str) -> bool {
        lock(&self.received).contains_key(id)
    }

    /// What the simulator knows of the WhatsApp user `key` (phone digits or BSUID).
    pub(crate) fn user(&self, key: &str) -> Option<WaUser> {
        lock(&self.users).get(key).cloned()
    }

    /// The user a receipt for a send to `to` names: what the simulator learned of them, with
    /// the identifier the message was sent to.
    pub(crate) fn receipt_user(&self, to: &str) -> WaUser {
        let mut user = self.user(to).unwrap_or_else(|| {
            if is_bsuid(to) {
                WaUser::bsuid(to, "")
            } else {
                WaUser::phone(to, "")
            }
        });
        if is_bsuid(to) {
            user.user_id = Some(to.to_owned());
        } else {
            user.wa_id = Some(to.to_owned());
        }
        user
    }

    /// The failure a test injected for a send to `key` (phone digits, BSUID or PSID), if any:
    /// a failure's recipient filter matches the key itself or, for phone numbers, its digits.
    pub(crate) fn injected_send_failure(&self, key: &str) -> Option<SendFailure> {
        self.core.faults.take_send_failure(|filter| {
            filter == key || (!is_bsuid(filter) && !key.is_empty() && wa_id(filter) == key)
        })
    }

    /// The answer to an injected send failure: the catalogued error for its code, with its
    /// HTTP status unless the test chose one (130429 uses `Options::throttle_status`).
    pub(crate) fn send_failure_error(&self, failure: &SendFailure, api: Api) -> GraphError {
        let mut error = catalogued(failure.code, api);
        if failure.code == 130429 {
            error = error.status(crate::shared::http::status(self.options.throttle_status));
        }
        if let Some(status) = failure.status {
            error = error.status(crate::shared::http::status(status));
        }
        error
    }

    /// Whether `user` wrote to the Instagram account.
    pub(crate) fn on_instagram(&self, user: &str) -> bool {
        lock(&self.instagram).contains(user)
    }

    /// Mark `user` as an Instagram user.
    pub(crate) fn mark_instagram(&self, user: &str) {
        lock(&self.instagram).insert(user.to_owned());
    }

    /// Whether `user` wrote within `span`.
    pub(crate) fn window_open(&self, user: &str, span: Duration) -> bool {
        self.windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(user)
            .is_some_and(|at| at.elapsed() < span)
    }

    /// Count a message to `recipient` against the pair rate limit, if one is set.
    pub(crate) fn admit_pair(&self, recipient: &str) -> bool {
        let Some(limit) = self.options.pair_rate_limit else {
            return true;
        };
        self.pairs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(recipient.to_owned())
            .or_insert_with(|| Window::new(limit))
            .admit(1)
            .is_ok()
    }

    /// A fresh message id with `prefix`.
    pub(crate) fn next_id(&self, prefix: &str) -> String {
        let n = self.sequence.fetch_add(1, Ordering::Relaxed);
        format!(
            "{prefix}{}{n:06}",
            uuid::Uuid::new_v4().simple().to_string()[..16].to_ascii_uppercase()
        )
    }

    /// Store a sent message.
    pub(crate) fn keep(&self, message: &SentMessage) {
        let fields = match serde_json::to_value(message) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        let record = Record::new(message.id.clone(), fields);
        self.core
            .store
            .write(|tables| tables.insert(MESSAGES, record));
    }

    /// Whether the business sent the message `id`.
    pub(crate) fn is_sent(&self, id: &str) -> bool {
        self.core
            .store
            .read(|tables| tables.get(MESSAGES, id).is_some())
    }

    /// Every sent message, oldest first.
    pub(crate) fn sent(&self) -> Vec<SentMessage> {
        self.core
            .store
            .snapshot(MESSAGES)
            .into_iter()
            .map(|record| SentMessage {
                platform: if record.str_field("platform") == Some("messenger") {
                    Platform::Messenger
                } else {
                    Platform::WhatsApp
                },
                to: record.str_field("to").unwrap_or_default().to_owned(),
                id: record.id.clone(),
                body: record.value("body").clone(),
            })
            .collect()
    }

    /// Whether a path addresses the Messenger API (the page or the Instagram account).
    pub(crate) fn is_messenger(&self, path: &str) -> bool {
        let node = path.split('/').nth(2).unwrap_or_default();
        self.messenger_node(node)
    }

    /// Whether a send path's node is Messenger's: `me`, the page or the Instagram account.
    pub(crate) fn messenger_node(&self, node: &str) -> bool {
        node == "me" || node == self.options.page_id || node == self.options.instagram_account_id
    }
}

impl Vendor for Meta {
    fn core(&self) -> &Core {
        &self.core
    }

    fn injected_failure(&self, status: StatusCode, _path: &str) -> Response {
        GraphError::injected(status).into_response()
    }

    fn throttled(&self, path: &str) -> Response {
        let error = if self.is_messenger(path) {
            catalogued(613, Api::Messenger)
        } else {
            catalogued(130429, Api::WhatsApp)
                .status(crate::shared::http::status(self.options.throttle_status))
        };
        error.into_response()
    }

    fn seed_record(&self, _object: &str, _fields: Map<String, Value>) -> Option<String> {
        None
    }

    fn reset_vendor(&self) {
        self.windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.pairs.lock().unwrap_or_else(|p| p.into_inner()).clear();
        lock(&self.received).clear();
        lock(&self.users).clear();
        lock(&self.instagram).clear();
        self.callbacks.clear();
    }
}

/// A Graph success body `{"success": true}`.
pub(crate) fn success() -> Value {
    json!({ "success": true })
}
