//! The REST client: a session obtained lazily with the configured OAuth flow, kept until the
//! configured session lifetime passes and renewed once when Salesforce answers
//! `INVALID_SESSION_ID` (the call is then repeated, not lost); the throttle, slowed down as
//! `Sforce-Limit-Info` approaches the allocation; and `/composite` for several calls at the
//! price of one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Url};
use serde_json::{Value, json};
use tokio::sync::Mutex as AsyncMutex;

use super::config::{AuthFlow, Config};
use super::errors::{api_usage, classify, slow_down};
use super::jwt::JwtSigner;
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

/// An access token and the instance it is for.
#[derive(Debug)]
struct Session {
    token: String,
    instance_url: String,
    obtained: Instant,
}

/// One REST call below `/services/data/vXX.X/`.
#[derive(Debug, Clone)]
pub struct Call {
    method: Method,
    path: Vec<String>,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

impl Call {
    fn new(method: Method, path: &[&str], body: Option<Value>) -> Call {
        Call {
            method,
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body,
        }
    }

    /// `GET` of a path (segments are percent-encoded as needed).
    pub fn get(path: &[&str]) -> Call {
        Call::new(Method::GET, path, None)
    }

    /// `POST` of a JSON body.
    pub fn post(path: &[&str], body: Value) -> Call {
        Call::new(Method::POST, path, Some(body))
    }

    /// `PATCH` of a JSON body.
    pub fn patch(path: &[&str], body: Value) -> Call {
        Call::new(Method::PATCH, path, Some(body))
    }

    /// `GET /query?q=…`.
    pub fn query(soql: &str) -> Call {
        Call::get(&["query"]).with_query("q", soql)
    }

    /// Adds a query parameter.
    pub fn with_query(mut self, name: &str, value: &str) -> Call {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    fn url(&self, base: &str, version: &str) -> Result<Url, CallError> {
        let mut url = Url::parse(base).map_err(|e| {
            CallError::permanent(format!("bad Salesforce instance URL {base}: {e}"))
        })?;
        url.path_segments_mut()
            .map_err(|()| CallError::permanent(format!("bad Salesforce instance URL {base}")))?
            .pop_if_empty()
            .extend(["services", "data", &format!("v{version}")])
            .extend(&self.path);
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        Ok(url)
    }
}

/// The Salesforce REST API as the connector uses it.
pub struct Api {
    http: reqwest::Client,
    throttle: Throttle,
    /// The token endpoint does not count against the allocation: it is never paused.
    token_throttle: Throttle,
    config: Config,
    signer: Option<JwtSigner>,
    session: AsyncMutex<Option<Arc<Session>>>,
    instance_url: Mutex<Option<String>>,
}

impl Api {
    /// A client for `config` (already validated).
    pub fn new(config: &Config) -> Result<Api, crate::outbound::InvalidKey> {
        let signer = match config.auth {
            AuthFlow::Jwt => Some(config.jwt_signer()?),
            _ => None,
        };
        Ok(Api {
            http: http::client(Duration::from_secs(config.timeout_secs)),
            throttle: Throttle::new(config.max_requests_per_second, Duration::from_secs(1)),
            token_throttle: Throttle::new(0, Duration::from_secs(1)),
            config: config.clone(),
            signer,
            session: AsyncMutex::new(None),
            instance_url: Mutex::new(None),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The instance the current session is for, once there has been one.
    pub fn instance_url(&self) -> Option<String> {
        self.instance_url
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn limit_pause(&self) -> Duration {
        Duration::from_secs(self.config.limit_pause_secs)
    }

    /// The current session, obtained first if there is none or it has outlived the configured
    /// lifetime.
    async fn session(&self) -> Result<Arc<Session>, CallError> {
        let mut slot = self.session.lock().await;
        let ttl = Duration::from_secs(self.config.session_ttl_secs);
        if let Some(session) = slot.as_ref().filter(|s| s.obtained.elapsed() < ttl) {
            return Ok(session.clone());
        }
        let session = Arc::new(self.obtain().await?);
        *slot = Some(session.clone());
        Ok(session)
    }

    /// A new session after `stale` was refused, unless another call has renewed it already.
    async fn renew(&self, stale: &Arc<Session>) -> Result<Arc<Session>, CallError> {
        let mut slot = self.session.lock().await;
        if let Some(current) = slot.as_ref().filter(|s| !Arc::ptr_eq(s, stale)) {
            return Ok(current.clone());
        }
        *slot = None;
        let session = Arc::new(self.obtain().await?);
        *slot = Some(session.clone());
        Ok(session)
    }

    /// Runs the configured OAuth flow against `{login_url}/services/oauth2/token`.
    async fn obtain(&self) -> Result<Session, CallError> {
        let c = &self.config;
        let mut form: Vec<(&str, String)> = vec![
            ("client_id", c.client_id.clone()),
            ("format", "json".to_owned()),
        ];
        match c.auth {
            AuthFlow::RefreshToken => {
                form.push(("grant_type", "refresh_token".to_owned()));
                form.push(("refresh_token", c.refresh_token.clone().unwrap_or_default()));
                if let Some(secret) = &c.client_secret {
                    form.push(("client_secret", secret.clone()));
                }
            }
            AuthFlow::ClientCredentials => {
                form.push(("grant_type", "client_credentials".to_owned()));
                form.push(("client_secret", c.client_secret.clone().unwrap_or_default()));
            }
            AuthFlow::Jwt => {
                let signer = self
                    .signer
                    .as_ref()
                    .ok_or_else(|| CallError::auth("no JWT signing key"))?;
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                let assertion = signer
                    .assertion(
                        &c.client_id,
                        c.username.as_deref().unwrap_or_default(),
                        &c.audience(),
                        now,
                    )
                    .map_err(CallError::auth)?;
                form.retain(|(k, _)| *k == "format");
                form.push((
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:jwt-bearer".to_owned(),
                ));
                form.push(("assertion", assertion));
            }
        }
        let url = format!(
            "{}/services/oauth2/token",
            c.login_url.trim_end_matches('/')
        );
        let reply = http::send(&self.token_throttle, self.http.post(url).form(&form)).await?;
        let body = reply.read_json()?;
        let token = body["access_token"].as_str().filter(|t| !t.is_empty());
        let instance = body["instance_url"].as_str().filter(|u| !u.is_empty());
        match (reply.status.is_success(), token, instance) {
            (true, Some(token), Some(instance)) => {
                let instance_url = instance.trim_end_matches('/').to_owned();
                *self.instance_url.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(instance_url.clone());
                tracing::debug!(flow = ?c.auth, "salesforce session obtained");
                Ok(Session {
                    token: token.to_owned(),
                    instance_url,
                    obtained: Instant::now(),
                })
            }
            _ => Err(token_error(&reply, &body)),
        }
    }

    fn request(&self, session: &Session, call: &Call) -> Result<RequestBuilder, CallError> {
        let url = call.url(&session.instance_url, &self.config.api_version)?;
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .bearer_auth(&session.token);
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        Ok(request)
    }

    /// Spaces requests out when the org's daily allocation is nearly used (read from answers
    /// that succeeded: a refusal pauses the throttle itself).
    fn observe(&self, reply: &Reply) {
        if let Some((used, max)) = api_usage(reply)
            && let Some(wait) = slow_down(used, max, self.config.slow_down_at_percent)
        {
            tracing::debug!(used, max, "salesforce allocation nearly used: slowing down");
            self.throttle.pause(wait);
        }
    }

    /// Sends one call and returns its JSON body (`Null` for 204); every failure classified.
    pub async fn send(&self, call: &Call) -> Result<Value, CallError> {
        let mut session = self.session().await?;
        let mut renewed = false;
        loop {
            let reply = http::send(&self.throttle, self.request(&session, call)?).await?;
            if reply.status.is_success() {
                self.observe(&reply);
                return reply.read_json();
            }
            if reply.status.as_u16() == 401 && !renewed {
                tracing::debug!("salesforce session refused: renewing it once");
                session = self.renew(&session).await?;
                renewed = true;
                continue;
            }
            return Err(classify(
                reply.status.as_u16(),
                &reply.json(),
                Some(&reply),
                &self.throttle,
                self.limit_pause(),
            ));
        }
    }

    /// Runs `calls` as one `/composite` request (one API call); with `all_or_none` a failure
    /// rolls every change back. Returns each call's body in order; the first real failure is
    /// the error. Bodies may refer to earlier results as `@{ref0.id}` (`ref` + index).
    pub async fn composite(
        &self,
        calls: &[Call],
        all_or_none: bool,
    ) -> Result<Vec<Value>, CallError> {
        if let [single] = calls {
            return Ok(vec![self.send(single).await?]);
        }
        let base = "http://composite.invalid";
        let subrequests = calls
            .iter()
            .enumerate()
            .map(|(i, call)| {
                let url = call.url(base, &self.config.api_version)?;
                let path = match url.query() {
                    Some(q) => format!("{}?{q}", url.path()),
                    None => url.path().to_owned(),
                };
                let mut sub = json!({ "method": call.method.as_str(), "url": path, "referenceId": format!("ref{i}") });
                if let Some(body) = &call.body {
                    sub["body"] = body.clone();
                }
                Ok(sub)
            })
            .collect::<Result<Vec<Value>, CallError>>()?;
        let body = json!({ "allOrNone": all_or_none, "compositeRequest": subrequests });
        let answer = self.send(&Call::post(&["composite"], body)).await?;
        let results = answer["compositeResponse"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if results.len() != calls.len() {
            return Err(CallError::retryable(
                format!(
                    "Salesforce composite answered {} results for {} calls",
                    results.len(),
                    calls.len()
                ),
                None,
            ));
        }
        let failed = |r: &&Value| r["httpStatusCode"].as_u64().unwrap_or(500) >= 300;
        let halted = |r: &&Value| r["body"][0]["errorCode"] == "PROCESSING_HALTED";
        if let Some(failure) = results
            .iter()
            .filter(failed)
            .find(|r| !halted(r))
            .or_else(|| results.iter().find(failed))
        {
            let status =
                u16::try_from(failure["httpStatusCode"].as_u64().unwrap_or(500)).unwrap_or(500);
            return Err(classify(
                status,
                &failure["body"],
                None,
                &self.throttle,
                self.limit_pause(),
            ));
        }
        Ok(results.into_iter().map(|mut r| r["body"].take()).collect())
    }
}

/// The token endpoint's refusal: `{"error","error_description"}`.
fn token_error(reply: &Reply, body: &Value) -> CallError {
    let status = reply.status.as_u16();
    let what = match (body["error"].as_str(), body["error_description"].as_str()) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e.to_owned(),
        _ => reply.excerpt(),
    };
    let message = format!("Salesforce token endpoint HTTP {status}: {what}");
    match status {
        429 | 408 | 500..=599 => CallError::retryable(message, http::retry_after(&reply.headers)),
        200..=299 => {
            CallError::retryable(format!("{message} (no access_token or instance_url)"), None)
        }
        _ => CallError::auth(message),
    }
}
