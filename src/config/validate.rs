//! What types cannot say, checked at start-up section by section; each error names its key and
//! never the value of a secret.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use secrecy::ExposeSecret;

use super::engine::Provider;
use super::{Config, ConfigError, EngineKind, LlmConfig, key_error};
use crate::alerts::SlackConfig;
use crate::lead::Lang;

/// The shortest admin token accepted: long enough that guessing it is hopeless.
pub const MIN_ADMIN_TOKEN: usize = 32;

impl Config {
    /// A claimed lead's owner goes to Pipedrive as `owner_id`, an integer: with a site on
    /// Pipedrive, every CRM id in `[alerts.slack.owners]` must be one.
    fn check_owner_ids(&self) -> Result<(), ConfigError> {
        let Some(slack) = &self.alerts.slack else {
            return Ok(());
        };
        if !self
            .sites
            .iter()
            .any(|s| s.crm == crate::crm::CrmKind::Pipedrive)
        {
            return Ok(());
        }
        match slack
            .owners
            .iter()
            .find(|(_, id)| id.trim().parse::<u64>().is_err())
        {
            Some((rep, id)) => Err(key_error(
                "alerts.slack.owners",
                format!(
                    "[alerts.slack.owners] maps {rep} to `{id}`, which is not a Pipedrive user id \
                     (a whole number, as in the Pipedrive user's URL)"
                ),
            )),
            None => Ok(()),
        }
    }

    /// Checks what types cannot say.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.check_server()?;
        self.check_database()?;
        self.check_sites()?;
        self.check_limits()?;
        self.check_sync()?;
        if let Some(slack) = &self.alerts.slack {
            check_slack(slack)?;
        }
        self.crm.validate()?;
        self.channels
            .validate(|key| self.site(key).is_some())
            .map_err(|e| key_error(format!("channels.{}", e.key), e.message))?;
        self.check_owner_ids()?;
        for (i, site) in self.sites.iter().enumerate() {
            if !self.crm.has(site.crm) {
                return Err(key_error(
                    format!("sites[{i}].crm"),
                    format!("add a [crm.{}] section for this CRM", site.crm.name()),
                ));
            }
        }
        if self.engine.kind == EngineKind::Llm {
            self.check_llm()?;
        }
        Ok(())
    }

    fn check_server(&self) -> Result<(), ConfigError> {
        let s = &self.server;
        check_address("server.listen", &s.listen)?;
        if let Some(admin) = &s.admin_listen {
            check_address("server.admin_listen", admin)?;
        }
        if let Some(url) = &s.public_url {
            reqwest::Url::parse(url).map_err(|e| key_error("server.public_url", e.to_string()))?;
        }
        if s.secret
            .as_ref()
            .is_some_and(|s| s.expose_secret().len() < 16)
        {
            return Err(key_error("server.secret", "use at least 16 characters"));
        }
        if s.previous_secret
            .as_ref()
            .is_some_and(|s| s.expose_secret().len() < 16)
        {
            return Err(key_error(
                "server.previous_secret",
                "use at least 16 characters",
            ));
        }
        if s.transcript_link_days == 0 {
            return Err(key_error(
                "server.transcript_link_days",
                "use at least 1 day",
            ));
        }
        let token = s
            .admin_token
            .as_ref()
            .map(|t| t.expose_secret().chars().count());
        if token.is_some_and(|n| n < MIN_ADMIN_TOKEN) {
            return Err(key_error(
                "server.admin_token",
                format!(
                    "use at least {MIN_ADMIN_TOKEN} random characters (or leave it unset to turn the admin API off)"
                ),
            ));
        }
        let timeouts = [
            ("server.hello_timeout_secs", s.hello_timeout_secs),
            (
                "server.header_read_timeout_secs",
                s.header_read_timeout_secs,
            ),
            ("server.idle_timeout_secs", s.idle_timeout_secs),
            ("server.ping_interval_secs", s.ping_interval_secs),
        ];
        for (key, secs) in timeouts {
            if secs == 0 {
                return Err(key_error(key, "must be at least 1"));
            }
        }
        if s.max_connections == 0 {
            return Err(key_error("server.max_connections", "must be at least 1"));
        }
        Ok(())
    }

    fn check_database(&self) -> Result<(), ConfigError> {
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
        Ok(())
    }

    fn check_sites(&self) -> Result<(), ConfigError> {
        if self.sites.is_empty() {
            return Err(key_error("sites", "configure at least one site"));
        }
        let mut seen = BTreeMap::new();
        for (i, site) in self.sites.iter().enumerate() {
            let at = |k: &str| format!("sites[{i}].{k}");
            let key_ok = !site.key.is_empty()
                && site.key.len() <= 64
                && site
                    .key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !key_ok {
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
        Ok(())
    }

    fn check_limits(&self) -> Result<(), ConfigError> {
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
        let counts = [
            ("limits.session_msgs_per_min", l.session_msgs_per_min),
            ("limits.ip_msgs_per_min", l.ip_msgs_per_min),
            (
                "limits.ip_conversations_per_min",
                l.ip_conversations_per_min,
            ),
            ("limits.ip_connections", l.ip_connections),
            ("limits.admin_failures_per_min", l.admin_failures_per_min),
        ];
        for (key, n) in counts {
            if n == 0 {
                return Err(key_error(key, "must be at least 1"));
            }
        }
        Ok(())
    }

    fn check_sync(&self) -> Result<(), ConfigError> {
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
        Ok(())
    }

    fn check_llm(&self) -> Result<(), ConfigError> {
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
        if let Some(key) = &llm.api_key
            && !is_header_safe(key.expose_secret())
        {
            return Err(key_error(
                "engine.llm.api_key",
                "holds a line break or another character that is not printable ASCII, which an HTTP header cannot carry as it is",
            ));
        }
        check_llm_provider(llm, &url)
    }
}

/// Whether `value` can be sent as an HTTP header value as it is.
pub(crate) fn is_header_safe(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// Azure's addressing needs a deployment and an API version on a resource endpoint; any other
/// server needs neither.
fn check_llm_provider(llm: &LlmConfig, url: &reqwest::Url) -> Result<(), ConfigError> {
    let deployment = llm.azure_deployment.as_deref();
    let version = llm.api_version.as_deref();
    if llm.provider == Provider::Openai {
        let stray = [
            ("engine.llm.azure_deployment", deployment.is_some()),
            ("engine.llm.api_version", version.is_some()),
        ];
        return match stray.iter().find(|(_, set)| *set) {
            Some((key, _)) => Err(key_error(
                *key,
                "only used with provider = \"azure\"; remove it, or set provider = \"azure\"",
            )),
            None => Ok(()),
        };
    }
    let deployment = deployment.map(str::trim).unwrap_or_default();
    if deployment.is_empty() {
        return Err(key_error(
            "engine.llm.azure_deployment",
            "name the deployment (Azure portal: Deployments, the Name column)",
        ));
    }
    if deployment.len() > 64
        || !deployment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(key_error(
            "engine.llm.azure_deployment",
            format!("`{deployment}`: at most 64 letters, digits, '-', '_' or '.'"),
        ));
    }
    match version {
        None => {
            return Err(key_error(
                "engine.llm.api_version",
                "Azure needs one, such as \"2024-10-21\" (without it every call is a 404)",
            ));
        }
        Some(v) if !is_api_version(v) => {
            return Err(key_error(
                "engine.llm.api_version",
                format!("`{v}`: a date such as \"2024-10-21\" or \"2025-04-01-preview\""),
            ));
        }
        Some(_) => {}
    }
    if !url.path().trim_end_matches('/').is_empty() || url.query().is_some() {
        return Err(key_error(
            "engine.llm.base_url",
            format!(
                "{}: with provider = \"azure\" give the resource endpoint only, such as \
                 https://NAME.openai.azure.com; the deployment and api-version are added",
                llm.base_url
            ),
        ));
    }
    Ok(())
}

/// `YYYY-MM-DD`, or that with `-preview`.
fn is_api_version(v: &str) -> bool {
    let date = v.strip_suffix("-preview").unwrap_or(v);
    let parts: Vec<&str> = date.split('-').collect();
    matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())))
}

fn check_address(key: &str, address: &str) -> Result<(), ConfigError> {
    address.parse::<SocketAddr>().map(|_| ()).map_err(|e| {
        key_error(
            key,
            format!("{e} (expected host:port such as 127.0.0.1:8080)"),
        )
    })
}

fn check_slack(slack: &SlackConfig) -> Result<(), ConfigError> {
    let has_webhook = slack.webhook_url.is_some();
    let has_bot =
        slack.token.is_some() && (slack.channel.is_some() || !slack.site_channels.is_empty());
    if !has_webhook && !has_bot {
        return Err(key_error(
            "alerts.slack",
            "set webhook_url, or token and channel",
        ));
    }
    if let Some(url) = &slack.webhook_url {
        // The URL is a secret: the error names the key, never the value (nor the parser's
        // message, which may quote part of it).
        reqwest::Url::parse(url.expose_secret())
            .map_err(|_| key_error("alerts.slack.webhook_url", "not a URL"))?;
    }
    reqwest::Url::parse(&slack.api_base)
        .map_err(|e| key_error("alerts.slack.api_base", format!("{}: {e}", slack.api_base)))?;
    if !(slack.handback_idle_minutes > 0.0 && slack.handback_idle_minutes <= 24.0 * 60.0) {
        return Err(key_error(
            "alerts.slack.handback_idle_minutes",
            "more than 0 and at most 1440",
        ));
    }
    Ok(())
}
