//! The ways to say a time frame, each a pattern with the trigger fragments that wake it up, how
//! sure it is, and how a match becomes a date. The patterns are logic more than vocabulary: the
//! month and number words come from the lexicon through [`super::words`].

use std::sync::LazyLock;

use regex::Regex;
use time::{Date, Duration, Month};

use super::Strength;
use super::dates::{
    add_half_more, add_units, day_month, end_of_period, first_group, iso_week_start,
    last_day_of_month, month_date, next_period, next_weekday, numeric_date, quarter_start,
    season_start, year_of,
};
use super::words::{
    UNIT_WORDS, WEEKDAY_PATTERN, full_month_alternation, month_alternation, number_alternation,
    ordinal, weekday_of,
};
use crate::lead::text::word_regex;

/// How a rule turns its match into a date, from the day the conversation started.
type Resolve = fn(&regex::Captures<'_>, Date) -> Option<Date>;

/// One way to say a time frame: its pattern and how to turn a match into a date.
pub(super) struct Rule {
    /// Literal fragments one of which every match contains: a rule whose fragments do not
    /// occur in a message is not run on it.
    pub triggers: &'static [&'static str],
    pub re: Regex,
    pub strength: Strength,
    pub resolve: Resolve,
}

pub(super) static RULES: LazyLock<Vec<Rule>> = LazyLock::new(build_rules);

/// A rule from its trigger fragments, its pattern (written for [`word_regex`]), its strength and
/// how a match becomes a date.
fn rule(
    triggers: &'static [&'static str],
    pattern: String,
    strength: Strength,
    resolve: Resolve,
) -> Rule {
    Rule {
        triggers,
        re: word_regex(&pattern),
        strength,
        resolve,
    }
}

// Trigger fragments are not vocabulary: each belongs to the patterns it wakes up and must occur
// in every match of them. They match inside words; the shortest carry the space that starts a
// word (the text is scanned with a space in front) so that "main" or "and" do not wake rules up.

/// Beginnings of the month names.
const MONTH_TRIGGERS: &[&str] = &[
    " jan", " feb", " mar", " apr", " may", " jun", " jul", " aug", " sep", " oct", " nov", " dec",
    " sty", " lut", "kwie", " maj", "czerw", " lip", "sierp", "wrze", "paźdz", "listop", "grud",
    "jän", "mär", " mai", " okt", " dez", " ene", " abr", " ago", " dic", "juin", "juil", "févr",
    "fevr", " avr", "août", "aout", "déc", "setiem", "juni", "juli",
];
/// The words for the end of a month or a period.
const END_WORDS: &[&str] = &["end", "koniec", "końc", "finales", "fines", "fin", "final"];
/// Fragments of the ways to say "as soon as possible".
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
/// Beginnings of the units of time.
const UNIT_TRIGGERS: &[&str] = &[
    "day", " dni", " dnia", "dzie", " tag", "día", " dia", "jour", "week", "tydz", "tygod",
    "woche", "semana", "semaine", "month", "miesi", "monat", " mes", "mois", "year", " rok",
    " lat", "jahr", "año", " ano", " an", "année",
];
/// Fragments of the words for "next".
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
/// Beginnings of the seasons.
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
/// Beginnings of the weekdays.
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
/// Numeric dates hold a digit.
const DIGITS: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// Every rule, in the order they are tried: a match that overlaps an earlier rule's is dropped,
/// so the more specific patterns come first.
fn build_rules() -> Vec<Rule> {
    let months = month_alternation();
    let numbers = number_alternation();
    [
        durations(&numbers),
        month_dates(&months),
        quarters_and_halves(),
        soon_and_next(),
        period_ends_and_years(),
        days_and_dates(&full_month_alternation()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Durations from now and the present as a deadline: "in a month and a half", "within two
/// weeks", "za miesiąc", "we need it right now". `n` is the number alternation.
fn durations(n: &str) -> Vec<Rule> {
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
    ]
}

/// Dates in a named month: "by the end of June", "mid-July", "15 czerwca", "in April". `m` is
/// the month alternation.
fn month_dates(m: &str) -> Vec<Rule> {
    vec![
        // End of a named month: "by the end of June", "bis Ende Mai", "do końca lipca", "para finales de junio", "d'ici fin juin".
        rule(
            END_WORDS,
            format!(
                r"\b(?:(?:by|until|till|before|at)\s+)?(?:the\s+)?(?:end|ende|koniec|końca|końcem|finales|fines|fin|final)\s+(?:of\s+|de\s+|d'|du\s+mois\s+de\s+|du\s+mois\s+d'|des\s+|del\s+mes\s+de\s+)?({m})\b"
            ),
            Strength::Strong,
            |c, start| month_date(c, 1, start).map(last_day_of_month),
        ),
        rule(
            &["mid", "middle", "mitte", "połow", "mediados", "mi-", "mi "],
            format!(
                r"\b(?:mid|middle\s+of|in\s+the\s+middle\s+of|mitte|połow[aieę]\s*|w\s+połowie|mediados\s+de|à\s+la\s+mi|mi)[\s-]+({m})\b"
            ),
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
            format!(
                r"\b(?:in|by|for|until|till|before|from|starting|since|around|early|beginning\s+of|start\s+of|(?:the\s+)?first\s+week\s+of|im|ab|bis|vor|anfang|zu\s+beginn\s+des|w|we|od|do|na|przed|początek|na\s+początku|początkiem|en|para|hasta|desde|antes\s+de|a\s+partir\s+de|a\s+principios\s+de|principios\s+de|a\s+comienzos\s+de|pour|dès|avant|courant|au\s+mois\s+de|au\s+mois\s+d'|au\s+début\s+de|début|d'ici)\s+(?:de\s+|d')?({m})\b"
            ),
            Strength::Strong,
            |c, start| {
                // "we may need it": the Polish "we" and "do" do not go with the English "may".
                let whole = c
                    .get(0)?
                    .as_str()
                    .trim_start_matches(|ch: char| !ch.is_alphanumeric());
                if c.get(1)?.as_str() == "may"
                    && (whole.starts_with("we ") || whole.starts_with("do "))
                {
                    return None;
                }
                month_date(c, 1, start)
            },
        ),
    ]
}

/// Quarters and halves of the year: "Q2", "drugi kwartał", "H2", "second half".
fn quarters_and_halves() -> Vec<Rule> {
    vec![
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
    ]
}

/// As soon as possible, the next period and this one: "ASAP", "next month", "la semaine
/// prochaine", "this quarter".
fn soon_and_next() -> Vec<Rule> {
    vec![
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
    ]
}

/// The end of a period, a year, the new year, the rentrée and the seasons.
fn period_ends_and_years() -> Vec<Rule> {
    vec![
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
    ]
}

/// Days and dates: "tomorrow", a bare month, a weekday, an ISO week, "15.06.2026". `full_months`
/// is the alternation of month names written out in full.
fn days_and_dates(full_months: &str) -> Vec<Rule> {
    vec![
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
