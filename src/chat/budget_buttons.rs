//! The budget question's quick replies in the visitor's currency: a visitor who quoted pounds,
//! or who writes Polish, picks a range in pounds or złoty, not in euros. The ranges are the
//! same amounts everywhere, converted with the site's currency table (`[scoring]
//! currency_rates`) and rounded to figures people say ("5 tys. zł", "£1,000").

use std::collections::BTreeMap;

use crate::lead::{Currency, Lang, Region};

/// Where the buttons' ranges meet, in euros: under the first, between the two, over the second.
const LIMITS_EUR: [f64; 2] = [1_000.0, 5_000.0];

/// The currency to show a visitor: the last one they named with an amount, else the one their
/// language and region imply (Polish -> PLN, English in GB -> GBP, German in CH -> CHF), else
/// the euro.
pub(super) fn visitor_currency<'t>(
    visitor_texts: impl Iterator<Item = &'t str>,
    lang: Lang,
    region: Option<Region>,
) -> Currency {
    let named = visitor_texts
        .filter_map(|t| crate::lead::budget::currency_named(t, region))
        .last();
    named
        .or_else(|| region.and_then(|r| region_currency(r, lang)))
        .or_else(|| (lang == Lang::Pl).then(|| code("PLN")))
        .unwrap_or_else(|| code("EUR"))
}

fn code(c: &str) -> Currency {
    Currency::parse(c).expect("a currency in the lexicon")
}

/// The currency of a region, where the visitor's language is one spoken there: a French visitor
/// on a US site still sees euros, a French one in Switzerland francs.
fn region_currency(region: Region, lang: Lang) -> Option<Currency> {
    use Lang::{De, En, Es, Fr, Pl};
    let (currency, langs): (&str, &[Lang]) = match region.code() {
        "GB" => ("GBP", &[En]),
        "US" => ("USD", &[En, Es]),
        "CA" => ("CAD", &[En, Fr]),
        "AU" => ("AUD", &[En]),
        "NZ" => ("NZD", &[En]),
        "CH" => ("CHF", &[De, Fr]),
        "PL" => ("PLN", &[Pl]),
        "MX" => ("MXN", &[Es]),
        "AR" => ("ARS", &[Es]),
        "CO" => ("COP", &[Es]),
        "CL" => ("CLP", &[Es]),
        "IE" | "DE" | "AT" | "ES" | "FR" | "BE" | "LU" => ("EUR", &[En, De, Es, Fr]),
        _ => return None,
    };
    langs.contains(&lang).then(|| code(currency))
}

/// The budget buttons: each template with `{low}`, `{high}` and `{range}` filled in the
/// currency, or the templates as written when the currency has no rate in the table.
pub(super) fn budget_buttons(
    templates: &[String],
    lang: Lang,
    currency: Currency,
    rates: &BTreeMap<String, f64>,
) -> Vec<String> {
    let (currency, [low, high]) = match limits_in(currency, rates) {
        Some(limits) => (currency, limits),
        None => (code("EUR"), LIMITS_EUR.map(|l| l as u64)),
    };
    templates
        .iter()
        .map(|t| {
            t.replace("{range}", &range(lang, low, high, currency))
                .replace("{low}", &amount(lang, low, currency))
                .replace("{high}", &amount(lang, high, currency))
        })
        .collect()
}

/// The two limits converted into `currency` and made friendly, the second above the first.
fn limits_in(currency: Currency, rates: &BTreeMap<String, f64>) -> Option<[u64; 2]> {
    let eur = *rates.get("EUR")?;
    let rate = *rates.get(currency.code())?;
    if !(eur > 0.0 && rate > 0.0) {
        return None;
    }
    let low = friendly(LIMITS_EUR[0] * eur / rate);
    let high = friendly(LIMITS_EUR[1] * eur / rate).max(friendly(low as f64 * 2.5));
    Some([low, high])
}

/// The figure nearest to `x` (by ratio) among 1, 2 and 5 times a power of ten.
fn friendly(x: f64) -> u64 {
    if !x.is_finite() || x < 1.0 {
        return 1;
    }
    let power = 10f64.powi(x.log10().floor() as i32);
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .min_by(|a, b| (x / a).ln().abs().total_cmp(&(x / b).ln().abs()))
        .map_or(1, |f| f.round() as u64)
}

/// How a currency is written next to an amount, and whether before it (in English).
fn sign(currency: Currency) -> (&'static str, bool) {
    match currency.code() {
        "EUR" => ("€", true),
        "GBP" => ("£", true),
        "USD" => ("$", true),
        "PLN" => ("zł", false),
        other => (other, false),
    }
}

/// Digits grouped in threes the language's way: "5,000", "5.000", "5 000"; Polish leaves four
/// digits ungrouped ("5000", "20 000").
fn grouped(lang: Lang, n: u64) -> String {
    let sep = match lang {
        Lang::En => ",",
        Lang::De | Lang::Es => ".",
        Lang::Fr | Lang::Pl => " ",
    };
    let digits = n.to_string();
    if lang == Lang::Pl && digits.len() <= 4 {
        return digits;
    }
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(d);
    }
    out
}

/// Złoty in thousands, as Poles write them: "5 tys. zł".
fn polish_thousands(lang: Lang, currency: Currency, n: u64) -> Option<u64> {
    (lang == Lang::Pl && currency.code() == "PLN" && n >= 1_000 && n.is_multiple_of(1_000))
        .then_some(n / 1_000)
}

/// One amount with its currency: "£1,000", "CHF 1,000", "1.000 €", "5 tys. zł".
fn amount(lang: Lang, n: u64, currency: Currency) -> String {
    if let Some(k) = polish_thousands(lang, currency, n) {
        return format!("{k} tys. zł");
    }
    with_sign(lang, &grouped(lang, n), currency)
}

/// A range with its currency once: "£1,000–5,000", "1.000–5.000 €", "5–20 tys. zł".
fn range(lang: Lang, low: u64, high: u64, currency: Currency) -> String {
    if let (Some(a), Some(b)) = (
        polish_thousands(lang, currency, low),
        polish_thousands(lang, currency, high),
    ) {
        return format!("{a}–{b} tys. zł");
    }
    let numbers = format!("{}–{}", grouped(lang, low), grouped(lang, high));
    with_sign(lang, &numbers, currency)
}

fn with_sign(lang: Lang, numbers: &str, currency: Currency) -> String {
    let (sign, before) = sign(currency);
    match (lang, before) {
        (Lang::En, true) => format!("{sign}{numbers}"),
        (Lang::En, false) if sign.len() == 3 => format!("{sign} {numbers}"),
        _ => format!("{numbers} {sign}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates() -> BTreeMap<String, f64> {
        crate::lead::ScoringRules::default().currency_rates
    }

    fn buttons(lang: Lang, cur: &str) -> Vec<String> {
        let t: Vec<String> = ["Under {low}", "{range}", "Over {high}"]
            .map(str::to_owned)
            .to_vec();
        budget_buttons(&t, lang, code(cur), &rates())
    }

    #[test]
    fn figures_are_rounded_to_one_two_or_five() {
        assert_eq!(friendly(4_348.0), 5_000);
        assert_eq!(friendly(21_739.0), 20_000);
        assert_eq!(friendly(855.0), 1_000);
        assert_eq!(friendly(1_400.0), 1_000);
        assert_eq!(friendly(1_600.0), 2_000);
        assert_eq!(friendly(0.2), 1);
    }

    #[test]
    fn ranges_are_converted_and_written_the_languages_way() {
        assert_eq!(
            buttons(Lang::En, "GBP"),
            ["Under £1,000", "£1,000–5,000", "Over £5,000"]
        );
        assert_eq!(
            buttons(Lang::En, "EUR"),
            ["Under €1,000", "€1,000–5,000", "Over €5,000"]
        );
        assert_eq!(
            buttons(Lang::Pl, "PLN"),
            ["Under 5 tys. zł", "5–20 tys. zł", "Over 20 tys. zł"]
        );
        assert_eq!(
            buttons(Lang::De, "CHF"),
            ["Under 1.000 CHF", "1.000–5.000 CHF", "Over 5.000 CHF"]
        );
        assert_eq!(
            buttons(Lang::Fr, "EUR"),
            ["Under 1 000 €", "1 000–5 000 €", "Over 5 000 €"]
        );
        assert_eq!(
            buttons(Lang::Es, "MXN"),
            ["Under 20.000 MXN", "20.000–100.000 MXN", "Over 100.000 MXN"]
        );
    }

    #[test]
    fn a_currency_without_a_rate_keeps_euros() {
        let t = vec!["{range}".to_owned()];
        let mut only_eur = BTreeMap::new();
        only_eur.insert("EUR".to_owned(), 1.0);
        assert_eq!(
            budget_buttons(&t, Lang::En, code("GBP"), &only_eur),
            ["€1,000–5,000"]
        );
    }

    #[test]
    fn the_currency_comes_from_the_words_then_language_and_region() {
        let gb = Region::parse("GB").ok();
        let us = Region::parse("US").ok();
        let ch = Region::parse("CH").ok();
        let none = std::iter::empty::<&str>;
        assert_eq!(
            visitor_currency(["we pay £300 a month now"].into_iter(), Lang::En, us).code(),
            "GBP"
        );
        assert_eq!(visitor_currency(none(), Lang::En, gb).code(), "GBP");
        assert_eq!(visitor_currency(none(), Lang::Pl, us).code(), "PLN");
        assert_eq!(visitor_currency(none(), Lang::De, ch).code(), "CHF");
        // A French visitor on a US site: the region is not theirs.
        assert_eq!(visitor_currency(none(), Lang::Fr, us).code(), "EUR");
        assert_eq!(visitor_currency(none(), Lang::Es, None).code(), "EUR");
    }
}
