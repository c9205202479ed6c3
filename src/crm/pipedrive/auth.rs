//! Pipedrive credentials: a static API token (`x-api-token`), or OAuth access tokens minted from
//! the app's refresh token (`POST {token_url}` with HTTP Basic client authentication). An
//! access token is refreshed shortly before it expires and once when Pipedrive refuses it; one
//! refresh at a time, so concurrent calls share the new token.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use tracing::Instrument;

use super::config::Config;
use crate::outbound::CallError;
use crate::outbound::http::{self, Throttle};

/// Refresh this long before an access token expires.
const EARLY: Duration = Duration::from_secs(60);

/// How a request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Credential {
    /// `x-api-token: …`.
    ApiToken(String),
    /// `Authorization: Bearer …`, against this API domain when the token named one.
    Bearer {
        token: String,
        api_domain: Option<String>,
    },
}

/// The OAuth state.
struct Session {
    access_token: Option<String>,
    refresh_token: String,
    expires_at: Option<Instant>,
    api_domain: Option<String>,
}

/// The OAuth app.
struct OAuth {
    client_id: String,
    client_secret: String,
    token_url: String,
    session: Mutex<Session>,
}

/// A Pipedrive account's credentials.
pub(super) struct Auth {
    api_token: Option<String>,
    oauth: Option<OAuth>,
    /// The API domain the last token named (for record links, read without waiting).
    api_domain: RwLock<Option<String>>,
    /// Token requests are free of Pipedrive's API limits.
    unlimited: Throttle,
}

impl Auth {
    pub fn new(config: &Config) -> Auth {
        let oauth = match (
            &config.client_id,
            &config.client_secret,
            &config.refresh_token,
        ) {
            (Some(id), Some(secret), Some(refresh)) if config.api_token.is_none() => Some(OAuth {
                client_id: id.clone(),
                client_secret: secret.clone(),
                token_url: config.token_url.clone(),
                session: Mutex::new(Session {
                    access_token: None,
                    refresh_token: refresh.clone(),
                    expires_at: None,
                    api_domain: None,
                }),
            }),
            _ => None,
        };
        Auth {
            api_token: config.api_token.clone(),
            oauth,
            api_domain: RwLock::new(None),
            unlimited: Throttle::new(0, Duration::from_secs(1)),
        }
    }

    /// Whether a refused credential can be refreshed.
    pub fn refreshable(&self) -> bool {
        self.oauth.is_some()
    }

    /// The API domain of the current OAuth token, if it named one.
    pub fn api_domain(&self) -> Option<String> {
        self.api_domain
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The credential for the next request, refreshing an OAuth token that is missing or about
    /// to expire.
    pub async fn current(&self, http: &reqwest::Client) -> Result<Credential, CallError> {
        let Some(oauth) = &self.oauth else {
            return Ok(Credential::ApiToken(
                self.api_token.clone().unwrap_or_default(),
            ));
        };
        let mut session = oauth.session.lock().await;
        let fresh = session
            .expires_at
            .is_none_or(|at| at > Instant::now() + EARLY);
        if let (Some(token), true) = (&session.access_token, fresh) {
            return Ok(Credential::Bearer {
                token: token.clone(),
                api_domain: session.api_domain.clone(),
            });
        }
        self.refresh(oauth, &mut session, http).await
    }

    /// Pipedrive refused `refused`: refresh it, unless another call already has.
    pub async fn renew(
        &self,
        refused: &Credential,
        http: &reqwest::Client,
    ) -> Result<Credential, CallError> {
        let Some(oauth) = &self.oauth else {
            return Ok(refused.clone());
        };
        let mut session = oauth.session.lock().await;
        if let (Some(token), Credential::Bearer { token: old, .. }) =
            (&session.access_token, refused)
            && token != old
        {
            return Ok(Credential::Bearer {
                token: token.clone(),
                api_domain: session.api_domain.clone(),
            });
        }
        self.refresh(oauth, &mut session, http).await
    }

    async fn refresh(
        &self,
        oauth: &OAuth,
        session: &mut Session,
        http: &reqwest::Client,
    ) -> Result<Credential, CallError> {
        let request = http
            .post(&oauth.token_url)
            .basic_auth(&oauth.client_id, Some(&oauth.client_secret))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", session.refresh_token.as_str()),
            ]);
        let reply = http::send(&self.unlimited, request)
            .instrument(tracing::debug_span!("pipedrive_token"))
            .await?;
        let body = reply.read_json()?;
        if !reply.status.is_success() {
            let reason = match (body["error"].as_str(), body["error_description"].as_str()) {
                (Some(e), Some(d)) => format!("{e}: {d}"),
                (Some(e), None) => e.to_owned(),
                _ => reply.excerpt(),
            };
            let message = format!(
                "Pipedrive token refresh answered {}: {reason}",
                reply.status.as_u16()
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
        session.access_token = Some(token.to_owned());
        session.expires_at = body["expires_in"]
            .as_u64()
            .map(|s| Instant::now() + Duration::from_secs(s));
        if let Some(rotated) = body["refresh_token"].as_str().filter(|t| !t.is_empty()) {
            session.refresh_token = rotated.to_owned();
        }
        session.api_domain = body["api_domain"]
            .as_str()
            .map(|d| d.trim_end_matches('/').to_owned())
            .filter(|d| !d.is_empty());
        *self.api_domain.write().unwrap_or_else(|e| e.into_inner()) = session.api_domain.clone();
        tracing::debug!(
            expires_in = body["expires_in"].as_u64(),
            "access token refreshed"
        );
        Ok(Credential::Bearer {
            token: token.to_owned(),
            api_domain: session.api_domain.clone(),
        })
    }
}
