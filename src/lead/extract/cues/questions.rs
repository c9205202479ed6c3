//! Whether a visitor message asks something, with or without a question mark.

use std::sync::LazyLock;

use crate::lead::lexicon;

/// Whether a visitor message asks something: a question mark outside a link, or a clause that
/// opens with a question word or an inverted verb ("can patients book…", "gibts ne Testphase",
/// "y se puede conectar…") or ends on "how much" ("ça coûte combien").
pub fn is_question(lower: &str) -> bool {
    let has_links = lower.contains("://") || lower.contains("www.");
    let owned;
    let text = if has_links {
        owned = lower
            .split_whitespace()
            .filter(|w| !w.contains("://") && !w.starts_with("www."))
            .collect::<Vec<_>>()
            .join(" ");
        owned.as_str()
    } else {
        lower
    };
    if text.contains('?') || text.contains('¿') {
        return true;
    }
    text.split(['.', '!', '\n', ';', ','])
        .enumerate()
        .any(|(k, clause)| clause_asks(clause, k == 0))
}

/// Whether one clause asks: it opens with a question word or an inverted verb after at most
/// three fillers ("ok und was ist…", "hola cuanto cuesta"), or ends on "how much".
fn clause_asks(clause: &str, opens_message: bool) -> bool {
    let mut s = clause.trim_start_matches(|c: char| !c.is_alphanumeric());
    for _ in 0..4 {
        let first = s
            .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
            .next()
            .unwrap_or_default();
        if first.is_empty() {
            return false;
        }
        if let Some(openers) = OPENERS_BY_FIRST_WORD.get(first) {
            // "cuanto antes" is "as soon as possible", not a question.
            if s.starts_with("cuanto antes") || s.starts_with("cuánto antes") {
                return false;
            }
            let needed = if lexicon::STRONG_QUESTION_WORDS.contains(first) {
                2
            } else {
                3
            };
            let opens = openers.iter().any(|q| {
                s.starts_with(q)
                    && s[q.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric())
            });
            if opens && s.split_whitespace().nth(needed - 1).is_some() {
                return true;
            }
        }
        let skip = lexicon::QUESTION_FILLERS.contains(first)
            || (opens_message && lexicon::GREETINGS.contains(first));
        if !skip {
            break;
        }
        s = s[first.len()..].trim_start_matches(|c: char| !c.is_alphanumeric());
    }
    ends_on_question_word(clause)
}

/// "ça coûte combien", "y eso cuánto": a question word closing a clause of two words or more.
fn ends_on_question_word(clause: &str) -> bool {
    let trimmed = clause.trim_end_matches(|c: char| !c.is_alphanumeric());
    if !trimmed.ends_with(['n', 'o', 'l']) {
        return false;
    }
    lexicon::CLOSING_QUESTION_WORDS.words().iter().any(|w| {
        trimmed.strip_suffix(w).is_some_and(|rest| {
            rest.ends_with(char::is_whitespace)
                && rest
                    .trim_end()
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
        })
    })
}

/// Question openers by their first word.
static OPENERS_BY_FIRST_WORD: LazyLock<rustc_hash::FxHashMap<&'static str, Vec<&'static str>>> =
    LazyLock::new(|| {
        let mut map: rustc_hash::FxHashMap<&'static str, Vec<&'static str>> = Default::default();
        for &q in lexicon::QUESTION_OPENERS.words() {
            let first = q.split([' ', '\'']).next().unwrap_or(q);
            map.entry(first).or_default().push(q);
        }
        map
    });
