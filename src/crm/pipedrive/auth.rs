//! Pipedrive credentials: a static API token (`x-api-token`), or OAuth access tokens minted from
//! the app's refresh token (`POST {token_url}` with HTTP Basic client authentication), kept and
//! renewed by the kit's [`Sessions`]: shortly before a token expires and once when Pipedrive
//! refuses it. Pipedrive may rotate the refresh token with each answer.

use std::time::Duration;

use reqwest::RequestBuilder;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tracing::Instrument;

use super::config::Config;
use crate::crm::kit::session::{Fresh, Grant, Sessions, refusal, token_request};
use crate::outbound::CallError;
use crate::outbound::http::{self, Throttle};

/// Refresh this long before an access token expires.
const EARLY: Duration = Duration::from_secs(60);

/// A Pipedrive account's credentials.
pub(super) enum Auth {
    /// A personal API token.
    ApiToken(SecretString),
    /// An OAuth app's tokens.
    OAuth(Box<Sessions<OAuth>>),
}

/// How one request authenticates.
#[derive(Clone, Copy)]
pub(super) enum Credential<'a> {
    /// `x-api-token: …`.
    ApiToken(&'a SecretString),
    /// `Authorization: Bearer …`, against the API domain the token named.
    Bearer(&'a Token),
}

impl<'a> Credential<'a> {
    /// The request with this credential on it.
    pub fn apply(self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Credential::ApiToken(token) => request.header("x-api-token", token.expose_secret()),
            Credential::Bearer(token) => request.bearer_auth(token.access_token.expose_secret()),
        }
    }

    /// The API domain requests go to instead of the configured base, if the token named one.
    pub fn api_domain(self) -> Option<&'a str> {
        match self {
            Credential::ApiToken(_) => None,
            Credential::Bearer(token) => token.api_domain.as_deref(),
        }
    }
}

/// An OAuth access token and what came with it.
pub(super) struct Token {
    access_token: SecretString,
    /// The refresh token to mint the next one with (Pipedrive may rotate it).
    refresh_token: SecretString,
    pub api_domain: Option<String>,
}

/// The OAuth app.
pub(super) struct OAuth {
    client_id: String,
    client_secret: SecretString,
    /// The refresh token from the app's installation, until Pipedrive rotates it.
    refresh_token: SecretString,
    token_url: String,
    http: reqwest::Client,
    /// Token requests are free of Pipedrive's API limits.
    unlimited: Throttle,
}

impl Auth {
    pub fn new(config: &Config, http: &reqwest::Client) -> Auth {
        match (
            &config.client_id,
            &config.client_secret,
            &config.refresh_token,
        ) {
            (Some(id), Some(secret), Some(refresh)) if config.api_token.is_none() => {
                Auth::OAuth(Box::new(Sessions::new(OAuth {
                    client_id: id.clone(),
                    client_secret: secret.clone(),
                    refresh_token: refresh.clone(),
                    token_url: config.token_url.clone(),
                    http: http.clone(),
                    unlimited: Throttle::new(0, Duration::from_secs(1)),
                })))
            }
            _ => Auth::ApiToken(config.api_token.clone().unwrap_or_default()),
        }
    }

    /// The API domain of the current OAuth token, if it named one.
    pub fn api_domain(&self) -> Option<String> {
        match self {
            Auth::ApiToken(_) => None,
            Auth::OAuth(sessions) => sessions.latest()?.api_domain.clone(),
        }
    }
}

impl Grant for OAuth {
    type Session = Token;

    /// `grant_type=refresh_token` with the latest refresh token.
    async fn obtain(&self, previous: Option<&Token>) -> Result<Fresh<Token>, CallError> {
        let refresh_token = previous.map_or(&self.refresh_token, |t| &t.refresh_token);
        let request = self
            .http
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
            ]);
        let (reply, body) = token_request(&self.unlimited, request)
            .instrument(tracing::debug_span!("pipedrive_token"))
            .await?;
        if !reply.status.is_success() {
            let message = format!(
                "Pipedrive token refresh answered {}: {}",
                reply.status.as_u16(),
                refusal(&reply, &body)
            );
            return Err(match reply.status.as_u16() {
                400 | 401 | 403 => CallError::auth(message),
                _ => http::classify(&reply, &self.unlimited).reworded(message),
            });
        }
        let Some(token) = body["access_token"].as_str().filter(|t| !t.is_empty()) else {
            return Err(CallError::retryable(
                "Pipedrive's token answer carried no access_token",
                None,
            ));
        };
        let rotated = body["refresh_token"].as_str().filter(|t| !t.is_empty());
        let api_domain = body["api_domain"]
            .as_str()
            .map(|d| d.trim_end_matches('/').to_owned())
            .filter(|d| !d.is_empty());
        let expires_in = body["expires_in"].as_u64();
        tracing::debug!(expires_in, "access token refreshed");
        Ok(Fresh {
            session: Token {
                access_token: SecretString::from(token),
                refresh_token: rotated.map_or_else(|| refresh_token.clone(), SecretString::from),
                api_domain,
            },
            until: expires_in
                .map(|s| Instant::now() + Duration::from_secs(s).saturating_sub(EARLY)),
        })
    }
}
