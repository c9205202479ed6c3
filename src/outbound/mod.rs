//! What every call leadgate makes to an outside service shares — CRMs, Slack, Meta's Graph API
//! and the model: one HTTP client shape, a throttle that keeps a vendor's rate limit, the
//! reading of `Retry-After`, and one classified error type that the outbox acts on.

pub mod error;
pub mod http;
pub mod settings;

pub use error::{CallError, ErrorClass};
pub use settings::{InvalidKey, invalid};
