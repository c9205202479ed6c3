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
    /// How the server is addressed and the key sent: see [`Provider`].
    pub provider: Provider,
    /// `openai`: up to and including `/v1`, `/chat/completions` is appended.
    /// `azure`: the resource endpoint, `https://NAME.openai.azure.com`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer …` (`azure`: as `api-key: …`); `OPENAI_API_KEY` when unset.
    pub api_key: Option<SecretString>,
    /// `azure` only: the deployment's name, the model as Azure serves it.
    pub azure_deployment: Option<String>,
    /// `azure` only: the `api-version` query parameter, such as `2024-10-21`.
    pub api_version: Option<String>,
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

/// `[engine.llm] provider`: how requests are addressed and signed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Any OpenAI-compatible server (OpenAI, vLLM, Ollama's `/v1`, llama.cpp's server,
    /// LiteLLM): `{base_url}/chat/completions` with a bearer key.
    #[default]
    Openai,
    /// Azure OpenAI: `{base_url}/openai/deployments/{azure_deployment}/chat/completions
    /// ?api-version={api_version}` with the key in an `api-key` header.
    Azure,
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
            provider: Provider::Openai,
            base_url: "https://api.openai.com/v1".to_owned(),
            api_key: None,
            azure_deployment: None,
            api_version: None,
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
