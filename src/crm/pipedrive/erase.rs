//! Erasing a visitor in Pipedrive: `DELETE /api/v2/activities/{id}`, `DELETE /api/v1/notes/{id}`,
//! `DELETE /api/v2/deals/{id}` and `DELETE /api/v2/persons/{id}` (each answering
//! `{"success":true,"data":{"id":…}}`; <https://developers.pipedrive.com/docs/api/v1/Persons#deletePerson>
//! and the v2 pages of each). Pipedrive marks persons and deals deleted and removes them for good
//! after 30 days.

use reqwest::Method;

use super::Connector;
use super::client::Version;
use crate::crm::kit::erase::{Erasable, gone, in_order};
use crate::crm::model::CrmLinks;
use crate::outbound::CallError;

impl Connector {
    pub(super) async fn erase_records(&self, links: &CrmLinks) -> Result<(), CallError> {
        for (kind, id) in in_order(links) {
            let (version, collection) = match kind {
                Erasable::Task => (Version::V2, "activities"),
                Erasable::Note => (Version::V1, "notes"),
                Erasable::Deal => (Version::V2, "deals"),
                Erasable::Person => (Version::V2, "persons"),
            };
            let done = self
                .api
                .call(
                    "delete",
                    Method::DELETE,
                    version,
                    &[collection, id],
                    &[],
                    None,
                )
                .await;
            gone(done)?;
        }
        Ok(())
    }
}
