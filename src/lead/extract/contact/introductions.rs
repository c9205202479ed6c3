//! Reading a sentence for how the visitor introduces themselves, one segment (the words between
//! commas, colons, brackets and dashes) at a time: a name after a cue or before "here", a name
//! opening the message, a title that is the visitor's own, and the company each leads to.

use super::super::tokens::{Case, Kind, Tok};
use super::Findings;
use super::company::is_work_verb;
use super::cue_index::{COMPANY_CUE_INDEX, STRONG_CUES, WEAK_CUES};
use super::reader::Reader;
use super::title::is_self_intro_word;
use crate::lead::Lang;
use crate::lead::lexicon;

/// A segment of a sentence and where it sits.
struct Place<'p> {
    /// The sentence's index in the message.
    si: usize,
    /// The sentence's segments, and this segment's index among them.
    segs: &'p [(usize, usize)],
    k: usize,
    /// The segment's tokens.
    seg: (usize, usize),
    /// The segment's first token after any greeting.
    first: usize,
    /// Where a name at the segment's start would start, past articles and honorifics.
    name_first: usize,
    /// Whether the sentence asks something.
    asks: bool,
}

impl Reader<'_> {
    /// Companies read backward from a legal form: "… Lindner Catering GmbH".
    pub(super) fn companies_before_legal_forms(&self, found: &mut Findings) {
        for (i, t) in self.toks.iter().enumerate() {
            if matches!(t.kind, Kind::Legal(_))
                && let Some((s, e)) = self.company_backward(i)
            {
                self.offer(&mut found.company, 4, s, e);
            }
        }
    }

    /// Reads the `si`th sentence, segment by segment. The steps run in this order because a
    /// later one looks at what an earlier one found: a title is the visitor's when it follows
    /// the name just read.
    pub(super) fn read_sentence(&self, si: usize, sentence: (usize, usize), found: &mut Findings) {
        let segs = self.segments(sentence);
        let asks = self.sentence_asks(sentence);
        for (k, &seg) in segs.iter().enumerate() {
            let first = if k == 0 {
                self.skip_greeting(seg)
            } else {
                seg.0
            };
            if first >= seg.1 {
                continue;
            }
            let p = Place {
                si,
                segs: &segs,
                k,
                seg,
                first,
                name_first: self.name_start(first),
                asks,
            };
            self.name_after_cue(&p, found);
            self.name_said_here(&p, found);
            self.greeted_name_and_company(&p, found);
            self.name_before_role_or_company(&p, found);
            self.own_title(&p, found);
            self.company_after_cue(&p, found);
            // "llevo la tienda online de Bombones Vidal", "zajmuję się marketingiem w VitaMax".
            if let Some((s, e)) = self.company_after_work_verb(first, seg.1) {
                self.offer(&mut found.company, 1, s, e);
            }
            self.described_business(&p, found);
        }
    }

    /// Cue-based names: "my name is…", "I'm Rachel from…", "soy Jorge"; and where they are from.
    fn name_after_cue(&self, p: &Place<'_>, found: &mut Findings) {
        for cue_start in p.first..p.seg.1 {
            let strong = STRONG_CUES.match_at(self, cue_start);
            let weak = WEAK_CUES.match_at(self, cue_start).filter(|_| {
                // "¿Y con Mercado Libre?": a weak cue in a question introduces nobody, and
                // "con Marta" names the visitor only when it opens the message.
                // Only the clause that asks: "Hi, it's Maria from X, is the bot free?" introduces Maria.
                let asking_clause = p.asks
                    && (p.k + 1 == p.segs.len()
                        || (p.seg.0..p.seg.1).any(|i| self.toks[i].is_punct('¿')));
                !asking_clause
                    && match self.lower(cue_start) {
                        "con" => cue_start == self.message_first || self.asked.name,
                        "im" => self.lang == Lang::En,
                        _ => true,
                    }
            });
            let (after, relaxed) = match (strong, weak) {
                (Some(a), _) => (a, true),
                (None, Some(a)) => (a, false),
                _ => continue,
            };
            let mut after = after;
            if self.toks.get(after).is_some_and(|t| t.is_punct(':')) {
                after += 1;
            }
            // "this is just Tom": a softener between the cue and the name.
            if matches!(self.lower(after), "just" | "only" | "simply") {
                after += 1;
            }
            let after = self.name_start(after);
            // "bonjour, c'est pauline roux, …": a visitor who writes in lower case opens the
            // message with a lower-case name: two words closed by punctuation, or one word
            // and where they are from ("this is tom from the support team").
            let lower_intro = || {
                let end = self.read_name(after, true)?;
                let closed = self.toks.get(end).is_none_or(Tok::is_boundary);
                let from = end == after + 1 && matches!(self.lower(end), "from" | "von" | "z");
                let writes_lower =
                    self.toks[self.message_first.min(self.toks.len() - 1)].case() == Case::Lower;
                (cue_start == self.message_first
                    && writes_lower
                    && ((closed && end == after + 2) || from))
                    .then_some(end)
            };
            if let Some(end) = self.read_name(after, relaxed).or_else(lower_intro) {
                // "I'm Rachel" must not be "I'm Looking": the weak cue needs a real name after it.
                let next_is_role =
                    self.is_role(end) || (self.lower(end) == "the" && self.is_role(end + 1));
                if !relaxed && next_is_role {
                    continue;
                }
                if let Some(n) = self.name_between(after, end) {
                    found.name_at(n, p.si, p.k);
                }
                // Where case says something, a company after "from" shows a capital within
                // its first two words ("z kancelarii Lis i Wspólnicy"); "from the support team"
                // names none.
                let capitalised_after = self.all_lower
                    || (end + 1..end + 3).any(|q| self.toks.get(q).is_some_and(|t| t.is_capital()));
                // "Soy Ana de Reformas Ruiz": a particle the name did not take is "from", but
                // what follows may be a place ("Soy Iker de San Sebastián"): it is a company
                // only when it reads as one.
                let after_particle = self.is_particle(end);
                if lexicon::COMPANY_PREPOSITIONS.contains(self.lower(end))
                    && !self.is_role(end + 1)
                    && capitalised_after
                    && let Some((s, e)) = self.company_after_descriptor(end + 1)
                    && (!after_particle || self.reads_as_business(s, e, after))
                {
                    self.offer(&mut found.company, 2, s, e);
                }
                break;
            }
        }
    }

    /// "Callum here", "Petra hier", "Michał z tej strony", "Florian Gruber da,"; opening the
    /// message, a lower-case name counts too: "moin, lars peters hier, …". Then where they are
    /// from: "Mia hier von der Nordlicht Bäckerei", "Tom here from Brightside".
    fn name_said_here(&self, p: &Place<'_>, found: &mut Findings) {
        let opens = p.si == 0 && p.first == self.message_first;
        let Some(end) = self
            .read_name(p.name_first, false)
            .filter(|&e| self.says_here(e))
            .or_else(|| {
                self.read_name(p.name_first, true).filter(|&e| {
                    opens
                        && e - p.name_first <= 3
                        && lexicon::HERE_WORDS.contains(self.lower(e))
                        && self.toks.get(e + 1).is_none_or(Tok::is_boundary)
                })
            })
        else {
            return;
        };
        let Some(n) = self.name_between(p.name_first, end) else {
            return;
        };
        found.name_at(n, p.si, p.k);
        let mut q = end + 1;
        if lexicon::COMPANY_PREPOSITIONS.contains(self.lower(q)) && !self.is_role(q + 1) {
            q += 1;
            if matches!(self.lower(q), "der" | "dem" | "the" | "la" | "el")
                && self.is_content(q + 1)
            {
                q += 1;
            }
            if self.toks.get(q).is_some_and(Tok::is_capital)
                && let Some((s, e)) = self.company_after_descriptor(q)
            {
                self.offer(&mut found.company, 2, s, e);
            }
        }
    }

    /// "Guten Tag, Jonas Becker von der Becker Bau GmbH", "Hi, Tom Fletcher from Larkspur Ltd":
    /// a full name opening the message, then where they are from. The company must read as one,
    /// so "Anna from accounting" names nobody.
    fn greeted_name_and_company(&self, p: &Place<'_>, found: &mut Findings) {
        // Only right after a greeting and not in a question: German capitalises nouns, so
        // "Haben Sie Referenzen bei Stadtwerken?" reads like a name and a company.
        let segs = p.segs;
        let greeted = p.si == 0
            && ((p.k == 0 && p.first > p.seg.0)
                || (p.k == 1 && segs[0].0 < segs[0].1 && self.skip_greeting(segs[0]) >= segs[0].1));
        if found.named_at != Some((p.si, p.k))
            && greeted
            && !p.asks
            && let Some(end) = self.read_name(p.name_first, false)
            && end > p.name_first + 1
            && lexicon::COMPANY_PREPOSITIONS.contains(self.lower(end))
            && !self.is_role(end + 1)
            && let Some((s, e)) = self.company_after_descriptor(end + 1)
            && let Some(n) = self.name_between(p.name_first, end)
        {
            found.name_at(n, p.si, p.k);
            // Ahead of a legal form read backwards, which would take the name in too
            // ("Lucía García de Textiles García S.L.").
            self.offer(&mut found.company, 5, s, e);
        }
    }

    /// "Petra Lindner, Geschäftsführerin…": a segment that is only a name, before a role or a
    /// company.
    fn name_before_role_or_company(&self, p: &Place<'_>, found: &mut Findings) {
        if found.named_at == Some((p.si, p.k)) {
            return;
        }
        let relaxed_next = p.segs.get(p.k + 1).is_some_and(|&next| {
            let mut n0 = next.0;
            while n0 < next.1 && n0 < next.0 + 3 && is_self_intro_word(self.lower(n0)) {
                n0 += 1;
            }
            let role_start = (n0..next.1.min(n0 + 4)).find(|&i| self.is_role(i));
            role_start.is_some_and(|h| {
                (n0..h).all(|i| {
                    lexicon::TITLE_MODIFIERS.contains(self.lower(i))
                        || is_self_intro_word(self.lower(i))
                })
            }) || (next.0..next.1).any(|i| matches!(self.toks[i].kind, Kind::Legal(_)))
        });
        if relaxed_next
            && let Some(end) = self.read_name(p.name_first, true)
            && end == p.seg.1
            && let Some(n) = self.name_between(p.name_first, end)
        {
            found.name_at(n, p.si, p.k);
        }
    }

    /// Roles: "Geschäftsführerin der Lindner Catering GmbH", "I'm the support manager there". A
    /// title that is the visitor's own is taken, with the company it names.
    fn own_title(&self, p: &Place<'_>, found: &mut Findings) {
        let Some(h) = self.role_in(p.first, p.seg.1) else {
            return;
        };
        let (ts, te) = self.grow_title(h);
        // Right after the name, in its sentence or opening the next one ("I'm Jo Hart
        // (yes, that Hart). Head of sales at …").
        let intro = (p.k > 0 && found.named_at == Some((p.si, p.k - 1)))
            || (p.si == 0 && p.k <= 1 && ts == p.first)
            || (p.k == 0 && found.named_at.is_some_and(|(ns, _)| ns + 1 == p.si));
        if !self.is_self_role(ts, p.first, intro) {
            return;
        }
        // The first title a message states is the one it introduces; "I'm also a partner"
        // adds to it.
        if found.facts.title.is_none() {
            self.take_title(&mut found.facts, ts, te);
        }
        self.company_after_title(p, te, found);
    }

    /// The company after a title ending at `te`: "… of Reid & Mackay", "… bei Eder Reisen
    /// GmbH", "… chez Mercier", "CEO, Fernhill Digital Ltd.", "właściciel piekarni Złoty Kłos".
    fn company_after_title(&self, p: &Place<'_>, te: usize, found: &mut Findings) {
        let mut q = te;
        while q < p.seg.1
            && matches!(self.lower(q), "there" | "here" | "at" | "w" | "z")
            && !self.is_content(q + 1)
        {
            q += 1;
        }
        if lexicon::COMPANY_PREPOSITIONS.contains(self.lower(q)) {
            let mut c = q + 1;
            if matches!(self.lower(c), "der" | "the" | "la" | "el" | "le") && self.is_content(c + 1)
            {
                c += 1;
            }
            if let Some((s, e)) = self.company_forward(c) {
                self.offer(&mut found.company, 3, s, e);
            } else if let Some((s, e)) = self.apposition(p.segs, p.k) {
                // "plombier à mon compte, Benali Plomberie"
                self.offer(&mut found.company, 2, s, e);
            }
        } else if te == p.seg.1 {
            // "CEO, Fernhill Digital Ltd.": the company is the next segment.
            if let Some(&next) = p.segs.get(p.k + 1)
                && let Some((s, e)) = self.company_forward(next.0)
                && e == next.1
            {
                self.offer(&mut found.company, 2, s, e);
            }
        } else if self
            .toks
            .get(te)
            .is_some_and(|t| t.is_capital() && self.is_content(te))
        {
            // "właścicielka Jabłońska Design", "prezes zarządu Budmar S.A."
            if let Some((s, e)) = self.company_forward(te) {
                self.offer(&mut found.company, 3, s, e);
            }
        } else if self.is_lower_word(te)
            && !self.all_lower
            && self
                .toks
                .get(te + 1)
                .is_some_and(|t| t.is_capital() && self.is_content(te + 1))
            && let Some((s, e)) = self.company_forward(te + 1)
        {
            // "właściciel piekarni Złoty Kłos": the business described, then named.
            self.offer(&mut found.company, 3, s, e);
        } else if let Some(c) = (te..p.seg.1.min(te + 4))
            .take_while(|&c| {
                self.is_lower_word(c) || lexicon::COMPANY_PREPOSITIONS.contains(self.lower(c))
            })
            .find(|&c| {
                lexicon::COMPANY_PREPOSITIONS.contains(self.lower(c))
                    && self.toks.get(c + 1).is_some_and(Tok::is_capital)
                    && !self.all_lower
            })
            && let Some((s, e)) = self.company_forward(c + 1)
        {
            // "encargada de la tienda online de Zapatería Ruiz": past the rest of the
            // description to the capitalised name.
            self.offer(&mut found.company, 2, s, e);
        }
    }

    /// Company cues: "firma: Serwis Rowerowy Koło", "I work at Acme", "z firmy Budmar".
    fn company_after_cue(&self, p: &Place<'_>, found: &mut Findings) {
        for cue_start in p.first..p.seg.1 {
            let Some(after) = COMPANY_CUE_INDEX.match_at(self, cue_start) else {
                continue;
            };
            let mut a = after;
            if self.toks.get(a).is_some_and(|t| t.is_punct(':')) {
                a += 1;
            }
            if a >= p.seg.1
                && p.k + 1 < p.segs.len()
                && self.toks.get(after).is_some_and(|t| t.is_punct(':'))
            {
                a = p.segs[p.k + 1].0;
            }
            // "we're busy baking": "we are" names a company only in capitals, or when the bot
            // asked for one.
            let says_we = matches!(
                self.lower(cue_start),
                "we" | "we're" | "somos" | "wir" | "nous" | "jesteśmy"
            );
            let named = self.toks.get(a).is_some_and(Tok::is_capital) && !self.all_lower;
            // "salon to …", "der Laden heißt …": only a name written as one follows.
            let names_it = matches!(
                self.lower(after.saturating_sub(1)),
                "to" | "się" | "heißt" | "llama" | "s'appelle"
            );
            if names_it && !named {
                continue;
            }
            if says_we && !self.asked.company && !named {
                // "We're a 12-person accountancy firm, Hale & Finch."
                let described = matches!(
                    self.lower(a),
                    "a" | "an" | "una" | "un" | "une" | "eine" | "ein"
                );
                if described && let Some((s, e)) = self.apposition(p.segs, p.k) {
                    self.offer(&mut found.company, 1, s, e);
                }
                continue;
            }
            if let Some((s, e)) = self.company_forward(a) {
                self.offer(&mut found.company, 1, s, e);
            } else if let Some((s, e)) = self.apposition(p.segs, p.k) {
                // "trabajo en una agencia de viajes, Viajes Sol y Mar"
                self.offer(&mut found.company, 1, s, e);
            }
        }
    }

    /// "tengo una pastelería en Palermo, Dulce Carolina": a business described, then named.
    fn described_business(&self, p: &Place<'_>, found: &mut Findings) {
        let described = (p.first..p.seg.1).any(|i| {
            (is_work_verb(self.lower(i))
                || matches!(self.lower(i), "own" | "have" | "tengo" | "mam" | "habe"))
                && matches!(
                    self.lower(i + 1),
                    "a" | "an" | "una" | "un" | "une" | "eine" | "einen" | "ein"
                )
        });
        if described && let Some((s, e)) = self.apposition(p.segs, p.k) {
            self.offer(&mut found.company, 1, s, e);
        }
    }
}
