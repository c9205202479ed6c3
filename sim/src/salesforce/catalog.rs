//! The sObjects the simulator knows: fields, key prefixes, required fields, references,
//! restricted picklists, defaults.

use super::ids;
use crate::shared::schema::Schema;

/// One sObject type.
#[derive(Debug)]
pub(crate) struct SObject {
    /// API name (`Lead`).
    pub name: &'static str,
    /// Key prefix of its ids (`00Q`).
    pub prefix: &'static str,
    /// Writable standard fields.
    pub fields: &'static [&'static str],
    /// Fields Salesforce computes (`Name` on Lead/Contact, …).
    pub read_only: &'static [&'static str],
    /// Fields required on create.
    pub required: &'static [&'static str],
    /// Reference fields and the objects they may point to (empty = any).
    pub references: &'static [(&'static str, &'static [&'static str])],
    /// Restricted picklists: field, label, values.
    pub picklists: &'static [(&'static str, &'static str, &'static [&'static str])],
    /// Date fields (`YYYY-MM-DD`).
    pub dates: &'static [&'static str],
    /// Email fields.
    pub emails: &'static [&'static str],
    /// Base64 fields.
    pub base64: &'static [&'static str],
    /// Defaults applied on create.
    pub defaults: &'static [(&'static str, &'static str)],
}

const LEAD_STATUS: &[&str] = &[
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
];
const STAGES: &[&str] = &[
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];
const TASK_STATUS: &[&str] = &[
    "Not Started",
    "In Progress",
    "Completed",
    "Waiting on someone else",
    "Deferred",
];
const PRIORITY: &[&str] = &["High", "Normal", "Low"];

/// Every simulated sObject.
pub(crate) const SOBJECTS: &[SObject] = &[
    SObject {
        name: "Lead",
        prefix: "00Q",
        fields: &[
            "FirstName",
            "LastName",
            "Salutation",
            "Title",
            "Company",
            "Email",
            "Phone",
            "MobilePhone",
            "Website",
            "Description",
            "LeadSource",
            "Status",
            "Industry",
            "Rating",
            "AnnualRevenue",
            "NumberOfEmployees",
            "Street",
            "City",
            "State",
            "PostalCode",
            "Country",
            "OwnerId",
            "HasOptedOutOfEmail",
            "DoNotCall",
        ],
        read_only: &[
            "Name",
            "IsConverted",
            "ConvertedContactId",
            "ConvertedAccountId",
        ],
        required: &["LastName", "Company"],
        references: &[("OwnerId", &["User"])],
        picklists: &[("Status", "Lead Status", LEAD_STATUS)],
        dates: &[],
        emails: &["Email"],
        base64: &[],
        defaults: &[("Status", "Open - Not Contacted")],
    },
    SObject {
        name: "Contact",
        prefix: "003",
        fields: &[
            "FirstName",
            "LastName",
            "Salutation",
            "Title",
            "Department",
            "Email",
            "Phone",
            "MobilePhone",
            "AccountId",
            "Description",
            "LeadSource",
            "OwnerId",
            "MailingStreet",
            "MailingCity",
            "MailingState",
            "MailingPostalCode",
            "MailingCountry",
            "HasOptedOutOfEmail",
            "DoNotCall",
            "Birthdate",
        ],
        read_only: &["Name"],
        required: &["LastName"],
        references: &[("AccountId", &["Account"]), ("OwnerId", &["User"])],
        picklists: &[],
        dates: &["Birthdate"],
        emails: &["Email"],
        base64: &[],
        defaults: &[],
    },
    SObject {
        name: "Account",
        prefix: "001",
        fields: &[
            "Name",
            "Type",
            "Industry",
            "Website",
            "Phone",
            "Description",
            "NumberOfEmployees",
            "AnnualRevenue",
            "BillingStreet",
            "BillingCity",
            "BillingState",
            "BillingPostalCode",
            "BillingCountry",
            "OwnerId",
        ],
        read_only: &[],
        required: &["Name"],
        references: &[("OwnerId", &["User"])],
        picklists: &[],
        dates: &[],
        emails: &[],
        base64: &[],
        defaults: &[],
    },
    SObject {
        name: "Opportunity",
        prefix: "006",
        fields: &[
            "Name",
            "StageName",
            "CloseDate",
            "AccountId",
            "ContactId",
            "Amount",
            "Probability",
            "Description",
            "LeadSource",
            "Type",
            "NextStep",
            "OwnerId",
        ],
        read_only: &["IsClosed", "IsWon"],
        required: &["Name", "StageName", "CloseDate"],
        references: &[
            ("AccountId", &["Account"]),
            ("ContactId", &["Contact"]),
            ("OwnerId", &["User"]),
        ],
        picklists: &[("StageName", "Stage", STAGES)],
        dates: &["CloseDate"],
        emails: &[],
        base64: &[],
        defaults: &[],
    },
    SObject {
        name: "OpportunityContactRole",
        prefix: "00K",
        fields: &["OpportunityId", "ContactId", "IsPrimary", "Role"],
        read_only: &[],
        required: &["OpportunityId", "ContactId"],
        references: &[
            ("OpportunityId", &["Opportunity"]),
            ("ContactId", &["Contact"]),
        ],
        picklists: &[],
        dates: &[],
        emails: &[],
        base64: &[],
        defaults: &[],
    },
    SObject {
        name: "Task",
        prefix: "00T",
        fields: &[
            "Subject",
            "WhoId",
            "WhatId",
            "ActivityDate",
            "Status",
            "Priority",
            "Description",
            "OwnerId",
            "Type",
            "TaskSubtype",
            "IsReminderSet",
            "ReminderDateTime",
        ],
        read_only: &["IsClosed"],
        required: &[],
        references: &[
            ("WhoId", &["Lead", "Contact"]),
            ("WhatId", &["Account", "Opportunity"]),
            ("OwnerId", &["User"]),
        ],
        picklists: &[
            ("Status", "Status", TASK_STATUS),
            ("Priority", "Priority", PRIORITY),
        ],
        dates: &["ActivityDate"],
        emails: &[],
        base64: &[],
        defaults: &[("Status", "Not Started"), ("Priority", "Normal")],
    },
    SObject {
        name: "Note",
        prefix: "002",
        fields: &["ParentId", "Title", "Body", "IsPrivate", "OwnerId"],
        read_only: &[],
        required: &["ParentId", "Title"],
        references: &[("ParentId", &[]), ("OwnerId", &["User"])],
        picklists: &[],
        dates: &[],
        emails: &[],
        base64: &[],
        defaults: &[],
    },
    SObject {
        name: "ContentNote",
        prefix: "069",
        fields: &["Title", "Content", "OwnerId"],
        read_only: &["TextPreview", "FileType"],
        required: &["Title"],
        references: &[("OwnerId", &["User"])],
        picklists: &[],
        dates: &[],
        emails: &[],
        base64: &["Content"],
        defaults: &[],
    },
    SObject {
        name: "ContentDocumentLink",
        prefix: "06A",
        fields: &[
            "ContentDocumentId",
            "LinkedEntityId",
            "ShareType",
            "Visibility",
        ],
        read_only: &[],
        required: &["ContentDocumentId", "LinkedEntityId"],
        references: &[
            ("ContentDocumentId", &["ContentNote"]),
            ("LinkedEntityId", &[]),
        ],
        picklists: &[
            ("ShareType", "Share Type", &["V", "C", "I"]),
            (
                "Visibility",
                "Visibility",
                &["AllUsers", "InternalUsers", "SharedUsers"],
            ),
        ],
        dates: &[],
        emails: &[],
        base64: &[],
        defaults: &[("ShareType", "V"), ("Visibility", "AllUsers")],
    },
];

/// Fields every sObject has and nobody writes.
pub(crate) const SYSTEM_FIELDS: &[&str] = &[
    "Id",
    "IsDeleted",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
];

/// Key prefix of users (owners).
pub(crate) const USER_PREFIX: &str = "005";

/// The sObject with this API name (case-insensitive).
pub(crate) fn sobject(name: &str) -> Option<&'static SObject> {
    SOBJECTS.iter().find(|o| o.name.eq_ignore_ascii_case(name))
}

/// The sObject an id belongs to, by key prefix (`User` for owners).
pub(crate) fn object_of(id: &str) -> Option<&'static str> {
    let prefix = ids::prefix(id);
    if prefix == USER_PREFIX {
        return Some("User");
    }
    SOBJECTS.iter().find(|o| o.prefix == prefix).map(|o| o.name)
}

/// The standard field catalogue (case-insensitive, like Salesforce field names).
pub(crate) fn standard_schema() -> Schema {
    let mut schema = Schema::new(true);
    for object in SOBJECTS {
        let all: Vec<&str> = SYSTEM_FIELDS
            .iter()
            .chain(object.fields)
            .chain(object.read_only)
            .copied()
            .collect();
        schema.define(object.name, &all);
    }
    schema
}
