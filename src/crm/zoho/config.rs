//! `[crm.zoho]`: the data centre, the self client's refresh token, the module leads go to,
//! duplicate checks and the deal, note and task settings. `validate` names the wrong key.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::outbound::{InvalidKey, invalid};

pub use crate::crm::model::CustomFields;

/// The module a chat lead becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Module {
    /// A record in `Leads` (company in `Company`).
    #[default]
    Leads,
    /// A record in `Contacts`, with an `Accounts` record for the company.
    Contacts,
}

impl Module {
    /// The module's API name.
    pub fn name(self) -> &'static str {
        match self {
            Module::Leads => "Leads",
            Module::Contacts => "Contacts",
        }
    }
}

/// Whether `name` can be a Zoho field API name (`Email`, `Chat_Score`): letters, digits and
/// underscores, starting with a letter.
pub fn is_api_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 100
}

/// `[crm.zoho.deal]`: the deal of a qualified lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DealConfig {
    /// `Stage` of new deals.
    pub stage: String,
    /// `Closing_Date` is this many days after creation.
    pub close_days: u32,
    /// `Pipeline` of new deals (e.g. `Standard (Standard)`); the layout's default when unset.
    pub pipeline: Option<String>,
    /// Send the lead's currency as `Currency` (only with multiple currencies enabled).
    pub multi_currency: bool,
    /// leadgate's own fields on the deal.
    pub fields: CustomFields,
}

impl Default for DealConfig {
    fn default() -> Self {
        DealConfig {
            stage: "Qualification".to_owned(),
            close_days: 30,
            pipeline: None,
            multi_currency: false,
            fields: CustomFields::default(),
        }
    }
}

/// `[crm.zoho.note]`: the conversation's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoteConfig {
    /// `Note_Title`.
    pub title: String,
}

impl Default for NoteConfig {
    fn default() -> Self {
        NoteConfig {
            title: "Chat conversation".to_owned(),
        }
    }
}

/// `[crm.zoho.task]`: the follow-up task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskConfig {
    /// `Status` of the new task.
    pub status: String,
    /// `Priority`: `Highest`, `High`, `Normal`, `Low`, `Lowest`.
    pub priority: String,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            status: "Not Started".to_owned(),
            priority: "High".to_owned(),
        }
    }
}

/// `[crm.zoho]`. The client secret and the refresh token are secrets: `Debug` prints them
/// redacted.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The data centre's accounts server (`https://accounts.zoho.com`, `.eu`, `.in`,
    /// `.com.au`, `.jp`, `.com.cn`, `https://accounts.zohocloud.ca`, `https://accounts.zoho.sa`).
    pub accounts_url: String,
    /// The data centre's API domain (`https://www.zohoapis.eu`, …); the `api_domain` of the token
    /// answer takes precedence, as Zoho asks.
    pub api_domain: String,
    /// API version in the path (`v8`).
    pub api_version: String,
    /// The OAuth client id (self client or server-based client).
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: SecretString,
    /// A refresh token granted `ZohoCRM.modules.ALL` (or the leads/contacts, accounts, deals,
    /// notes and tasks module scopes) and `ZohoSearch.securesearch.READ`, which search needs
    /// (see `scopes::REQUIRED`).
    pub refresh_token: SecretString,
    /// `Leads` or `Contacts` (with an `Accounts` record for the company).
    pub module: Module,
    /// Fields the upsert that creates people matches on, in order (Zoho's system duplicate
    /// check when empty).
    pub duplicate_check_fields: Vec<String>,
    /// Stands in for required values the lead does not have yet (`Last_Name`, a lead's
    /// `Company`); it counts as empty, so the real value replaces it later.
    pub placeholder: String,
    /// `Lead_Source` of new records (e.g. `Chat`); not sent when unset.
    pub lead_source: Option<String>,
    /// `Owner` (user id) of created records; the refresh token's user when unset.
    pub owner_id: Option<String>,
    /// The CRM web app's base for record links (`https://crm.zoho.eu/crm/org123456`); derived
    /// from `api_domain` when unset.
    pub crm_url: Option<String>,
    /// leadgate's own fields on the lead or contact.
    pub fields: CustomFields,
    /// Deal settings.
    pub deal: DealConfig,
    /// Note settings.
    pub note: NoteConfig,
    /// Follow-up task settings.
    pub task: TaskConfig,
    /// Sync a backlog through Zoho's multi-record endpoints (up to 100 records a call).
    pub batch: bool,
    /// Seconds before a request (connect, send, answer) is abandoned as retryable.
    pub timeout_secs: u64,
    /// Requests per second leadgate allows itself (0 = no limit).
    pub max_requests_per_second: u32,
    /// Calls in flight at once; Zoho allows 10–25 per org by edition, shared by every
    /// integration.
    pub max_concurrent: u32,
    /// Seconds every request waits after Zoho's 429 for exhausted API credits (a concurrency
    /// 429 waits two seconds).
    pub rate_limit_pause_secs: u64,
    /// API credits leadgate may spend per 24 hours, leaving the rest of the org's allocation to
    /// other integrations (0 = no budget of its own). Zoho sends no usage headers, so this is
    /// the only way to stay under the allocation; a call over budget is retryable.
    pub daily_credit_budget: u32,
    /// The token Zoho echoes in every notification (at most 50 characters). Set it, with
    /// `[server] public_url`, and leadgate enables a notification channel for `Deals.edit`
    /// pointing at `{public_url}/webhooks/zoho` (renewed daily; Zoho keeps one at most a week):
    /// stage, amount and owner changes then reach the lead's Slack thread. Needs the scope
    /// `ZohoCRM.notifications.ALL`. Unset: no notifications.
    pub webhook_token: Option<SecretString>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            accounts_url: "https://accounts.zoho.eu".to_owned(),
            api_domain: "https://www.zohoapis.eu".to_owned(),
            api_version: "v8".to_owned(),
            client_id: String::new(),
            client_secret: SecretString::default(),
            refresh_token: SecretString::default(),
            module: Module::Leads,
            duplicate_check_fields: vec!["Email".to_owned()],
            placeholder: "[not provided]".to_owned(),
            lead_source: None,
            owner_id: None,
            crm_url: None,
            fields: CustomFields::default(),
            deal: DealConfig::default(),
            note: NoteConfig::default(),
            task: TaskConfig::default(),
            batch: true,
            timeout_secs: 20,
            max_requests_per_second: 10,
            max_concurrent: 5,
            rate_limit_pause_secs: 60,
            daily_credit_budget: 0,
            webhook_token: None,
        }
    }
}

fn url(value: &str, key: &str) -> Result<(), InvalidKey> {
    let parsed = reqwest::Url::parse(value).map_err(|e| invalid(key, e.to_string()))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
        return Err(invalid(key, "expected https://…"));
    }
    Ok(())
}

impl Config {
    /// Checks what types cannot say; the message starts with the key (relative to
    /// `[crm.zoho]`).
    pub fn validate(&self) -> Result<(), InvalidKey> {
        url(&self.accounts_url, "accounts_url")?;
        url(&self.api_domain, "api_domain")?;
        if let Some(token) = &self.webhook_token {
            let length = token.expose_secret().chars().count();
            if length == 0 || length > 50 {
                return Err(invalid(
                    "webhook_token",
                    "1 to 50 characters (Zoho's limit)",
                ));
            }
        }
        if let Some(crm) = &self.crm_url {
            url(crm, "crm_url")?;
        }
        let version_ok = self
            .api_version
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !version_ok {
            return Err(invalid(
                "api_version",
                format!("expected v8 or similar, not `{}`", self.api_version),
            ));
        }
        for (value, key) in [
            (self.client_id.as_str(), "client_id"),
            (self.client_secret.expose_secret(), "client_secret"),
            (self.refresh_token.expose_secret(), "refresh_token"),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(key, "required"));
            }
        }
        if let Some(bad) = self.duplicate_check_fields.iter().find(|f| !is_api_name(f)) {
            return Err(invalid(
                "duplicate_check_fields",
                format!("`{bad}` is not a Zoho field API name"),
            ));
        }
        if self.placeholder.trim().is_empty() {
            return Err(invalid(
                "placeholder",
                "must not be empty (Zoho requires Last_Name)",
            ));
        }
        if let Some(owner) = &self.owner_id
            && (owner.is_empty() || !owner.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid(
                "owner_id",
                format!("`{owner}` is not a Zoho user id"),
            ));
        }
        self.fields.check("fields", "Zoho", is_api_name)?;
        self.deal.fields.check("deal.fields", "Zoho", is_api_name)?;
        if self.deal.stage.trim().is_empty() {
            return Err(invalid("deal.stage", "must not be empty"));
        }
        if self.deal.close_days > 3650 {
            return Err(invalid("deal.close_days", "at most 3650"));
        }
        if self.note.title.trim().is_empty() {
            return Err(invalid("note.title", "must not be empty"));
        }
        if self.timeout_secs == 0 {
            return Err(invalid("timeout_secs", "must be at least 1"));
        }
        if self.max_concurrent == 0 {
            return Err(invalid("max_concurrent", "must be at least 1"));
        }
        Ok(())
    }

    /// The web app's base for record links: `crm_url`, or the CRM host of the data centre
    /// whose API domain is `api_domain`.
    pub fn web_base(&self, api_domain: &str) -> Option<String> {
        if let Some(url) = &self.crm_url {
            return Some(url.trim_end_matches('/').to_owned());
        }
        let host = reqwest::Url::parse(api_domain).ok()?.host_str()?.to_owned();
        let tld = host.strip_prefix("www.zohoapis.")?;
        let crm = if tld == "ca" {
            "crm.zohocloud.ca".to_owned()
        } else {
            format!("crm.zoho.{tld}")
        };
        Some(format!("https://{crm}/crm"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_config() -> Config {
        Config {
            client_id: "1000.X".into(),
            client_secret: "s".into(),
            refresh_token: "1000.r".into(),
            ..Config::default()
        }
    }

    #[test]
    fn defaults_need_only_credentials() {
        assert!(ok_config().validate().is_ok());
        assert!(Config::default().validate().unwrap_err().key == "client_id");
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (
                Config {
                    accounts_url: "accounts.zoho.eu".into(),
                    ..ok_config()
                },
                "accounts_url",
            ),
            (
                Config {
                    api_version: "8".into(),
                    ..ok_config()
                },
                "api_version",
            ),
            (
                Config {
                    duplicate_check_fields: vec!["E-mail".into()],
                    ..ok_config()
                },
                "duplicate_check_fields",
            ),
            (
                Config {
                    deal: DealConfig {
                        fields: CustomFields {
                            score: Some("Chat Score".into()),
                            ..CustomFields::default()
                        },
                        ..DealConfig::default()
                    },
                    ..ok_config()
                },
                "deal.fields",
            ),
            (
                Config {
                    owner_id: Some("me".into()),
                    ..ok_config()
                },
                "owner_id",
            ),
            (
                Config {
                    max_concurrent: 0,
                    ..ok_config()
                },
                "max_concurrent",
            ),
        ];
        for (config, key) in cases {
            let err = config.validate().unwrap_err();
            assert_eq!(err.key, key, "{err}");
        }
    }

    #[test]
    fn secrets_are_not_printed() {
        let config: Config = toml::from_str(
            "client_id = \"1000.X\"\nclient_secret = \"zoho-secret-1\"\nrefresh_token = \"1000.refresh-2\"",
        )
        .unwrap();
        assert!(config.validate().is_ok());
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("zoho-secret-1") && !printed.contains("1000.refresh-2"),
            "{printed}"
        );
        assert!(printed.contains("1000.X"), "{printed}");
    }

    #[test]
    fn parses_from_toml_and_links_to_the_data_centre() {
        let config: Config = toml::from_str("client_id = \"a\"\nclient_secret = \"b\"\nrefresh_token = \"c\"\nmodule = \"Contacts\"\napi_domain = \"https://www.zohoapis.com\"\n[deal]\npipeline = \"Standard (Standard)\"").unwrap();
        assert_eq!(config.module, Module::Contacts);
        assert!(config.validate().is_ok());
        assert_eq!(
            config.web_base(&config.api_domain).as_deref(),
            Some("https://crm.zoho.com/crm")
        );
        assert_eq!(
            config.web_base("https://www.zohoapis.ca").as_deref(),
            Some("https://crm.zohocloud.ca/crm")
        );
        assert_eq!(config.web_base("http://127.0.0.1:9"), None);
        let own = Config {
            crm_url: Some("https://crm.zoho.eu/crm/org123/".into()),
            ..Config::default()
        };
        assert_eq!(
            own.web_base("http://127.0.0.1:9").as_deref(),
            Some("https://crm.zoho.eu/crm/org123")
        );
        assert!(toml::from_str::<Config>("colour = \"red\"").is_err());
    }
}
