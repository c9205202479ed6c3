//! CRM connectors behind one trait. Each connector owns its authentication, field mapping and
//! error classification; the progressive sync (find before create, update only what changed,
//! deal once qualified, one note per conversation, one follow-up task) is written once in
//! [`progressive`] and drives every connector through [`CrmApi`]. What connectors share beyond
//! that (the instrumented adapter, token sessions, rate limits, the company cache, escaping) is
//! the [`kit`]; `docs/adding-a-crm.md` says what a new CRM takes.

pub mod api;
pub mod input;
pub mod kit;
pub mod model;
pub mod policy;
pub mod progressive;
pub mod webhooks;

pub mod hubspot;
pub mod pipedrive;
pub mod salesforce;
pub mod zoho;

pub use api::CrmApi;
pub use model::{
    Attach, Attached, CrmKind, CrmLinks, CustomFields, DealFields, Field, FindKey, NoteFields,
    Pending, PersonFields, PersonRecord, TaskFields,
};
