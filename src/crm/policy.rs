//! Which of a lead's values may be written over what the CRM holds: per field, fill only empty
//! fields (the default), always write, or never; an update never blanks a value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{Field, PersonFields, PersonRecord};

/// When a lead's value may replace a value the CRM already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Overwrite {
    /// Only fill a field the CRM has empty (the default: a rep's edits win).
    #[default]
    FillEmpty,
    /// Always write the lead's value (for fields leadgate owns, like the score).
    Always,
    /// Never write the field.
    Never,
}

/// Per-field overwrite policy: `[sync.overwrite] default = "fill_empty", job_title = "always"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OverwritePolicy {
    pub default: Overwrite,
    /// Custom fields leadgate owns (score, source, channel, link) are always rewritten.
    pub custom: Overwrite,
    #[serde(flatten)]
    pub fields: BTreeMap<String, Overwrite>,
}

impl Default for OverwritePolicy {
    fn default() -> Self {
        OverwritePolicy {
            default: Overwrite::FillEmpty,
            custom: Overwrite::Always,
            fields: BTreeMap::new(),
        }
    }
}

impl OverwritePolicy {
    fn for_field(&self, field: &Field) -> Overwrite {
        if let Some(o) = self.fields.get(field.policy_name()) {
            return *o;
        }
        match field {
            Field::Custom(_) => self.custom,
            // A claim in Slack names the owner; the CRM always has one, so filling only an
            // empty owner would never write it.
            Field::Owner => Overwrite::Always,
            _ => self.default,
        }
    }

    /// The fields to send to a person the CRM already has: those whose value differs and that
    /// the policy lets us write. A value equal to the CRM's (compared without case for email)
    /// is not sent again.
    pub fn changes(&self, current: &PersonRecord, desired: &PersonFields) -> PersonFields {
        let keep: Vec<Field> = desired
            .values()
            .into_iter()
            .filter(|(field, value)| {
                let existing = current
                    .values
                    .get(field)
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty());
                let same = existing.is_some_and(|e| e.eq_ignore_ascii_case(value));
                !same
                    && match self.for_field(field) {
                        Overwrite::Always => true,
                        Overwrite::FillEmpty => existing.is_none(),
                        Overwrite::Never => false,
                    }
            })
            .map(|(field, _)| field)
            .collect();
        desired.only(&keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::Email;

    fn record(values: &[(Field, &str)]) -> PersonRecord {
        PersonRecord {
            id: "1".into(),
            values: values
                .iter()
                .map(|(f, v)| (f.clone(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn fill_empty_never_overwrites_and_never_blanks() {
        let policy = OverwritePolicy::default();
        let desired = PersonFields {
            email: Some(Email::parse("a@b.pl").unwrap()),
            first_name: Some("Anna".into()),
            company: Some("Firma".into()),
            job_title: None,
            custom: [("leadgate_score".to_owned(), serde_json::json!(60))].into(),
            ..PersonFields::default()
        };
        let current = record(&[
            (Field::Email, "A@B.pl"),
            (Field::FirstName, "Anne"),
            (Field::JobTitle, "CEO"),
            (Field::Custom("leadgate_score".into()), "40"),
        ]);
        let changes = policy.changes(&current, &desired);
        assert_eq!(
            changes.email, None,
            "same email in another case is not resent"
        );
        assert_eq!(changes.first_name, None, "a rep's value wins");
        assert_eq!(
            changes.company.as_deref(),
            Some("Firma"),
            "empty fields are filled"
        );
        assert_eq!(changes.job_title, None, "nothing is blanked");
        assert_eq!(
            changes.custom["leadgate_score"], 60,
            "owned fields are kept current"
        );
    }

    #[test]
    fn per_field_policy() {
        let policy: OverwritePolicy = toml::from_str(
            "default = \"fill_empty\"\nfirst_name = \"always\"\ncompany = \"never\"",
        )
        .unwrap();
        let desired = PersonFields {
            first_name: Some("Anna".into()),
            company: Some("Firma".into()),
            ..PersonFields::default()
        };
        let changes = policy.changes(&record(&[(Field::FirstName, "Anne")]), &desired);
        assert_eq!(changes.first_name.as_deref(), Some("Anna"));
        assert_eq!(changes.company, None);
    }
}
