//! Small text helpers shared by the parsers and the extractor.

/// Lower-cases `text` character by character, keeping every byte offset valid in both strings:
/// a character whose lower case has a different UTF-8 length (the Kelvin sign, capital sharp s)
/// is kept as it is. Spans found in the folded text can then be cut from the original.
pub fn fold_case(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
            _ => out.push(c),
        }
    }
    debug_assert_eq!(out.len(), text.len());
    out
}

/// Folds diacritics away for comparisons ("Łódź" -> "lodz", "Núñez" -> "nunez").
pub fn strip_accents(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    if text.is_ascii() {
        return text.to_owned();
    }
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'ł' => 'l',
            'Ł' => 'L',
            'ø' => 'o',
            'Ø' => 'O',
            'đ' => 'd',
            'ß' => 's',
            other => other,
        })
        .collect()
}

/// A word as written and as typed without diacritics: "końc" -> "konc"; "nächst" ->
/// "naechst", "nachst"; "größe" -> "groesse", "grose".
pub fn unaccented_spellings(word: &str) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    if word.is_ascii() {
        return out;
    }
    let transcribed = word
        .replace('ä', "ae")
        .replace('ö', "oe")
        .replace('ü', "ue")
        .replace('ß', "ss");
    for variant in [strip_accents(word), strip_accents(&transcribed)] {
        if !out.contains(&variant) {
            out.push(variant);
        }
    }
    out
}

/// Whether the character can be part of a word.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `text[start..end]` stands as whole words: no word character touches either end.
pub fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

/// The last `n` words before byte offset `at`, lower case, nearest last.
pub fn words_before(lower: &str, at: usize, n: usize) -> Vec<&str> {
    let mut words: Vec<&str> = lower[..at]
        .split(|c: char| !is_word_char(c) && c != '\'' && c != '.')
        .filter(|w| !w.is_empty())
        .rev()
        .take(n)
        .collect();
    words.reverse();
    words
}

/// Stands for a word boundary before a word: the start, or one separator character (ASCII
/// punctuation or space, or the few non-ASCII separators people type). It is consumed, unlike
/// `\b`; see [`word_regex`]. Any other non-ASCII character counts as part of a word, which is
/// right for the letters of our five languages and keeps the class small.
const LEADING_BOUNDARY: &str = r"(?:^|[\x00-/:-@\[-^`{-\x7f]|[¿¡«»–—„“”‘’\u{a0}\u{202f}…])";
/// Stands for a word boundary after a word: the end, or one separator character.
const TRAILING_BOUNDARY: &str = r"(?:$|[\x00-/:-@\[-^`{-\x7f]|[¿¡«»–—„“”‘’\u{a0}\u{202f}…])";

/// How a lower-case accented letter is typed without its accent: people on phones and foreign
/// keyboards write "konca" for "końca", "proxima" for "próxima", "naechste" for "nächste".
fn unaccented(c: char) -> Option<&'static [&'static str]> {
    Some(match c {
        'ą' | 'à' | 'á' | 'â' => &["a"],
        'ä' => &["ae", "a"],
        'ć' | 'ç' => &["c"],
        'ę' | 'é' | 'è' | 'ê' | 'ë' => &["e"],
        'í' | 'î' | 'ï' => &["i"],
        'ł' => &["l"],
        'ń' | 'ñ' => &["n"],
        'ó' | 'ô' => &["o"],
        'ö' => &["oe", "o"],
        'ś' => &["s"],
        'ß' => &["ss"],
        'ú' | 'û' | 'ù' => &["u"],
        'ü' => &["ue", "u"],
        'ź' | 'ż' => &["z"],
        _ => return None,
    })
}

/// Compiles a pattern written with `\b`, with each `\b` replaced by a one-character boundary
/// class. Unicode `\b` makes the regex engine give up its fast automaton on any text that is not
/// pure ASCII, and our texts are Polish, German, Spanish and French; a character class keeps the
/// automaton. Matches may therefore include one separator character at either end: callers
/// trim it with [`trim_boundaries`]. Each accented letter also matches its unaccented spelling
/// (see [`unaccented`]), so the pattern reads text typed without diacritics; an escaped one
/// (`\ę`) matches only itself, for endings that change the meaning.
pub fn word_regex(pattern: &str) -> regex::Regex {
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    // Letters without their accents, added at the end of a class so that ranges stay intact.
    let mut class_extra = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next().unwrap_or('\\');
                if next == 'b' && !in_class {
                    let after = chars.peek().copied();
                    let word_follows =
                        after.is_some_and(|a| a.is_alphanumeric() || "([\\".contains(a));
                    let word_precedes = out
                        .chars()
                        .next_back()
                        .is_some_and(|p| p.is_alphanumeric() || ")]".contains(p));
                    let leading = out.is_empty()
                        || out.ends_with(['|', '(', ':'])
                        || (word_follows && !word_precedes);
                    out.push_str(if leading {
                        LEADING_BOUNDARY
                    } else {
                        TRAILING_BOUNDARY
                    });
                } else if unaccented(next).is_some() {
                    // An escaped accented letter is meant exactly: "decyduj\ę" (I decide) is
                    // not "decyduje" (he decides).
                    out.push(next);
                } else {
                    out.push('\\');
                    out.push(next);
                }
            }
            '[' if !in_class => {
                in_class = true;
                class_extra.clear();
                out.push(c);
                // A `]` right after `[` or `[^` is a literal.
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
                if chars.peek() == Some(&']') {
                    out.push(chars.next().unwrap_or(']'));
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push_str(&class_extra);
                out.push(c);
            }
            _ if in_class => {
                out.push(c);
                for base in unaccented(c).into_iter().flatten() {
                    if base.chars().count() == 1 && !class_extra.contains(base) {
                        class_extra.push_str(base);
                    }
                }
            }
            _ => match unaccented(c) {
                Some(bases) => {
                    out.push_str("(?:");
                    out.push(c);
                    for base in bases {
                        out.push('|');
                        out.push_str(base);
                    }
                    out.push(')');
                }
                None => out.push(c),
            },
        }
    }
    regex::Regex::new(&out).unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
}

/// A match of a [`word_regex`] without the separator characters its boundaries consumed.
pub fn trim_boundaries(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let m = &text[range.clone()];
    let separator = |c: &char| !is_word_char(*c);
    let lead = m.chars().next().filter(separator).map_or(0, char::len_utf8);
    let trail = m[lead..]
        .chars()
        .next_back()
        .filter(separator)
        .map_or(0, char::len_utf8);
    range.start + lead..range.end - trail
}

/// Cuts `text` to at most `max` bytes at a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The last at most `max` bytes of `text`, cut at a character boundary.
pub fn tail(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// The word with its first letter in capitals. A letter whose capital is more than one letter
/// ("ß" -> "SS", "ﬁ" -> "FI") stays as it is, so capitalising twice gives the same word.
pub fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut upper = first.to_uppercase();
    let capital = match (upper.next(), upper.next()) {
        (Some(c), None) => c,
        _ => first,
    };
    std::iter::once(capital).chain(chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_offsets() {
        for s in [
            "ŁUKASZ ŻÓŁW",
            "Straße ẞ",
            "\u{212A}elvin",
            "İstanbul",
            "Ærø",
            "ΣΊΣΥΦΟΣ",
        ] {
            let f = fold_case(s);
            assert_eq!(f.len(), s.len(), "{s}");
        }
        assert_eq!(fold_case("ŁUKASZ Żółw"), "łukasz żółw");
    }

    #[test]
    fn accents_fold_for_comparison() {
        assert_eq!(
            strip_accents("Łódź Núñez Françoise Straße"),
            "Lodz Nunez Francoise Strase"
        );
    }

    #[test]
    fn whole_words_and_words_before() {
        let t = "we use intercom, not intercoms";
        let at = t.find("intercom").unwrap();
        assert!(is_whole_word(t, at, at + 8));
        let at2 = t.rfind("intercom").unwrap();
        assert!(!is_whole_word(t, at2, at2 + 8));
        assert_eq!(words_before("budget up to 10k", 13, 2), vec!["up", "to"]);
    }

    #[test]
    fn word_regexes_read_text_typed_without_diacritics() {
        let re = word_regex(r"\b(?:przyszł\w*\s+tydzień|größe|próxima|fran[ç]ais)\b");
        assert!(re.is_match("od przyszlego tydzien"));
        assert!(re.is_match("od przyszłego tydzień"));
        assert!(re.is_match("die groesse"));
        assert!(re.is_match("die grosse"));
        assert!(re.is_match("la proxima"));
        assert!(re.is_match("francais"));
        assert!(!re.is_match("la prxima"));
        let exact = word_regex(r"\bdecyduj\ę\b");
        assert!(exact.is_match("ja decyduję"));
        assert!(!exact.is_match("szef decyduje"));
        // Ranges inside a class keep their meaning: no ASCII punctuation sneaks in.
        let class = word_regex(r"^[à-ö]+$");
        assert!(class.is_match("ao"));
        assert!(!class.is_match("{}"));
    }

    #[test]
    fn word_regexes_keep_boundaries_on_any_script() {
        let re = word_regex(r"\b(?:maj|środa|jesień)\b");
        assert!(re.is_match("w maj"));
        assert!(re.is_match("do środa."));
        assert!(re.is_match("jesień"));
        assert!(!re.is_match("majówka"));
        assert!(!re.is_match("wymaj"));
        assert!(!re.is_match("jesienią"));
        let text = "w maj.";
        let m = re.find(text).unwrap();
        assert_eq!(&text[trim_boundaries(text, m.range())], "maj");
        let re = word_regex(r"[\]a]x\b");
        assert!(re.is_match("]x"));
        assert!(!re.is_match("]xy"));
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("żółw", 3), "ż");
        assert_eq!(truncate("abc", 10), "abc");
        assert_eq!(tail("żółw", 2), "w");
        assert_eq!(tail("żółw", 3), "łw");
    }
}
