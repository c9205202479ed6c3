//! The progressive sync, written once for every CRM: find the person (stored id, then email,
//! then E.164 phone, then name and company; a stale id is found again, not recreated), create
//! them or update only what changed under the overwrite policy (never blanking a value), then
//! the deal once the lead qualifies (kept up to date, never duplicated), the conversation's note
//! (one per conversation, updated as it grows) and the follow-up task (once).

use super::api::CrmApi;
use super::model::{Attach, CrmLinks, FindKey, Pending, PersonFields, PersonRecord};
use crate::outbound::CallError;

pub use super::input::{BatchItem, SyncInput, SyncOutcome};
pub use super::policy::{Overwrite, OverwritePolicy};

/// Runs one lead's sync against a CRM, starting from the links stored with the lead.
pub async fn execute(api: &dyn CrmApi, input: &SyncInput, links: CrmLinks) -> SyncOutcome {
    execute_saving(api, input, links, &|_| Box::pin(async {})).await
}

/// Called with the links each time the sync learns a new CRM id, before its next call: the
/// worker stores them, so a process killed mid-sync resumes from there instead of creating the
/// deal, note or task again.
pub type SaveLinks<'s> =
    dyn Fn(&CrmLinks) -> futures_util::future::BoxFuture<'s, ()> + Send + Sync + 's;

/// [`execute`], handing every new CRM id to `save` as soon as it is known.
pub async fn execute_saving(
    api: &dyn CrmApi,
    input: &SyncInput,
    links: CrmLinks,
    save: &SaveLinks<'_>,
) -> SyncOutcome {
    let mut outcome = SyncOutcome {
        links,
        error: None,
        created_person: false,
    };
    if let Err(e) = steps(api, input, &mut outcome, save).await {
        outcome.error = Some(e);
    }
    outcome
}

async fn steps(
    api: &dyn CrmApi,
    input: &SyncInput,
    out: &mut SyncOutcome,
    save: &SaveLinks<'_>,
) -> Result<(), CallError> {
    // What the store holds; `keep` saves the links when a step learnt an id it does not have.
    let mut saved = out.links.clone();
    let person = person(api, input, out).await?;
    out.links.person = Some(person.clone());
    let mut keep = async |links: &CrmLinks| {
        if *links != saved {
            save(links).await;
            saved = links.clone();
        }
    };
    keep(&out.links).await;

    let mut new_deal = false;
    if let Some(deal) = &input.deal {
        if out.links.deal.is_none() {
            out.links.deal = adopt(api, &person, Attach::Deal, &out.links.pending).await?;
        }
        new_deal = out.links.deal.is_none();
        match out.links.deal.clone() {
            Some(id) => match api.update_deal(&id, deal).await {
                Ok(()) => {}
                // Deleted in the CRM: a qualified lead gets its deal back.
                Err(CallError::NotFound { .. }) => {
                    out.links.deal = Some(api.create_deal(&person, deal).await?)
                }
                Err(e) => return Err(e),
            },
            None => out.links.deal = Some(api.create_deal(&person, deal).await?),
        }
        keep(&out.links).await;
    }

    let deal = out.links.deal.clone();
    if out.links.note.is_none() {
        out.links.note = adopt(api, &person, Attach::Note, &out.links.pending).await?;
    }
    match out.links.note.clone() {
        Some(id) => match api.update_note(&id, &input.note).await {
            Ok(()) => {
                if let (true, Some(deal)) = (new_deal, &deal) {
                    api.link_note(&id, deal).await?;
                }
            }
            Err(CallError::NotFound { .. }) => {
                out.links.note = Some(
                    api.create_note(&person, deal.as_deref(), &input.note)
                        .await?,
                )
            }
            Err(e) => return Err(e),
        },
        None => {
            out.links.note = Some(
                api.create_note(&person, deal.as_deref(), &input.note)
                    .await?,
            )
        }
    }
    keep(&out.links).await;

    if out.links.task.is_none() && input.task.is_some() {
        out.links.task = adopt(api, &person, Attach::Task, &out.links.pending).await?;
    }
    if out.links.task.is_none()
        && let Some(task) = &input.task
    {
        out.links.task = Some(api.create_task(&person, deal.as_deref(), task).await?);
    }
    Ok(())
}

/// How far a CRM's clock may be behind ours when telling whether a record was made by a
/// pending create.
const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// The person's record a pending create of `kind` made, if the CRM made it: one attached to the
/// person, carrying what the create carried, made after it was sent.
async fn adopt(
    api: &dyn CrmApi,
    person: &str,
    kind: Attach,
    pending: &Pending,
) -> Result<Option<String>, CallError> {
    let sent = match kind {
        Attach::Deal => &pending.deal,
        Attach::Note => &pending.note,
        Attach::Task => &pending.task,
    };
    if sent.is_empty() {
        return Ok(None);
    }
    let Some(attached) = api.attached(person, kind, sent).await? else {
        return Ok(None);
    };
    let made_after = pending.since_ms - CLOCK_SKEW_MS;
    Ok(attached
        .into_iter()
        .filter(|a| a.created_ms.is_none_or(|at| at >= made_after))
        .find(|a| {
            sent.iter().any(|s| match kind {
                Attach::Note => !s.is_empty() && a.text.contains(s.as_str()),
                Attach::Deal | Attach::Task => a.text.trim() == s.trim(),
            })
        })
        .map(|a| a.id))
}

/// Notes in `links` the creates this sync of `input` is about to send, so that a retry after a
/// lost answer can find what they made. Returns whether anything was added.
pub fn mark_pending(links: &mut CrmLinks, input: &SyncInput, now_ms: i64) -> bool {
    let was = links.pending.clone();
    if links.pending.is_empty() {
        links.pending.since_ms = now_ms;
    }
    let add = |list: &mut Vec<String>, text: String| {
        if !list.contains(&text) {
            list.push(text);
        }
    };
    if let (None, Some(deal)) = (&links.deal, &input.deal) {
        add(&mut links.pending.deal, deal.title.clone());
    }
    if links.note.is_none() {
        add(&mut links.pending.note, input.note.key());
    }
    if let (None, Some(task)) = (&links.task, &input.task) {
        add(&mut links.pending.task, task.subject.clone());
    }
    if links.pending.is_empty() {
        links.pending = Pending::default();
    }
    links.pending != was
}

/// Forgets the pending creates whose records are now known.
pub fn settle_pending(links: &mut CrmLinks) {
    if links.deal.is_some() {
        links.pending.deal.clear();
    }
    if links.note.is_some() {
        links.pending.note.clear();
    }
    if links.task.is_some() {
        links.pending.task.clear();
    }
    if links.pending.is_empty() {
        links.pending = Pending::default();
    }
}

/// Finds or creates the person and brings their fields up to date; returns the id.
async fn person(
    api: &dyn CrmApi,
    input: &SyncInput,
    out: &mut SyncOutcome,
) -> Result<String, CallError> {
    let mut found: Option<PersonRecord> = None;
    if let Some(id) = out.links.person.clone() {
        found = api.get_person(&id).await?;
    }
    if found.is_none() {
        found = find(api, &input.person).await?;
    }
    match found {
        Some(record) => {
            let changes = input.policy.changes(&record, &input.person);
            if !changes.is_empty() {
                match api.update_person(&record.id, &changes).await {
                    Ok(()) => {}
                    // Merged away between the read and the write: find it again next time.
                    Err(CallError::NotFound { message }) => {
                        return Err(CallError::retryable(message, None));
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(record.id)
        }
        None => match api.create_person(&input.person).await {
            Ok(id) => {
                out.created_person = true;
                Ok(id)
            }
            // Created meanwhile (by another instance, or a retry after a lost answer): use it.
            Err(CallError::Conflict { existing_id, .. }) => {
                if let Some(record) = api.get_person(&existing_id).await? {
                    let changes = input.policy.changes(&record, &input.person);
                    if !changes.is_empty() {
                        api.update_person(&existing_id, &changes).await?;
                    }
                }
                Ok(existing_id)
            }
            Err(e) => Err(e),
        },
    }
}

/// Looks the person up by email, then phone, then name and company.
async fn find(api: &dyn CrmApi, p: &PersonFields) -> Result<Option<PersonRecord>, CallError> {
    if let Some(email) = &p.email
        && let Some(r) = api.find_person(FindKey::Email(email)).await?
    {
        return Ok(Some(r));
    }
    if let Some(phone) = &p.phone
        && let Some(r) = api.find_person(FindKey::Phone(phone)).await?
    {
        return Ok(Some(r));
    }
    if let (Some(first), Some(company)) = (&p.first_name, &p.company) {
        let key = FindKey::NameAndCompany {
            first,
            last: p.last_name.as_deref(),
            company,
        };
        if let Some(r) = api.find_person(key).await? {
            return Ok(Some(r));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::crm::model::{DealFields, NoteFields, TaskFields};

    #[test]
    fn pending_creates_are_noted_once_and_forgotten_when_known() {
        let input = SyncInput {
            person: PersonFields {
                email: None,
                phone: None,
                first_name: None,
                last_name: None,
                company: None,
                job_title: None,
                owner: None,
                custom: BTreeMap::new(),
            },
            deal: Some(DealFields {
                title: "Ada Lovelace – chat lead".into(),
                amount: None,
                currency: None,
                owner: None,
                custom: BTreeMap::new(),
            }),
            note: NoteFields {
                body: "Chat lead from Acme\nTranscript: https://gw.example/c/42?t=abc\n".into(),
            },
            task: Some(TaskFields {
                subject: "Follow up".into(),
                body: String::new(),
                due_ms: 0,
            }),
            policy: OverwritePolicy::default(),
        };
        let mut links = CrmLinks::default();
        assert!(mark_pending(&mut links, &input, 1000));
        assert_eq!(links.pending.since_ms, 1000);
        assert_eq!(links.pending.note, ["https://gw.example/c/42?t=abc"]);
        assert!(
            !mark_pending(&mut links, &input, 2000),
            "nothing new to note"
        );
        assert_eq!(links.pending.since_ms, 1000, "the first send counts");

        links.deal = Some("d1".into());
        links.note = Some("n1".into());
        settle_pending(&mut links);
        assert!(links.pending.deal.is_empty() && links.pending.note.is_empty());
        assert_eq!(links.pending.task, ["Follow up"]);
        links.task = Some("t1".into());
        settle_pending(&mut links);
        assert_eq!(links.pending, Pending::default());
        let json = serde_json::to_string(&links).unwrap();
        assert!(!json.contains("pending"), "{json}");
        let old: CrmLinks = serde_json::from_str(r#"{"person":"1","deal":"2"}"#).unwrap();
        assert!(
            old.pending.is_empty(),
            "links stored before pending creates existed still read"
        );
    }
}
