//! Who the visitor is: their name, their company and their job title, from how people introduce
//! themselves ("Guten Tag, Petra Lindner, Geschäftsführerin der Lindner Catering GmbH", "I'm
//! Rachel from Copperleaf Insurance", "Callum here, I'm the managing director of…", "soy Jorge,
//! dueño de Taquerías El Güero") and from bare answers to the bot's questions.

use rustc_hash::FxHashMap as HashMap;
use std::sync::LazyLock;

use crate::lead::lexicon::{self, WordList};
use crate::lead::{Company, JobTitle, Lang, PersonName};

use super::cues::Asked;

mod company;
mod title;

use super::tokens::{Case, Kind, Tok, tokenize};
use company::{CompanySlot, is_work_verb};
use title::{is_self_intro_word, role_of, title_decides};

/// What one message says about who the visitor is.
#[derive(Debug, Default)]
pub(crate) struct ContactFacts {
    pub name: Option<PersonName>,
    pub company: Option<Company>,
    pub title: Option<JobTitle>,
    /// Whether the stated title means the visitor decides.
    pub title_decides: bool,
}

/// Cue phrases indexed by their first word, so each token is only checked against the cues it
/// can start; the longest matching cue wins.
struct CueIndex {
    cues: Vec<Vec<&'static str>>,
    by_first: HashMap<&'static str, Vec<usize>>,
}

impl CueIndex {
    fn new(cues: Vec<Vec<&'static str>>) -> CueIndex {
        let mut by_first: HashMap<&'static str, Vec<usize>> = HashMap::default();
        for (i, cue) in cues.iter().enumerate() {
            by_first.entry(cue[0]).or_default().push(i);
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|&i| std::cmp::Reverse(cues[i].len()));
        }
        CueIndex { cues, by_first }
    }

    /// The index after the cue starting at token `i`, if one does.
    fn match_at(&self, r: &Reader<'_>, i: usize) -> Option<usize> {
        let candidates = self.by_first.get(r.lower(i))?;
        candidates
            .iter()
            .find_map(|&c| r.matches_cue(i, &self.cues[c]))
    }
}

impl CueIndex {
    /// The index of a list of cue phrases.
    fn of(list: &'static WordList) -> CueIndex {
        CueIndex::new(
            list.words()
                .iter()
                .map(|c| c.split(' ').collect())
                .collect(),
        )
    }
}

static STRONG_CUES: LazyLock<CueIndex> = LazyLock::new(|| CueIndex::of(&lexicon::STRONG_NAME_CUES));
static WEAK_CUES: LazyLock<CueIndex> = LazyLock::new(|| CueIndex::of(&lexicon::WEAK_NAME_CUES));
static COMPANY_CUE_INDEX: LazyLock<CueIndex> =
    LazyLock::new(|| CueIndex::of(&lexicon::COMPANY_CUES));

/// Emoji and pictographs end a thought like a full stop: "worth a try 😉 Paweł Krawczyk, …".
fn is_emoji(c: char) -> bool {
    ('\u{2600}'..='\u{27bf}').contains(&c) || c >= '\u{1f000}'
}

/// Titles of address and degrees written before a name.
fn is_honorific(lower: &str) -> bool {
    lexicon::ADDRESS_TITLES.contains(lower)
}

/// Whether a message is written in capitals: most of its letters are upper case. Counted on
/// ASCII letters only, which every language here mostly writes with.
fn is_shouting(text: &str) -> bool {
    let (mut upper, mut lower) = (0usize, 0usize);
    for b in text.bytes() {
        upper += usize::from(b.is_ascii_uppercase());
        lower += usize::from(b.is_ascii_lowercase());
    }
    upper >= 8 && upper >= lower * 4
}

/// The number of words of the longest closing formula: a longer segment is not one.
static LONGEST_CLOSING: LazyLock<usize> = LazyLock::new(|| {
    lexicon::CLOSINGS
        .words()
        .iter()
        .map(|c| c.split(' ').count())
        .max()
        .unwrap_or(0)
});

struct Reader<'a> {
    toks: Vec<Tok<'a>>,
    text: &'a str,
    lang: Lang,
    /// The message has no capital letters: case says nothing.
    all_lower: bool,
    /// The message is written in capitals: capitals say nothing either.
    shouting: std::cell::OnceCell<bool>,
    is_product: &'a dyn Fn(&str) -> bool,
}

impl<'a> Reader<'a> {
    /// Whether the message is written in capitals, worked out the first time it matters.
    fn shouting(&self) -> bool {
        *self.shouting.get_or_init(|| is_shouting(self.text))
    }

    fn lower(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| t.lower)
    }

    fn is_role(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.is_word() && role_of(t.lower).is_some())
    }

    /// A word that can be part of a name. `relaxed` accepts lower case.
    fn is_name_word(&self, i: usize, relaxed: bool) -> bool {
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

    fn is_particle(&self, i: usize) -> bool {
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
    fn read_name(&self, i: usize, relaxed: bool) -> Option<usize> {
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
            let mut k = j;
            while self.is_particle(k) && k < j + 2 {
                k += 1;
            }
            if k > j && self.is_name_word(k, relaxed) {
                j = k;
                continue;
            }
            break;
        }
        (words > 0).then_some(j)
    }

    /// Where a name starting at token `i` really starts: past an article and honorifics with
    /// their dots ("el Dr. Javier Ibáñez", "la Lic. Gabriela Torres", "Mag. Stefan Hofbauer").
    fn name_start(&self, i: usize) -> usize {
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

    fn name_between(&self, start: usize, end: usize) -> Option<PersonName> {
        let text = &self.text[self.toks[start].start..self.toks[end - 1].end];
        PersonName::parse(text).ok()
    }

    /// Whether tokens starting at `i` spell `cue`; returns the index after it.
    fn matches_cue(&self, i: usize, cue: &[&str]) -> Option<usize> {
        let mut j = i;
        for word in cue {
            if self.lower(j) != *word {
                return None;
            }
            j += 1;
        }
        Some(j)
    }

    fn segments(&self, sentence: (usize, usize)) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut s = sentence.0;
        for i in sentence.0..sentence.1 {
            let t = &self.toks[i];
            if matches!(t.kind, Kind::Punct(c) if ",;:()–—".contains(c))
                || (t.is_punct('-') && i > s)
            {
                out.push((s, i));
                s = i + 1;
            }
        }
        out.push((s, sentence.1));
        out.into_iter().filter(|(a, b)| a < b).collect()
    }

    fn sentences(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut s = 0;
        for (i, t) in self.toks.iter().enumerate() {
            if matches!(t.kind, Kind::Punct(c) if ".!?¿¡\n".contains(c) || is_emoji(c)) {
                // "ca. 850" and initials "W. Kowalczyk" do not end a sentence.
                let prev_short = i > 0
                    && self.toks[i - 1].text.chars().count() == 1
                    && self.toks[i - 1].is_capital();
                let abbreviation = i > 0 && lexicon::ABBREVIATIONS.contains(self.toks[i - 1].lower);
                // "Lic. Andrés Peña", "Mag. Eva Huber": a title of address does not end one either.
                let honorific = i > 0 && is_honorific(self.toks[i - 1].lower);
                if t.is_punct('.') && (prev_short || abbreviation || honorific) {
                    continue;
                }
                out.push((s, i));
                s = i + 1;
            }
        }
        out.push((s, self.toks.len()));
        out.into_iter().filter(|(a, b)| a < b).collect()
    }

    /// Skips greeting words at the start of a segment.
    fn skip_greeting(&self, seg: (usize, usize)) -> usize {
        let mut i = seg.0;
        while i < seg.1 && lexicon::GREETINGS.contains(self.lower(i)) {
            i += 1;
        }
        i
    }

    /// The name in an answer to "what's your name?": the fullest of the phrases that are only a
    /// name ("Mike. Mike Torres", "Schmidt, Karin Schmidt", "tomek nowicki, I do marketing…").
    fn name_answer(&self, from: usize) -> Option<(usize, usize)> {
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
            if let Some(end) = self.read_name(start, true)
                && end == run_end
                && end - start <= 3
                && best.is_none_or(|(bs, be)| end - start > be - bs)
            {
                best = Some((start, end));
            }
            run = run_end;
        }
        best
    }

    /// Whether a segment is a closing formula: "Cheers", "Kind regards", "Viele Grüße".
    fn is_closing(&self, seg: (usize, usize)) -> bool {
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

    /// Whether a sentence asks something: it ends with "?" or opens with "¿".
    fn sentence_asks(&self, sentence: (usize, usize)) -> bool {
        self.toks.get(sentence.1).is_some_and(|t| t.is_punct('?'))
            || (sentence.0..sentence.1).any(|i| self.toks[i].is_punct('¿'))
    }

    /// Whether the words at `i` say "(it's me) here" after a name: "here", "hier", "tutaj",
    /// "z tej strony", or the German "da" closing the phrase ("Florian Gruber da,").
    fn says_here(&self, i: usize) -> bool {
        let closed = |j: usize| self.toks.get(j).is_none_or(Tok::is_boundary);
        lexicon::HERE_WORDS.contains(self.lower(i))
            || self.matches_cue(i, &["z", "tej", "strony"]).is_some()
            || (self.lower(i) == "da" && self.lang == Lang::De && closed(i + 1))
    }
}

/// Reads name, company and title from one visitor message. `asked` is what the bot asked just
/// before; `is_product` says whether a word names a configured competitor.
pub(crate) fn read(
    text: &str,
    lower: &str,
    lang: Lang,
    asked: Asked,
    has_contact: bool,
    is_product: &dyn Fn(&str) -> bool,
) -> ContactFacts {
    let r = Reader {
        toks: tokenize(text, lower),
        text,
        lang,
        all_lower: !text.chars().any(char::is_uppercase),
        shouting: std::cell::OnceCell::new(),
        is_product,
    };
    let mut facts = ContactFacts::default();
    let mut company: CompanySlot = None;

    for (i, t) in r.toks.iter().enumerate() {
        if matches!(t.kind, Kind::Legal(_))
            && let Some((s, e)) = r.company_backward(i)
        {
            r.offer(&mut company, 4, s, e);
        }
    }

    let sentences = r.sentences();
    // The first word of the message after any greeting.
    let message_first = (0..r.toks.len())
        .find(|&i| !r.toks[i].is_boundary() && !lexicon::GREETINGS.contains(r.lower(i)))
        .unwrap_or(0);
    // Where the name was read (sentence, segment): a title right after it is the visitor's.
    let mut named_at: Option<(usize, usize)> = None;
    for (si, &sentence) in sentences.iter().enumerate() {
        let segs = r.segments(sentence);
        let mut name_segment: Option<usize> = None;
        let asks = r.sentence_asks(sentence);
        for (k, &seg) in segs.iter().enumerate() {
            let first = if k == 0 { r.skip_greeting(seg) } else { seg.0 };
            if first >= seg.1 {
                continue;
            }
            // Cue-based names: "my name is…", "I'm Rachel from…", "soy Jorge".
            for cue_start in first..seg.1 {
                let strong = STRONG_CUES.match_at(&r, cue_start);
                let weak = WEAK_CUES.match_at(&r, cue_start).filter(|_| {
                    // "¿Y con Mercado Libre?": a weak cue in a question introduces nobody, and
                    // "con Marta" names the visitor only when it opens the message.
                    // Only the clause that asks: "Hi, it's Maria from X, is the bot free?" introduces Maria.
                    let asking_clause = asks
                        && (k + 1 == segs.len() || (seg.0..seg.1).any(|i| r.toks[i].is_punct('¿')));
                    !asking_clause
                        && match r.lower(cue_start) {
                            "con" => cue_start == message_first || asked.name,
                            "im" => r.lang == Lang::En,
                            _ => true,
                        }
                });
                let (after, relaxed) = match (strong, weak) {
                    (Some(a), _) => (a, true),
                    (None, Some(a)) => (a, false),
                    _ => continue,
                };
                let mut after = after;
                if r.toks.get(after).is_some_and(|t| t.is_punct(':')) {
                    after += 1;
                }
                // "this is just Tom": a softener between the cue and the name.
                if matches!(r.lower(after), "just" | "only" | "simply") {
                    after += 1;
                }
                let after = r.name_start(after);
                // "bonjour, c'est pauline roux, …": a visitor who writes in lower case opens the
                // message with a lower-case name: two words closed by punctuation, or one word
                // and where they are from ("this is tom from the support team").
                let lower_intro = || {
                    let end = r.read_name(after, true)?;
                    let closed = r.toks.get(end).is_none_or(Tok::is_boundary);
                    let from = end == after + 1 && matches!(r.lower(end), "from" | "von" | "z");
                    let writes_lower =
                        r.toks[message_first.min(r.toks.len() - 1)].case() == Case::Lower;
                    (cue_start == message_first
                        && writes_lower
                        && ((closed && end == after + 2) || from))
                        .then_some(end)
                };
                if let Some(end) = r.read_name(after, relaxed).or_else(lower_intro) {
                    // "I'm Rachel" must not be "I'm Looking": the weak cue needs a real name after it.
                    let next_is_role =
                        r.is_role(end) || (r.lower(end) == "the" && r.is_role(end + 1));
                    if !relaxed && next_is_role {
                        continue;
                    }
                    if let Some(n) = r.name_between(after, end) {
                        facts.name = Some(n);
                        name_segment = Some(k);
                        named_at = Some((si, k));
                    }
                    // Where case says something, a company after "from" shows a capital within
                    // its first two words ("z kancelarii Lis i Wspólnicy"); "from the support team"
                    // names none.
                    let capitalised_after = r.all_lower
                        || (end + 1..end + 3)
                            .any(|q| r.toks.get(q).is_some_and(|t| t.is_capital()));
                    if lexicon::COMPANY_PREPOSITIONS.contains(r.lower(end))
                        && !r.is_role(end + 1)
                        && capitalised_after
                        && let Some((s, e)) = r.company_after_descriptor(end + 1)
                    {
                        r.offer(&mut company, 2, s, e);
                    }
                    break;
                }
            }
            // "Callum here", "Petra hier", "Michał z tej strony", "Florian Gruber da,".
            // Opening the message, a lower-case name counts too: "moin, lars peters hier, …".
            let name_first = r.name_start(first);
            let opens = si == 0 && first == message_first;
            if let Some(end) = r
                .read_name(name_first, false)
                .filter(|&e| r.says_here(e))
                .or_else(|| {
                    r.read_name(name_first, true).filter(|&e| {
                        opens
                            && e - name_first <= 3
                            && lexicon::HERE_WORDS.contains(r.lower(e))
                            && r.toks.get(e + 1).is_none_or(Tok::is_boundary)
                    })
                })
                && let Some(n) = r.name_between(name_first, end)
            {
                facts.name = Some(n);
                name_segment = Some(k);
                named_at = Some((si, k));
                // "Mia hier von der Nordlicht Bäckerei", "Tom here from Brightside": where
                // they are from, right after "here".
                let mut p = end + 1;
                if lexicon::COMPANY_PREPOSITIONS.contains(r.lower(p)) && !r.is_role(p + 1) {
                    p += 1;
                    if matches!(r.lower(p), "der" | "dem" | "the" | "la" | "el")
                        && r.is_content(p + 1)
                    {
                        p += 1;
                    }
                    if r.toks.get(p).is_some_and(Tok::is_capital)
                        && let Some((s, e)) = r.company_after_descriptor(p)
                    {
                        r.offer(&mut company, 2, s, e);
                    }
                }
            }
            // "Guten Tag, Jonas Becker von der Becker Bau GmbH", "Hi, Tom Fletcher from Larkspur
            // Ltd": a full name opening the message, then where they are from. The company must
            // read as one, so "Anna from accounting" names nobody.
            // Only right after a greeting and not in a question: German capitalises nouns, so
            // "Haben Sie Referenzen bei Stadtwerken?" reads like a name and a company.
            let greeted = si == 0
                && ((k == 0 && first > seg.0)
                    || (k == 1 && segs[0].0 < segs[0].1 && r.skip_greeting(segs[0]) >= segs[0].1));
            if name_segment != Some(k)
                && greeted
                && !asks
                && let Some(end) = r.read_name(name_first, false)
                && end > name_first + 1
                && lexicon::COMPANY_PREPOSITIONS.contains(r.lower(end))
                && !r.is_role(end + 1)
                && let Some((s, e)) = r.company_after_descriptor(end + 1)
                && let Some(n) = r.name_between(name_first, end)
            {
                facts.name = Some(n);
                name_segment = Some(k);
                named_at = Some((si, k));
                // Ahead of a legal form read backwards, which would take the name in too
                // ("Lucía García de Textiles García S.L.").
                r.offer(&mut company, 5, s, e);
            }
            // "Petra Lindner, Geschäftsführerin…": a segment that is only a name, before a role or a company.
            if name_segment != Some(k) {
                let relaxed_next = segs.get(k + 1).is_some_and(|&next| {
                    let mut n0 = next.0;
                    while n0 < next.1 && n0 < next.0 + 3 && is_self_intro_word(r.lower(n0)) {
                        n0 += 1;
                    }
                    let role_start = (n0..next.1.min(n0 + 4)).find(|&i| r.is_role(i));
                    role_start.is_some_and(|h| {
                        (n0..h).all(|i| {
                            lexicon::TITLE_MODIFIERS.contains(r.lower(i))
                                || is_self_intro_word(r.lower(i))
                        })
                    }) || (next.0..next.1).any(|i| matches!(r.toks[i].kind, Kind::Legal(_)))
                });
                if relaxed_next
                    && let Some(end) = r.read_name(name_first, true)
                    && end == seg.1
                    && let Some(n) = r.name_between(name_first, end)
                {
                    facts.name = Some(n);
                    name_segment = Some(k);
                    named_at = Some((si, k));
                }
            }
            // Roles: "Geschäftsführerin der Lindner Catering GmbH", "I'm the support manager there".
            if let Some(h) = r.role_in(first, seg.1) {
                let (ts, te) = r.grow_title(h);
                // Right after the name, in its sentence or opening the next one ("I'm Jo Hart
                // (yes, that Hart). Head of sales at …").
                let intro = name_segment.is_some_and(|n| n + 1 == k)
                    || (si == 0 && k <= 1 && ts == first)
                    || (k == 0 && named_at.is_some_and(|(ns, _)| ns + 1 == si));
                if r.is_self_role(ts, first, intro) {
                    let title_text = &r.text[r.toks[ts].start..r.toks[te - 1].end];
                    // The first title a message states is the one it introduces; "I'm also a
                    // partner" adds to it.
                    if facts.title.is_none()
                        && let Ok(title) = JobTitle::parse(title_text, r.lang)
                    {
                        let lower_title = crate::lead::text::fold_case(title_text);
                        let head_decides = (ts..te).any(|i| role_of(r.lower(i)) == Some(true));
                        facts.title_decides = title_decides(&lower_title, head_decides);
                        facts.title = Some(title);
                    }
                    // The company after the title: "… of Reid & Mackay", "… bei Eder Reisen GmbH", "… chez Mercier".
                    let mut p = te;
                    while p < seg.1
                        && matches!(r.lower(p), "there" | "here" | "at" | "w" | "z")
                        && !r.is_content(p + 1)
                    {
                        p += 1;
                    }
                    if lexicon::COMPANY_PREPOSITIONS.contains(r.lower(p)) {
                        let mut q = p + 1;
                        if matches!(r.lower(q), "der" | "the" | "la" | "el" | "le")
                            && r.is_content(q + 1)
                        {
                            q += 1;
                        }
                        if let Some((s, e)) = r.company_forward(q) {
                            r.offer(&mut company, 3, s, e);
                        } else if let Some((s, e)) = r.apposition(&segs, k) {
                            // "plombier à mon compte, Benali Plomberie"
                            r.offer(&mut company, 2, s, e);
                        }
                    } else if te == seg.1 {
                        // "CEO, Fernhill Digital Ltd.": the company is the next segment.
                        if let Some(&next) = segs.get(k + 1)
                            && let Some((s, e)) = r.company_forward(next.0)
                            && e == next.1
                        {
                            r.offer(&mut company, 2, s, e);
                        }
                    } else if r
                        .toks
                        .get(te)
                        .is_some_and(|t| t.is_capital() && r.is_content(te))
                    {
                        // "właścicielka Jabłońska Design", "prezes zarządu Budmar S.A."
                        if let Some((s, e)) = r.company_forward(te) {
                            r.offer(&mut company, 3, s, e);
                        }
                    } else if r.is_lower_word(te)
                        && !r.all_lower
                        && r.toks
                            .get(te + 1)
                            .is_some_and(|t| t.is_capital() && r.is_content(te + 1))
                        && let Some((s, e)) = r.company_forward(te + 1)
                    {
                        // "właściciel piekarni Złoty Kłos": the business described, then named.
                        r.offer(&mut company, 3, s, e);
                    } else if let Some(q) = (te..seg.1.min(te + 4))
                        .take_while(|&q| {
                            r.is_lower_word(q) || lexicon::COMPANY_PREPOSITIONS.contains(r.lower(q))
                        })
                        .find(|&q| {
                            lexicon::COMPANY_PREPOSITIONS.contains(r.lower(q))
                                && r.toks.get(q + 1).is_some_and(Tok::is_capital)
                                && !r.all_lower
                        })
                        && let Some((s, e)) = r.company_forward(q + 1)
                    {
                        // "encargada de la tienda online de Zapatería Ruiz": past the rest of
                        // the description to the capitalised name.
                        r.offer(&mut company, 2, s, e);
                    }
                }
            }
            // Company cues: "firma: Serwis Rowerowy Koło", "I work at Acme", "z firmy Budmar".
            for cue_start in first..seg.1 {
                if let Some(after) = COMPANY_CUE_INDEX.match_at(&r, cue_start) {
                    let mut a = after;
                    if r.toks.get(a).is_some_and(|t| t.is_punct(':')) {
                        a += 1;
                    }
                    if a >= seg.1
                        && k + 1 < segs.len()
                        && r.toks.get(after).is_some_and(|t| t.is_punct(':'))
                    {
                        a = segs[k + 1].0;
                    }
                    // "we're busy baking": "we are" names a company only in capitals, or
                    // when the bot asked for one.
                    let says_we = matches!(
                        r.lower(cue_start),
                        "we" | "we're" | "somos" | "wir" | "nous" | "jesteśmy"
                    );
                    let named = r.toks.get(a).is_some_and(Tok::is_capital) && !r.all_lower;
                    // "salon to …", "der Laden heißt …": only a name written as one follows.
                    let names_it = matches!(
                        r.lower(after.saturating_sub(1)),
                        "to" | "się" | "heißt" | "llama" | "s'appelle"
                    );
                    if names_it && !named {
                        continue;
                    }
                    if says_we && !asked.company && !named {
                        // "We're a 12-person accountancy firm, Hale & Finch."
                        let described = matches!(
                            r.lower(a),
                            "a" | "an" | "una" | "un" | "une" | "eine" | "ein"
                        );
                        if described && let Some((s, e)) = r.apposition(&segs, k) {
                            r.offer(&mut company, 1, s, e);
                        }
                        continue;
                    }
                    if let Some((s, e)) = r.company_forward(a) {
                        r.offer(&mut company, 1, s, e);
                    } else if let Some((s, e)) = r.apposition(&segs, k) {
                        // "trabajo en una agencia de viajes, Viajes Sol y Mar"
                        r.offer(&mut company, 1, s, e);
                    }
                }
            }
            // "llevo la tienda online de Bombones Vidal", "zajmuję się marketingiem w VitaMax".
            if let Some((s, e)) = r.company_after_work_verb(first, seg.1) {
                r.offer(&mut company, 1, s, e);
            }
            // "tengo una pastelería en Palermo, Dulce Carolina": a business described, then named.
            let described = (first..seg.1).any(|i| {
                (is_work_verb(r.lower(i))
                    || matches!(r.lower(i), "own" | "have" | "tengo" | "mam" | "habe"))
                    && matches!(
                        r.lower(i + 1),
                        "a" | "an" | "una" | "un" | "une" | "eine" | "einen" | "ein"
                    )
            });
            if described && let Some((s, e)) = r.apposition(&segs, k) {
                r.offer(&mut company, 1, s, e);
            }
        }
    }

    // Bare answers to the bot's question.
    let content: Vec<usize> = (0..r.toks.len())
        .filter(|&i| !r.toks[i].is_boundary())
        .collect();
    let mut first = 0;
    while first < content.len()
        && (lexicon::ANSWER_FILLERS.contains(r.lower(content[first]))
            || lexicon::GREETINGS.contains(r.lower(content[first])))
    {
        first += 1;
    }
    if first < content.len() {
        let (s, e) = (content[first], content[content.len() - 1] + 1);
        let words = content.len() - first;
        if asked.name
            && facts.name.is_none()
            && let Some((ns, ne)) = r.name_answer(s)
        {
            facts.name = r.name_between(ns, ne);
        }
        if asked.company
            && company.is_none()
            && words <= 6
            && !asked.name
            && let Some((cs, ce)) = r.company_forward(s)
            && ce >= e
        {
            r.offer(&mut company, 0, cs, ce);
        }
        if asked.role
            && facts.title.is_none()
            && words <= 5
            && let Some(h) = r.role_in(s, e)
        {
            let (ts, te) = r.grow_title(h);
            let title_text = &r.text[r.toks[ts].start..r.toks[te - 1].end];
            if let Ok(title) = JobTitle::parse(title_text, r.lang) {
                let head_decides = (ts..te).any(|i| role_of(r.lower(i)) == Some(true));
                facts.title_decides =
                    title_decides(&crate::lead::text::fold_case(title_text), head_decides);
                facts.title = Some(title);
            }
        }
        // A message that is only a capitalised name: "Anna Nowak", "Test Test".
        if facts.name.is_none()
            && !asked.company
            && (2..=3).contains(&words)
            && first == 0
            && let Some(end) = r.read_name(s, false)
        {
            let all_capital = (s..end).all(|i| r.toks[i].is_capital() || r.is_particle(i));
            if end >= e && all_capital && !r.all_lower {
                facts.name = r.name_between(s, end);
            }
        }
    }
    // A sign-off: "Cheers, Hannah Whitfield", "Pozdrawiam, Jan Kowalczyk", "Saludos, Ana Ruiz".
    if facts.name.is_none()
        && let Some(&last) = sentences.last()
        && r.toks.get(last.1 - 1).is_some_and(Tok::is_capital)
    {
        let segs = r.segments(last);
        if let [.., closing, name_seg] = segs[..]
            && r.is_closing(closing)
            && let Some(end) = r.read_name(name_seg.0, false)
            && end == name_seg.1
            && end - name_seg.0 <= 3
        {
            facts.name = r.name_between(name_seg.0, end);
        }
    }
    // A signature block: a closing, then the name, then the title on their own lines or
    // segments ("Mit freundlichen Grüßen\nDr. Petra Roth\nLeiterin Einkauf, Roth Bau GmbH").
    if facts.name.is_none() {
        let all: Vec<(usize, usize)> = sentences.iter().flat_map(|&s| r.segments(s)).collect();
        if let Some(c) = all.iter().rposition(|&seg| r.is_closing(seg))
            && let Some(&name_seg) = all.get(c + 1)
        {
            let ns = r.name_start(name_seg.0);
            if let Some(end) = r.read_name(ns, false)
                && end == name_seg.1
                && end - ns <= 4
            {
                facts.name = r.name_between(ns, end);
                if facts.title.is_none()
                    && let Some(&title_seg) = all.get(c + 2)
                    && let Some(h) = r.role_in(title_seg.0, title_seg.1)
                {
                    let (ts, te) = r.grow_title(h);
                    // A title on a line of its own is the whole line ("Dyrektor ds. Sprzedaży").
                    let has_form =
                        (ts..title_seg.1).any(|i| matches!(r.toks[i].kind, Kind::Legal(_)));
                    let te = if !has_form && title_seg.1 - ts <= 6 {
                        title_seg.1
                    } else {
                        te
                    };
                    let title_text = &r.text[r.toks[ts].start..r.toks[te - 1].end];
                    if ts == title_seg.0
                        && let Ok(title) = JobTitle::parse(title_text, r.lang)
                    {
                        let head_decides = (ts..te).any(|i| role_of(r.lower(i)) == Some(true));
                        facts.title_decides =
                            title_decides(&crate::lead::text::fold_case(title_text), head_decides);
                        facts.title = Some(title);
                    }
                }
            }
        }
    }
    // Contact details signed "Name, Company, address": the name, then the company.
    if has_contact
        && facts.name.is_none()
        && let Some(&sentence) = sentences.first()
    {
        let segs = r.segments(sentence);
        if let [name_seg, company_seg, ..] = segs[..]
            && let Some(end) = r.read_name(name_seg.0, false)
            && end == name_seg.1
            && (2..=3).contains(&(end - name_seg.0))
            && !r.all_lower
        {
            facts.name = r.name_between(name_seg.0, end);
            if let Some((s, e)) = r.company_forward(company_seg.0)
                && e == company_seg.1
            {
                r.offer(&mut company, 1, s, e);
            }
        }
    }
    facts.company = company.map(|(_, c)| c);
    if let (Some(n), Some(c)) = (&facts.name, &facts.company) {
        // A company read from a name is no company.
        if n.to_string() == c.as_str() {
            facts.company = None;
        }
    }
    facts
}

#[cfg(test)]
mod tests;
