//! `[crm.salesforce]`: the connected app and its OAuth flow, the object leads become, limits,
//! and (in `settings`) what gets written. Defaults suit a new org with a refresh-token
//! connected app; `validate` names the key that is wrong.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::outbound::{InvalidKey, invalid};

use super::jwt::JwtSigner;
mod writes;

use super::soql::is_api_name;
pub use writes::{CustomFields, NoteConfig, NoteObject, OpportunityConfig, TaskConfig};

/// Which OAuth 2.0 flow obtains access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AuthFlow {
    /// `grant_type=refresh_token` with the connected app's refresh token.
    #[default]
    RefreshToken,
    /// JWT bearer: an RS256 assertion signed with the key of the certificate uploaded to a
    /// pre-authorised connected app, for `username`.
    Jwt,
    /// Client credentials with the run-as user set on the connected app; Salesforce only
    /// accepts it at the org's My Domain URL.
    ClientCredentials,
}

/// The sObject a chat lead becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum PersonObject {
    /// A `Lead` (company in `Company`).
    #[default]
    Lead,
    /// A `Contact` with an `Account` for the company.
    Contact,
}

/// `[crm.salesforce]`. The client secret, refresh token and private key are secrets: `Debug`
/// prints them redacted.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Token host: `https://login.salesforce.com`, `https://test.salesforce.com` (sandboxes) or
    /// the org's My Domain URL. API calls go to the `instance_url` the token answer names.
    pub login_url: String,
    /// REST API version (`62.0`).
    pub api_version: String,
    /// OAuth flow: `refresh_token`, `jwt` or `client_credentials`.
    pub auth: AuthFlow,
    /// The connected app's consumer key (also the JWT issuer).
    pub client_id: String,
    /// The consumer secret: required for `client_credentials`, sent with `refresh_token` when set.
    pub client_secret: Option<SecretString>,
    /// Refresh token for `auth = "refresh_token"`.
    pub refresh_token: Option<SecretString>,
    /// Integration user's username, the JWT subject (`auth = "jwt"`).
    pub username: Option<String>,
    /// RSA private key (PEM, PKCS#8 or PKCS#1) for `auth = "jwt"`.
    pub private_key_pem: Option<SecretString>,
    /// File holding that key, instead of `private_key_pem`.
    pub private_key_path: Option<String>,
    /// JWT audience; derived from `login_url` when unset (`https://test.salesforce.com` for
    /// sandboxes, else `https://login.salesforce.com`, or the URL itself for a community).
    pub jwt_audience: Option<String>,
    /// Salesforce does not say when a session ends: a new token is fetched after this many
    /// seconds (the org's session timeout; default 2 hours), and at once on `INVALID_SESSION_ID`.
    pub session_ttl_secs: u64,
    /// `Lead` or `Contact` (with an `Account` for the company).
    pub object: PersonObject,
    /// With `object = "Lead"`, an existing (converted) Contact with the same email, phone or
    /// name is updated instead of creating a Lead.
    pub match_contacts: bool,
    /// External-ID field on the object holding the lowercased email (e.g. `Chat_Lead_Key__c`,
    /// External ID + Unique): new people are created by upsert on it, so a retried create
    /// never duplicates.
    pub external_id_field: Option<String>,
    /// Stands in for required values the lead does not have yet (`LastName`, a Lead's
    /// `Company`); it counts as empty, so the real value replaces it later.
    pub placeholder: String,
    /// `LeadSource` of new leads, contacts and opportunities (e.g. `Chat`); not sent when unset.
    pub lead_source: Option<String>,
    /// `OwnerId` (user or queue) of created records; the integration user when unset.
    pub owner_id: Option<String>,
    /// leadgate's own fields on the Lead or Contact.
    pub fields: CustomFields,
    /// Opportunity settings.
    pub opportunity: OpportunityConfig,
    /// Note settings.
    pub note: NoteConfig,
    /// Follow-up task settings.
    pub task: TaskConfig,
    /// Seconds before a request (connect, send, answer) is abandoned as retryable.
    pub timeout_secs: u64,
    /// Requests per second leadgate allows itself (0 = no limit; Salesforce has no per-second
    /// limit, only the org's daily allocation).
    pub max_requests_per_second: u32,
    /// When `Sforce-Limit-Info` shows this percentage of the daily allocation used, requests
    /// are spaced out (up to a minute apart at 100 %) to leave room for other integrations;
    /// 0 switches this off.
    pub slow_down_at_percent: u8,
    /// Seconds every request waits after `REQUEST_LIMIT_EXCEEDED`.
    pub limit_pause_secs: u64,
    /// Every this many seconds the Opportunities changed since the last look are read (their
    /// `SystemModstamp`), so that stage, amount and owner changes reach the lead's Slack
    /// thread; Salesforce pushes nothing. 0 switches it off. Each poll is one API call
    /// (86,400 a day at 1 s; 1,440 at the default).
    pub poll_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            login_url: "https://login.salesforce.com".to_owned(),
            api_version: "62.0".to_owned(),
            auth: AuthFlow::RefreshToken,
            client_id: String::new(),
            client_secret: None,
            refresh_token: None,
            username: None,
            private_key_pem: None,
            private_key_path: None,
            jwt_audience: None,
            session_ttl_secs: 2 * 60 * 60,
            object: PersonObject::Lead,
            match_contacts: true,
            external_id_field: None,
            placeholder: "[not provided]".to_owned(),
            lead_source: None,
            owner_id: None,
            fields: CustomFields::default(),
            opportunity: OpportunityConfig::default(),
            note: NoteConfig::default(),
            task: TaskConfig::default(),
            timeout_secs: 20,
            max_requests_per_second: 10,
            slow_down_at_percent: 90,
            limit_pause_secs: 300,
            poll_secs: 60,
        }
    }
}

fn filled(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.trim().is_empty())
}

/// A secret's text, to check it is set.
fn secret(value: &Option<SecretString>) -> Option<&str> {
    value.as_ref().map(|s| s.expose_secret())
}

fn require(value: Option<&str>, key: &str, flow: &str) -> Result<(), InvalidKey> {
    if filled(value) {
        Ok(())
    } else {
        Err(invalid(key, format!("required with auth = \"{flow}\"")))
    }
}

impl Config {
    /// Checks what types cannot say; the message starts with the key (relative to
    /// `[crm.salesforce]`).
    pub fn validate(&self) -> Result<(), InvalidKey> {
        self.check_login()?;
        self.check_writes()?;
        if self.timeout_secs == 0 {
            return Err(invalid("timeout_secs", "must be at least 1"));
        }
        if self.session_ttl_secs < 60 {
            return Err(invalid("session_ttl_secs", "must be at least 60"));
        }
        if self.slow_down_at_percent > 100 {
            return Err(invalid("slow_down_at_percent", "must be 0 (off) to 100"));
        }
        Ok(())
    }

    /// Where to log in, the API version, and the credentials the configured flow needs.
    fn check_login(&self) -> Result<(), InvalidKey> {
        let login = reqwest::Url::parse(&self.login_url)
            .map_err(|e| invalid("login_url", e.to_string()))?;
        if !matches!(login.scheme(), "https" | "http") || login.host_str().is_none() {
            return Err(invalid("login_url", "expected https://…"));
        }
        let version_ok = self
            .api_version
            .split_once('.')
            .is_some_and(|(major, minor)| {
                !major.is_empty()
                    && !minor.is_empty()
                    && major
                        .bytes()
                        .chain(minor.bytes())
                        .all(|b| b.is_ascii_digit())
            });
        if !version_ok {
            return Err(invalid(
                "api_version",
                format!(
                    "expected a version such as 62.0, not `{}`",
                    self.api_version
                ),
            ));
        }
        if self.client_id.trim().is_empty() {
            return Err(invalid(
                "client_id",
                "required (the connected app's consumer key)",
            ));
        }
        match self.auth {
            AuthFlow::RefreshToken => require(
                secret(&self.refresh_token),
                "refresh_token",
                "refresh_token",
            )?,
            AuthFlow::ClientCredentials => {
                require(
                    secret(&self.client_secret),
                    "client_secret",
                    "client_credentials",
                )?;
                let host = login.host_str().unwrap_or_default();
                if host == "login.salesforce.com" || host == "test.salesforce.com" {
                    return Err(invalid(
                        "login_url",
                        "client_credentials needs the org's My Domain URL (https://…my.salesforce.com)",
                    ));
                }
            }
            AuthFlow::Jwt => {
                require(self.username.as_deref(), "username", "jwt")?;
                self.jwt_signer()?;
                if let Some(aud) = &self.jwt_audience {
                    reqwest::Url::parse(aud).map_err(|e| invalid("jwt_audience", e.to_string()))?;
                }
            }
        }
        Ok(())
    }

    /// What gets written: field names, the placeholder, the owner, the opportunity and note.
    fn check_writes(&self) -> Result<(), InvalidKey> {
        if let Some(field) = &self.external_id_field
            && !is_api_name(field)
        {
            return Err(invalid(
                "external_id_field",
                format!("`{field}` is not a Salesforce field API name"),
            ));
        }
        if self.placeholder.trim().is_empty() {
            return Err(invalid(
                "placeholder",
                "must not be empty (Salesforce requires LastName)",
            ));
        }
        if let Some(owner) = &self.owner_id
            && !(matches!(owner.len(), 15 | 18) && owner.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(invalid(
                "owner_id",
                format!("`{owner}` is not a Salesforce id"),
            ));
        }
        self.fields.check("fields", "Salesforce", is_api_name)?;
        self.opportunity
            .fields
            .check("opportunity.fields", "Salesforce", is_api_name)?;
        if self.opportunity.stage_name.trim().is_empty() {
            return Err(invalid("opportunity.stage_name", "must not be empty"));
        }
        if self.opportunity.close_days > 3650 {
            return Err(invalid("opportunity.close_days", "at most 3650"));
        }
        if self.note.title.trim().is_empty() {
            return Err(invalid("note.title", "must not be empty"));
        }
        Ok(())
    }

    /// The JWT signer for `auth = "jwt"`, from `private_key_pem` or `private_key_path`.
    pub(super) fn jwt_signer(&self) -> Result<JwtSigner, InvalidKey> {
        let pem = match (&self.private_key_pem, &self.private_key_path) {
            (Some(pem), None) => pem.expose_secret().to_owned(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| invalid("private_key_path", format!("cannot read {path}: {e}")))?,
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "private_key_pem",
                    "set either private_key_pem or private_key_path, not both",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "private_key_pem",
                    "required with auth = \"jwt\" (or private_key_path)",
                ));
            }
        };
        let key = if self.private_key_pem.is_some() {
            "private_key_pem"
        } else {
            "private_key_path"
        };
        JwtSigner::from_pem(&pem).map_err(|e| invalid(key, e.to_string()))
    }

    /// The JWT `aud` claim.
    pub(super) fn audience(&self) -> String {
        if let Some(aud) = &self.jwt_audience {
            return aud.trim_end_matches('/').to_owned();
        }
        let host = reqwest::Url::parse(&self.login_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        if host == "test.salesforce.com" || host.ends_with(".sandbox.my.salesforce.com") {
            "https://test.salesforce.com".to_owned()
        } else if host == "login.salesforce.com" || host.ends_with(".my.salesforce.com") {
            "https://login.salesforce.com".to_owned()
        } else {
            self.login_url.trim_end_matches('/').to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_config() -> Config {
        Config {
            client_id: "key".into(),
            refresh_token: Some("rt".into()),
            ..Config::default()
        }
    }

    #[test]
    fn defaults_need_only_credentials() {
        assert!(ok_config().validate().is_ok());
        let err = Config::default().validate().unwrap_err();
        assert!(err.key == "client_id", "{err}");
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (
                Config {
                    refresh_token: None,
                    ..ok_config()
                },
                "refresh_token",
            ),
            (
                Config {
                    auth: AuthFlow::Jwt,
                    ..ok_config()
                },
                "username",
            ),
            (
                Config {
                    auth: AuthFlow::Jwt,
                    username: Some("u".into()),
                    private_key_pem: Some("nope".into()),
                    ..ok_config()
                },
                "private_key_pem",
            ),
            (
                Config {
                    auth: AuthFlow::ClientCredentials,
                    client_secret: Some("s".into()),
                    ..ok_config()
                },
                "login_url",
            ),
            (
                Config {
                    external_id_field: Some("Key__c' OR Id != '".into()),
                    ..ok_config()
                },
                "external_id_field",
            ),
            (
                Config {
                    api_version: "v62".into(),
                    ..ok_config()
                },
                "api_version",
            ),
            (
                Config {
                    fields: CustomFields {
                        score: Some("Score c".into()),
                        ..CustomFields::default()
                    },
                    ..ok_config()
                },
                "fields",
            ),
        ];
        for (config, key) in cases {
            let err = config.validate().unwrap_err();
            assert_eq!(err.key, key, "{err}");
        }
    }

    #[test]
    fn parses_from_toml() {
        let config: Config = toml::from_str(
            "auth = \"client_credentials\"\nlogin_url = \"https://acme.my.salesforce.com\"\nclient_id = \"k\"\nclient_secret = \"s\"\nobject = \"Contact\"\n[opportunity]\nstage_name = \"Qualification\"\n[fields]\nscore = \"Chat_Score__c\"",
        )
        .unwrap();
        assert_eq!(config.object, PersonObject::Contact);
        assert_eq!(config.opportunity.close_days, 30);
        assert!(config.validate().is_ok());
        assert!(
            toml::from_str::<Config>("colour = \"red\"").is_err(),
            "unknown keys are refused"
        );
    }

    #[test]
    fn secrets_are_not_printed() {
        let pem = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleQ==\n-----END PRIVATE KEY-----";
        let config = Config {
            client_secret: Some("consumer-secret-1".into()),
            refresh_token: Some("5Aep861refresh".into()),
            private_key_pem: Some(pem.into()),
            ..ok_config()
        };
        let printed = format!("{config:?}");
        for secret in ["consumer-secret-1", "5Aep861refresh", "c2VjcmV0LWtleQ"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("client_id: \"key\""), "{printed}");
    }

    #[test]
    fn audience_follows_the_login_host() {
        let with = |url: &str| {
            Config {
                login_url: url.into(),
                ..Config::default()
            }
            .audience()
        };
        assert_eq!(
            with("https://test.salesforce.com"),
            "https://test.salesforce.com"
        );
        assert_eq!(
            with("https://acme--dev.sandbox.my.salesforce.com"),
            "https://test.salesforce.com"
        );
        assert_eq!(
            with("https://acme.my.salesforce.com"),
            "https://login.salesforce.com"
        );
        assert_eq!(with("https://help.acme.com/"), "https://help.acme.com");
    }
}
