//! The Zoho CRM client: an access token minted lazily from the refresh token, cached until a
//! minute before `expires_in` and renewed once when Zoho answers `INVALID_TOKEN` or
//! `AUTHENTICATION_FAILURE` (the call is then repeated, not lost; Zoho lets one refresh token
//! mint only ten tokens per ten minutes, so calls share one). Calls go to the token answer's
//! `api_domain`, through the throttle and a bound on calls in flight (Zoho limits concurrency
//! per org).

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};

use reqwest::{Method, Url};
use serde_json::{Map, Value, json};
use tokio::sync::{Mutex as AsyncMutex, Semaphore};

use super::config::Config;
use super::errors::{classify, item};
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

/// Renew this long before Zoho says the token expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);
/// How long a refused token refresh ("too many requests") waits.
const REFRESH_PAUSE: Duration = Duration::from_secs(60);

/// An access token and the API domain it is for.
#[derive(Debug)]
struct Session {
    token: String,
    api_domain: String,
    renew_at: Instant,
}

/// A Zoho answer that carries data: any 2xx (204 has a `Null` body), or a write's 400 whose
/// per-record results say what failed.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// One record result of a multi-record write: the result (`details`, an upsert's `action`),
/// or the classified error.
pub type ItemResult = Result<Value, CallError>;

/// leadgate's own share of the org's daily API credits: a call over it is refused here, as
/// retryable, instead of spending credits other integrations need.
struct Budget {
    limiter: Option<governor::DefaultDirectRateLimiter>,
}

impl Budget {
    fn new(per_day: u32) -> Budget {
        let limiter = NonZeroU32::new(per_day).map(|n| {
            let period = Duration::from_secs(24 * 60 * 60) / n.get();
            let quota = governor::Quota::with_period(period.max(Duration::from_micros(1)))
                .expect("positive period")
                .allow_burst(n);
            governor::RateLimiter::direct(quota)
        });
        Budget { limiter }
    }

    fn spend(&self) -> Result<(), CallError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            CallError::retryable("leadgate's daily Zoho credit budget is spent", Some(wait))
        })
    }
}

/// The Zoho CRM API as the connector uses it.
pub struct Api {
    http: reqwest::Client,
    throttle: Throttle,
    budget: Budget,
    /// The accounts server is not the CRM API: its throttle is never paused by a 429.
    token_throttle: Throttle,
    slots: Semaphore,
    config: Config,
    session: AsyncMutex<Option<Arc<Session>>>,
    /// The API domain of the last token, for links into the web app.
    api_domain: Mutex<Option<String>>,
}

impl Api {
    /// A client for `config` (already validated).
    pub fn new(config: &Config) -> Api {
        Api {
            http: http::client(Duration::from_secs(config.timeout_secs)),
            throttle: Throttle::new(config.max_requests_per_second, Duration::from_secs(1)),
            budget: Budget::new(config.daily_credit_budget),
            token_throttle: Throttle::new(0, Duration::from_secs(1)),
            slots: Semaphore::new(usize::try_from(config.max_concurrent).unwrap_or(1).max(1)),
            config: config.clone(),
            session: AsyncMutex::new(None),
            api_domain: Mutex::new(None),
        }
    }

    /// The web app's base for record links: `crm_url`, else derived from the API domain the
    /// token named (or the configured one before the first token).
    pub fn web_base(&self) -> Option<String> {
        let known = self
            .api_domain
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        known
            .and_then(|domain| self.config.web_base(&domain))
            .or_else(|| self.config.web_base(&self.config.api_domain))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    async fn session(&self) -> Result<Arc<Session>, CallError> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_ref().filter(|s| Instant::now() < s.renew_at) {
            return Ok(session.clone());
        }
        let session = Arc::new(self.mint().await?);
        *slot = Some(session.clone());
        Ok(session)
    }

    /// A new token after `stale` was refused, unless another call has renewed it already.
    async fn renew(&self, stale: &Arc<Session>) -> Result<Arc<Session>, CallError> {
        let mut slot = self.session.lock().await;
        if let Some(current) = slot.as_ref().filter(|s| !Arc::ptr_eq(s, stale)) {
            return Ok(current.clone());
        }
        *slot = None;
        let session = Arc::new(self.mint().await?);
        *slot = Some(session.clone());
        Ok(session)
    }

    /// `POST {accounts_url}/oauth/v2/token` with `grant_type=refresh_token`.
    async fn mint(&self) -> Result<Session, CallError> {
        let c = &self.config;
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
            ("refresh_token", c.refresh_token.as_str()),
        ];
        let url = format!("{}/oauth/v2/token", c.accounts_url.trim_end_matches('/'));
        let reply = http::send(&self.token_throttle, self.http.post(url).form(&form)).await?;
        let body = reply.read_json()?;
        match (
            reply.status.is_success(),
            body["access_token"].as_str().filter(|t| !t.is_empty()),
        ) {
            (true, Some(token)) => {
                let lifetime = Duration::from_secs(body["expires_in"].as_u64().unwrap_or(3600));
                let api_domain = body["api_domain"]
                    .as_str()
                    .filter(|d| !d.is_empty())
                    .unwrap_or(&c.api_domain)
                    .trim_end_matches('/')
                    .to_owned();
                tracing::debug!(%api_domain, "zoho access token minted");
                *self.api_domain.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(api_domain.clone());
                Ok(Session {
                    token: token.to_owned(),
                    api_domain,
                    renew_at: Instant::now()
                        + lifetime
                            .saturating_sub(EXPIRY_MARGIN)
                            .max(Duration::from_secs(30)),
                })
            }
            _ => Err(token_error(&reply, &body)),
        }
    }

    fn url(
        &self,
        session: &Session,
        path: &[&str],
        query: &[(&str, String)],
    ) -> Result<Url, CallError> {
        let base = &session.api_domain;
        let mut url = Url::parse(base)
            .map_err(|e| CallError::permanent(format!("bad Zoho api_domain {base}: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| CallError::permanent(format!("bad Zoho api_domain {base}")))?
            .pop_if_empty()
            .extend(["crm", self.config.api_version.as_str()])
            .extend(path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// Sends one call; see [`Answer`] for what comes back, everything else is classified.
    pub async fn call(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, CallError> {
        self.budget.spend()?;
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| CallError::retryable("the Zoho client is shutting down", None))?;
        let mut session = self.session().await?;
        let mut renewed = false;
        loop {
            let mut request = self
                .http
                .request(method.clone(), self.url(&session, path, query)?)
                .header(
                    "Authorization",
                    format!("Zoho-oauthtoken {}", session.token),
                );
            if let Some(body) = body {
                request = request.json(body);
            }
            let reply = http::send(&self.throttle, request).await?;
            let status = reply.status.as_u16();
            if status == 401 && !renewed && expired(&reply) {
                tracing::debug!("zoho token refused: renewing it once");
                session = self.renew(&session).await?;
                renewed = true;
                continue;
            }
            let json = reply.read_json()?;
            if reply.status.is_success() || (status == 400 && json["data"].is_array()) {
                return Ok(Answer { status, body: json });
            }
            return Err(classify(
                &reply,
                &self.throttle,
                Duration::from_secs(self.config.rate_limit_pause_secs),
            ));
        }
    }

    /// `GET`; `None` when Zoho answers 204 (no such record, nothing found).
    pub async fn get(
        &self,
        path: &[&str],
        query: &[(&str, String)],
    ) -> Result<Option<Value>, CallError> {
        let answer = self.call(Method::GET, path, query, None).await?;
        Ok((answer.status != 204 && !answer.body.is_null()).then_some(answer.body))
    }

    /// A multi-record write (`POST`/`PUT` of `{"data": records, …extra}`, at most 100
    /// records): one result per record, in order.
    pub async fn write(
        &self,
        method: Method,
        path: &[&str],
        records: Vec<Value>,
        extra: Map<String, Value>,
        targets_id: bool,
    ) -> Result<Vec<ItemResult>, CallError> {
        let count = records.len();
        let mut body = extra;
        body.insert("data".into(), Value::Array(records));
        let answer = self
            .call(method, path, &[], Some(&Value::Object(body)))
            .await?;
        let results = answer.body["data"].as_array().cloned().unwrap_or_default();
        if results.len() != count {
            return Err(CallError::retryable(
                format!(
                    "Zoho answered {} results for {count} records: {}",
                    results.len(),
                    answer.body
                ),
                None,
            ));
        }
        Ok(results.iter().map(|r| item(r, targets_id)).collect())
    }

    /// A single-record write: its result.
    pub async fn write_one(
        &self,
        method: Method,
        path: &[&str],
        record: Value,
        extra: Map<String, Value>,
        targets_id: bool,
    ) -> Result<Value, CallError> {
        self.write(method, path, vec![record], extra, targets_id)
            .await?
            .pop()
            .unwrap_or_else(|| Err(CallError::retryable("Zoho answered no result", None)))
    }
}

/// Whether a 401 says the token (not the grant) is the problem.
fn expired(reply: &Reply) -> bool {
    matches!(
        reply.json()["code"].as_str(),
        Some("INVALID_TOKEN" | "AUTHENTICATION_FAILURE")
    )
}

/// The accounts server's refusal: Zoho answers most of them with HTTP 200 and `{"error"}`.
fn token_error(reply: &Reply, body: &Value) -> CallError {
    let status = reply.status.as_u16();
    let what = match (body["error"].as_str(), body["error_description"].as_str()) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e.to_owned(),
        _ => reply.excerpt(),
    };
    let message = format!("Zoho accounts server HTTP {status}: {what}");
    let too_many =
        body["error"] == "Access Denied" || what.to_ascii_lowercase().contains("too many requests");
    match status {
        _ if too_many => CallError::retryable(message, Some(REFRESH_PAUSE)),
        429 | 408 | 500..=599 => CallError::retryable(message, http::retry_after(&reply.headers)),
        _ => CallError::auth(message),
    }
}

/// `{"duplicate_check_fields": […]}` (empty: Zoho's own duplicate check).
pub fn upsert_extra(fields: &[String]) -> Map<String, Value> {
    let mut extra = Map::new();
    if !fields.is_empty() {
        extra.insert("duplicate_check_fields".into(), json!(fields));
    }
    extra
}
