//! One typed configuration: a TOML file plus `LEADGATE__SECTION__KEY` environment overrides,
//! checked at start-up with errors that name the key. Every key is documented in
//! `leadgate.example.toml`; the defaults run the demo with no file at all. Every secret is a
//! `SecretString`: `{:?}` of the whole configuration prints none, and no error repeats one.

mod engine;
mod env;
mod server;
mod sites;
mod sync;
mod validate;

use std::path::Path;

use serde::Deserialize;

use crate::channels::ChannelsConfig;
use crate::lead::ScoringRules;

pub use engine::{EngineConfig, EngineKind, LlmConfig, Provider, Redact};
pub use server::{DatabaseConfig, LimitsConfig, ServerConfig, SqliteSync, TrustedProxy};
pub use sites::{Register, SiteConfig};
pub use sync::{AlertsConfig, CrmConfigs, MinFields, SyncConfig};
pub use validate::MIN_ADMIN_TOKEN;

/// The whole configuration. Not `Serialize` nor `PartialEq`: the CRM sections hold secrets.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub sites: Vec<SiteConfig>,
    pub engine: EngineConfig,
    pub scoring: ScoringRules,
    pub limits: LimitsConfig,
    pub sync: SyncConfig,
    pub alerts: AlertsConfig,
    pub crm: CrmConfigs,
    pub channels: ChannelsConfig,
    pub privacy: PrivacyConfig,
}

/// `[privacy]`
#[derive(Debug, Clone, serde::Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Conversations silent for longer than this many days are erased (off when unset).
    pub retention_days: Option<u32>,
    /// Erasing a visitor also deletes the person, deal, note and task leadgate made in each
    /// CRM (off by default: a CRM record may hold a sales history the company must keep).
    pub erase_in_crm: bool,
    /// Erasing a visitor also deletes the Slack alert and the replies leadgate posted in its
    /// thread (on by default; needs a bot token: webhook messages cannot be deleted).
    pub erase_in_slack: bool,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            retention_days: None,
            erase_in_crm: false,
            erase_in_slack: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            sites: vec![SiteConfig::demo()],
            engine: EngineConfig::default(),
            scoring: ScoringRules::default(),
            limits: LimitsConfig::default(),
            sync: SyncConfig::default(),
            alerts: AlertsConfig::default(),
            crm: CrmConfigs::default(),
            channels: ChannelsConfig::default(),
            privacy: PrivacyConfig::default(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("config key `{key}`: {message}")]
    Key { key: String, message: String },
}

fn key_error(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Key {
        key: key.into(),
        message: message.into(),
    }
}

impl Config {
    /// Loads the file (if any), applies `LEADGATE__…` variables from `env`, and checks the result.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table = match path {
            Some(p) => {
                let display = p.display().to_string();
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: display.clone(),
                    source,
                })?;
                text.parse::<toml::Table>()
                    .map_err(|e| ConfigError::Syntax {
                        path: display,
                        message: syntax_message(&text, &e),
                    })?
            }
            None => toml::Table::new(),
        };
        env::apply_env(&mut table, env)?;
        let config: Config =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
                let path = e.path().to_string();
                let message = value_message(&path, e.into_inner().to_string());
                key_error(path, message)
            })?;
        config.validate()?;
        Ok(config)
    }

    /// The site with this key.
    pub fn site(&self, key: &str) -> Option<&SiteConfig> {
        self.sites.iter().find(|s| s.key == key)
    }

    /// The scoring rules on a site: `[scoring]` with the site's minimum budget.
    pub fn scoring_for(&self, site: &SiteConfig) -> std::borrow::Cow<'_, ScoringRules> {
        match site.min_budget {
            None => std::borrow::Cow::Borrowed(&self.scoring),
            Some(min) => std::borrow::Cow::Owned(ScoringRules {
                min_budget: Some(min),
                ..self.scoring.clone()
            }),
        }
    }

    /// The scoring rules on a conversation's site (`[scoring]` alone for an unknown site).
    pub fn scoring_on(&self, site_key: &str) -> std::borrow::Cow<'_, ScoringRules> {
        match self.site(site_key) {
            Some(site) => self.scoring_for(site),
            None => std::borrow::Cow::Borrowed(&self.scoring),
        }
    }
}

/// Keys whose values are secrets: an error about one names the key and never the value.
const SECRET_KEYS: [&str; 17] = [
    "secret",
    "previous_secret",
    "webhook_token",
    "admin_token",
    "api_key",
    "token",
    "webhook_url",
    "signing_secret",
    "client_secret",
    "refresh_token",
    "private_key_pem",
    "app_secret",
    "verify_token",
    "access_token",
    "api_token",
    "webhook_secret",
    "webhook_password",
];

/// Whether a key (its last part) holds a secret.
fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.contains(&key)
}

/// A message about the value at `path`, without the value when it is a secret (a wrong type's
/// message quotes it: "invalid type: integer `1234`").
fn value_message(path: &str, message: String) -> String {
    if is_secret_key(path.rsplit('.').next().unwrap_or(path)) {
        "expected a string (the value is a secret and is not repeated here)".to_owned()
    } else {
        message
    }
}

/// A TOML syntax error by line, without the quoted source line (which may hold a secret).
fn syntax_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {}", e.message())
        }
        None => e.message().to_owned(),
    }
}

#[cfg(test)]
mod tests;
