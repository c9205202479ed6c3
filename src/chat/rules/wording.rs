//! How the rule engine words a turn: the question for a field, the fields it just captured
//! read back, the budget to confirm, the acknowledgement of a request, and the tidy-up of the
//! joined sentences.

use crate::chat::engine::Ask;
use crate::chat::prompts::{Templates, pick};
use crate::lead::RequestKind;
use crate::lead::{Field, Lead, Timeline};

pub(super) fn ask_text(t: &Templates, ask: Ask, turn: u32) -> &str {
    let list = match ask {
        Ask::Email => &t.ask.email,
        Ask::Phone => &t.ask.phone,
        Ask::Name => &t.ask.name,
        Ask::Company => &t.ask.company,
        Ask::Budget => &t.ask.budget,
        Ask::Timeline => &t.ask.timeline,
        Ask::Decision => &t.ask.decision,
        Ask::Handoff => &t.handoff_offer,
        Ask::Confirm => &t.confirm_budget,
    };
    pick(list, turn)
}

/// The fields this turn added or changed, as the visitor reads them back.
pub(super) fn captured_fields(t: &Templates, before: &Lead, after: &Lead) -> Vec<String> {
    let f = &t.fields;
    let mut out = Vec::new();
    if after.name.is_some() && after.name != before.name {
        out.push(f.name.clone());
    }
    if let Some(e) = after
        .email
        .as_ref()
        .filter(|e| Some(*e) != before.email.as_ref())
    {
        out.push(f.email.replace("{value}", e.as_str()));
    }
    if let Some(p) = after
        .phone
        .as_ref()
        .filter(|p| Some(*p) != before.phone.as_ref())
    {
        out.push(f.phone.replace("{value}", p.as_str()));
    }
    if let Some(c) = after
        .company
        .as_ref()
        .filter(|c| Some(*c) != before.company.as_ref())
    {
        out.push(f.company.replace("{value}", c.as_str()));
    }
    // A budget waiting for confirmation is asked about, not announced as noted.
    if after.budget.is_some()
        && after.budget != before.budget
        && !after.unconfirmed.contains(&Field::Budget)
    {
        out.push(f.budget.clone());
    }
    if after.timeline_days.is_some()
        && after.timeline_days.map(Timeline::days) != before.timeline_days.map(Timeline::days)
    {
        out.push(f.timeline.clone());
    }
    if after.decision_maker.is_some() && after.decision_maker != before.decision_maker {
        out.push(f.decision_maker.clone());
    }
    out
}

/// The budget to confirm with the visitor, written out: one read with low confidence that is
/// new this turn.
pub(super) fn budget_to_confirm(before: &Lead, after: &Lead) -> Option<String> {
    let b = after
        .budget
        .filter(|_| after.unconfirmed.contains(&Field::Budget))?;
    (before.budget != after.budget || !before.unconfirmed.contains(&Field::Budget))
        .then(|| b.to_string())
}

/// The acknowledgement of a request made (or changed) this turn: it is passed on, with the
/// time asked for read back in a frame that needs no declension.
pub(super) fn request_ack(t: &Templates, before: &Lead, after: &Lead, turn: u32) -> Option<String> {
    let r = after
        .request
        .as_ref()
        .filter(|r| before.request.as_ref() != Some(*r))?;
    let list = match r.kind {
        RequestKind::Call => &t.request_noted.call,
        RequestKind::Demo => &t.request_noted.demo,
        RequestKind::Quote => &t.request_noted.quote,
        RequestKind::Human => &t.request_noted.human,
    };
    let mut text = pick(list, turn).to_owned();
    if let Some(when) = &r.when {
        text.push(' ');
        text.push_str(&t.request_time.replace("{when}", when));
    }
    Some(text)
}

/// The reply without doubled full stops where a value ending in one ("Sp. z o.o.", "Inc.")
/// meets the sentence's own; an ellipsis stays.
pub(super) fn tidy(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let doubled = c == '.'
            && i > 0
            && chars[i - 1] == '.'
            && chars.get(i + 1) != Some(&'.')
            && (i < 2 || chars[i - 2] != '.');
        if !doubled {
            out.push(c);
        }
    }
    out
}

pub(super) fn join_list(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}
