//! Which fields exist on which object, and which of them are unique or external ids. A write
//! naming a field that is not here gets the vendor's "no such field" error.

use std::collections::BTreeMap;

/// A field added to (or a standard field re-declared on) a simulated object: a HubSpot custom
/// property, a Pipedrive custom-field key, a Salesforce custom field, a Zoho field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    /// Object type as the simulator names it (`contacts`, `persons`, `Lead`, `Leads`, …).
    pub object: String,
    /// Field name (HubSpot property name, Pipedrive 40-character key, Salesforce API name
    /// such as `Chat_Lead_Key__c`, Zoho API name).
    pub name: String,
    /// Values must be unique: HubSpot `hasUniqueValue` (usable as upsert `idProperty`),
    /// Salesforce "Unique", Zoho "do not allow duplicate values" (insert → `DUPLICATE_DATA`).
    pub unique: bool,
    /// Salesforce "External ID": usable in `PATCH /sobjects/{Obj}/{field}/{value}` upserts.
    /// Without `unique`, several records may share a value and the upsert answers 300.
    pub external_id: bool,
}

impl FieldDef {
    /// A plain field.
    pub fn new(object: impl Into<String>, name: impl Into<String>) -> Self {
        FieldDef {
            object: object.into(),
            name: name.into(),
            unique: false,
            external_id: false,
        }
    }

    /// Mark the field unique.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Mark the field an external id (Salesforce).
    pub fn external_id(mut self) -> Self {
        self.external_id = true;
        self
    }
}

#[derive(Debug, Clone, Default)]
struct ObjectSchema {
    /// Key (lower-cased when the vendor ignores case) → canonical spelling.
    names: BTreeMap<String, String>,
    unique: Vec<String>,
    external_ids: Vec<String>,
}

/// The field catalogue of one simulator.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    objects: BTreeMap<String, ObjectSchema>,
    ignore_case: bool,
}

impl Schema {
    /// An empty catalogue; `ignore_case` for vendors whose field names are case-insensitive
    /// (Salesforce).
    pub(crate) fn new(ignore_case: bool) -> Self {
        Schema {
            objects: BTreeMap::new(),
            ignore_case,
        }
    }

    fn key(&self, name: &str) -> String {
        if self.ignore_case {
            name.to_ascii_lowercase()
        } else {
            name.to_owned()
        }
    }

    /// Declare an object with its standard fields.
    pub(crate) fn define(&mut self, object: &str, fields: &[&str]) {
        let names = fields
            .iter()
            .map(|field| (self.key(field), (*field).to_owned()))
            .collect();
        self.objects.insert(
            object.to_owned(),
            ObjectSchema {
                names,
                ..ObjectSchema::default()
            },
        );
    }

    /// Add a field, or re-declare an existing one with extra flags. Returns `false` when the
    /// object is unknown.
    pub(crate) fn add(&mut self, def: &FieldDef) -> bool {
        let key = self.key(&def.name);
        let Some(object) = self.objects.get_mut(&def.object) else {
            return false;
        };
        let canonical = object
            .names
            .entry(key)
            .or_insert_with(|| def.name.clone())
            .clone();
        if def.unique && !object.unique.contains(&canonical) {
            object.unique.push(canonical.clone());
        }
        if def.external_id && !object.external_ids.contains(&canonical) {
            object.external_ids.push(canonical);
        }
        true
    }

    /// The canonical spelling of a field, if it exists.
    pub(crate) fn field(&self, object: &str, name: &str) -> Option<&str> {
        let object = self.objects.get(object)?;
        object.names.get(&self.key(name)).map(String::as_str)
    }

    /// Whether the field exists.
    pub(crate) fn has_field(&self, object: &str, name: &str) -> bool {
        self.field(object, name).is_some()
    }

    /// Fields whose values must be unique.
    pub(crate) fn unique_fields(&self, object: &str) -> &[String] {
        self.objects
            .get(object)
            .map(|o| o.unique.as_slice())
            .unwrap_or(&[])
    }

    /// Whether the field is unique.
    pub(crate) fn is_unique(&self, object: &str, name: &str) -> bool {
        self.field(object, name)
            .is_some_and(|field| self.unique_fields(object).iter().any(|u| u == field))
    }

    /// Whether the field is an external id.
    pub(crate) fn is_external_id(&self, object: &str, name: &str) -> bool {
        let Some(field) = self.field(object, name) else {
            return false;
        };
        self.objects
            .get(object)
            .is_some_and(|o| o.external_ids.iter().any(|e| e == field))
    }

    /// Every field of the object, in name order.
    pub(crate) fn fields(&self, object: &str) -> Vec<String> {
        self.objects
            .get(object)
            .map(|o| o.names.values().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_schemas_return_the_canonical_name() {
        let mut schema = Schema::new(true);
        schema.define("Lead", &["Email", "LastName"]);
        assert!(schema.add(&FieldDef::new("Lead", "Chat_Key__c").external_id()));
        assert_eq!(schema.field("Lead", "email"), Some("Email"));
        assert!(schema.is_external_id("Lead", "chat_key__c"));
        assert!(!schema.is_unique("Lead", "Chat_Key__c"));
        assert!(!schema.add(&FieldDef::new("Nope", "x")));
    }

    #[test]
    fn redeclaring_a_standard_field_marks_it_unique() {
        let mut schema = Schema::new(false);
        schema.define("Leads", &["Email"]);
        schema.add(&FieldDef::new("Leads", "Email").unique());
        assert!(schema.is_unique("Leads", "Email"));
        assert!(!schema.has_field("Leads", "email"));
    }
}
