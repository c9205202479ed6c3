//! Sales alerts: a Slack message the moment a lead qualifies, and a follow-up in its thread when
//! the lead changes materially. Delivered through the outbox like CRM syncs.

pub mod alert;
pub mod config;
pub mod signing;
pub mod slack;

pub use alert::{Alert, HandoffState, Origin, actions};
pub use config::SlackConfig;
pub use slack::{Posted, SlackAlerter};
