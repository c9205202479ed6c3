//! Zoho CRM modules as the simulator knows them: fields and their data types, mandatory fields,
//! system duplicate-check fields, per-record validation and the JSON form of a record.

use serde_json::{Map, Value, json};

use super::errors::ZError;
use crate::shared::clock;
use crate::shared::schema::Schema;
use crate::shared::store::Record;
use crate::shared::validate::is_email;

/// A field's data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Email,
    Date,
    Number,
    Bool,
    /// A lookup to a record of one of these modules (`{"id": …}`); empty = the module named
    /// by `$se_module`.
    Lookup(&'static [&'static str]),
    /// Anything (multi-selects, owners, `Parent_Id`, …).
    Any,
}

/// One module.
#[derive(Debug)]
pub(crate) struct Module {
    /// API name (`Leads`).
    pub name: &'static str,
    /// Numeric module id reported in lookups.
    pub id: &'static str,
    /// Fields and types.
    pub fields: &'static [(&'static str, Kind)],
    /// Fields required on insert.
    pub mandatory: &'static [&'static str],
    /// System-defined duplicate-check fields used by upsert without `duplicate_check_fields`.
    pub duplicate_check: &'static [&'static str],
}

use Kind::{Any, Bool, Date, Email, Lookup, Number, Text};

/// Every simulated module.
pub(crate) const MODULES: &[Module] = &[
    Module {
        name: "Leads",
        id: "5725767000000002175",
        fields: &[
            ("First_Name", Text),
            ("Last_Name", Text),
            ("Salutation", Text),
            ("Email", Email),
            ("Secondary_Email", Email),
            ("Phone", Text),
            ("Mobile", Text),
            ("Company", Text),
            ("Designation", Text),
            ("Lead_Source", Text),
            ("Lead_Status", Text),
            ("Industry", Text),
            ("Website", Text),
            ("Description", Text),
            ("Street", Text),
            ("City", Text),
            ("State", Text),
            ("Zip_Code", Text),
            ("Country", Text),
            ("No_of_Employees", Number),
            ("Annual_Revenue", Number),
            ("Rating", Text),
            ("Email_Opt_Out", Bool),
            ("Owner", Any),
            ("Tag", Any),
        ],
        mandatory: &["Last_Name"],
        duplicate_check: &["Email"],
    },
    Module {
        name: "Contacts",
        id: "5725767000000002179",
        fields: &[
            ("First_Name", Text),
            ("Last_Name", Text),
            ("Salutation", Text),
            ("Email", Email),
            ("Secondary_Email", Email),
            ("Phone", Text),
            ("Mobile", Text),
            ("Account_Name", Lookup(&["Accounts"])),
            ("Title", Text),
            ("Department", Text),
            ("Lead_Source", Text),
            ("Description", Text),
            ("Mailing_Street", Text),
            ("Mailing_City", Text),
            ("Mailing_State", Text),
            ("Mailing_Zip", Text),
            ("Mailing_Country", Text),
            ("Date_of_Birth", Date),
            ("Email_Opt_Out", Bool),
            ("Owner", Any),
            ("Tag", Any),
        ],
        mandatory: &["Last_Name"],
        duplicate_check: &["Email"],
    },
    Module {
        name: "Accounts",
        id: "5725767000000002177",
        fields: &[
            ("Account_Name", Text),
            ("Website", Text),
            ("Phone", Text),
            ("Industry", Text),
            ("Description", Text),
            ("Employees", Number),
            ("Annual_Revenue", Number),
            ("Account_Type", Text),
            ("Billing_Street", Text),
            ("Billing_City", Text),
            ("Billing_State", Text),
            ("Billing_Code", Text),
            ("Billing_Country", Text),
            ("Owner", Any),
            ("Tag", Any),
        ],
        mandatory: &["Account_Name"],
        duplicate_check: &["Account_Name"],
    },
    Module {
        name: "Deals",
        id: "5725767000000002181",
        fields: &[
            ("Deal_Name", Text),
            ("Stage", Text),
            ("Closing_Date", Date),
            ("Amount", Number),
            ("Account_Name", Lookup(&["Accounts"])),
            ("Contact_Name", Lookup(&["Contacts"])),
            ("Pipeline", Text),
            ("Lead_Source", Text),
            ("Description", Text),
            ("Probability", Number),
            ("Type", Text),
            ("Next_Step", Text),
            ("Owner", Any),
            ("Tag", Any),
        ],
        mandatory: &["Deal_Name", "Stage", "Closing_Date"],
        duplicate_check: &["Deal_Name"],
    },
    Module {
        name: "Notes",
        id: "5725767000000002191",
        fields: &[
            ("Note_Title", Text),
            ("Note_Content", Text),
            ("Parent_Id", Any),
            ("$se_module", Text),
            ("se_module", Text),
            ("Owner", Any),
        ],
        mandatory: &["Note_Content", "Parent_Id"],
        duplicate_check: &[],
    },
    Module {
        name: "Tasks",
        id: "5725767000000002185",
        fields: &[
            ("Subject", Text),
            ("Due_Date", Date),
            ("Status", Text),
            ("Priority", Text),
            ("What_Id", Lookup(&[])),
            ("$se_module", Text),
            ("Who_Id", Lookup(&["Contacts"])),
            ("Description", Text),
            ("Send_Notification_Email", Bool),
            ("Owner", Any),
        ],
        mandatory: &["Subject"],
        duplicate_check: &[],
    },
];

/// The module with this API name (case-insensitive).
pub(crate) fn module(name: &str) -> Option<&'static Module> {
    MODULES.iter().find(|m| m.name.eq_ignore_ascii_case(name))
}

/// The standard field catalogue.
pub(crate) fn standard_schema() -> Schema {
    let mut schema = Schema::new(false);
    for module in MODULES {
        let names: Vec<&str> = module.fields.iter().map(|(name, _)| *name).collect();
        schema.define(module.name, &names);
    }
    schema
}

/// The type of a field (custom fields are free text).
pub(crate) fn kind(module: &Module, field: &str) -> Kind {
    module
        .fields
        .iter()
        .find(|(name, _)| *name == field)
        .map_or(Text, |(_, kind)| *kind)
}

fn empty(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty())
}

/// The id inside a lookup value (`{"id": "…"}`, or a bare id).
pub(crate) fn lookup_id(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => lookup_id(map.get("id")?),
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

/// Validate one record of a write (`index` = its position in `data`), returning the fields
/// to store. `creating` enforces mandatory fields; `id` is never part of the result.
pub(crate) fn clean(
    schema: &Schema,
    module: &Module,
    record: &Value,
    index: usize,
    creating: bool,
    rejected: impl Fn(&Map<String, Value>) -> Option<(String, String)>,
) -> Result<Map<String, Value>, ZError> {
    let Some(input) = record.as_object() else {
        return Err(ZError::new(
            "INVALID_DATA",
            "invalid data",
            json!({"json_path": format!("$.data[{index}]")}),
        ));
    };
    let mut clean = Map::new();
    for (name, value) in input {
        if name == "id" {
            continue;
        }
        if !schema.has_field(module.name, name) {
            return Err(ZError::invalid(name, index, None));
        }
        if !empty(value) {
            let valid = match kind(module, name) {
                Text => value.is_string() || value.is_number(),
                Email => value.as_str().is_some_and(is_email),
                Date => value.as_str().is_some_and(clock::is_date),
                Number => value.is_number(),
                Bool => value.is_boolean(),
                Lookup(_) => lookup_id(value).is_some(),
                Any => true,
            };
            if !valid {
                let expected = match kind(module, name) {
                    Email => Some("email"),
                    Date => Some("date"),
                    Number => Some("double"),
                    Bool => Some("boolean"),
                    Lookup(_) => Some("lookup"),
                    _ => Some("text"),
                };
                return Err(ZError::invalid(name, index, expected));
            }
        }
        clean.insert(name.clone(), value.clone());
    }
    if creating
        && let Some(missing) = module
            .mandatory
            .iter()
            .find(|field| clean.get(**field).is_none_or(empty))
    {
        return Err(ZError::mandatory(missing, index));
    }
    if let Some((field, _)) = rejected(&clean) {
        return Err(ZError::invalid(&field, index, None));
    }
    Ok(clean)
}

/// The simulated CRM user who owns and creates everything: the user the API's OAuth client
/// acts as.
pub(crate) fn owner() -> Value {
    json!({"name": "Leadgate Sim", "id": OWNER_ID, "email": "owner@leadgate.example"})
}

/// The API user's id.
pub(crate) const OWNER_ID: &str = "5725767000000297001";

/// Who last modified a record: as stored, or the API user.
fn modified_by(record: &Record) -> Value {
    record
        .field("Modified_By")
        .filter(|v| v.is_object())
        .cloned()
        .unwrap_or_else(owner)
}

/// `Full_Name` of people.
pub(crate) fn complete(module: &Module, fields: &mut Map<String, Value>) {
    if matches!(module.name, "Leads" | "Contacts") {
        let part = |f: &str| {
            fields
                .get(f)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let full = format!("{} {}", part("First_Name"), part("Last_Name"));
        fields.insert("Full_Name".into(), json!(full.trim()));
    }
    fields.entry("Owner").or_insert_with(owner);
}

/// The display name of a record when another record looks it up.
pub(crate) fn display_name(module: &str, record: &Record) -> Value {
    let field = match module {
        "Accounts" => "Account_Name",
        "Deals" => "Deal_Name",
        "Tasks" => "Subject",
        "Notes" => "Note_Title",
        _ => "Full_Name",
    };
    record.value(field).clone()
}

/// The JSON form of a record.
pub(crate) fn render(record: &Record) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), json!(record.id));
    body.extend(record.fields.clone());
    body.insert(
        "Created_Time".into(),
        json!(clock::seconds_offset(record.created_at)),
    );
    body.insert(
        "Modified_Time".into(),
        json!(clock::seconds_offset(record.updated_at)),
    );
    body.insert("Created_By".into(), owner());
    body.insert("Modified_By".into(), modified_by(record));
    Value::Object(body)
}

/// The `details` of a successful write.
pub(crate) fn success_details(record: &Record) -> Value {
    json!({
        "Modified_Time": clock::seconds_offset(record.updated_at),
        "Modified_By": modified_by(record),
        "Created_Time": clock::seconds_offset(record.created_at),
        "id": record.id,
        "Created_By": owner(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leads() -> &'static Module {
        module("leads").unwrap()
    }

    #[test]
    fn records_are_checked_per_field() {
        let schema = standard_schema();
        let cases = [
            (json!({"First_Name": "Jane"}), "MANDATORY_NOT_FOUND"),
            (
                json!({"Last_Name": "Doe", "Email": "jane@"}),
                "INVALID_DATA",
            ),
            (json!({"Last_Name": "Doe", "Shoe_Size": 9}), "INVALID_DATA"),
            (
                json!({"Last_Name": "Doe", "Annual_Revenue": "lots"}),
                "INVALID_DATA",
            ),
        ];
        for (record, code) in cases {
            let error = clean(&schema, leads(), &record, 2, true, |_| None).unwrap_err();
            assert_eq!(error.code, code, "{record}");
        }
        let error = clean(
            &schema,
            leads(),
            &json!({"Last_Name": "x", "Email": "bad"}),
            2,
            true,
            |_| None,
        )
        .unwrap_err();
        assert_eq!(error.details["json_path"], "$.data[2].Email");
        assert_eq!(error.details["expected_data_type"], "email");
    }

    #[test]
    fn people_get_a_full_name_and_an_owner() {
        let mut fields = Map::new();
        fields.insert("First_Name".into(), json!("Jane"));
        fields.insert("Last_Name".into(), json!("Doe"));
        complete(leads(), &mut fields);
        assert_eq!(fields["Full_Name"], "Jane Doe");
        assert_eq!(fields["Owner"]["name"], "Leadgate Sim");
    }
}
