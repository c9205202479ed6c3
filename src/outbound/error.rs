//! How a call to an outside service failed, in the classes the outbox acts on.

use std::time::Duration;

/// A classified failure of a call to a CRM, Slack, Meta or the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
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

impl CallError {
    pub fn retryable(message: impl Into<String>, retry_after: Option<Duration>) -> CallError {
        CallError::Retryable {
            message: message.into(),
            retry_after,
        }
    }

    pub fn permanent(message: impl Into<String>) -> CallError {
        CallError::Permanent {
            message: message.into(),
        }
    }

    pub fn auth(message: impl Into<String>) -> CallError {
        CallError::Auth {
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> CallError {
        CallError::NotFound {
            message: message.into(),
        }
    }

    /// The same failure in other words: the class, `retry_after` and `existing_id` stay.
    pub fn reworded(self, message: impl Into<String>) -> CallError {
        let message = message.into();
        match self {
            CallError::Retryable { retry_after, .. } => CallError::Retryable {
                message,
                retry_after,
            },
            CallError::Conflict { existing_id, .. } => CallError::Conflict {
                existing_id,
                message,
            },
            CallError::NotFound { .. } => CallError::NotFound { message },
            CallError::Auth { .. } => CallError::Auth { message },
            CallError::Permanent { .. } => CallError::Permanent { message },
        }
    }

    /// The failure's class.
    pub fn class(&self) -> ErrorClass {
        match self {
            CallError::Retryable { .. } => ErrorClass::Retryable,
            CallError::Conflict { .. } => ErrorClass::Conflict,
            CallError::NotFound { .. } => ErrorClass::NotFound,
            CallError::Auth { .. } => ErrorClass::Auth,
            CallError::Permanent { .. } => ErrorClass::Permanent,
        }
    }
}

/// The class of a failure, as stored with a job and shown to operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    Retryable,
    Conflict,
    NotFound,
    Auth,
    Permanent,
}

impl ErrorClass {
    /// `retryable`, `conflict`, `not_found`, `auth` or `permanent`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Retryable => "retryable",
            ErrorClass::Conflict => "conflict",
            ErrorClass::NotFound => "not_found",
            ErrorClass::Auth => "auth",
            ErrorClass::Permanent => "permanent",
        }
    }

    /// The class stored under `name`, if any.
    pub fn parse(name: &str) -> Option<ErrorClass> {
        [
            ErrorClass::Retryable,
            ErrorClass::Conflict,
            ErrorClass::NotFound,
            ErrorClass::Auth,
            ErrorClass::Permanent,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

impl PartialEq<&str> for ErrorClass {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
