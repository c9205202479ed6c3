//! Finding budgets in a message: amounts read alone or joined into ranges, bounded by the words
//! around them, and kept when they are money for sure or answer a question for a budget.

use std::ops::Range;

use super::amounts::{Atom, atoms, thousands_of_euros};
use super::bounds::{Bound, CAPPED_AFTER, bound_before, clause_is_negated};
use super::{Budget, BudgetMention, Currency};
use crate::lead::lexicon;
use crate::lead::locale::Region;
use crate::lead::text::words_before;

/// Finds every budget in a lower-cased message. With `loose`, a bare number counts as money
/// (the bot has just asked for a budget); otherwise it needs a currency or a money multiplier.
pub(crate) fn find(lower: &str, region: Option<Region>, loose: bool) -> Vec<BudgetMention> {
    if !lower.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let thousands = thousands_of_euros(lower);
    let lower = thousands.as_str();
    let atoms = atoms(lower, region);
    let mut out = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        let a = &atoms[i];
        let reading = atoms
            .get(i + 1)
            .and_then(|b| range(lower, a, b))
            .unwrap_or_else(|| single(lower, a));
        i += reading.atoms;
        if !reading.explicit && (!loose || !bare_amount(lower, a, reading.span.end)) {
            continue;
        }
        out.extend(reading.into_mention());
    }
    // A bare number is money only when nothing in the message was said as money.
    if out.iter().any(|m| m.explicit) {
        out.retain(|m| m.explicit);
    }
    out
}

/// What one amount, or two joined into a range, say as money, before the bounds are checked.
struct Reading {
    min: Option<f64>,
    max: Option<f64>,
    currency: Option<Currency>,
    /// Said with a currency or a money multiplier, so it is money for sure.
    explicit: bool,
    span: Range<usize>,
    /// How many amounts it reads: two for a range.
    atoms: usize,
}

impl Reading {
    /// The budget read, if its bounds make one.
    fn into_mention(self) -> Option<BudgetMention> {
        let round = |v: Option<f64>| v.map(|x| x.round() as u64);
        let budget = Budget::new(round(self.min), round(self.max), self.currency).ok()?;
        Some(BudgetMention {
            span: self.span,
            budget,
            explicit: self.explicit,
        })
    }
}

/// Two amounts read as one range: "20-30 tys.", "£8,000–£12,000", "between 5k and 8k". A
/// joiner that is also a plain conjunction ("and", "o") makes a range only after a word that
/// opens one, or before an amount said as money.
fn range(lower: &str, a: &Atom, b: &Atom) -> Option<Reading> {
    // Two atoms can share a currency sign between them ("5 € 6"): no range then.
    if a.span.end > b.span.start {
        return None;
    }
    let gap = lower[a.span.end..b.span.start].trim();
    let opener = words_before(lower, a.span.start, 1)
        .first()
        .is_some_and(|w| lexicon::RANGE_OPENERS.contains(w));
    let joined = lexicon::RANGE_JOINERS.contains(gap)
        && (!lexicon::WEAK_RANGE_JOINERS.contains(gap)
            || opener
            || b.currency.is_some()
            || b.multiplier.is_some());
    if !joined {
        return None;
    }
    let mut low = a.value;
    // "20-30 tys." and "5-8k": the first number shares the second's multiplier.
    if a.multiplier.is_none()
        && let Some(m) = b.multiplier
        && a.written * m <= b.value
    {
        low = a.written * m;
    }
    let currency = match (a.currency, b.currency) {
        // "20 000 $ et 30 000 $ canadiens": the named dollar is both ends'.
        (Some(_), Some(cb)) if a.generic_dollar && !b.generic_dollar => Some(cb),
        (ca, cb) => ca.or(cb),
    };
    (low <= b.value).then(|| Reading {
        min: Some(low),
        max: Some(b.value),
        currency,
        explicit: a.currency.is_some()
            || a.multiplier.is_some()
            || b.currency.is_some()
            || b.multiplier.is_some(),
        span: a.span.start..b.span.end,
        atoms: 2,
    })
}

/// One amount with the bounds the words around it put on it: "up to 10k", "ab 50.000 €",
/// "€300 a month at most", "10k+".
fn single(lower: &str, a: &Atom) -> Reading {
    let mut reading = Reading {
        min: Some(a.value),
        max: Some(a.value),
        currency: a.currency,
        explicit: a.currency.is_some() || a.multiplier.is_some(),
        span: a.span.clone(),
        atoms: 1,
    };
    let mut bound = bound_before(&lower[..a.span.start]);
    if bound == Some(Bound::MoreThan) && clause_is_negated(lower, a.span.clone()) {
        // "can't go over £150", "mehr als 100 € wollen wir nicht ausgeben".
        bound = Some(Bound::UpTo);
    }
    let after = lower[a.span.end..].trim_start();
    let open_ended = lexicon::OPEN_ENDED_PHRASES
        .words()
        .iter()
        .any(|p| after.starts_with(p));
    if after.starts_with(|c: char| c.is_alphabetic() || c == '/') && CAPPED_AFTER.is_match(after) {
        // "€300 a month at most", "50 € par mois maximum".
        bound = Some(Bound::UpTo);
    }
    if bound == Some(Bound::UpTo) && !open_ended {
        reading.min = None;
    } else if open_ended || matches!(bound, Some(Bound::From | Bound::MoreThan)) {
        reading.max = None;
        if after.starts_with('+') {
            let end = reading.span.end;
            reading.span.end += lower[end..].find('+').map_or(0, |p| p + 1);
        }
    }
    reading
}

/// The smallest number without a currency read as a budget: below it, a bare "3" or "20" is a
/// count, a rating or a slip, not what a business plans to spend.
pub(crate) const MIN_BARE_AMOUNT: f64 = 100.0;

/// The largest: a bare nine-digit number is a phone number or an identifier, not a budget.
pub(crate) const MAX_BARE_AMOUNT: f64 = 10_000_000.0;

/// Whether a number without a currency can be the answer to "what's your budget?": a plausible
/// amount (from [`MIN_BARE_AMOUNT`] to [`MAX_BARE_AMOUNT`], not written with a leading zero as codes and numbers
/// are), not a year, and not a count of something ("3 sedes", "10 Leute").
fn bare_amount(lower: &str, a: &Atom, end: usize) -> bool {
    let written = &lower[a.span.clone()];
    if !(MIN_BARE_AMOUNT..=MAX_BARE_AMOUNT).contains(&a.value) || written.starts_with('0') {
        return false;
    }
    let year_like = written.len() == 4
        && written.bytes().all(|b| b.is_ascii_digit())
        && (1900.0..=2100.0).contains(&a.written);
    if year_like && a.multiplier.is_none() {
        return false;
    }
    let next: &str = lower[end..]
        .trim_start()
        .split(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or_default();
    next.is_empty() || lexicon::WORDS_AFTER_BARE_AMOUNT.contains(next)
}
