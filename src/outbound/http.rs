//! The HTTP side every outside call shares: one client with a timeout, a per-service throttle
//! that stays under the plan's limit and backs off when the service says so, and a default
//! classification of failures. Callers refine the classification where their service differs
//! (Salesforce answers a rate limit with 403, HubSpot a duplicate with 409, Meta puts its
//! reason in an error code).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};

use super::CallError;

/// Keeps a CRM's request rate under its limit and honours its pauses.
///
/// The limit is a rolling window, as the vendors count it: at most `max` requests in any span
/// of `per`. Each send is remembered until it leaves the window, so a backlog runs at the full
/// allowance without ever going over it (a token bucket with a burst lets twice its rate through
/// some windows, and so has to be set at half the plan).
#[derive(Debug)]
pub struct Throttle {
    window: Option<(usize, Duration)>,
    sent: Mutex<std::collections::VecDeque<Instant>>,
    paused_until: Mutex<Option<Instant>>,
}

/// The share of a rolling-window limit leadgate uses: all of it but a 5 % margin (at least one
/// request) for sends that reach the CRM later than they left.
pub fn rolling_share(limit: u32) -> u32 {
    limit.saturating_sub((limit / 20).max(1)).max(1)
}

impl Throttle {
    /// At most `max` requests in any rolling `per` (no limit when `max` is 0).
    pub fn new(max: u32, per: Duration) -> Throttle {
        Throttle {
            window: (max > 0).then_some((max as usize, per)),
            sent: Mutex::new(std::collections::VecDeque::with_capacity(
                max.min(1024) as usize
            )),
            paused_until: Mutex::new(None),
        }
    }

    /// Waits until a request may go out, and counts it as sent.
    pub async fn acquire(&self) {
        loop {
            let now = Instant::now();
            let paused = *self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(until) = paused.filter(|u| *u > now) {
                tokio::time::sleep(until - now).await;
                continue;
            }
            let Some((max, per)) = self.window else {
                return;
            };
            let wait = {
                let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
                while sent.front().is_some_and(|t| now.duration_since(*t) >= per) {
                    sent.pop_front();
                }
                if sent.len() < max {
                    sent.push_back(now);
                    return;
                }
                // The oldest send leaves the window then.
                sent.front()
                    .map_or(Duration::ZERO, |t| per - now.duration_since(*t))
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// The CRM asked us to wait: nobody sends before then.
    pub fn pause(&self, wait: Duration) {
        let mut p = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        let until = Instant::now() + wait;
        if p.is_none_or(|current| current < until) {
            *p = Some(until);
        }
    }
}

/// A response as connectors read it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

impl Reply {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The body as JSON, to act on. An empty body is `Null` (204 and the like). A success whose
    /// body is not JSON — cut off mid-way, or a proxy's HTML page with a 200 — is a retryable
    /// error, never taken for an answer; an error answer's body is read leniently (`Null` when
    /// it is not JSON), since the status already says what happened.
    pub fn read_json(&self) -> Result<serde_json::Value, CallError> {
        if !self.status.is_success() {
            return Ok(self.json());
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            CallError::retryable(
                format!(
                    "HTTP {} with a body that is not JSON ({e}): {}",
                    self.status.as_u16(),
                    self.excerpt()
                ),
                None,
            )
        })
    }

    /// The body as text, cut to 300 characters, for error messages.
    pub fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let cut: String = text.chars().take(300).collect();
        cut
    }
}

/// Sends a request through the throttle. A transport failure (timeout, refused or dropped
/// connection) is retryable; an HTTP answer of any status is returned for the connector to read.
pub async fn send(throttle: &Throttle, request: RequestBuilder) -> Result<Reply, CallError> {
    throttle.acquire().await;
    send_now(request).await
}

/// [`send`] once the throttle let the request through (the caller acquired it).
pub async fn send_now(request: RequestBuilder) -> Result<Reply, CallError> {
    let response = request.send().await.map_err(|e| {
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        // The URL can hold a lead's email or phone (lookups): name only the host.
        let host = e
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or_default()
            .to_owned();
        CallError::retryable(format!("{what} ({host}): {}", e.without_url()), None)
    })?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| {
        CallError::retryable(
            format!("reading the answer failed: {}", e.without_url()),
            None,
        )
    })?;
    metrics::counter!("leadgate_crm_requests_total", "status" => status.as_u16().to_string())
        .increment(1);
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// `Retry-After` as seconds or an HTTP date; `None` when absent or unreadable.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs >= 0.0 && secs.is_finite())
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = httpdate_to_unix(value)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Duration::from_secs(when.saturating_sub(now)))
}

/// Reads an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as Unix seconds.
fn httpdate_to_unix(value: &str) -> Option<u64> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let dt = time::PrimitiveDateTime::parse(value, format).ok()?;
    u64::try_from(dt.assume_utc().unix_timestamp()).ok()
}

/// The default reading of an HTTP failure: 429 and 5xx retry (honouring `Retry-After`), 401
/// and 403 are credentials, 404 is a missing record, other 4xx are refusals.
pub fn classify(reply: &Reply, throttle: &Throttle) -> CallError {
    let message = format!("HTTP {}: {}", reply.status.as_u16(), reply.excerpt());
    match reply.status.as_u16() {
        429 => {
            let wait = retry_after(&reply.headers);
            throttle.pause(wait.unwrap_or(Duration::from_secs(1)));
            CallError::retryable(message, wait)
        }
        500..=599 | 408 => CallError::retryable(message, retry_after(&reply.headers)),
        401 | 403 => CallError::auth(message),
        404 | 410 => CallError::not_found(message),
        _ => CallError::permanent(message),
    }
}

/// A reqwest client for one CRM: its own timeouts, rustls, no automatic retries.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5).min(timeout))
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("leadgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a TLS client can be built")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            "retry-after",
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(
            retry_after(&h),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", "-3".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    /// Sends in every rolling window, sliding by a millisecond over the run.
    fn busiest_window(sends: &[Duration], per: Duration) -> usize {
        sends
            .iter()
            .map(|start| {
                sends
                    .iter()
                    .filter(|t| **t >= *start && **t < *start + per)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn a_backlog_runs_at_the_full_window_and_never_over_it() {
        let per = Duration::from_secs(10);
        let t = Throttle::new(rolling_share(100), per);
        let start = tokio::time::Instant::now();
        let mut sends = Vec::new();
        for _ in 0..400 {
            t.acquire().await;
            sends.push(start.elapsed());
        }
        assert_eq!(rolling_share(100), 95);
        assert_eq!(busiest_window(&sends, per), 95, "never over the window");
        // 400 sends at 95 per window: the fifth window opens at 40 s.
        assert_eq!(
            sends[399].as_secs(),
            40,
            "the allowance is used, not halved"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_send() {
        let t = Throttle::new(5, Duration::from_secs(1));
        t.pause(Duration::from_secs(3));
        let start = tokio::time::Instant::now();
        t.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(3));
    }

    #[test]
    fn a_success_is_read_only_when_its_body_is_json() {
        let reply = |body: &'static [u8]| Reply {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: bytes::Bytes::from_static(body),
        };
        assert_eq!(reply(br#"{"id": "7"}"#).read_json().unwrap()["id"], "7");
        assert_eq!(reply(b"").read_json().unwrap(), serde_json::Value::Null);
        for bad in [&br#"{"id": "1"#[..], b"<html>Gateway</html>", b"\xff\xfe"] {
            let e = reply(bad).read_json().unwrap_err();
            assert_eq!(e.class(), "retryable", "{e}");
        }
        let error = Reply {
            status: StatusCode::BAD_GATEWAY,
            ..reply(b"<html>Gateway</html>")
        };
        assert_eq!(error.read_json().unwrap(), serde_json::Value::Null);
    }

    #[test]
    fn default_classes() {
        let t = Throttle::new(0, Duration::from_secs(1));
        let reply = |status: u16| Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: bytes::Bytes::from_static(b"{}"),
        };
        assert_eq!(classify(&reply(503), &t).class(), "retryable");
        assert_eq!(classify(&reply(429), &t).class(), "retryable");
        assert_eq!(classify(&reply(401), &t).class(), "auth");
        assert_eq!(classify(&reply(404), &t).class(), "not_found");
        assert_eq!(classify(&reply(400), &t).class(), "permanent");
    }
}
