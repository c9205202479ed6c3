//! Fault injection: one [`Faults`] handle per simulator, shared by the test that holds it, the
//! admin API and the request pipeline.
//!
//! Per request the pipeline asks [`Faults::decide`] once; the kinds are checked in a fixed order
//! (hang, drop, outage, fail-next, throttle, garble, random error); a write whose answer is to be
//! lost is served first and a counted fault is consumed only
//! when it fires. Latency applies to every answered request on top of that.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Shared fault-injection control of one simulator. Cloning gives another handle to the same
/// state.
#[derive(Clone)]
pub struct Faults {
    inner: Arc<Mutex<FaultState>>,
}

/// What the pipeline must do with a request instead of serving it normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Accept the request and never answer.
    Hang,
    /// Close the connection without a response.
    Drop,
    /// Answer with this status and the vendor's error body.
    Fail(u16),
    /// Answer with the vendor's own rate-limit response.
    Throttle,
    /// Answer 200 with a JSON body cut off mid-way, without serving the request.
    Garble,
}

struct FaultState {
    fail_next: VecDeque<(u32, u16)>,
    outage: Option<(u16, Instant)>,
    error_rate: Option<(f64, u16)>,
    latency: Duration,
    hang_next: u32,
    drop_next: u32,
    throttle_next: u32,
    garble_next: u32,
    /// Writes to paths ending so: how many more are served but not answered.
    lose_answers: Vec<(String, u32)>,
    fail_batch_items: Option<u32>,
    /// Sends that fail with a vendor error, each with how many more it applies to.
    send_failures: Vec<(SendFailure, u32)>,
    rejected: Vec<(String, String)>,
    token_epoch: u64,
    rng: StdRng,
}

/// The JSON form of every [`Faults`] call, accepted by `POST /_sim/faults` (one command or an
/// array of them), e.g. `{"fail_next":{"n":2,"status":503}}` or `"expire_tokens"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultCommand {
    /// See [`Faults::fail_next`].
    FailNext {
        /// How many requests fail.
        n: u32,
        /// HTTP status they get.
        status: u16,
    },
    /// See [`Faults::outage`].
    Outage {
        /// HTTP status every request gets.
        status: u16,
        /// How long the outage lasts, in milliseconds.
        duration_ms: u64,
    },
    /// See [`Faults::set_error_rate`].
    SetErrorRate {
        /// Probability in `0.0..=1.0` that a request fails.
        rate: f64,
        /// HTTP status a failed request gets.
        status: u16,
    },
    /// See [`Faults::set_latency`].
    SetLatency {
        /// Delay added to every response, in milliseconds.
        ms: u64,
    },
    /// See [`Faults::hang_next`].
    HangNext {
        /// How many requests hang.
        n: u32,
    },
    /// See [`Faults::drop_next`].
    DropNext {
        /// How many connections are closed without a response.
        n: u32,
    },
    /// See [`Faults::throttle_next`].
    ThrottleNext {
        /// How many requests get the vendor's rate-limit response.
        n: u32,
    },
    /// See [`Faults::garble_next`].
    GarbleNext {
        /// How many requests get a 200 with a cut-off body.
        n: u32,
    },
    /// See [`Faults::lose_answer_next`].
    LoseAnswerNext {
        /// How many writes are served but never answered.
        n: u32,
        /// The end of their path, e.g. `/crm/v3/objects/deals`.
        path_end: String,
    },
    /// See [`Faults::fail_batch_items`].
    FailBatchItems {
        /// How many items of the next batch request fail.
        k: u32,
    },
    /// See [`Faults::fail_sends`].
    FailSends {
        /// How many sends fail.
        n: u32,
        /// The vendor's error code (Meta: the Graph `error.code`, e.g. 131056).
        code: u32,
        /// HTTP status of the answer; the vendor's usual one when absent.
        #[serde(default)]
        status: Option<u16>,
        /// Only sends to this recipient fail; every send when absent.
        #[serde(default)]
        recipient: Option<String>,
        /// Accept the send and report the failure later by webhook (Meta: a `failed` status)
        /// instead of answering with the error.
        #[serde(default)]
        asynchronous: bool,
    },
    /// See [`Faults::reject_field_value`].
    RejectFieldValue {
        /// Field (property) name, compared case-insensitively.
        field: String,
        /// Value that is refused.
        value: String,
    },
    /// See [`Faults::expire_tokens`].
    ExpireTokens,
    /// See [`Faults::clear`].
    Clear,
}

/// How a send made to fail by [`Faults::fail_sends`] fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendFailure {
    /// The vendor's error code (Meta: the Graph `error.code`).
    pub code: u32,
    /// HTTP status of the answer; the vendor's usual one for the code when `None`.
    pub status: Option<u16>,
    /// Only sends to this recipient fail (Meta: phone number, BSUID or PSID).
    pub recipient: Option<String>,
    /// The send is accepted and the failure reported by webhook later.
    pub asynchronous: bool,
}

impl SendFailure {
    /// Fail with `code`, synchronously, for every recipient.
    pub fn new(code: u32) -> Self {
        SendFailure {
            code,
            status: None,
            recipient: None,
            asynchronous: false,
        }
    }

    /// Answer with this HTTP status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Only for sends to `recipient`.
    pub fn to(mut self, recipient: impl Into<String>) -> Self {
        self.recipient = Some(recipient.into());
        self
    }

    /// Accept the send and report the failure by webhook.
    pub fn asynchronous(mut self) -> Self {
        self.asynchronous = true;
        self
    }
}

impl Faults {
    /// A fresh handle; `seed` makes [`Faults::set_error_rate`] reproducible.
    pub(crate) fn new(seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => rand::make_rng(),
        };
        Faults {
            inner: Arc::new(Mutex::new(FaultState {
                fail_next: VecDeque::new(),
                outage: None,
                error_rate: None,
                latency: Duration::ZERO,
                hang_next: 0,
                drop_next: 0,
                throttle_next: 0,
                garble_next: 0,
                lose_answers: Vec::new(),
                fail_batch_items: None,
                send_failures: Vec::new(),
                rejected: Vec::new(),
                token_epoch: 0,
                rng,
            })),
        }
    }

    fn state(&self) -> MutexGuard<'_, FaultState> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The next `n` requests get `status` with the vendor's error body. Calls queue up.
    pub fn fail_next(&self, n: u32, status: u16) {
        if n > 0 {
            self.state().fail_next.push_back((n, status));
        }
    }

    /// Every request gets `status` for `duration`, then the service recovers by itself.
    pub fn outage(&self, status: u16, duration: Duration) {
        self.state().outage = Some((status, Instant::now() + duration));
    }

    /// Each request fails with `status` with probability `rate` (clamped to `0.0..=1.0`), drawn
    /// from the simulator's RNG (seeded by `Options::seed`). A rate of 0 switches this off.
    pub fn set_error_rate(&self, rate: f64, status: u16) {
        let rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self.state().error_rate = (rate > 0.0).then_some((rate, status));
    }

    /// Delay every response by `latency` (zero switches it off).
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    /// The next `n` requests are accepted and never answered: the client must time out. They are
    /// released (connection closed) when the simulator shuts down.
    pub fn hang_next(&self, n: u32) {
        self.state().hang_next += n;
    }

    /// The next `n` requests have their connection closed without any response.
    pub fn drop_next(&self, n: u32) {
        self.state().drop_next += n;
    }

    /// The next `n` requests get the vendor's own rate-limit response and headers.
    pub fn throttle_next(&self, n: u32) {
        self.state().throttle_next += n;
    }

    /// The next `n` requests are not served but answered `200 OK` with a JSON body cut off
    /// mid-way, as a connection reset inside the body or a broken intermediary leaves it.
    pub fn garble_next(&self, n: u32) {
        self.state().garble_next += n;
    }

    /// The next `n` writes (POST, PUT, PATCH) to a path ending with `path_end` are served —
    /// what they write is written — and then their connection is closed without the answer, as
    /// when a client's timeout or a network fault strikes after the vendor committed.
    pub fn lose_answer_next(&self, n: u32, path_end: impl Into<String>) {
        if n > 0 {
            self.state().lose_answers.push((path_end.into(), n));
        }
    }

    /// Whether this request's answer is to be lost (consumes the fault).
    pub(crate) fn take_lost_answer(&self, method: &str, path: &str) -> bool {
        if !matches!(method, "POST" | "PUT" | "PATCH") {
            return false;
        }
        let mut state = self.state();
        let Some(i) = state
            .lose_answers
            .iter()
            .position(|(end, n)| *n > 0 && path.ends_with(end.as_str()))
        else {
            return false;
        };
        state.lose_answers[i].1 -= 1;
        if state.lose_answers[i].1 == 0 {
            state.lose_answers.remove(i);
        }
        true
    }

    /// In the next batch request, the first `k` items fail with a per-item error and the rest
    /// succeed (HubSpot 207 multi-status, Zoho per-record status, Salesforce composite results).
    pub fn fail_batch_items(&self, k: u32) {
        self.state().fail_batch_items = (k > 0).then_some(k);
    }

    /// The next `n` sends matching `failure.recipient` fail with the vendor's error
    /// `failure.code` (Meta: message sends, not read receipts or sender actions; see the Meta
    /// simulator's docs for the bodies). Calls queue up; a send takes the first that matches.
    pub fn fail_sends(&self, n: u32, failure: SendFailure) {
        if n > 0 {
            self.state().send_failures.push((failure, n));
        }
    }

    /// The failure for a send to a recipient that `matches` a failure's recipient filter
    /// (consumes one use).
    pub(crate) fn take_send_failure(&self, matches: impl Fn(&str) -> bool) -> Option<SendFailure> {
        let mut state = self.state();
        let i = state.send_failures.iter().position(|(failure, left)| {
            *left > 0 && failure.recipient.as_deref().is_none_or(&matches)
        })?;
        state.send_failures[i].1 -= 1;
        let failure = state.send_failures[i].0.clone();
        if state.send_failures[i].1 == 0 {
            state.send_failures.remove(i);
        }
        Some(failure)
    }

    /// Any write carrying `value` in `field` gets the vendor's permanent validation error.
    pub fn reject_field_value(&self, field: impl Into<String>, value: impl Into<String>) {
        self.state().rejected.push((field.into(), value.into()));
    }

    /// Invalidate every access token issued so far by the simulator's token endpoint. Static
    /// credentials (HubSpot private-app token, Pipedrive API token, Slack tokens) stay valid;
    /// Meta's long-lived tokens expire too (error 190, subcode 463). [`Faults::clear`] does not
    /// bring expired tokens back.
    pub fn expire_tokens(&self) {
        self.state().token_epoch += 1;
    }

    /// Remove every pending and standing fault.
    pub fn clear(&self) {
        let mut state = self.state();
        state.fail_next.clear();
        state.outage = None;
        state.error_rate = None;
        state.latency = Duration::ZERO;
        state.hang_next = 0;
        state.drop_next = 0;
        state.throttle_next = 0;
        state.garble_next = 0;
        state.lose_answers.clear();
        state.fail_batch_items = None;
        state.send_failures.clear();
        state.rejected.clear();
    }

    /// Apply one command in its JSON form.
    pub fn apply(&self, command: FaultCommand) {
        match command {
            FaultCommand::FailNext { n, status } => self.fail_next(n, status),
            FaultCommand::Outage {
                status,
                duration_ms,
            } => self.outage(status, Duration::from_millis(duration_ms)),
            FaultCommand::SetErrorRate { rate, status } => self.set_error_rate(rate, status),
            FaultCommand::SetLatency { ms } => self.set_latency(Duration::from_millis(ms)),
            FaultCommand::HangNext { n } => self.hang_next(n),
            FaultCommand::DropNext { n } => self.drop_next(n),
            FaultCommand::ThrottleNext { n } => self.throttle_next(n),
            FaultCommand::GarbleNext { n } => self.garble_next(n),
            FaultCommand::LoseAnswerNext { n, path_end } => self.lose_answer_next(n, path_end),
            FaultCommand::FailBatchItems { k } => self.fail_batch_items(k),
            FaultCommand::FailSends {
                n,
                code,
                status,
                recipient,
                asynchronous,
            } => self.fail_sends(
                n,
                SendFailure {
                    code,
                    status,
                    recipient,
                    asynchronous,
                },
            ),
            FaultCommand::RejectFieldValue { field, value } => {
                self.reject_field_value(field, value)
            }
            FaultCommand::ExpireTokens => self.expire_tokens(),
            FaultCommand::Clear => self.clear(),
        }
    }

    /// The latency currently added to responses.
    pub(crate) fn latency(&self) -> Duration {
        self.state().latency
    }

    /// What to do with the request that just arrived, consuming counted faults.
    pub(crate) fn decide(&self) -> Option<Decision> {
        let mut state = self.state();
        if state.hang_next > 0 {
            state.hang_next -= 1;
            return Some(Decision::Hang);
        }
        if state.drop_next > 0 {
            state.drop_next -= 1;
            return Some(Decision::Drop);
        }
        if let Some((status, until)) = state.outage {
            if Instant::now() < until {
                return Some(Decision::Fail(status));
            }
            state.outage = None;
        }
        if let Some((remaining, status)) = state.fail_next.front_mut() {
            let status = *status;
            *remaining -= 1;
            if *remaining == 0 {
                state.fail_next.pop_front();
            }
            return Some(Decision::Fail(status));
        }
        if state.throttle_next > 0 {
            state.throttle_next -= 1;
            return Some(Decision::Throttle);
        }
        if state.garble_next > 0 {
            state.garble_next -= 1;
            return Some(Decision::Garble);
        }
        if let Some((rate, status)) = state.error_rate
            && state.rng.random_bool(rate)
        {
            return Some(Decision::Fail(status));
        }
        None
    }

    /// How many items of this batch request must fail (consumes the fault).
    pub(crate) fn take_batch_failures(&self) -> u32 {
        self.state().fail_batch_items.take().unwrap_or(0)
    }

    /// The first `(field, value)` rejection rule that `fields` trips, with the field name as
    /// spelled in `fields`.
    pub(crate) fn rejected_value(&self, fields: &Map<String, Value>) -> Option<(String, String)> {
        let state = self.state();
        state.rejected.iter().find_map(|(field, value)| {
            fields
                .iter()
                .find(|(name, held)| name.eq_ignore_ascii_case(field) && holds(held, value))
                .map(|(name, _)| (name.clone(), value.clone()))
        })
    }

    /// The current token generation; tokens issued in an earlier one are expired.
    pub(crate) fn token_epoch(&self) -> u64 {
        self.state().token_epoch
    }
}

/// Whether a JSON field value "is" `wanted`: equal as text, or an element of an array of
/// values or of `{"value": …}` objects (Pipedrive emails and phones).
fn holds(held: &Value, wanted: &str) -> bool {
    match held {
        Value::String(text) => text == wanted,
        Value::Number(number) => number.to_string() == wanted,
        Value::Bool(flag) => flag.to_string() == wanted,
        Value::Array(items) => items.iter().any(|item| holds(item, wanted)),
        Value::Object(object) => object.get("value").is_some_and(|v| holds(v, wanted)),
        Value::Null => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counted_faults_fire_in_order_and_are_consumed() {
        let faults = Faults::new(Some(1));
        faults.fail_next(2, 503);
        faults.throttle_next(1);
        faults.drop_next(1);
        assert_eq!(faults.decide(), Some(Decision::Drop));
        assert_eq!(faults.decide(), Some(Decision::Fail(503)));
        assert_eq!(faults.decide(), Some(Decision::Fail(503)));
        assert_eq!(faults.decide(), Some(Decision::Throttle));
        assert_eq!(faults.decide(), None);
    }

    #[test]
    fn error_rate_is_reproducible_with_a_seed() {
        let draw = || {
            let faults = Faults::new(Some(42));
            faults.set_error_rate(0.5, 500);
            (0..64)
                .map(|_| faults.decide().is_some())
                .collect::<Vec<_>>()
        };
        let first = draw();
        assert_eq!(first, draw());
        assert!(first.iter().any(|failed| *failed));
        assert!(first.iter().any(|failed| !*failed));
    }

    #[test]
    fn rejection_matches_strings_and_pipedrive_value_lists() {
        let faults = Faults::new(None);
        faults.reject_field_value("email", "bad@example.com");
        let plain = json!({"Email": "bad@example.com"});
        let listed = json!({"emails": [{"value": "x@example.com"}], "email": [{"value": "bad@example.com"}]});
        let clean = json!({"email": "good@example.com"});
        assert_eq!(
            faults.rejected_value(plain.as_object().unwrap()),
            Some(("Email".into(), "bad@example.com".into()))
        );
        assert!(faults.rejected_value(listed.as_object().unwrap()).is_some());
        assert!(faults.rejected_value(clean.as_object().unwrap()).is_none());
    }

    #[test]
    fn commands_parse_from_json() {
        let command: FaultCommand =
            serde_json::from_value(json!({"fail_next": {"n": 2, "status": 503}})).unwrap();
        assert_eq!(command, FaultCommand::FailNext { n: 2, status: 503 });
        let command: FaultCommand = serde_json::from_value(json!("expire_tokens")).unwrap();
        assert_eq!(command, FaultCommand::ExpireTokens);
    }

    #[test]
    fn send_failures_match_recipients_and_run_out() {
        let faults = Faults::new(None);
        let command: FaultCommand = serde_json::from_value(
            json!({"fail_sends": {"n": 1, "code": 131056, "recipient": "16505551234"}}),
        )
        .unwrap();
        faults.apply(command);
        faults.fail_sends(2, SendFailure::new(130429).status(429));
        assert_eq!(faults.take_send_failure(|r| r == "1").unwrap().code, 130429);
        let pair = faults.take_send_failure(|r| r == "16505551234").unwrap();
        assert_eq!((pair.code, pair.status), (131056, None));
        assert_eq!(
            faults.take_send_failure(|_| true).unwrap().status,
            Some(429)
        );
        assert!(faults.take_send_failure(|_| true).is_none());
        faults.fail_sends(1, SendFailure::new(1).to("x"));
        faults.clear();
        assert!(faults.take_send_failure(|_| true).is_none());
    }

    #[test]
    fn clear_keeps_expired_tokens_expired() {
        let faults = Faults::new(None);
        faults.expire_tokens();
        faults.clear();
        assert_eq!(faults.token_epoch(), 1);
    }
}
