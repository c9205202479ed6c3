//! The one trait every CRM connector stands behind: the steps the progressive sync needs, each
//! a classified call.

use futures_util::future::BoxFuture;

use super::input::{BatchItem, SyncOutcome};
use super::model::{
    Attach, Attached, CrmKind, CrmLinks, DealFields, FindKey, NoteFields, PersonFields,
    PersonRecord, TaskFields,
};
use crate::outbound::CallError;

/// The operations the progressive sync needs from a CRM. Every call is one logical step; a
/// connector may spend more than one HTTP request on it (a token refresh, an organisation
/// lookup), and classifies every failure into a [`CallError`].
pub trait CrmApi: Send + Sync {
    /// Which CRM this is.
    fn kind(&self) -> CrmKind;

    /// Finds a person (contact, lead) by one key; `None` when there is none.
    fn find_person<'a>(
        &'a self,
        key: FindKey<'a>,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>>;

    /// Reads a person by id; `None` when the id no longer exists (merged or deleted).
    fn get_person<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>>;

    /// Creates a person with these fields; returns its id. A CRM that refuses a duplicate and
    /// names the existing record answers [`CallError::Conflict`].
    fn create_person<'a>(
        &'a self,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<String, CallError>>;

    /// Sets these fields (and only these) on a person.
    fn update_person<'a>(
        &'a self,
        id: &'a str,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<(), CallError>>;

    /// Creates a deal (opportunity) associated with the person; returns its id.
    fn create_deal<'a>(
        &'a self,
        person: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<String, CallError>>;

    /// Updates a deal.
    fn update_deal<'a>(
        &'a self,
        id: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<(), CallError>>;

    /// Creates a note on the person (and the deal, when there is one); returns its id.
    fn create_note<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<String, CallError>>;

    /// Replaces a note's text.
    fn update_note<'a>(
        &'a self,
        id: &'a str,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<(), CallError>>;

    /// Links a note written before the lead qualified to the deal created since, so the
    /// conversation shows on the deal too. CRMs whose notes have one parent keep it on the
    /// person (the default: nothing to do).
    fn link_note<'a>(
        &'a self,
        _note: &'a str,
        _deal: &'a str,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        Box::pin(async { Ok(()) })
    }

    /// Creates a follow-up task for the person (and the deal); returns its id.
    fn create_task<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        task: &'a TaskFields,
    ) -> BoxFuture<'a, Result<String, CallError>>;

    /// The person's deals, notes or tasks, to find one whose create answer was lost; `sent` is
    /// what those creates carried (deal titles, note keys, task subjects), for CRMs that must
    /// search by it. `None` when this CRM cannot list them (a lost answer may then leave a
    /// duplicate).
    fn attached<'a>(
        &'a self,
        _person: &'a str,
        _kind: Attach,
        _sent: &'a [String],
    ) -> BoxFuture<'a, Result<Option<Vec<Attached>>, CallError>> {
        Box::pin(async { Ok(None) })
    }

    /// Deletes the records leadgate made for an erased visitor (`[privacy] erase_in_crm`):
    /// task, note, deal and person, each already gone counting as deleted. The company stays.
    fn erase<'a>(&'a self, links: &'a CrmLinks) -> BoxFuture<'a, Result<(), CallError>>;

    /// A link to the person's record in the CRM's web app, for the sales alert.
    fn record_url(&self, _person_id: &str) -> Option<String> {
        None
    }

    /// Syncs many leads in few requests when the CRM has batch endpoints (HubSpot, Zoho) and a
    /// backlog has built up; one outcome per item, in order. `None` when the connector has no
    /// batch path: the worker then runs [`execute`](super::progressive::execute) per lead. A batch path must keep the
    /// same guarantees as `execute`: find before create, the overwrite policy, no duplicates.
    fn sync_batch<'a>(
        &'a self,
        _batch: &'a [BatchItem],
    ) -> Option<BoxFuture<'a, Vec<SyncOutcome>>> {
        None
    }
}
