//! Amounts in a message: each number as people write money ("8,000", "20.000", "1,5"), with
//! the multiplier and the currency said around it.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::currency::{
    CURRENCY_AFTER, CURRENCY_BEFORE, Currency, DOLLAR_QUALIFIER, currency_from_word,
    qualified_dollar,
};
use crate::lead::locale::Region;
use crate::lead::text::tail;

/// One amount: a number, its multiplier and currency, where it sits.
#[derive(Debug, Clone)]
pub(super) struct Atom {
    pub span: Range<usize>,
    pub value: f64,
    /// The number as written, before the multiplier ("20" of "20-30 tys.").
    pub written: f64,
    pub multiplier: Option<f64>,
    pub currency: Option<Currency>,
    /// A bare "$" that no word made someone's own dollar: a qualified dollar next to it wins.
    pub generic_dollar: bool,
}

/// A number as people write amounts: "8,000", "20.000", "3 000", "1,5", "15".
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,3}(?:[ .,\u{a0}\u{202f}']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?")
        .expect("number pattern")
});

/// A multiplier right after a number ("15k", "50 tys.", "2 Mio."), anchored at the number's end.
static MULTIPLIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s?(?P<mult>k|tys\.?|tysi[ąę]c[ey]?|tysięcy|tsd\.?|tausend|mil|mille|thousand|grand|mln\.?|mio\.?|millionen|millions?|millones|milion(?:y|ów)?|m|mld|bn|billion)(?:[^\p{L}]|$)")
        .expect("multiplier pattern")
});

/// German thousands of euros, "15 T€", "20 TEUR", "30 kEUR", read as "15 k€": each is
/// rewritten in place with the same number of bytes, so spans still point into the message.
pub(super) fn thousands_of_euros(lower: &str) -> String {
    static THOUSAND_EUROS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\d\s?(t€|teur|keur)(?:[^\p{L}]|$)").expect("thousand-euro pattern")
    });
    let mut out = lower.to_owned();
    for caps in THOUSAND_EUROS.captures_iter(lower) {
        let m = caps.get(1).expect("unit");
        // Each spelling is four bytes, as is "k€".
        debug_assert_eq!(m.as_str().len(), "k€".len());
        out.replace_range(m.range(), "k€");
    }
    out
}

fn multiplier_value(word: &str) -> f64 {
    let w = word.trim_end_matches('.');
    match w {
        "k" | "tys" | "tsd" | "tausend" | "mil" | "mille" | "thousand" | "grand" => 1e3,
        w if w.starts_with("tysi") => 1e3,
        "m" | "mln" | "mio" | "millionen" | "million" | "millions" | "millones" => 1e6,
        w if w.starts_with("milion") => 1e6,
        "mld" | "bn" | "billion" => 1e9,
        _ => 1.0,
    }
}

/// Reads "8,000", "20.000", "3 000", "1,5", "2.5" as a number. A separator followed by exactly
/// three digits groups thousands; any other separator is the decimal mark.
fn number_value(written: &str) -> Option<f64> {
    let groups: Vec<&str> = written.split(|c: char| !c.is_ascii_digit()).collect();
    if groups.len() == 1 {
        return written.parse().ok();
    }
    let last = groups[groups.len() - 1];
    let grouped_thousands = groups[1..].iter().all(|g| g.len() == 3);
    if grouped_thousands {
        return groups.concat().parse().ok();
    }
    let int: String = groups[..groups.len() - 1].concat();
    format!("{int}.{last}").parse().ok()
}

pub(super) fn atoms(lower: &str, region: Option<Region>) -> Vec<Atom> {
    let mut out = Vec::new();
    for num in NUMBER.find_iter(lower) {
        let before_text = &lower[..num.start()];
        let pre = CURRENCY_BEFORE
            .captures(tail(before_text, 8))
            .and_then(|c| c.name("cur").map(|m| m.as_str().len()));
        // A number glued to letters or other digits is a code, not an amount ("DE812", "A4").
        let before = before_text.chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric()) && pre.is_none() {
            continue;
        }
        let mult = MULTIPLIER
            .captures(&lower[num.end()..])
            .and_then(|c| c.name("mult"));
        let after = lower[num.end()..].chars().next();
        if after.is_some_and(|c| c.is_alphabetic()) && mult.is_none() {
            // "10x", "3rd", "2026r." are not amounts; a glued currency like "10zł" is handled below.
            if !CURRENCY_AFTER.is_match(&lower[num.end()..]) {
                continue;
            }
        }
        let Some(written) = number_value(num.as_str()) else {
            continue;
        };
        let multiplier = mult.map(|m| multiplier_value(m.as_str()));
        let mut end = mult.map_or(num.end(), |m| num.end() + m.end());
        // "$" after a letter is someone's other dollar (C$, A$): the whole prefix is read.
        let mut currency = pre.and_then(|len| {
            let prefix = before_text.trim_end();
            currency_from_word(&prefix[prefix.len() - len..], region)
        });
        if currency.is_none()
            && let Some(c) = CURRENCY_AFTER.captures(&lower[end..])
        {
            let cur = c.name("cur").expect("cur");
            currency = currency_from_word(cur.as_str(), region);
            end += cur.end();
        }
        let start = start_of_currency(pre, before_text, num.start());
        let said = &lower[start..end];
        let mut generic_dollar = currency.is_some_and(|c| c.code() == "USD")
            && !said.contains("us")
            && !said.contains("usd");
        if generic_dollar && let Some(q) = DOLLAR_QUALIFIER.captures(&lower[end..]) {
            let word = q.name("q").expect("q");
            currency = qualified_dollar(word.as_str());
            end += word.end();
            generic_dollar = false;
        }
        let value = written * multiplier.unwrap_or(1.0);
        out.push(Atom {
            span: start..end,
            value,
            written,
            multiplier,
            currency,
            generic_dollar,
        });
    }
    out
}

/// Where an amount starts: at its currency symbol when one is written before it.
fn start_of_currency(pre: Option<usize>, before_text: &str, number_start: usize) -> usize {
    match pre {
        Some(len) => before_text.trim_end().len() - len,
        None => number_start,
    }
}
