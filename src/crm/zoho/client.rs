//! The Zoho CRM client: calls sent with the access token (see `auth`), which is renewed once
//! when Zoho answers `INVALID_TOKEN` or `AUTHENTICATION_FAILURE` (the call is then repeated,
//! not lost). Calls go to the token answer's `api_domain`, within leadgate's daily credit
//! budget, through the throttle and a bound on calls in flight (Zoho limits concurrency per
//! org).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};

use reqwest::{Method, Url};
use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;

use super::auth::{Refresh, Session};
use super::config::Config;
use super::errors::{classify, item};
use super::scopes;
use crate::crm::kit::session::Sessions;
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

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
    slots: Semaphore,
    config: Config,
    sessions: Sessions<Refresh>,
}

impl Api {
    /// A client for `config` (already validated).
    pub fn new(config: &Config) -> Api {
        let http = http::client(Duration::from_secs(config.timeout_secs));
        Api {
            sessions: Sessions::new(Refresh::new(config, &http)),
            http,
            throttle: Throttle::new(config.max_requests_per_second, Duration::from_secs(1)),
            budget: Budget::new(config.daily_credit_budget),
            slots: Semaphore::new(usize::try_from(config.max_concurrent).unwrap_or(1).max(1)),
            config: config.clone(),
        }
    }

    /// The web app's base for record links: `crm_url`, else derived from the API domain the
    /// token named (or the configured one before the first token).
    pub fn web_base(&self) -> Option<String> {
        let known = self.sessions.latest();
        known
            .and_then(|session| self.config.web_base(&session.api_domain))
            .or_else(|| self.config.web_base(&self.config.api_domain))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
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
        let method = &method;
        let send = |session: Arc<Session>| async move {
            let mut request = self
                .http
                .request(method.clone(), self.url(&session, path, query)?)
                .header(
                    "Authorization",
                    format!("Zoho-oauthtoken {}", session.token.expose_secret()),
                );
            if let Some(body) = body {
                request = request.json(body);
            }
            http::send(&self.throttle, request).await
        };
        let reply = self
            .sessions
            .send(send, |reply| reply.status.as_u16() == 401 && expired(reply))
            .await?;
        let status = reply.status.as_u16();
        let json = reply.read_json()?;
        if reply.status.is_success() || (status == 400 && json["data"].is_array()) {
            return Ok(Answer { status, body: json });
        }
        if status == 401 && json["code"] == "OAUTH_SCOPE_MISMATCH" {
            let granted = self.sessions.latest().and_then(|s| s.scopes.clone());
            let message = scopes::mismatch_message(method, path, granted.as_deref());
            tracing::error!(reason = %message, "zoho: a scope is missing");
            return Err(CallError::auth(message));
        }
        Err(classify(
            &reply,
            &self.throttle,
            Duration::from_secs(self.config.rate_limit_pause_secs),
        ))
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

/// `{"duplicate_check_fields": […]}` (empty: Zoho's own duplicate check).
pub fn upsert_extra(fields: &[String]) -> Map<String, Value> {
    let mut extra = Map::new();
    if !fields.is_empty() {
        extra.insert("duplicate_check_fields".into(), json!(fields));
    }
    extra
}
