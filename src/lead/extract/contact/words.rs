//! Word classes the contact readers share: titles of address, function words, role heads (and
//! whether holding the role means deciding) and one-word company cues.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::lead::lexicon;
use crate::lead::text::unaccented_spellings;

/// Titles of address and degrees written before a name.
pub(super) fn is_honorific(lower: &str) -> bool {
    lexicon::ADDRESS_TITLES.contains(lower)
}

/// Articles, pronouns, prepositions and conjunctions: words a title never ends on.
pub(super) fn is_function_word(lower: &str) -> bool {
    lexicon::COMPANY_PREPOSITIONS.contains(lower)
        || lexicon::POSSESSIVES_OF_OTHERS.contains(lower)
        || lexicon::FUNCTION_WORDS.contains(lower)
        || lexicon::GREETINGS.contains(lower)
}

/// One-word company cues ("firma", "empresa", "sklepie"): words that name a business, not a
/// part of a title.
pub(super) static COMPANY_WORDS: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    lexicon::COMPANY_CUES
        .words()
        .iter()
        .copied()
        .filter(|c| !c.contains(' '))
        .collect()
});

/// Every role head word and whether holding that role means deciding the purchase.
fn role_heads() -> impl Iterator<Item = (&'static str, bool)> {
    let heads = lexicon::ROLE_HEADS.words().iter().map(|w| (*w, false));
    let deciding = lexicon::DECIDING_ROLE_HEADS
        .words()
        .iter()
        .map(|w| (*w, true));
    heads.chain(deciding)
}

/// Role head words -> whether the role decides.
static ROLES: LazyLock<FxHashMap<&'static str, bool>> = LazyLock::new(|| role_heads().collect());

/// Role heads as typed without diacritics ("wlascicielka", "duena", "geschaeftsfuehrer",
/// "geschaftsfuhrer") -> whether they decide. Spellings that are a role word already are left
/// to that word.
static ROLES_UNACCENTED: LazyLock<FxHashMap<String, bool>> = LazyLock::new(|| {
    let mut map = FxHashMap::default();
    for (word, decides) in role_heads() {
        for spelling in unaccented_spellings(word) {
            if spelling != word && !ROLES.contains_key(spelling.as_str()) {
                map.entry(spelling).or_insert(decides);
            }
        }
    }
    map
});

/// Endings of compound titles ("Marketingleiter") with the spellings typed without diacritics,
/// and whether the title decides.
static ROLE_SUFFIXES_TYPED: LazyLock<Vec<(Vec<String>, bool)>> = LazyLock::new(|| {
    let suffixes = lexicon::ROLE_SUFFIXES.words().iter().map(|w| (w, false));
    let deciding = lexicon::DECIDING_ROLE_SUFFIXES
        .words()
        .iter()
        .map(|w| (w, true));
    suffixes
        .chain(deciding)
        .map(|(suffix, decides)| (unaccented_spellings(suffix), decides))
        .collect()
});

/// Whether a folded word is a role head, and whether that role decides.
pub(crate) fn role_of(lower: &str) -> Option<bool> {
    if let Some(decides) = ROLES.get(lower) {
        return Some(*decides);
    }
    if let Some(decides) = ROLES_UNACCENTED.get(lower) {
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
