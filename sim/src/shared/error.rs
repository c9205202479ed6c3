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
