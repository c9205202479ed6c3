//! `[engine]` and `[engine.llm]`: what writes the replies.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// Which engine runs conversations.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    #[default]
    Rules,
    Llm,
}

/// `[engine]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    pub kind: EngineKind,
    /// Folder with reply templates per language and the FAQ.
    pub prompts_dir: String,
    pub llm: LlmConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            kind: EngineKind::Rules,
            prompts_dir: "prompts".to_owned(),
            llm: LlmConfig::default(),
        }
    }
}

/// `[engine.llm]`: any OpenAI-compatible chat-completions server.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Up to and including `/v1`; `/chat/completions` is appended.
    pub base_url: String,
    /// Sent as `Authorization: Bearer …`; `OPENAI_API_KEY` when unset.
    pub api_key: Option<SecretString>,
    pub model: String,
    /// Longest wait for one reply, retries included; then the rule engine answers.
    pub timeout_secs: u64,
    pub temperature: f32,
    /// Longest reply the model may write, in tokens.
    pub max_tokens: u32,
    /// Earlier messages of the conversation sent with each turn.
    pub history_messages: usize,
    /// Show the reply in the widget while the model writes it.
    pub stream: bool,
    /// What personal data is replaced by placeholders before anything is sent to the model.
    pub redact: Redact,
    /// Model calls at once across the gateway; beyond them the rule engine answers (0: no cap).
    pub max_concurrent: u32,
    /// Tokens a UTC day; once used, the rule engine answers until midnight (0: no budget).
    pub daily_token_budget: u64,
}

/// `[engine.llm] redact`: what the model is not sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Redact {
    /// Email addresses and phone numbers become `[email 1]`, `[phone 1]`.
    #[default]
    Contact,
    /// Those, and the visitor's name becomes `[name 1]`.
    ContactAndNames,
    /// Everything is sent as written.
    None,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            base_url: "https://api.openai.com/v1".to_owned(),
            api_key: None,
            model: "gpt-4o-mini".to_owned(),
            timeout_secs: 15,
            temperature: 0.3,
            max_tokens: 300,
            history_messages: 12,
            stream: true,
            redact: Redact::Contact,
            max_concurrent: 16,
            daily_token_budget: 2_000_000,
        }
    }
}
