//! `Timeline`: how many days from the start of a conversation until the earliest day the
//! visitor's time frame points at. "ASAP" is 0, "within two weeks" 14, "next month" the 1st of
//! next month, "Q2" the first day of Q2 (0 once it has begun), "by the end of June" June 30.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, Weekday};

use super::lexicon;
use super::text::{fold_case, trim_boundaries, word_regex};

/// Days from the conversation start to the start of the visitor's time frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Timeline(u32);

/// Why a text is not a time frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    #[error("no time frame found")]
    NotFound,
    #[error("a time frame is between 0 and 3660 days away")]
    Range,
}

/// Ten years: anything further is not a sales timeline.
const MAX_DAYS: i64 = 3660;

impl Timeline {
    /// A timeline of `days` days.
    pub fn from_days(days: i64) -> Result<Timeline, TimelineError> {
        if !(0..=MAX_DAYS).contains(&days) {
            return Err(TimelineError::Range);
        }
        Ok(Timeline(days as u32))
    }

    /// Parses a phrase that states a time frame ("next month", "w ciągu dwóch tygodni",
    /// "bis Ende Mai", "en el Q3", "dès que possible") relative to `start`.
    pub fn parse(raw: &str, start: Date) -> Result<Timeline, TimelineError> {
        let lower = fold_case(raw);
        find(&lower, start)
            .into_iter()
            .next()
            .map(|m| m.timeline)
            .ok_or(TimelineError::NotFound)
    }

    /// The number of days.
    pub fn days(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} days", self.0)
    }
}

impl TryFrom<i64> for Timeline {
    type Error = TimelineError;
    fn try_from(days: i64) -> Result<Self, Self::Error> {
        Timeline::from_days(days)
    }
}

impl From<Timeline> for u32 {
    fn from(t: Timeline) -> Self {
        t.0
    }
}

/// How sure it is that an expression is the project's time frame and not, say, when to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    /// Weekdays, today, tomorrow: only an answer to "when?" makes them a timeline.
    Weak,
    /// Next week, a date, in ten days: a timeline when stated, not when asked about.
    Medium,
    /// ASAP, a month, a quarter, within weeks or months: a timeline wherever it appears.
    Strong,
}

/// A time frame found in a message.
#[derive(Debug, Clone)]
pub(crate) struct TimelineMention {
    pub span: Range<usize>,
    pub timeline: Timeline,
    pub strength: Strength,
}

/// Month names of every language by their number.
static MONTH_NUMBER: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    lexicon::MONTHS
        .entries()
        .map(|(w, n)| (w, u8::try_from(n).expect("a month is 1 to 12")))
        .collect()
});

/// Month words as a regex alternation, longest first.
fn month_alternation() -> String {
    let mut words: Vec<&str> = lexicon::MONTHS.entries().map(|(w, _)| w).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.join("|")
}

/// Number words of every language by their value.
static NUMBER_VALUE: LazyLock<HashMap<&'static str, u32>> =
    LazyLock::new(|| lexicon::NUMBER_WORDS.entries().collect());

fn number_alternation() -> String {
    let mut words: Vec<&str> = lexicon::NUMBER_WORDS.entries().map(|(w, _)| w).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    format!(r"\d{{1,3}}|{}", words.join("|"))
}

/// What a unit word measures.
#[derive(Clone, Copy)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
}

fn unit_of(word: &str) -> Option<Unit> {
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

const UNIT_WORDS: &str = r"days?|dni|dnia|dzień|tage?n?|tag|días?|dias?|jours?|weeks?|tydzień|tygodni[ea]?|wochen?|semanas?|semaines?|months?|miesiąc[ea]?|miesięcy|miesiąca|monate?n?|monat|mes|meses|mois|years?|rok|roku|lata|lat|jahre?n?|jahr|años?|ans?|années?";

/// One way to say a time frame: its pattern and how to turn a match into a date.
struct Rule {
    /// Literal fragments one of which every match contains: a rule whose fragments do not
    /// occur in a message is not run on it.
    triggers: &'static [&'static str],
    re: Regex,
    strength: Strength,
    resolve: fn(&regex::Captures<'_>, Date) -> Option<Date>,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(build_rules);

/// Trigger fragments match inside words; the shortest ones carry the space that starts a word
/// (the text is scanned with a space in front) so that "main" or "and" do not wake rules up.
const MONTH_TRIGGERS: &[&str] = &[
    " jan", " feb", " mar", " apr", " may", " jun", " jul", " aug", " sep", " oct", " nov", " dec",
    " sty", " lut", "kwie", " maj", "czerw", " lip", "sierp", "wrze", "paźdz", "listop", "grud",
    "jän", "mär", " mai", " okt", " dez", " ene", " abr", " ago", " dic", "juin", "juil", "févr",
    "fevr", " avr", "août", "aout", "déc", "setiem", "juni", "juli",
];
const END_WORDS: &[&str] = &["end", "koniec", "końc", "finales", "fines", "fin", "final"];
const ASAP_WORDS: &[&str] = &[
    "asap",
    "a.s.a.p",
    "soon",
    "right away",
    "straight away",
    "immediately",
    "right now",
    "urgent",
    "yesterday",
    "sofort",
    "umgehend",
    "möglich",
    "najszybciej",
    "zaraz",
    "od razu",
    "natychmiast",
    "wczoraj",
    "pilnie",
    "posible",
    "cuanto antes",
    "pueda",
    "inmediat",
    "ya mismo",
    "possible",
    "au plus",
    "immédiatement",
    "tout de suite",
    "d'urgence",
];
const UNIT_TRIGGERS: &[&str] = &[
    "day", " dni", " dnia", "dzie", " tag", "día", " dia", "jour", "week", "tydz", "tygod",
    "woche", "semana", "semaine", "month", "miesi", "monat", " mes", "mois", "year", " rok",
    " lat", "jahr", "año", " ano", " an", "année",
];
const NEXT_WORDS: &[&str] = &[
    "next",
    "following",
    "coming",
    "nächst",
    "kommend",
    "przyszł",
    "następn",
    "que viene",
    "próxim",
    "prochain",
    "suivant",
];
const SEASON_WORDS: &[&str] = &[
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "frühling",
    "frühjahr",
    "sommer",
    "herbst",
    "wios",
    "wioś",
    "lat",
    "lecie",
    "jesie",
    "zim",
    "primavera",
    "verano",
    "otoño",
    "invierno",
    "printemps",
    "été",
    "automne",
    "hiver",
];
const WEEKDAY_WORDS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "poniedział",
    "wtor",
    "środ",
    "czwart",
    "piąt",
    "sobot",
    "niedziel",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
];
/// The weekday names as the rules match them, inflected Polish forms included.
const WEEKDAY_PATTERN: &str = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|poniedział\w*|wtor\w*|środ\w*|czwart(?:ek|ku)|piąt\w*|sobot\w*|niedziel\w*|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche";
const DIGITS: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

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

/// Month names written out in full: a bare one answers "when?" ("August.", "Im Mai"). "May" is
/// left out, being an English verb too.
fn full_month_alternation() -> String {
    let mut words: Vec<&str> = lexicon::MONTHS
        .entries()
        .map(|(w, _)| w)
        .filter(|w| w.chars().count() >= 4 || *w == "mai")
        .filter(|w| !matches!(*w, "sept"))
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.join("|")
}

fn build_rules() -> Vec<Rule> {
    let m = month_alternation();
    let full_months = full_month_alternation();
    let n = number_alternation();
    let rule = |triggers: &'static [&'static str],
                pattern: String,
                strength: Strength,
                resolve: fn(&regex::Captures<'_>, Date) -> Option<Date>| Rule {
        triggers,
        re: word_regex(&pattern),
        strength,
        resolve,
    };
    vec![
        // One unit and a half: "in a month and a half", "za półtora miesiąca", "in anderthalb
        // Monaten", "en un mes y medio", "dans un mois et demi".
        rule(
            &["half", "półtor", "anderthalb", "eineinhalb", "medio", "media", "demi", "1.5", "1,5"],
            format!(r"\b(?:within|in|za|w\s+ciągu|w\s+przeciągu|innerhalb(?:\s+von)?|binnen|dentro\s+de|en|dans|d'ici|sous)\s+(?:(?:a|one|un|une)\s+(month|week|year|mes|semana|año|mois|semaine|an)\s+(?:and\s+a\s+half|y\s+medi[oa]|et\s+demie?)|(?:one\s+and\s+a\s+half|1[.,]5|półtora|półtorej|anderthalb|eineinhalb)\s+({UNIT_WORDS}))\b"),
            Strength::Strong,
            |c, start| add_half_more(first_group(c)?, start),
        ),
        // "Right now" is as often the present ("we use X right now") as a deadline: only a need
        // or a start makes it one ("we need it right now").
        rule(
            &["right now"],
            r"\b(?:need|want|start|begin|launch|go\s+live|set\s+up)\w*\s+(?:it\s+|this\s+|that\s+|something\s+|one\s+)?right\s+now\b".to_owned(),
            Strength::Strong,
            |_, start| Some(start),
        ),
        // Within a number of units, the first of a range: "within two weeks", "in 3-4 months", "w ciągu dwóch tygodni", "za miesiąc", "innerhalb von 2 Wochen", "en dos semanas", "dans un mois".
        rule(
            UNIT_TRIGGERS,
            format!(r"\b(?:within|in|in\s+the\s+next|over\s+the\s+next|in\s+about|in\s+around|in\s+less\s+than|under|less\s+than|w\s+ciągu|w\s+przeciągu|w\s+ciagu|za|przez|innerhalb(?:\s+von)?(?:\s+der\s+nächsten)?|in|binnen|in\s+den\s+nächsten|dentro\s+de|en\s+(?:los|las)\s+próxim[oa]s|en\s+menos\s+de|en|dans|d'ici|sous|dans\s+les|d'ici(?:\s+à)?)\s+(?:the\s+next\s+|(?:about|around|approximately|około|etwa|unos|unas|environ)\s+)?({n})(?:\s*[-–]\s*\d{{1,3}}|\s+(?:to|or|bis|oder|do|lub|albo|a|o|à|ou)\s+(?:{n}))?\s*({UNIT_WORDS})\b"),
            Strength::Strong,
            |c, start| add_units(c.get(1)?.as_str(), c.get(2)?.as_str(), start),
        ),
        // One unit, unsaid: "za miesiąc", "within a week" (the article is a number word above).
        rule(
            &["za ", "ciągu", "przeciągu", "innerhalb"],
            r"\b(?:za|w\s+ciągu|w\s+przeciągu|innerhalb\s+(?:eines|einer))\s+(tydzień|tygodnia|miesiąc|miesiąca|roku|rok|woche|monats|jahres)\b".to_owned(),
            Strength::Strong,
            |c, start| add_units("1", c.get(1)?.as_str(), start),
        ),
        // End of a named month: "by the end of June", "bis Ende Mai", "do końca lipca", "para finales de junio", "d'ici fin juin".
        rule(
            END_WORDS,
            format!(r"\b(?:(?:by|until|till|before|at)\s+)?(?:the\s+)?(?:end|ende|koniec|końca|końcem|finales|fines|fin|final)\s+(?:of\s+|de\s+|d'|du\s+mois\s+de\s+|du\s+mois\s+d'|des\s+|del\s+mes\s+de\s+)?({m})\b"),
            Strength::Strong,
            |c, start| month_date(c, 1, start).map(last_day_of_month),
        ),
        rule(
            &["mid", "middle", "mitte", "połow", "mediados", "mi-", "mi "],
            format!(r"\b(?:mid|middle\s+of|in\s+the\s+middle\s+of|mitte|połow[aieę]\s*|w\s+połowie|mediados\s+de|à\s+la\s+mi|mi)[\s-]+({m})\b"),
            Strength::Strong,
            |c, start| month_date(c, 1, start).and_then(|d| d.replace_day(15).ok()),
        ),
        rule(
            &["late"],
            format!(r"\b(?:late|later\s+in)\s+({m})\b"),
            Strength::Strong,
            |c, start| month_date(c, 1, start).and_then(|d| d.replace_day(21).ok()),
        ),
        // A day of a month: "15 June", "15. Juni", "15 czerwca", "15 de junio", "le 15 juin", "June 15th".
        rule(
            MONTH_TRIGGERS,
            format!(r"\b([0-3]?\d)(?:st|nd|rd|th|er|\.|º)?\s+(?:of\s+|de\s+)?({m})\b"),
            Strength::Medium,
            |c, start| day_month(c.get(1)?.as_str(), c.get(2)?.as_str(), start),
        ),
        rule(
            MONTH_TRIGGERS,
            format!(r"\b({m})\s+([0-3]?\d)(?:st|nd|rd|th)?\b"),
            Strength::Medium,
            |c, start| day_month(c.get(2)?.as_str(), c.get(1)?.as_str(), start),
        ),
        // A named month after a preposition: "in April", "im Mai", "w kwietniu", "en abril", "en mai", "from June".
        rule(
            MONTH_TRIGGERS,
            format!(r"\b(?:in|by|for|until|till|before|from|starting|since|around|early|beginning\s+of|start\s+of|(?:the\s+)?first\s+week\s+of|im|ab|bis|vor|anfang|zu\s+beginn\s+des|w|we|od|do|na|przed|początek|na\s+początku|początkiem|en|para|hasta|desde|antes\s+de|a\s+partir\s+de|a\s+principios\s+de|principios\s+de|a\s+comienzos\s+de|pour|dès|avant|courant|au\s+mois\s+de|au\s+mois\s+d'|au\s+début\s+de|début|d'ici)\s+(?:de\s+|d')?({m})\b"),
            Strength::Strong,
            |c, start| {
                // "we may need it": the Polish "we" and "do" do not go with the English "may".
                let whole = c.get(0)?.as_str().trim_start_matches(|ch: char| !ch.is_alphanumeric());
                if c.get(1)?.as_str() == "may" && (whole.starts_with("we ") || whole.starts_with("do ")) {
                    return None;
                }
                month_date(c, 1, start)
            },
        ),
        // Quarters: "Q2", "T3", "second quarter", "drugi kwartał", "zweites Quartal", "segundo trimestre", "deuxième trimestre".
        rule(
            &["q1", "q2", "q3", "q4", "t1", "t2", "t3", "t4"],
            r"\b(?:q|t)([1-4])\b(?:\s*(?:/|')?\s*(20\d\d))?".to_owned(),
            Strength::Strong,
            |c, start| quarter_start(c.get(1)?.as_str().parse().ok()?, year_of(c.get(2)), start),
        ),
        rule(
            &["quarter", "kwarta", "quartal", "trimestre"],
            r"\b(first|1st|second|2nd|third|3rd|fourth|4th|last|i|ii|iii|iv|pierwsz\w*|drug\w*|trzeci\w*|czwart\w*|ostatni\w*|erste[nrsm]?|zweite[nrsm]?|dritte[nrsm]?|vierte[nrsm]?|letzte[nrsm]?|[1-4]\.|primer|segundo|tercer|cuarto|último|premier|1er|deuxième|second|2e|2ème|troisième|3e|3ème|quatrième|4e|4ème|dernier)\s+(?:quarter|kwarta\w*|quartal\w*|trimestre)\b".to_owned(),
            Strength::Strong,
            |c, start| quarter_start(ordinal(c.get(1)?.as_str())?, None, start),
        ),
        rule(
            &["h1", "h2", "half", "półrocz", "jahreshälfte", "halbjahr", "semestre"],
            r"\b(?:h([12])\b|(first|second|pierwsz\w*|drug\w*|erste[nrsm]?|zweite[nrsm]?|primer|segundo|premier|second|deuxième)\s+(?:half|półrocz\w*|jahreshälfte|halbjahr\w*|semestre))".to_owned(),
            Strength::Strong,
            |c, start| {
                let half = match c.get(1) {
                    Some(h) => h.as_str().parse().ok()?,
                    None => ordinal(c.get(2)?.as_str())?,
                };
                quarter_start(half * 2 - 1, None, start)
            },
        ),
        // As soon as possible.
        rule(
            ASAP_WORDS,
            r"\b(?:asap|a\.s\.a\.p|as\s+soon\s+as\s+possible|right\s+away|straight\s+away|immediately|urgently|yesterday|(?:ab\s+)?sofort|umgehend|so\s+(?:schnell|bald)\s+wie\s+möglich|schnellstmöglich|möglichst\s+(?:schnell|bald)|jak\s+najszybciej|od\s+zaraz|od\s+razu|natychmiast|na\s+wczoraj|pilnie|lo\s+antes\s+posible|cuanto\s+antes|en\s+cuanto\s+(?:se\s+)?(?:pueda|puedan|podáis|sea\s+posible)|lo\s+antes\s+que\s+se\s+pueda|lo\s+más\s+pronto\s+posible|de\s+inmediato|inmediatamente|ya\s+mismo|dès\s+que\s+possible|au\s+plus\s+(?:vite|tôt)|immédiatement|tout\s+de\s+suite|le\s+plus\s+(?:tôt|vite)\s+possible|d'urgence)\b".to_owned(),
            Strength::Strong,
            |_, start| Some(start),
        ),
        // Next period: "next month", "nächsten Monat", "od przyszłego miesiąca", "el mes que viene", "le mois prochain".
        rule(
            NEXT_WORDS,
            r"\b(?:(?:next|the\s+following|coming)\s+(month|quarter|year)|(?:nächst|kommend)\w*\s+(monat|quartal|jahr)(?:e?s)?|(?:przyszł|następn)\w*\s+(miesiąc\w*|kwarta\w*|rok\w*)|(?:el|la)?\s*(mes|año|trimestre)\s+que\s+viene|(?:el|la)?\s*próxim[oa]\s+(mes|año|trimestre)|(?:le|la|l')?\s*(mois|année|an|trimestre)\s+(?:prochaine?|suivante?)|prochaine?\s+(mois|année|trimestre))\b".to_owned(),
            Strength::Strong,
            |c, start| next_period(first_group(c)?, start),
        ),
        // Next week is as often a meeting as a start: "Können Sie uns nächste Woche besuchen?"
        rule(
            NEXT_WORDS,
            r"\b(?:(?:next|the\s+following|coming)\s+(week)|(?:nächst|kommend)\w*\s+(woche)|(?:przyszł|następn)\w*\s+(tydzień|tygodni\w*)|(?:la\s+)?(semana)\s+que\s+viene|(?:la\s+)?próxima\s+(semana)|(?:la\s+)?(semaine)\s+prochaine|prochaine\s+(semaine))\b".to_owned(),
            Strength::Medium,
            |c, start| next_period(first_group(c)?, start),
        ),
        rule(
            &["this", "diese", "w tym", "esta", "este", "cette", "ce "],
            r"\b(?:this|later\s+this|diese[nsm]?|w\s+tym|esta|este|cette|ce)\s+(week|month|quarter|woche|monat|quartal|tygodniu|miesiącu|kwartale|semana|mes|trimestre|semaine|mois(?:-ci)?)\b".to_owned(),
            Strength::Medium,
            |_, start| Some(start),
        ),
        // End of a period: "by the end of the year", "Jahresende", "do końca roku", "fin de año", "fin d'année".
        rule(
            END_WORDS,
            r"\b(?:(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(year|quarter|month)|year[\s-]end|(month|quarter)[\s-]end|(?:pod\s+)?koniec\s+(roku|kwartału|miesiąca)|ende\s+(monat|jahr|quartal)|fin\s+de\s+(mois|trimestre)|(jahresende|quartalsende|monatsende)|ende\s+(?:des|dieses)\s+(jahres|quartals|monats)|(?:do\s+)?końc\w*\s+(roku|kwartału|miesiąca)|(?:a\s+|para\s+)?(?:finales|fines|fin)\s+de(?:l)?\s+(año|trimestre|mes)|fin\s+(?:d'|de\s+l')(année)|fin\s+(?:du|de\s+ce)\s+(mois|trimestre))\b".to_owned(),
            Strength::Strong,
            |c, start| end_of_period(first_group(c).unwrap_or("year"), start),
        ),
        // A year: "in 2027", "w 2027", "im Jahr 2027", "en 2027".
        rule(
            &["202", "203", "204", "205", "206", "207", "208", "209"],
            r"\b(?:in|by|im\s+jahr|w|en|d'ici|pour)\s+(20[2-9]\d)\b".to_owned(),
            Strength::Strong,
            |c, start| {
                let year: i32 = c.get(1)?.as_str().parse().ok()?;
                Date::from_calendar_date(year, Month::January, 1).ok().map(|d| d.max(start))
            },
        ),
        // The new year: "from the new year", "po nowym roku", "ab dem neuen Jahr", "con el año
        // nuevo", "dès la nouvelle année".
        rule(
            &["new year", "neue", "now", "año nuevo", "nouvelle année", "nouvel an"],
            r"\b(?:(?:from|after|in|by|for|with)\s+(?:the\s+)?new\s+year|(?:ab|im|zum|mit|nach|seit)\s+(?:dem\s+)?neuen\s+jahr\w*|(?:od|z|po|w|na)\s+now\w+\s+rok\w*|(?:a\s+partir\s+del|con\s+el|en\s+el|para\s+el|después\s+del|desde\s+el|tras\s+el)\s+año\s+nuevo|(?:dès|à|pour|après|avec)\s+(?:la\s+)?nouvelle\s+année|(?:au|pour\s+le|après\s+le|dès\s+le)\s+nouvel\s+an)\b".to_owned(),
            Strength::Strong,
            |_, start| Date::from_calendar_date(start.year() + 1, Month::January, 1).ok(),
        ),
        // "la rentrée": in France the year starts again at the beginning of September.
        rule(
            &["rentrée"],
            r"\b(?:(?:d'ici|pour|dès|à|avant|après)\s+)?la\s+rentrée\b".to_owned(),
            Strength::Strong,
            |_, start| {
                let september = Date::from_calendar_date(start.year(), Month::September, 1).ok()?;
                if start > last_day_of_month(september) {
                    Date::from_calendar_date(start.year() + 1, Month::September, 1).ok()
                } else {
                    Some(september.max(start))
                }
            },
        ),
        // Seasons.
        rule(
            SEASON_WORDS,
            r"\b(?:in\s+(?:the\s+)?|by\s+(?:the\s+)?|this\s+|next\s+|im\s+|bis\s+zum\s+|diesen\s+|na\s+|do\s+|w\s+|en\s+(?:el\s+)?|para\s+(?:el\s+)?|au\s+|en\s+|cet\s+|d'ici\s+l'|à\s+l')(spring|summer|autumn|fall|winter|frühling|frühjahr|sommer|herbst|wiosnę|wiosny|wiośnie|lato|lata|lecie|jesień|jesieni|zimę|zimy|zimie|primavera|verano|otoño|invierno|printemps|été|automne|hiver)\b|\b(latem|wiosną|jesienią|zimą)\b".to_owned(),
            Strength::Strong,
            |c, start| season_start(first_group(c)?, start),
        ),
        // Relative days: "in 10 days" handled above; today and tomorrow are weak.
        rule(
            &["today", "heute", "dziś", "dzisiaj", "hoy", "aujourd", "tomorrow", "morgen", "jutro", "mañana", "demain", "pojutrze", "pasado", "après-demain"],
            r"\b(today|heute|dziś|dzisiaj|hoy|aujourd'hui|tomorrow|morgen|jutro|mañana|demain|day\s+after\s+tomorrow|übermorgen|pojutrze|pasado\s+mañana|après-demain)\b".to_owned(),
            Strength::Weak,
            |c, start| {
                let w = c.get(1)?.as_str();
                let days = if w.contains("after") || w.starts_with("über") || w.starts_with("poju") || w.starts_with("pasado") || w.starts_with("après") {
                    2
                } else if ["today", "heute", "dziś", "dzisiaj", "hoy", "aujourd'hui"].contains(&w) {
                    0
                } else {
                    1
                };
                Some(start + Duration::days(days))
            },
        ),
        // A bare month: only an answer to "when?" makes it the time frame.
        rule(
            MONTH_TRIGGERS,
            format!(r"\b({full_months})\b"),
            Strength::Weak,
            |c, start| month_date(c, 1, start),
        ),
        // A weekday as a deadline or a start: "need it by saturday", "bis Freitag", "do piątku",
        // "od poniedziałku", "para el viernes", "avant samedi". A span of days ("from monday
        // to friday", "od poniedziałku do piątku") is opening hours, not a time frame.
        rule(
            WEEKDAY_WORDS,
            format!(r"\b(?:need(?:ed)?\s+(?:it|this|them|that)\s+(?:by\s+|before\s+|on\s+)?|by|before|until|till|no\s+later\s+than|from|starting|bis(?:\s+zum|\s+spätestens)?|spätestens|ab|do|od|przed|para\s+el|antes\s+del|hasta\s+el|desde\s+el|a\s+partir\s+del|pour|avant|d'ici|dès|à\s+partir\s+de)\s+(?:this\s+|diesen\s+|kommenden\s+|ce\s+|este\s+)?({WEEKDAY_PATTERN})(?:\s*(?:to|till|until|through|bis|do|a|al|au|à|-|–)\s*({WEEKDAY_PATTERN}))?\b"),
            Strength::Medium,
            |c, start| {
                if c.get(2).is_some() {
                    return None;
                }
                weekday_of(c.get(1)?.as_str()).map(|w| next_weekday(start, w))
            },
        ),
        // An ISO week: "KW 24", "in week 24", "24. KW", "semana 24", "semaine 24".
        rule(
            &["kw", "week", "semana", "semaine", "tydzie", "tygodni"],
            r"\b(?:kw\.?\s*(\d{1,2})|(\d{1,2})\.\s*kw|(?:calendar\s+)?week\s+(\d{1,2})|(?:la\s+)?semana\s+(\d{1,2})|(?:la\s+)?semaine\s+(\d{1,2})|(\d{1,2})\.?\s+tydzie[nń]|w\s+(\d{1,2})\.?\s+tygodniu)\b".to_owned(),
            Strength::Medium,
            |c, start| iso_week_start(first_group(c)?.parse().ok()?, start),
        ),
        rule(
            WEEKDAY_WORDS,
            format!(r"\b({WEEKDAY_PATTERN})\b"),
            Strength::Weak,
            |c, start| weekday_of(c.get(1)?.as_str()).map(|w| next_weekday(start, w)),
        ),
        // Numeric dates: 15.06.2026, 15/06, 2026-06-15.
        rule(
            DIGITS,
            r"\b(?:(20\d\d)-([01]?\d)-([0-3]?\d)|([0-3]?\d)[./]([01]?\d)(?:[./](20\d\d|\d\d))?)\b".to_owned(),
            Strength::Medium,
            numeric_date,
        ),
    ]
}

fn first_group<'t>(c: &regex::Captures<'t>) -> Option<&'t str> {
    c.iter().skip(1).flatten().next().map(|m| m.as_str())
}

fn year_of(m: Option<regex::Match<'_>>) -> Option<i32> {
    m.and_then(|m| m.as_str().parse().ok())
}

fn ordinal(word: &str) -> Option<u8> {
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

fn month_date(c: &regex::Captures<'_>, group: usize, start: Date) -> Option<Date> {
    let month = *MONTH_NUMBER.get(c.get(group)?.as_str())?;
    let month = Month::try_from(month).ok()?;
    let mut year = start.year();
    if (month as u8) < (start.month() as u8) {
        year += 1;
    }
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    Some(first.max(start))
}

fn day_month(day: &str, month: &str, start: Date) -> Option<Date> {
    let day: u8 = day.parse().ok()?;
    let month = Month::try_from(*MONTH_NUMBER.get(month)?).ok()?;
    let date = Date::from_calendar_date(start.year(), month, day).ok()?;
    if date < start {
        return Date::from_calendar_date(start.year() + 1, month, day).ok();
    }
    Some(date)
}

fn numeric_date(c: &regex::Captures<'_>, start: Date) -> Option<Date> {
    let (year, month, day) = if let Some(y) = c.get(1) {
        (
            y.as_str().parse().ok()?,
            c.get(2)?.as_str().parse().ok()?,
            c.get(3)?.as_str().parse().ok()?,
        )
    } else {
        let day: u8 = c.get(4)?.as_str().parse().ok()?;
        let month: u8 = c.get(5)?.as_str().parse().ok()?;
        let year = match c.get(6) {
            Some(y) if y.as_str().len() == 2 => 2000 + y.as_str().parse::<i32>().ok()?,
            Some(y) => y.as_str().parse().ok()?,
            None => start.year(),
        };
        (year, month, day)
    };
    let month = Month::try_from(month).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    if date < start && c.get(6).is_none() && c.get(1).is_none() {
        return Date::from_calendar_date(year + 1, month, day).ok();
    }
    (date >= start).then_some(date)
}

fn last_day_of_month(d: Date) -> Date {
    let days = d.month().length(d.year());
    d.replace_day(days).unwrap_or(d)
}

/// The Monday of an ISO week: this year's, or next year's when this year's has passed. A week
/// already begun gives its start, which is today or earlier, so the time frame is now.
fn iso_week_start(week: u8, start: Date) -> Option<Date> {
    if !(1..=53).contains(&week) {
        return None;
    }
    let monday = |year: i32| Date::from_iso_week_date(year, week, Weekday::Monday).ok();
    let this_year = monday(start.year())?;
    if this_year + Duration::days(6) < start {
        monday(start.year() + 1)
    } else {
        Some(this_year.max(start))
    }
}

fn quarter_start(q: u8, year: Option<i32>, start: Date) -> Option<Date> {
    if !(1..=4).contains(&q) {
        return None;
    }
    let first_month = Month::try_from(q * 3 - 2).ok()?;
    let mut year = year.unwrap_or(start.year());
    let quarter_end = Date::from_calendar_date(year, Month::try_from(q * 3).ok()?, 1)
        .ok()
        .map(last_day_of_month)?;
    if quarter_end < start && year == start.year() {
        year += 1;
    }
    let first = Date::from_calendar_date(year, first_month, 1).ok()?;
    Some(first.max(start))
}

fn add_units(count: &str, unit: &str, start: Date) -> Option<Date> {
    let n: u32 = match count.parse() {
        Ok(n) => n,
        Err(_) => *NUMBER_VALUE.get(count.trim())?,
    };
    if n == 0 || n > 120 {
        return None;
    }
    match unit_of(unit)? {
        Unit::Day => Some(start + Duration::days(i64::from(n))),
        Unit::Week => Some(start + Duration::weeks(i64::from(n))),
        Unit::Month => add_months(start, n),
        Unit::Year => add_months(start, n * 12),
    }
}

/// One unit and a half after `start`: a month and fifteen days, ten days and a half rounded
/// down, a year and six months.
fn add_half_more(unit: &str, start: Date) -> Option<Date> {
    match unit_of(unit)? {
        Unit::Day => Some(start + Duration::days(1)),
        Unit::Week => Some(start + Duration::days(10)),
        Unit::Month => add_months(start, 1).map(|d| d + Duration::days(15)),
        Unit::Year => add_months(start, 18),
    }
}

fn add_months(d: Date, n: u32) -> Option<Date> {
    let total = d.year() * 12 + i32::from(d.month() as u8 - 1) + n as i32;
    let year = total.div_euclid(12);
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).ok()?;
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

fn next_period(unit: &str, start: Date) -> Option<Date> {
    let u = unit;
    if u.starts_with("week")
        || u.starts_with("woche")
        || u.starts_with("tydz")
        || u.starts_with("tygod")
        || u.starts_with("semana")
        || u.starts_with("semaine")
    {
        return Some(next_weekday(start, Weekday::Monday));
    }
    if u.starts_with("quart") || u.starts_with("kwarta") || u.starts_with("trimestre") {
        let q = (start.month() as u8 - 1) / 3 + 1;
        let (year, next_q) = if q == 4 {
            (start.year() + 1, 1)
        } else {
            (start.year(), q + 1)
        };
        return Date::from_calendar_date(year, Month::try_from(next_q * 3 - 2).ok()?, 1).ok();
    }
    if u.starts_with("year")
        || u.starts_with("jahr")
        || u.starts_with("rok")
        || u.starts_with("año")
        || u == "an"
        || u.starts_with("année")
    {
        return Date::from_calendar_date(start.year() + 1, Month::January, 1).ok();
    }
    // A month.
    let next = add_months(start.replace_day(1).ok()?, 1)?;
    Some(next)
}

fn end_of_period(unit: &str, start: Date) -> Option<Date> {
    let u = unit;
    if u.starts_with("month")
        || u.starts_with("monat")
        || u.starts_with("miesi")
        || u == "mes"
        || u.starts_with("mois")
    {
        return Some(last_day_of_month(start));
    }
    if u.starts_with("quart") || u.starts_with("kwarta") || u.starts_with("trimestre") {
        let q = (start.month() as u8 - 1) / 3 + 1;
        let last = Date::from_calendar_date(start.year(), Month::try_from(q * 3).ok()?, 1).ok()?;
        return Some(last_day_of_month(last));
    }
    Date::from_calendar_date(start.year(), Month::December, 31).ok()
}

fn season_start(word: &str, start: Date) -> Option<Date> {
    let month = match word {
        w if w.starts_with("spring")
            || w.starts_with("frühling")
            || w.starts_with("frühjahr")
            || w.starts_with("wios")
            || w.starts_with("wioś")
            || w == "primavera"
            || w == "printemps" =>
        {
            3
        }
        w if w.starts_with("summer")
            || w == "sommer"
            || w.starts_with("lat")
            || w == "lecie"
            || w == "verano"
            || w == "été" =>
        {
            6
        }
        w if w.starts_with("autumn")
            || w == "fall"
            || w == "herbst"
            || w.starts_with("jesie")
            || w == "otoño"
            || w == "automne" =>
        {
            9
        }
        _ => 12,
    };
    let month = Month::try_from(month).ok()?;
    let mut first = Date::from_calendar_date(start.year(), month, 1).ok()?;
    let season_end = add_months(first, 3)?;
    if season_end <= start {
        first = Date::from_calendar_date(start.year() + 1, month, 1).ok()?;
    }
    Some(first.max(start))
}

fn weekday_of(word: &str) -> Option<Weekday> {
    // Compared without diacritics: "sabado", "miercoles", "piatek" are typed as often.
    let w = super::text::strip_accents(word);
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

/// The next such weekday after `start` (a week later when `start` is that day).
fn next_weekday(start: Date, day: Weekday) -> Date {
    let mut d = start + Duration::days(1);
    while d.weekday() != day {
        d += Duration::days(1);
    }
    d
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn days(raw: &str, start: Date) -> u32 {
        Timeline::parse(raw, start)
            .unwrap_or_else(|e| panic!("{raw}: {e}"))
            .days()
    }

    #[test]
    fn english() {
        assert_eq!(
            days("ASAP, our renewal is coming up.", date!(2026 - 02 - 10)),
            0
        );
        assert_eq!(days("next month", date!(2026 - 03 - 20)), 12);
        assert_eq!(
            days("we need it by the end of June", date!(2026 - 06 - 10)),
            20
        );
        assert_eq!(days("within two weeks", date!(2026 - 01 - 01)), 14);
        assert_eq!(days("in Q3", date!(2026 - 03 - 12)), 111);
        assert_eq!(days("Q2 2026", date!(2026 - 04 - 01)), 0);
        assert_eq!(days("in April", date!(2026 - 03 - 30)), 2);
        assert_eq!(days("in March", date!(2026 - 06 - 01)), 273);
        assert_eq!(days("next week", date!(2026 - 11 - 23)), 7);
        assert_eq!(days("by the end of the year", date!(2026 - 12 - 01)), 30);
        assert_eq!(days("in a couple of weeks", date!(2026 - 01 - 01)), 14);
        assert_eq!(days("in 3 months", date!(2026 - 01 - 31)), 89);
        assert_eq!(days("the first week of August", date!(2026 - 07 - 10)), 22);
    }

    #[test]
    fn polish() {
        assert_eq!(
            days("chcemy ruszyć w ciągu dwóch tygodni", date!(2026 - 01 - 26)),
            14
        );
        assert_eq!(days("od przyszłego miesiąca", date!(2026 - 04 - 09)), 22);
        assert_eq!(days("start w drugim kwartale", date!(2026 - 03 - 03)), 29);
        assert_eq!(days("do końca lipca", date!(2026 - 06 - 16)), 45);
        assert_eq!(days("jak najszybciej", date!(2026 - 06 - 16)), 0);
        assert_eq!(days("za miesiąc", date!(2026 - 06 - 16)), 30);
    }

    #[test]
    fn time_frames_typed_without_diacritics() {
        assert_eq!(days("do konca lipca", date!(2026 - 06 - 16)), 45);
        assert_eq!(days("od przyszlego miesiaca", date!(2026 - 04 - 09)), 22);
        assert_eq!(days("Start naechsten Monat", date!(2026 - 02 - 03)), 26);
        assert_eq!(days("el proximo mes", date!(2026 - 02 - 03)), 26);
        assert_eq!(
            days("a partir de la proxima semana", date!(2026 - 11 - 18)),
            5
        );
        assert_eq!(days("des que possible", date!(2026 - 05 - 13)), 0);
    }

    #[test]
    fn german() {
        assert_eq!(days("Start nächsten Monat", date!(2026 - 02 - 03)), 26);
        assert_eq!(days("bis Ende Mai", date!(2026 - 04 - 22)), 39);
        assert_eq!(days("ab sofort", date!(2026 - 05 - 13)), 0);
        assert_eq!(days("Umsetzung im Q3", date!(2026 - 03 - 12)), 111);
        assert_eq!(days("im zweiten Quartal", date!(2026 - 01 - 01)), 90);
        assert_eq!(days("innerhalb von 3 Wochen", date!(2026 - 01 - 01)), 21);
    }

    #[test]
    fn spanish() {
        assert_eq!(days("En el Q3.", date!(2026 - 01 - 28)), 154);
        assert_eq!(days("En abril.", date!(2026 - 03 - 30)), 2);
        assert_eq!(days("para finales de junio", date!(2026 - 06 - 05)), 25);
        assert_eq!(days("lo antes posible", date!(2026 - 02 - 25)), 0);
        assert_eq!(days("el mes que viene", date!(2026 - 02 - 25)), 4);
        assert_eq!(days("en dos semanas", date!(2026 - 02 - 25)), 14);
    }

    #[test]
    fn french() {
        assert_eq!(days("d'ici fin juin", date!(2026 - 02 - 16)), 134);
        assert_eq!(days("dès que possible", date!(2026 - 04 - 28)), 0);
        assert_eq!(days("lancement au Q2.", date!(2026 - 04 - 01)), 0);
        assert_eq!(days("pour un lancement en mai.", date!(2026 - 03 - 24)), 38);
        assert_eq!(days("le mois prochain", date!(2026 - 03 - 24)), 8);
        assert_eq!(days("dans trois semaines", date!(2026 - 03 - 24)), 21);
    }

    #[test]
    fn roman_quarters_genitive_years_and_whenever_possible() {
        assert_eq!(days("wdrożenie w II kwartale", date!(2026 - 02 - 01)), 59);
        assert_eq!(days("IV kwartał", date!(2026 - 08 - 01)), 61);
        assert_eq!(
            days("Start Anfang kommenden Jahres", date!(2026 - 11 - 01)),
            61
        );
        assert_eq!(
            days("en cuanto se pueda, la verdad", date!(2026 - 05 - 05)),
            0
        );
    }

    #[test]
    fn a_bare_month_is_a_weak_answer() {
        let start = date!(2026 - 03 - 02);
        let m = find(&fold_case("Next school year, so September."), start);
        assert_eq!(m[0].strength, Strength::Weak);
        assert_eq!(m[0].timeline.days(), 183);
        assert!(find(&fold_case("we may need it"), start).is_empty());
    }

    #[test]
    fn strength_separates_plans_from_appointments() {
        let start = date!(2026 - 06 - 10);
        let m = find(&fold_case("Can you do a call on Thursday?"), start);
        assert_eq!(m[0].strength, Strength::Weak);
        let m = find(&fold_case("Q3"), start);
        assert_eq!(m[0].strength, Strength::Strong);
    }

    #[test]
    fn weekdays_as_deadlines_or_starts() {
        // 2026-11-18 is a Wednesday.
        let start = date!(2026 - 11 - 18);
        let medium = |t: &str| {
            find(&fold_case(t), start)
                .into_iter()
                .find(|m| m.strength == Strength::Medium)
                .map(|m| m.timeline.days())
        };
        assert_eq!(medium("we need it by friday, the event is then"), Some(2));
        assert_eq!(medium("bis spätestens Montag bitte"), Some(5));
        assert_eq!(medium("najlepiej od poniedzialku"), Some(5));
        assert_eq!(medium("lo quiero para el sabado"), Some(3));
        assert_eq!(medium("il me le faut avant vendredi"), Some(2));
        assert_eq!(medium("we're open from monday to friday"), None);
        assert_eq!(medium("czynne od poniedziałku do piątku"), None);
        assert_eq!(medium("can you call me on monday"), None);
    }

    #[test]
    fn the_end_of_the_month_said_casually() {
        let start = date!(2026 - 04 - 10);
        assert_eq!(days("by month-end", start), 20);
        assert_eq!(days("pod koniec miesiaca", start), 20);
        assert_eq!(days("bis Ende Monat", start), 20);
        assert_eq!(days("Ende Jahr", start), 265);
        assert_eq!(days("avant la fin de mois", start), 20);
        assert_eq!(days("a fin de mes", start), 20);
    }

    #[test]
    fn iso_weeks() {
        // 2026-05-19 is in ISO week 21; week 24 starts on Monday 8 June.
        let start = date!(2026 - 05 - 19);
        assert_eq!(days("Start in KW 24", start), 20);
        assert_eq!(days("go-live in week 24", start), 20);
        assert_eq!(days("desde la semana 24", start), 20);
        assert_eq!(days("KW 21", start), 0);
        // A week gone this year is next year's.
        assert_eq!(days("KW 3", start), 244);
    }

    #[test]
    fn a_unit_and_a_half() {
        let start = date!(2026 - 03 - 10);
        assert_eq!(days("in a month and a half", start), 46);
        assert_eq!(days("za półtora miesiąca", start), 46);
        assert_eq!(days("in anderthalb Monaten", start), 46);
        assert_eq!(days("en un mes y medio", start), 46);
        assert_eq!(days("dans un mois et demi", start), 46);
    }

    #[test]
    fn the_first_of_a_range_of_units() {
        let start = date!(2026 - 03 - 10);
        assert_eq!(days("in 3-4 weeks", start), 21);
        assert_eq!(days("w ciągu dwóch lub trzech tygodni", start), 14);
        assert_eq!(days("in sieben bis acht Wochen", start), 49);
        assert_eq!(days("en quince días", start), 15);
        assert_eq!(days("d'ici sept jours", start), 7);
    }

    #[test]
    fn the_new_year_and_the_rentree() {
        let start = date!(2026 - 10 - 20);
        for text in [
            "from the new year",
            "z nowym rokiem",
            "ab dem neuen Jahr",
            "a partir del año nuevo",
            "dès la nouvelle année",
        ] {
            assert_eq!(days(text, start), 73, "{text}");
        }
        assert_eq!(days("pour la rentrée", date!(2026 - 06 - 02)), 91);
        assert_eq!(days("pour la rentrée", date!(2026 - 09 - 10)), 0);
    }

    #[test]
    fn numbers_in_longer_numbers_and_rates_are_no_time_frames() {
        let start = date!(2026 - 06 - 15);
        let none = |t: &str| find(&fold_case(t), start).is_empty();
        assert!(none("appelez le 04.11.29.37.62"));
        assert!(none("Bestellnummer 4711-12.08.2031-9"));
        assert!(none("the bot runs in 2 days a week"));
        assert!(none("Die Leute arbeiten in 2 Tagen pro Woche"));
        assert!(none("we use a chatbot right now"));
        assert_eq!(days("we need it right now", start), 0);
        assert_eq!(days("bis 12.08.2026", start), 58);
    }

    #[test]
    fn nothing_and_out_of_range() {
        assert_eq!(
            Timeline::parse("we sell bikes", date!(2026 - 01 - 01)),
            Err(TimelineError::NotFound)
        );
        assert_eq!(Timeline::from_days(-1), Err(TimelineError::Range));
        assert!(serde_json::from_str::<Timeline>("-5").is_err());
        assert_eq!(serde_json::from_str::<Timeline>("21").unwrap().days(), 21);
    }
}
