//! Sales alerts: a Slack message the moment a lead qualifies, and a follow-up in its thread when
//! the lead changes materially. Delivered through the outbox like CRM syncs.

pub mod slack;

pub use slack::{Alert, Posted, SlackAlerter};
