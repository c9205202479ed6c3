//! Reading a person's name: the words a name is made of, honorifics and particles, and the
//! phrases around it ("Callum here", "Cheers, Hannah Whitfield").

use std::sync::LazyLock;

use super::super::tokens::{Case, Kind, Tok};
use super::reader::Reader;
use super::words::{is_honorific, role_of};
use crate::lead::lexicon;
use crate::lead::{Lang, PersonName};

/// The number of words of the longest closing formula: a longer segment is not one.
static LONGEST_CLOSING: LazyLock<usize> = LazyLock::new(|| {
    lexicon::CLOSINGS
        .words()
        .iter()
        .map(|c| c.split(' ').count())
        .max()
        .unwrap_or(0)
});

impl Reader<'_> {
    /// A word that can be part of a name. `relaxed` accepts lower case.
    pub(super) fn is_name_word(&self, i: usize, relaxed: bool) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        if !t.is_word()
            || !t
                .text
                .chars()
                .all(|c| c.is_alphabetic() || "'’-".contains(c))
        {
            return false;
        }
        let cased = t.is_capital() || relaxed || self.all_lower;
        cased
            && t.text.chars().count() >= 2
            && !lexicon::NOT_NAME.contains(t.lower)
            && !lexicon::GREETINGS.contains(t.lower)
            && role_of(t.lower).is_none()
            && !lexicon::PRODUCTS.contains(t.lower)
            && !(self.is_product)(t.lower)
            && !lexicon::CALENDAR_WORDS_NOT_NAMES.contains(t.lower)
    }

    /// A particle that may sit inside a name ("von", "de la"), written in lower case.
    pub(super) fn is_particle(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| {
            t.is_word()
                && lexicon::NAME_PARTICLES.contains(t.lower)
                && !t
                    .text
                    .starts_with(|c: char| c.is_uppercase() && t.case() == Case::Capitalised)
        })
    }

    /// Reads a name starting at token `i`: name words with particles between them, up to four
    /// words. Returns the end (exclusive) when at least one word was read.
    pub(super) fn read_name(&self, i: usize, relaxed: bool) -> Option<usize> {
        let mut j = i;
        let mut words = 0;
        if !self.is_name_word(j, relaxed) {
            return None;
        }
        // "SAP", "IBM": a short word in capitals is an acronym unless the whole message shouts.
        let first = &self.toks[j];
        if first.case() == Case::Upper && first.text.chars().count() <= 4 && !self.shouting() {
            return None;
        }
        while words < 4 {
            if self.is_name_word(j, relaxed) {
                j += 1;
                words += 1;
                continue;
            }
            // A particle counts only between two name words: "Konstantin von Hagen". In German it
            // follows the given name; after a surname "von der" is "from the" ("Jürgen Weiß von
            // der Bäckerei Weiß").
            if self.lang == Lang::De && words >= 2 {
                break;
            }
            // "Puig i Ferrer", "Fernández y Ruiz": a conjunction joins two surnames only, after
            // a given name and a first surname, and closes the name; "Ana y Pedro" are two
            // people, and in Polish "i" is only "and".
            if matches!(self.lower(j), "i" | "y") {
                let joins_surnames = words >= 2
                    && !(self.lower(j) == "i" && self.lang == Lang::Pl)
                    && self.is_particle(j)
                    && self.is_name_word(j + 1, relaxed)
                    && !self.is_name_word(j + 2, relaxed)
                    && !self.is_particle(j + 2);
                if joins_surnames {
                    j += 2;
                }
                break;
            }
            let mut k = j;
            while self.is_particle(k) && k < j + 2 {
                k += 1;
            }
            // "María del Carmen Ruiz": the particle is inside a given name of two.
            let given_name = words == 1 && {
                let phrase: Vec<&str> = (i..=k).map(|q| self.lower(q)).collect();
                lexicon::COMPOUND_GIVEN_NAMES
                    .contains(&crate::lead::text::strip_accents(&phrase.join(" ")))
            };
            if k > j
                && self.is_name_word(k, relaxed)
                && (given_name || !self.names_a_business(k, relaxed))
            {
                j = k;
                continue;
            }
            break;
        }
        (words > 0).then_some(j)
    }

    /// Whether the name starting at token `i` opens with a given name of two words.
    fn compound_given_name(&self, i: usize) -> bool {
        // "Ana Belén", or with a particle inside: "María del Carmen".
        [2, 3].into_iter().any(|n| {
            i + n <= self.toks.len()
                && self
                    .name_between(i, i + n)
                    .is_some_and(|name| name.first().contains(' '))
        })
    }

    /// Whether the capitalised words from `k`, after a particle, name a business rather than
    /// end a surname: a surname after "de la", "von der", "van" is one word ("de la Fuente",
    /// "von der Heide"), while "de Viajes Sol", "von der Weber Druck GmbH", "de Taquerías El
    /// Güero" go on, or reach a legal form: there the particle was a preposition.
    fn names_a_business(&self, k: usize, relaxed: bool) -> bool {
        let mut end = k;
        while end < k + 3 && self.is_name_word(end, relaxed) {
            end += 1;
        }
        let next = self.toks.get(end);
        end - k >= 2
            || next.is_some_and(|t| {
                matches!(t.kind, Kind::Legal(_)) || (t.is_word() && t.is_capital())
            })
    }

    /// Where a name starting at token `i` really starts: past an article and honorifics with
    /// their dots ("el Dr. Javier Ibáñez", "la Lic. Gabriela Torres", "Mag. Stefan Hofbauer").
    pub(super) fn name_start(&self, i: usize) -> usize {
        let mut j = i;
        if matches!(self.lower(j), "el" | "la" | "le" | "the" | "der" | "die")
            && is_honorific(self.lower(j + 1))
        {
            j += 1;
        }
        while is_honorific(self.lower(j)) && j < i + 4 {
            j += 1;
            if self.toks.get(j).is_some_and(|t| t.is_punct('.')) {
                j += 1;
            }
        }
        if j > i && self.is_name_word(j, false) {
            j
        } else {
            i
        }
    }

    /// The name written at tokens `start..end`, if it parses as one.
    pub(super) fn name_between(&self, start: usize, end: usize) -> Option<PersonName> {
        let text = &self.text[self.toks[start].start..self.toks[end - 1].end];
        PersonName::parse(text).ok()
    }

    /// The name in an answer to "what's your name?": the fullest of the phrases that are only a
    /// name ("Mike. Mike Torres", "Schmidt, Karin Schmidt", "tomek nowicki, I do marketing…").
    pub(super) fn name_answer(&self, from: usize) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        let mut run = from;
        for _ in 0..4 {
            while self.toks.get(run).is_some_and(Tok::is_boundary) {
                run += 1;
            }
            if run >= self.toks.len() {
                break;
            }
            let run_end = (run..self.toks.len())
                .find(|&i| self.toks[i].is_boundary())
                .unwrap_or(self.toks.len());
            let start = self.name_start(run);
            // A given name and two surnames; the given name may be two words ("Ana Belén Ruiz y
            // Moreno").
            if let Some(end) = self.read_name(start, true)
                && end == run_end
                && (end - start <= 3 || (end - start <= 5 && self.compound_given_name(start)))
                && best.is_none_or(|(bs, be)| end - start > be - bs)
            {
                best = Some((start, end));
            }
            run = run_end;
        }
        best
    }

    /// Whether a segment is a closing formula: "Cheers", "Kind regards", "Viele Grüße".
    pub(super) fn is_closing(&self, seg: (usize, usize)) -> bool {
        if seg.1 - seg.0 > *LONGEST_CLOSING {
            return false;
        }
        let mut phrase = String::new();
        for i in seg.0..seg.1 {
            if i > seg.0 {
                phrase.push(' ');
            }
            phrase.push_str(self.lower(i));
        }
        lexicon::CLOSINGS.contains(&phrase)
    }

    /// Whether the words at `i` say "(it's me) here" after a name: "here", "hier", "tutaj",
    /// "z tej strony", or the German "da" closing the phrase ("Florian Gruber da,").
    pub(super) fn says_here(&self, i: usize) -> bool {
        let closed = |j: usize| self.toks.get(j).is_none_or(Tok::is_boundary);
        lexicon::HERE_WORDS.contains(self.lower(i))
            || self.matches_cue(i, &["z", "tej", "strony"]).is_some()
            || (self.lower(i) == "da" && self.lang == Lang::De && closed(i + 1))
    }
}
