//! Company sizes: head counts with a word for people ("45 Mitarbeiter", "a 50-person company"),
//! in words ("forty employees", "une trentaine de personnes") or after "we are" ("somos 9").

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::Found;
use crate::lead::CompanySize;
use crate::lead::lexicon;
use crate::lead::text::{trim_boundaries, word_regex};

/// A number as head counts are written: "45", "2.400", "1,200", "3 400".
static SIZE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,3}(?:[.,\u{a0}\u{202f} ]\d{3})+|\d{1,7}").expect("size number")
});

/// What makes the number before it a head count: "45 Mitarbeitern", "10-12 people", "30+
/// full-time staff", "a 1,200-person company". Anchored at the number's end, so the search runs forward from there: the
/// same words searched unanchored let the regex engine's reverse search start at "400" of
/// "2.400 Mitarbeiter".
static SIZE_UNIT_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(
        r"^(?:\s*(?:-|–|to|bis|do|a|à)\s*\d[\d.,]*)?(?:\s*|-)(?:\+\s*)?(?:full[\s-]time\s+)?(?:person|man|strong|employee|osobow\w*|people|persons|employees|staff|ftes?|workers|team\s+members|headcount|osób|osoby|pracowników|pracownikami|pracownicy|ludzi|mitarbeiter(?:innen|:innen|\*innen|n)?|mitarbeitende[n]?|beschäftigte[n]?|angestellte[n]?|leute[n]?|personen|köpfe[n]?|empleados|empleadas|personas|trabajadores|colaboradores|salariés|salariées|salaries|personnes|employés|employées|collaborateurs|collaboratrices|salarié)(?:$|[^\p{L}\p{N}_])",
    )
});

/// The Polish "N-osobowy" describes a sofa or a tent as readily as a firm: it gives a head count
/// only next to a word for the business ("5-osobowa firma", "zespół 12-osobowy").
static BUSINESS_NEAR_PL: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(
        r"\b(?:firm\w*|zesp[oó]\w*|ekip\w*|biur\w*|spółk\w*|działalnoś\w*|kancelari\w*|gabinet\w*|salon\w*|sklep\w*|agencj\w*|studi\w*|przedsiębiorstw\w*|załog\w*)\b",
    )
});

/// Whether an "osobowy" head count has a word for the business in the two words either side.
fn adjective_count_names_business(lower: &str, span: &std::ops::Range<usize>) -> bool {
    let before: String = crate::lead::text::words_before(lower, span.start, 2).join(" ");
    let after: String = lower[span.end..]
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    BUSINESS_NEAR_PL.is_match(&before) || BUSINESS_NEAR_PL.is_match(&after)
}

/// Head counts stated with a word for people after them, as (span of number and word, count).
fn sizes_with_unit(lower: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    for num in SIZE_NUMBER.find_iter(lower) {
        let glued = lower[..num.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        // The end of a range already read with its start ("10-12 people").
        let in_range = out
            .last()
            .is_some_and(|(span, _): &(std::ops::Range<usize>, &str)| span.end > num.start());
        if glued || in_range {
            continue;
        }
        if let Some(unit) = SIZE_UNIT_AFTER.find(&lower[num.end()..]) {
            let span = trim_boundaries(lower, num.start()..num.end() + unit.end());
            if unit.as_str().contains("osobow") && !adjective_count_names_business(lower, &span) {
                continue;
            }
            out.push((span, num.as_str()));
        }
    }
    for word in SIZE_NUMBER_WORD.find_iter(lower) {
        let word = trim_boundaries(lower, word.range());
        let read = out
            .iter()
            .any(|(span, _)| span.start <= word.start && word.start < span.end);
        if read {
            continue;
        }
        // "catering for forty people" is a capacity, not a head count.
        let capacity = crate::lead::text::words_before(lower, word.start, 1)
            .first()
            .is_some_and(|w| matches!(*w, "for" | "für" | "dla" | "para" | "pour"));
        if let Some(unit) = SIZE_UNIT_AFTER.find(&lower[word.end..])
            && !unit.as_str().contains("osobow")
            && !capacity
        {
            let span = trim_boundaries(lower, word.start..word.end + unit.end());
            out.push((span, &lower[word.clone()]));
        }
    }
    out.sort_by_key(|(span, _)| span.start);
    out
}

/// A round count written as a word, followed by a word for people (checked by the caller).
/// Small counts in words with a word for people are a table or a room as often as a team
/// ("a table for four people"), so they count only after "we are" ([`SIZE_WE_ARE`]).
static SIZE_NUMBER_WORD: LazyLock<Regex> = LazyLock::new(|| {
    let mut words: Vec<&str> = lexicon::TENS_WORDS.entries().map(|(w, _)| w).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    word_regex(&format!(r"\b(?:{})\b", words.join("|")))
});

/// Head counts in words, the small ones ("we are three") before the round ones ("forty
/// employees").
static COUNT_AND_TENS_WORDS: LazyLock<Vec<(&'static str, u32)>> = LazyLock::new(|| {
    lexicon::COUNT_WORDS
        .entries()
        .chain(lexicon::TENS_WORDS.entries())
        .collect()
});

/// The value of a head count written in digits or words, with or without diacritics.
fn count_value(written: &str) -> Option<u32> {
    if let Ok(n) = written.parse() {
        return Some(n);
    }
    let plain = crate::lead::text::strip_accents(written);
    let umlauts = |w: &str| {
        crate::lead::text::strip_accents(
            &w.replace('ä', "ae")
                .replace('ö', "oe")
                .replace('ü', "ue")
                .replace('ß', "ss"),
        )
    };
    COUNT_AND_TENS_WORDS
        .iter()
        .find(|(w, _)| {
            *w == written || crate::lead::text::strip_accents(w) == plain || umlauts(w) == written
        })
        .map(|(_, n)| *n)
}

static SIZE_WE_ARE: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<&str> = lexicon::COUNT_WORDS.entries().map(|(w, _)| w).collect();
    word_regex(&format!(
        r"\b(?:we(?:'re|\s+are)|somos|on\s+est|nous\s+sommes|wir\s+sind(?:\s+zu)?|jest\s+nas|jesteśmy|team\s+of|a\s+team\s+of|equipo\s+de|équipe\s+de|zespół|company\s+of|firma\s+mit|empresa\s+de|there(?:'s|\s+is|\s+are|'re)|(?:just|only)\s+the)\s+(?:about|around|roughly|approximately|approx\.?|like|ca\.?|circa|rund|etwa|ungefähr|so|unos|unas|como|más\s+o\s+menos|cerca\s+de|environ|à\s+peu\s+près|około|ok\.|jakieś|only|just|nur|solo|seulement|tylko|übrigens|also)?\s*(\d{{1,6}}|{})\b",
        words.join("|")
    ))
});

/// A round number of people: "une trentaine de personnes", "una veintena de empleados".
static SIZE_ROUGHLY: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(
        r"\b(dizaine|douzaine|quinzaine|vingtaine|trentaine|quarantaine|cinquantaine|soixantaine|centaine|decena|docena|veintena|treintena|cuarentena|cincuentena|centena)\s+(?:de\s+|d')(?:personnes|salariés|employés|collaborateurs|personas|empleados|trabajadores|colaboradores)\b",
    )
});

fn roughly_value(word: &str) -> u32 {
    match word {
        "dizaine" | "decena" => 10,
        "douzaine" | "docena" => 12,
        "quinzaine" => 15,
        "vingtaine" | "veintena" => 20,
        "trentaine" | "treintena" => 30,
        "quarantaine" | "cuarentena" => 40,
        "cinquantaine" | "cincuentena" => 50,
        "soixantaine" => 60,
        _ => 100,
    }
}

/// "55 on the payroll".
static SIZE_PAYROLL: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(r"\b(\d{1,6})\s+(?:people\s+|staff\s+)?on\s+(?:the|our)\s+payroll\b")
});

/// Finds a stated head count in a lower-cased message (budgets and phones blanked out).
pub(crate) fn company_sizes(lower: &str) -> Vec<Found<CompanySize>> {
    let mut out = Vec::new();
    let digits = lower.bytes().any(|b| b.is_ascii_digit());
    // Without digits only a count in words can be said, and only after "we are" and the like.
    let roughly = lower.contains("aine d") || lower.contains("ena d");
    let in_words = SIZE_NUMBER_WORD.is_match(lower);
    if !digits && !roughly && !in_words && !SIZE_WE_ARE.is_match(lower) {
        return out;
    }
    if digits || in_words {
        read_with_unit(lower, &mut out);
    }
    if lower.contains("payroll") && digits {
        read_on_the_payroll(lower, &mut out);
    }
    if roughly {
        read_round_numbers(lower, &mut out);
    }
    read_we_are(lower, &mut out);
    out.sort_by_key(|f| f.span.start);
    out
}

/// Whether a span overlaps a head count read already.
fn overlaps_read(out: &[Found<CompanySize>], span: &Range<usize>) -> bool {
    out.iter()
        .any(|f| f.span.start < span.end && span.start < f.span.end)
}

/// Head counts with a word for people: "45 Mitarbeiter", "forty employees".
fn read_with_unit(lower: &str, out: &mut Vec<Found<CompanySize>>) {
    for (span, n) in sizes_with_unit(lower) {
        let size = CompanySize::parse(n)
            .ok()
            .or_else(|| count_value(n).and_then(|n| CompanySize::try_from(u64::from(n)).ok()));
        if let Some(size) = size {
            out.push(Found { span, value: size });
        }
    }
}

/// "55 on the payroll", unless "55 people on the payroll" was read as "55 people" already.
fn read_on_the_payroll(lower: &str, out: &mut Vec<Found<CompanySize>>) {
    for caps in SIZE_PAYROLL.captures_iter(lower) {
        let n = caps.get(1).expect("number");
        let span = trim_boundaries(lower, caps.get(0).expect("match").range());
        if !overlaps_read(out, &span)
            && let Ok(size) = CompanySize::parse(n.as_str())
        {
            out.push(Found { span, value: size });
        }
    }
}

/// A round number of people: "une trentaine de personnes", "una veintena de empleados".
fn read_round_numbers(lower: &str, out: &mut Vec<Found<CompanySize>>) {
    for caps in SIZE_ROUGHLY.captures_iter(lower) {
        let n = roughly_value(&caps[1]);
        if let Ok(size) = CompanySize::try_from(u64::from(n)) {
            out.push(Found {
                span: trim_boundaries(lower, caps.get(0).expect("match").range()),
                value: size,
            });
        }
    }
}

/// A count after "we are" and the like: "Somos 9.", "jest nas pięciu", "there are 14 of us".
fn read_we_are(lower: &str, out: &mut Vec<Found<CompanySize>>) {
    for caps in SIZE_WE_ARE.captures_iter(lower) {
        let whole = trim_boundaries(lower, caps.get(0).expect("match").range());
        let rest = lower[whole.end..].trim_start();
        // "we're 30% cheaper", "somos 2 socios", "wir sind 3 Jahre alt": only a bare count, one
        // that ends the sentence, or one placed or broken down ("somos 18 en la clínica", "20
        // entre abogados y administrativos", "there are 11 of us in total").
        let next_word = rest
            .split(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or_default();
        let ends = rest.is_empty()
            || rest.starts_with(['.', ',', '!', ';', ')', '\n', '-'])
            || lexicon::WORDS_AFTER_COUNT.contains(next_word);
        // "there are 14 of us", "it's just the three of us".
        let whole_cue = caps[0].trim_start_matches(|c: char| !c.is_alphanumeric());
        let says_of_us = ["there", "just", "only"]
            .iter()
            .any(|w| whole_cue.starts_with(w));
        if says_of_us && !rest.starts_with("of us") {
            continue;
        }
        if !ends || overlaps_read(out, &whole) {
            continue;
        }
        if let Some(size) =
            count_value(&caps[1]).and_then(|n| CompanySize::try_from(u64::from(n)).ok())
        {
            out.push(Found {
                span: whole,
                value: size,
            });
        }
    }
}
