//! Reply templates and the FAQ of the rule engine, per language. The files in `prompts/` are
//! compiled in, so the binary runs anywhere; a `prompts_dir` with the same files overrides them.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::config::Register;
use crate::lead::Lang;
use crate::lead::text::fold_case;

/// One language's templates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub greeting: Vec<String>,
    /// The greeting of an assistant with a name of its own (`{assistant}`, `{site}`).
    pub greeting_named: Vec<String>,
    /// The question that confirms a budget read with low confidence (`{value}`).
    pub confirm_budget: Vec<String>,
    /// What the visitor is told when they ask for a call, a demo, a quote or a human: that
    /// the request is passed on, nothing more.
    pub request_noted: RequestNoted,
    /// The time asked for, read back (`{when}`), as a frame that needs no declension.
    pub request_time: String,
    pub fallback: Vec<String>,
    pub question_noted: Vec<String>,
    pub no_problem: Vec<String>,
    pub captured: Vec<String>,
    pub anything_else: Vec<String>,
    pub handoff_offer: Vec<String>,
    pub handoff_yes: Vec<String>,
    pub handoff_no: Vec<String>,
    pub consent_needed: Vec<String>,
    /// The privacy notice a visitor accepts before personal data is kept; `{site}` is the
    /// site's name.
    pub consent_notice: String,
    /// The buttons that accept or decline it on channels without a notice of their own.
    pub consent_accept: String,
    pub consent_decline: String,
    /// What the assistant says to each.
    pub consent_accepted: String,
    pub consent_declined: String,
    /// The answer to content the assistant cannot read (a photo, a voice message).
    pub only_text: String,
    /// The label of the button that opens a list of choices (at most 20 characters).
    pub choose: String,
    /// What the visitor is told when a rep joins (`{name}`, `{site}`), and when the rep hands
    /// the conversation back to the assistant (`{name}`).
    pub rep_joined: String,
    pub rep_left: String,
    pub yes: Vec<String>,
    pub no: Vec<String>,
    pub and: String,
    pub ask: Asks,
    pub quick_replies: QuickReplies,
    pub fields: FieldNames,
}

/// Ways to ask for each field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asks {
    pub email: Vec<String>,
    pub phone: Vec<String>,
    pub name: Vec<String>,
    pub company: Vec<String>,
    pub budget: Vec<String>,
    pub timeline: Vec<String>,
    pub decision: Vec<String>,
}

/// The acknowledgement of each kind of request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestNoted {
    pub call: Vec<String>,
    pub demo: Vec<String>,
    pub quote: Vec<String>,
    pub human: Vec<String>,
}

/// Quick replies offered with a question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickReplies {
    pub budget: Vec<String>,
    pub timeline: Vec<String>,
    pub decision: Vec<String>,
}

/// How a captured field is named in a confirmation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldNames {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company: String,
    pub job_title: String,
    pub budget: String,
    pub timeline: String,
    pub decision_maker: String,
    pub company_size: String,
}

/// One FAQ entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    pub keywords: Vec<String>,
    pub answers: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaqFile {
    #[serde(default)]
    faq: Vec<FaqEntry>,
}

/// Questions answered without a human.
#[derive(Debug, Clone, Default)]
pub struct Faq {
    entries: Vec<FaqEntry>,
}

impl Faq {
    /// Parses a FAQ file.
    pub fn parse(text: &str) -> Result<Faq, PromptError> {
        let file: FaqFile =
            toml::from_str(text).map_err(|e| PromptError::Invalid("faq".into(), e.to_string()))?;
        let mut entries = file.faq;
        for e in &mut entries {
            e.keywords = e.keywords.iter().map(|k| fold_case(k)).collect();
        }
        Ok(Faq { entries })
    }

    /// The answer to a visitor's question, in `lang` (English when that language has none):
    /// the entry with the most keyword hits.
    pub fn answer(&self, lower_question: &str, lang: Lang) -> Option<&str> {
        let best = self
            .entries
            .iter()
            .map(|e| {
                (
                    e.keywords
                        .iter()
                        .filter(|k| lower_question.contains(k.as_str()))
                        .count(),
                    e,
                )
            })
            .filter(|(hits, _)| *hits > 0)
            .max_by_key(|(hits, _)| *hits)?
            .1;
        best.answers
            .get(lang.code())
            .or_else(|| best.answers.get("en"))
            .map(String::as_str)
    }

    /// Every answer in `lang` (English where that language has none), in file order.
    pub fn answers(&self, lang: Lang) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(move |e| {
            e.answers
                .get(lang.code())
                .or_else(|| e.answers.get("en"))
                .map(String::as_str)
        })
    }
}

/// A prompt file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("prompt file {0} is invalid: {1}")]
    Invalid(String, String),
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
}

/// Templates for every language, in both registers.
#[derive(Debug, Clone)]
pub struct Prompts {
    by_lang: HashMap<(Lang, Register), Templates>,
}

const BUILT_IN: [(Lang, &str); 5] = [
    (Lang::En, include_str!("../../prompts/en.toml")),
    (Lang::Pl, include_str!("../../prompts/pl.toml")),
    (Lang::De, include_str!("../../prompts/de.toml")),
    (Lang::Es, include_str!("../../prompts/es.toml")),
    (Lang::Fr, include_str!("../../prompts/fr.toml")),
];

/// The FAQ compiled in.
pub const BUILT_IN_FAQ: &str = include_str!("../../prompts/faq.toml");

/// The LLM engine's system prompt compiled in.
pub const BUILT_IN_LLM: &str = include_str!("../../prompts/llm.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LlmFile {
    system: String,
}

/// The LLM engine's system prompt template: `llm.toml` from `dir` when present, else the built-in
/// one.
pub fn load_llm_system(dir: Option<&Path>) -> Result<String, PromptError> {
    let text = match dir.map(|d| d.join("llm.toml")).filter(|p| p.exists()) {
        Some(path) => std::fs::read_to_string(&path)
            .map_err(|e| PromptError::Read(path.display().to_string(), e))?,
        None => BUILT_IN_LLM.to_owned(),
    };
    let file: LlmFile = toml::from_str(&text)
        .map_err(|e| PromptError::Invalid("llm.toml".into(), e.to_string()))?;
    if !file.system.contains("{draft}") {
        return Err(PromptError::Invalid(
            "llm.toml".into(),
            "the system prompt must contain {draft}".into(),
        ));
    }
    Ok(file.system)
}

impl Prompts {
    /// Loads the templates: a language's file from `dir` when present, else the built-in one.
    pub fn load(dir: Option<&Path>) -> Result<Prompts, PromptError> {
        let mut by_lang = HashMap::new();
        for (lang, built_in) in BUILT_IN {
            let name = format!("{}.toml", lang.code());
            let text = match dir.map(|d| d.join(&name)).filter(|p| p.exists()) {
                Some(path) => std::fs::read_to_string(&path)
                    .map_err(|e| PromptError::Read(path.display().to_string(), e))?,
                None => built_in.to_owned(),
            };
            let (formal, informal) =
                registers(&text).map_err(|e| PromptError::Invalid(name.clone(), e))?;
            by_lang.insert((lang, Register::Formal), formal);
            by_lang.insert((lang, Register::Informal), informal);
        }
        Ok(Prompts { by_lang })
    }

    /// The templates of a language, in the formal register.
    pub fn get(&self, lang: Lang) -> &Templates {
        self.get_in(lang, Register::Formal)
    }

    /// The templates of a language in a register.
    pub fn get_in(&self, lang: Lang, register: Register) -> &Templates {
        self.by_lang
            .get(&(lang, register))
            .or_else(|| self.by_lang.get(&(Lang::En, register)))
            .expect("English templates are always loaded")
    }
}

#[cfg(test)]
mod llm_prompt_tests {
    use super::*;

    #[test]
    fn the_llm_prompt_loads_and_needs_the_draft() {
        assert!(load_llm_system(None).unwrap().contains("{draft}"));
        let dir = std::env::temp_dir().join(format!("lg-llm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("llm.toml"), "system = \"Be nice.\"").unwrap();
        let e = load_llm_system(Some(&dir)).unwrap_err().to_string();
        assert!(e.contains("llm.toml") && e.contains("{draft}"), "{e}");
        std::fs::write(dir.join("llm.toml"), "sistem = 1").unwrap();
        assert!(load_llm_system(Some(&dir)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// A language file read in both registers: the file as written is formal; its `[informal]`
/// table holds only what the informal register says differently, laid over the formal text.
fn registers(text: &str) -> Result<(Templates, Templates), String> {
    let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let informal = match table.remove("informal") {
        None => toml::Table::new(),
        Some(toml::Value::Table(t)) => t,
        Some(_) => return Err("`informal` must be a table of templates".into()),
    };
    let formal = templates(table.clone())?;
    let mut merged = table;
    overlay(&mut merged, informal);
    let informal = templates(merged).map_err(|e| format!("[informal]: {e}"))?;
    Ok((formal, informal))
}

/// Lays `over` onto `base`, table by table: a value in `over` replaces the one in `base`.
fn overlay(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => overlay(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// One register's templates, with every list holding at least one entry.
fn templates(table: toml::Table) -> Result<Templates, String> {
    let t: Templates = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| e.to_string())?;
    let lists = [
        &t.greeting,
        &t.greeting_named,
        &t.confirm_budget,
        &t.request_noted.call,
        &t.request_noted.demo,
        &t.request_noted.quote,
        &t.request_noted.human,
        &t.fallback,
        &t.question_noted,
        &t.no_problem,
        &t.captured,
        &t.anything_else,
        &t.handoff_offer,
        &t.handoff_yes,
        &t.handoff_no,
        &t.consent_needed,
        &t.yes,
        &t.no,
        &t.ask.email,
        &t.ask.phone,
        &t.ask.name,
        &t.ask.company,
        &t.ask.budget,
        &t.ask.timeline,
        &t.ask.decision,
    ];
    if lists.iter().any(|l| l.is_empty()) {
        return Err("every template list needs at least one entry".into());
    }
    Ok(t)
}

/// Picks a variant: the same conversation turn always gets the same one, and consecutive turns
/// rotate through them.
pub fn pick(list: &[String], turn: u32) -> &str {
    list.get(turn as usize % list.len().max(1))
        .map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_prompts_load_in_five_languages() {
        let p = Prompts::load(None).unwrap();
        for lang in Lang::ALL {
            assert!(!p.get(lang).greeting.is_empty());
            assert!(p.get(lang).greeting[0].contains("{site}"));
        }
    }

    #[test]
    fn faq_answers_in_the_visitors_language() {
        let faq = Faq::parse(BUILT_IN_FAQ).unwrap();
        assert!(
            faq.answer(&fold_case("Ile kosztuje najtańszy plan?"), Lang::Pl)
                .unwrap()
                .contains("49")
        );
        assert!(
            faq.answer(&fold_case("Does it sync with Pipedrive?"), Lang::En)
                .unwrap()
                .contains("Pipedrive")
        );
        assert!(
            faq.answer(&fold_case("¿Cumplís el RGPD?"), Lang::Es)
                .unwrap()
                .contains("RGPD")
        );
        assert!(
            faq.answer(&fold_case("Do you like cats?"), Lang::En)
                .is_none()
        );
    }

    #[test]
    fn a_broken_override_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("de.toml"), "greeting = []").unwrap();
        assert!(Prompts::load(Some(dir.path())).is_err());
    }
}
