//! Erasing a visitor in Zoho CRM: `DELETE /crm/v8/{module}/{id}` for the Task, the Note, the
//! Deal and the Lead or Contact, each answered `{"data":[{"code":"SUCCESS",…}]}`
//! (<https://www.zoho.com/crm/developer/docs/api/v8/delete-records.html>). An id that no longer
//! exists answers 400 `INVALID_DATA` on `id`: deleted already. Deleted records stay in the
//! org's Recycle Bin for 60 days.

use reqwest::Method;

use super::client::Api;
use crate::crm::kit::erase::{Erasable, gone, in_order};
use crate::crm::model::CrmLinks;
use crate::outbound::CallError;

pub async fn erase(api: &Api, links: &CrmLinks) -> Result<(), CallError> {
    for (kind, id) in in_order(links) {
        let module = match kind {
            Erasable::Task => "Tasks",
            Erasable::Note => "Notes",
            Erasable::Deal => "Deals",
            Erasable::Person => api.config().module.name(),
        };
        gone(delete(api, module, id).await)?;
    }
    Ok(())
}

async fn delete(api: &Api, module: &str, id: &str) -> Result<(), CallError> {
    let answer = api.call(Method::DELETE, &[module, id], &[], None).await?;
    let item = &answer.body["data"][0];
    match item["code"].as_str() {
        Some("SUCCESS") => Ok(()),
        Some("INVALID_DATA") if item["details"]["api_name"] == "id" => {
            Err(CallError::not_found(format!("no {module} record {id}")))
        }
        _ => Err(CallError::permanent(format!(
            "Zoho did not delete the {module} record: {}",
            answer.body
        ))),
    }
}
