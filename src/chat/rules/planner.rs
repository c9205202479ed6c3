//! What the rule engine asks next: the most valuable field still missing, never one refused,
//! asked too often or just asked; and whether the visitor declines.

use crate::chat::engine::{Ask, EngineState};
use crate::lead::Lead;

/// Phrases a visitor uses to decline a question.
const REFUSALS: &[&str] = &[
    "no",
    "nope",
    "rather not",
    "prefer not",
    "not now",
    "skip",
    "no thanks",
    "don't want",
    "i'd rather not",
    "nie",
    "wolę nie",
    "nie chcę",
    "nie teraz",
    "pomiń",
    "nein",
    "lieber nicht",
    "möchte ich nicht",
    "nicht jetzt",
    "nö",
    "prefiero no",
    "no quiero",
    "ahora no",
    "non",
    "je préfère pas",
    "je préfère ne pas",
    "pas maintenant",
    "plutôt pas",
    "sans façon",
];

/// How many times one question may be asked in a whole conversation.
const MAX_ASKS: usize = 2;

/// Whether the visitor declines: a short message that starts with a refusal.
pub(super) fn is_refusal(lower: &str) -> bool {
    let trimmed = lower.trim().trim_end_matches(['.', '!']);
    if trimmed.split_whitespace().count() > 6 {
        return false;
    }
    REFUSALS.iter().any(|r| {
        trimmed == *r
            || trimmed
                .strip_prefix(r)
                .is_some_and(|rest| rest.starts_with([' ', ',', '.']))
    })
}

/// Whether a message holds something like an email or phone number (for the consent reminder,
/// which must work even when the lead keeps no personal fields).
pub(super) fn lead_mentions_contact(text: &str) -> bool {
    text.contains('@') || text.chars().filter(char::is_ascii_digit).count() >= 7
}

pub(super) fn still_missing(ask: Ask, lead: &Lead) -> bool {
    match ask {
        Ask::Email => lead.email.is_none(),
        Ask::Phone => lead.phone.is_none(),
        Ask::Name => lead.name.is_none(),
        Ask::Company => lead.company.is_none(),
        Ask::Budget => lead.budget.is_none(),
        Ask::Timeline => lead.timeline_days.is_none(),
        Ask::Decision => lead.decision_maker.is_none(),
        Ask::Handoff | Ask::Confirm => false,
    }
}

/// The most valuable question not yet answered, refused, asked too often, or just asked.
pub(super) fn next_ask(
    lead: &Lead,
    st: &EngineState,
    last: Option<Ask>,
    consent_missing: bool,
) -> Option<Ask> {
    let order = [
        Ask::Email,
        Ask::Phone,
        Ask::Name,
        Ask::Company,
        Ask::Budget,
        Ask::Timeline,
        Ask::Decision,
    ];
    order.into_iter().find(|&ask| {
        let personal = matches!(ask, Ask::Email | Ask::Phone | Ask::Name);
        // One way to reach the visitor is enough; the phone is asked only when the email is refused.
        let contact_known = lead.email.is_some() || lead.phone.is_some();
        let wanted = match ask {
            Ask::Email => !contact_known,
            Ask::Phone => !contact_known && st.refused.contains(&Ask::Email),
            _ => still_missing(ask, lead),
        };
        wanted
            && !(personal && consent_missing && st.consent_reminded)
            && !st.refused.contains(&ask)
            && Some(ask) != last
            && st.asked.iter().filter(|a| **a == ask).count() < MAX_ASKS
    })
}
