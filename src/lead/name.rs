//! `PersonName`: a first name and an optional last name, in proper case.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::lexicon::{self, WordList};
use super::text::capitalise;

/// A person's name. `first` is the given name; `last` holds the rest, particles included
/// ("van Houten", "Núñez de la Garza"). Only [`PersonName::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "NameParts", into = "NameParts")]
pub struct PersonName {
    first: String,
    last: Option<String>,
}

/// The stored form of a name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NameParts {
    pub first: String,
    pub last: Option<String>,
}

/// Why a string is not a person's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("a name needs at least one letter")]
    Empty,
    #[error("a name holds letters, spaces, hyphens, apostrophes and dots only")]
    Characters,
    #[error("a name has at most six words and 100 characters")]
    TooLong,
}

impl PersonName {
    /// Parses a written name: "jan KOWALSKI" -> Jan Kowalski, "anne-marie o'neil" ->
    /// Anne-Marie O'Neil, "DANIEL VAN HOUTEN" -> Daniel van Houten. Honorifics and
    /// suffixes are dropped; emoji and other symbols at the ends are trimmed.
    pub fn parse(raw: &str) -> Result<PersonName, NameError> {
        // Compatibility forms first: a ligature such as "ﬁ" upper-cases to two letters, and
        // full-width letters are the same name as their plain forms.
        let normalised: String = raw.nfkc().collect();
        let trimmed = normalised.trim_matches(|c: char| !c.is_alphabetic());
        if trimmed.chars().count() > 100 {
            return Err(NameError::TooLong);
        }
        let mut words: Vec<&str> = trimmed.split_whitespace().collect();
        while words.len() > 1 && is_one_of(words[0], &lexicon::HONORIFICS) {
            words.remove(0);
        }
        while words.len() > 1 && is_one_of(words[words.len() - 1], &lexicon::NAME_SUFFIXES) {
            words.pop();
        }
        if words.is_empty() {
            return Err(NameError::Empty);
        }
        if words.len() > 6 {
            return Err(NameError::TooLong);
        }
        for w in &words {
            let ok = w.chars().all(|c| c.is_alphabetic() || "-'’.".contains(c))
                && w.chars().any(char::is_alphabetic);
            if !ok {
                return Err(NameError::Characters);
            }
        }
        let last_index = words.len() - 1;
        let cased: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let lower = w.to_lowercase();
                if i > 0 && i < last_index && lexicon::LOWER_CASE_NAME_PARTICLES.contains(&lower) {
                    lower
                } else {
                    case_word(w)
                }
            })
            .collect();
        let given = given_name_words(&cased);
        let first = cased[..given].join(" ");
        let last = (cased.len() > given).then(|| cased[given..].join(" "));
        Ok(PersonName { first, last })
    }

    /// Builds a name from separately stored parts, re-checking both.
    pub fn from_parts(first: &str, last: Option<&str>) -> Result<PersonName, NameError> {
        let first = PersonName::parse(first)?;
        match last {
            None => Ok(first),
            Some(l) => {
                let whole = format!("{} {}", first.first, l);
                PersonName::parse(&whole)
            }
        }
    }

    /// The given name.
    pub fn first(&self) -> &str {
        &self.first
    }

    /// The surname, particles included.
    pub fn last(&self) -> Option<&str> {
        self.last.as_deref()
    }

    /// This name with a surname added, when it has none.
    pub fn with_last(&self, last: &str) -> Option<PersonName> {
        if self.last.is_some() {
            return None;
        }
        PersonName::parse(&format!("{} {}", self.first, last)).ok()
    }
}

/// How many of a name's words are the given name: two or three for a given name known to be
/// made of two ("José Luis", "María del Carmen", "Jean Pierre"), else one. Compared without
/// accents, as people type them either way.
fn given_name_words(words: &[String]) -> usize {
    for n in [3, 2] {
        if words.len() >= n {
            let phrase = super::text::strip_accents(&words[..n].join(" ").to_lowercase());
            if lexicon::COMPOUND_GIVEN_NAMES.contains(&phrase) {
                return n;
            }
        }
    }
    1
}

/// Whether a word, lower-cased and without a trailing dot, is in a list: "Dr." is "dr".
fn is_one_of(word: &str, list: &'static WordList) -> bool {
    let w = word.trim_end_matches('.').to_lowercase();
    list.contains(&w)
}

/// Proper case for one word. A word written in mixed case ("McDonald", "DeVito") is kept as the
/// person wrote it; a word in one case is recased part by part across hyphens and apostrophes.
fn case_word(word: &str) -> String {
    let has_upper = word.chars().any(char::is_uppercase);
    let has_lower = word.chars().any(char::is_lowercase);
    let one_case = !(has_upper && has_lower) || is_capitalised(word);
    if !one_case {
        return word.to_owned();
    }
    let lower = word.to_lowercase();
    let mut out = String::with_capacity(word.len());
    for (i, part) in lower.split('-').enumerate() {
        if i > 0 {
            out.push('-');
        }
        out.push_str(&case_part(part));
    }
    out
}

/// A word that is already "Capitalised" like this is one-case for our purpose.
fn is_capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
}

fn case_part(part: &str) -> String {
    // O'Neil, D'Angelo, L'Estrange: capitalise after a leading one-letter prefix and apostrophe.
    for apostrophe in ['\'', '’'] {
        if let Some((head, tail)) = part.split_once(apostrophe)
            && head.chars().count() == 1
            && !tail.is_empty()
        {
            return format!("{}{apostrophe}{}", capitalise(head), capitalise(tail));
        }
    }
    if let Some(rest) = part.strip_prefix("mc")
        && rest.chars().count() >= 2
    {
        return format!("Mc{}", capitalise(rest));
    }
    if let Some(rest) = part.strip_prefix("mac")
        && rest.chars().count() >= 3
        && !lexicon::MAC_NAMES
            .words()
            .iter()
            .any(|e| part.starts_with(e))
    {
        return format!("Mac{}", capitalise(rest));
    }
    capitalise(part)
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.last {
            Some(last) => write!(f, "{} {}", self.first, last),
            None => f.write_str(&self.first),
        }
    }
}

impl TryFrom<NameParts> for PersonName {
    type Error = NameError;
    fn try_from(p: NameParts) -> Result<Self, Self::Error> {
        PersonName::from_parts(&p.first, p.last.as_deref())
    }
}

impl From<PersonName> for NameParts {
    fn from(n: PersonName) -> Self {
        NameParts {
            first: n.first,
            last: n.last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(raw: &str) -> (String, Option<String>) {
        let n = PersonName::parse(raw).unwrap();
        (n.first().to_owned(), n.last().map(str::to_owned))
    }

    fn full(raw: &str) -> String {
        PersonName::parse(raw).unwrap().to_string()
    }

    #[test]
    fn proper_case_in_five_languages() {
        assert_eq!(full("jan KOWALSKI"), "Jan Kowalski");
        assert_eq!(full("ŁUKASZ ŻÓŁW"), "Łukasz Żółw");
        assert_eq!(full("anne-marie o'neil"), "Anne-Marie O'Neil");
        assert_eq!(full("DANIEL VAN HOUTEN"), "Daniel van Houten");
        assert_eq!(full("konstantin von hagen"), "Konstantin von Hagen");
        assert_eq!(full("friederike hoffmann-klee"), "Friederike Hoffmann-Klee");
        assert_eq!(
            full("valeria núñez de la garza"),
            "Valeria Núñez de la Garza"
        );
        assert_eq!(full("ÍÑIGO ARRIETA"), "Íñigo Arrieta");
        assert_eq!(full("édouard delcourt"), "Édouard Delcourt");
        assert_eq!(full("sophie laurent-petit"), "Sophie Laurent-Petit");
        assert_eq!(full("jean d'ormesson"), "Jean D'Ormesson");
    }

    #[test]
    fn mc_and_mac_and_mixed_case_words() {
        assert_eq!(full("ronald mcdonald"), "Ronald McDonald");
        assert_eq!(full("ANGUS MACDONALD"), "Angus MacDonald");
        assert_eq!(full("jim mack"), "Jim Mack");
        assert_eq!(full("Danny DeVito"), "Danny DeVito");
        assert_eq!(full("Leo McAllister"), "Leo McAllister");
    }

    #[test]
    fn first_and_last_are_split() {
        assert_eq!(
            parts("Beatriz Molina Ruiz"),
            ("Beatriz".into(), Some("Molina Ruiz".into()))
        );
        assert_eq!(parts("Rachel"), ("Rachel".into(), None));
        assert_eq!(parts("Frieda 🌻"), ("Frieda".into(), None));
        assert_eq!(
            parts("Dr. Petra Lindner"),
            ("Petra".into(), Some("Lindner".into()))
        );
        assert_eq!(
            parts("Pani Monika Jabłońska"),
            ("Monika".into(), Some("Jabłońska".into()))
        );
        assert_eq!(
            parts("John Smith Jr."),
            ("John".into(), Some("Smith".into()))
        );
        // A trailing particle is a surname on its own, not a particle.
        assert_eq!(parts("Pedro De"), ("Pedro".into(), Some("De".into())));
    }

    #[test]
    fn compound_given_names_stay_together_in_five_languages() {
        let cases = [
            (
                "María José García López",
                "María José",
                Some("García López"),
            ),
            (
                "jose luis fernandez y ruiz",
                "Jose Luis",
                Some("Fernandez y Ruiz"),
            ),
            ("Maria del Carmen Ruiz", "Maria del Carmen", Some("Ruiz")),
            ("Jordi Puig i Ferrer", "Jordi", Some("Puig i Ferrer")),
            ("Jean Pierre Dubois", "Jean Pierre", Some("Dubois")),
            ("Jean-Pierre Dubois", "Jean-Pierre", Some("Dubois")),
            ("Anna Maria Schulz", "Anna Maria", Some("Schulz")),
            ("Anna Maria Kowalczyk", "Anna Maria", Some("Kowalczyk")),
            ("Mary Ann Collins", "Mary Ann", Some("Collins")),
            ("José Luis", "José Luis", None),
            // Two given names that are not one: the second is the surname.
            ("Anna Jan", "Anna", Some("Jan")),
            ("Luis Miguel", "Luis Miguel", None),
        ];
        for (raw, first, last) in cases {
            assert_eq!(
                parts(raw),
                (first.to_owned(), last.map(str::to_owned)),
                "{raw}"
            );
        }
        // A surname added later goes after the whole given name.
        let n = PersonName::parse("José Luis").unwrap();
        assert_eq!(n.with_last("Pérez").unwrap().last(), Some("Pérez"));
    }

    #[test]
    fn non_names_are_refused() {
        assert_eq!(PersonName::parse("  "), Err(NameError::Empty));
        assert_eq!(PersonName::parse("🌻"), Err(NameError::Empty));
        assert_eq!(PersonName::parse("R2D2 Unit"), Err(NameError::Characters));
        assert_eq!(
            PersonName::parse("jan@firma.pl"),
            Err(NameError::Characters)
        );
        assert_eq!(PersonName::parse("a b c d e f g"), Err(NameError::TooLong));
    }

    #[test]
    fn a_surname_can_be_added_once() {
        let n = PersonName::parse("callum").unwrap();
        assert_eq!(n.with_last("Reid").unwrap().to_string(), "Callum Reid");
        assert!(
            PersonName::parse("Callum Reid")
                .unwrap()
                .with_last("X")
                .is_none()
        );
    }

    #[test]
    fn serde_round_trip_re_parses() {
        let n = PersonName::parse("anne-marie o'neil").unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, r#"{"first":"Anne-Marie","last":"O'Neil"}"#);
        assert_eq!(serde_json::from_str::<PersonName>(&json).unwrap(), n);
        assert!(serde_json::from_str::<PersonName>(r#"{"first":"1","last":null}"#).is_err());
    }
}
