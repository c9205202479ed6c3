//! What a sales alert says: built from the lead and its score, and the digest of facts whose
//! change is worth a follow-up in the alert's thread.

use crate::lead::{Lead, LeadJson, Score, display_name, summary};

/// What an alert says.
#[derive(Debug, Clone, Default)]
pub struct Alert {
    pub site: String,
    pub site_name: String,
    pub name: String,
    pub company: Option<String>,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub score: u32,
    /// "+20 budget 20000–30000 PLN" lines.
    pub breakdown: Vec<String>,
    pub budget: Option<String>,
    pub timeline: Option<String>,
    /// What the visitor asked for and when: "call (Thursday afternoon)".
    pub request: Option<String>,
    /// Questions the assistant could not answer.
    pub open_questions: Vec<String>,
    pub channel: String,
    pub summary: String,
    /// "Open in HubSpot" and its link, when the CRM record exists.
    pub crm_button: Option<(String, String)>,
    pub conversation_id: String,
    /// Set for a follow-up: what changed.
    pub update: Option<String>,
    /// What reps did with it, shown on the alert and deciding its buttons.
    pub state: HandoffState,
    /// The transcript page for the rep, when the gateway has a public URL.
    pub transcript_url: Option<String>,
}

/// Where a lead stands with the sales team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandoffState {
    /// Buttons are shown (the alerter can hear the clicks).
    pub interactive: bool,
    /// The Slack id of the rep who claimed it.
    pub claimed_by: Option<String>,
    /// A rep marked it as not a lead.
    pub not_a_lead: bool,
    /// A rep is talking to the visitor; the assistant is quiet.
    pub held: bool,
    /// The deal as the CRM last reported it ("Closed won, 12000 GBP").
    pub outcome: Option<String>,
}

/// Button action ids: what a click on an alert asks for.
pub mod actions {
    pub const CLAIM: &str = "claim";
    pub const NOT_A_LEAD: &str = "not_a_lead";
    pub const HAND_BACK: &str = "hand_back";
    pub const TRANSCRIPT: &str = "open_transcript";
    pub const CRM: &str = "open_crm";
}

/// Where a lead came from, as the alert names it.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub site_key: &'a str,
    pub site_name: &'a str,
    pub channel: &'a str,
    pub conversation_id: &'a str,
}

impl Alert {
    /// The alert for a lead with this score; `crm` is the CRM's name and the link to the
    /// person's record there, once it exists.
    pub fn of(
        origin: Origin<'_>,
        lead: &Lead,
        score: &Score,
        crm: Option<(&str, String)>,
    ) -> Alert {
        Alert {
            site: origin.site_key.to_owned(),
            site_name: origin.site_name.to_owned(),
            name: display_name(lead),
            company: lead.company.as_ref().map(ToString::to_string),
            role: lead.job_title.as_ref().map(ToString::to_string),
            email: lead.email.as_ref().map(ToString::to_string),
            phone: lead.phone.as_ref().map(ToString::to_string),
            score: score.total,
            breakdown: score
                .breakdown
                .iter()
                .map(|i| format!("+{} {}", i.points, i.reason))
                .collect(),
            budget: lead.budget.map(|b| b.to_string()),
            timeline: lead.timeline_days.map(|t| {
                if t.days() == 0 {
                    "now".to_owned()
                } else {
                    format!("in {} days", t.days())
                }
            }),
            request: lead.request.as_ref().map(ToString::to_string),
            open_questions: lead.open_questions.clone(),
            channel: origin.channel.to_owned(),
            summary: summary(lead, score),
            crm_button: crm.map(|(label, url)| (format!("Open in {label}"), url)),
            conversation_id: origin.conversation_id.to_owned(),
            update: None,
            state: HandoffState::default(),
            transcript_url: None,
        }
    }
}

/// The facts whose change is worth a follow-up, one `name=value` per line.
pub fn digest(lead: &Lead, score: u32) -> String {
    let json = serde_json::to_value(LeadJson::from(lead)).unwrap_or_default();
    let mut lines = vec![format!("score={score}")];
    for key in [
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "budget",
        "timeline_days",
        "decision_maker",
    ] {
        lines.push(format!("{key}={}", json[key]));
    }
    lines.join("\n")
}

/// Names of the facts that differ between two digests.
pub fn changed_fields(old: &str, new: &str) -> Vec<String> {
    let old: std::collections::HashMap<&str, &str> =
        old.lines().filter_map(|l| l.split_once('=')).collect();
    new.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, v)| old.get(k) != Some(v))
        .map(|(k, _)| k.replace('_', " "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn material_changes_are_named() {
        let lead = Lead::default();
        let a = digest(&lead, 50);
        let b = digest(
            &Lead {
                decision_maker: Some(true),
                ..Lead::default()
            },
            75,
        );
        assert_eq!(changed_fields(&a, &b), vec!["score", "decision maker"]);
        assert!(changed_fields(&a, &a).is_empty());
    }
}
