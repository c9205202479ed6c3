//! One typed configuration: a TOML file plus `LEADGATE__SECTION__KEY` environment overrides,
//! checked at start-up with errors that name the key. Every key is documented in
//! `leadgate.example.toml`; the defaults run the demo with no file at all.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::alerts::SlackConfig;
use crate::channels::ChannelsConfig;
use crate::crm::CrmKind;
use crate::lead::{Lang, Region, ScoringRules};

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
        }
    }
}

/// `[server]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: String,
    /// The address visitors' browsers use to reach the gateway (links, the widget's origin).
    pub public_url: Option<String>,
    /// Secret for resume tokens; generated and kept in the database when unset.
    pub secret: Option<String>,
    /// Seconds a socket may stay silent before it is closed.
    pub idle_timeout_secs: u64,
    /// Seconds between websocket pings.
    pub ping_interval_secs: u64,
    /// Seconds graceful shutdown waits for turns in progress.
    pub shutdown_grace_secs: u64,
    /// Token for the admin API (`Authorization: Bearer …`); the admin API is off when unset.
    pub admin_token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".to_owned(),
            public_url: None,
            secret: None,
            idle_timeout_secs: 600,
            ping_interval_secs: 25,
            shutdown_grace_secs: 10,
            admin_token: None,
        }
    }
}

/// `[database]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://leadgate.db` (created when missing) or `postgres://user@host/db`.
    pub url: String,
    /// Connection pool size.
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://leadgate.db".to_owned(),
            max_connections: 8,
        }
    }
}

/// `[[sites]]`: one website (or channel number) whose visitors chat.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// The key the widget sends (`data-site`).
    pub key: String,
    /// A human name for the site, shown in the CRM note and alerts.
    pub name: String,
    /// Origins allowed to open the websocket, e.g. `https://www.acme.eu`. Empty: the gateway's
    /// own origin and `http://localhost` / `http://127.0.0.1` on any port.
    pub allowed_origins: Vec<String>,
    /// Default locale (BCP 47) when the visitor's browser does not say.
    pub locale: String,
    /// Region for national phone numbers (ISO 3166-1 alpha-2); the locale's region when unset.
    pub default_region: Option<Region>,
    /// Where this site's leads go.
    pub crm: CrmKind,
    /// Ask for consent before storing personal fields.
    pub require_consent: bool,
    /// Link shown in the privacy notice.
    pub privacy_policy_url: Option<String>,
    /// FAQ file (TOML) the rule engine answers from; `prompts/faq.toml` when unset.
    pub faq: Option<String>,
}

impl SiteConfig {
    /// The site the demo page embeds.
    pub fn demo() -> SiteConfig {
        SiteConfig {
            key: "demo".to_owned(),
            name: "leadgate demo".to_owned(),
            ..SiteConfig::default()
        }
    }

    /// The site's name for people: `name`, else its key.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.key
        } else {
            &self.name
        }
    }

    /// The site's language.
    pub fn lang(&self) -> Lang {
        Lang::from_locale(&self.locale).unwrap_or_default()
    }

    /// The site's region for national numbers.
    pub fn region(&self) -> Option<Region> {
        self.default_region
            .or_else(|| Region::from_locale(&self.locale))
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            key: String::new(),
            name: String::new(),
            allowed_origins: Vec::new(),
            locale: "en-US".to_owned(),
            default_region: None,
            crm: CrmKind::None,
            require_consent: false,
            privacy_policy_url: None,
            faq: None,
        }
    }
}

/// Which engine runs conversations.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    #[default]
    Rules,
    Llm,
}

/// `[engine]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Up to and including `/v1`; `/chat/completions` is appended.
    pub base_url: String,
    /// Sent as `Authorization: Bearer …`; `OPENAI_API_KEY` when unset.
    pub api_key: Option<String>,
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

/// `[limits]`: what one visitor may send.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Longest message text in bytes.
    pub max_text_bytes: usize,
    /// Largest websocket frame in bytes.
    pub max_frame_bytes: usize,
    /// Messages per minute per session.
    pub session_msgs_per_min: u32,
    /// Messages per minute per client IP, all sessions together.
    pub ip_msgs_per_min: u32,
    /// Websocket connections per client IP at once.
    pub ip_connections: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_text_bytes: 4096,
            max_frame_bytes: 16 * 1024,
            session_msgs_per_min: 20,
            ip_msgs_per_min: 120,
            ip_connections: 50,
        }
    }
}

/// What a lead needs before it is first sent to a CRM.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MinFields {
    #[default]
    EmailOrPhone,
    Email,
    Phone,
    EmailAndPhone,
}

/// `[sync]`: how leads travel to the CRMs through the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// What a lead needs before its first sync.
    pub min_fields: MinFields,
    /// Hours until the follow-up task is due.
    pub task_due_hours: u32,
    /// Attempts before a failing job is dead-lettered.
    pub max_attempts: u32,
    /// First retry delay in seconds; it doubles per attempt, with jitter.
    pub backoff_base_secs: u64,
    /// Longest delay between retries in seconds.
    pub backoff_max_secs: u64,
    /// A CRM's `Retry-After` is honoured up to this many seconds.
    pub retry_after_max_secs: u64,
    /// Jobs one worker claims at once; with a backlog, CRMs with batch endpoints get them together.
    pub batch_size: u32,
    /// Seconds a claimed job stays locked to its worker without news from it; a live worker
    /// extends the lock every third of it, a crashed one's jobs are taken over after it.
    pub lock_secs: u64,
    /// Milliseconds between checks for due jobs when nothing wakes the worker.
    pub poll_ms: u64,
    /// Messages of the conversation quoted in the CRM note.
    pub transcript_messages: usize,
    /// The lead source written to the CRM.
    pub lead_source: String,
    /// Which CRM values a lead may overwrite: `default` and per field.
    pub overwrite: crate::crm::progressive::OverwritePolicy,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            min_fields: MinFields::EmailOrPhone,
            task_due_hours: 24,
            max_attempts: 12,
            backoff_base_secs: 2,
            backoff_max_secs: 900,
            retry_after_max_secs: 3600,
            batch_size: 50,
            lock_secs: 30,
            poll_ms: 500,
            transcript_messages: 20,
            lead_source: "leadgate chat".to_owned(),
            overwrite: crate::crm::progressive::OverwritePolicy::default(),
        }
    }
}

/// `[crm.*]`: the CRMs sites send leads to, one section each.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrmConfigs {
    pub hubspot: Option<crate::crm::hubspot::Config>,
    pub pipedrive: Option<crate::crm::pipedrive::Config>,
    pub salesforce: Option<crate::crm::salesforce::Config>,
    pub zoho: Option<crate::crm::zoho::Config>,
}

impl CrmConfigs {
    /// Checks each configured CRM; an error names the key, e.g. `crm.zoho.accounts_url`.
    fn validate(&self) -> Result<(), ConfigError> {
        let checks = [
            ("hubspot", self.hubspot.as_ref().map(|c| c.validate())),
            ("pipedrive", self.pipedrive.as_ref().map(|c| c.validate())),
            ("salesforce", self.salesforce.as_ref().map(|c| c.validate())),
            ("zoho", self.zoho.as_ref().map(|c| c.validate())),
        ];
        for (name, result) in checks {
            if let Some(Err(e)) = result {
                return Err(key_error(format!("crm.{name}.{}", e.key), e.message));
            }
        }
        Ok(())
    }

    /// Whether `[crm.<kind>]` is present.
    fn has(&self, kind: CrmKind) -> bool {
        match kind {
            CrmKind::None => true,
            CrmKind::Hubspot => self.hubspot.is_some(),
            CrmKind::Pipedrive => self.pipedrive.is_some(),
            CrmKind::Salesforce => self.salesforce.is_some(),
            CrmKind::Zoho => self.zoho.is_some(),
        }
    }
}

/// `[alerts]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    pub slack: Option<SlackConfig>,
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
                        message: e.to_string(),
                    })?
            }
            None => toml::Table::new(),
        };
        apply_env(&mut table, env)?;
        let config: Config =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
                let path = e.path().to_string();
                key_error(path, e.into_inner().to_string())
            })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what types cannot say.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.server.listen.parse::<SocketAddr>().map_err(|e| {
            key_error(
                "server.listen",
                format!("{e} (expected host:port such as 127.0.0.1:8080)"),
            )
        })?;
        if let Some(url) = &self.server.public_url {
            reqwest::Url::parse(url).map_err(|e| key_error("server.public_url", e.to_string()))?;
        }
        if self.server.secret.as_ref().is_some_and(|s| s.len() < 16) {
            return Err(key_error("server.secret", "use at least 16 characters"));
        }
        let db = &self.database.url;
        if !(db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            return Err(key_error(
                "database.url",
                "expected sqlite://FILE or postgres://…",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(key_error("database.max_connections", "must be at least 1"));
        }
        if self.sites.is_empty() {
            return Err(key_error("sites", "configure at least one site"));
        }
        let mut seen = BTreeMap::new();
        for (i, site) in self.sites.iter().enumerate() {
            let at = |k: &str| format!("sites[{i}].{k}");
            if site.key.is_empty()
                || site.key.len() > 64
                || !site
                    .key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(key_error(
                    at("key"),
                    "1–64 characters of letters, digits, - and _",
                ));
            }
            if seen.insert(site.key.clone(), i).is_some() {
                return Err(key_error(
                    at("key"),
                    format!("site key {:?} is used twice", site.key),
                ));
            }
            if Lang::from_locale(&site.locale).is_none() {
                return Err(key_error(
                    at("locale"),
                    "expected a locale in en, pl, de, es or fr, such as pl-PL",
                ));
            }
            for (j, origin) in site.allowed_origins.iter().enumerate() {
                let ok = origin == "*"
                    || reqwest::Url::parse(origin)
                        .is_ok_and(|u| u.has_host() && (u.path() == "/" || u.path().is_empty()));
                if !ok {
                    return Err(key_error(
                        format!("sites[{i}].allowed_origins[{j}]"),
                        "expected an origin such as https://www.example.eu",
                    ));
                }
            }
        }
        let l = &self.limits;
        if l.max_text_bytes == 0 || l.max_text_bytes > 64 * 1024 {
            return Err(key_error("limits.max_text_bytes", "between 1 and 65536"));
        }
        if l.max_frame_bytes < l.max_text_bytes + 256 || l.max_frame_bytes > 1024 * 1024 {
            return Err(key_error(
                "limits.max_frame_bytes",
                "at least max_text_bytes + 256 and at most 1 MiB",
            ));
        }
        if l.session_msgs_per_min == 0 || l.ip_msgs_per_min == 0 || l.ip_connections == 0 {
            return Err(key_error(
                "limits",
                "rates and connection counts must be at least 1",
            ));
        }
        let s = &self.sync;
        if s.max_attempts == 0 || s.batch_size == 0 || s.batch_size > 100 {
            return Err(key_error(
                "sync",
                "max_attempts must be at least 1 and batch_size between 1 and 100",
            ));
        }
        if s.backoff_base_secs == 0 || s.backoff_max_secs < s.backoff_base_secs {
            return Err(key_error(
                "sync.backoff_max_secs",
                "must be at least backoff_base_secs, which must be at least 1",
            ));
        }
        if let Some(slack) = &self.alerts.slack {
            let has_webhook = slack.webhook_url.is_some();
            let has_bot = slack.token.is_some()
                && (slack.channel.is_some() || !slack.site_channels.is_empty());
            if !has_webhook && !has_bot {
                return Err(key_error(
                    "alerts.slack",
                    "set webhook_url, or token and channel",
                ));
            }
            if let Some(url) = &slack.webhook_url {
                // The URL is a secret: the error names the key, never the value.
                reqwest::Url::parse(url.expose_secret()).map_err(|e| {
                    key_error("alerts.slack.webhook_url", format!("not a URL ({e})"))
                })?;
            }
            reqwest::Url::parse(&slack.api_base).map_err(|e| {
                key_error("alerts.slack.api_base", format!("{}: {e}", slack.api_base))
            })?;
            if !(slack.handback_idle_minutes > 0.0 && slack.handback_idle_minutes <= 24.0 * 60.0) {
                return Err(key_error(
                    "alerts.slack.handback_idle_minutes",
                    "more than 0 and at most 1440",
                ));
            }
        }
        self.crm.validate()?;
        self.channels
            .validate(|key| self.site(key).is_some())
            .map_err(|e| key_error(format!("channels.{}", e.key), e.message))?;
        for (i, site) in self.sites.iter().enumerate() {
            if !self.crm.has(site.crm) {
                return Err(key_error(
                    format!("sites[{i}].crm"),
                    format!("add a [crm.{}] section for this CRM", site.crm.name()),
                ));
            }
        }
        if self.engine.kind == EngineKind::Llm {
            let llm = &self.engine.llm;
            if llm.model.trim().is_empty() {
                return Err(key_error("engine.llm.model", "name the model to call"));
            }
            let url = reqwest::Url::parse(&llm.base_url)
                .map_err(|e| key_error("engine.llm.base_url", format!("{}: {e}", llm.base_url)))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(key_error("engine.llm.base_url", "use an http or https URL"));
            }
            if !(1..=300).contains(&llm.timeout_secs) {
                return Err(key_error("engine.llm.timeout_secs", "between 1 and 300"));
            }
            if !(0.0..=2.0).contains(&llm.temperature) {
                return Err(key_error("engine.llm.temperature", "between 0 and 2"));
            }
            if !(16..=4096).contains(&llm.max_tokens) {
                return Err(key_error("engine.llm.max_tokens", "between 16 and 4096"));
            }
            if llm.history_messages > 200 {
                return Err(key_error("engine.llm.history_messages", "at most 200"));
            }
        }
        Ok(())
    }

    /// The site with this key.
    pub fn site(&self, key: &str) -> Option<&SiteConfig> {
        self.sites.iter().find(|s| s.key == key)
    }
}

/// Applies `LEADGATE__SECTION__KEY=value` overrides. Keys are lower-cased; numeric parts index
/// arrays (`LEADGATE__SITES__0__LOCALE=pl-PL`); values are read as TOML when they parse
/// (numbers, booleans, arrays) and as strings otherwise.
fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("LEADGATE__"))
        .collect();
    vars.sort();
    for (name, raw) in vars {
        let path: Vec<String> = name["LEADGATE__".len()..]
            .split("__")
            .map(str::to_lowercase)
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(key_error(name, "empty key part"));
        }
        let value = parse_env_value(&raw);
        set_path(table, &path, value).map_err(|m| key_error(path.join("."), m))?;
    }
    Ok(())
}

fn parse_env_value(raw: &str) -> toml::Value {
    let wrapped = format!("v = {raw}");
    match wrapped.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    let (head, rest) = path.split_first().ok_or("empty key")?;
    if rest.is_empty() {
        table.insert(head.clone(), value);
        return Ok(());
    }
    if let Ok(index) = rest[0].parse::<usize>() {
        let entry = table
            .entry(head.clone())
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        let array = entry.as_array_mut().ok_or("not an array")?;
        while array.len() <= index {
            array.push(toml::Value::Table(toml::Table::new()));
        }
        if rest.len() == 1 {
            array[index] = value;
            return Ok(());
        }
        let inner = array[index].as_table_mut().ok_or("not a table")?;
        return set_path(inner, &rest[1..], value);
    }
    let entry = table
        .entry(head.clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let inner = entry
        .as_table_mut()
        .ok_or_else(|| format!("`{head}` is not a table"))?;
    set_path(inner, rest, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(toml_text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, toml_text).unwrap();
        Config::load(
            Some(&path),
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    #[test]
    fn no_file_runs_the_demo() {
        let c = Config::load(None, Vec::new()).unwrap();
        assert_eq!(c.server.listen, "127.0.0.1:8080");
        assert_eq!(c.database.url, "sqlite://leadgate.db");
        assert_eq!(c.sites[0].key, "demo");
        assert_eq!(c.engine.kind, EngineKind::Rules);
    }

    #[test]
    fn the_example_file_loads() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/leadgate.example.toml"
        ))
        .unwrap();
        let c = load_str(&text, &[]).unwrap();
        assert!(!c.sites.is_empty());
    }

    #[test]
    fn environment_overrides_the_file() {
        let c = load_str(
            "[server]\nlisten = \"127.0.0.1:9000\"\n[[sites]]\nkey = \"a\"\n",
            &[
                ("LEADGATE__SERVER__LISTEN", "0.0.0.0:7000"),
                ("LEADGATE__SITES__0__LOCALE", "pl-PL"),
                ("LEADGATE__SCORING__DEAL_THRESHOLD", "70"),
                ("LEADGATE__SCORING__COMPETITORS", "[\"Tidio\"]"),
                ("OTHER", "x"),
            ],
        )
        .unwrap();
        assert_eq!(c.server.listen, "0.0.0.0:7000");
        assert_eq!(c.sites[0].locale, "pl-PL");
        assert_eq!(c.scoring.deal_threshold, 70);
        assert_eq!(c.scoring.competitors, vec!["Tidio"]);
    }

    fn err(toml_text: &str) -> String {
        load_str(toml_text, &[]).unwrap_err().to_string()
    }

    #[test]
    fn llm_settings_are_checked_when_the_llm_runs() {
        let llm = |extra: &str| err(&format!("[engine]\nkind = \"llm\"\n[engine.llm]\n{extra}"));
        assert!(llm("model = \" \"").contains("engine.llm.model"));
        assert!(llm("base_url = \"not a url\"").contains("engine.llm.base_url"));
        assert!(llm("base_url = \"ftp://x/v1\"").contains("engine.llm.base_url"));
        assert!(llm("timeout_secs = 0").contains("engine.llm.timeout_secs"));
        assert!(llm("temperature = 3.5").contains("engine.llm.temperature"));
        assert!(llm("max_tokens = 1").contains("engine.llm.max_tokens"));
        assert!(llm("history_messages = 100000").contains("engine.llm.history_messages"));
        assert!(llm("modle = \"x\"").contains("modle"));
        let ok = load_str(
            "[engine]\nkind = \"llm\"\n[engine.llm]\nbase_url = \"http://127.0.0.1:11434/v1\"\nmodel = \"llama3.1\"",
            &[],
        )
        .unwrap();
        assert_eq!(ok.engine.llm.model, "llama3.1");
        // The rule engine ignores an unused [engine.llm] section's values.
        assert!(load_str("[engine.llm]\ntimeout_secs = 0", &[]).is_ok());
    }

    #[test]
    fn channels_are_checked_and_their_secrets_never_printed() {
        let wa = "[channels.whatsapp]\napp_secret = \"app-secret-123\"\nverify_token = \"verify-456\"\naccess_token = \"EAAG-789\"\n";
        let ok = load_str(
            &format!("{wa}[[channels.whatsapp.numbers]]\nphone_number_id = \"106540352242922\"\nsite = \"demo\"\n"),
            &[("LEADGATE__CHANNELS__WHATSAPP__ACCESS_TOKEN", "EAAG-from-env")],
        )
        .unwrap();
        let w = ok.channels.whatsapp.as_ref().unwrap();
        assert_eq!(w.site_of("106540352242922"), Some("demo"));
        let printed = format!("{ok:?}");
        for secret in ["app-secret-123", "verify-456", "EAAG"] {
            assert!(!printed.contains(secret), "{secret} printed");
        }
        assert!(err(wa).contains("channels.whatsapp.numbers"));
        assert!(
            err(&format!(
                "{wa}[[channels.whatsapp.numbers]]\nphone_number_id = \"1\"\nsite = \"nowhere\"\n"
            ))
            .contains("channels.whatsapp.numbers[0].site")
        );
        assert!(
            err(&format!("{wa}graph_url = \"graph\"\n[[channels.whatsapp.numbers]]\nphone_number_id = \"1\"\nsite = \"demo\"\n"))
                .contains("channels.whatsapp.graph_url")
        );
        assert!(
            err("[channels.messenger]\napp_secret = \" \"\nverify_token = \"v\"\n")
                .contains("channels.messenger.app_secret")
        );
        assert!(
            err("[channels]\nconversation_idle_hours = 0")
                .contains("channels.conversation_idle_hours")
        );
    }

    #[test]
    fn errors_name_the_key() {
        assert!(err("[server]\nlisten = \"nowhere\"").contains("server.listen"));
        assert!(err("[server]\nlisten = 8080").contains("server.listen"));
        assert!(err("[server]\nlisen = \"x\"").contains("lisen"));
        assert!(err("[database]\nurl = \"mysql://x\"").contains("database.url"));
        assert!(err("[[sites]]\nkey = \"a\"\nlocale = \"it-IT\"").contains("sites[0].locale"));
        assert!(
            err("[[sites]]\nkey = \"a\"\ndefault_region = \"Poland\"")
                .contains("sites[0].default_region")
        );
        assert!(err("[[sites]]\nkey = \"a\"\ncrm = \"sugar\"").contains("sites[0].crm"));
        assert!(err("[[sites]]\nkey = \"a\"\n[[sites]]\nkey = \"a\"").contains("sites[1].key"));
        assert!(err("[[sites]]\nkey = \"a b\"").contains("sites[0].key"));
        assert!(
            err("[[sites]]\nkey = \"a\"\nallowed_origins = [\"not a url\"]")
                .contains("sites[0].allowed_origins[0]")
        );
        assert!(err("[engine]\nkind = \"magic\"").contains("engine.kind"));
        assert!(err("[scoring]\ndeal_threshold = -1").contains("scoring.deal_threshold"));
        assert!(err("[limits]\nmax_text_bytes = 0").contains("limits.max_text_bytes"));
        assert!(err("this is not toml").contains("not valid TOML"));
    }
}
