//! leadgate: a self-hosted chatbot lead-capture gateway.
#![forbid(unsafe_code)]

pub mod alerts;
pub mod app;
pub mod channels;
pub mod chat;
pub mod cli;
pub mod config;
pub mod crm;
pub mod http;
pub mod lead;
pub mod outbound;
pub mod store;
pub mod sync;
