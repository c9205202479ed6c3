//! Getting leads out: the outbox worker, its retry schedule, and the planner that decides what
//! each CRM receives.

pub mod delivery;
pub mod handoff;
pub mod outcomes;
pub mod plan;
pub mod schedule;
pub mod targets;
pub mod worker;

pub use plan::CustomFieldNames;
pub use worker::{ConversationLinks, JobHandler, Target, Worker};
