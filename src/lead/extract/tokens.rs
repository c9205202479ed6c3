//! Tokens of a message: words with their case, numbers, punctuation, and legal forms kept whole
//! ("Sp. z o.o." is one token), each with its byte span in the message.

use std::sync::LazyLock;

use regex::Regex;

use crate::lead::company::{AMBIGUOUS_FORMS, LEGAL_FORMS, canonical_form};

/// How a word is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// "Anna", "O'Neil"
    Capitalised,
    /// "ANNA", "CEO"
    Upper,
    /// "anna"
    Lower,
    /// "eBay", digits, symbols
    Other,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Word(Case),
    Number,
    Punct(char),
    /// A legal form with its canonical spelling.
    Legal(&'static str),
}

#[derive(Debug, Clone)]
pub(crate) struct Tok<'a> {
    pub start: usize,
    pub end: usize,
    /// The token as written.
    pub text: &'a str,
    /// The token lower-cased (from the folded message).
    pub lower: &'a str,
    pub kind: Kind,
}

impl Tok<'_> {
    pub fn is_word(&self) -> bool {
        matches!(self.kind, Kind::Word(_))
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }

    /// Punctuation that ends a phrase: , . ; : ! ? ( ) and dashes standing alone.
    pub fn is_boundary(&self) -> bool {
        matches!(self.kind, Kind::Punct(c) if ",.;:!?()[]\"/–—|…\n".contains(c) || c == '-')
    }

    pub fn case(&self) -> Case {
        match self.kind {
            Kind::Word(c) => c,
            _ => Case::Other,
        }
    }

    /// Written with a capital: "Anna" or "ANNA".
    pub fn is_capital(&self) -> bool {
        matches!(self.case(), Case::Capitalised | Case::Upper)
    }
}

static LEGAL_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = LEGAL_FORMS
        .iter()
        .map(|(_, p)| format!("(?:{p})"))
        .collect();
    // Run on the folded text: the patterns are lower case, and a case-insensitive automaton for
    // this many alternatives is several times larger.
    Regex::new(&format!(r"(?:^|[\s,(])({})", alternatives.join("|"))).expect("legal forms")
});

fn case_of(word: &str) -> Case {
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return Case::Other;
    };
    if first.is_uppercase() {
        // "ANNA", "CEO" shout; "Anna", "McDonald", "O'Neil" are capitalised.
        let mut rest = letters.peekable();
        let more = rest.peek().is_some();
        if more && rest.all(char::is_uppercase) {
            return Case::Upper;
        }
        return Case::Capitalised;
    }
    if first.is_lowercase() && letters.all(char::is_lowercase) {
        Case::Lower
    } else {
        Case::Other
    }
}

/// Legal forms in the message: (start, end, canonical), whole words only, case-checked for the
/// forms that are also everyday words.
fn legal_spans(text: &str, lower: &str) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    for caps in LEGAL_IN_TEXT.captures_iter(lower) {
        let m = caps.get(1).expect("group");
        let after = text[m.end()..].chars().next();
        // "S.A." may end a sentence, but "sa" must not run into a word ("sale").
        if after.is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let typed = &text[m.range()];
        let Some(form) = canonical_form(typed) else {
            continue;
        };
        let letters: String = typed.chars().filter(|c| c.is_alphabetic()).collect();
        let first_upper = typed.chars().next().is_some_and(char::is_uppercase);
        if AMBIGUOUS_FORMS.contains(&form) && !typed.contains('.') && letters != form {
            continue;
        }
        let lower_canon = form.chars().next().is_some_and(char::is_lowercase);
        if !first_upper
            && !lower_canon
            && typed.chars().filter(|c| c.is_alphabetic()).count() <= 3
            && !typed.contains('.')
        {
            // "ltd", "inc", "sas" typed lower case are still forms, but two-letter everyday words are not.
            if letters.len() <= 2 {
                continue;
            }
        }
        // A trailing dot belongs to the form only when the form is spelled with it ("Inc.", "S.A.").
        let mut end = m.end();
        if typed.ends_with('.') && !form.ends_with('.') {
            end -= 1;
        }
        out.push((m.start(), end, form));
    }
    out
}

/// Splits a message into tokens. `lower` is the folded message (same byte offsets).
pub(crate) fn tokenize<'a>(text: &'a str, lower: &'a str) -> Vec<Tok<'a>> {
    let legal = legal_spans(text, lower);
    let mut tokens = Vec::with_capacity(text.len() / 4 + 4);
    let mut legal_iter = legal.iter().peekable();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if let Some(&&(ls, le, form)) = legal_iter.peek() {
            if i == ls {
                tokens.push(token(text, lower, ls..le, Kind::Legal(form)));
                while chars.peek().is_some_and(|&(j, _)| j < le) {
                    chars.next();
                }
                legal_iter.next();
                continue;
            }
            if i > ls {
                legal_iter.next();
                continue;
            }
        }
        if c == '\n' {
            chars.next();
            tokens.push(token(text, lower, i..i + 1, Kind::Punct('\n')));
            continue;
        }
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c.is_alphanumeric() {
            let next_legal = legal_iter.peek().map(|&&(ls, _, _)| ls);
            tokens.push(word(text, lower, &mut chars, next_legal));
            continue;
        }
        chars.next();
        tokens.push(token(text, lower, i..i + c.len_utf8(), Kind::Punct(c)));
    }
    tokens
}

/// The token at byte range `span` of the message.
fn token<'a>(text: &'a str, lower: &'a str, span: std::ops::Range<usize>, kind: Kind) -> Tok<'a> {
    Tok {
        start: span.start,
        end: span.end,
        text: &text[span.clone()],
        lower: &lower[span],
        kind,
    }
}

/// The word or number at the next character: letters and digits, with an apostrophe or a
/// hyphen inside ("O'Neil", "Anne-Marie"). It stops where the next legal form starts.
fn word<'a>(
    text: &'a str,
    lower: &'a str,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'a>>,
    next_legal: Option<usize>,
) -> Tok<'a> {
    let &(start, c) = chars.peek().expect("a character to read");
    let mut end = start;
    let numeric = c.is_ascii_digit();
    while let Some(&(j, d)) = chars.peek() {
        let inner = (d == '\'' || d == '’' || d == '-') && {
            let next = text[j + d.len_utf8()..].chars().next();
            next.is_some_and(char::is_alphanumeric) && end > start
        };
        if d.is_alphanumeric() || inner {
            end = j + d.len_utf8();
            chars.next();
        } else {
            break;
        }
        if next_legal == Some(end) {
            break;
        }
    }
    if end == start {
        end = start + c.len_utf8();
        chars.next();
    }
    let written = &text[start..end];
    let kind = if numeric && written.chars().all(|d| d.is_ascii_digit()) {
        Kind::Number
    } else {
        Kind::Word(case_of(written))
    };
    token(text, lower, start..end, kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::text::fold_case;

    fn kinds(text: &str) -> Vec<(String, Kind)> {
        let lower = fold_case(text);
        tokenize(text, &lower)
            .into_iter()
            .map(|t| (t.text.to_owned(), t.kind))
            .collect()
    }

    #[test]
    fn words_numbers_and_punctuation() {
        let k = kinds("Hi, I'm Anne-Marie O'Neil (CEO), 45 people.");
        let texts: Vec<&str> = k.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Hi",
                ",",
                "I'm",
                "Anne-Marie",
                "O'Neil",
                "(",
                "CEO",
                ")",
                ",",
                "45",
                "people",
                "."
            ]
        );
        assert_eq!(k[3].1, Kind::Word(Case::Capitalised));
        assert_eq!(k[6].1, Kind::Word(Case::Upper));
        assert_eq!(k[9].1, Kind::Number);
        assert_eq!(k[10].1, Kind::Word(Case::Lower));
    }

    #[test]
    fn legal_forms_are_whole_tokens() {
        let k = kinds("właścicielka Jabłońska Design Sp. z o.o. Zatrudniamy 16 osób.");
        assert!(
            k.iter()
                .any(|(t, kind)| t == "Sp. z o.o." && *kind == Kind::Legal("Sp. z o.o."))
        );
        let k =
            kinds("Praktikant bei der Sonnenfeld Versand GmbH & Co. KG (USt-IdNr. DE812345674).");
        assert!(
            k.iter()
                .any(|(_, kind)| *kind == Kind::Legal("GmbH & Co. KG"))
        );
        let k = kinds("Fernhill Digital Ltd. We're 30 people.");
        assert!(
            k.iter()
                .any(|(t, kind)| t == "Ltd" && *kind == Kind::Legal("Ltd"))
        );
        let k = kinds("Bluefin Analytics Inc.");
        assert!(k.iter().any(|(t, _)| t == "Inc."));
        // Everyday words are not forms.
        let k = kinds("sa va bien, the sale is on, ag and se");
        assert!(k.iter().all(|(_, kind)| !matches!(kind, Kind::Legal(_))));
        let k = kinds("Delcourt Assurances SA. Nous sommes 65");
        assert!(k.iter().any(|(_, kind)| *kind == Kind::Legal("SA")));
    }
}
