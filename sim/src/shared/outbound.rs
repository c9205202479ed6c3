//! Requests a simulator sends toward the system under test, as its vendor would: webhook and
//! event deliveries, signed by the vendor module, retried on the vendor's schedule, and every
//! attempt logged with the answer it got.
//!
//! Vendor modules build each attempt's request (bodies and signatures change between attempts:
//! HubSpot's `attemptNumber`, Pipedrive's `meta.attempt`, Slack's retry headers) and say which
//! answers are retried; this module sends, waits, times out and records.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

/// How a vendor retries a delivery the receiver did not accept.
///
/// `delays[i]` is the wait before retry `i + 1`, so `delays.len()` is the number of retries
/// after the first attempt. Real schedules run for minutes or hours; tests usually keep the
/// count and shorten the waits with [`RetryPolicy::compressed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How long the vendor waits for an answer before it counts the attempt as failed.
    pub timeout: Duration,
    /// The wait before each retry.
    pub delays: Vec<Duration>,
}

impl RetryPolicy {
    /// A policy with these values.
    pub fn new(timeout: Duration, delays: Vec<Duration>) -> Self {
        RetryPolicy { timeout, delays }
    }

    /// One attempt, never retried.
    pub fn never(timeout: Duration) -> Self {
        RetryPolicy::new(timeout, Vec::new())
    }

    /// The same number of retries and timeout, every wait replaced by `delay` (for tests).
    pub fn compressed(mut self, delay: Duration) -> Self {
        for wait in &mut self.delays {
            *wait = delay;
        }
        self
    }

    /// The same schedule with another timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many attempts at most: the first plus the retries.
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.delays.len())
            .unwrap_or(u32::MAX - 1)
            .saturating_add(1)
    }
}

/// One request a simulator sent toward the system under test, and what came back.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookDelivery {
    /// Shared by every attempt of the same delivery (a HubSpot batch, a Slack `event_id`, a
    /// Pipedrive `meta.id`, a Zoho notification).
    pub id: String,
    /// What was delivered, e.g. `hubspot.deal.propertyChange`, `slack.event_callback`,
    /// `slack.block_actions`, `pipedrive.change.deal`, `zoho.notification`.
    pub kind: String,
    /// The URL it was sent to.
    pub url: String,
    /// 1 for the first attempt, 2 for the first retry, …
    pub attempt: u32,
    /// The request headers that were set (lower-case names).
    pub headers: BTreeMap<String, String>,
    /// The request body as sent.
    pub body: String,
    /// The receiver's HTTP status, or `None` when it timed out or could not be reached.
    pub status: Option<u16>,
    /// Why there is no status (`timeout`, `connection failed: …`).
    pub failure: Option<String>,
    /// The receiver's response body.
    pub response_body: String,
    /// When the attempt was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}

impl WebhookDelivery {
    /// Whether the receiver answered 2xx.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// A request header's value (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The body parsed as JSON; a form body's `payload` field is parsed instead (Slack
    /// interactions).
    pub fn json(&self) -> Option<Value> {
        if let Ok(value) = serde_json::from_str(&self.body) {
            return Some(value);
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&self.body).ok()?;
        let payload = pairs.into_iter().find(|(k, _)| k == "payload")?.1;
        serde_json::from_str(&payload).ok()
    }
}

/// Attempts kept before the oldest are dropped (a long benchmark must not grow forever).
const MAX_LOG: usize = 100_000;
/// How many of the oldest attempts are dropped at once.
const TRIM: usize = 10_000;

/// One attempt's request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outgoing {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What the receiver answered to one attempt.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answer {
    pub status: Option<u16>,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub timed_out: bool,
}

impl Answer {
    /// Whether the receiver answered 2xx.
    pub(crate) fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The sender and the log of one simulator.
pub(crate) struct Outbound {
    client: reqwest::Client,
    log: Mutex<Vec<WebhookDelivery>>,
    shutdown: CancellationToken,
}

impl Outbound {
    /// A sender whose background deliveries stop when `shutdown` is cancelled.
    pub(crate) fn new(shutdown: CancellationToken) -> Self {
        // Vendors do not follow redirects on webhook deliveries (Pipedrive: "the chosen URL
        // must not redirect"; Slack counts them as `too_many_redirects`), so neither does this.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Outbound {
            client,
            log: Mutex::new(Vec::new()),
            shutdown,
        }
    }

    /// Every attempt so far, oldest first (the most recent 100,000 or more).
    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Forget the log.
    pub(crate) fn clear(&self) {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Run `task` in the background until it ends or the simulator shuts down.
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = task => {}
            }
        });
    }

    /// POST one attempt and log it.
    pub(crate) async fn send(
        &self,
        kind: &str,
        id: &str,
        attempt: u32,
        request: Outgoing,
        timeout: Duration,
    ) -> Answer {
        let sent_at = OffsetDateTime::now_utc();
        let mut builder = self.client.post(&request.url).timeout(timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let result = builder.body(request.body.clone()).send().await;
        let (answer, failure) = match result {
            Ok(response) => {
                let status = response.status().as_u16();
                let headers = response
                    .headers()
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                    .collect();
                match response.text().await {
                    Ok(body) => (
                        Answer {
                            status: Some(status),
                            headers,
                            body,
                            timed_out: false,
                        },
                        None,
                    ),
                    Err(error) => (
                        Answer {
                            timed_out: error.is_timeout(),
                            ..Answer::default()
                        },
                        Some(describe(&error)),
                    ),
                }
            }
            Err(error) => (
                Answer {
                    timed_out: error.is_timeout(),
                    ..Answer::default()
                },
                Some(describe(&error)),
            ),
        };
        tracing::debug!(kind, id, attempt, status = ?answer.status, "delivered");
        let entry = WebhookDelivery {
            id: id.to_owned(),
            kind: kind.to_owned(),
            url: request.url,
            attempt,
            headers: request
                .headers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            body: request.body,
            status: answer.status,
            failure,
            response_body: answer.body.clone(),
            sent_at,
        };
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() >= MAX_LOG + TRIM {
            log.drain(..TRIM);
        }
        log.push(entry);
        drop(log);
        answer
    }

    /// Attempts `job.first..` of a delivery: send, and while the answer is not 2xx, `retry`
    /// says so and the policy has retries left, wait and send again. `build(n, previous)` makes
    /// attempt `n`'s request, knowing the answer to the attempt before it. Returns the last
    /// answer.
    pub(crate) async fn deliver(
        &self,
        job: Job<'_>,
        mut build: impl FnMut(u32, Option<&Answer>) -> Outgoing,
        retry: impl Fn(&Answer) -> bool,
    ) -> Answer {
        let mut attempt = job.first.max(1);
        let mut previous = job.previous;
        loop {
            let request = build(attempt, previous.as_ref());
            let answer = self
                .send(job.kind, job.id, attempt, request, job.policy.timeout)
                .await;
            if answer.succeeded() || !retry(&answer) {
                return answer;
            }
            let Some(wait) = usize::try_from(attempt - 1)
                .ok()
                .and_then(|i| job.policy.delays.get(i))
            else {
                return answer;
            };
            tokio::time::sleep(*wait).await;
            attempt += 1;
            previous = Some(answer);
        }
    }
}

/// What [`Outbound::deliver`] is to deliver.
pub(crate) struct Job<'a> {
    /// The delivery's kind (see [`WebhookDelivery::kind`]).
    pub kind: &'a str,
    /// The delivery's id (see [`WebhookDelivery::id`]).
    pub id: &'a str,
    /// The vendor's timeout and retry schedule.
    pub policy: &'a RetryPolicy,
    /// The number of the first attempt to make (1 unless the caller made earlier ones).
    pub first: u32,
    /// The answer to the attempt before `first`, if the caller made it.
    pub previous: Option<Answer>,
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timeout".into()
    } else if error.is_connect() {
        format!("connection failed: {error}")
    } else {
        format!("request failed: {error}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_keeps_count_and_timeout() {
        let policy = RetryPolicy::new(
            Duration::from_secs(10),
            vec![Duration::from_secs(3), Duration::from_secs(30)],
        )
        .compressed(Duration::from_millis(1));
        assert_eq!(policy.delays, vec![Duration::from_millis(1); 2]);
        assert_eq!(policy.timeout, Duration::from_secs(10));
        assert_eq!(policy.attempts(), 3);
        assert_eq!(RetryPolicy::never(Duration::from_secs(1)).attempts(), 1);
    }

    #[test]
    fn form_payloads_parse_as_json() {
        let delivery = WebhookDelivery {
            id: "1".into(),
            kind: "k".into(),
            url: "u".into(),
            attempt: 1,
            headers: BTreeMap::from([("x-a".to_owned(), "1".to_owned())]),
            body: "payload=%7B%22type%22%3A%22block_actions%22%7D".into(),
            status: Some(200),
            failure: None,
            response_body: String::new(),
            sent_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(delivery.json().unwrap()["type"], "block_actions");
        assert_eq!(delivery.header("X-A"), Some("1"));
        assert!(delivery.succeeded());
    }
}
