//! What the words of a time frame mean: month names and number words by value, units, weekdays
//! and ordinals, and the alternations the rules are written with.

use std::collections::HashMap;
use std::sync::LazyLock;

use time::Weekday;

use crate::lead::lexicon;

/// Month names of every language by their number.
pub(super) static MONTH_NUMBER: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    lexicon::MONTHS
        .entries()
        .map(|(w, n)| (w, u8::try_from(n).expect("a month is 1 to 12")))
        .collect()
});

/// Month words as a regex alternation, longest first.
pub(super) fn month_alternation() -> String {
    let mut words: Vec<&str> = lexicon::MONTHS.entries().map(|(w, _)| w).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.join("|")
}

/// Number words of every language by their value.
pub(super) static NUMBER_VALUE: LazyLock<HashMap<&'static str, u32>> =
    LazyLock::new(|| lexicon::NUMBER_WORDS.entries().collect());

pub(super) fn number_alternation() -> String {
    let mut words: Vec<&str> = lexicon::NUMBER_WORDS.entries().map(|(w, _)| w).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    format!(r"\d{{1,3}}|{}", words.join("|"))
}

/// What a unit word measures.
#[derive(Clone, Copy)]
pub(super) enum Unit {
    Day,
    Week,
    Month,
    Year,
}

pub(super) fn unit_of(word: &str) -> Option<Unit> {
    let w = word;
    let unit = if w.starts_with("day")
        || w.starts_with("dni")
        || w.starts_with("dzie")
        || w.starts_with("tag")
        || w.starts_with("día")
        || w.starts_with("dia")
        || w.starts_with("jour")
    {
        Unit::Day
    } else if w.starts_with("week")
        || w.starts_with("tydz")
        || w.starts_with("tygod")
        || w.starts_with("woche")
        || w.starts_with("semana")
        || w.starts_with("semaine")
    {
        Unit::Week
    } else if w.starts_with("month")
        || w.starts_with("miesi")
        || w.starts_with("monat")
        || w.starts_with("mes")
        || w.starts_with("mois")
    {
        Unit::Month
    } else if w.starts_with("year")
        || w.starts_with("rok")
        || w.starts_with("lat")
        || w.starts_with("jahr")
        || w.starts_with("año")
        || w.starts_with("ano")
        || w == "an"
        || w == "ans"
        || w.starts_with("année")
    {
        Unit::Year
    } else {
        return None;
    };
    Some(unit)
}

pub(super) const UNIT_WORDS: &str = r"days?|dni|dnia|dzień|tage?n?|tag|días?|dias?|jours?|weeks?|tydzień|tygodni[ea]?|wochen?|semanas?|semaines?|months?|miesiąc[ea]?|miesięcy|miesiąca|monate?n?|monat|mes|meses|mois|years?|rok|roku|lata|lat|jahre?n?|jahr|años?|ans?|années?";

/// The weekday names as the rules match them, inflected Polish forms included.
pub(super) const WEEKDAY_PATTERN: &str = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|poniedział\w*|wtor\w*|środ\w*|czwart(?:ek|ku)|piąt\w*|sobot\w*|niedziel\w*|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche";

/// Month names written out in full: a bare one answers "when?" ("August.", "Im Mai"). "May" is
/// left out, being an English verb too.
pub(super) fn full_month_alternation() -> String {
    let mut words: Vec<&str> = lexicon::MONTHS
        .entries()
        .map(|(w, _)| w)
        .filter(|w| w.chars().count() >= 4 || *w == "mai")
        .filter(|w| !matches!(*w, "sept"))
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.join("|")
}

pub(super) fn ordinal(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.');
    let n = match w {
        "1" | "i" | "first" | "1st" | "primer" | "premier" | "1er" => 1,
        "2" | "ii" | "second" | "2nd" | "segundo" | "deuxième" | "2e" | "2ème" => 2,
        "3" | "iii" | "third" | "3rd" | "tercer" | "troisième" | "3e" | "3ème" => 3,
        "4" | "iv" | "fourth" | "4th" | "cuarto" | "quatrième" | "4e" | "4ème" | "last"
        | "último" | "dernier" => 4,
        w if w.starts_with("pierwsz") || w.starts_with("erste") => 1,
        w if w.starts_with("drug") || w.starts_with("zweite") => 2,
        w if w.starts_with("trzeci") || w.starts_with("dritte") => 3,
        w if w.starts_with("czwart")
            || w.starts_with("vierte")
            || w.starts_with("ostatni")
            || w.starts_with("letzte") =>
        {
            4
        }
        _ => return None,
    };
    Some(n)
}

pub(super) fn weekday_of(word: &str) -> Option<Weekday> {
    // Compared without diacritics: "sabado", "miercoles", "piatek" are typed as often.
    let w = crate::lead::text::strip_accents(word);
    let is = |prefixes: &[&str]| prefixes.iter().any(|p| w.starts_with(p));
    let day = if is(&["mon", "poniedz", "lunes", "lundi"]) {
        Weekday::Monday
    } else if is(&["tue", "dienstag", "wtor", "martes", "mardi"]) {
        Weekday::Tuesday
    } else if is(&["wed", "mittwoch", "srod", "miercoles", "mercredi"]) {
        Weekday::Wednesday
    } else if is(&["thu", "donnerstag", "czwart", "jueves", "jeudi"]) {
        Weekday::Thursday
    } else if is(&["fri", "freitag", "piat", "viernes", "vendredi"]) {
        Weekday::Friday
    } else if is(&["sat", "samstag", "sobot", "sabado", "samedi"]) {
        Weekday::Saturday
    } else if is(&["sun", "sonntag", "niedziel", "domingo", "dimanche"]) {
        Weekday::Sunday
    } else {
        return None;
    };
    Some(day)
}
