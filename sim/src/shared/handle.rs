//! Starting a simulator and the handle every public `…Sim` type wraps.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::admin;
use super::error::SimError;
use super::faults::Faults;
use super::pipeline;
use super::server;
use super::stats::Stats;
use super::store::Record;
use super::vendor::Vendor;

/// A running simulator: its address, its vendor state and its server task.
pub(crate) struct SimHandle {
    base_url: String,
    vendor: Arc<dyn Vendor>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// Bind `addr`, build the vendor state (it gets the base URL, which OAuth responses hand
    /// out as `instance_url` / `api_domain`), wrap its routes in the shared pipeline and serve.
    pub(crate) async fn start<V: Vendor>(
        addr: SocketAddr,
        build: impl FnOnce(String) -> V,
        routes: impl FnOnce(Arc<V>) -> Router,
    ) -> Result<(SimHandle, Arc<V>), SimError> {
        let bind_error = |source| SimError::Bind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        let base_url = format!("http://{local}");
        let vendor = Arc::new(build(base_url.clone()));
        let shared: Arc<dyn Vendor> = vendor.clone();
        let api = routes(vendor.clone()).layer(from_fn_with_state(shared.clone(), pipeline::run));
        let admin = admin::router(shared.clone());
        let task = server::spawn(listener, api, admin, shared.core().shutdown.clone());
        let handle = SimHandle {
            base_url,
            vendor: shared,
            task: Some(task),
        };
        Ok((handle, vendor))
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The fault-injection control.
    pub(crate) fn faults(&self) -> &Faults {
        &self.vendor.core().faults
    }

    /// A snapshot of the request statistics.
    pub(crate) fn stats(&self) -> Stats {
        self.vendor.core().stats.snapshot()
    }

    /// A snapshot of one object type's records.
    pub(crate) fn records(&self, object: &str) -> Vec<Record> {
        self.vendor.core().store.snapshot(object)
    }

    /// Store a record without validation.
    pub(crate) fn insert_record(&self, object: &str, fields: Map<String, Value>) -> Option<String> {
        self.vendor.seed_record(object, fields)
    }

    /// Every request the simulator sent toward the system under test.
    pub(crate) fn deliveries(&self) -> Vec<crate::WebhookDelivery> {
        self.vendor.core().outbound.deliveries()
    }

    /// Clear records, stats, faults and rate-limit state.
    pub(crate) fn reset(&self) {
        admin::reset_all(self.vendor.as_ref());
    }

    /// Stop serving and wait for the server task to end.
    pub(crate) async fn shutdown(mut self) {
        self.vendor.core().shutdown.cancel();
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::warn!(%error, "simulator task ended abnormally");
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.vendor.core().shutdown.cancel();
    }
}

/// The methods every public simulator type has, delegating to its `handle` field.
macro_rules! common_methods {
    () => {
        /// The base URL the connector must be configured with: `http://127.0.0.1:PORT`.
        pub fn base_url(&self) -> &str {
            self.handle.base_url()
        }

        /// The simulator's fault-injection control.
        pub fn faults(&self) -> &$crate::Faults {
            self.handle.faults()
        }

        /// A snapshot of the request statistics.
        pub fn stats(&self) -> $crate::Stats {
            self.handle.stats()
        }

        /// A snapshot of the stored records of one object type (empty for unknown types).
        pub fn records(&self, object: &str) -> Vec<$crate::Record> {
            self.handle.records(object)
        }

        /// Store a record as-is, bypassing validation and uniqueness (to set up a CRM that
        /// already holds data). Returns the new id, or `None` for an unknown object type.
        pub fn insert_record(
            &self,
            object: &str,
            fields: serde_json::Map<String, serde_json::Value>,
        ) -> Option<String> {
            self.handle.insert_record(object, fields)
        }

        /// Clear records, stats, faults and rate-limit windows. Issued tokens stay valid.
        pub fn reset(&self) {
            self.handle.reset()
        }

        /// Stop serving; hung requests are released by closing their connections.
        pub async fn shutdown(self) {
            self.handle.shutdown().await
        }
    };
}

pub(crate) use common_methods;

/// The methods of simulators that send webhooks or events toward the system under test.
macro_rules! outbound_methods {
    () => {
        /// Every attempt the simulator made to deliver a webhook or event, oldest first, with
        /// the status the receiver answered (`None` when it timed out or was unreachable).
        pub fn webhook_deliveries(&self) -> Vec<$crate::WebhookDelivery> {
            self.handle.deliveries()
        }

        /// Wait until at least `n` delivery attempts have been made (deliveries are
        /// asynchronous, as the vendor's are) and return them all; after `within` returns what
        /// there is. This is a hang guard for tests, not a timing assertion.
        pub async fn wait_for_deliveries(
            &self,
            n: usize,
            within: std::time::Duration,
        ) -> Vec<$crate::WebhookDelivery> {
            let deadline = tokio::time::Instant::now() + within;
            loop {
                let log = self.handle.deliveries();
                if log.len() >= n || tokio::time::Instant::now() >= deadline {
                    return log;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    };
}

pub(crate) use outbound_methods;
