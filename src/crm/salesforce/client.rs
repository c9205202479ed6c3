//! The REST client: calls sent with the session of the configured OAuth flow (see `auth`),
//! which is renewed once when Salesforce answers `INVALID_SESSION_ID` (the call is then
//! repeated, not lost); the throttle, slowed down as `Sforce-Limit-Info` approaches the
//! allocation; and `/composite` for several calls at the price of one.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Url};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::auth::{Login, Session};
use super::config::Config;
use super::errors::{api_usage, classify, slow_down};
use crate::crm::kit::session::Sessions;
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

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

    /// `DELETE` of a record.
    pub fn delete(path: &[&str]) -> Call {
        Call::new(Method::DELETE, path, None)
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
    config: Config,
    sessions: Sessions<Login>,
}

impl Api {
    /// A client for `config` (already validated).
    pub fn new(config: &Config) -> Result<Api, crate::outbound::InvalidKey> {
        let http = http::client(Duration::from_secs(config.timeout_secs));
        Ok(Api {
            sessions: Sessions::new(Login::new(config, &http)?),
            http,
            throttle: Throttle::new(config.max_requests_per_second, Duration::from_secs(1)),
            config: config.clone(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The instance the current session is for, once there has been one.
    pub fn instance_url(&self) -> Option<String> {
        Some(self.sessions.latest()?.instance_url.clone())
    }

    /// The user the current session acts as, once there has been one.
    pub fn user_id(&self) -> Option<String> {
        self.sessions.latest()?.user_id.clone()
    }

    fn limit_pause(&self) -> Duration {
        Duration::from_secs(self.config.limit_pause_secs)
    }

    fn request(&self, session: &Session, call: &Call) -> Result<RequestBuilder, CallError> {
        let url = call.url(&session.instance_url, &self.config.api_version)?;
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .bearer_auth(session.token.expose_secret());
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

    /// Sends one call and returns its JSON body (`Null` for 204); every failure classified. A
    /// refused session is renewed once and the call sent again.
    pub async fn send(&self, call: &Call) -> Result<Value, CallError> {
        let send = |session: Arc<Session>| async move {
            http::send(&self.throttle, self.request(&session, call)?).await
        };
        let reply = self
            .sessions
            .send(send, |reply| reply.status.as_u16() == 401)
            .await?;
        if reply.status.is_success() {
            self.observe(&reply);
            return reply.read_json();
        }
        Err(classify(
            reply.status.as_u16(),
            &reply.json(),
            Some(&reply),
            &self.throttle,
            self.limit_pause(),
        ))
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
