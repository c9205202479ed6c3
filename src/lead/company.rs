//! `Company`: an organisation's name as written, with its legal form spelled canonically.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::lexicon;

/// A company name. Only [`Company::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Company(String);

/// Why a string is not a company name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompanyError {
    #[error("a company name needs a letter or digit")]
    Empty,
    #[error("a company name has at most 120 characters")]
    TooLong,
    #[error("a company name cannot hold @, URLs or line breaks")]
    Characters,
}

/// Legal forms in their usual spelling, longest first so that "GmbH & Co. KG" wins over "GmbH".
/// Each entry: the canonical spelling and a pattern for the ways people type it.
pub(crate) const LEGAL_FORMS: &[(&str, &str)] = &[
    // Forms made of two forms ("… & Co. KG", "… de C.V.", "… sp.k.") come before their parts,
    // so the whole form is one token and stays with the name.
    ("GmbH & Co. KG", r"gmbh\s*&\s*co\.?\s*kg"),
    ("AG & Co. KG", r"ag\s*&\s*co\.?\s*kg"),
    ("SE & Co. KG", r"se\s*&\s*co\.?\s*kg"),
    (
        "S.A.P.I. de C.V.",
        r"s\.\s?a\.\s?p\.\s?i\.?\s+de\s+c\.?\s?v\.?",
    ),
    ("S.A.B. de C.V.", r"s\.\s?a\.\s?b\.?\s+de\s+c\.?\s?v\.?"),
    ("S.A.S. de C.V.", r"s\.\s?a\.\s?s\.?\s+de\s+c\.?\s?v\.?"),
    (
        "S. de R.L. de C.V.",
        r"s\.\s?de\s+r\.?\s?l\.?\s+de\s+c\.?\s?v\.?",
    ),
    ("S.A. de C.V.", r"s\.?\s?a\.?\s+de\s+c\.?\s?v\.?"),
    ("S. de R.L.", r"s\.\s?de\s+r\.?\s?l\.?"),
    ("S.A.P.I.", r"s\.\s?a\.\s?p\.\s?i\.?"),
    (
        "Sp. z o.o. sp.k.",
        r"(?:sp\.?\s*z\s*o\.\s?o\.?|spółka\s+z\s+o\.\s?o\.?),?\s+(?:sp\.\s?k\.?|spółka\s+komandytowa)",
    ),
    (
        "Sp. z o.o.",
        r"sp\.?\s*z\s*o\.\s?o\.?|sp\.?\s*z\s*oo|spółka\s+z\s+o\.\s?o\.?|spółka\s+z\s+ograniczoną\s+odpowiedzialnością",
    ),
    ("Sp.k.", r"sp\.\s?k\.|spółka\s+komandytowa"),
    ("Sp.j.", r"sp\.\s?j\.|spółka\s+jawna"),
    ("UG (haftungsbeschränkt)", r"ug\s*\(haftungsbeschränkt\)"),
    ("S.A.R.L.", r"s\.a\.r\.l\.?"),
    ("S.à r.l.", r"s\.\s?à\s?r\.\s?l\.?"),
    ("Sàrl", r"sàrl"),
    ("S.A.S.U.", r"s\.\s?a\.\s?s\.\s?u\.?"),
    ("S.A.S.", r"s\.a\.s\.?"),
    // Spanish professional and worker-owned companies: "S.L.P.", "S.L.L.", "S.A.L.".
    ("S.L.P.", r"s\.\s?l\.\s?p\.?"),
    ("S.L.L.", r"s\.\s?l\.\s?l\.?"),
    ("S.A.L.", r"s\.\s?a\.\s?l\.?"),
    ("S.L.U.", r"s\.\s?l\.\s?u\.?"),
    ("S.L.N.E.", r"s\.\s?l\.\s?n\.\s?e\.?"),
    ("S.A.U.", r"s\.\s?a\.\s?u\.?"),
    ("P.S.A.", r"p\.\s?s\.\s?a\.?"),
    ("L.L.C.", r"l\.\s?l\.\s?c\.?"),
    ("S.p.A.", r"s\.p\.a\.?"),
    ("S.r.l.", r"s\.r\.l\.?"),
    ("S.A.", r"s\.\s?a\.?"),
    ("S.L.", r"s\.\s?l\.?"),
    ("S.C.", r"s\.\s?c\.?"),
    ("e.K.", r"e\.\s?k\.?"),
    ("e.V.", r"e\.\s?v\.?"),
    // The Austrian sole trader: only with its dots, "eu" alone is a word.
    ("e.U.", r"e\.\s?u\."),
    ("Ges.m.b.H.", r"ges\.\s?m\.\s?b\.\s?h\.?"),
    ("GesmbH", r"gesmbh"),
    ("gGmbH", r"ggmbh"),
    ("PartG mbB", r"partg\s+mbb"),
    ("mbB", r"mbb"),
    ("GbR", r"gbr"),
    ("eG", r"eg"),
    ("B.V.", r"b\.v\.?"),
    ("N.V.", r"n\.v\.?"),
    ("GmbH", r"gmbh"),
    ("mbH", r"mbh"),
    ("KGaA", r"kgaa"),
    ("AG", r"ag"),
    ("KG", r"kg"),
    ("OHG", r"ohg"),
    ("SARL", r"sarl"),
    ("SASU", r"sasu"),
    ("SAS", r"sas"),
    ("EURL", r"eurl"),
    ("SNC", r"snc"),
    ("SPRL", r"sprl"),
    ("BVBA", r"bvba"),
    ("ASBL", r"asbl"),
    ("SA", r"sa"),
    ("SL", r"sl"),
    ("SLU", r"slu"),
    ("Pty Ltd", r"pty\.?\s+ltd\.?"),
    ("Ltda.", r"ltda\.?"),
    ("Ltd", r"ltd\.?"),
    ("Limited", r"limited"),
    ("PLC", r"plc"),
    ("LLP", r"llp"),
    ("LLC", r"llc"),
    ("Inc.", r"inc\.?|incorporated"),
    ("Corp.", r"corp\.?"),
    ("SE", r"se"),
    ("BV", r"bv"),
    ("NV", r"nv"),
    ("Oy", r"oy"),
    ("AB", r"ab"),
    ("ApS", r"aps"),
    ("SpA", r"spa"),
    ("Srl", r"srl"),
];

/// Legal forms that are also everyday words in one of our languages ("sa", "se", "ab", "spa",
/// "sl"): they only count as a legal form after a capitalised word.
pub(crate) const AMBIGUOUS_FORMS: &[&str] = &[
    "SA", "SE", "AB", "SpA", "SL", "Oy", "AG", "KG", "NV", "BV", "SLU", "eG",
];

/// One regex matching any legal form at the end of a name, with the form's index as group name.
static TRAILING_FORM: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = LEGAL_FORMS
        .iter()
        .map(|(_, pattern)| format!("(?:{pattern})"))
        .collect();
    Regex::new(&format!(r"(?i)(?:^|[\s,])({})\s*$", alternatives.join("|"))).expect("legal forms")
});

/// Spelled-out forms that are keyed by their letters too: the typed words differ from the canon.
const SPELLED_OUT: &[(&str, &str)] = &[
    ("spółkazoo", "Sp. z o.o."),
    ("spółkazograniczonąodpowiedzialnością", "Sp. z o.o."),
    ("spółkakomandytowa", "Sp.k."),
    ("spzoospółkakomandytowa", "Sp. z o.o. sp.k."),
    ("spółkazoospółkakomandytowa", "Sp. z o.o. sp.k."),
    ("spółkazoospk", "Sp. z o.o. sp.k."),
    ("spółkajawna", "Sp.j."),
    ("incorporated", "Inc."),
];

/// A typed form reduced to its lower-case letters and ampersands: "Sp. z o. o." -> "spzoo".
fn form_key(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_alphabetic() || *c == '&')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Canonical spellings by key: the dotted and the plain spelling of one form ("S.A." and "SA"),
/// the same twice when the form has only one.
static BY_KEY: LazyLock<HashMap<String, (&'static str, &'static str)>> = LazyLock::new(|| {
    let mut map: HashMap<String, (&'static str, &'static str)> = HashMap::new();
    for (canon, _) in LEGAL_FORMS {
        let entry = map.entry(form_key(canon)).or_insert((canon, canon));
        if canon.contains('.') {
            entry.0 = canon;
        } else {
            entry.1 = canon;
        }
    }
    for (typed, canon) in SPELLED_OUT {
        map.insert(form_key(typed), (canon, canon));
    }
    map
});

/// The canonical spelling of a legal form as typed, if it is one. "SA" typed with dots keeps its
/// dots, and the other way round: both spellings are in use and the person's choice is kept;
/// only the letter case is made canonical.
pub(crate) fn canonical_form(typed: &str) -> Option<&'static str> {
    let (dotted, plain) = BY_KEY.get(&form_key(typed))?;
    Some(if typed.contains('.') { dotted } else { plain })
}

impl Company {
    /// Parses a company name: trims it and surrounding quotes, spells a trailing legal form
    /// canonically ("sp. z o.o." -> "Sp. z o.o.", "gmbh" -> "GmbH", "ltd." -> "Ltd") and gives a
    /// name typed all in lower case (or shouting) a sensible case.
    pub fn parse(raw: &str) -> Result<Company, CompanyError> {
        // Compatibility forms first, as for names: ligatures and full-width letters.
        let normalised: String = raw.nfkc().collect();
        // Quotes and trailing punctuation, in any order ("'Acme':"), until none is left, so
        // that a parsed name parses as itself.
        let mut trimmed = normalised.as_str();
        loop {
            let next = trimmed
                .trim()
                .trim_matches(|c: char| "\"'„“”«»‚‘’`".contains(c) || c.is_whitespace())
                .trim_end_matches([',', ';', ':'])
                .trim();
            if next.len() == trimmed.len() {
                break;
            }
            trimmed = next;
        }
        if trimmed.chars().count() > 120 {
            return Err(CompanyError::TooLong);
        }
        if !trimmed.chars().any(char::is_alphanumeric) {
            return Err(CompanyError::Empty);
        }
        if trimmed.contains('@') || trimmed.contains('\n') || trimmed.contains("://") {
            return Err(CompanyError::Characters);
        }
        let collapsed: String = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
        let (core, form) = split_form(&collapsed);
        // "Harborview Logistics, Inc.", "Construcciones Pérez, S.L.": a comma written before
        // the form is part of the name as registered, and is kept.
        let comma = form.is_some() && core.ends_with(',');
        let core = core.trim_end_matches([',', ' ']);
        let core = if needs_recasing(core) {
            title_case(core)
        } else {
            core.to_owned()
        };
        let name = match form {
            Some(form) if core.is_empty() => form.to_owned(),
            Some(form) if comma => format!("{core}, {form}"),
            Some(form) => format!("{core} {form}"),
            None => core,
        };
        Ok(Company(name))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Splits "Budmar s.a." into ("Budmar", Some("S.A.")).
fn split_form(name: &str) -> (&str, Option<&'static str>) {
    if let Some(caps) = TRAILING_FORM.captures(name) {
        let m = caps.get(1).expect("group");
        if let Some(form) = canonical_form(m.as_str()) {
            let core = name[..m.start()].trim_end();
            let ambiguous_ok = !AMBIGUOUS_FORMS.contains(&form) || !core.is_empty();
            if ambiguous_ok {
                return (core, Some(form));
            }
        }
    }
    (name, None)
}

/// A name typed all in lower case, or shouted in capitals across long words, gets title case;
/// anything else is kept as the person wrote it ("IBM", "eBay", "Reid & Mackay").
fn needs_recasing(core: &str) -> bool {
    let letters = || core.chars().filter(|c| c.is_alphabetic());
    let all_lower = letters().all(char::is_lowercase);
    let all_upper = letters().all(char::is_uppercase);
    let long_word = core.split_whitespace().any(|w| w.chars().count() > 4);
    all_lower || (all_upper && long_word)
}

fn title_case(core: &str) -> String {
    core.split(' ')
        .enumerate()
        .map(|(i, w)| {
            // Letter by letter, as in job titles: "İ" keeps its dot instead of gaining a
            // combining one, so the name parses as itself.
            let lower = super::text::fold_case(w);
            if i > 0 && lexicon::COMPANY_SMALL_WORDS.contains(&lower) {
                return lower;
            }
            super::text::capitalise(&lower)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Company {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Company {
    type Error = CompanyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Company::parse(&value)
    }
}

impl From<Company> for String {
    fn from(value: Company) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(raw: &str) -> String {
        Company::parse(raw).unwrap().to_string()
    }

    #[test]
    fn legal_forms_are_spelled_canonically() {
        assert_eq!(
            c("Jabłońska Design sp. z o.o."),
            "Jabłońska Design Sp. z o.o."
        );
        assert_eq!(
            c("Kwiatkowski Meble Sp. z o. o."),
            "Kwiatkowski Meble Sp. z o.o."
        );
        assert_eq!(c("Budmar spółka z o.o."), "Budmar Sp. z o.o.");
        assert_eq!(c("Lindner Catering gmbh"), "Lindner Catering GmbH");
        assert_eq!(
            c("Sonnenfeld Versand GmbH & Co KG"),
            "Sonnenfeld Versand GmbH & Co. KG"
        );
        assert_eq!(c("Klee Bioladen e.K."), "Klee Bioladen e.K.");
        assert_eq!(c("Hagen Energie ag"), "Hagen Energie AG");
        assert_eq!(c("Hoteles Costa Azahar s.a."), "Hoteles Costa Azahar S.A.");
        assert_eq!(c("Reformas del Sur S.L."), "Reformas del Sur S.L.");
        assert_eq!(c("Abogados Ribera S.L.P."), "Abogados Ribera S.L.P.");
        assert_eq!(c("Cooperativa Verde s.l.l."), "Cooperativa Verde S.L.L.");
        assert_eq!(
            c("Grupo Garza Textil S.A. de C.V."),
            "Grupo Garza Textil S.A. de C.V."
        );
        assert_eq!(c("Mercier Outillage sas"), "Mercier Outillage SAS");
        assert_eq!(c("Delcourt Assurances SA"), "Delcourt Assurances SA");
        assert_eq!(c("Petit Bateau sarl"), "Petit Bateau SARL");
        assert_eq!(c("Fernhill Digital Ltd."), "Fernhill Digital Ltd");
        assert_eq!(c("Bluefin Analytics inc"), "Bluefin Analytics Inc.");
    }

    #[test]
    fn multi_part_forms_and_a_comma_before_them_are_kept() {
        let cases = [
            ("Harborview Logistics, Inc.", "Harborview Logistics, Inc."),
            (
                "Fenwick & Rowe Holdings, LLC",
                "Fenwick & Rowe Holdings, LLC",
            ),
            ("Auer Tischlerei e.U.", "Auer Tischlerei e.U."),
            ("Brandl Bau Ges.m.b.H.", "Brandl Bau Ges.m.b.H."),
            ("Seidel Logistik AG & Co. KG", "Seidel Logistik AG & Co. KG"),
            (
                "Zieliński Transport Sp. z o.o. sp.k.",
                "Zieliński Transport Sp. z o.o. sp.k.",
            ),
            (
                "Wrona Logistyka sp. z o.o. sp. k.",
                "Wrona Logistyka Sp. z o.o. sp.k.",
            ),
            (
                "Grupo Salinas S.A.P.I. de C.V.",
                "Grupo Salinas S.A.P.I. de C.V.",
            ),
            (
                "Taller Ruiz S. de R.L. de C.V.",
                "Taller Ruiz S. de R.L. de C.V.",
            ),
            ("Pons Reformes S.L.U.", "Pons Reformes S.L.U."),
            ("Construcciones Pérez, S.L.", "Construcciones Pérez, S.L."),
            ("Martin Conseil S.à r.l.", "Martin Conseil S.à r.l."),
            ("Girard Immobilier S.A.S.U.", "Girard Immobilier S.A.S.U."),
            ("Koala Cleaning Pty Ltd", "Koala Cleaning Pty Ltd"),
            ("Café Andino Ltda.", "Café Andino Ltda."),
        ];
        for (raw, want) in cases {
            assert_eq!(c(raw), want, "{raw}");
            // A parsed name parses as itself.
            assert_eq!(c(want), want, "{want}");
        }
    }

    #[test]
    fn case_is_kept_unless_it_is_all_one_case() {
        assert_eq!(c("reid & mackay joinery ltd"), "Reid & Mackay Joinery Ltd");
        assert_eq!(c("BUDMAR S.A."), "Budmar S.A.");
        assert_eq!(c("IBM"), "IBM");
        assert_eq!(c("eBay"), "eBay");
        assert_eq!(c("taquerías el güero"), "Taquerías El Güero");
        assert_eq!(c("reformas del sur"), "Reformas del Sur");
        assert_eq!(c("  \"Copperleaf Insurance\" "), "Copperleaf Insurance");
    }

    #[test]
    fn everyday_words_are_not_legal_forms_alone() {
        assert_eq!(c("SA"), "SA");
        assert_eq!(c("Spa"), "Spa");
    }

    #[test]
    fn junk_is_refused() {
        assert_eq!(Company::parse(" - "), Err(CompanyError::Empty));
        assert_eq!(
            Company::parse("jan@firma.pl"),
            Err(CompanyError::Characters)
        );
        assert_eq!(Company::parse(&"x".repeat(121)), Err(CompanyError::TooLong));
    }
}
