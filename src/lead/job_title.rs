//! `JobTitle`: a role as the visitor states it ("Support Manager", "prezes zarządu").

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::lexicon;
use super::locale::Lang;

/// A job title. Only [`JobTitle::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobTitle(String);

/// Why a string is not a job title.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobTitleError {
    #[error("a job title needs a letter")]
    Empty,
    #[error("a job title has at most 80 characters")]
    TooLong,
    #[error("a job title holds letters, spaces and - & / . , ' ( ) only")]
    Characters,
}

impl JobTitle {
    /// Parses a title. English titles get title case ("support manager" -> "Support
    /// Manager"); titles in other languages keep the visitor's case (German nouns are already
    /// capitalised, Polish, Spanish and French titles are lower case). Abbreviations such as
    /// CEO are always capitals.
    pub fn parse(raw: &str, lang: Lang) -> Result<JobTitle, JobTitleError> {
        // Compatibility forms first: a ligature such as "ﬁ" upper-cases to two letters.
        let raw: String = raw.nfkc().collect();
        let collapsed: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let trimmed =
            collapsed.trim_matches(|c: char| c == ',' || c == '.' || c == '-' || c.is_whitespace());
        if !trimmed.chars().any(char::is_alphabetic) {
            return Err(JobTitleError::Empty);
        }
        if trimmed.chars().count() > 80 {
            return Err(JobTitleError::TooLong);
        }
        if !trimmed
            .chars()
            .all(|c| c.is_alphabetic() || " -&/.,'’()".contains(c))
        {
            return Err(JobTitleError::Characters);
        }
        let shouting = trimmed
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
            && trimmed.chars().filter(|c| c.is_alphabetic()).count() > 4;
        let words = trimmed.split(' ').enumerate().map(|(i, w)| {
            // Folded letter by letter: "İ" lower-cases to "i" plus a combining dot, which a
            // title may not hold, so it stays as written and the title parses as itself.
            let lower = super::text::fold_case(w);
            let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
            if lexicon::TITLE_ACRONYMS.contains(bare) {
                return w.to_uppercase();
            }
            if lang == Lang::En {
                if i > 0 && lexicon::TITLE_SMALL_WORDS.contains(bare) {
                    return lower;
                }
                return capitalise_parts(&lower);
            }
            if shouting { lower } else { w.to_owned() }
        });
        Ok(JobTitle(base_form(&words.collect::<Vec<_>>().join(" "))))
    }

    /// The title as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Polish instrumental endings ("jestem kierownikiem") and the nominative ending that replaces
/// each: a title is stored in its base form.
const INSTRUMENTAL: [(&str, &str); 6] = [
    ("cem", "iec"),
    ("iem", ""),
    ("em", ""),
    ("ą", "a"),
    ("ym", "y"),
    ("im", "i"),
];

/// A head word in the instrumental, in the nominative: only when the nominative is a known
/// title head, so that words which merely end alike are left alone.
fn head_nominative(word: &str) -> Option<String> {
    let lower = super::text::fold_case(word);
    let is_head =
        |w: &str| lexicon::ROLE_HEADS.contains(w) || lexicon::DECIDING_ROLE_HEADS.contains(w);
    INSTRUMENTAL.iter().find_map(|(ending, nominative)| {
        let stem = lower.strip_suffix(ending)?;
        let candidate = format!("{stem}{nominative}");
        (candidate != lower && is_head(&candidate)).then(|| {
            let keep = word.len() - ending.len();
            format!("{}{nominative}", &word[..keep])
        })
    })
}

/// An adjective next to a converted head, in the nominative: "handlowym" -> "handlowy",
/// "główną" -> "główna".
fn adjective_nominative(word: &str) -> Option<String> {
    [("ym", "y"), ("im", "i"), ("ą", "a")]
        .iter()
        .find_map(|(ending, nominative)| {
            word.strip_suffix(ending)
                .filter(|stem| stem.chars().count() >= 3)
                .map(|stem| format!("{stem}{nominative}"))
        })
}

/// The title in its base form: a Polish title given in the instrumental ("kierownikiem
/// produkcji", "dyrektorem handlowym", "główną księgową") in the nominative. What follows in
/// the genitive ("produkcji", "ds. marketingu") is left as it is.
fn base_form(title: &str) -> String {
    let mut words: Vec<String> = title.split(' ').map(str::to_owned).collect();
    let Some(head) = words
        .iter()
        .take(3)
        .position(|w| head_nominative(w).is_some())
    else {
        return title.to_owned();
    };
    if let Some(n) = head_nominative(&words[head]) {
        words[head] = n;
    }
    for i in [head.wrapping_sub(1), head + 1] {
        if let Some(adj) = words.get(i).and_then(|w| adjective_nominative(w)) {
            words[i] = adj;
        }
    }
    words.join(" ")
}

fn capitalise_parts(word: &str) -> String {
    word.split('-')
        .map(super::text::capitalise)
        .collect::<Vec<_>>()
        .join("-")
}

impl fmt::Display for JobTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for JobTitle {
    type Error = JobTitleError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        // Stored titles are already cased; re-parsing keeps them as they are.
        JobTitle::parse(&value, Lang::Pl)
    }
}

impl From<JobTitle> for String {
    fn from(value: JobTitle) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(raw: &str, lang: Lang) -> String {
        JobTitle::parse(raw, lang).unwrap().to_string()
    }

    #[test]
    fn titles_in_five_languages() {
        assert_eq!(t("support manager", Lang::En), "Support Manager");
        assert_eq!(t("head of sales", Lang::En), "Head of Sales");
        assert_eq!(t("co-founder & ceo", Lang::En), "Co-Founder & CEO");
        assert_eq!(t("prezes zarządu", Lang::Pl), "prezes zarządu");
        assert_eq!(t("Geschäftsführerin", Lang::De), "Geschäftsführerin");
        assert_eq!(
            t("directora de marketing", Lang::Es),
            "directora de marketing"
        );
        assert_eq!(
            t("responsable commercial", Lang::Fr),
            "responsable commercial"
        );
        assert_eq!(t("DIRECTEUR GÉNÉRAL", Lang::Fr), "directeur général");
        assert_eq!(t("cto", Lang::De), "CTO");
    }

    #[test]
    fn polish_titles_in_the_instrumental_are_stored_in_the_nominative() {
        for (given, base) in [
            ("kierownikiem produkcji", "kierownik produkcji"),
            ("dyrektorem handlowym", "dyrektor handlowy"),
            ("specjalistką ds. marketingu", "specjalistka ds. marketingu"),
            ("właścicielem", "właściciel"),
            ("prezesem zarządu", "prezes zarządu"),
            ("główną księgową", "główna księgowa"),
            ("handlowcem", "handlowiec"),
        ] {
            assert_eq!(t(given, Lang::Pl), base, "{given}");
            // The base form is its own base form: stored titles re-parse unchanged.
            assert_eq!(t(base, Lang::Pl), base, "{base}");
        }
        // Words that only end alike stay as they are.
        assert_eq!(t("system administrator", Lang::En), "System Administrator");
        assert_eq!(t("Head of Product", Lang::En), "Head of Product");
    }

    #[test]
    fn junk_is_refused() {
        assert_eq!(JobTitle::parse(" - ", Lang::En), Err(JobTitleError::Empty));
        assert_eq!(
            JobTitle::parse("boss <script>", Lang::En),
            Err(JobTitleError::Characters)
        );
        assert_eq!(
            JobTitle::parse(&"a".repeat(81), Lang::En),
            Err(JobTitleError::TooLong)
        );
    }
}
