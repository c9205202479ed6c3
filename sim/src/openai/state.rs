//! The OpenAI simulator's state: scripted replies, the responder and received requests (kept
//! in the record store as type `requests`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::errors;
use super::flavor::{Fault, Flavor};
use super::{ChatRequest, Options, Reply};
use crate::shared::store::Record;
use crate::shared::vendor::{Core, Vendor};

/// The store table holding received requests.
pub(crate) const REQUESTS: &str = "requests";

/// A test-supplied function choosing the reply.
pub(crate) type Responder = dyn Fn(&ChatRequest) -> Reply + Send + Sync;

/// Everything one OpenAI simulator holds.
pub(crate) struct OpenAi {
    pub core: Core,
    pub options: Options,
    queue: Mutex<VecDeque<Reply>>,
    responder: Mutex<Option<Arc<Responder>>>,
}

impl OpenAi {
    /// Fresh state for `options`.
    pub(crate) fn new(options: Options) -> Self {
        OpenAi {
            core: Core::new(options.seed),
            options,
            queue: Mutex::new(VecDeque::new()),
            responder: Mutex::new(None),
        }
    }

    /// Queue a reply.
    pub(crate) fn push(&self, reply: Reply) {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(reply);
    }

    /// Install the responder.
    pub(crate) fn set_responder(&self, responder: Box<Responder>) {
        *self.responder.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::from(responder));
    }

    /// The reply to `request`: the next queued one, else the responder's, else an echo.
    pub(crate) fn next_reply(&self, request: &ChatRequest) -> Reply {
        if let Some(reply) = self
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
        {
            return reply;
        }
        let responder = self
            .responder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match responder {
            Some(responder) => responder(request),
            None => Reply::Text(format!(
                "You said: {}",
                request.last_user_message().unwrap_or_default()
            )),
        }
    }

    /// Remember a request body.
    pub(crate) fn record(&self, body: &Value) {
        let fields = body.as_object().cloned().unwrap_or_default();
        let record = Record::new(uuid::Uuid::new_v4().to_string(), fields);
        self.core
            .store
            .write(|tables| tables.insert(REQUESTS, record));
    }

    /// Every recorded request body.
    pub(crate) fn requests(&self) -> Vec<Value> {
        self.core
            .store
            .snapshot(REQUESTS)
            .into_iter()
            .map(|record| Value::Object(record.fields))
            .collect()
    }
}

impl Vendor for OpenAi {
    fn core(&self) -> &Core {
        &self.core
    }

    fn injected_failure(&self, status: StatusCode, _path: &str) -> Response {
        let fault = match status.as_u16() {
            401 => Fault::Auth,
            429 => Fault::RateLimited,
            503 => Fault::Unavailable,
            code if code >= 500 => Fault::Server,
            _ => return errors::injected(status, self.options.retry_after_secs),
        };
        match self.options.flavor {
            Flavor::OpenAi => errors::injected(status, self.options.retry_after_secs),
            flavor => flavor.error_after(
                fault,
                status.canonical_reason().unwrap_or("Error"),
                self.options.retry_after_secs,
            ),
        }
    }

    fn throttled(&self, _path: &str) -> Response {
        self.options.flavor.error_after(
            Fault::RateLimited,
            "Too Many Requests",
            self.options.retry_after_secs,
        )
    }

    fn seed_record(&self, _object: &str, _fields: Map<String, Value>) -> Option<String> {
        None
    }

    fn reset_vendor(&self) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).clear();
        *self.responder.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}
