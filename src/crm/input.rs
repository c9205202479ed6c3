//! What one lead's sync is given and what it comes back with: the person, deal, note and task
//! to write, the links stored with the lead, and where a sync got to.

use super::model::{CrmLinks, DealFields, NoteFields, PersonFields, TaskFields};
use super::policy::OverwritePolicy;
use crate::outbound::CallError;

/// One lead's sync: what the person should look like, and the deal, note and task.
#[derive(Debug, Clone)]
pub struct SyncInput {
    pub person: PersonFields,
    /// Set once the lead has reached the deal threshold.
    pub deal: Option<DealFields>,
    pub note: NoteFields,
    /// Created once, with the first sync.
    pub task: Option<TaskFields>,
    pub policy: OverwritePolicy,
}

/// One lead of a batch: what to sync and the links stored with it.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub input: SyncInput,
    pub links: CrmLinks,
}

/// Where a sync got to. On failure the links reached so far are kept, so the retry continues
/// from there instead of creating again.
#[derive(Debug, Clone)]
pub struct SyncOutcome {
    pub links: CrmLinks,
    pub error: Option<CallError>,
    /// Whether a person was created (rather than found) in this run.
    pub created_person: bool,
}
