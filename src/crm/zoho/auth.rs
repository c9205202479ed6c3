//! Access tokens minted from the refresh token at the data centre's accounts server
//! (`POST {accounts_url}/oauth/v2/token`), kept by the kit's
//! [`Sessions`](crate::crm::kit::session::Sessions) until a minute before `expires_in` and
//! renewed once when Zoho answers `INVALID_TOKEN` or `AUTHENTICATION_FAILURE`. Zoho lets one
//! refresh token mint only ten tokens per ten minutes, so every call shares one.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::time::Instant;

use super::config::Config;
use super::scopes;
use crate::crm::kit::session::{Fresh, Grant, refusal, token_request};
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

/// Renew this long before Zoho says the token expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);
/// How long a refused token refresh ("too many requests") waits.
const REFRESH_PAUSE: Duration = Duration::from_secs(60);

/// An access token and the API domain it is for.
pub struct Session {
    pub token: SecretString,
    pub api_domain: String,
    /// The scopes the token answer says were granted, when it says.
    pub scopes: Option<Vec<String>>,
}

/// The OAuth client and its refresh token.
pub struct Refresh {
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    refresh_token: SecretString,
    /// Where calls go when the token answer names no API domain.
    api_domain: String,
    http: reqwest::Client,
    /// The accounts server is not the CRM API: its throttle is never paused by a 429.
    throttle: Throttle,
}

impl Refresh {
    pub fn new(config: &Config, http: &reqwest::Client) -> Refresh {
        Refresh {
            token_url: format!(
                "{}/oauth/v2/token",
                config.accounts_url.trim_end_matches('/')
            ),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            refresh_token: config.refresh_token.clone(),
            api_domain: config.api_domain.clone(),
            http: http.clone(),
            throttle: Throttle::new(0, Duration::from_secs(1)),
        }
    }
}

impl Grant for Refresh {
    type Session = Session;

    /// `grant_type=refresh_token`.
    async fn obtain(&self, _previous: Option<&Session>) -> Result<Fresh<Session>, CallError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("refresh_token", self.refresh_token.expose_secret()),
        ];
        let request = self.http.post(&self.token_url).form(&form);
        let (reply, body) = token_request(&self.throttle, request).await?;
        match (
            reply.status.is_success(),
            body["access_token"].as_str().filter(|t| !t.is_empty()),
        ) {
            (true, Some(token)) => {
                let lifetime = Duration::from_secs(body["expires_in"].as_u64().unwrap_or(3600));
                let api_domain = body["api_domain"]
                    .as_str()
                    .filter(|d| !d.is_empty())
                    .unwrap_or(&self.api_domain)
                    .trim_end_matches('/')
                    .to_owned();
                tracing::debug!(%api_domain, "zoho access token minted");
                let scopes = body["scope"].as_str().map(scopes::parse);
                warn_lacking(scopes.as_deref());
                Ok(Fresh {
                    session: Session {
                        token: SecretString::from(token),
                        api_domain,
                        scopes,
                    },
                    until: Some(
                        Instant::now()
                            + lifetime
                                .saturating_sub(EXPIRY_MARGIN)
                                .max(Duration::from_secs(30)),
                    ),
                })
            }
            _ => Err(token_error(&reply, &body)),
        }
    }
}

/// Says at the first token (start-up, in effect) which scope the refresh token lacks, before
/// any call is refused for it.
fn warn_lacking(granted: Option<&[String]>) {
    let Some(granted) = granted else {
        return;
    };
    let required: Vec<String> = scopes::REQUIRED.iter().map(|s| (*s).to_owned()).collect();
    let lacking = scopes::missing(granted, &required);
    if !lacking.is_empty() {
        tracing::warn!(
            lacking = %lacking.join(","),
            granted = %granted.join(","),
            "the Zoho refresh token lacks OAuth scopes leadgate needs: calls needing them will be refused"
        );
    }
}

/// The accounts server's refusal: Zoho answers most of them with HTTP 200 and `{"error"}`.
fn token_error(reply: &Reply, body: &Value) -> CallError {
    let status = reply.status.as_u16();
    let what = refusal(reply, body);
    let message = format!("Zoho accounts server HTTP {status}: {what}");
    let too_many =
        body["error"] == "Access Denied" || what.to_ascii_lowercase().contains("too many requests");
    match status {
        _ if too_many => CallError::retryable(message, Some(REFRESH_PAUSE)),
        429 | 408 | 500..=599 => CallError::retryable(message, http::retry_after(&reply.headers)),
        _ => CallError::auth(message),
    }
}
