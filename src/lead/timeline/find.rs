//! Finding time frames in a message: the rules whose trigger fragments occur are run, in order,
//! and a match that overlaps an earlier one, sits inside a longer number or states a rate is
//! dropped.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use time::Date;

use super::rules::RULES;
use super::{Strength, Timeline, TimelineMention};
use crate::lead::text::trim_boundaries;

/// One automaton over every rule's trigger fragments; each fragment knows its rules.
static TRIGGERS: LazyLock<(aho_corasick::AhoCorasick, Vec<Vec<usize>>)> = LazyLock::new(|| {
    let mut fragments: Vec<String> = Vec::new();
    let mut rules_of: Vec<Vec<usize>> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        // The patterns read text typed without diacritics, so their triggers must too.
        for t in rule
            .triggers
            .iter()
            .flat_map(|t| crate::lead::text::unaccented_spellings(t))
        {
            match fragments.iter().position(|f| *f == t) {
                Some(at) => rules_of[at].push(i),
                None => {
                    fragments.push(t);
                    rules_of.push(vec![i]);
                }
            }
        }
    }
    // A full DFA: every message is scanned for every fragment, overlapping, and the DFA does
    // that several times faster than the default automaton for a set this small.
    let ac = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&fragments)
        .expect("trigger fragments");
    (ac, rules_of)
});

/// Whether a match is a piece of a longer run of digit groups: "04.11.29" inside the phone
/// number "04.11.29.37.62", or a date-like part of an order or account number.
fn inside_longer_number(lower: &str, span: &Range<usize>) -> bool {
    let is_sep = |c: char| matches!(c, '.' | '/' | '-');
    let mut before = lower[..span.start].chars().rev();
    let glued_before = match before.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some(c) if is_sep(c) => before.next().is_some_and(|d| d.is_ascii_digit()),
        _ => false,
    };
    let mut after = lower[span.end..].chars();
    let glued_after = match after.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some(c) if is_sep(c) => after.next().is_some_and(|d| d.is_ascii_digit()),
        _ => false,
    };
    let ends_in_digits = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let m = &lower[span.clone()];
    (glued_before && ends_in_digits(m.chars().next()))
        || (glued_after && ends_in_digits(m.chars().next_back()))
}

/// Whether the words after a span make it a rate, not a time frame: "log in a few days a
/// month", "2 Tage pro Woche", "dos días por semana", "trois jours par mois".
fn is_frequency(after: &str) -> bool {
    static RATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:/\s*|(?:a|an|per|each|every|pro|je|im|in\s+der|na|w|co|al|por|cada|par|chaque)\s+)(?:day|week|month|year|tag|woche|monat|jahr|dzień|tydzień|tygodniu|miesiąc|miesiącu|rok|roku|día|semana|mes|año|jour|semaine|mois|an)\b")
            .expect("rate pattern")
    });
    RATE.is_match(after)
}

/// Finds every time frame in a lower-cased message, in text order.
pub(crate) fn find(lower: &str, start: Date) -> Vec<TimelineMention> {
    find_for(lower, start, true)
}

/// [`find`], reading weak expressions (a weekday, "tomorrow", a bare month) only when `weak`:
/// they count only as the answer to "when?".
pub(crate) fn find_for(lower: &str, start: Date, weak: bool) -> Vec<TimelineMention> {
    let mut out: Vec<TimelineMention> = Vec::new();
    let (ac, rules_of) = &*TRIGGERS;
    let mut triggered = vec![false; RULES.len()];
    let spaced = format!(" {lower}");
    for m in ac.find_overlapping_iter(&spaced) {
        for &i in &rules_of[m.pattern().as_usize()] {
            triggered[i] = true;
        }
    }
    for (rule, _) in RULES
        .iter()
        .zip(&triggered)
        .filter(|(r, t)| **t && (weak || r.strength != Strength::Weak))
    {
        for caps in rule.re.captures_iter(lower) {
            let span = trim_boundaries(lower, caps.get(0).expect("match").range());
            if out
                .iter()
                .any(|m| m.span.start < span.end && span.start < m.span.end)
                || inside_longer_number(lower, &span)
                || is_frequency(&lower[span.end..])
            {
                continue;
            }
            let Some(date) = (rule.resolve)(&caps, start) else {
                continue;
            };
            let days = (date - start).whole_days();
            if let Ok(timeline) = Timeline::from_days(days) {
                out.push(TimelineMention {
                    span,
                    timeline,
                    strength: rule.strength,
                });
            }
        }
    }
    out.sort_by_key(|m| m.span.start);
    out
}
