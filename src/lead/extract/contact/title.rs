//! Reading a job title: its head word, the modifiers before it, the complements after it, and
//! whether it is the visitor's own.

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

use crate::lead::Lang;
use crate::lead::lexicon;
use crate::lead::text::unaccented_spellings;

use super::super::tokens::{Case, Tok};
use super::ContactFacts;
use super::reader::Reader;
use super::words::{COMPANY_WORDS, is_function_word, role_of};
use crate::lead::JobTitle;
use crate::lead::text::fold_case;

/// Words between a name and the title that introduce it: "Anna Ruiz, soy la dueña de …".
pub(super) fn is_self_intro_word(lower: &str) -> bool {
    lexicon::SELF_INTRO_WORDS.contains(lower)
}

/// English role heads, whose titles grow with English modifiers ("head of sales").
static EN_ROLES: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    let heads = lexicon::ROLE_HEADS.words_in(Lang::En).iter();
    let deciding = lexicon::DECIDING_ROLE_HEADS.words_in(Lang::En).iter();
    heads.chain(deciding).copied().collect()
});

/// Title heads that name an owner, as written and typed without diacritics.
static OWNER_HEADS: LazyLock<Vec<String>> = LazyLock::new(|| {
    lexicon::OWNER_HEADS
        .words()
        .iter()
        .flat_map(|w| unaccented_spellings(w))
        .collect()
});

/// Whether a title as a whole means deciding.
fn title_decides(lower_title: &str, head_decides: bool) -> bool {
    let words: Vec<&str> = lower_title.split([' ', '-']).collect();
    if words
        .iter()
        .any(|w| lexicon::NON_DECIDING_TITLE_WORDS.contains(w))
    {
        return false;
    }
    head_decides
        || lexicon::DECIDING_TITLES
            .words()
            .iter()
            .any(|t| lower_title.contains(t))
}

impl Reader<'_> {
    /// Takes the title at tokens `ts..te` as the visitor's, with whether it means deciding,
    /// when it parses as a job title.
    pub(super) fn take_title(&self, facts: &mut ContactFacts, ts: usize, te: usize) {
        let title_text = &self.text[self.toks[ts].start..self.toks[te - 1].end];
        if let Ok(title) = JobTitle::parse(title_text, self.lang) {
            let head_decides = (ts..te).any(|i| role_of(self.lower(i)) == Some(true));
            facts.title_decides = title_decides(&fold_case(title_text), head_decides);
            facts.title = Some(title);
        }
    }

    /// Grows a title around the role head at `h`: "support manager", "head of sales",
    /// "directora de marketing", "prezes zarządu", "responsable commercial",
    /// "responsable de atención al cliente", "kierowniczka działu obsługi klienta".
    pub(super) fn grow_title(&self, h: usize) -> (usize, usize) {
        let start = self.title_start(h);
        let end = self.end_of_heads(h);
        let english = EN_ROLES.contains(self.lower(h))
            && (self.lang == Lang::En || self.lower(end) == "of" || self.toks[h].is_capital());
        if english {
            return (start, self.english_title_end(h, end));
        }
        if let Some(end) = self.unit_after_head(h, end) {
            return (start, end);
        }
        let end = self.adjectives_after_head(h, end);
        (start, self.complements_end(end))
    }

    /// Where a title with the head at `h` starts: past the English modifiers and ranks before
    /// it ("senior account", "vice").
    fn title_start(&self, h: usize) -> usize {
        let mut start = h;
        while start > 0 && h - start < 3 {
            let prev = &self.toks[start - 1];
            let modifier =
                lexicon::TITLE_MODIFIERS.contains(prev.lower) && role_of(prev.lower).is_none();
            let rank = matches!(prev.lower, "co" | "vice" | "senior" | "junior");
            if prev.is_word() && (modifier || rank) {
                start -= 1;
            } else {
                break;
            }
        }
        start
    }

    /// The end of the heads from `h`: a second head ("CEO & founder", "owner and managing
    /// director", "Wirt und Inhaber") and a founding partner ("socio fundador", "associée
    /// fondatrice").
    fn end_of_heads(&self, h: usize) -> usize {
        let mut end = h + 1;
        if matches!(
            self.lower(end),
            "&" | "and" | "und" | "i" | "y" | "et" | "/"
        ) && self.is_role(end + 1)
        {
            end += 2;
        }
        if self.is_role(end) && role_of(self.lower(end)) == Some(true) && self.is_lower_word(end) {
            end += 1;
        }
        end
    }

    /// The end of an English title after its heads: the departments it is head of ("head of
    /// sales", "director of customer experience", "VP Customer Success").
    fn english_title_end(&self, h: usize, mut end: usize) -> usize {
        if self.lower(end) == "of" && lexicon::DEPARTMENTS.contains(self.lower(end + 1)) {
            end += 2;
            while end - h < 6
                && (lexicon::DEPARTMENTS.contains(self.lower(end))
                    || (lexicon::TITLE_MODIFIERS.contains(self.lower(end)) && !self.is_role(end)))
            {
                end += 1;
            }
            if matches!(self.lower(end), "&" | "and")
                && lexicon::DEPARTMENTS.contains(self.lower(end + 1))
            {
                end += 2;
            }
        } else if matches!(self.lower(h), "vp" | "svp" | "evp" | "head" | "director") {
            // "VP Customer Success", "Head Partnerships": the department without "of".
            while end - h < 4
                && lexicon::DEPARTMENTS.contains(self.lower(end))
                && !self.is_role(end)
            {
                end += 1;
            }
        }
        end
    }

    /// The end of a title that names its unit right after the heads: "Leiter Vertrieb",
    /// "Werkstudent im Vertrieb", "kierowniczka działu obsługi klienta"; none when the title
    /// names no unit.
    fn unit_after_head(&self, h: usize, mut end: usize) -> Option<usize> {
        // "Leiter Vertrieb", "Leiterin Marketing"
        if lexicon::DEPARTMENTS.contains(self.lower(end)) && self.toks[end].is_capital() {
            return Some(end + 1);
        }
        // "Leiter Kundenservice bei …", "Leiterin Qualitätssicherung, …": a German head of a unit
        // names the unit right after it, a noun standing alone before a preposition or a stop.
        if self.lang == Lang::De
            && self.lower(h).starts_with("leiter")
            && self.toks[end.min(self.toks.len() - 1)].case() == Case::Capitalised
            && end < self.toks.len()
            && role_of(self.lower(end)).is_none()
            && self
                .toks
                .get(end + 1)
                .is_none_or(|t| t.is_boundary() || lexicon::COMPANY_PREPOSITIONS.contains(t.lower))
        {
            return Some(end + 1);
        }
        if matches!(self.lower(end), "im" | "für")
            && lexicon::DEPARTMENTS.contains(self.lower(end + 1))
        {
            return Some(end + 2);
        }
        // A department in the genitive: "kierowniczka działu obsługi klienta".
        if matches!(self.lower(end), "działu" | "wydziału" | "zespołu" | "biura") {
            end += 1;
            while end - h < 5 && self.is_title_word(end) {
                end += 1;
            }
            return Some(end);
        }
        None
    }

    /// The end of a title after the lower-case adjectives or genitives right after its heads:
    /// "handlowy", "zarządu", "commercial", "délégué".
    fn adjectives_after_head(&self, h: usize, mut end: usize) -> usize {
        // An owner's title ends at the owner: "właścicielka salonu fryzjerskiego" owns the salon,
        // and the salon is the business, not part of the title; "właściciel piekarni Złoty Kłos"
        // owns the bakery called Złoty Kłos.
        let owner = OWNER_HEADS
            .iter()
            .any(|w| self.lower(h).starts_with(w.as_str()));
        if owner {
            return end;
        }
        if self.is_title_word(end) {
            end += 1;
            // A Polish unit in the genitive goes on with its adjectives: "kierownik działu
            // technicznego", "kierowniczka hurtowni spożywczej".
            while self.lang == Lang::Pl && end - h < 4 && self.is_title_word(end) {
                end += 1;
            }
        } else if self.lang == Lang::Pl
            && self.is_lower_word(end)
            && COMPANY_WORDS.contains(self.lower(end))
            && self.is_title_word(end + 1)
        {
            // "kierowniczka hurtowni spożywczej": the shop is the unit run, not the company.
            end += 2;
        }
        end
    }

    /// The end of a title after its complements: "de proyectos", "de atención al cliente", "aux
    /// ventes", "ds. e-commerce", each lower case (a capital starts the company).
    fn complements_end(&self, mut end: usize) -> usize {
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
            if !self.links_a_complement(linker, end) {
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
                    || lexicon::DEPARTMENTS.contains(w.lower))
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
        end
    }

    /// Whether `linker`, at token `at`, leads to a complement of a title: "de", "al", "für",
    /// or "a"/"à" towards the people served ("a clientes", "à la clientèle").
    fn links_a_complement(&self, linker: &str, at: usize) -> bool {
        let towards_people = matches!(linker, "a" | "à")
            && matches!(self.lang, Lang::Es | Lang::Fr)
            && (at + 1..at + 3).any(|i| {
                let w = self.lower(i);
                [
                    "client", "usuari", "utilisat", "pacient", "patient", "consumid", "socio",
                ]
                .iter()
                .any(|p| w.starts_with(p))
            });
        towards_people
            || matches!(
                linker,
                "de" | "del" | "des" | "du" | "d'" | "al" | "aux" | "für"
            )
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
                && !COMPANY_WORDS.contains(w.lower)
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
        if lexicon::SELF_ROLE_CUES
            .words()
            .iter()
            .any(|cue| ends_with_cue(cue))
        {
            return true;
        }
        if before.iter().any(|w| lexicon::SELF_ROLE_WORDS.contains(w)) {
            // "I'm the owner" stays the visitor's; "I'm our owner's assistant" does not.
            return !before.last().is_some_and(|w| {
                lexicon::POSSESSIVES_OF_OTHERS.contains(w) && !lexicon::ARTICLES.contains(w)
            });
        }
        let articles = before.iter().all(|w| lexicon::ARTICLES.contains(w));
        if intro && before.len() <= 1 && articles {
            return true;
        }
        if before
            .last()
            .is_some_and(|w| lexicon::POSSESSIVES_OF_OTHERS.contains(w))
        {
            return false;
        }
        intro && before.is_empty()
    }

    /// The first role head in a segment from `from`, with modifiers allowed before it.
    pub(super) fn role_in(&self, from: usize, to: usize) -> Option<usize> {
        (from..to).find(|&i| self.is_role(i))
    }
}
