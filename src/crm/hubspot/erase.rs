//! Erasing a visitor in HubSpot. The contact goes through the GDPR delete
//! (`POST /crm/v3/objects/contacts/gdpr-delete` with `objectId`, answered 204: "permanently
//! delete a contact and all associated content to follow GDPR",
//! <https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/basic/post-crm-v3-objects-contacts-gdpr-delete>),
//! which also blocks the email from being tracked again; the task, note and deal are archived
//! (`DELETE /crm/v3/objects/{type}/{id}`, 204), which HubSpot keeps restorable for 90 days.

use reqwest::Method;
use serde_json::json;

use super::Connector;
use super::single::path;
use crate::crm::kit::erase::{Erasable, gone, in_order};
use crate::crm::model::CrmLinks;
use crate::outbound::CallError;

impl Connector {
    pub(super) async fn erase_records(&self, links: &CrmLinks) -> Result<(), CallError> {
        for (kind, id) in in_order(links) {
            let done = match kind {
                Erasable::Person => {
                    let body = json!({ "objectId": id });
                    self.api
                        .post(
                            "gdpr delete contact",
                            &path("contacts", &["gdpr-delete"]),
                            &body,
                        )
                        .await
                }
                other => {
                    let object = match other {
                        Erasable::Task => "tasks",
                        Erasable::Note => "notes",
                        _ => "deals",
                    };
                    let url = self.api.url(&path(object, &[id]));
                    self.api.call("archive", Method::DELETE, url, None).await
                }
            };
            gone(done)?;
        }
        Ok(())
    }
}
