//! Currencies: the ISO 4217 codes accepted, and the symbols and words people write for them
//! before or after an amount ("$15k", "30 mil pesos", "500 $ CA", "200 balles").

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::BudgetError;
use crate::lead::lexicon;
use crate::lead::locale::Region;

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

/// A currency symbol or code right before a number ("$15k", "€ 200", "PLN 5000"), anchored at
/// the end of the text before the number.
pub(super) static CURRENCY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\p{L}])(?P<cur>[€$£¥₹]|zł|zl|kč|kr\.?|fr\.|chf|eur|euros?|pln|usd|us\$|gbp|mxn|cad|aud|c\$|a\$|mx\$|r\$)\s?$")
        .expect("currency-before pattern")
});

/// The word that makes a "$" someone's own dollar: "500 $ CA", "20 000 $ canadiens", "$ AUD".
pub(super) static DOLLAR_QUALIFIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s?(?P<q>ca|can|cad|canadiens?|canadienses|canadian|aud|australiens?|australianos|australian|us|usd|américains?|estadounidenses|mxn|nzd)(?:[^\p{L}]|$)")
        .expect("dollar qualifier pattern")
});

pub(super) fn qualified_dollar(word: &str) -> Option<Currency> {
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
pub(super) static CURRENCY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s?(?:de\s)?(?P<cur>[€$£¥₹]|zł|zl(?-u:\b)|złotych|złote|złoty|zlotys?|zlotych|pln(?-u:\b)|eur(?-u:\b)|euros?|usd(?-u:\b)|dollars?|dólares|dolares|dollar|bucks|gbp(?-u:\b)|pounds?|livres?\s+sterling|quid|balles|chf(?-u:\b)|franken|francs?\s+suisses|swiss\s+francs?|francs?(?-u:\b)|fr\.|mxn(?-u:\b)|pesos(?:\s+(?:mexicanos|argentinos|colombianos|chilenos))?|cad(?-u:\b)|aud(?-u:\b)|nzd(?-u:\b)|ars(?-u:\b)|cop(?-u:\b)|clp(?-u:\b)|czk(?-u:\b)|kč|korun|sek(?-u:\b)|nok(?-u:\b)|dkk(?-u:\b)|kr(?-u:\b)|huf(?-u:\b)|ron(?-u:\b)|lei(?-u:\b)|brl(?-u:\b)|reais|jpy(?-u:\b)|yen|inr(?-u:\b)|rupees|canadian\s+dollars|australian\s+dollars)")
        .expect("currency pattern")
});

pub(super) fn currency_from_word(word: &str, region: Option<Region>) -> Option<Currency> {
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
