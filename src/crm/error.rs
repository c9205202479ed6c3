//! How a CRM call failed, in the four classes the outbox acts on.

use std::time::Duration;

/// A classified CRM failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrmError {
    /// Try again later: 5xx, timeouts, dropped connections, rate limits. `retry_after` is what
    /// the CRM asked for, if it said.
    #[error("temporary failure: {message}")]
    Retryable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The record already exists; the CRM named it.
    #[error("already exists as {existing_id}: {message}")]
    Conflict {
        existing_id: String,
        message: String,
    },
    /// The record does not exist (any more).
    #[error("not found: {message}")]
    NotFound { message: String },
    /// Credentials were refused: jobs for this CRM pause until an operator fixes them.
    #[error("credentials refused: {message}")]
    Auth { message: String },
    /// The CRM refused the data (validation): retrying will not help.
    #[error("refused: {message}")]
    Permanent { message: String },
}

impl CrmError {
    pub fn retryable(message: impl Into<String>, retry_after: Option<Duration>) -> CrmError {
        CrmError::Retryable {
            message: message.into(),
            retry_after,
        }
    }

    pub fn permanent(message: impl Into<String>) -> CrmError {
        CrmError::Permanent {
            message: message.into(),
        }
    }

    pub fn auth(message: impl Into<String>) -> CrmError {
        CrmError::Auth {
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> CrmError {
        CrmError::NotFound {
            message: message.into(),
        }
    }

    /// The class as stored with a job: `retryable`, `conflict`, `not_found`, `auth`, `permanent`.
    pub fn class(&self) -> &'static str {
        match self {
            CrmError::Retryable { .. } => "retryable",
            CrmError::Conflict { .. } => "conflict",
            CrmError::NotFound { .. } => "not_found",
            CrmError::Auth { .. } => "auth",
            CrmError::Permanent { .. } => "permanent",
        }
    }
}
