//! The prompt builder: the system prompt filled for the turn and the recent turns, alternating.

use super::LlmEngine;
use super::client::{ChatRequest, Message, StreamOptions};
use crate::chat::engine::EngineInput;
use crate::lead::{Lang, Lead};

impl LlmEngine {
    /// The chat-completions request for one turn, streamed or not.
    pub fn request(&self, input: &EngineInput<'_>, draft: &str, stream: bool) -> ChatRequest {
        let site = if input.site.name.is_empty() {
            input.site.key.as_str()
        } else {
            input.site.name.as_str()
        };
        let facts: Vec<String> = self
            .rules
            .faq()
            .answers(input.lang)
            .map(|a| format!("- {a}"))
            .collect();
        let facts = if facts.is_empty() {
            "(none)".to_owned()
        } else {
            facts.join("\n")
        };
        let noted = noted_fields(input.lead);
        let system = self
            .system
            .replace("{site}", site)
            .replace("{language}", language_name(input.lang))
            .replace("{facts}", &facts)
            .replace(
                "{noted}",
                if noted.is_empty() {
                    "nothing yet"
                } else {
                    &noted
                },
            )
            .replace("{draft}", draft);
        let mut messages = vec![Message {
            role: "system",
            content: system.trim().to_owned(),
        }];
        let skip = input
            .history
            .len()
            .saturating_sub(self.config.history_messages);
        let mut turns: Vec<(&'static str, String)> = Vec::new();
        let said = input.history[skip..]
            .iter()
            .map(|m| (m.role == "visitor", m.text.as_str()))
            .chain(std::iter::once((true, input.visitor_text)));
        for (visitor, text) in said {
            let role = if visitor { "user" } else { "assistant" };
            if text.trim().is_empty() || (turns.is_empty() && role == "assistant") {
                // Many chat templates want the first turn to be the user's.
                continue;
            }
            match turns.last_mut() {
                // Many chat templates want roles to alternate: one visitor burst is one turn.
                Some((last, joined)) if *last == role => {
                    joined.push('\n');
                    joined.push_str(text);
                }
                _ => turns.push((role, text.to_owned())),
            }
        }
        messages.extend(
            turns
                .into_iter()
                .map(|(role, content)| Message { role, content }),
        );
        ChatRequest {
            model: self.config.model.clone(),
            messages,
            // An f32 as f64 carries float noise (0.30000001192092896): rounded to what was meant.
            temperature: (f64::from(self.config.temperature) * 100.0).round() / 100.0,
            max_tokens: self.config.max_tokens,
            stream,
            stream_options: stream.then_some(StreamOptions {
                include_usage: true,
            }),
        }
    }
}

/// The language's English name, as the system prompt names it.
pub fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::Pl => "Polish",
        Lang::De => "German",
        Lang::Es => "Spanish",
        Lang::Fr => "French",
    }
}

/// The names of the fields the lead holds, for the system prompt (names, not values).
fn noted_fields(lead: &Lead) -> String {
    let fields = [
        ("name", lead.name.is_some()),
        ("email", lead.email.is_some()),
        ("phone", lead.phone.is_some()),
        ("company", lead.company.is_some()),
        ("role", lead.job_title.is_some()),
        ("budget", lead.budget.is_some()),
        ("timeline", lead.timeline_days.is_some()),
        ("who decides", lead.decision_maker.is_some()),
        ("company size", lead.company_size.is_some()),
    ];
    fields
        .iter()
        .filter(|(_, known)| *known)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::rules::RuleEngine;
    use crate::config::{LlmConfig, SiteConfig};

    fn message(seq: i64, role: &str, text: &str) -> crate::store::MessageRow {
        crate::store::MessageRow {
            conversation_id: "c".into(),
            seq,
            id: format!("m{seq}"),
            role: role.into(),
            text: text.into(),
            client_msg_id: None,
            quick_replies: None,
            asked: None,
            created_ms: 0,
            author: None,
        }
    }

    #[test]
    fn requests_carry_the_recent_turns_alternating() {
        let rules = RuleEngine::new(
            crate::chat::prompts::Prompts::load(None).unwrap(),
            crate::chat::prompts::Faq::parse(crate::chat::prompts::BUILT_IN_FAQ).unwrap(),
        );
        let config = LlmConfig {
            history_messages: 4,
            ..LlmConfig::default()
        };
        let system = crate::chat::prompts::load_llm_system(None).unwrap();
        let engine = LlmEngine::new(rules, config, String::new().into(), system).unwrap();
        let history = [
            message(1, "bot", "Hello! How can I help?"),
            message(2, "visitor", "first"),
            message(3, "bot", "reply one"),
            message(4, "visitor", "second"),
            message(5, "visitor", "   "),
            message(6, "visitor", "third"),
        ];
        let site = SiteConfig::demo();
        let lead = Lead::default();
        let input = EngineInput {
            site: &site,
            lang: Lang::Pl,
            region: None,
            visitor_text: "fourth",
            history: &history,
            lead: &lead,
            previous: &lead,
            consent_missing: false,
            state: Default::default(),
            stream: None,
        };
        let body =
            serde_json::to_value(engine.request(&input, "Jak masz na imię?", false)).unwrap();
        let messages = body["messages"].as_array().unwrap();
        let turns: Vec<(&str, &str)> = messages[1..]
            .iter()
            .map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
            .collect();
        // The last four: reply one (dropped: a user turn must come first), second, blank, third.
        assert_eq!(turns, [("user", "second\nthird\nfourth")]);
        let system = messages[0]["content"].as_str().unwrap();
        assert!(system.contains("Reply in Polish") && system.contains("Jak masz na imię?"));
        assert!(system.contains("Already noted about the visitor: nothing yet"));
        assert!(
            !system.contains('{'),
            "every placeholder is filled: {system}"
        );
        assert_eq!(body["temperature"], 0.3);
        assert_eq!(body["stream"], false);
        assert!(body.get("stream_options").is_none());
    }
}
