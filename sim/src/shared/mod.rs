//! Machinery shared by every simulator: the HTTP server with connection-level faults, the
//! request pipeline (stats, injected faults, latency), the record store, rate-limit windows,
//! issued tokens, outbound webhook deliveries and the admin API. Vendor modules supply only what differs between vendors.

pub mod admin;
pub mod auth;
pub mod bodies;
pub mod clock;
pub mod error;
pub mod faults;
pub mod handle;
pub mod http;
pub mod outbound;
pub mod pipeline;
pub mod ratelimit;
pub mod schema;
pub mod server;
pub mod sign;
pub mod stats;
pub mod store;
pub mod validate;
pub mod vendor;
