//! The HubSpot HTTP client: URLs, the bearer token, the two throttles (the rolling burst window
//! and the separate CRM-search limit) and how HubSpot's rate-limit headers adapt them.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tracing::Instrument;

use super::config::Config;
use super::errors;
use crate::crm::kit::limits::header_number;
use crate::crm::kit::{Bucket, DAILY_PAUSE, Limits};
use crate::outbound::CallError;
use crate::outbound::http;

/// The throttles for the plan's limits, each a rolling window like HubSpot's own: the burst
/// window, and the separate per-second search limit.
pub(super) fn limits(config: &Config) -> Limits {
    Limits::new(
        config.rate_limit,
        Duration::from_secs(config.rate_limit_interval_secs),
        config.search_rate_limit,
        Duration::from_secs(1),
    )
}

/// What HubSpot's rate-limit headers on an answer ask for: a pause of a bucket whose allowance
/// is used up. Absent headers ask for nothing (HubSpot omits them when it cannot count).
pub(super) fn header_pauses(headers: &HeaderMap) -> Vec<(Bucket, Duration)> {
    let number = |name: &str| header_number(headers, name);
    let mut pauses = Vec::new();
    if number("x-hubspot-ratelimit-remaining") == Some(0) {
        let interval = number("x-hubspot-ratelimit-interval-milliseconds").unwrap_or(10_000);
        pauses.push((
            Bucket::Main,
            Duration::from_millis(interval.clamp(1, 60_000)),
        ));
    }
    if number("x-hubspot-ratelimit-secondly-remaining") == Some(0) {
        pauses.push((Bucket::Search, Duration::from_secs(1)));
    }
    if number("x-hubspot-ratelimit-daily-remaining") == Some(0) {
        pauses.push((Bucket::All, DAILY_PAUSE));
    }
    pauses
}

/// A HubSpot account's API.
pub(super) struct Api {
    http: reqwest::Client,
    base: Url,
    token: SecretString,
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
        Ok(Api {
            http: http::client(Duration::from_secs(config.timeout_secs.max(1))),
            base,
            token: config.token.clone(),
            limits: limits(config),
        })
    }

    /// The URL of a path given as segments (each percent-encoded, so an email can be one).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends one request and reads the JSON answer; a failure is classified. Search paths count
    /// against the search limit, everything else against the burst window.
    pub async fn call(
        &self,
        op: &'static str,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        let bucket = if url.path().ends_with("/search") {
            Bucket::Search
        } else {
            Bucket::Main
        };
        let span = tracing::debug_span!("hubspot", op);
        async move {
            let mut request = self
                .http
                .request(method, url)
                .bearer_auth(self.token.expose_secret());
            if let Some(body) = body {
                request = request.json(body);
            }
            let reply = http::send(self.limits.throttle(bucket), request)
                .await
                .inspect_err(|e| tracing::debug!(error = %e, "no answer"))?;
            for (bucket, wait) in header_pauses(&reply.headers) {
                tracing::debug!(?bucket, ?wait, "allowance used up: pausing");
                self.limits.pause(bucket, wait);
            }
            tracing::debug!(status = reply.status.as_u16(), "answered");
            if reply.status.is_success() {
                return reply.read_json();
            }
            Err(errors::classify(&reply, &self.limits, bucket))
        }
        .instrument(span)
        .await
    }

    /// `GET` with a query.
    pub async fn get(
        &self,
        op: &'static str,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Value, CallError> {
        let mut url = self.url(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        self.call(op, Method::GET, url, None).await
    }

    /// `POST` a JSON body.
    pub async fn post(
        &self,
        op: &'static str,
        segments: &[&str],
        body: &Value,
    ) -> Result<Value, CallError> {
        self.call(op, Method::POST, self.url(segments), Some(body))
            .await
    }

    /// `PATCH` a JSON body.
    pub async fn patch(
        &self,
        op: &'static str,
        segments: &[&str],
        body: &Value,
    ) -> Result<Value, CallError> {
        self.call(op, Method::PATCH, self.url(segments), Some(body))
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
    fn a_used_up_window_pauses_its_bucket() {
        let h = headers(&[
            ("x-hubspot-ratelimit-remaining", "0"),
            ("x-hubspot-ratelimit-interval-milliseconds", "10000"),
        ]);
        assert_eq!(
            header_pauses(&h),
            vec![(Bucket::Main, Duration::from_secs(10))]
        );
        let h = headers(&[
            ("x-hubspot-ratelimit-secondly-remaining", "0"),
            ("x-hubspot-ratelimit-remaining", "40"),
        ]);
        assert_eq!(
            header_pauses(&h),
            vec![(Bucket::Search, Duration::from_secs(1))]
        );
        let h = headers(&[("x-hubspot-ratelimit-daily-remaining", "0")]);
        assert_eq!(header_pauses(&h), vec![(Bucket::All, DAILY_PAUSE)]);
    }

    #[test]
    fn allowance_left_or_no_headers_change_nothing() {
        assert!(header_pauses(&headers(&[("x-hubspot-ratelimit-remaining", "3")])).is_empty());
        assert!(header_pauses(&HeaderMap::new()).is_empty());
        assert!(header_pauses(&headers(&[("x-hubspot-ratelimit-remaining", "soon")])).is_empty());
    }

    #[test]
    fn segments_are_encoded() {
        let api = Api::new(&Config {
            token: "t".into(),
            base_url: "http://h/prefix/".into(),
            ..Config::default()
        })
        .unwrap();
        let url = api.url(&["crm", "v3", "objects", "contacts", "a+b/c@x.pl"]);
        assert_eq!(
            url.as_str(),
            "http://h/prefix/crm/v3/objects/contacts/a+b%2Fc@x.pl"
        );
    }
}
