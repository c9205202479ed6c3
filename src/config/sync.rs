//! `[sync]`, `[crm.*]` and `[alerts]`: where leads go and how.

use serde::{Deserialize, Serialize};

use super::{ConfigError, key_error};
use crate::alerts::SlackConfig;
use crate::crm::CrmKind;

/// What a lead needs before it is first sent to a CRM.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MinFields {
    #[default]
    EmailOrPhone,
    Email,
    Phone,
    EmailAndPhone,
}

/// `[sync]`: how leads travel to the CRMs through the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// What a lead needs before its first sync.
    pub min_fields: MinFields,
    /// Hours until the follow-up task is due.
    pub task_due_hours: u32,
    /// Attempts before a failing job is dead-lettered.
    pub max_attempts: u32,
    /// First retry delay in seconds; it doubles per attempt, with jitter.
    pub backoff_base_secs: u64,
    /// Longest delay between retries in seconds.
    pub backoff_max_secs: u64,
    /// A CRM's `Retry-After` is honoured up to this many seconds.
    pub retry_after_max_secs: u64,
    /// Jobs one worker claims at once; with a backlog, CRMs with batch endpoints get them together.
    pub batch_size: u32,
    /// Seconds a claimed job stays locked to its worker without news from it; a live worker
    /// extends the lock every third of it, a crashed one's jobs are taken over after it.
    pub lock_secs: u64,
    /// Milliseconds between checks for due jobs when nothing wakes the worker.
    pub poll_ms: u64,
    /// Messages of the conversation quoted in the CRM note.
    pub transcript_messages: usize,
    /// The lead source written to the CRM.
    pub lead_source: String,
    /// Which CRM values a lead may overwrite: `default` and per field.
    pub overwrite: crate::crm::progressive::OverwritePolicy,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            min_fields: MinFields::EmailOrPhone,
            task_due_hours: 24,
            max_attempts: 12,
            backoff_base_secs: 2,
            backoff_max_secs: 900,
            retry_after_max_secs: 3600,
            batch_size: 50,
            lock_secs: 30,
            poll_ms: 500,
            transcript_messages: 20,
            lead_source: "leadgate chat".to_owned(),
            overwrite: crate::crm::progressive::OverwritePolicy::default(),
        }
    }
}

/// `[crm.*]`: the CRMs sites send leads to, one section each.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrmConfigs {
    pub hubspot: Option<crate::crm::hubspot::Config>,
    pub pipedrive: Option<crate::crm::pipedrive::Config>,
    pub salesforce: Option<crate::crm::salesforce::Config>,
    pub zoho: Option<crate::crm::zoho::Config>,
}

impl CrmConfigs {
    /// Checks each configured CRM; an error names the key, e.g. `crm.zoho.accounts_url`.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let checks = [
            ("hubspot", self.hubspot.as_ref().map(|c| c.validate())),
            ("pipedrive", self.pipedrive.as_ref().map(|c| c.validate())),
            ("salesforce", self.salesforce.as_ref().map(|c| c.validate())),
            ("zoho", self.zoho.as_ref().map(|c| c.validate())),
        ];
        for (name, result) in checks {
            if let Some(Err(e)) = result {
                return Err(key_error(format!("crm.{name}.{}", e.key), e.message));
            }
        }
        Ok(())
    }

    /// Whether `[crm.<kind>]` is present.
    pub(super) fn has(&self, kind: CrmKind) -> bool {
        match kind {
            CrmKind::None => true,
            CrmKind::Hubspot => self.hubspot.is_some(),
            CrmKind::Pipedrive => self.pipedrive.is_some(),
            CrmKind::Salesforce => self.salesforce.is_some(),
            CrmKind::Zoho => self.zoho.is_some(),
        }
    }
}

/// `[alerts]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    pub slack: Option<SlackConfig>,
}
