//! The lead record's JSON shape (`../contracts/lead-record.md`): what `leadgate extract` prints,
//! what the store keeps and what the CRM note and the Slack alert read.

use serde::{Deserialize, Serialize};

use super::budget::BudgetParts;
use super::{
    Budget, Company, CompanySize, Email, Field, JobTitle, Lang, Lead, PersonName, PhoneE164,
    Request, RequestKind, Timeline,
};

/// The lead as JSON: flat first and last name, every field nullable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadJson {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub budget: Option<BudgetParts>,
    pub timeline_days: Option<u32>,
    pub decision_maker: Option<bool>,
    pub company_size: Option<u32>,
    #[serde(default)]
    pub competitors: Vec<String>,
    #[serde(default)]
    pub questions: u32,
    #[serde(default)]
    pub is_test: bool,
    /// What the visitor asked for: `call`, `demo`, `quote` or `human`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestKind>,
    /// The time the visitor asked for, as written ("Thursday afternoon").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_when: Option<String>,
    /// Fields read with low confidence, not yet confirmed by the visitor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfirmed: Vec<Field>,
    /// Questions the assistant could not answer, for the rep.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<String>,
}

/// How many open questions a lead keeps.
pub const MAX_OPEN_QUESTIONS: usize = 20;

/// One output line of `leadgate extract`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadRecord {
    pub id: Option<serde_json::Value>,
    pub lead: LeadJson,
    pub score: u32,
}

impl From<&Lead> for LeadJson {
    fn from(l: &Lead) -> Self {
        LeadJson {
            first_name: l.name.as_ref().map(|n| n.first().to_owned()),
            last_name: l.name.as_ref().and_then(|n| n.last().map(str::to_owned)),
            email: l.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: l.phone.as_ref().map(|p| p.as_str().to_owned()),
            company: l.company.as_ref().map(|c| c.as_str().to_owned()),
            job_title: l.job_title.as_ref().map(|t| t.as_str().to_owned()),
            budget: l.budget.map(BudgetParts::from),
            timeline_days: l.timeline_days.map(Timeline::days),
            decision_maker: l.decision_maker,
            company_size: l.company_size.map(CompanySize::people),
            competitors: l.competitors.clone(),
            questions: l.questions,
            is_test: l.is_test,
            request: l.request.as_ref().map(|r| r.kind),
            request_when: l.request.as_ref().and_then(|r| r.when.clone()),
            unconfirmed: l.unconfirmed.clone(),
            open_questions: l.open_questions.clone(),
        }
    }
}

/// A field of stored or proposed JSON that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// A field's parse result, its error naming the field.
fn field<T, E: std::fmt::Display>(name: &'static str, r: Result<T, E>) -> Result<T, FieldError> {
    r.map_err(|e| FieldError {
        field: name,
        message: e.to_string(),
    })
}

impl LeadJson {
    /// Parses every field again. Stored leads and model proposals come back through here, so a
    /// value that does not parse is refused, never carried along.
    pub fn to_lead(&self) -> Result<Lead, FieldError> {
        let name = match (&self.first_name, &self.last_name) {
            (Some(f), l) => Some(field(
                "first_name",
                PersonName::from_parts(f, l.as_deref()),
            )?),
            (None, Some(_)) => {
                return Err(FieldError {
                    field: "first_name",
                    message: "a last name needs a first name".into(),
                });
            }
            (None, None) => None,
        };
        Ok(Lead {
            name,
            email: field("email", self.email.as_deref().map(Email::parse).transpose())?,
            phone: field(
                "phone",
                self.phone
                    .as_deref()
                    .map(|p| PhoneE164::parse(p, None))
                    .transpose(),
            )?,
            company: field(
                "company",
                self.company.as_deref().map(Company::parse).transpose(),
            )?,
            job_title: field(
                "job_title",
                self.job_title
                    .as_deref()
                    .map(|t| JobTitle::parse(t, Lang::Pl))
                    .transpose(),
            )?,
            budget: field("budget", self.budget.map(Budget::try_from).transpose())?,
            timeline_days: field(
                "timeline_days",
                self.timeline_days
                    .map(|d| Timeline::from_days(i64::from(d)))
                    .transpose(),
            )?,
            decision_maker: self.decision_maker,
            company_size: field(
                "company_size",
                self.company_size
                    .map(|n| CompanySize::try_from(u64::from(n)))
                    .transpose(),
            )?,
            competitors: self.competitors.clone(),
            questions: self.questions,
            is_test: self.is_test,
            request: self.request.map(|kind| Request {
                kind,
                when: self
                    .request_when
                    .as_deref()
                    .map(|w| super::text::truncate(w, 200).to_owned()),
            }),
            unconfirmed: self.unconfirmed.clone(),
            open_questions: self
                .open_questions
                .iter()
                .take(MAX_OPEN_QUESTIONS)
                .map(|q| super::text::truncate(q, 500).to_owned())
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_through_json_re_parses() {
        let json = r#"{"first_name":"Jan","last_name":"Kowalski","email":"jan.kowalski@firma.pl","phone":"+48888784878","company":"Firma Sp. z o.o.","job_title":"CTO","budget":{"min":40000,"max":80000,"currency":"PLN"},"timeline_days":21,"decision_maker":true,"company_size":120,"competitors":["Intercom"],"questions":3,"is_test":false}"#;
        let parsed: LeadJson = serde_json::from_str(json).unwrap();
        let lead = parsed.to_lead().unwrap();
        assert_eq!(serde_json::to_string(&LeadJson::from(&lead)).unwrap(), json);
    }

    #[test]
    fn a_bad_field_is_named() {
        let bad = LeadJson {
            email: Some("not-an-email".into()),
            ..LeadJson::default()
        };
        assert_eq!(bad.to_lead().unwrap_err().field, "email");
        let bad = LeadJson {
            phone: Some("601234567".into()),
            ..LeadJson::default()
        };
        assert_eq!(bad.to_lead().unwrap_err().field, "phone");
        let bad = LeadJson {
            last_name: Some("Kowalski".into()),
            ..LeadJson::default()
        };
        assert_eq!(bad.to_lead().unwrap_err().field, "first_name");
    }
}
