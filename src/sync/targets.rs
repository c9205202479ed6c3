//! The connectors the configuration asks for.

use std::sync::Arc;

use super::CustomFieldNames;
use crate::config::Config;
use crate::crm::{CrmApi, CrmKind};

/// A built connector and where leadgate's own fields live in its CRM.
pub struct Built {
    pub kind: CrmKind,
    pub api: Arc<dyn CrmApi>,
    pub names: CustomFieldNames,
}

/// One connector per CRM that a site sends leads to. A connector that cannot be built (a key
/// file that cannot be read) stops start-up with a message naming the CRM.
pub fn connectors(config: &Config) -> Result<Vec<Built>, String> {
    let used = |kind: CrmKind| config.sites.iter().any(|s| s.crm == kind);
    let crm = &config.crm;
    let mut out = Vec::new();
    let mut add = |kind: CrmKind,
                   api: Result<Arc<dyn CrmApi>, crate::outbound::InvalidKey>,
                   names: CustomFieldNames| {
        let api = api.map_err(|e| format!("crm.{}: {e}", kind.name()))?;
        out.push(Built { kind, api, names });
        Ok::<_, String>(())
    };
    if let Some(c) = crm.hubspot.as_ref().filter(|_| used(CrmKind::Hubspot)) {
        let api = crate::crm::hubspot::Connector::new(c).map(|a| Arc::new(a) as Arc<dyn CrmApi>);
        add(
            CrmKind::Hubspot,
            api,
            CustomFieldNames {
                person: c.fields.clone(),
                deal: c.deal_fields.clone(),
            },
        )?;
    }
    if let Some(c) = crm.pipedrive.as_ref().filter(|_| used(CrmKind::Pipedrive)) {
        let api = crate::crm::pipedrive::Connector::new(c).map(|a| Arc::new(a) as Arc<dyn CrmApi>);
        add(
            CrmKind::Pipedrive,
            api,
            CustomFieldNames {
                person: c.fields.clone(),
                deal: c.deal_fields.clone(),
            },
        )?;
    }
    if let Some(c) = crm
        .salesforce
        .as_ref()
        .filter(|_| used(CrmKind::Salesforce))
    {
        let api = crate::crm::salesforce::Connector::new(c).map(|a| Arc::new(a) as Arc<dyn CrmApi>);
        add(
            CrmKind::Salesforce,
            api,
            CustomFieldNames {
                person: c.fields.clone(),
                deal: c.opportunity.fields.clone(),
            },
        )?;
    }
    if let Some(c) = crm.zoho.as_ref().filter(|_| used(CrmKind::Zoho)) {
        let api = crate::crm::zoho::Connector::new(c).map(|a| Arc::new(a) as Arc<dyn CrmApi>);
        add(
            CrmKind::Zoho,
            api,
            CustomFieldNames {
                person: c.fields.clone(),
                deal: c.deal.fields.clone(),
            },
        )?;
    }
    Ok(out)
}
