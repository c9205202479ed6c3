//! Obtaining a session with the connected app's OAuth flow (refresh token, JWT bearer or
//! client credentials) at `{login_url}/services/oauth2/token`. Salesforce does not say when a
//! session ends: it is kept for the configured lifetime, and the kit's
//! [`Sessions`](crate::crm::kit::session::Sessions) renews it at once on `INVALID_SESSION_ID`.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::time::Instant;

use super::config::{AuthFlow, Config};
use super::jwt::JwtSigner;
use crate::crm::kit::session::{Fresh, Grant, refusal, token_request};
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

/// An access token, the instance it is for and the user it acts as.
pub struct Session {
    pub token: SecretString,
    pub instance_url: String,
    /// The integration user's id: the last part of the answer's identity URL
    /// (`https://login.salesforce.com/id/{org id}/{user id}`, "OAuth 2.0 Web Server Flow":
    /// <https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm>).
    pub user_id: Option<String>,
}

/// The connected app and the flow it logs in with.
pub struct Login {
    flow: AuthFlow,
    token_url: String,
    client_id: String,
    client_secret: Option<SecretString>,
    refresh_token: Option<SecretString>,
    username: Option<String>,
    audience: String,
    signer: Option<JwtSigner>,
    ttl: Duration,
    http: reqwest::Client,
    /// The token endpoint does not count against the allocation: it is never paused.
    throttle: Throttle,
}

impl Login {
    /// The login of `config` (already validated); reads the JWT key for `auth = "jwt"`.
    pub fn new(
        config: &Config,
        http: &reqwest::Client,
    ) -> Result<Login, crate::outbound::InvalidKey> {
        let signer = match config.auth {
            AuthFlow::Jwt => Some(config.jwt_signer()?),
            _ => None,
        };
        Ok(Login {
            flow: config.auth,
            token_url: format!(
                "{}/services/oauth2/token",
                config.login_url.trim_end_matches('/')
            ),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            refresh_token: config.refresh_token.clone(),
            username: config.username.clone(),
            audience: config.audience(),
            signer,
            ttl: Duration::from_secs(config.session_ttl_secs),
            http: http.clone(),
            throttle: Throttle::new(0, Duration::from_secs(1)),
        })
    }

    /// The signed JWT-bearer assertion, for `auth = "jwt"`.
    fn assertion(&self) -> Result<Option<String>, CallError> {
        if self.flow != AuthFlow::Jwt {
            return Ok(None);
        }
        let signer = self
            .signer
            .as_ref()
            .ok_or_else(|| CallError::auth("no JWT signing key"))?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        signer
            .assertion(
                &self.client_id,
                self.username.as_deref().unwrap_or_default(),
                &self.audience,
                now,
            )
            .map(Some)
            .map_err(CallError::auth)
    }

    /// The token request's form for the configured flow; the JWT flow's `assertion` names the
    /// client itself, the other flows send its id first.
    fn form<'a>(&'a self, assertion: Option<&'a str>) -> Vec<(&'static str, &'a str)> {
        let secret = |s: &'a Option<SecretString>| s.as_ref().map(|s| s.expose_secret());
        let mut form = match self.flow {
            AuthFlow::Jwt => vec![("format", "json")],
            _ => vec![("client_id", self.client_id.as_str()), ("format", "json")],
        };
        match self.flow {
            AuthFlow::RefreshToken => {
                form.push(("grant_type", "refresh_token"));
                form.push((
                    "refresh_token",
                    secret(&self.refresh_token).unwrap_or_default(),
                ));
                if let Some(client_secret) = secret(&self.client_secret) {
                    form.push(("client_secret", client_secret));
                }
            }
            AuthFlow::ClientCredentials => {
                form.push(("grant_type", "client_credentials"));
                form.push((
                    "client_secret",
                    secret(&self.client_secret).unwrap_or_default(),
                ));
            }
            AuthFlow::Jwt => {
                form.push(("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"));
                form.push(("assertion", assertion.unwrap_or_default()));
            }
        }
        form
    }
}

impl Grant for Login {
    type Session = Session;

    async fn obtain(&self, _previous: Option<&Session>) -> Result<Fresh<Session>, CallError> {
        let assertion = self.assertion()?;
        let request = self
            .http
            .post(&self.token_url)
            .form(&self.form(assertion.as_deref()));
        let (reply, body) = token_request(&self.throttle, request).await?;
        let token = body["access_token"].as_str().filter(|t| !t.is_empty());
        let instance = body["instance_url"].as_str().filter(|u| !u.is_empty());
        match (reply.status.is_success(), token, instance) {
            (true, Some(token), Some(instance)) => {
                tracing::debug!(flow = ?self.flow, "salesforce session obtained");
                Ok(Fresh {
                    session: Session {
                        token: SecretString::from(token),
                        instance_url: instance.trim_end_matches('/').to_owned(),
                        user_id: body["id"]
                            .as_str()
                            .and_then(|id| id.trim_end_matches('/').rsplit('/').next())
                            .filter(|id| !id.is_empty() && !id.contains(':'))
                            .map(str::to_owned),
                    },
                    until: Some(Instant::now() + self.ttl),
                })
            }
            _ => Err(token_error(&reply, &body)),
        }
    }
}

/// The token endpoint's refusal: `{"error","error_description"}`.
fn token_error(reply: &Reply, body: &Value) -> CallError {
    let status = reply.status.as_u16();
    let message = format!(
        "Salesforce token endpoint HTTP {status}: {}",
        refusal(reply, body)
    );
    match status {
        429 | 408 | 500..=599 => CallError::retryable(message, http::retry_after(&reply.headers)),
        200..=299 => {
            CallError::retryable(format!("{message} (no access_token or instance_url)"), None)
        }
        _ => CallError::auth(message),
    }
}
