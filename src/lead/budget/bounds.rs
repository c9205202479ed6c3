//! Bounds on an amount: the words before it ("up to", "ab", "a partir de", "about"), a cap
//! said after it ("at most"), and a negation that turns a lower bound into a cap.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::lead::lexicon;

/// Phrases indexed by their last word, so the text before an amount is compared only with the
/// phrases that could end it.
struct Phrases(rustc_hash::FxHashMap<&'static str, Vec<&'static str>>);

impl Phrases {
    fn new(phrases: &'static [&'static str]) -> Phrases {
        let mut map: rustc_hash::FxHashMap<&'static str, Vec<&'static str>> = Default::default();
        for p in phrases {
            map.entry(last_word(p)).or_default().push(p);
        }
        Phrases(map)
    }

    /// The phrase `text` ends with, as whole words.
    fn ending(&self, text: &str) -> Option<&'static str> {
        let text = text.trim_end();
        let candidates = self.0.get(last_word(text))?;
        candidates.iter().copied().find(|p| {
            text.strip_suffix(p).is_some_and(|rest| {
                rest.chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
        })
    }
}

/// The last word of a text: letters, digits, apostrophes and dots.
fn last_word(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '\'' || *c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..]
}

static UP_TO_PHRASES: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::new(lexicon::UPPER_BOUND_PHRASES.words()));
static FROM_PHRASES: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::new(lexicon::LOWER_BOUND_PHRASES.words()));
static APPROXIMATE_PHRASES: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::new(lexicon::APPROXIMATION_PHRASES.words()));

/// What the words before an amount say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    /// "up to", "bis", "hasta": an upper bound.
    UpTo,
    /// "from", "ab", "a partir de": a lower bound.
    From,
    /// "more than", "over", "mehr als": a lower bound, or an upper one when negated.
    MoreThan,
}

/// The bound the words before an amount put on it, after skipping words like "about".
pub(super) fn bound_before(before: &str) -> Option<Bound> {
    let mut text = before.trim_end();
    while let Some(p) = APPROXIMATE_PHRASES.ending(text) {
        text = text[..text.len() - p.len()].trim_end();
    }
    if UP_TO_PHRASES.ending(text).is_some() {
        Some(Bound::UpTo)
    } else {
        FROM_PHRASES.ending(text).map(|p| {
            if lexicon::COMPARATIVE_PHRASES.contains(p) {
                Bound::MoreThan
            } else {
                Bound::From
            }
        })
    }
}

/// Whether the clause around an amount is negated ("we can't go over", "wollen wir nicht").
pub(super) fn clause_is_negated(lower: &str, span: Range<usize>) -> bool {
    let stops = ['.', '!', '?', ';', ',', '\n'];
    let start = lower[..span.start].rfind(stops).map_or(0, |i| i + 1);
    let end = lower[span.end..]
        .find(stops)
        .map_or(lower.len(), |i| span.end + i);
    let clause = lower[start..span.start]
        .split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’')
        .chain(lower[span.end..end].split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’'));
    clause.into_iter().any(|w| {
        w.ends_with("n't")
            || w.ends_with("n’t")
            || w.starts_with("n'")
            || lexicon::CLAUSE_NEGATIONS.contains(w)
    })
}

/// A cap said after the amount: "€300 a month at most", "50 € par mois maximum", "$250/month max".
pub(super) static CAPPED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:a|an|per|par|al|por|pro|im|na|w|each|/)\s*(?:month|mois|mes|monat|miesiąc|year|an|année|año|jahr|rok|week|semaine|semana|woche|mo|mth|yr|mc|msc|mies|mon|jr)\w*\.?[\s,]*|(?:monthly|yearly|annually|mensuel\w*|mensual\w*|monatlich|jährlich|miesięcznie|rocznie|netto|net|hors\s+taxes|ht)[\s,]*)*(?:at\s+(?:the\s+)?most|max(?:imum|imal)?\.?|tops|or\s+less|au\s+maximum|tout\s+au\s+plus|au\s+plus|grand\s+max|como\s+máximo|como\s+mucho|al\s+máximo|máximo|höchstens|maksymalnie|maks\.?|najwyżej|o\s+menos|ou\s+moins|oder\s+weniger|lub\s+mniej)(?:[^\p{L}]|$)")
        .expect("cap-after pattern")
});
