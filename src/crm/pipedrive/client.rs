//! The Pipedrive HTTP client: v1 and v2 URLs (on `api.pipedrive.com`, or on the OAuth token's
//! `api_domain`), credentials with one refresh when an OAuth token is refused, the throttles for
//! the burst and search windows, and how Pipedrive's rate-limit headers adapt them.

use std::time::Duration;

use std::sync::Arc;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use tracing::Instrument;

use super::auth::{Auth, Credential, Token};
use super::config::Config;
use super::errors::{self, reason};
use crate::crm::kit::limits::header_number;
use crate::crm::kit::{Bucket, DAILY_PAUSE, Limits};
use crate::outbound::CallError;
use crate::outbound::http::{self, Reply};

/// The throttles for the plan's limits, each a rolling window like Pipedrive's own: the
/// token's burst window and the search window of the same length.
pub(super) fn limits(config: &Config) -> Limits {
    let window = Duration::from_secs(config.rate_limit_window_secs);
    Limits::new(config.rate_limit, window, config.search_rate_limit, window)
}

/// What Pipedrive's headers on an answer to a `bucket` request ask for: the window used up
/// (`x-ratelimit-remaining: 0`, wait `x-ratelimit-reset` seconds), the daily token budget spent
/// (everything waits), or the API token's daily allowance of writes spent. Pipedrive's rate
/// limiting page: `x-daily-requests-left` "indicates how many requests you can still make to
/// POST/PUT endpoints during the ongoing day", so it holds back writes only; reads and searches
/// go on (<https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting>). v2 updates with
/// PATCH, which replaced PUT, so they count as writes too.
pub(super) fn header_pauses(
    headers: &HeaderMap,
    bucket: Bucket,
    window: Duration,
) -> Vec<(Bucket, Duration)> {
    let number = |name: &str| header_number(headers, name);
    let mut pauses = Vec::new();
    if number("x-ratelimit-remaining") == Some(0) {
        let reset = number("x-ratelimit-reset")
            .map(Duration::from_secs)
            .unwrap_or(window);
        pauses.push((
            bucket,
            reset.clamp(Duration::from_secs(1), Duration::from_secs(60)),
        ));
    }
    if number("x-daily-ratelimit-token-remaining") == Some(0) {
        pauses.push((Bucket::All, DAILY_PAUSE));
    } else if number("x-daily-requests-left") == Some(0) {
        pauses.push((Bucket::Writes, DAILY_PAUSE));
    }
    pauses
}

/// Whether `method` spends the daily allowance of writes (POST and PUT, and v2's PATCH).
fn is_write(method: &Method) -> bool {
    [Method::POST, Method::PUT, Method::PATCH].contains(method)
}

/// The API version of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    V1,
    V2,
}

/// One request, as `Api::call` was asked for it.
struct Request<'a> {
    method: Method,
    version: Version,
    segments: &'a [&'a str],
    query: &'a [(&'a str, String)],
    body: Option<&'a Value>,
    /// The limit it counts against.
    bucket: Bucket,
}

/// A Pipedrive company's API.
pub(super) struct Api {
    http: reqwest::Client,
    base: Url,
    pub auth: Auth,
    pub limits: Limits,
}

impl Api {
    pub fn new(config: &Config) -> Result<Api, crate::outbound::InvalidKey> {
        let base = crate::outbound::settings::check_http_url("base_url", &config.base_url)?;
        if base.cannot_be_a_base() {
            return Err(crate::outbound::invalid(
                "base_url",
                format!("`{}` cannot take a path", config.base_url),
            ));
        }
        let http = http::client(Duration::from_secs(config.timeout_secs.max(1)));
        Ok(Api {
            auth: Auth::new(config, &http),
            http,
            base,
            limits: limits(config),
        })
    }

    /// `api.pipedrive.com` serves v1 under `/v1`; a company domain (an OAuth token's
    /// `api_domain`) under `/api/v1`.
    fn url(&self, api_domain: Option<&str>, version: Version, segments: &[&str]) -> Url {
        let domain = api_domain
            .and_then(|domain| Url::parse(domain).ok())
            .filter(|u| !u.cannot_be_a_base());
        let prefix: &[&str] = match (version, domain.is_some()) {
            (Version::V2, _) => &["api", "v2"],
            (Version::V1, true) => &["api", "v1"],
            (Version::V1, false) => &["v1"],
        };
        let mut url = domain.unwrap_or_else(|| self.base.clone());
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(prefix).extend(segments);
        }
        url
    }

    /// Sends one request and returns Pipedrive's `data`. An OAuth token Pipedrive refuses is
    /// refreshed and the request sent once more; a failure is classified.
    pub async fn call(
        &self,
        op: &'static str,
        method: Method,
        version: Version,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        let request = Request {
            method,
            version,
            segments,
            query,
            body,
            bucket: if segments.last() == Some(&"search") {
                Bucket::Search
            } else {
                Bucket::Main
            },
        };
        async move {
            let reply = match &self.auth {
                Auth::ApiToken(token) => self.send(Credential::ApiToken(token), &request).await?,
                Auth::OAuth(sessions) => {
                    let send = |token: Arc<Token>| {
                        let request = &request;
                        async move { self.send(Credential::Bearer(&token), request).await }
                    };
                    sessions
                        .send(send, |reply| reply.status == StatusCode::UNAUTHORIZED)
                        .await?
                }
            };
            if !reply.status.is_success() {
                return Err(errors::classify(&reply, &self.limits, request.bucket));
            }
            let answer = reply.read_json()?;
            if answer["success"] == Value::Bool(false) {
                let why = reason(&answer).unwrap_or_else(|| reply.excerpt());
                return Err(CallError::permanent(format!(
                    "Pipedrive refused the request: {why}"
                )));
            }
            Ok(answer["data"].clone())
        }
        .instrument(tracing::debug_span!("pipedrive", op))
        .await
    }

    /// Sends `request` once with `credential`, and pauses what its rate-limit headers ask.
    async fn send(
        &self,
        credential: Credential<'_>,
        request: &Request<'_>,
    ) -> Result<Reply, CallError> {
        let mut url = self.url(credential.api_domain(), request.version, request.segments);
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query);
        }
        let mut builder = credential.apply(self.http.request(request.method.clone(), url));
        if let Some(body) = request.body {
            builder = builder.json(body);
        }
        let bucket = request.bucket;
        if is_write(&request.method) {
            self.limits.write_gate().await;
        }
        let reply = http::send(self.limits.throttle(bucket), builder)
            .await
            .inspect_err(|e| tracing::debug!(error = %e, "no answer"))?;
        for (bucket, wait) in header_pauses(&reply.headers, bucket, self.limits.window) {
            tracing::debug!(?bucket, ?wait, "allowance used up: pausing");
            self.limits.pause(bucket, wait);
        }
        tracing::debug!(status = reply.status.as_u16(), "answered");
        Ok(reply)
    }

    pub async fn get(
        &self,
        op: &'static str,
        version: Version,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<Value, CallError> {
        self.call(op, Method::GET, version, segments, query, None)
            .await
    }

    pub async fn post(
        &self,
        op: &'static str,
        version: Version,
        segments: &[&str],
        body: &Value,
    ) -> Result<Value, CallError> {
        self.call(op, Method::POST, version, segments, &[], Some(body))
            .await
    }

    pub async fn patch(
        &self,
        op: &'static str,
        segments: &[&str],
        body: &Value,
    ) -> Result<Value, CallError> {
        self.call(op, Method::PATCH, Version::V2, segments, &[], Some(body))
            .await
    }

    pub async fn put(
        &self,
        op: &'static str,
        version: Version,
        segments: &[&str],
        body: &Value,
    ) -> Result<Value, CallError> {
        self.call(op, Method::PUT, version, segments, &[], Some(body))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn a_used_up_window_pauses_for_its_reset() {
        let window = Duration::from_secs(2);
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "2"),
            ("x-daily-ratelimit-token-remaining", "29000"),
        ]);
        assert_eq!(
            header_pauses(&h, Bucket::Search, window),
            vec![(Bucket::Search, Duration::from_secs(2))]
        );
        let h = headers(&[
            ("x-ratelimit-remaining", "5"),
            ("x-daily-ratelimit-token-remaining", "0"),
        ]);
        assert_eq!(
            header_pauses(&h, Bucket::Main, window),
            vec![(Bucket::All, DAILY_PAUSE)]
        );
        assert!(
            header_pauses(
                &headers(&[("x-ratelimit-remaining", "5")]),
                Bucket::Main,
                window
            )
            .is_empty()
        );
        assert!(header_pauses(&HeaderMap::new(), Bucket::Main, window).is_empty());
        assert_eq!(
            header_pauses(
                &headers(&[("x-daily-requests-left", "0")]),
                Bucket::Main,
                window
            ),
            vec![(Bucket::Writes, DAILY_PAUSE)],
            "the daily POST/PUT allowance holds back writes only"
        );
    }

    #[test]
    fn v1_paths_depend_on_the_host() {
        let api = Api::new(&Config {
            api_token: Some("t".into()),
            ..Config::default()
        })
        .unwrap();
        assert_eq!(
            api.url(None, Version::V1, &["notes"]).as_str(),
            "https://api.pipedrive.com/v1/notes"
        );
        assert_eq!(
            api.url(None, Version::V2, &["persons", "search"]).as_str(),
            "https://api.pipedrive.com/api/v2/persons/search"
        );
        let oauth = Some("https://acme.pipedrive.com");
        assert_eq!(
            api.url(oauth, Version::V1, &["notes", "7"]).as_str(),
            "https://acme.pipedrive.com/api/v1/notes/7"
        );
    }
}
