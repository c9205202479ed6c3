//! Finders for the facts that have a shape of their own: email addresses (plain and spoken),
//! phone numbers, company sizes and competitor names.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::lead::lexicon;
use crate::lead::text::{is_whole_word, tail, trim_boundaries, word_regex};
use crate::lead::{CompanySize, Email, PhoneE164, Region};

static PLAIN_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+").expect("email pattern")
});

/// "jan at firma dot pl", "anna(at)firma.de", "pablo [at] reformasdelsur [dot] es",
/// "aurelie.fontaine arobase fontaine-cosmetiques point fr", "ola małpa firma kropka pl".
static SPOKEN_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    let at_word = r"at|@|małpa|malpa|arroba|arobase|klammeraffe|affe";
    let dot_word = r"dot|punkt|kropka|punto|point|pkt";
    Regex::new(&format!(
        r"(?P<local>[a-z0-9][a-z0-9._%+-]*(?:\s+(?:{dot_word})\s+[a-z0-9][a-z0-9._%+-]*)*)(?P<at>\s*[(\[{{<]\s*(?:{at_word})\s*[)\]}}>]\s*|\s+(?:{at_word})\s+|\s*@\s+|\s+@\s*)(?P<domain>[a-z0-9][a-z0-9-]*(?:(?:\s*[(\[{{<]\s*(?:{dot_word}|\.)\s*[)\]}}>]\s*|\s+(?:{dot_word})\s+|\.)[a-z0-9][a-z0-9-]*)+)"
    ))
    .expect("spoken email pattern")
});

/// Whether a message says "at" in any of the ways a spoken address does; most messages do not,
/// and the full spoken-address pattern is then not run.
static SPOKEN_AT: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::new([
        " at ",
        "(at",
        "[at",
        "{at",
        "<at",
        "@",
        "małpa",
        "malpa",
        "arroba",
        "arobase",
        "klammeraffe",
        "affe",
    ])
    .expect("at words")
});

static DOT_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*[(\[{<]\s*(?:dot|punkt|kropka|punto|point|pkt|\.)\s*[)\]}>]\s*|\s+(?:dot|punkt|kropka|punto|point|pkt)\s+").expect("dot pattern")
});

/// An address found in a message.
pub(crate) struct Found<T> {
    pub span: Range<usize>,
    pub value: T,
}

/// Finds email addresses, plain or spoken, in a lower-cased message.
pub(crate) fn emails(lower: &str) -> Vec<Found<Email>> {
    let mut out: Vec<Found<Email>> = Vec::new();
    if lower.contains('@') {
        for m in PLAIN_EMAIL.find_iter(lower) {
            let raw = m.as_str();
            let trimmed_start = raw.len()
                - raw
                    .trim_start_matches(['\'', '"', '`', '{', '|', '}', '~', '.', '-'])
                    .len();
            let candidate = &raw[trimmed_start..];
            if let Ok(email) = Email::parse(candidate) {
                out.push(Found {
                    span: m.start() + trimmed_start..m.end(),
                    value: email,
                });
            }
        }
    }
    if !SPOKEN_AT.is_match(lower) {
        return out;
    }
    for caps in SPOKEN_EMAIL.captures_iter(lower) {
        let whole = caps.get(0).expect("match");
        if out
            .iter()
            .any(|f| f.span.start < whole.end() && whole.start() < f.span.end)
        {
            continue;
        }
        // "lukasz kropka piatek małpa …": a spoken dot inside the mailbox too.
        let local = DOT_SEPARATOR.replace_all(caps.name("local").expect("local").as_str(), ".");
        let local = local.as_ref();
        let at = caps.name("at").expect("at").as_str().trim();
        let spoken_at = !at.contains('@') && !at.starts_with(['(', '[', '{', '<']);
        if spoken_at && lexicon::NOT_A_MAILBOX.contains(local) {
            continue;
        }
        if !is_whole_word(lower, whole.start(), whole.end()) {
            continue;
        }
        let domain = DOT_SEPARATOR.replace_all(caps.name("domain").expect("domain").as_str(), ".");
        if let Ok(email) = Email::parse(&format!("{local}@{domain}")) {
            out.push(Found {
                span: whole.range(),
                value: email,
            });
        }
    }
    out.sort_by_key(|f| f.span.start);
    out
}

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
    let payroll = lower.contains("payroll");
    if digits || in_words {
        for (span, n) in sizes_with_unit(lower) {
            let size = CompanySize::parse(n)
                .ok()
                .or_else(|| count_value(n).and_then(|n| CompanySize::try_from(u64::from(n)).ok()));
            if let Some(size) = size {
                out.push(Found { span, value: size });
            }
        }
    }
    if payroll && digits {
        for caps in SIZE_PAYROLL.captures_iter(lower) {
            let n = caps.get(1).expect("number");
            let span = trim_boundaries(lower, caps.get(0).expect("match").range());
            // "55 people on the payroll" is already read as "55 people".
            let read = out
                .iter()
                .any(|f| f.span.start < span.end && span.start < f.span.end);
            if !read && let Ok(size) = CompanySize::parse(n.as_str()) {
                out.push(Found { span, value: size });
            }
        }
    }
    if roughly {
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
        if !ends
            || out
                .iter()
                .any(|f: &Found<CompanySize>| f.span.start < whole.end && whole.start < f.span.end)
        {
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
    out.sort_by_key(|f| f.span.start);
    out
}

/// The configured competitors, matched as whole words in any case, with Polish, German and
/// Spanish inflections ("Zendeska", "Intercomem", "Tidio's").
pub struct Competitors {
    names: Vec<String>,
    folded: Vec<String>,
    finder: Option<aho_corasick::AhoCorasick>,
}

impl Competitors {
    /// Builds the matcher once for a competitor list.
    pub fn new(names: &[String]) -> Competitors {
        let names: Vec<String> = names
            .iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let folded: Vec<String> = names
            .iter()
            .map(|n| crate::lead::text::fold_case(n))
            .collect();
        let finder =
            (!folded.is_empty()).then(|| aho_corasick::AhoCorasick::new(&folded).expect("names"));
        Competitors {
            names,
            folded,
            finder,
        }
    }

    /// The competitors a lower-cased message mentions, in configured spelling and order.
    pub fn mentioned(&self, lower: &str) -> Vec<&str> {
        let Some(finder) = &self.finder else {
            return Vec::new();
        };
        let mut seen = vec![false; self.names.len()];
        for m in finder.find_overlapping_iter(lower) {
            let before = lower[..m.start()].chars().next_back();
            if before.is_some_and(char::is_alphanumeric) {
                continue;
            }
            let rest = &lower[m.end()..];
            let suffix = lexicon::COMPETITOR_INFLECTIONS.words().iter().find(|s| {
                rest.starts_with(*s) && !rest[s.len()..].starts_with(char::is_alphanumeric)
            });
            let end_ok = !rest.starts_with(char::is_alphanumeric) || suffix.is_some();
            if end_ok {
                seen[m.pattern().as_usize()] = true;
            }
        }
        (0..self.names.len())
            .filter(|&i| seen[i])
            .map(|i| self.names[i].as_str())
            .collect()
    }

    /// Whether a lower-cased word or phrase is one of the competitors.
    pub fn is_competitor(&self, lower: &str) -> bool {
        self.folded.iter().any(|n| n == lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::text::fold_case;

    fn emails_in(text: &str) -> Vec<String> {
        emails(&fold_case(text))
            .into_iter()
            .map(|f| f.value.to_string())
            .collect()
    }

    #[test]
    fn plain_and_spoken_addresses_in_five_languages() {
        assert_eq!(
            emails_in("rachel@copperleafins.com, or call (617) 294-3381"),
            vec!["rachel@copperleafins.com"]
        );
        assert_eq!(
            emails_in("W.KOWALCZYK@BUDMAR.PL, tel. 22 845 61 30"),
            vec!["w.kowalczyk@budmar.pl"]
        );
        assert_eq!(
            emails_in("daniel at fernhill-digital dot co dot uk or +44"),
            vec!["daniel@fernhill-digital.co.uk"]
        );
        assert_eq!(
            emails_in("lukas.eder(at)eder-reisen.at, 0676"),
            vec!["lukas.eder@eder-reisen.at"]
        );
        assert_eq!(
            emails_in("pablo [at] reformasdelsur [dot] es o al 958"),
            vec!["pablo@reformasdelsur.es"]
        );
        assert_eq!(
            emails_in("aurelie.fontaine arobase fontaine-cosmetiques point fr, ou 01"),
            vec!["aurelie.fontaine@fontaine-cosmetiques.fr"]
        );
        assert_eq!(emails_in("ola małpa firma kropka pl"), vec!["ola@firma.pl"]);
        assert_eq!(
            emails_in("mail: ewa kropka nowak małpa sklep kropka pl"),
            vec!["ewa.nowak@sklep.pl"]
        );
        assert_eq!(
            emails_in("it's tom dot hale at brightwater dot io"),
            vec!["tom.hale@brightwater.io"]
        );
        assert_eq!(
            emails_in("juan arroba empresa punto com"),
            vec!["juan@empresa.com"]
        );
        assert_eq!(
            emails_in("max klammeraffe firma punkt de"),
            vec!["max@firma.de"]
        );
        assert_eq!(
            emails_in("mail an jan @ firma.de bitte"),
            vec!["jan@firma.de"]
        );
        assert_eq!(emails_in("Sent to 'anna@firma.pl'."), vec!["anna@firma.pl"]);
    }

    #[test]
    fn sentences_are_not_addresses() {
        assert!(emails_in("I work at Acme dot com").is_empty());
        assert!(emails_in("we met at the fair in Berlin").is_empty());
        assert!(emails_in("contact me at noon").is_empty());
        assert!(emails_in("jan@localhost").is_empty());
    }

    fn phones_in(text: &str, region: &str) -> Vec<String> {
        phones(&fold_case(text), Region::parse(region).ok())
            .into_iter()
            .map(|f| f.value.to_string())
            .collect()
    }

    #[test]
    fn phones_and_non_phones() {
        assert_eq!(
            phones_in("mój numer to 601 - 234 - 567, mail", "PL"),
            vec!["+48601234567"]
        );
        assert_eq!(
            phones_in("rachel@x.com, or call (617) 294-3381", "US"),
            vec!["+16172943381"]
        );
        assert_eq!(phones_in("0034 688 12 34 56", "ES"), vec!["+34688123456"]);
        assert_eq!(
            phones_in("edouard@d.be, +32 (0)4 223 45 67", "BE"),
            vec!["+3242234567"]
        );
        assert!(phones_in("NIP: 525-000-12-33", "PL").is_empty());
        assert!(phones_in("(USt-IdNr. DE812345674)", "DE").is_empty());
        assert!(phones_in("SIRET 552 100 554 00025", "FR").is_empty());
        assert!(phones_in("tel 48 601 22", "PL").is_empty());
        assert!(phones_in("on 15.06.2026 at 10:30", "DE").is_empty());
        assert!(phones_in("order 601234567", "PL").is_empty());
        // Identifier words typed without diacritics.
        assert!(phones_in("gdzie jest moje zamowienie 601 234 567?", "PL").is_empty());
        assert!(phones_in("numero de envio 612 345 678", "ES").is_empty());
        assert!(phones_in("ma reference client 06 12 34 56 78", "FR").is_empty());
        assert_eq!(
            phones_in("Tel. 089 4411 2290, Fax 089 4411 2299", "DE"),
            vec!["+498944112290"]
        );
    }

    fn size_in(text: &str) -> Option<u32> {
        company_sizes(&fold_case(text))
            .last()
            .map(|f| f.value.people())
    }

    #[test]
    fn head_counts_in_five_languages() {
        assert_eq!(size_in("we're about 45 people."), Some(45));
        assert_eq!(size_in("Zatrudniamy 250 osób."), Some(250));
        assert_eq!(size_in("Wir haben 70 Mitarbeiter."), Some(70));
        assert_eq!(size_in("wir sind 7 Leute."), Some(7));
        assert_eq!(size_in("Somos unos 300 empleados."), Some(300));
        assert_eq!(size_in("Somos 9."), Some(9));
        assert_eq!(size_in("On est 4."), Some(4));
        assert_eq!(size_in("35 salariés"), Some(35));
        assert_eq!(size_in("a 50-person company"), Some(50));
        assert_eq!(size_in("team of 12"), Some(12));
        assert_eq!(size_in("1,200 employees"), Some(1200));
        assert_eq!(size_in("¿Cuánto cuesta para 15 agentes?"), None);
        assert_eq!(size_in("we're 30% cheaper"), None);
    }

    #[test]
    fn head_counts_with_thousands_separators_and_inflected_words() {
        assert_eq!(size_in("Wir beschäftigen 2.400 Mitarbeiter."), Some(2400));
        assert_eq!(size_in("ein Familienbetrieb mit 38 Mitarbeitern"), Some(38));
        assert_eq!(size_in("Zatrudniamy 3 400 osób."), Some(3400));
        assert_eq!(size_in("Somos 2.100 empleadas y empleados"), Some(2100));
        assert_eq!(size_in("nous avons 1 800 collaboratrices"), Some(1800));
        assert_eq!(size_in("a 2,300-person insurer"), Some(2300));
        assert_eq!(size_in("between 15-20 people"), Some(15));
    }

    #[test]
    fn head_counts_in_words_and_placed() {
        assert_eq!(size_in("There are 14 of us in total."), Some(14));
        assert_eq!(size_in("there's 3 of us"), Some(3));
        assert_eq!(size_in("it's just the three of us"), Some(3));
        assert_eq!(size_in("only the 2 of us run it"), Some(2));
        assert_eq!(size_in("just the 2 of them"), None);
        assert_eq!(size_in("there are 40 of them"), None);
        assert_eq!(size_in("Jest nas pięciu."), Some(5));
        assert_eq!(size_in("Wir sind zu dritt."), Some(3));
        assert_eq!(size_in("on est quatre, avec le stagiaire"), Some(4));
        assert_eq!(size_in("Somos 25 en la oficina."), Some(25));
        assert_eq!(size_in("somos 9 entre técnicos y comerciales"), Some(9));
        assert_eq!(size_in("we have 70 on the payroll"), Some(70));
        assert_eq!(size_in("somos dos socios"), None);
        assert_eq!(size_in("nous sommes une vingtaine de salariés"), Some(20));
        assert_eq!(size_in("somos una docena de empleados"), Some(12));
        assert_eq!(size_in("we are two weeks late"), None);
    }

    #[test]
    fn head_counts_typed_casually_or_in_tens() {
        assert_eq!(size_in("mamy jakies 60 pracownikow"), Some(60));
        assert_eq!(size_in("w salonie jest 6 osob"), Some(6));
        assert_eq!(size_in("wir haben 35 Beschaeftigte"), Some(35));
        assert_eq!(size_in("we're like 25"), Some(25));
        assert_eq!(size_in("somos como 40"), Some(40));
        assert_eq!(size_in("nous sommes nonante collaborateurs"), Some(90));
        assert_eq!(size_in("on est soixante-dix personnes"), Some(70));
        assert_eq!(size_in("about thirty employees"), Some(30));
        assert_eq!(size_in("rund fünfzig Mitarbeiter"), Some(50));
        assert_eq!(size_in("zatrudniamy czterdziestu pracowników"), Some(40));
        assert_eq!(size_in("somos cuarenta personas"), Some(40));
        assert_eq!(size_in("prowadzę 4-osobową firmę"), Some(4));
        assert_eq!(size_in("szukam stołu 6 osobowego do jadalni"), None);
        assert_eq!(size_in("a table for four people"), None);
        assert_eq!(size_in("catering for forty people"), None);
    }

    #[test]
    fn competitors_with_inflections() {
        let c = Competitors::new(&[
            "Intercom".into(),
            "Zendesk".into(),
            "LiveChat".into(),
            "Drift".into(),
        ]);
        assert_eq!(
            c.mentioned(&fold_case("Mamy Zendeska, ale chcemy bota")),
            vec!["Zendesk"]
        );
        assert_eq!(
            c.mentioned(&fold_case("We use Intercom and LiveChat")),
            vec!["Intercom", "LiveChat"]
        );
        assert!(c.mentioned(&fold_case("we are drifting apart")).is_empty());
        assert!(c.mentioned(&fold_case("intercoms")).len() == 1);
        assert!(Competitors::new(&[]).mentioned("anything").is_empty());
        assert!(c.is_competitor("zendesk"));
    }
}
