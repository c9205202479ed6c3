//! Getting leads out: the outbox worker, its retry schedule, and the planner that decides what
//! each CRM receives.

pub mod alert;
pub mod delivery;
pub mod erasure;
mod first_alert;
pub mod handoff;
pub mod outcomes;
pub mod plan;
pub mod schedule;
pub mod targets;
pub mod worker;

pub use alert::ConversationLinks;
pub use plan::CustomFieldNames;
pub use worker::{JobHandler, Target, Worker};

/// A store failure met while running a job: the job is tried again (the database may be back).
pub(crate) fn store_error(e: crate::store::StoreError) -> crate::outbound::CallError {
    crate::outbound::CallError::retryable(format!("store: {e}"), None)
}
