//! `Budget`: an amount or range of money in major units, with its ISO 4217 currency when said.
//!
//! Reads "50k", "50 tys.", "50.000", "50 000", "£8,000–£12,000", "20-30 tys. zł", "up to 10k
//! GBP", "ab 50.000 € aufwärts", "entre 5.000 y 8.000 euros", "25 k€", "unos 30 mil pesos".

use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::lexicon;
use super::locale::Region;
use super::text::{fold_case, tail, words_before};

/// An ISO 4217 currency code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(&'static str);

impl Currency {
    /// Parses an ISO 4217 code, case-insensitively.
    pub fn parse(code: &str) -> Result<Currency, BudgetError> {
        let upper = code.trim().to_ascii_uppercase();
        lexicon::CURRENCY_CODES
            .words()
            .iter()
            .find(|c| **c == upper)
            .map(|c| Currency(c))
            .ok_or(BudgetError::Currency)
    }

    /// The code, e.g. `EUR`.
    pub fn code(self) -> &'static str {
        self.0
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Currency::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A budget: at least one bound, `min <= max`, in major units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "BudgetParts", into = "BudgetParts")]
pub struct Budget {
    min: Option<u64>,
    max: Option<u64>,
    currency: Option<Currency>,
}

/// The stored form of a budget, the lead record's `{"min", "max", "currency"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetParts {
    pub min: Option<u64>,
    pub max: Option<u64>,
    pub currency: Option<Currency>,
}

/// Why a text is not a budget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("no amount of money found")]
    NoAmount,
    #[error("the lower bound is above the upper bound")]
    Order,
    #[error("the amount is out of range")]
    Range,
    #[error("unknown currency code")]
    Currency,
}

/// Largest amount taken seriously: a trillion of anything is a typo or a joke.
const MAX_AMOUNT: u64 = 1_000_000_000_000;

impl Budget {
    /// Builds a budget from its bounds, checking them.
    pub fn new(
        min: Option<u64>,
        max: Option<u64>,
        currency: Option<Currency>,
    ) -> Result<Budget, BudgetError> {
        if min.is_none() && max.is_none() {
            return Err(BudgetError::NoAmount);
        }
        for v in [min, max].into_iter().flatten() {
            if v == 0 || v > MAX_AMOUNT {
                return Err(BudgetError::Range);
            }
        }
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            return Err(BudgetError::Order);
        }
        Ok(Budget { min, max, currency })
    }

    /// Parses a phrase that states a budget ("20-30 tys. zł", "up to 10k GBP"). The first
    /// amount of money in the phrase is taken; `region` picks the peso or krone meant.
    pub fn parse(raw: &str, region: Option<Region>) -> Result<Budget, BudgetError> {
        let lower = fold_case(raw);
        find(&lower, region, true)
            .into_iter()
            .next()
            .map(|m| m.budget)
            .ok_or(BudgetError::NoAmount)
    }

    /// The lower bound, if stated.
    pub fn min(&self) -> Option<u64> {
        self.min
    }

    /// The upper bound, if stated.
    pub fn max(&self) -> Option<u64> {
        self.max
    }

    /// The currency, if stated.
    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cur = self.currency.map(|c| format!(" {c}")).unwrap_or_default();
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}{cur}"),
            (Some(a), Some(b)) => write!(f, "{a}–{b}{cur}"),
            (Some(a), None) => write!(f, "from {a}{cur}"),
            (None, Some(b)) => write!(f, "up to {b}{cur}"),
            (None, None) => f.write_str("?"),
        }
    }
}

impl TryFrom<BudgetParts> for Budget {
    type Error = BudgetError;
    fn try_from(p: BudgetParts) -> Result<Self, Self::Error> {
        Budget::new(p.min, p.max, p.currency)
    }
}

impl From<Budget> for BudgetParts {
    fn from(b: Budget) -> Self {
        BudgetParts {
            min: b.min,
            max: b.max,
            currency: b.currency,
        }
    }
}

/// A budget found in a message.
#[derive(Debug, Clone)]
pub(crate) struct BudgetMention {
    pub span: Range<usize>,
    pub budget: Budget,
    /// Said with a currency or a money multiplier ("k", "tys."), so it is money for sure.
    pub explicit: bool,
}

/// One amount: a number, its multiplier and currency, where it sits.
#[derive(Debug, Clone)]
struct Atom {
    span: Range<usize>,
    value: f64,
    /// The number as written, before the multiplier ("20" of "20-30 tys.").
    written: f64,
    multiplier: Option<f64>,
    currency: Option<Currency>,
    /// A bare "$" that no word made someone's own dollar: a qualified dollar next to it wins.
    generic_dollar: bool,
}

/// A number as people write amounts: "8,000", "20.000", "3 000", "1,5", "15".
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,3}(?:[ .,\u{a0}\u{202f}']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?")
        .expect("number pattern")
});

/// A currency symbol or code right before a number ("$15k", "€ 200", "PLN 5000"), anchored at
/// the end of the text before the number.
static CURRENCY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\p{L}])(?P<cur>[€$£¥₹]|zł|zl|kč|kr\.?|fr\.|chf|eur|euros?|pln|usd|us\$|gbp|mxn|cad|aud|c\$|a\$|mx\$|r\$)\s?$")
        .expect("currency-before pattern")
});

/// A multiplier right after a number ("15k", "50 tys.", "2 Mio."), anchored at the number's end.
static MULTIPLIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s?(?P<mult>k|tys\.?|tysi[ąę]c[ey]?|tysięcy|tsd\.?|tausend|mil|mille|thousand|grand|mln\.?|mio\.?|millionen|millions?|millones|milion(?:y|ów)?|m|mld|bn|billion)(?:[^\p{L}]|$)")
        .expect("multiplier pattern")
});

/// The word that makes a "$" someone's own dollar: "500 $ CA", "20 000 $ canadiens", "$ AUD".
static DOLLAR_QUALIFIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s?(?P<q>ca|can|cad|canadiens?|canadienses|canadian|aud|australiens?|australianos|australian|us|usd|américains?|estadounidenses|mxn|nzd)(?:[^\p{L}]|$)")
        .expect("dollar qualifier pattern")
});

fn qualified_dollar(word: &str) -> Option<Currency> {
    let code = match word {
        w if w.starts_with("ca") => "CAD",
        w if w.starts_with("au") => "AUD",
        "mxn" => "MXN",
        "nzd" => "NZD",
        _ => "USD",
    };
    Currency::parse(code).ok()
}

/// Currency words and symbols after an amount ("30 mil pesos", "200 € par mois").
static CURRENCY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s?(?:de\s)?(?P<cur>[€$£¥₹]|zł|zl(?-u:\b)|złotych|złote|złoty|zlotys?|zlotych|pln(?-u:\b)|eur(?-u:\b)|euros?|usd(?-u:\b)|dollars?|dólares|dolares|dollar|bucks|gbp(?-u:\b)|pounds?|livres?\s+sterling|quid|balles|chf(?-u:\b)|franken|francs?\s+suisses|swiss\s+francs?|francs?(?-u:\b)|fr\.|mxn(?-u:\b)|pesos(?:\s+(?:mexicanos|argentinos|colombianos|chilenos))?|cad(?-u:\b)|aud(?-u:\b)|nzd(?-u:\b)|ars(?-u:\b)|cop(?-u:\b)|clp(?-u:\b)|czk(?-u:\b)|kč|korun|sek(?-u:\b)|nok(?-u:\b)|dkk(?-u:\b)|kr(?-u:\b)|huf(?-u:\b)|ron(?-u:\b)|lei(?-u:\b)|brl(?-u:\b)|reais|jpy(?-u:\b)|yen|inr(?-u:\b)|rupees|canadian\s+dollars|australian\s+dollars)")
        .expect("currency pattern")
});

fn currency_from_word(word: &str, region: Option<Region>) -> Option<Currency> {
    let w = word.trim().trim_end_matches('.');
    let code = match w {
        "€" | "eur" | "euro" | "euros" => "EUR",
        "zł" | "zl" | "złotych" | "złote" | "złoty" | "zloty" | "zlotys" | "zlotych" | "pln" => {
            "PLN"
        }
        "£" | "gbp" | "pound" | "pounds" | "quid" => "GBP",
        "$" | "usd" | "us$" | "dollar" | "dollars" | "dólares" | "dolares" | "bucks" => "USD",
        "c$" | "cad" => "CAD",
        "a$" | "aud" => "AUD",
        "nzd" => "NZD",
        "ars" => "ARS",
        "cop" => "COP",
        "clp" => "CLP",
        "mx$" | "mxn" => "MXN",
        "r$" | "brl" | "reais" => "BRL",
        "chf" | "franken" | "fr" => "CHF",
        // French slang for the local money: euros in France and Belgium, francs in Switzerland.
        "balles" => match region.as_ref().map(Region::code) {
            Some("CH") => "CHF",
            _ => "EUR",
        },
        "kč" | "czk" | "korun" => "CZK",
        "sek" => "SEK",
        "nok" => "NOK",
        "dkk" => "DKK",
        "huf" => "HUF",
        "ron" | "lei" => "RON",
        "¥" | "jpy" | "yen" => "JPY",
        "₹" | "inr" | "rupees" => "INR",
        "kr" => match region.as_ref().map(Region::code) {
            Some("NO") => "NOK",
            Some("DK") => "DKK",
            _ => "SEK",
        },
        w if w.ends_with("mexicanos") => "MXN",
        w if w.ends_with("argentinos") => "ARS",
        w if w.ends_with("colombianos") => "COP",
        w if w.ends_with("chilenos") => "CLP",
        w if w.starts_with("pesos") => match region.as_ref().map(Region::code) {
            Some("AR") => "ARS",
            Some("CO") => "COP",
            Some("CL") => "CLP",
            _ => "MXN",
        },
        w if w.starts_with("livre") => "GBP",
        // Francs are Swiss: France and Belgium pay in euros.
        w if w.starts_with("franc") || w.starts_with("swiss") => "CHF",
        w if w.starts_with("canadian") => "CAD",
        w if w.starts_with("australian") => "AUD",
        _ => return None,
    };
    Currency::parse(code).ok()
}

/// German thousands of euros, "15 T€", "20 TEUR", "30 kEUR", read as "15 k€": each is
/// rewritten in place with the same number of bytes, so spans still point into the message.
fn thousands_of_euros(lower: &str) -> String {
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

fn atoms(lower: &str, region: Option<Region>) -> Vec<Atom> {
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

/// Phrases indexed by their last word, so the text before an amount is compared only with the
/// phrases that could end it.
struct Phrases(rustc_hash::FxHashMap<&'static str, Vec<&'static str>>);

impl Phrases {
    fn new(phrases: &'static [&'static str]) -> Phrases {
        let mut map: rustc_hash::FxHashMap<&'static str, Vec<&'static str>> = Default::default();
        for p in phrases {
            map.entry(last_word(p)).or_default().push(p);
        }
        Phrases(map)
    }

    /// The phrase `text` ends with, as whole words.
    fn ending(&self, text: &str) -> Option<&'static str> {
        let text = text.trim_end();
        let candidates = self.0.get(last_word(text))?;
        candidates.iter().copied().find(|p| {
            text.strip_suffix(p).is_some_and(|rest| {
                rest.chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
        })
    }
}

/// The last word of a text: letters, digits, apostrophes and dots.
fn last_word(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '\'' || *c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..]
}

static UP_TO_PHRASES: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::new(lexicon::UPPER_BOUND_PHRASES.words()));
static FROM_PHRASES: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::new(lexicon::LOWER_BOUND_PHRASES.words()));
static APPROXIMATE_PHRASES: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::new(lexicon::APPROXIMATION_PHRASES.words()));

/// What the words before an amount say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// "up to", "bis", "hasta": an upper bound.
    UpTo,
    /// "from", "ab", "a partir de": a lower bound.
    From,
    /// "more than", "over", "mehr als": a lower bound, or an upper one when negated.
    MoreThan,
}

/// The bound the words before an amount put on it, after skipping words like "about".
fn bound_before(before: &str) -> Option<Bound> {
    let mut text = before.trim_end();
    while let Some(p) = APPROXIMATE_PHRASES.ending(text) {
        text = text[..text.len() - p.len()].trim_end();
    }
    if UP_TO_PHRASES.ending(text).is_some() {
        Some(Bound::UpTo)
    } else {
        FROM_PHRASES.ending(text).map(|p| {
            if lexicon::COMPARATIVE_PHRASES.contains(p) {
                Bound::MoreThan
            } else {
                Bound::From
            }
        })
    }
}

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
        let mut consumed = 1;
        let mut min = Some(a.value);
        let mut max = Some(a.value);
        let mut currency = a.currency;
        let mut explicit = a.currency.is_some() || a.multiplier.is_some();
        let mut span = a.span.clone();

        // Two atoms can share a currency sign between them ("5 € 6"): no range then.
        if let Some(b) = atoms.get(i + 1)
            && a.span.end <= b.span.start
        {
            let gap = lower[a.span.end..b.span.start].trim();
            let opener = words_before(lower, a.span.start, 1)
                .first()
                .is_some_and(|w| lexicon::RANGE_OPENERS.contains(w));
            let joined = lexicon::RANGE_JOINERS.contains(gap)
                && (!lexicon::WEAK_RANGE_JOINERS.contains(gap)
                    || opener
                    || b.currency.is_some()
                    || b.multiplier.is_some());
            if joined {
                let mut low = a.value;
                // "20-30 tys." and "5-8k": the first number shares the second's multiplier.
                if a.multiplier.is_none()
                    && let Some(m) = b.multiplier
                    && a.written * m <= b.value
                {
                    low = a.written * m;
                }
                if low <= b.value {
                    min = Some(low);
                    max = Some(b.value);
                    currency = match (a.currency, b.currency) {
                        // "20 000 $ et 30 000 $ canadiens": the named dollar is both ends'.
                        (Some(_), Some(cb)) if a.generic_dollar && !b.generic_dollar => Some(cb),
                        (ca, cb) => ca.or(cb),
                    };
                    explicit = explicit || b.currency.is_some() || b.multiplier.is_some();
                    span = a.span.start..b.span.end;
                    consumed = 2;
                }
            }
        }

        if consumed == 1 {
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
            if after.starts_with(|c: char| c.is_alphabetic() || c == '/')
                && CAPPED_AFTER.is_match(after)
            {
                // "€300 a month at most", "50 € par mois maximum".
                bound = Some(Bound::UpTo);
            }
            if bound == Some(Bound::UpTo) && !open_ended {
                min = None;
            } else if open_ended || matches!(bound, Some(Bound::From | Bound::MoreThan)) {
                max = None;
                if after.starts_with('+') {
                    span.end += lower[span.end..].find('+').map_or(0, |p| p + 1);
                }
            }
        }

        i += consumed;
        if !explicit && (!loose || !bare_amount(lower, a, span.end)) {
            continue;
        }
        let round = |v: Option<f64>| v.map(|x| x.round() as u64);
        if let Ok(budget) = Budget::new(round(min), round(max), currency) {
            out.push(BudgetMention {
                span,
                budget,
                explicit,
            });
        }
    }
    // A bare number is money only when nothing in the message was said as money.
    if out.iter().any(|m| m.explicit) {
        out.retain(|m| m.explicit);
    }
    out
}

/// Whether a number without a currency can be the answer to "what's your budget?": not a year,
/// and not a count of something ("3 sedes", "10 Leute").
fn bare_amount(lower: &str, a: &Atom, end: usize) -> bool {
    let written = &lower[a.span.clone()];
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

/// Whether the clause around an amount is negated ("we can't go over", "wollen wir nicht").
fn clause_is_negated(lower: &str, span: Range<usize>) -> bool {
    let stops = ['.', '!', '?', ';', ',', '\n'];
    let start = lower[..span.start].rfind(stops).map_or(0, |i| i + 1);
    let end = lower[span.end..]
        .find(stops)
        .map_or(lower.len(), |i| span.end + i);
    let clause = lower[start..span.start]
        .split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’')
        .chain(lower[span.end..end].split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’'));
    clause.into_iter().any(|w| {
        w.ends_with("n't")
            || w.ends_with("n’t")
            || w.starts_with("n'")
            || lexicon::CLAUSE_NEGATIONS.contains(w)
    })
}

/// A cap said after the amount: "€300 a month at most", "50 € par mois maximum", "$250/month max".
static CAPPED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:a|an|per|par|al|por|pro|im|na|w|each|/)\s*(?:month|mois|mes|monat|miesiąc|year|an|année|año|jahr|rok|week|semaine|semana|woche|mo|mth|yr|mc|msc|mies|mon|jr)\w*\.?[\s,]*|(?:monthly|yearly|annually|mensuel\w*|mensual\w*|monatlich|jährlich|miesięcznie|rocznie|netto|net|hors\s+taxes|ht)[\s,]*)*(?:at\s+(?:the\s+)?most|max(?:imum|imal)?\.?|tops|or\s+less|au\s+maximum|tout\s+au\s+plus|au\s+plus|grand\s+max|como\s+máximo|como\s+mucho|al\s+máximo|máximo|höchstens|maksymalnie|maks\.?|najwyżej|o\s+menos|ou\s+moins|oder\s+weniger|lub\s+mniej)(?:[^\p{L}]|$)")
        .expect("cap-after pattern")
});

#[cfg(test)]
mod tests {
    use super::*;

    fn b(raw: &str) -> (Option<u64>, Option<u64>, Option<&'static str>) {
        b_in(raw, None)
    }

    fn b_in(raw: &str, region: Option<&str>) -> (Option<u64>, Option<u64>, Option<&'static str>) {
        let region = region.map(|r| Region::parse(r).unwrap());
        let budget = Budget::parse(raw, region).unwrap_or_else(|e| panic!("{raw}: {e}"));
        (
            budget.min(),
            budget.max(),
            budget.currency().map(Currency::code),
        )
    }

    #[test]
    fn a_cap_after_an_abbreviated_period() {
        assert_eq!(b("$2,000/mo max"), (None, Some(2000), Some("USD")));
        assert_eq!(b("£300 per mth tops"), (None, Some(300), Some("GBP")));
        assert_eq!(b("3 tys. zł/mc najwyżej"), (None, Some(3000), Some("PLN")));
        assert_eq!(
            b("500 € im Monat höchstens"),
            (None, Some(500), Some("EUR"))
        );
        assert_eq!(
            b("2.000 € al mes como mucho"),
            (None, Some(2000), Some("EUR"))
        );
        assert_eq!(
            b("800 € par mois tout au plus"),
            (None, Some(800), Some("EUR"))
        );
    }

    #[test]
    fn currencies_named_after_the_amount() {
        assert_eq!(b("12k NZD"), (Some(12000), Some(12000), Some("NZD")));
        assert_eq!(
            b("6000 Swiss francs"),
            (Some(6000), Some(6000), Some("CHF"))
        );
        assert_eq!(
            b_in("6 000 francs", Some("CH")),
            (Some(6000), Some(6000), Some("CHF"))
        );
        assert_eq!(
            b_in("6000 Fr. im Jahr", Some("CH")),
            (Some(6000), Some(6000), Some("CHF"))
        );
        assert_eq!(b("4000 zloty"), (Some(4000), Some(4000), Some("PLN")));
        assert_eq!(
            b_in("90 mil pesos colombianos", Some("MX")),
            (Some(90000), Some(90000), Some("COP"))
        );
        // Words that only start like a currency code are not one.
        assert!(find("we need 3 copies and 5 sekund", None, false).is_empty());
    }

    #[test]
    fn english() {
        assert_eq!(b("Around $15k"), (Some(15000), Some(15000), Some("USD")));
        assert_eq!(b("up to 10k GBP a year"), (None, Some(10000), Some("GBP")));
        assert_eq!(b("£8,000–£12,000"), (Some(8000), Some(12000), Some("GBP")));
        assert_eq!(b("between 5k and 8k"), (Some(5000), Some(8000), None));
        assert_eq!(b("from 2,500 dollars"), (Some(2500), None, Some("USD")));
        assert_eq!(b("$1.5M"), (Some(1_500_000), Some(1_500_000), Some("USD")));
        assert_eq!(b("C$ 20,000"), (Some(20000), Some(20000), Some("CAD")));
        assert_eq!(b("10k+"), (Some(10000), None, None));
        assert_eq!(b("no more than 3000 EUR"), (None, Some(3000), Some("EUR")));
    }

    #[test]
    fn polish() {
        assert_eq!(b("20-30 tys. zł"), (Some(20000), Some(30000), Some("PLN")));
        assert_eq!(b("50 tys. zł"), (Some(50000), Some(50000), Some("PLN")));
        assert_eq!(b("do 8000 zł miesięcznie"), (None, Some(8000), Some("PLN")));
        assert_eq!(
            b("od 10 do 20 tysięcy złotych"),
            (Some(10000), Some(20000), Some("PLN"))
        );
        assert_eq!(
            b("1,5 mln zł"),
            (Some(1_500_000), Some(1_500_000), Some("PLN"))
        );
        assert_eq!(
            b("100 000 PLN"),
            (Some(100_000), Some(100_000), Some("PLN"))
        );
    }

    #[test]
    fn german() {
        assert_eq!(b("10–12 T€"), (Some(10000), Some(12000), Some("EUR")));
        assert_eq!(b("rund 25 TEUR"), (Some(25000), Some(25000), Some("EUR")));
        assert_eq!(b("max. 40 kEUR"), (None, Some(40000), Some("EUR")));
        assert_eq!(
            b("Zwischen 20.000 und 30.000 €"),
            (Some(20000), Some(30000), Some("EUR"))
        );
        assert_eq!(b("Budget bis 6.000 €"), (None, Some(6000), Some("EUR")));
        assert_eq!(b("Ab 50.000 € aufwärts"), (Some(50000), None, Some("EUR")));
        assert_eq!(
            b("etwa 15 Tsd. Euro"),
            (Some(15000), Some(15000), Some("EUR"))
        );
        assert_eq!(b("40.000 CHF"), (Some(40000), Some(40000), Some("CHF")));
    }

    #[test]
    fn spanish() {
        assert_eq!(
            b("Entre 5.000 y 8.000 euros"),
            (Some(5000), Some(8000), Some("EUR"))
        );
        assert_eq!(
            b_in("unos 30 mil pesos", Some("MX")),
            (Some(30000), Some(30000), Some("MXN"))
        );
        assert_eq!(
            b_in("hasta 100 mil pesos", Some("MX")),
            (None, Some(100000), Some("MXN"))
        );
        assert_eq!(b("unos 2.000 €"), (Some(2000), Some(2000), Some("EUR")));
        assert_eq!(
            b_in("2 millones de pesos", Some("CO")),
            (Some(2_000_000), Some(2_000_000), Some("COP"))
        );
    }

    #[test]
    fn french() {
        assert_eq!(b("À partir de 3 000 €"), (Some(3000), None, Some("EUR")));
        assert_eq!(
            b("environ 200 € par mois"),
            (Some(200), Some(200), Some("EUR"))
        );
        assert_eq!(
            b("Entre 10 000 et 15 000 €"),
            (Some(10000), Some(15000), Some("EUR"))
        );
        assert_eq!(b("25 k€"), (Some(25000), Some(25000), Some("EUR")));
        assert_eq!(b("jusqu'à 12 000 euros"), (None, Some(12000), Some("EUR")));
    }

    #[test]
    fn caps_said_after_the_amount() {
        assert_eq!(b("£90 a month at most"), (None, Some(90), Some("GBP")));
        assert_eq!(b("$400/month max"), (None, Some(400), Some("USD")));
        assert_eq!(b("70 € par mois maximum"), (None, Some(70), Some("EUR")));
        assert_eq!(b("600 € höchstens"), (None, Some(600), Some("EUR")));
    }

    #[test]
    fn negated_lower_bounds_are_caps() {
        assert_eq!(b("we cannot go over €900"), (None, Some(900), Some("EUR")));
        assert_eq!(
            b("mehr als 250 € wollen wir nicht zahlen"),
            (None, Some(250), Some("EUR"))
        );
        assert_eq!(
            b("no podemos pagar más de 300 €"),
            (None, Some(300), Some("EUR"))
        );
        assert_eq!(b("more than 5k is fine"), (Some(5000), None, None));
    }

    #[test]
    fn named_dollars() {
        assert_eq!(b("environ 700 $ CA"), (Some(700), Some(700), Some("CAD")));
        assert_eq!(
            b("de 4 000 $ à 6 000 $ canadiens"),
            (Some(4000), Some(6000), Some("CAD"))
        );
        assert_eq!(b("1200 $ AUD"), (Some(1200), Some(1200), Some("AUD")));
        assert_eq!(b("about 80 bucks"), (Some(80), Some(80), Some("USD")));
        assert_eq!(
            b("entre 200 et 300 balles"),
            (Some(200), Some(300), Some("EUR"))
        );
        assert_eq!(b("$300 a month"), (Some(300), Some(300), Some("USD")));
    }

    #[test]
    fn bare_numbers_after_a_budget_question() {
        let found = |s: &str| -> Vec<(Option<u64>, Option<u64>)> {
            find(&fold_case(s), None, true)
                .into_iter()
                .map(|m| (m.budget.min(), m.budget.max()))
                .collect()
        };
        assert_eq!(found("1200 a year"), vec![(Some(1200), Some(1200))]);
        assert_eq!(found("tenemos 4 tiendas"), vec![]);
        assert_eq!(found("wir sind 12 Leute"), vec![]);
        assert_eq!(found("not before 2028"), vec![]);
        assert_eq!(
            found("2.000 € gesamt, live in 4 Wochen"),
            vec![(Some(2000), Some(2000))]
        );
    }

    #[test]
    fn bounds_are_checked() {
        assert_eq!(Budget::new(None, None, None), Err(BudgetError::NoAmount));
        assert_eq!(Budget::new(Some(5), Some(1), None), Err(BudgetError::Order));
        assert_eq!(Budget::new(Some(0), None, None), Err(BudgetError::Range));
        assert_eq!(
            Budget::parse("no money here", None),
            Err(BudgetError::NoAmount)
        );
        assert_eq!(
            Budget::parse(&"9".repeat(30), None),
            Err(BudgetError::NoAmount)
        );
        assert!(Currency::parse("XYZ").is_err());
    }

    #[test]
    fn codes_and_counts_are_not_money_without_a_cue() {
        let lower = fold_case("we are 45 people, NIP DE812345674");
        assert!(find(&lower, None, false).is_empty());
    }

    #[test]
    fn serde_checks_bounds() {
        let json = r#"{"min":40000,"max":80000,"currency":"PLN"}"#;
        let b: Budget = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&b).unwrap(), json);
        assert!(serde_json::from_str::<Budget>(r#"{"min":9,"max":1,"currency":null}"#).is_err());
    }
}
