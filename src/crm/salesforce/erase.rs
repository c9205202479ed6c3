//! Erasing a visitor in Salesforce: `DELETE /sobjects/{object}/{id}` for the Task, the note
//! (`Note` or `ContentNote`), the Opportunity and the Lead or Contact, each answered 204
//! (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_delete_record.htm>).
//! Deleted records stay in the org's Recycle Bin for 15 days, from where an administrator can
//! empty them at once.

use super::client::{Api, Call};
use super::config::{NoteObject, PersonObject};
use crate::crm::kit::erase::{Erasable, gone, in_order};
use crate::crm::model::CrmLinks;
use crate::outbound::CallError;

pub async fn erase(api: &Api, links: &CrmLinks) -> Result<(), CallError> {
    for (kind, id) in in_order(links) {
        let object = object_of(api, kind, id);
        gone(api.send(&Call::delete(&["sobjects", object, id])).await)?;
    }
    Ok(())
}

/// The sObject an id names: by its key prefix (`00Q` Lead, `003` Contact, `002` Note, `069`
/// ContentNote), else by what the configuration makes.
fn object_of(api: &Api, kind: Erasable, id: &str) -> &'static str {
    let config = api.config();
    match (kind, id.get(..3)) {
        (Erasable::Task, _) => "Task",
        (Erasable::Deal, _) => "Opportunity",
        (Erasable::Note, Some("002")) => "Note",
        (Erasable::Note, Some("069")) => "ContentNote",
        (Erasable::Note, _) if config.note.object == NoteObject::Note => "Note",
        (Erasable::Note, _) => "ContentNote",
        (Erasable::Person, _) => match PersonObject::of_id(id).unwrap_or(config.object) {
            PersonObject::Lead => "Lead",
            PersonObject::Contact => "Contact",
        },
    }
}
