//! What the visitor asks sales for: a call, a demo, a quote or a human, with the time they asked
//! for ("Thursday afternoon", "morgen Nachmittag", "w czwartek po 15:00"), kept as they wrote it.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::text::word_regex;

/// The kind of follow-up the visitor asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Call,
    Demo,
    Quote,
    Human,
}

impl RequestKind {
    /// The kind's name in the lead record: `call`, `demo`, `quote`, `human`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Call => "call",
            RequestKind::Demo => "demo",
            RequestKind::Quote => "quote",
            RequestKind::Human => "human",
        }
    }
}

/// A request and, when the visitor named one, the time asked for, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub kind: RequestKind,
    pub when: Option<String>,
}

impl std::fmt::Display for Request {
    /// "call (Thursday afternoon)", "quote".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.when {
            Some(w) => write!(f, "{} ({w})", self.kind.as_str()),
            None => f.write_str(self.kind.as_str()),
        }
    }
}

/// Each kind's phrases in the five languages, on lower-cased text (accents optional).
const KINDS: &[(RequestKind, &str)] = &[
    (
        RequestKind::Call,
        r"\bcall me\b|give (?:me|us) a (?:call|ring)|call (?:me |us )?back|\bcallback\b|ring me|phone me|\bzadzwo\w*|oddzwo\w*|o telefon\b|rozmow\w* telefoniczn\w*|\bruf\w* (?:sie |s' |du )?(?:mich|mi|uns)\b|rückruf|\banrufen\b|llám\w*me\b|llamarme|me llame\w*|una llamada|m'appeler|appelez[- ]moi|rappelez[- ]moi|me rappeler|me téléphoner|un appel\b",
    ),
    (
        RequestKind::Demo,
        r"\bdemo\b|\bdemonstration\b|démonstration|demostración|vorführung|prezentacj\w*|pokaz\w* (?:systemu|narzędzia|produktu)",
    ),
    (
        RequestKind::Quote,
        r"\bquote\b|\bquotation\b|\bangebot\b|\bofert\w*|\bwycen\w*|\bdevis\b|cotización|(?:enviar\w*|mandar\w*|pedir|solicitar|envíe\w*|envíen\w*|mánde\w*) (?:un|el) presupuesto",
    ),
    (
        RequestKind::Human,
        r"\b(?:a|an) (?:real )?(?:human|person)\b|real person|(?:speak|talk) (?:to|with) (?:a|an|someone|somebody)\b|mit (?:einem|einer) (?:menschen|mitarbeiter\w*|berater\w*)|mit jemandem|persönlich\w* (?:berat\w*|sprechen)|con (?:una persona|alguien|un agente|un asesor)|une personne|un conseiller|une conseillère|(?:parler|échanger) (?:à|avec) quelqu'un|z człowiekiem|z konsultantem|z doradcą|z kimś",
    ),
];

static KIND_RES: LazyLock<Vec<(RequestKind, Regex)>> =
    LazyLock::new(|| KINDS.iter().map(|(k, p)| (*k, word_regex(p))).collect());

/// A time asked for: a day or a week, a part of the day, an hour.
static WHEN: LazyLock<Regex> = LazyLock::new(|| {
    let day = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|übermorgen|morgen|heute|lunes|martes|miércoles|jueves|viernes|sábado|domingo|mañana|hoy|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|aujourd'hui|poniedziałek|wtorek|środę|czwartek|piątek|sobotę|niedzielę|jutro|dziś|dzisiaj";
    let week = r"next week|this week|nächste[nr]? woche|diese[nr]? woche|kommende[nr]? woche|la semana que viene|la próxima semana|la semaine prochaine|cette semaine|w przyszłym tygodniu|w tym tygodniu";
    let part = r"morning|afternoon|evening|vormittag|nachmittag|abend|früh|por la mañana|por la tarde|por la noche|matin|après-midi|soir|rano|po południu|wieczorem";
    let hour = r"(?:after|before|at|around|from|ab|nach|vor|um|gegen|después de las|antes de las|a las|à partir de|après|avant|vers|à|po|przed|o|od)\s+\d{1,2}(?:[:.h]\d{2})?(?:\s?(?:am|pm|uhr|h))?";
    word_regex(&format!(
        r"\b(?:(?:w|we|el|la|le|am|en)\s+)?(?:{week}|(?:{day})(?:\s+(?:{part}))?)(?:\s+(?:{hour}))?(?:\s+\p{{L}}+ time\b)?"
    ))
});

/// The request a visitor message makes, if any: the last kind named wins ("a demo, or just call
/// me"), with the time named in the same message.
pub fn find(text: &str, lower: &str) -> Option<Request> {
    let kind = KIND_RES
        .iter()
        .filter_map(|(k, re)| re.find_iter(lower).last().map(|m| (m.start(), *k)))
        .max_by_key(|(at, _)| *at)?
        .1;
    Some(Request {
        kind,
        when: when(text, lower),
    })
}

/// The time named in a message, as the visitor wrote it. Polish keeps its "w" ("w czwartek");
/// other languages' prepositions and articles before a day are left out, except the Spanish
/// and French article of a week ("la semana que viene").
pub fn when(text: &str, lower: &str) -> Option<String> {
    let m = WHEN.find(lower)?;
    // The pattern's word boundary may take the character before the phrase.
    let mut start = m.start() + (m.as_str().len() - m.as_str().trim_start().len());
    let head = &lower[start..m.end()];
    let keeps_lead_word = head.starts_with("w ")
        || head.starts_with("we ")
        || head.starts_with("la semana")
        || head.starts_with("la semaine")
        || head.starts_with("la próxima");
    if !keeps_lead_word && let Some(space) = head.find(char::is_whitespace) {
        let first = &head[..space];
        if ["el", "la", "le", "am", "en"].contains(&first) {
            start += space + 1;
        }
    }
    text.get(start..m.end())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::text::fold_case;

    fn read(text: &str) -> Option<(RequestKind, Option<String>)> {
        find(text, &fold_case(text)).map(|r| (r.kind, r.when))
    }

    #[test]
    fn requests_with_their_time_in_five_languages() {
        let cases = [
            (
                "Could someone give me a call on Thursday afternoon?",
                RequestKind::Call,
                Some("Thursday afternoon"),
            ),
            (
                "Can I get a demo next week?",
                RequestKind::Demo,
                Some("next week"),
            ),
            (
                "Proszę o telefon w czwartek po 15:00, numer 22 123 45 67",
                RequestKind::Call,
                Some("w czwartek po 15:00"),
            ),
            (
                "Czy możemy umówić demo w przyszłym tygodniu?",
                RequestKind::Demo,
                Some("w przyszłym tygodniu"),
            ),
            (
                "Proszę o przesłanie oferty cenowej",
                RequestKind::Quote,
                None,
            ),
            (
                "Rufen Sie mich morgen Nachmittag an",
                RequestKind::Call,
                Some("morgen Nachmittag"),
            ),
            (
                "Eine Demo wäre super, gerne nächste Woche",
                RequestKind::Demo,
                Some("nächste Woche"),
            ),
            (
                "Mañana por la tarde puedo hablar con alguien",
                RequestKind::Human,
                Some("Mañana por la tarde"),
            ),
            (
                "¿Podríamos ver una demo la semana que viene?",
                RequestKind::Demo,
                Some("la semana que viene"),
            ),
            (
                "Pouvez-vous m'appeler jeudi après-midi ?",
                RequestKind::Call,
                Some("jeudi après-midi"),
            ),
            ("Je voudrais un devis, svp", RequestKind::Quote, None),
            (
                "I'd like to talk to a real person",
                RequestKind::Human,
                None,
            ),
        ];
        for (text, kind, when) in cases {
            assert_eq!(read(text), Some((kind, when.map(str::to_owned))), "{text}");
        }
    }

    #[test]
    fn no_request_in_ordinary_messages() {
        for text in [
            "The VP makes the final call on this",
            "Our budget is around £12k",
            "Wir haben ein gutes Angebotsportfolio",
            "El presupuesto es de unos 5.000 €",
            "Nous sommes 30 personnes",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
