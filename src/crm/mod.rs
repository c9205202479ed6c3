//! CRM connectors behind one trait. Each connector owns its authentication, field mapping and
//! error classification; the progressive sync (find before create, update only what changed,
//! deal once qualified, one note per conversation, one follow-up task) is written once in
//! [`sync`] and drives every connector through [`CrmApi`].

pub mod error;
pub mod http;
pub mod model;
pub mod registry;
pub mod sync;

pub mod hubspot;
pub mod pipedrive;
pub mod salesforce;
pub mod zoho;

pub use error::CrmError;
pub use model::{
    Attach, Attached, CrmLinks, CustomFields, DealFields, Field, FindKey, NoteFields, Pending,
    PersonFields, PersonRecord, TaskFields,
};

use futures_util::future::BoxFuture;

use crate::config::CrmKind;

/// The operations the progressive sync needs from a CRM. Every call is one logical step; a
/// connector may spend more than one HTTP request on it (a token refresh, an organisation
/// lookup), and classifies every failure into a [`CrmError`].
pub trait CrmApi: Send + Sync {
    /// Which CRM this is.
    fn kind(&self) -> CrmKind;

    /// Finds a person (contact, lead) by one key; `None` when there is none.
    fn find_person<'a>(
        &'a self,
        key: FindKey<'a>,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CrmError>>;

    /// Reads a person by id; `None` when the id no longer exists (merged or deleted).
    fn get_person<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CrmError>>;

    /// Creates a person with these fields; returns its id. A CRM that refuses a duplicate and
    /// names the existing record answers [`CrmError::Conflict`].
    fn create_person<'a>(
        &'a self,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<String, CrmError>>;

    /// Sets these fields (and only these) on a person.
    fn update_person<'a>(
        &'a self,
        id: &'a str,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<(), CrmError>>;

    /// Creates a deal (opportunity) associated with the person; returns its id.
    fn create_deal<'a>(
        &'a self,
        person: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<String, CrmError>>;

    /// Updates a deal.
    fn update_deal<'a>(
        &'a self,
        id: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<(), CrmError>>;

    /// Creates a note on the person (and the deal, when there is one); returns its id.
    fn create_note<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<String, CrmError>>;

    /// Replaces a note's text.
    fn update_note<'a>(
        &'a self,
        id: &'a str,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<(), CrmError>>;

    /// Links a note written before the lead qualified to the deal created since, so the
    /// conversation shows on the deal too. CRMs whose notes have one parent keep it on the
    /// person (the default: nothing to do).
    fn link_note<'a>(
        &'a self,
        _note: &'a str,
        _deal: &'a str,
    ) -> BoxFuture<'a, Result<(), CrmError>> {
        Box::pin(async { Ok(()) })
    }

    /// Creates a follow-up task for the person (and the deal); returns its id.
    fn create_task<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        task: &'a TaskFields,
    ) -> BoxFuture<'a, Result<String, CrmError>>;

    /// The person's deals, notes or tasks, to find one whose create answer was lost; `sent` is
    /// what those creates carried (deal titles, note keys, task subjects), for CRMs that must
    /// search by it. `None` when this CRM cannot list them (a lost answer may then leave a
    /// duplicate).
    fn attached<'a>(
        &'a self,
        _person: &'a str,
        _kind: Attach,
        _sent: &'a [String],
    ) -> BoxFuture<'a, Result<Option<Vec<Attached>>, CrmError>> {
        Box::pin(async { Ok(None) })
    }

    /// A link to the person's record in the CRM's web app, for the sales alert.
    fn record_url(&self, _person_id: &str) -> Option<String> {
        None
    }

    /// Syncs many leads in few requests when the CRM has batch endpoints (HubSpot, Zoho) and a
    /// backlog has built up; one outcome per item, in order. `None` when the connector has no
    /// batch path: the worker then runs [`sync::execute`] per lead. A batch path must keep the
    /// same guarantees as `execute`: find before create, the overwrite policy, no duplicates.
    fn sync_batch<'a>(
        &'a self,
        _batch: &'a [sync::BatchItem],
    ) -> Option<BoxFuture<'a, Vec<sync::SyncOutcome>>> {
        None
    }
}

/// Runs one connector call in a span naming the CRM and the operation, and logs a failure with
/// its class.
pub(crate) fn step<'a, T: Send + 'a>(
    crm: &'static str,
    op: &'static str,
    future: impl Future<Output = Result<T, CrmError>> + Send + 'a,
) -> BoxFuture<'a, Result<T, CrmError>> {
    use futures_util::FutureExt;
    use tracing::Instrument;
    let span = tracing::debug_span!("crm", crm, op);
    future
        .inspect(move |r| {
            if let Err(e) = r {
                tracing::debug!(crm, op, class = e.class(), error = %e, "CRM call failed");
            }
        })
        .instrument(span)
        .boxed()
}
