//! The lead engine: parsed field types, multilingual extraction, test/junk detection and scoring.
//! Pure code: no I/O, no async, fast and fuzzable.

pub mod budget;
pub mod company;
pub mod company_size;
pub mod conversation;
pub mod email;
pub mod extract;
pub mod job_title;
pub mod junk;
pub mod language;
mod lexicon;
pub mod locale;
pub mod name;
pub mod phone;
pub mod record;
pub mod request;
pub mod score;
pub mod summary;
pub mod text;
pub mod timeline;

pub use budget::{Budget, BudgetError, Currency};
pub use company::{Company, CompanyError};
pub use company_size::{CompanySize, CompanySizeError};
pub use conversation::{Channel, ContactMeta, Conversation, Message, Role};
pub use email::{Email, EmailError};
pub use extract::{Extraction, Extractor, Source, Sources};
pub use job_title::{JobTitle, JobTitleError};
pub use locale::{Lang, Region};
pub use name::{NameError, PersonName};
pub use phone::{PhoneE164, PhoneError};
pub use record::{LeadJson, LeadRecord};
pub use request::{Request, RequestKind};
pub use score::{Score, ScoreItem, ScoringRules, Weights};
pub use summary::{display_name, person_key, summary};
pub use timeline::{Timeline, TimelineError};

/// A lead: every field parsed, so an invalid value cannot travel further.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lead {
    pub name: Option<PersonName>,
    pub email: Option<Email>,
    pub phone: Option<PhoneE164>,
    pub company: Option<Company>,
    pub job_title: Option<JobTitle>,
    pub budget: Option<Budget>,
    pub timeline_days: Option<Timeline>,
    pub decision_maker: Option<bool>,
    pub company_size: Option<CompanySize>,
    /// Configured competitors the visitor mentioned, in configured spelling.
    pub competitors: Vec<String>,
    /// How many visitor messages asked something.
    pub questions: u32,
    /// An obvious test or junk entry: kept, never synced.
    pub is_test: bool,
    /// What the visitor asked sales for (a call, a demo, a quote, a human), and when.
    pub request: Option<Request>,
    /// Fields read with low confidence that the visitor has not confirmed yet: they are not
    /// scored or synced until they are.
    pub unconfirmed: Vec<Field>,
    /// Questions the assistant could not answer, left for the rep (newest last).
    pub open_questions: Vec<String>,
}

/// A lead field that can wait for the visitor's confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Budget,
}

impl Lead {
    /// The lead without the values still waiting for the visitor's confirmation: what is scored
    /// and synced.
    pub fn confirmed(&self) -> Lead {
        let mut lead = self.clone();
        for field in std::mem::take(&mut lead.unconfirmed) {
            match field {
                Field::Budget => lead.budget = None,
            }
        }
        lead
    }
}
