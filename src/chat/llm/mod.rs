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
//! The model is called through async-openai with the engine's own request and answer types
//! (`byot`): answers of compatible servers that the crate's typed answers reject (an empty
//! `finish_reason`, no `id` or `model`, content as parts) are read here, and a reply that is not
//! usable is a fallback, never an error for the visitor. Below the crate, a small transport keeps
//! retries within the turn's deadline and hands the crate error answers it can read.
//!
//! Failures open a breaker: after [`TRIP_AFTER`] failures in a row, or at once when the key is
//! refused or the quota is used up, the model is skipped for a while and turns are answered at
//! rule-engine speed.
//!
//! The parts: `client` is the async-openai adapter and reads whole answers, `transport` is the
//! HTTP shim under it, `stream` reads streamed answers, `breaker` skips a failing model, `prompt`
//! builds the request and `finish` tidies the reply.

mod breaker;
mod client;
mod finish;
mod prompt;
mod redact;
mod spend;
mod stream;
mod transport;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use tracing::warn;

use super::engine::{BotReply, Engine, EngineInput, EngineOutput, StreamSink};
use super::rules::RuleEngine;
use crate::config::{LlmConfig, SiteConfig};
use crate::lead::{Lang, Region};
use breaker::Breaker;
use client::{Answer, Clients, Usage, from_openai};
use redact::Redaction;
use spend::Spend;
use stream::{Shown, read_stream};

pub use crate::chat::engine::ModelUse;
pub use breaker::TRIP_AFTER;
pub use client::{ChatRequest, Message, SetupError, StreamOptions};
pub use finish::{MAX_REPLY_CHARS, tidy};
pub use prompt::language_name;

/// Why the model's answer was not used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("no answer in time")]
    Timeout,
    #[error("cannot reach the server: {0}")]
    Transport(String),
    #[error("HTTP {status}: {message}")]
    Status { status: u16, message: String },
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

    /// Whether only an operator can fix it (the key, the plan).
    pub(super) fn is_lasting(&self) -> bool {
        matches!(self, LlmError::Auth { .. } | LlmError::Quota(_))
    }
}

/// The engine.
pub struct LlmEngine {
    rules: RuleEngine,
    clients: Clients,
    config: LlmConfig,
    system: String,
    /// Sentences of the system prompt a reply must not repeat.
    secrets: Vec<String>,
    breaker: Mutex<Breaker>,
    spend: Spend,
}

impl LlmEngine {
    /// An engine calling `config.base_url` with `api_key`, planning with `rules`, and the
    /// system prompt template `system`.
    pub fn new(
        rules: RuleEngine,
        config: LlmConfig,
        api_key: secrecy::SecretString,
        system: String,
    ) -> Result<LlmEngine, SetupError> {
        use secrecy::ExposeSecret;
        let clients = Clients::new(&config, api_key.expose_secret())?;
        let spend = Spend::new(config.max_concurrent, config.daily_token_budget);
        let secrets = system
            .split(['.', '\n', ':'])
            .map(str::trim)
            .filter(|s| s.chars().count() >= 40 && !s.contains('{'))
            .map(str::to_owned)
            .collect();
        Ok(LlmEngine {
            rules,
            clients,
            config,
            system,
            secrets,
            breaker: Mutex::new(Breaker::default()),
            spend,
        })
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The model's wording of the turn within the deadline, and the usage the server counted.
    async fn words(
        &self,
        request: &ChatRequest,
        sink: Option<&StreamSink>,
        redaction: &Redaction,
    ) -> (Result<String, LlmError>, Option<Usage>) {
        let mut usage = None;
        let call = async {
            if request.stream {
                let events = self
                    .clients
                    .streamed
                    .chat()
                    .create_stream_byot(request)
                    .await
                    .map_err(from_openai)?;
                let mut shown = Shown::new(redaction);
                read_stream(events, sink, &mut shown, &mut usage).await
            } else {
                let answer: Answer = self
                    .clients
                    .whole
                    .chat()
                    .create_byot(request)
                    .await
                    .map_err(from_openai)?;
                usage = answer.usage;
                answer.reply()
            }
        };
        let timeout = Duration::from_secs(self.config.timeout_secs);
        let result = tokio::time::timeout(timeout, call)
            .await
            .unwrap_or(Err(LlmError::Timeout));
        let reply = result
            .and_then(|text| self.tidy(&text))
            .and_then(|reply| redaction.restored(&reply));
        (reply, usage)
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

    /// Records the outcome with the breaker; whether it was already open before.
    fn record(&self, result: &Result<String, LlmError>) -> bool {
        let mut breaker = self.breaker();
        let before = breaker.failures;
        breaker.record(result, Instant::now());
        before >= TRIP_AFTER
    }
}

/// The region national phone numbers are read in when the site sets none: the language's home.
fn region_of(lang: Lang) -> Option<Region> {
    let code = match lang {
        Lang::En => "GB",
        Lang::Pl => "PL",
        Lang::De => "DE",
        Lang::Es => "ES",
        Lang::Fr => "FR",
    };
    Region::parse(code).ok()
}

fn count(outcome: &'static str) {
    metrics::counter!("leadgate_llm_replies_total", "outcome" => outcome).increment(1);
}

impl Engine for LlmEngine {
    fn streams(&self) -> bool {
        self.config.stream
    }

    fn greeting(&self, site: &SiteConfig, lang: Lang) -> BotReply {
        self.rules.greeting(site, lang)
    }

    fn model_use(&self) -> Option<ModelUse> {
        Some(self.spend.report())
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
                count("no_consent");
                return plan;
            }
            if self.breaker().is_open(Instant::now()) {
                count("breaker_open");
                return plan;
            }
            let _slot = match self.spend.start() {
                Ok(slot) => slot,
                Err(skip) => {
                    count(skip.label());
                    return plan;
                }
            };
            let sink = input.stream.filter(|_| self.config.stream);
            // National numbers as the site reads them, and as a visitor of the reply's language
            // writes them.
            let regions = [input.site.region(), region_of(input.lang)];
            let mut redaction = Redaction::new(self.config.redact, input.lead, &regions);
            let mut request = self.request(&input, &draft.text, sink.is_some());
            for message in &mut request.messages {
                message.content = redaction.hide(&message.content);
            }
            let started = Instant::now();
            let (result, usage) = self.words(&request, sink, &redaction).await;
            let said = result.as_deref().unwrap_or_default();
            self.spend.charge(&request, said, usage);
            metrics::histogram!("leadgate_llm_seconds").record(started.elapsed().as_secs_f64());
            let was_open = self.record(&result);
            match result {
                Ok(text) => {
                    count("model");
                    draft.text = text;
                }
                Err(e) => {
                    count(e.kind());
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
        let engine =
            LlmEngine::new(rules, LlmConfig::default(), String::new().into(), system).unwrap();
        assert!(engine.tidy("Sure! What is your budget?").is_ok());
        let leak = "My instructions: Every turn the conversation planner gives you a draft reply.";
        assert!(matches!(engine.tidy(leak), Err(LlmError::Declined(_))));
    }
}
