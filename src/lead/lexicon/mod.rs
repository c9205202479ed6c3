//! The word lists of the five languages, kept as data in `lexicon/`: one file per language
//! (`en.toml`, `pl.toml`, `de.toml`, `es.toml`, `fr.toml`) and `common.toml` for what belongs to
//! no one language, so that a linguist reviews one file per language. Each list says in the
//! comment above it what it is for.
//!
//! The files are compiled in and parsed once, the first time a list is used. Extraction reads
//! every language's entries at once, so a German visitor on a Polish site is still understood: a
//! list is the union of its entries in all files. A list used for membership becomes a hash set
//! the first time it is asked; nothing is parsed or allocated per lookup.

mod lists;
mod parse;
#[cfg(test)]
mod tests;

use std::sync::{LazyLock, OnceLock};

use rustc_hash::FxHashSet;

use super::Lang;

pub(crate) use lists::*;

/// The files, in the order their entries are merged: the languages, then `common`.
const FILES: [(&str, Option<Lang>, &str); 6] = [
    (
        "en",
        Some(Lang::En),
        include_str!("../../../lexicon/en.toml"),
    ),
    (
        "pl",
        Some(Lang::Pl),
        include_str!("../../../lexicon/pl.toml"),
    ),
    (
        "de",
        Some(Lang::De),
        include_str!("../../../lexicon/de.toml"),
    ),
    (
        "es",
        Some(Lang::Es),
        include_str!("../../../lexicon/es.toml"),
    ),
    (
        "fr",
        Some(Lang::Fr),
        include_str!("../../../lexicon/fr.toml"),
    ),
    ("common", None, include_str!("../../../lexicon/common.toml")),
];

/// The files parsed, in [`FILES`] order. They are compiled in and a test parses each, so a
/// file that does not parse is a bug in the build, not a condition to handle.
static PARSED: LazyLock<Vec<parse::File>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, _, text)| {
            parse::parse(text).unwrap_or_else(|e| panic!("lexicon/{name}.toml, {e}"))
        })
        .collect()
});

/// How a list's entries are written; the tests hold every entry to its list's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Casing {
    /// Lower case as the engine folds text, words separated by single spaces.
    Lower,
    /// Lower case, starting with what joins it to the word before: a space, a hyphen, or
    /// nothing ("ish" of "25ish").
    LowerFragment,
    /// Upper-case ASCII letters: codes such as `EUR`.
    Upper,
}

impl Casing {
    /// Whether an entry is written by this rule.
    pub(crate) fn allows(self, entry: &str) -> bool {
        let lower = |s: &str| !s.is_empty() && crate::lead::text::fold_case(s) == s;
        let spaced = |s: &str| s.split(' ').all(|w| !w.is_empty());
        match self {
            Casing::Lower => lower(entry) && spaced(entry),
            Casing::LowerFragment => {
                let rest = entry.strip_prefix([' ', '-']).unwrap_or(entry);
                lower(rest) && spaced(rest)
            }
            Casing::Upper => !entry.is_empty() && entry.bytes().all(|b| b.is_ascii_uppercase()),
        }
    }
}

/// A list of words or phrases, read from every file that has it.
pub(crate) struct WordList {
    key: &'static str,
    casing: Casing,
    words: OnceLock<Vec<&'static str>>,
    set: OnceLock<FxHashSet<&'static str>>,
}

impl WordList {
    pub(crate) const fn new(key: &'static str, casing: Casing) -> WordList {
        WordList {
            key,
            casing,
            words: OnceLock::new(),
            set: OnceLock::new(),
        }
    }

    /// Every entry, file by file (English, Polish, German, Spanish, French, then common) and in
    /// file order within a file. A word listed in two files comes twice.
    pub(crate) fn words(&'static self) -> &'static [&'static str] {
        self.words.get_or_init(|| {
            let words: Vec<&'static str> = PARSED
                .iter()
                .flat_map(|f| f.list(self.key))
                .copied()
                .collect();
            debug_assert!(words.iter().all(|w| self.casing.allows(w)), "{}", self.key);
            words
        })
    }

    /// The entries of one language's file, in file order.
    pub(crate) fn words_in(&self, lang: Lang) -> &'static [&'static str] {
        let at = FILES
            .iter()
            .position(|(_, l, _)| *l == Some(lang))
            .expect("every language has a file");
        PARSED[at].list(self.key)
    }

    /// Whether `word` is in the list in any language.
    pub(crate) fn contains(&'static self, word: &str) -> bool {
        self.set
            .get_or_init(|| self.words().iter().copied().collect())
            .contains(word)
    }
}

/// A table of words by number: month names by month, number words by value.
pub(crate) struct WordTable {
    key: &'static str,
    casing: Casing,
}

impl WordTable {
    pub(crate) const fn new(key: &'static str, casing: Casing) -> WordTable {
        WordTable { key, casing }
    }

    /// Every (word, number), file by file and row by row as in [`WordList::words`].
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&'static str, u32)> {
        let (key, casing) = (self.key, self.casing);
        PARSED
            .iter()
            .flat_map(move |f| {
                f.rows(key).flat_map(move |row| {
                    let n: u32 = row.key.parse().unwrap_or_else(|_| {
                        panic!("lexicon table {key}: row {} is not a number", row.key)
                    });
                    row.entries.iter().map(move |w| (*w, n))
                })
            })
            .inspect(move |(w, _)| debug_assert!(casing.allows(w), "{key}: {w}"))
    }
}
