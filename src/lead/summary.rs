//! How a lead reads to a sales rep in one line, and the key its jobs are serialised by. Used by
//! the CRM note, the Slack alert and the outbox.

use std::fmt::Write as _;

use super::{Lead, Score};

/// The key one person's jobs are serialised by: their email, else their phone.
pub fn person_key(lead: &Lead) -> Option<String> {
    lead.email
        .as_ref()
        .map(|e| e.as_str().to_owned())
        .or_else(|| lead.phone.as_ref().map(|p| p.as_str().to_owned()))
}

/// The lead's name for titles: full name, else company, else email or phone.
pub fn display_name(lead: &Lead) -> String {
    if let Some(n) = &lead.name {
        return n.to_string();
    }
    if let Some(c) = &lead.company {
        return c.to_string();
    }
    person_key(lead).unwrap_or_else(|| "Website visitor".to_owned())
}

/// One line a sales rep reads first: who, what budget, when, whether they decide.
pub fn summary(lead: &Lead, score: &Score) -> String {
    let mut parts = vec![display_name(lead)];
    if let (Some(t), true) = (&lead.job_title, lead.name.is_some()) {
        parts.push(t.to_string());
    }
    if let (Some(c), true) = (&lead.company, lead.name.is_some()) {
        parts.push(format!("at {c}"));
    }
    let mut line = parts.join(", ");
    let mut facts = Vec::new();
    if let Some(b) = lead.budget {
        facts.push(format!("budget {b}"));
    }
    if let Some(t) = lead.timeline_days {
        facts.push(if t.days() == 0 {
            "wants to start now".to_owned()
        } else {
            format!("starts in {} days", t.days())
        });
    }
    match lead.decision_maker {
        Some(true) => facts.push("decides".to_owned()),
        Some(false) => facts.push("someone else decides".to_owned()),
        None => {}
    }
    if !lead.competitors.is_empty() {
        facts.push(format!("compares {}", lead.competitors.join(", ")));
    }
    if !facts.is_empty() {
        line.push_str(" — ");
        line.push_str(&facts.join(", "));
    }
    let _ = write!(line, " (score {})", score.total);
    line
}
