//! Reading a message as a whole once its sentences are read: a bare answer to the bot's
//! question ("Anna Nowak", "Acme Ltd", "marketing manager"), a sign-off, a signature block, and
//! contact details signed with a name and a company.

use super::super::tokens::{Kind, Tok};
use super::Findings;
use super::reader::Reader;
use crate::lead::lexicon;

impl Reader<'_> {
    /// A bare answer to the bot's question: the name, company or title asked for, or a message
    /// that is only a capitalised name.
    pub(super) fn bare_answer(&self, found: &mut Findings) {
        let asked = self.asked;
        let content: Vec<usize> = (0..self.toks.len())
            .filter(|&i| !self.toks[i].is_boundary())
            .collect();
        // Past the fillers in front of the answer: "it's Anna", "sure, Acme Ltd".
        let mut first = 0;
        while first < content.len()
            && (lexicon::ANSWER_FILLERS.contains(self.lower(content[first]))
                || lexicon::GREETINGS.contains(self.lower(content[first])))
        {
            first += 1;
        }
        if first >= content.len() {
            return;
        }
        let (s, e) = (content[first], content[content.len() - 1] + 1);
        let words = content.len() - first;
        let facts = &mut found.facts;
        if asked.name
            && facts.name.is_none()
            && let Some((ns, ne)) = self.name_answer(s)
        {
            facts.name = self.name_between(ns, ne);
        }
        if asked.company
            && found.company.is_none()
            && words <= 6
            && !asked.name
            && let Some((cs, ce)) = self.company_forward(s)
            && ce >= e
        {
            self.offer(&mut found.company, 0, cs, ce);
        }
        if asked.role
            && facts.title.is_none()
            && words <= 5
            && let Some(h) = self.role_in(s, e)
        {
            let (ts, te) = self.grow_title(h);
            self.take_title(facts, ts, te);
        }
        // A message that is only a capitalised name: "Anna Nowak", "Test Test".
        if facts.name.is_none()
            && !asked.company
            && (2..=3).contains(&words)
            && first == 0
            && let Some(end) = self.read_name(s, false)
        {
            let all_capital = (s..end).all(|i| self.toks[i].is_capital() || self.is_particle(i));
            if end >= e && all_capital && !self.all_lower {
                facts.name = self.name_between(s, end);
            }
        }
    }

    /// A sign-off: "Cheers, Hannah Whitfield", "Pozdrawiam, Jan Kowalczyk", "Saludos, Ana Ruiz".
    pub(super) fn sign_off(&self, sentences: &[(usize, usize)], found: &mut Findings) {
        let Some(&last) = sentences.last() else {
            return;
        };
        if !self.toks.get(last.1 - 1).is_some_and(Tok::is_capital) {
            return;
        }
        let segs = self.segments(last);
        if let [.., closing, name_seg] = segs[..]
            && self.is_closing(closing)
            && let Some(end) = self.read_name(name_seg.0, false)
            && end == name_seg.1
            && end - name_seg.0 <= 3
        {
            found.facts.name = self.name_between(name_seg.0, end);
        }
    }

    /// A signature block: a closing, then the name, then the title on their own lines or
    /// segments ("Mit freundlichen Grüßen\nDr. Petra Roth\nLeiterin Einkauf, Roth Bau GmbH").
    pub(super) fn signature_block(&self, sentences: &[(usize, usize)], found: &mut Findings) {
        let all: Vec<(usize, usize)> = sentences.iter().flat_map(|&s| self.segments(s)).collect();
        let Some(c) = all.iter().rposition(|&seg| self.is_closing(seg)) else {
            return;
        };
        let Some(&name_seg) = all.get(c + 1) else {
            return;
        };
        let ns = self.name_start(name_seg.0);
        let Some(end) = self
            .read_name(ns, false)
            .filter(|&end| end == name_seg.1 && end - ns <= 4)
        else {
            return;
        };
        let facts = &mut found.facts;
        facts.name = self.name_between(ns, end);
        if facts.title.is_none()
            && let Some(&title_seg) = all.get(c + 2)
            && let Some(h) = self.role_in(title_seg.0, title_seg.1)
        {
            let (ts, te) = self.grow_title(h);
            // A title on a line of its own is the whole line ("Dyrektor ds. Sprzedaży").
            let has_form = (ts..title_seg.1).any(|i| matches!(self.toks[i].kind, Kind::Legal(_)));
            let te = if !has_form && title_seg.1 - ts <= 6 {
                title_seg.1
            } else {
                te
            };
            if ts == title_seg.0 {
                self.take_title(facts, ts, te);
            }
        }
    }

    /// Contact details signed "Name, Company, address": the name, then the company.
    pub(super) fn signed_contact_details(
        &self,
        sentences: &[(usize, usize)],
        found: &mut Findings,
    ) {
        let Some(&sentence) = sentences.first() else {
            return;
        };
        let segs = self.segments(sentence);
        if let [name_seg, company_seg, ..] = segs[..]
            && let Some(end) = self.read_name(name_seg.0, false)
            && end == name_seg.1
            && (2..=3).contains(&(end - name_seg.0))
            && !self.all_lower
        {
            found.facts.name = self.name_between(name_seg.0, end);
            if let Some((s, e)) = self.company_forward(company_seg.0)
                && e == company_seg.1
            {
                self.offer(&mut found.company, 1, s, e);
            }
        }
    }
}
