//! Cue phrases indexed by their first word: "my name is", "ich heiße", "z firmy".

use std::sync::LazyLock;

use rustc_hash::FxHashMap as HashMap;

use super::reader::Reader;
use crate::lead::lexicon::{self, WordList};

/// Cue phrases indexed by their first word, so each token is only checked against the cues it
/// can start; the longest matching cue wins.
pub(super) struct CueIndex {
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
    pub(super) fn match_at(&self, r: &Reader<'_>, i: usize) -> Option<usize> {
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

/// Cues after which a name follows for sure.
pub(super) static STRONG_CUES: LazyLock<CueIndex> =
    LazyLock::new(|| CueIndex::of(&lexicon::STRONG_NAME_CUES));
/// Cues after which a name may follow.
pub(super) static WEAK_CUES: LazyLock<CueIndex> =
    LazyLock::new(|| CueIndex::of(&lexicon::WEAK_NAME_CUES));
/// Cues after which the company is named.
pub(super) static COMPANY_CUE_INDEX: LazyLock<CueIndex> =
    LazyLock::new(|| CueIndex::of(&lexicon::COMPANY_CUES));
