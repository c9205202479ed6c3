//! Who the visitor is: their name, their company and their job title, from how people introduce
//! themselves ("Guten Tag, Petra Lindner, Geschäftsführerin der Lindner Catering GmbH", "I'm
//! Rachel from Copperleaf Insurance", "Callum here, I'm the managing director of…", "soy Jorge,
//! dueño de Taquerías El Güero") and from bare answers to the bot's questions.
//!
//! A message is read sentence by sentence and segment by segment (see [`introductions`]), then
//! as a whole: a bare answer, a sign-off, a signature block (see [`answers`]). A company found
//! by a stronger cue is kept over one found by a weaker cue ([`Reader::offer`]).

mod answers;
mod company;
mod cue_index;
mod introductions;
mod names;
mod reader;
#[cfg(test)]
mod tests;
mod title;
mod words;

use crate::lead::{Company, JobTitle, Lang, PersonName};

use super::cues::Asked;
use company::CompanySlot;
use reader::Reader;

/// What one message says about who the visitor is.
#[derive(Debug, Default)]
pub(crate) struct ContactFacts {
    pub name: Option<PersonName>,
    pub company: Option<Company>,
    pub title: Option<JobTitle>,
    /// Whether the stated title means the visitor decides.
    pub title_decides: bool,
}

/// What a message has told so far, while it is read.
#[derive(Default)]
struct Findings {
    facts: ContactFacts,
    /// The company found so far and the strength of the cue that found it.
    company: CompanySlot,
    /// Where the name was read (sentence, segment): a title right after it is the visitor's.
    named_at: Option<(usize, usize)>,
}

impl Findings {
    /// A name read in segment `k` of sentence `si`.
    fn name_at(&mut self, name: PersonName, si: usize, k: usize) {
        self.facts.name = Some(name);
        self.named_at = Some((si, k));
    }

    /// The facts, with the company kept unless it is only the name read again.
    fn into_facts(self) -> ContactFacts {
        let mut facts = self.facts;
        facts.company = self.company.map(|(_, c)| c);
        if let (Some(n), Some(c)) = (&facts.name, &facts.company) {
            let name = n.to_string();
            // A company read from a name is no company.
            if name == c.as_str() {
                facts.company = None;
            } else if let Some(rest) = after_name(c.as_str(), &name) {
                // Read backward from its legal form, a company may take in the name before it:
                // "Ricardo Salinas de Grupo Salinas S.A.P.I. de C.V." is Ricardo's company.
                facts.company = Company::parse(rest).ok();
            }
        }
        facts
    }
}

/// The rest of a company name that starts with the person's name, or its last words, and a
/// preposition ("de", "von der", "from", "z"), if it does.
fn after_name<'c>(company: &'c str, name: &str) -> Option<&'c str> {
    let words: Vec<&str> = name.split(' ').collect();
    (0..words.len()).find_map(|k| after_words(company, &words[k..].join(" ")))
}

fn after_words<'c>(company: &'c str, name: &str) -> Option<&'c str> {
    let rest = company.strip_prefix(name)?.strip_prefix(' ')?;
    let mut words = rest.splitn(3, ' ');
    let first = words.next()?;
    if !crate::lead::lexicon::COMPANY_PREPOSITIONS.contains(&crate::lead::text::fold_case(first)) {
        return None;
    }
    let rest = rest[first.len()..].trim_start();
    let article = rest.split(' ').next().unwrap_or_default();
    let rest = match article {
        "der" | "dem" | "la" | "el" | "the" | "le" => rest[article.len()..].trim_start(),
        _ => rest,
    };
    (!rest.is_empty()).then_some(rest)
}

/// Reads name, company and title from one visitor message. `asked` is what the bot asked just
/// before; `has_contact` says whether the message gave an email or a phone number; `is_product`
/// says whether a word names a configured competitor.
pub(crate) fn read(
    text: &str,
    lower: &str,
    lang: Lang,
    asked: Asked,
    has_contact: bool,
    is_product: &dyn Fn(&str) -> bool,
) -> ContactFacts {
    let r = Reader::new(text, lower, lang, asked, is_product);
    let mut found = Findings::default();
    r.companies_before_legal_forms(&mut found);
    let sentences = r.sentences();
    for (si, &sentence) in sentences.iter().enumerate() {
        r.read_sentence(si, sentence, &mut found);
    }
    r.bare_answer(&mut found);
    if found.facts.name.is_none() {
        r.sign_off(&sentences, &mut found);
    }
    if found.facts.name.is_none() {
        r.signature_block(&sentences, &mut found);
    }
    if has_contact && found.facts.name.is_none() {
        r.signed_contact_details(&sentences, &mut found);
    }
    found.into_facts()
}
