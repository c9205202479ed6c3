//! The one error a simulator can return to its caller: it could not start.

use std::net::SocketAddr;

/// Why a simulator failed to start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listener could not be bound (address in use, permission, …).
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address that was asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

/// Why a change "made by a sales rep in the CRM's web app" could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UiChangeError {
    /// No record with this id.
    #[error("no record {0}")]
    NotFound(String),
    /// The CRM would refuse these values (unknown field, invalid option, …).
    #[error("the CRM refuses the change: {0}")]
    Refused(String),
}
