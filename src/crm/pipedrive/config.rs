//! `[crm.pipedrive]`: where Pipedrive is, the credentials (an API token, or an OAuth app's
//! refresh token), the plan's limits and how leads land (pipeline, stage, activity settings,
//! the custom fields leadgate's own values go to).

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::outbound::{InvalidKey, invalid};

use crate::crm::CustomFields;

/// Pipedrive connector settings. Set `api_token`, or `client_id`, `client_secret` and
/// `refresh_token`; everything else has a default that runs. The token, the client secret
/// and the refresh token are secrets: `Debug` prints them redacted.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// API base URL (`https://api.pipedrive.com`): v2 under `/api/v2`, v1 under `/v1`. With
    /// OAuth, the token's `api_domain` is used instead.
    pub base_url: String,
    /// Personal API token, sent as `x-api-token`. Unset when OAuth is used.
    pub api_token: Option<SecretString>,
    /// OAuth app client id (with `client_secret` and `refresh_token`, instead of `api_token`).
    pub client_id: Option<String>,
    /// OAuth app client secret.
    pub client_secret: Option<SecretString>,
    /// OAuth refresh token from the app's installation; access tokens are minted from it and
    /// refreshed when they expire or are refused.
    pub refresh_token: Option<SecretString>,
    /// OAuth token endpoint (`https://oauth.pipedrive.com/oauth/token`).
    pub token_url: String,
    /// Timeout of one request, in seconds (default 20).
    pub timeout_secs: u64,
    /// Requests the plan allows per token in `rate_limit_window_secs` (default 20: Essential
    /// with an API token; OAuth tokens get 4× the API-token figure). leadgate uses 95 % of it
    /// in any rolling window.
    pub rate_limit: u32,
    /// The rolling window of the limits, in seconds (Pipedrive: 2).
    pub rate_limit_window_secs: u64,
    /// Search requests allowed per window (Pipedrive: 10 per 2 s on every plan).
    pub search_rate_limit: u32,
    /// Pipeline id for new deals; unset: the default pipeline.
    pub pipeline_id: Option<u64>,
    /// Stage id for new deals; unset: the pipeline's first stage.
    pub stage_id: Option<u64>,
    /// Follow-up activity type key (default `call`; `task`, `email`, `meeting`, … or your own).
    pub activity_type: String,
    /// Follow-up activity priority id (see `activityFields`); unset: none.
    pub activity_priority: Option<u64>,
    /// User id given to new persons, organizations, deals and activities; unset: the token's
    /// user.
    pub owner_id: Option<u64>,
    /// Person custom field key (40 hex characters) for the job title; unset: not sent.
    pub job_title_field: Option<String>,
    /// Person custom fields for leadgate's own values (`[crm.pipedrive.fields]`: `score`,
    /// `source`, `channel`, `conversation_url`, each the field's key); a value is only sent when
    /// its field is named.
    pub fields: CustomFields,
    /// Deal custom fields for the same values (`[crm.pipedrive.deal_fields]`).
    pub deal_fields: CustomFields,
    /// The company's Pipedrive web address (`https://acme.pipedrive.com`), for links to person
    /// records in the alert; unset: taken from OAuth's `api_domain`, else no links.
    pub app_url: Option<String>,
    /// The basic-auth credentials set on Pipedrive's webhook (`http_auth_user`,
    /// `http_auth_password`): deal changes then reach the lead's Slack thread. Unset: none.
    pub webhook_user: Option<String>,
    pub webhook_password: Option<SecretString>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_url: "https://api.pipedrive.com".into(),
            webhook_user: None,
            webhook_password: None,
            api_token: None,
            client_id: None,
            client_secret: None,
            refresh_token: None,
            token_url: "https://oauth.pipedrive.com/oauth/token".into(),
            timeout_secs: 20,
            rate_limit: 20,
            rate_limit_window_secs: 2,
            search_rate_limit: 10,
            pipeline_id: None,
            stage_id: None,
            activity_type: "call".into(),
            activity_priority: None,
            owner_id: None,
            job_title_field: None,
            fields: CustomFields::default(),
            deal_fields: CustomFields::default(),
            app_url: None,
        }
    }
}

impl Config {
    /// Checks the settings; the error names the key (relative to `[crm.pipedrive]`).
    pub fn validate(&self) -> Result<(), InvalidKey> {
        check_url("base_url", &self.base_url)?;
        check_url("token_url", &self.token_url)?;
        if let Some(url) = &self.app_url {
            check_url("app_url", url)?;
        }
        self.check_credentials()?;
        if self.timeout_secs == 0 || self.timeout_secs > 300 {
            return Err(invalid("timeout_secs", "use 1 to 300 seconds"));
        }
        if self.rate_limit < 2 {
            return Err(invalid(
                "rate_limit",
                "use the plan's limit, at least 2 requests",
            ));
        }
        if self.search_rate_limit < 2 {
            return Err(invalid(
                "search_rate_limit",
                "use the plan's limit, at least 2 requests",
            ));
        }
        if self.rate_limit_window_secs == 0 {
            return Err(invalid("rate_limit_window_secs", "use at least 1 second"));
        }
        if self.activity_type.trim().is_empty() {
            return Err(invalid(
                "activity_type",
                "set an activity type key such as `call`",
            ));
        }
        if self
            .job_title_field
            .as_deref()
            .is_some_and(|k| !is_field_key(k))
        {
            return Err(invalid(
                "job_title_field",
                "use the field's key (the hash from personFields)",
            ));
        }
        self.fields.check("fields", "Pipedrive", is_field_key)?;
        self.deal_fields
            .check("deal_fields", "Pipedrive", is_field_key)?;
        Ok(())
    }

    /// One kind of credentials, whole: the API token, or the OAuth client's three values.
    fn check_credentials(&self) -> Result<(), InvalidKey> {
        let set = |v: Option<&str>| v.is_some_and(|s| !s.trim().is_empty());
        let oauth = [
            set(self.client_id.as_deref()),
            set(secret(&self.client_secret)),
            set(secret(&self.refresh_token)),
        ];
        match (
            set(secret(&self.api_token)),
            oauth.iter().filter(|v| **v).count(),
        ) {
            (true, 0) | (false, 3) => {}
            (true, _) => {
                return Err(invalid(
                    "api_token",
                    "set the API token or the OAuth client (client_id, client_secret, refresh_token), not both",
                ));
            }
            (false, 0) => {
                return Err(invalid(
                    "api_token",
                    "set the API token, or client_id, client_secret and refresh_token",
                ));
            }
            (false, _) => {
                let missing = ["client_id", "client_secret", "refresh_token"]
                    .iter()
                    .zip(oauth)
                    .find(|(_, v)| !v)
                    .map(|(k, _)| *k)
                    .unwrap_or("client_id");
                return Err(invalid(
                    missing,
                    "OAuth needs client_id, client_secret and refresh_token",
                ));
            }
        }
        Ok(())
    }

    /// The person custom fields holding leadgate's own values.
    pub(super) fn own_person_fields(&self) -> impl Iterator<Item = &str> {
        self.fields.names().into_iter()
    }
}

/// A secret's text, to check it is set.
fn secret(value: &Option<SecretString>) -> Option<&str> {
    value.as_ref().map(|s| s.expose_secret())
}

/// A custom field key as Pipedrive names them (a 40-character hash; anything without spaces is
/// let through).
fn is_field_key(key: &str) -> bool {
    !key.is_empty() && !key.contains(char::is_whitespace)
}

fn check_url(key: &str, url: &str) -> Result<(), InvalidKey> {
    crate::outbound::settings::check_http_url(key, url).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_kind_of_credentials() {
        let token = Config {
            api_token: Some("abc".into()),
            ..Config::default()
        };
        assert!(token.validate().is_ok());
        let oauth = Config {
            client_id: Some("id".into()),
            client_secret: Some("s".into()),
            refresh_token: Some("r".into()),
            ..Config::default()
        };
        assert!(oauth.validate().is_ok());
        assert!(Config::default().validate().unwrap_err().key == "api_token");
        let both = Config {
            api_token: Some("abc".into()),
            ..oauth.clone()
        };
        assert!(both.validate().unwrap_err().key == "api_token");
        let half = Config {
            client_secret: None,
            ..oauth
        };
        assert!(half.validate().unwrap_err().key == "client_secret");
    }

    #[test]
    fn errors_name_the_key_and_secrets_are_not_printed() {
        let token = Config {
            api_token: Some("secret-token".into()),
            ..Config::default()
        };
        let fields = CustomFields {
            score: Some("lead score".into()),
            ..CustomFields::default()
        };
        assert!(
            Config {
                fields,
                ..token.clone()
            }
            .validate()
            .unwrap_err()
            .key == "fields"
        );
        assert!(
            Config {
                token_url: "nope".into(),
                ..token.clone()
            }
            .validate()
            .unwrap_err()
            .key == "token_url"
        );
        assert!(!format!("{token:?}").contains("secret-token"));
        assert!(toml::from_str::<Config>("apitoken = \"x\"").is_err());
    }
}
