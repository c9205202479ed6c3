//! The parts of `[crm.salesforce]` about what gets written: leadgate's custom fields and the
//! opportunity, note and task settings.

use serde::{Deserialize, Serialize};

pub use crate::crm::model::CustomFields;

/// Where the conversation's note goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum NoteObject {
    /// An enhanced note (`ContentNote`) shared with the person and the opportunity through
    /// `ContentDocumentLink`s: what Lightning shows.
    #[default]
    ContentNote,
    /// A classic `Note` on the person (body cut to 32,000 characters).
    Note,
}

/// `[crm.salesforce.opportunity]`: the opportunity of a qualified lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpportunityConfig {
    /// `StageName` of new opportunities (a value of the org's Stage picklist).
    pub stage_name: String,
    /// `CloseDate` is this many days after creation.
    pub close_days: u32,
    /// `Role` of the `OpportunityContactRole` linking a Contact (left empty when unset).
    pub contact_role: Option<String>,
    /// Send the lead's currency as `CurrencyIsoCode` (only in multi-currency orgs).
    pub multi_currency: bool,
    /// leadgate's own fields on the opportunity.
    pub fields: CustomFields,
}

impl Default for OpportunityConfig {
    fn default() -> Self {
        OpportunityConfig {
            stage_name: "Prospecting".to_owned(),
            close_days: 30,
            contact_role: None,
            multi_currency: false,
            fields: CustomFields::default(),
        }
    }
}

/// `[crm.salesforce.note]`: the conversation's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoteConfig {
    /// `ContentNote` (enhanced notes, the default) or `Note` (classic).
    pub object: NoteObject,
    /// The note's title.
    pub title: String,
}

impl Default for NoteConfig {
    fn default() -> Self {
        NoteConfig {
            object: NoteObject::ContentNote,
            title: "Chat conversation".to_owned(),
        }
    }
}

/// `[crm.salesforce.task]`: the follow-up task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskConfig {
    /// `Status` of the new task.
    pub status: String,
    /// `Priority`: `High`, `Normal` or `Low`.
    pub priority: String,
    /// Set a reminder at the due time (`IsReminderSet`, `ReminderDateTime`).
    pub reminder: bool,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            status: "Not Started".to_owned(),
            priority: "Normal".to_owned(),
            reminder: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_values_only_for_named_fields() {
        let fields = CustomFields {
            score: Some("Chat_Score__c".into()),
            channel: Some("Chat_Channel__c".into()),
            ..CustomFields::default()
        };
        let values = fields.values(Some(70), Some("site"), None, Some("https://x"));
        assert_eq!(values.len(), 1);
        assert_eq!(values["Chat_Score__c"], 70);
    }
}
