//! Erasing a visitor's records in a CRM (`[privacy] erase_in_crm`): each connector deletes the
//! task, the note, the deal and the person leadgate made, in that order, so that a retry after a
//! failure finds the person last; a record already gone counts as erased.

use crate::crm::model::CrmLinks;
use crate::outbound::CallError;

/// The kinds of record leadgate erases, in the order they are deleted. The company stays: it is
/// the employer's record, shared with the other people who work there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasable {
    Task,
    Note,
    Deal,
    Person,
}

/// The records of `links` to delete, in order.
pub fn in_order(links: &CrmLinks) -> impl Iterator<Item = (Erasable, &str)> {
    [
        (Erasable::Task, &links.task),
        (Erasable::Note, &links.note),
        (Erasable::Deal, &links.deal),
        (Erasable::Person, &links.person),
    ]
    .into_iter()
    .filter_map(|(kind, id)| id.as_deref().map(|id| (kind, id)))
}

/// A delete's outcome, with "not found" (deleted already, by a rep or an earlier attempt) as
/// success.
pub fn gone<T>(result: Result<T, CallError>) -> Result<(), CallError> {
    match result {
        Ok(_) | Err(CallError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_person_goes_last_and_missing_records_are_skipped() {
        let links = CrmLinks {
            person: Some("p".into()),
            company: Some("c".into()),
            deal: None,
            note: Some("n".into()),
            task: Some("t".into()),
            ..CrmLinks::default()
        };
        let order: Vec<_> = in_order(&links).collect();
        assert_eq!(
            order,
            [
                (Erasable::Task, "t"),
                (Erasable::Note, "n"),
                (Erasable::Person, "p")
            ]
        );
    }

    #[test]
    fn a_record_already_gone_is_erased_and_other_failures_are_kept() {
        assert!(
            gone::<()>(Err(CallError::NotFound {
                message: "x".into()
            }))
            .is_ok()
        );
        assert!(gone::<()>(Err(CallError::permanent("no"))).is_err());
    }
}
