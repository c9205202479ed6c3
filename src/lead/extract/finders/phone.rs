//! Phone numbers, told apart from dates, times and identifiers ("NIP 525-000-12-33").

use std::sync::LazyLock;

use regex::Regex;

use super::Found;
use crate::lead::lexicon;
use crate::lead::text::tail;
use crate::lead::{PhoneE164, Region};

static PHONE_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:tel:)?(?:[+＋]\s?|(?-u:\b)00\s?)?(?:[(（]\s?[08]\s?[)）]\s?)?[(（]?\d(?:[\d\u{a0}\u{202f}\u{3000}\u{ad} ().\-/（）－]*\d)?",
    )
    .expect("phone pattern")
});

static DATE_OR_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.:]\d{2}(?:\s*-\s*\d{1,2}[.:]\d{2})?)$").expect("date pattern")
});

/// Words before a number that make it an identifier rather than a phone number, without
/// diacritics.
static ID_WORDS_PLAIN: LazyLock<Vec<String>> = LazyLock::new(|| {
    lexicon::ID_WORDS
        .words()
        .iter()
        .map(|w| crate::lead::text::strip_accents(w))
        .collect()
});

/// Finds phone numbers in a lower-cased message with budgets, dates and addresses blanked out.
/// National numbers take `region`.
pub(crate) fn phones(lower: &str, region: Option<Region>) -> Vec<Found<PhoneE164>> {
    let mut out = Vec::new();
    if lower.chars().filter(|c| c.is_numeric()).count() < 6 {
        return out;
    }
    for m in PHONE_CANDIDATE.find_iter(lower) {
        let raw = m.as_str().trim_end_matches([' ', '(', '-', '.', '/']);
        let digits = raw.chars().filter(|c| c.is_numeric()).count();
        if !(6..=20).contains(&digits) || DATE_OR_TIME.is_match(raw.trim()) {
            continue;
        }
        // "2012/01/02 08:00": a date and a time of day.
        let rest = &lower[m.start() + raw.len()..];
        if rest.starts_with(':') && rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let before = lower[..m.start()].chars().next_back();
        let after = lower[m.start() + raw.len()..].chars().next();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '@' || c == '/')
            || after.is_some_and(|c| c.is_alphabetic() || c == '@' || c == '%')
        {
            continue;
        }
        // Compared without diacritics: "zamowienie", "envio" are typed as often.
        let context = crate::lead::text::strip_accents(tail(&lower[..m.start()], 28));
        if ID_WORDS_PLAIN.iter().any(|w| context.contains(w.as_str())) {
            continue;
        }
        if let Ok(phone) = PhoneE164::parse(raw, region) {
            out.push(Found {
                span: m.start()..m.start() + raw.len(),
                value: phone,
            });
        }
    }
    out
}
