//! The configured competitors a message mentions.

use crate::lead::lexicon;

/// The configured competitors, matched as whole words in any case, with Polish, German and
/// Spanish inflections ("Zendeska", "Intercomem", "Tidio's").
pub struct Competitors {
    names: Vec<String>,
    folded: Vec<String>,
    finder: Option<aho_corasick::AhoCorasick>,
}

impl Competitors {
    /// Builds the matcher once for a competitor list.
    pub fn new(names: &[String]) -> Competitors {
        let names: Vec<String> = names
            .iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let folded: Vec<String> = names
            .iter()
            .map(|n| crate::lead::text::fold_case(n))
            .collect();
        let finder =
            (!folded.is_empty()).then(|| aho_corasick::AhoCorasick::new(&folded).expect("names"));
        Competitors {
            names,
            folded,
            finder,
        }
    }

    /// The competitors a lower-cased message mentions, in configured spelling and order.
    pub fn mentioned(&self, lower: &str) -> Vec<&str> {
        let Some(finder) = &self.finder else {
            return Vec::new();
        };
        let mut seen = vec![false; self.names.len()];
        for m in finder.find_overlapping_iter(lower) {
            let before = lower[..m.start()].chars().next_back();
            if before.is_some_and(char::is_alphanumeric) {
                continue;
            }
            let rest = &lower[m.end()..];
            let suffix = lexicon::COMPETITOR_INFLECTIONS.words().iter().find(|s| {
                rest.starts_with(*s) && !rest[s.len()..].starts_with(char::is_alphanumeric)
            });
            let end_ok = !rest.starts_with(char::is_alphanumeric) || suffix.is_some();
            if end_ok {
                seen[m.pattern().as_usize()] = true;
            }
        }
        (0..self.names.len())
            .filter(|&i| seen[i])
            .map(|i| self.names[i].as_str())
            .collect()
    }

    /// Whether a lower-cased word or phrase is one of the competitors.
    pub fn is_competitor(&self, lower: &str) -> bool {
        self.folded.iter().any(|n| n == lower)
    }
}
