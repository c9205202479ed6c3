//! Reading a job title: its head word, the modifiers before it, the complements after it, and
//! whether it is the visitor's own.

use crate::lead::Lang;
use crate::lead::lexicon::{DECIDING_TITLES, NON_DECIDING, ROLE_SUFFIXES, SELF_ROLE_CUES, sets};

use super::super::tokens::{Case, Tok};
use super::Reader;

/// Words between a name and the title that introduce it: "Anna Ruiz, soy la dueña de …".
pub(super) fn is_self_intro_word(lower: &str) -> bool {
    matches!(
        lower,
        "i'm"
            | "im"
            | "i"
            | "am"
            | "the"
            | "a"
            | "an"
            | "soy"
            | "el"
            | "la"
            | "le"
            | "je"
            | "suis"
            | "ich"
            | "bin"
            | "der"
            | "die"
            | "jestem"
    )
}

/// Articles, pronouns, prepositions and conjunctions: words a title never ends on.
pub(super) fn is_function_word(lower: &str) -> bool {
    const MORE: &[&str] = &[
        "que",
        "qui",
        "and",
        "und",
        "y",
        "et",
        "i",
        "or",
        "oder",
        "o",
        "ou",
        "lub",
        "but",
        "aber",
        "pero",
        "mais",
        "ale",
        "there",
        "here",
        "da",
        "hier",
        "ici",
        "aquí",
        "tu",
        "tutaj",
        "too",
        "also",
        "auch",
        "też",
        "aussi",
        "también",
        "is",
        "ist",
        "es",
        "est",
        "jest",
        "was",
        "war",
        "fue",
        "était",
        "był",
        "była",
        "desde",
        "hace",
        "depuis",
        "seit",
        "since",
        "con",
        "avec",
        "mit",
        "dans",
        "sur",
        "sobre",
        "por",
        "par",
        "ya",
        "déjà",
        "schon",
        "już",
        "now",
        "ahora",
        "maintenant",
        "jetzt",
        "teraz",
        "todavía",
        "encore",
        "noch",
        "jeszcze",
        "still",
        "aux",
        "au",
        "al",
        "des",
        "du",
    ];
    sets::COMPANY_PREPOSITIONS.contains(lower)
        || sets::OTHERS.contains(lower)
        || MORE.contains(&lower)
        || sets::GREETINGS.contains(lower)
}

/// Whether a folded word is a role head, and whether that role decides.
/// Title heads that name an owner, as written and typed without diacritics.
static OWNER_HEADS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    [
        "właściciel",
        "współwłaściciel",
        "owner",
        "co-owner",
        "inhaber",
        "mitinhaber",
        "eigentümer",
        "dueñ",
        "propietari",
        "propriétaire",
        "copropriétaire",
    ]
    .iter()
    .flat_map(|w| crate::lead::text::unaccented_spellings(w))
    .collect()
});

/// [`ROLE_SUFFIXES`] with the spellings typed without diacritics.
static ROLE_SUFFIXES_TYPED: std::sync::LazyLock<Vec<(Vec<String>, bool)>> =
    std::sync::LazyLock::new(|| {
        ROLE_SUFFIXES
            .iter()
            .map(|(suffix, decides)| (crate::lead::text::unaccented_spellings(suffix), *decides))
            .collect()
    });

pub(crate) fn role_of(lower: &str) -> Option<bool> {
    if let Some(decides) = sets::ROLES.get(lower) {
        return Some(*decides);
    }
    if let Some(decides) = sets::ROLES_UNACCENTED.get(lower) {
        return Some(*decides);
    }
    if lower.chars().count() > 6 {
        for (typed, decides) in ROLE_SUFFIXES_TYPED.iter() {
            if typed
                .iter()
                .any(|s| lower.ends_with(s.as_str()) && lower.len() > s.len() + 2)
            {
                return Some(*decides);
            }
        }
    }
    None
}

/// Whether a title as a whole means deciding.
pub(super) fn title_decides(lower_title: &str, head_decides: bool) -> bool {
    let words: Vec<&str> = lower_title.split([' ', '-']).collect();
    if words.iter().any(|w| NON_DECIDING.contains(w)) {
        return false;
    }
    head_decides || DECIDING_TITLES.iter().any(|t| lower_title.contains(t))
}

impl Reader<'_> {
    /// Grows a title around the role head at `h`: "support manager", "head of sales",
    /// "directora de marketing", "prezes zarządu", "responsable commercial",
    /// "responsable de atención al cliente", "kierowniczka działu obsługi klienta".
    pub(super) fn grow_title(&self, h: usize) -> (usize, usize) {
        let mut start = h;
        while start > 0 && h - start < 3 {
            let prev = &self.toks[start - 1];
            let modifier =
                sets::EN_TITLE_MODIFIERS.contains(prev.lower) && role_of(prev.lower).is_none();
            let rank = matches!(prev.lower, "co" | "vice" | "senior" | "junior");
            if prev.is_word() && (modifier || rank) {
                start -= 1;
            } else {
                break;
            }
        }
        let mut end = h + 1;
        // A second head: "CEO & founder", "owner and managing director", "Wirt und Inhaber".
        if matches!(
            self.lower(end),
            "&" | "and" | "und" | "i" | "y" | "et" | "/"
        ) && self.is_role(end + 1)
        {
            end += 2;
        }
        // A founding partner: "socio fundador", "associée fondatrice".
        if self.is_role(end) && role_of(self.lower(end)) == Some(true) && self.is_lower_word(end) {
            end += 1;
        }
        let head = self.lower(h);
        let english = sets::EN_ROLES.contains(head)
            && (self.lang == Lang::En || self.lower(end) == "of" || self.toks[h].is_capital());
        if english {
            // "head of sales", "director of customer experience"
            if self.lower(end) == "of" && sets::DEPARTMENTS.contains(self.lower(end + 1)) {
                end += 2;
                while end - h < 6
                    && (sets::DEPARTMENTS.contains(self.lower(end))
                        || (sets::EN_TITLE_MODIFIERS.contains(self.lower(end))
                            && !self.is_role(end)))
                {
                    end += 1;
                }
                if matches!(self.lower(end), "&" | "and")
                    && sets::DEPARTMENTS.contains(self.lower(end + 1))
                {
                    end += 2;
                }
            } else if matches!(head, "vp" | "svp" | "evp" | "head" | "director") {
                // "VP Customer Success", "Head Partnerships": the department without "of".
                while end - h < 4
                    && sets::DEPARTMENTS.contains(self.lower(end))
                    && !self.is_role(end)
                {
                    end += 1;
                }
            }
            return (start, end);
        }
        // "Leiter Vertrieb", "Leiterin Marketing", "Werkstudent im Vertrieb"
        if sets::DEPARTMENTS.contains(self.lower(end)) && self.toks[end].is_capital() {
            return (start, end + 1);
        }
        // "Leiter Kundenservice bei …", "Leiterin Qualitätssicherung, …": a German head of a unit
        // names the unit right after it, a noun standing alone before a preposition or a stop.
        if self.lang == Lang::De
            && head.starts_with("leiter")
            && self.toks[end.min(self.toks.len() - 1)].case() == Case::Capitalised
            && end < self.toks.len()
            && role_of(self.lower(end)).is_none()
            && self
                .toks
                .get(end + 1)
                .is_none_or(|t| t.is_boundary() || sets::COMPANY_PREPOSITIONS.contains(t.lower))
        {
            return (start, end + 1);
        }
        if matches!(self.lower(end), "im" | "für")
            && sets::DEPARTMENTS.contains(self.lower(end + 1))
        {
            return (start, end + 2);
        }
        // A department in the genitive: "kierowniczka działu obsługi klienta".
        if matches!(self.lower(end), "działu" | "wydziału" | "zespołu" | "biura") {
            end += 1;
            while end - h < 5 && self.is_title_word(end) {
                end += 1;
            }
            return (start, end);
        }
        // One lower-case adjective or genitive: "handlowy", "zarządu", "commercial", "délégué".
        // After an owner, a word right before a capitalised name describes the business owned
        // instead: "właściciel piekarni Złoty Kłos" owns the bakery called Złoty Kłos.
        let owner = OWNER_HEADS.iter().any(|w| head.starts_with(w.as_str()));
        // An owner's title ends at the owner: "właścicielka salonu fryzjerskiego" owns the salon,
        // and the salon is the business, not part of the title.
        let describes_name = |_: usize| owner;
        if self.is_title_word(end) && !describes_name(end) {
            end += 1;
            // A Polish unit in the genitive goes on with its adjectives: "kierownik działu
            // technicznego", "kierowniczka hurtowni spożywczej".
            while self.lang == Lang::Pl
                && end - h < 4
                && self.is_title_word(end)
                && !describes_name(end)
            {
                end += 1;
            }
        } else if self.lang == Lang::Pl
            && self.is_lower_word(end)
            && sets::COMPANY_WORDS.contains(self.lower(end))
            && self.is_title_word(end + 1)
            && !describes_name(end + 1)
        {
            // "kierowniczka hurtowni spożywczej": the shop is the unit run, not the company.
            end += 2;
        }
        // Then complements: "de proyectos", "de atención al cliente", "aux ventes", "działu
        // obsługi klienta", "ds. e-commerce", each lower case (a capital starts the company).
        let mut grown = 0;
        while grown < 3 {
            let linker = self.lower(end);
            if linker == "ds"
                && self.toks.get(end + 1).is_some_and(|t| t.is_punct('.'))
                && self.toks.get(end + 2).is_some_and(Tok::is_word)
            {
                end += 3;
                grown += 1;
                continue;
            }
            // "a clientes", "à la clientèle": only towards the people served.
            let towards_people = matches!(linker, "a" | "à")
                && matches!(self.lang, Lang::Es | Lang::Fr)
                && (end + 1..end + 3).any(|i| {
                    let w = self.lower(i);
                    [
                        "client", "usuari", "utilisat", "pacient", "patient", "consumid", "socio",
                    ]
                    .iter()
                    .any(|p| w.starts_with(p))
                });
            if !towards_people
                && !matches!(
                    linker,
                    "de" | "del" | "des" | "du" | "d'" | "al" | "aux" | "für"
                )
            {
                break;
            }
            let skip_article = matches!(self.lower(end + 1), "la" | "los" | "las" | "l'");
            let word_at = if skip_article { end + 2 } else { end + 1 };
            let Some(w) = self.toks.get(word_at) else {
                break;
            };
            let fits = w.is_word()
                && (self.is_lower_word(word_at)
                    || self.all_lower
                    || sets::DEPARTMENTS.contains(w.lower))
                && !is_function_word(w.lower)
                && role_of(w.lower).is_none();
            if !fits {
                break;
            }
            end = word_at + 1;
            grown += 1;
            // "chef de projet digital": an adjective after the complement.
            if self.is_title_word(end) && !matches!(self.lower(end + 1), "de" | "del") {
                end += 1;
            }
        }
        (start, end)
    }

    /// A word written in lower case (or in a message that shouts, where case says nothing).
    pub(super) fn is_lower_word(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| {
            t.case() == Case::Lower || (t.case() == Case::Upper && self.shouting())
        })
    }

    /// A lower-case word that can continue a title: not a function word, not another role.
    pub(super) fn is_title_word(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|w| {
            w.is_word()
                && self.is_lower_word(i)
                && w.text.chars().count() >= 3
                && !is_function_word(w.lower)
                && role_of(w.lower).is_none()
                && !sets::COMPANY_WORDS.contains(w.lower)
        })
    }

    /// Whether the role at `h` (title starting at `start`) is the visitor's own.
    pub(super) fn is_self_role(&self, start: usize, segment_start: usize, intro: bool) -> bool {
        // The cues are at most three words: only the last words before the title matter.
        let from = segment_start.max(start.saturating_sub(4));
        let before: Vec<&str> = (from..start).map(|i| self.lower(i)).collect();
        let joined = before.join(" ");
        let ends_with_cue = |cue: &str| {
            joined
                .strip_suffix(cue)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with(' '))
        };
        if SELF_ROLE_CUES.iter().any(|cue| ends_with_cue(cue)) {
            return true;
        }
        if before.iter().any(|w| {
            matches!(
                *w,
                "i'm"
                    | "im"
                    | "am"
                    | "jestem"
                    | "bin"
                    | "soy"
                    | "suis"
                    | "als"
                    | "as"
                    | "jako"
                    | "como"
                    | "comme"
            )
        }) {
            return !before.last().is_some_and(|w| {
                sets::OTHERS.contains(w)
                    && !matches!(*w, "the" | "a" | "an" | "le" | "la" | "el" | "der" | "die")
            });
        }
        let articles = before.iter().all(|w| {
            matches!(
                *w,
                "the" | "a" | "an" | "el" | "la" | "le" | "l'" | "der" | "die" | "un" | "una"
            )
        });
        if intro && before.len() <= 1 && articles {
            return true;
        }
        if before.last().is_some_and(|w| sets::OTHERS.contains(w)) {
            return false;
        }
        intro && before.is_empty()
    }

    /// The first role head in a segment from `from`, with modifiers allowed before it.
    pub(super) fn role_in(&self, from: usize, to: usize) -> Option<usize> {
        (from..to).find(|&i| self.is_role(i))
    }
}
