//! Reading a company: forward from a cue, backward from a legal form, in apposition, after a
//! verb of running a business.

use crate::lead::Company;
use crate::lead::lexicon;

use super::super::tokens::{Case, Kind, Tok};
use super::reader::Reader;
use super::words::{COMPANY_WORDS, is_function_word, role_of};

/// Verbs of running or working somewhere, first person: the company follows them.
pub(super) fn is_work_verb(lower: &str) -> bool {
    lexicon::WORK_VERBS.contains(lower)
}

/// A word written like a brand, with a capital inside: "VitaMax", "ModaNorte", "eBay".
fn is_brand_like(t: &Tok<'_>) -> bool {
    t.is_word()
        && t.text.chars().skip(1).any(char::is_uppercase)
        && t.text.chars().any(char::is_lowercase)
}

/// The company found so far and the strength of the cue that found it.
pub(super) type CompanySlot = Option<(u8, Company)>;

impl Reader<'_> {
    pub(super) fn is_content(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        match t.kind {
            Kind::Word(case) => {
                let cased =
                    matches!(case, Case::Capitalised | Case::Upper | Case::Other) || self.all_lower;
                cased
                    && !lexicon::NOT_COMPANY.contains(t.lower)
                    && role_of(t.lower).is_none()
                    && !lexicon::GREETINGS.contains(t.lower)
            }
            Kind::Number => true,
            _ => false,
        }
    }

    pub(super) fn is_connector(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| {
            lexicon::CONNECTORS.contains(t.lower)
                && (t.is_word() || t.is_punct('&') || t.is_punct('+'))
        })
    }

    /// A company from token `i`, or from the next token when `i` only says what kind of business
    /// it is: "z biura Nowak Podatki", "from the agency Blue Fox".
    pub(super) fn company_after_descriptor(&self, i: usize) -> Option<(usize, usize)> {
        if let Some(found) = self.company_forward(i) {
            return Some(found);
        }
        let descriptor = self.is_lower_word(i)
            && !is_function_word(self.lower(i))
            && self.toks.get(i + 1).is_some_and(Tok::is_capital)
            && !self.all_lower;
        if descriptor {
            self.company_forward(i + 1)
        } else {
            None
        }
    }

    /// Whether tokens `i`, `i + 1`, `i + 2` spell a domain name with nothing between them.
    pub(super) fn is_domain_at(&self, i: usize) -> bool {
        let (Some(name), Some(dot), Some(tld)) =
            (self.toks.get(i), self.toks.get(i + 1), self.toks.get(i + 2))
        else {
            return false;
        };
        name.is_word()
            && dot.is_punct('.')
            && name.end == dot.start
            && dot.end == tld.start
            && lexicon::SHOP_DOMAINS.contains(tld.lower)
            && self
                .toks
                .get(i + 3)
                .is_none_or(|t| t.start > tld.end || t.is_boundary())
    }

    /// Reads a company forward from token `i`: capitalised words and the connectors between
    /// them, through a legal form. Returns (start, end) token indices.
    // Long on purpose: one scan whose cases are tried in order and share its five counters.
    pub(super) fn company_forward(&self, i: usize) -> Option<(usize, usize)> {
        let mut j = i;
        while matches!(
            self.lower(j),
            "the" | "die" | "der" | "das" | "la" | "el" | "le"
        ) && self.is_content(j + 1)
        {
            j += 1;
        }
        let start = j;
        let mut end = j;
        let mut content = 0;
        let mut lower_words = 0;
        let mut domain = false;
        while j < self.toks.len() && j - start < 8 {
            let t = &self.toks[j];
            if let Kind::Legal(_) = t.kind {
                if content > 0 {
                    end = j + 1;
                }
                break;
            }
            // "… Logistics, Inc.": a comma right before a legal form is inside the name.
            if t.is_punct(',')
                && content > 0
                && self
                    .toks
                    .get(j + 1)
                    .is_some_and(|n| matches!(n.kind, Kind::Legal(_)))
            {
                end = j + 2;
                break;
            }
            if self.is_content(j) && self.is_domain_at(j) {
                // "kräuterkiste.de": the shop's address is its name.
                domain = true;
                content += 1;
                j += 3;
                end = j;
                break;
            }
            if self.is_content(j) {
                if t.case() == Case::Lower {
                    lower_words += 1;
                    if lower_words > 4 {
                        break;
                    }
                }
                if t.kind == Kind::Number && content == 0 {
                    break;
                }
                content += 1;
                j += 1;
                end = j;
                continue;
            }
            if self.is_connector(j)
                && content > 0
                && (self.is_content(j + 1) || (self.is_connector(j + 1) && self.is_content(j + 2)))
            {
                j += 1;
                continue;
            }
            // "Weber & Partner", "Smith and Associates": a capitalised role after "&" names the firm.
            if self.is_connector(j)
                && content > 0
                && self.is_role(j + 1)
                && self.toks[j + 1].case() == Case::Capitalised
                && !self.all_lower
            {
                j += 2;
                end = j;
                content += 1;
                continue;
            }
            break;
        }
        // Read in lower case, a run may end on a word that only joins ("… testing the").
        while !domain
            && end > start + 1
            && self.toks[end - 1].case() == Case::Lower
            && is_function_word(self.lower(end - 1))
        {
            end -= 1;
        }
        (content > 0 && !self.names_a_team(start, end)).then_some((start, end))
    }

    /// Whether tokens `start..end` read as a business and not as a place: they reach a legal
    /// form, hold a word that names a business ("Muebles" no, "Hotel", "Clínica" yes, as
    /// listed), are written like a brand, or carry the surname of the person named from
    /// `name_start` ("Javier Ortega de Ortega Muebles").
    pub(super) fn reads_as_business(&self, start: usize, end: usize, name_start: usize) -> bool {
        let surname = |w: &str| {
            (name_start + 1..start).any(|q| self.toks[q].is_capital() && self.lower(q) == w)
        };
        (start..end).any(|k| {
            let t = &self.toks[k];
            matches!(t.kind, Kind::Legal(_))
                || COMPANY_WORDS.contains(t.lower)
                || lexicon::COMPANY_WORDS_IN_NAMES.contains(t.lower)
                || is_brand_like(t)
                || surname(t.lower)
        })
    }

    /// Whether tokens `start..end` name a team inside a company rather than the company: "from
    /// the support team", "z działu IT".
    fn names_a_team(&self, start: usize, end: usize) -> bool {
        (start..end).any(|k| {
            self.toks[k].case() == Case::Lower && lexicon::TEAM_WORDS.contains(self.lower(k))
        })
    }

    /// Reads a company backward from the legal form at token `legal`.
    pub(super) fn company_backward(&self, legal: usize) -> Option<(usize, usize)> {
        let mut j = legal;
        let mut start = legal;
        let mut words = 0;
        // "Harborview Logistics, Inc.": one comma may stand right before the form.
        if j > 1 && self.toks[j - 1].is_punct(',') && self.is_content(j - 2) {
            j -= 1;
        }
        while j > 0 && words < 6 {
            let k = j - 1;
            if self.is_content(k) && !self.toks[k].is_punct('-') {
                if self.toks[k].case() == Case::Lower && !self.all_lower {
                    break;
                }
                words += 1;
                start = k;
                j = k;
                continue;
            }
            if self.is_connector(k) && k > 0 && self.is_content(k - 1) && words > 0 {
                j = k;
                continue;
            }
            break;
        }
        (words > 0).then_some((start, legal + 1))
    }

    pub(super) fn company_between(&self, start: usize, end: usize) -> Option<Company> {
        let mut start = start;
        // "the online shop kräuterkiste.de": a shop named by its address is only the address.
        if end >= start + 3 && self.is_domain_at(end - 3) {
            start = end - 3;
        }
        while start + 1 < end && lexicon::COMPANY_PREPOSITIONS.contains(self.lower(start)) {
            start += 1;
        }
        let text = &self.text[self.toks[start].start..self.toks[end - 1].end];
        let lower = crate::lead::text::fold_case(text);
        if lexicon::PRODUCTS.contains(&lower) || (self.is_product)(&lower) {
            return None;
        }
        Company::parse(text).ok()
    }

    /// Whether tokens `start..end` are one Polish word in the locative after "w": "w Krakowie",
    /// "w Gdańsku", "w Poznaniu", "w Łodzi" say where the visitor is. A company keeps its name
    /// uninflected after "w" ("w VitaMax"), and an inflected one is not its name as written.
    fn polish_place(&self, start: usize, end: usize) -> bool {
        start > 0
            && end == start + 1
            && matches!(self.lower(start - 1), "w" | "we")
            && self.toks[start].case() == Case::Capitalised
            && {
                let w = crate::lead::text::strip_accents(self.lower(start));
                lexicon::PLACE_LOCATIVE_ENDINGS
                    .words()
                    .iter()
                    .any(|l| w.ends_with(&crate::lead::text::strip_accents(l)))
            }
    }

    /// Keeps the company found by the strongest cue: a legal form beats a preposition beats a
    /// cue beats a bare answer; among equals, the later mention wins. A weaker find is not even
    /// read.
    pub(super) fn offer(&self, slot: &mut CompanySlot, prio: u8, start: usize, end: usize) {
        if slot.as_ref().is_some_and(|(p, _)| prio < *p) {
            return;
        }
        if self.polish_place(start, end) {
            return;
        }
        if let Some(c) = self.company_between(start, end) {
            *slot = Some((prio, c));
        }
    }

    /// The company named in apposition after segment `k` when that segment only describes it:
    /// "a small bakery, Crumb & Co", "une agence, Maison Bernard". The whole next segment must
    /// read as a company.
    pub(super) fn apposition(&self, segs: &[(usize, usize)], k: usize) -> Option<(usize, usize)> {
        let &next = segs.get(k + 1)?;
        let (s, e) = self.company_forward(next.0)?;
        let capital = self.toks[s].is_capital() || self.toks[s].case() == Case::Other;
        (e == next.1 && capital && !self.all_lower).then_some((s, e))
    }

    /// A company after a verb of running or working: "llevo la tienda online de Bombones Vidal",
    /// "I run the front desk of Hotel Lindner", "zajmuję się marketingiem w VitaMax". Only a
    /// capitalised name after "of"-like words counts; after "in"-like words, which also lead to
    /// places, only a name written like a brand ("VitaMax").
    pub(super) fn company_after_work_verb(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        // The product names and the pronoun "I" are capitalised too: they are not objects here.
        let is_work_verb = |w: &str| is_work_verb(w) || matches!(w, "own");
        if self.all_lower {
            return None;
        }
        let verb = (from..to).find(|&i| is_work_verb(self.lower(i)))?;
        // "I run Bright Smile Dental", "prowadzę Zieloną Kuchnię": the business is the object.
        let runs = lexicon::RUNNING_VERBS.contains(self.lower(verb));
        if runs
            && self
                .toks
                .get(verb + 1)
                .is_some_and(|t| t.case() == Case::Capitalised || is_brand_like(t))
            && let Some(found) = self.company_forward(verb + 1)
        {
            return Some(found);
        }
        let p = (verb + 1..to.min(verb + 8)).find(|&i| {
            let next = self.toks.get(i + 1);
            let of_like = lexicon::BUSINESS_PREPOSITIONS.contains(self.lower(i))
                && next.is_some_and(|t| t.case() == Case::Capitalised || t.case() == Case::Other);
            let in_like = matches!(self.lower(i), "w" | "in" | "en" | "im" | "dans")
                && next.is_some_and(is_brand_like);
            (of_like || in_like) && self.is_content(i + 1)
        })?;
        self.company_forward(p + 1)
    }
}
