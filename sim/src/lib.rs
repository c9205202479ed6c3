//! Stateful, contract-accurate local simulators of the services leadgate talks to: the
//! HubSpot, Pipedrive, Salesforce and Zoho CRM APIs, Slack, an OpenAI-compatible
//! chat-completions server and the Meta Graph send APIs (WhatsApp Cloud API, Messenger).
//!
//! Each simulator runs on its own HTTP listener (`127.0.0.1:0` unless told otherwise), keeps
//! the records it is sent, answers with the vendor's own paths, bodies, status codes, error
//! shapes and rate-limit headers, and can be told to misbehave through [`Faults`]. Tests start
//! them in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), leadgate_sim::SimError> {
//! use leadgate_sim::hubspot::{self, HubSpotSim};
//! let hs = HubSpotSim::start(hubspot::Options::default()).await?;
//! let base_url = hs.base_url(); // goes into `[crm.hubspot] base_url`
//! hs.faults().fail_next(1, 503);
//! # let _ = base_url;
//! hs.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Slack and the CRM simulators also act as their vendor toward the system under test: signed
//! Slack interactions and Events API deliveries, HubSpot, Pipedrive and Zoho webhooks, each
//! retried on the vendor's schedule ([`RetryPolicy`]) and logged ([`WebhookDelivery`]).
//!
//! Every listener also serves a small admin API under `/_sim/` (records, stats, faults,
//! deliveries, reset), so the simulators can run as a separate process
//! (`cargo run -p leadgate-sim`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod hubspot;
pub mod meta;
pub mod openai;
pub mod pipedrive;
pub mod salesforce;
pub mod slack;
pub mod zoho;

mod shared;

pub use shared::auth::OAuthClient;
pub use shared::bodies::{RecordedBody, record_bodies, take_bodies};
pub use shared::error::{SimError, UiChangeError};
pub use shared::faults::{FaultCommand, Faults, SendFailure};
pub use shared::outbound::{RetryPolicy, WebhookDelivery};
pub use shared::ratelimit::RateLimit;
pub use shared::schema::FieldDef;
pub use shared::stats::{RequestLog, Stats};
pub use shared::store::Record;
