//! Bare answers and names read outside the message text: a surname given alone, a channel
//! profile name, a softened head count, and whether a sentence asks.

use crate::lead::PersonName;
use crate::lead::lexicon;
use crate::lead::text::fold_case;

/// A bare answer to "surname?": its first part up to a comma, one or two words of letters
/// ("SANDHU", "o'driscoll, …", "de la Cruz" with its particles), nothing that reads as a
/// sentence.
pub(super) fn surname_answer(text: &str) -> Option<String> {
    let part = text.split([',', ';', '\n', '/']).next()?.trim();
    let part = part.trim_end_matches(['.', '!']);
    let words: Vec<&str> = part.split_whitespace().collect();
    let is_particle = |w: &str| lexicon::SURNAME_PARTICLES.contains(w);
    let core = words
        .iter()
        .filter(|w| !is_particle(&w.to_lowercase()))
        .count();
    let letters = |w: &&str| {
        w.chars().count() >= 2 && w.chars().all(|c| c.is_alphabetic() || "-'’".contains(c))
    };
    let not_a_word = |w: &&str| {
        let l = fold_case(w);
        is_particle(&l) || (!lexicon::NOT_NAME.contains(&l) && !lexicon::GREETINGS.contains(&l))
    };
    (!words.is_empty()
        && (1..=2).contains(&core)
        && words.iter().all(letters)
        && words.iter().all(not_a_word))
    .then(|| words.join(" "))
}

/// A channel profile name ("Callum Reid", "Frieda 🌻", "Jan K."): initials are not surnames.
pub(super) fn profile_name(raw: &str) -> Option<PersonName> {
    let words: Vec<&str> = raw
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .filter(|w| w.chars().all(|c| c.is_alphabetic() || "-'’".contains(c)))
        .collect();
    if words.is_empty() || words.len() > 4 {
        return None;
    }
    PersonName::parse(&words.join(" ")).ok()
}

/// A bare count without the word that softens it: "knapp 50", "about 40", "około 30", "40 odd".
pub(super) fn without_approximation(answer: &str) -> &str {
    let answer = lexicon::COUNT_SOFTENERS
        .words()
        .iter()
        .find_map(|s| {
            answer
                .strip_prefix(s)
                .filter(|rest| rest.starts_with([' ', '\u{a0}']))
        })
        .map_or(answer, str::trim_start);
    lexicon::COUNT_SOFTENERS_AFTER
        .words()
        .iter()
        .find_map(|s| answer.strip_suffix(s))
        .map_or(answer, str::trim_end)
}

/// Whether the sentence holding byte `at` asks something. A dot between digits ("bis
/// 12.06.2026") does not end a sentence.
pub(super) fn sentence_is_question(lower: &str, at: usize) -> bool {
    let bytes = lower.as_bytes();
    let ends_sentence = |i: usize| {
        let c = bytes[i];
        matches!(c, b'.' | b'!' | b'?' | b'\n')
            && !(c == b'.'
                && i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    };
    let start = (0..at)
        .rev()
        .find(|&i| ends_sentence(i))
        .map_or(0, |i| i + 1);
    let end = (at..lower.len())
        .find(|&i| ends_sentence(i))
        .unwrap_or(lower.len());
    lower[start..end].contains('¿') || lower[end..].starts_with('?')
}
