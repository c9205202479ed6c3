//! One message as the contact reader sees it: its tokens, how it is written, its sentences and
//! their segments, and what the bot asked before it.

use std::cell::OnceCell;

use super::super::cues::Asked;
use super::super::tokens::{Kind, Tok, tokenize};
use super::words::{is_honorific, role_of};
use crate::lead::Lang;
use crate::lead::lexicon;

/// Emoji and pictographs end a thought like a full stop: "worth a try 😉 Paweł Krawczyk, …".
fn is_emoji(c: char) -> bool {
    ('\u{2600}'..='\u{27bf}').contains(&c) || c >= '\u{1f000}'
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

/// A message being read for who the visitor is.
pub(super) struct Reader<'a> {
    pub toks: Vec<Tok<'a>>,
    pub text: &'a str,
    pub lang: Lang,
    /// The message has no capital letters: case says nothing.
    pub all_lower: bool,
    /// The message is written in capitals: capitals say nothing either.
    shouting: OnceCell<bool>,
    /// Whether a word names a configured competitor.
    pub is_product: &'a dyn Fn(&str) -> bool,
    /// What the bot asked just before.
    pub asked: Asked,
    /// The first word of the message after any greeting.
    pub message_first: usize,
}

impl<'a> Reader<'a> {
    /// Tokenizes a message; `lower` is its folded copy, with the same byte offsets.
    pub(super) fn new(
        text: &'a str,
        lower: &'a str,
        lang: Lang,
        asked: Asked,
        is_product: &'a dyn Fn(&str) -> bool,
    ) -> Reader<'a> {
        let mut r = Reader {
            toks: tokenize(text, lower),
            text,
            lang,
            all_lower: !text.chars().any(char::is_uppercase),
            shouting: OnceCell::new(),
            is_product,
            asked,
            message_first: 0,
        };
        r.message_first = (0..r.toks.len())
            .find(|&i| !r.toks[i].is_boundary() && !lexicon::GREETINGS.contains(r.lower(i)))
            .unwrap_or(0);
        r
    }

    /// Whether the message is written in capitals, worked out the first time it matters.
    pub(super) fn shouting(&self) -> bool {
        *self.shouting.get_or_init(|| is_shouting(self.text))
    }

    /// Token `i` lower-cased; nothing past the end.
    pub(super) fn lower(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| t.lower)
    }

    /// Whether token `i` is the head word of a job title.
    pub(super) fn is_role(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.is_word() && role_of(t.lower).is_some())
    }

    /// Whether tokens starting at `i` spell `cue`; returns the index after it.
    pub(super) fn matches_cue(&self, i: usize, cue: &[&str]) -> Option<usize> {
        let mut j = i;
        for word in cue {
            if self.lower(j) != *word {
                return None;
            }
            j += 1;
        }
        Some(j)
    }

    /// The segments of a sentence: its words between commas, colons, brackets and dashes.
    pub(super) fn segments(&self, sentence: (usize, usize)) -> Vec<(usize, usize)> {
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

    /// The sentences of the message, as token ranges.
    pub(super) fn sentences(&self) -> Vec<(usize, usize)> {
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
    pub(super) fn skip_greeting(&self, seg: (usize, usize)) -> usize {
        let mut i = seg.0;
        while i < seg.1 && lexicon::GREETINGS.contains(self.lower(i)) {
            i += 1;
        }
        i
    }

    /// Whether a sentence asks something: it ends with "?" or opens with "¿".
    pub(super) fn sentence_asks(&self, sentence: (usize, usize)) -> bool {
        self.toks.get(sentence.1).is_some_and(|t| t.is_punct('?'))
            || (sentence.0..sentence.1).any(|i| self.toks[i].is_punct('¿'))
    }
}
