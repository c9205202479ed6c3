//! The connector kit: what every CRM connector is built from, so that a connector is its field
//! mapping and its calls only.
//!
//! - [`Calls`]: the connector's own operations, in plain `async fn`s. Every type that has them
//!   is a [`CrmApi`](super::CrmApi), each call run in a `crm` span that names the CRM and the
//!   operation and logs a failure with its class.
//! - [`escape`]: text as HTML, as a quoted literal, or with reserved characters escaped.
//! - [`erase`]: the order records are deleted in when a visitor is erased there.
//! - [`Companies`]: which company record (an Account) each person belongs to, remembered.
//! - [`company_domain`]: the company web domain a business email address names.
//! - [`session`]: an access token kept while it lasts, renewed once when it is refused.
//! - [`limits`]: the main and search windows a rate-limited CRM keeps, paused per [`Bucket`].

mod adapter;
mod companies;
mod domain;
pub mod erase;
pub mod escape;
pub mod limits;
pub mod session;

pub use adapter::Calls;
pub use companies::Companies;
pub use domain::company_domain;
pub use limits::{Bucket, DAILY_PAUSE, Limits};
