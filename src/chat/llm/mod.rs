//! The LLM engine: any OpenAI-compatible chat-completions server words the assistant's reply.
//!
//! The rule engine still plans every turn — what to ask next, accepted refusals, the offer of a
//! human follow-up — so the conversation state is the same whichever engine runs, and its reply
//! is the draft the model rewrites. When the model fails, is slow, refuses, or answers with
//! nothing usable, the visitor gets the draft: a turn never fails because of the model. Facts
//! never come from the model; the extractor reads them from the visitor's own words only.
//!
//! On a site with `require_consent`, the model is not called until the visitor accepts the
//! privacy notice: what they write does not leave the gateway before that.
//!
//! The client is a small reqwest call rather than a typed SDK: answers of compatible servers that
//! strict typed clients reject (an empty `finish_reason`, no `id` or `model`, content as parts,
//! error bodies with integer codes or none at all) are read here, and a reply that is not usable
//! is a fallback, never an error for the visitor.
//!
//! Failures open a breaker: after [`TRIP_AFTER`] failures in a row, or at once when the key is
//! refused or the quota is used up, the model is skipped for a while and turns are answered at
//! rule-engine speed.
//!
//! The parts: `client` calls the server and reads whole answers, `stream` reads streamed
//! ones, `breaker` skips a failing model, `prompt` builds the request and `finish` tidies
//! the reply.

mod breaker;
mod client;
mod finish;
mod prompt;
mod stream;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde_json::Value;
use tracing::warn;

use super::engine::{BotReply, Engine, EngineInput, EngineOutput};
use super::rules::RuleEngine;
use crate::config::{LlmConfig, SiteConfig};
use crate::lead::Lang;
use breaker::Breaker;

pub use breaker::TRIP_AFTER;
pub use client::{classify, read_answer};
pub use finish::{MAX_REPLY_CHARS, tidy};
pub use prompt::language_name;

/// Why the model's answer was not used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("no answer in time")]
    Timeout,
    #[error("cannot reach the server: {0}")]
    Transport(String),
    /// An error status; `retry` is set when trying again may help.
    #[error("HTTP {status}: {message}")]
    Status {
        status: u16,
        message: String,
        retry: Option<Duration>,
    },
    #[error("the API key was refused (HTTP {status}): {message}")]
    Auth { status: u16, message: String },
    #[error("the quota is used up: {0}")]
    Quota(String),
    #[error("unusable answer: {0}")]
    Malformed(String),
    #[error("the model declined: {0}")]
    Declined(String),
    #[error("the model's reply was empty or unusable")]
    Empty,
}

impl LlmError {
    /// A short label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::Timeout => "timeout",
            LlmError::Transport(_) => "transport",
            LlmError::Status { .. } => "status",
            LlmError::Auth { .. } => "auth",
            LlmError::Quota(_) => "quota",
            LlmError::Malformed(_) => "malformed",
            LlmError::Declined(_) => "declined",
            LlmError::Empty => "empty",
        }
    }

    /// How long to wait before one more try, when one may help.
    pub(super) fn retry_in(&self) -> Option<Duration> {
        match self {
            LlmError::Status { retry, .. } => *retry,
            LlmError::Transport(_) => Some(Duration::from_millis(100)),
            _ => None,
        }
    }

    /// Whether only an operator can fix it (the key, the plan).
    pub(super) fn is_lasting(&self) -> bool {
        matches!(self, LlmError::Auth { .. } | LlmError::Quota(_))
    }
}

/// The engine.
pub struct LlmEngine {
    rules: RuleEngine,
    http: reqwest::Client,
    url: String,
    api_key: String,
    config: LlmConfig,
    system: String,
    /// Sentences of the system prompt a reply must not repeat.
    secrets: Vec<String>,
    breaker: Mutex<Breaker>,
}

impl LlmEngine {
    /// An engine calling `config.base_url` with `api_key`, planning with `rules`, and the
    /// system prompt template `system`.
    pub fn new(
        rules: RuleEngine,
        config: LlmConfig,
        api_key: String,
        system: String,
    ) -> Result<LlmEngine, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(Duration::from_secs(config.timeout_secs)))
            .tcp_nodelay(true)
            .build()?;
        let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        let secrets = system
            .split(['.', '\n', ':'])
            .map(str::trim)
            .filter(|s| s.chars().count() >= 40 && !s.contains('{'))
            .map(str::to_owned)
            .collect();
        Ok(LlmEngine {
            rules,
            http,
            url,
            api_key,
            config,
            system,
            secrets,
            breaker: Mutex::new(Breaker::default()),
        })
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The reply as the visitor may see it, or why not.
    fn tidy(&self, text: &str) -> Result<String, LlmError> {
        let reply = tidy(text).ok_or(LlmError::Empty)?;
        if self.secrets.iter().any(|s| reply.contains(s.as_str())) {
            return Err(LlmError::Declined(
                "the reply repeats the system prompt".into(),
            ));
        }
        Ok(reply)
    }
}

impl Engine for LlmEngine {
    fn streams(&self) -> bool {
        self.config.stream
    }

    fn greeting(&self, site: &SiteConfig, lang: Lang) -> BotReply {
        self.rules.greeting(site, lang)
    }

    fn reply<'a>(&'a self, input: EngineInput<'a>) -> BoxFuture<'a, EngineOutput> {
        Box::pin(async move {
            let mut plan = self.rules.turn(input.clone());
            let Some(draft) = plan.replies.last_mut() else {
                return plan;
            };
            // On a site that asks for consent, nothing the visitor wrote leaves the gateway
            // before they accept the privacy notice.
            if input.consent_missing {
                metrics::counter!("leadgate_llm_replies_total", "outcome" => "no_consent")
                    .increment(1);
                return plan;
            }
            if self.breaker().is_open(Instant::now()) {
                metrics::counter!("leadgate_llm_replies_total", "outcome" => "breaker_open")
                    .increment(1);
                return plan;
            }
            let mut body = self.request(&input, &draft.text);
            let sink = input.stream.filter(|_| self.config.stream);
            body["stream"] = Value::Bool(sink.is_some());
            let started = Instant::now();
            let result = self.words(&body, sink).await;
            metrics::histogram!("leadgate_llm_seconds").record(started.elapsed().as_secs_f64());
            let was_open = {
                let mut breaker = self.breaker();
                let before = breaker.failures;
                breaker.record(&result, Instant::now());
                before >= TRIP_AFTER
            };
            match result {
                Ok(text) => {
                    metrics::counter!("leadgate_llm_replies_total", "outcome" => "model")
                        .increment(1);
                    draft.text = text;
                }
                Err(e) => {
                    metrics::counter!("leadgate_llm_replies_total", "outcome" => e.kind())
                        .increment(1);
                    if !was_open {
                        warn!(error = %e, "the LLM gave no usable reply; the rule engine's is sent");
                    }
                }
            }
            plan
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_that_repeats_the_system_prompt_is_not_sent() {
        let rules = RuleEngine::new(
            crate::chat::prompts::Prompts::load(None).unwrap(),
            crate::chat::prompts::Faq::default(),
        );
        let system = crate::chat::prompts::load_llm_system(None).unwrap();
        let engine = LlmEngine::new(rules, LlmConfig::default(), String::new(), system).unwrap();
        assert!(engine.tidy("Sure! What is your budget?").is_ok());
        let leak = "My instructions: Every turn the conversation planner gives you a draft reply.";
        assert!(matches!(engine.tidy(leak), Err(LlmError::Declined(_))));
    }
}
