//! The LLM engine: any OpenAI-compatible chat-completions server words the assistant's reply.
//!
//! The rule engine still plans every turn — what to ask next, accepted refusals, the offer of a
//! human follow-up — so the conversation state is the same whichever engine runs, and its reply
//! is the draft the model rewrites. When the model fails, is slow, refuses, or answers with
//! nothing usable, the visitor gets the draft: a turn never fails because of the model. Facts
//! never come from the model; the extractor reads them from the visitor's own words only.
//!
//! On a site with `require_consent`, the model is not called until the visitor accepts the
//! privacy notice: what they write does not leave the gateway before that.
//!
//! The client is a small reqwest call rather than a typed SDK: answers of compatible servers that
//! strict typed clients reject (an empty `finish_reason`, no `id` or `model`, content as parts,
//! error bodies with integer codes or none at all) are read here, and a reply that is not usable
//! is a fallback, never an error for the visitor.
//!
//! Failures open a breaker: after [`TRIP_AFTER`] failures in a row, or at once when the key is
//! refused or the quota is used up, the model is skipped for a while and turns are answered at
//! rule-engine speed.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tracing::warn;

use super::engine::{BotReply, Engine, EngineInput, EngineOutput, StreamSink};
use super::rules::RuleEngine;
use crate::config::{LlmConfig, SiteConfig};
use crate::lead::{Lang, Lead};

/// Failures in a row that open the breaker.
pub const TRIP_AFTER: u32 = 3;
/// How long the breaker stays open after failures in a row.
const OPEN_FOR: Duration = Duration::from_secs(30);
/// How long it stays open after a refused key or a used-up quota.
const OPEN_FOR_LONG: Duration = Duration::from_secs(300);
/// Largest answer body read.
const MAX_ANSWER_BYTES: usize = 1 << 20;
/// Longest reply sent to the visitor, in characters.
pub const MAX_REPLY_CHARS: usize = 1000;
/// Longest reply text, reasoning included, that is streamed while it is written.
const MAX_STREAM_SCAN: usize = 16 * 1024;
/// Longest wait before the one retry of a throttled or failed call.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(2);

/// Why the model's answer was not used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("no answer in time")]
    Timeout,
    #[error("cannot reach the server: {0}")]
    Transport(String),
    /// An error status; `retry` is set when trying again may help.
    #[error("HTTP {status}: {message}")]
    Status {
        status: u16,
        message: String,
        retry: Option<Duration>,
    },
    #[error("the API key was refused (HTTP {status}): {message}")]
    Auth { status: u16, message: String },
    #[error("the quota is used up: {0}")]
    Quota(String),
    #[error("unusable answer: {0}")]
    Malformed(String),
    #[error("the model declined: {0}")]
    Declined(String),
    #[error("the model's reply was empty or unusable")]
    Empty,
}

impl LlmError {
    /// A short label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::Timeout => "timeout",
            LlmError::Transport(_) => "transport",
            LlmError::Status { .. } => "status",
            LlmError::Auth { .. } => "auth",
            LlmError::Quota(_) => "quota",
            LlmError::Malformed(_) => "malformed",
            LlmError::Declined(_) => "declined",
            LlmError::Empty => "empty",
        }
    }

    /// How long to wait before one more try, when one may help.
    fn retry_in(&self) -> Option<Duration> {
        match self {
            LlmError::Status { retry, .. } => *retry,
            LlmError::Transport(_) => Some(Duration::from_millis(100)),
            _ => None,
        }
    }

    /// Whether only an operator can fix it (the key, the plan).
    fn is_lasting(&self) -> bool {
        matches!(self, LlmError::Auth { .. } | LlmError::Quota(_))
    }
}

#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

impl Breaker {
    fn is_open(&self, now: Instant) -> bool {
        self.open_until.is_some_and(|until| now < until)
    }

    fn record(&mut self, result: &Result<String, LlmError>, now: Instant) {
        match result {
            Ok(_) => *self = Breaker::default(),
            // The model declining a turn says nothing about its health.
            Err(LlmError::Declined(_) | LlmError::Empty) => {}
            Err(e) => {
                self.failures += 1;
                if e.is_lasting() {
                    self.open_until = Some(now + OPEN_FOR_LONG);
                } else if self.failures >= TRIP_AFTER {
                    self.open_until = Some(now + OPEN_FOR);
                }
            }
        }
    }
}

/// The engine.
pub struct LlmEngine {
    rules: RuleEngine,
    http: reqwest::Client,
    url: String,
    api_key: SecretString,
    config: LlmConfig,
    system: String,
    /// Sentences of the system prompt a reply must not repeat.
    secrets: Vec<String>,
    breaker: Mutex<Breaker>,
}

impl LlmEngine {
    /// An engine calling `config.base_url` with `api_key`, planning with `rules`, and the
    /// system prompt template `system`.
    pub fn new(
        rules: RuleEngine,
        config: LlmConfig,
        api_key: SecretString,
        system: String,
    ) -> Result<LlmEngine, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(Duration::from_secs(config.timeout_secs)))
            .tcp_nodelay(true)
            .build()?;
        let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        let secrets = system
            .split(['.', '\n', ':'])
            .map(str::trim)
            .filter(|s| s.chars().count() >= 40 && !s.contains('{'))
            .map(str::to_owned)
            .collect();
        Ok(LlmEngine {
            rules,
            http,
            url,
            api_key,
            config,
            system,
            secrets,
            breaker: Mutex::new(Breaker::default()),
        })
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The chat-completions request for one turn.
    pub fn request(&self, input: &EngineInput<'_>, draft: &str) -> Value {
        let site = if input.site.name.is_empty() {
            input.site.key.as_str()
        } else {
            input.site.name.as_str()
        };
        let facts: Vec<String> = self
            .rules
            .faq()
            .answers(input.lang)
            .map(|a| format!("- {a}"))
            .collect();
        let facts = if facts.is_empty() {
            "(none)".to_owned()
        } else {
            facts.join("\n")
        };
        let noted = noted_fields(input.lead);
        let system = self
            .system
            .replace("{site}", site)
            .replace("{language}", language_name(input.lang))
            .replace("{facts}", &facts)
            .replace(
                "{noted}",
                if noted.is_empty() {
                    "nothing yet"
                } else {
                    &noted
                },
            )
            .replace("{draft}", draft);
        let mut messages = vec![json!({"role": "system", "content": system.trim()})];
        let skip = input
            .history
            .len()
            .saturating_sub(self.config.history_messages);
        let mut turns: Vec<(&str, String)> = Vec::new();
        let said = input.history[skip..]
            .iter()
            .map(|m| (m.role == "visitor", m.text.as_str()))
            .chain(std::iter::once((true, input.visitor_text)));
        for (visitor, text) in said {
            let role = if visitor { "user" } else { "assistant" };
            if text.trim().is_empty() || (turns.is_empty() && role == "assistant") {
                // Many chat templates want the first turn to be the user's.
                continue;
            }
            match turns.last_mut() {
                // Many chat templates want roles to alternate: one visitor burst is one turn.
                Some((last, joined)) if *last == role => {
                    joined.push('\n');
                    joined.push_str(text);
                }
                _ => turns.push((role, text.to_owned())),
            }
        }
        messages.extend(
            turns
                .into_iter()
                .map(|(role, content)| json!({"role": role, "content": content})),
        );
        json!({
            "model": self.config.model,
            "messages": messages,
            "temperature": (f64::from(self.config.temperature) * 100.0).round() / 100.0,
            "max_tokens": self.config.max_tokens,
            "stream": false,
        })
    }

    /// The model's wording of the turn, with one retry when the server asks for one and the
    /// deadline leaves room.
    async fn words(&self, body: &Value, sink: Option<&StreamSink>) -> Result<String, LlmError> {
        let deadline = Instant::now() + Duration::from_secs(self.config.timeout_secs);
        let bytes = serde_json::to_vec(body).map_err(|e| LlmError::Malformed(e.to_string()))?;
        let mut retried = false;
        let mut shown = Shown::default();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let result = tokio::time::timeout(left, self.call(bytes.clone(), sink, &mut shown))
                .await
                .unwrap_or(Err(LlmError::Timeout));
            let wait = match &result {
                // Once the visitor saw part of a reply, a second one would not follow on.
                Err(e) if !retried && shown.sent.is_empty() => e.retry_in(),
                _ => None,
            };
            match wait {
                Some(wait)
                    if wait <= MAX_RETRY_WAIT
                        && wait + Duration::from_millis(500)
                            < deadline.saturating_duration_since(Instant::now()) =>
                {
                    retried = true;
                    tokio::time::sleep(wait).await;
                }
                _ => return result.and_then(|text| self.tidy(&text)),
            }
        }
    }

    async fn call(
        &self,
        body: Vec<u8>,
        sink: Option<&StreamSink>,
        shown: &mut Shown,
    ) -> Result<String, LlmError> {
        let mut request = self
            .http
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        if !self.api_key.expose_secret().is_empty() {
            request = request.bearer_auth(self.api_key.expose_secret());
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| LlmError::Transport(without_url(e)))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let event_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if (200..300).contains(&status) && event_stream {
            return read_stream(&mut response, sink, shown).await;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| LlmError::Transport(without_url(e)))?
        {
            if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(LlmError::Malformed(
                    "the answer is larger than 1 MiB".into(),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if (200..300).contains(&status) {
            read_answer(&bytes)
        } else {
            Err(classify(status, &bytes, retry_after))
        }
    }

    /// The reply as the visitor may see it, or why not.
    fn tidy(&self, text: &str) -> Result<String, LlmError> {
        let reply = tidy(text).ok_or(LlmError::Empty)?;
        if self.secrets.iter().any(|s| reply.contains(s.as_str())) {
            return Err(LlmError::Declined(
                "the reply repeats the system prompt".into(),
            ));
        }
        Ok(reply)
    }
}

impl Engine for LlmEngine {
    fn streams(&self) -> bool {
        self.config.stream
    }

    fn greeting(&self, site: &SiteConfig, lang: Lang) -> BotReply {
        self.rules.greeting(site, lang)
    }

    fn reply<'a>(&'a self, input: EngineInput<'a>) -> BoxFuture<'a, EngineOutput> {
        Box::pin(async move {
            let mut plan = self.rules.turn(input.clone());
            let Some(draft) = plan.replies.last_mut() else {
                return plan;
            };
            // On a site that asks for consent, nothing the visitor wrote leaves the gateway
            // before they accept the privacy notice.
            if input.consent_missing {
                metrics::counter!("leadgate_llm_replies_total", "outcome" => "no_consent")
                    .increment(1);
                return plan;
            }
            if self.breaker().is_open(Instant::now()) {
                metrics::counter!("leadgate_llm_replies_total", "outcome" => "breaker_open")
                    .increment(1);
                return plan;
            }
            let mut body = self.request(&input, &draft.text);
            let sink = input.stream.filter(|_| self.config.stream);
            body["stream"] = Value::Bool(sink.is_some());
            let started = Instant::now();
            let result = self.words(&body, sink).await;
            metrics::histogram!("leadgate_llm_seconds").record(started.elapsed().as_secs_f64());
            let was_open = {
                let mut breaker = self.breaker();
                let before = breaker.failures;
                breaker.record(&result, Instant::now());
                before >= TRIP_AFTER
            };
            match result {
                Ok(text) => {
                    metrics::counter!("leadgate_llm_replies_total", "outcome" => "model")
                        .increment(1);
                    draft.text = text;
                }
                Err(e) => {
                    metrics::counter!("leadgate_llm_replies_total", "outcome" => e.kind())
                        .increment(1);
                    if !was_open {
                        warn!(error = %e, "the LLM gave no usable reply; the rule engine's is sent");
                    }
                }
            }
            plan
        })
    }
}

/// What of a streamed reply the visitor has seen.
#[derive(Debug, Default)]
struct Shown {
    sent: String,
    /// Cleaning changed text already shown: nothing more is streamed, and the stored message
    /// replaces what was.
    stopped: bool,
}

impl Shown {
    /// Streams what `raw` (the content so far) adds to the visible reply.
    fn feed(&mut self, raw: &str, sink: &StreamSink) {
        // Past these sizes nothing more can be shown (the reply is cut at MAX_REPLY_CHARS), and
        // re-reading the whole text on every piece would cost more than it shows.
        if self.sent.len() >= MAX_REPLY_CHARS || raw.len() > MAX_STREAM_SCAN {
            self.stopped = true;
        }
        if self.stopped {
            return;
        }
        let Some(visible) = visible_so_far(raw) else {
            return;
        };
        match visible.strip_prefix(self.sent.as_str()) {
            Some("") => {}
            Some(new) => {
                sink(new);
                self.sent.push_str(new);
            }
            None => self.stopped = true,
        }
    }
}

/// The part of a reply being written that can be shown: nothing while the start may still be a
/// speaker label or a reasoning block, and nothing of a marker that may still be completing.
fn visible_so_far(raw: &str) -> Option<String> {
    let text = without_reasoning(raw);
    let text = text.trim_start();
    if text.chars().count() < 12 {
        return None;
    }
    let text = without_label(text).trim_start_matches(['"', '“', '«', '\'']);
    let mut text = text.replace("**", "").replace("__", "");
    // A `<think>`, `**` or `__` still arriving.
    if let Some(cut) = text.rfind(['<', '*', '_'])
        && text.len() - cut < 8
    {
        text.truncate(cut);
    }
    let text = crate::lead::text::truncate(&text, MAX_REPLY_CHARS);
    Some(text.to_owned())
}

/// Reads a server-sent event stream of `chat.completion.chunk`s: content pieces go to `sink` as
/// they arrive; the whole content is the result. A stream that stops before `[DONE]` or a
/// finish reason, an error event, a refusal or a tool call is an error.
async fn read_stream(
    response: &mut reqwest::Response,
    sink: Option<&StreamSink>,
    shown: &mut Shown,
) -> Result<String, LlmError> {
    let mut pending: Vec<u8> = Vec::new();
    let mut raw = String::new();
    let mut event = String::new();
    let mut finish: Option<String> = None;
    let mut done = false;
    while !done {
        let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| LlmError::Transport(without_url(e)))?
        else {
            break;
        };
        if raw.len() + pending.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(LlmError::Malformed(
                "the answer is larger than 1 MiB".into(),
            ));
        }
        pending.extend_from_slice(&chunk);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                event.clear();
                continue;
            }
            if let Some(name) = line.strip_prefix("event:") {
                event = name.trim().to_owned();
                continue;
            }
            let Some(data) = line.strip_prefix("data:") else {
                continue;
            };
            let data = data.trim_start();
            if data == "[DONE]" {
                done = true;
                break;
            }
            if matches!(event.as_str(), "keepalive" | "ping") {
                continue;
            }
            let v: Value = serde_json::from_str(data)
                .map_err(|e| LlmError::Malformed(format!("a stream event is not JSON: {e}")))?;
            if v["error"].is_object() {
                let message = v["error"]["message"].as_str().unwrap_or("an error event");
                return Err(LlmError::Malformed(format!(
                    "the stream broke off: {}",
                    crate::lead::text::truncate(message, 300)
                )));
            }
            let Some(choice) = v["choices"].get(0) else {
                continue;
            };
            let delta = &choice["delta"];
            if let Some(declined) = refusal(delta) {
                return Err(declined);
            }
            if delta["tool_calls"].is_array() {
                return Err(LlmError::Malformed(
                    "the model called a tool; none was offered".into(),
                ));
            }
            if let Some(piece) = delta["content"].as_str()
                && !piece.is_empty()
            {
                raw.push_str(piece);
                if let Some(sink) = sink {
                    shown.feed(&raw, sink);
                }
            }
            if let Some(reason) = choice["finish_reason"].as_str().filter(|f| !f.is_empty()) {
                finish = Some(reason.to_owned());
            }
        }
    }
    if !done && finish.is_none() {
        return Err(LlmError::Malformed(
            "the stream ended before the reply did".into(),
        ));
    }
    finished(raw, finish.as_deref())
}

/// A whole reply by how it finished: a content filter declines it, and one cut off by
/// `max_tokens` keeps its whole sentences.
fn finished(content: String, reason: Option<&str>) -> Result<String, LlmError> {
    match reason {
        Some("content_filter") => Err(LlmError::Declined("content filter".into())),
        Some("length") => whole_sentences(&content).ok_or(LlmError::Empty),
        _ => Ok(content),
    }
}

/// The model's refusal, when `message` (or a streamed delta) carries one.
fn refusal(message: &Value) -> Option<LlmError> {
    let text = message["refusal"]
        .as_str()
        .filter(|r| !r.trim().is_empty())?;
    Some(LlmError::Declined(
        crate::lead::text::truncate(text, 300).to_owned(),
    ))
}

/// The language's English name, as the system prompt names it.
pub fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::Pl => "Polish",
        Lang::De => "German",
        Lang::Es => "Spanish",
        Lang::Fr => "French",
    }
}

/// The names of the fields the lead holds, for the system prompt (names, not values).
fn noted_fields(lead: &Lead) -> String {
    let fields = [
        ("name", lead.name.is_some()),
        ("email", lead.email.is_some()),
        ("phone", lead.phone.is_some()),
        ("company", lead.company.is_some()),
        ("role", lead.job_title.is_some()),
        ("budget", lead.budget.is_some()),
        ("timeline", lead.timeline_days.is_some()),
        ("who decides", lead.decision_maker.is_some()),
        ("company size", lead.company_size.is_some()),
    ];
    fields
        .iter()
        .filter(|(_, known)| *known)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A transport error without the URL (it may carry a key in a query string).
fn without_url(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        e.without_url().to_string()
    }
}

/// `retry-after` (seconds, fractions allowed) or `retry-after-ms`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
    };
    number("retry-after-ms")
        .map(|ms| Duration::from_secs_f64((ms / 1000.0).min(3600.0)))
        .or_else(|| number("retry-after").map(|s| Duration::from_secs_f64(s.min(3600.0))))
}

/// An error answer: OpenAI's `{"error": {message, type, code}}`, the unwrapped and integer-code
/// shapes of other servers, or plain text.
pub fn classify(status: u16, body: &[u8], retry_after: Option<Duration>) -> LlmError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let error = json.as_ref().map(|v| {
        if v["error"].is_object() {
            &v["error"]
        } else {
            v
        }
    });
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let field = |name: &str| error.and_then(|e| text(&e[name])).unwrap_or_default();
    let mut message = match error.and_then(|e| e["message"].as_str()) {
        Some(m) => m.to_owned(),
        None if json.is_some() => String::new(),
        None => String::from_utf8_lossy(body).trim().to_owned(),
    };
    if message.is_empty() {
        message = format!("HTTP {status}");
    }
    let message = crate::lead::text::truncate(&message, 300).to_owned();
    let (code, kind) = (field("code"), field("type"));
    match status {
        401 | 403 => LlmError::Auth { status, message },
        429 if code == "insufficient_quota" || kind == "insufficient_quota" => {
            LlmError::Quota(message)
        }
        429 => LlmError::Status {
            status,
            message,
            retry: Some(retry_after.unwrap_or(Duration::from_secs(1))),
        },
        408 | 409 | 500..=599 => LlmError::Status {
            status,
            message,
            retry: Some(retry_after.unwrap_or(Duration::from_millis(200))),
        },
        _ => LlmError::Status {
            status,
            message,
            retry: None,
        },
    }
}

/// The text of a successful answer. Lenient where compatible servers differ (missing `id`,
/// `object` or `model`, an empty or unknown `finish_reason`, content as a list of parts); strict
/// where it matters (there must be a first choice with text).
pub fn read_answer(body: &[u8]) -> Result<String, LlmError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| LlmError::Malformed(format!("the answer is not JSON: {e}")))?;
    if let Some(message) = v["error"]["message"].as_str() {
        return Err(LlmError::Malformed(format!(
            "an error in a success answer: {}",
            crate::lead::text::truncate(message, 300)
        )));
    }
    let choice = v["choices"]
        .get(0)
        .ok_or_else(|| LlmError::Malformed("the answer has no choices".into()))?;
    let message = &choice["message"];
    if let Some(declined) = refusal(message) {
        return Err(declined);
    }
    let content = match &message["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str().or_else(|| p.as_str()))
            .collect::<Vec<_>>()
            .join(""),
        Value::Null if message["tool_calls"].is_array() => {
            return Err(LlmError::Malformed(
                "the model called a tool; none was offered".into(),
            ));
        }
        Value::Null => String::new(),
        other => {
            return Err(LlmError::Malformed(format!(
                "content is neither text nor parts: {}",
                kind_of(other)
            )));
        }
    };
    finished(content, choice["finish_reason"].as_str())
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The text up to its last sentence end, when it has one.
fn whole_sentences(text: &str) -> Option<String> {
    let end = text.rfind(['.', '!', '?', '…', '。'])?;
    let end = end + text[end..].chars().next().map_or(1, char::len_utf8);
    let kept = text[..end].trim();
    (!kept.is_empty()).then(|| kept.to_owned())
}

/// The text without `<think>…</think>` blocks; an unfinished block and what follows it hold no
/// reply.
fn without_reasoning(text: &str) -> String {
    let mut text = text.to_owned();
    while let Some(start) = text.find("<think>") {
        match text[start..].find("</think>") {
            Some(len) => text.replace_range(start..start + len + "</think>".len(), ""),
            None => text.truncate(start),
        }
    }
    text
}

/// The text without a leading speaker label ("Assistant:").
fn without_label(text: &str) -> &str {
    let mut text = text;
    for label in ["Assistant:", "assistant:", "ASSISTANT:", "Bot:", "AI:"] {
        if let Some(rest) = text.strip_prefix(label) {
            text = rest.trim_start();
        }
    }
    text
}

/// Cleans what models add around a chat reply: reasoning blocks, a speaker label, wrapping
/// quotes, markdown emphasis; cuts an overlong reply at a sentence end. `None` when nothing is
/// left.
pub fn tidy(text: &str) -> Option<String> {
    let text = without_reasoning(text);
    let mut reply = without_label(text.trim());
    for (open, close) in [('"', '"'), ('“', '”'), ('„', '“'), ('«', '»'), ('\'', '\'')] {
        if reply.chars().count() >= 2
            && reply.starts_with(open)
            && reply.ends_with(close)
            && !reply[open.len_utf8()..reply.len() - close.len_utf8()].contains([open, close])
        {
            reply = reply[open.len_utf8()..reply.len() - close.len_utf8()].trim();
        }
    }
    let mut reply = reply.replace("**", "").replace("__", "");
    if reply.chars().count() > MAX_REPLY_CHARS {
        let head = crate::lead::text::truncate(&reply, MAX_REPLY_CHARS);
        reply = whole_sentences(head).unwrap_or_else(|| format!("{}…", head.trim_end()));
    }
    let reply = reply.trim();
    (!reply.is_empty()).then(|| reply.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content: Value, finish: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}]
        }))
        .unwrap()
    }

    #[test]
    fn reads_text_and_content_parts() {
        assert_eq!(
            read_answer(&answer(json!("Hello!"), "stop")).unwrap(),
            "Hello!"
        );
        let parts = json!([{"type": "text", "text": "Guten "}, {"type": "text", "text": "Tag."}]);
        assert_eq!(read_answer(&answer(parts, "")).unwrap(), "Guten Tag.");
    }

    #[test]
    fn keeps_whole_sentences_of_a_cut_answer() {
        let cut = answer(
            json!("Merci ! Quel est votre budget ? Et votre cal"),
            "length",
        );
        assert_eq!(
            read_answer(&cut).unwrap(),
            "Merci ! Quel est votre budget ?"
        );
        assert_eq!(
            read_answer(&answer(json!("no sentence end"), "length")),
            Err(LlmError::Empty)
        );
    }

    #[test]
    fn refuses_what_is_not_a_reply() {
        for body in [
            b"<html>404</html>".to_vec(),
            b"{}".to_vec(),
            br#"{"choices": []}"#.to_vec(),
            br#"{"error": {"message": "overloaded"}}"#.to_vec(),
            br#"{"choices": [{"message": {"content": 42}}]}"#.to_vec(),
            br#"{"choices": [{"message": {"content": null, "tool_calls": []}}]}"#.to_vec(),
        ] {
            assert!(
                matches!(read_answer(&body), Err(LlmError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
        let refusal = br#"{"choices": [{"message": {"content": null, "refusal": "I can't help with that."}, "finish_reason": "stop"}]}"#;
        assert!(matches!(read_answer(refusal), Err(LlmError::Declined(_))));
        let filtered = answer(json!("x"), "content_filter");
        assert!(matches!(read_answer(&filtered), Err(LlmError::Declined(_))));
    }

    #[test]
    fn classifies_error_answers() {
        let quota = br#"{"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}"#;
        assert!(matches!(classify(429, quota, None), LlmError::Quota(_)));
        let limited = br#"{"error": {"message": "Rate limit reached", "type": "tokens", "code": "rate_limit_exceeded"}}"#;
        assert_eq!(
            classify(429, limited, Some(Duration::from_millis(1146))),
            LlmError::Status {
                status: 429,
                message: "Rate limit reached".into(),
                retry: Some(Duration::from_millis(1146)),
            }
        );
        assert!(matches!(
            classify(
                401,
                br#"{"error": {"message": "Incorrect API key provided"}}"#,
                None
            ),
            LlmError::Auth { status: 401, .. }
        ));
        // vLLM: unwrapped, integer code.
        let vllm = br#"{"object": "error", "message": "model not found", "type": "NotFoundError", "code": 404}"#;
        assert_eq!(
            classify(404, vllm, None),
            LlmError::Status {
                status: 404,
                message: "model not found".into(),
                retry: None
            }
        );
        let plain = classify(500, b"Internal Server Error", None);
        assert!(
            matches!(&plain, LlmError::Status { status: 500, message, retry: Some(_) } if message == "Internal Server Error")
        );
        let long = "x".repeat(10_000);
        assert!(classify(502, long.as_bytes(), None).to_string().len() < 400);
    }

    #[test]
    fn tidies_what_models_add() {
        assert_eq!(
            tidy("  \"Hallo! Wie heißen Sie?\" ").unwrap(),
            "Hallo! Wie heißen Sie?"
        );
        assert_eq!(tidy("Assistant: **Bonjour** !").unwrap(), "Bonjour !");
        assert_eq!(
            tidy("<think>the visitor wants a price</think>Plans start at €49.").unwrap(),
            "Plans start at €49."
        );
        assert_eq!(tidy("<think>still thinking"), None);
        assert_eq!(tidy("   "), None);
        assert_eq!(tidy("„Dzień dobry”"), Some("„Dzień dobry”".into()));
        let long = "Una frase corta. ".repeat(200);
        let cut = tidy(&long).unwrap();
        assert!(cut.chars().count() <= MAX_REPLY_CHARS && cut.ends_with('.'));
        let word = "a".repeat(5000);
        assert!(tidy(&word).unwrap().chars().count() <= MAX_REPLY_CHARS + 1);
    }

    fn message(seq: i64, role: &str, text: &str) -> crate::store::MessageRow {
        crate::store::MessageRow {
            conversation_id: "c".into(),
            seq,
            id: format!("m{seq}"),
            role: role.into(),
            text: text.into(),
            client_msg_id: None,
            quick_replies: None,
            asked: None,
            created_ms: 0,
            author: None,
        }
    }

    #[test]
    fn requests_carry_the_recent_turns_alternating() {
        let rules = RuleEngine::new(
            super::super::prompts::Prompts::load(None).unwrap(),
            super::super::prompts::Faq::parse(super::super::prompts::BUILT_IN_FAQ).unwrap(),
        );
        let config = LlmConfig {
            history_messages: 4,
            ..LlmConfig::default()
        };
        let system = super::super::prompts::load_llm_system(None).unwrap();
        let engine = LlmEngine::new(rules, config, String::new().into(), system).unwrap();
        let history = [
            message(1, "bot", "Hello! How can I help?"),
            message(2, "visitor", "first"),
            message(3, "bot", "reply one"),
            message(4, "visitor", "second"),
            message(5, "visitor", "   "),
            message(6, "visitor", "third"),
        ];
        let site = SiteConfig::demo();
        let lead = Lead::default();
        let input = EngineInput {
            site: &site,
            lang: Lang::Pl,
            visitor_text: "fourth",
            history: &history,
            lead: &lead,
            previous: &lead,
            consent_missing: false,
            state: Default::default(),
            stream: None,
        };
        let body = engine.request(&input, "Jak masz na imię?");
        let messages = body["messages"].as_array().unwrap();
        let turns: Vec<(&str, &str)> = messages[1..]
            .iter()
            .map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
            .collect();
        // The last four: reply one (dropped: a user turn must come first), second, blank, third.
        assert_eq!(turns, [("user", "second\nthird\nfourth")]);
        let system = messages[0]["content"].as_str().unwrap();
        assert!(system.contains("Reply in Polish") && system.contains("Jak masz na imię?"));
        assert!(system.contains("Already noted about the visitor: nothing yet"));
        assert!(
            !system.contains('{'),
            "every placeholder is filled: {system}"
        );
        assert_eq!(body["temperature"], 0.3);
    }

    #[test]
    fn a_reply_that_repeats_the_system_prompt_is_not_sent() {
        let rules = RuleEngine::new(
            super::super::prompts::Prompts::load(None).unwrap(),
            super::super::prompts::Faq::default(),
        );
        let system = super::super::prompts::load_llm_system(None).unwrap();
        let engine =
            LlmEngine::new(rules, LlmConfig::default(), String::new().into(), system).unwrap();
        assert!(engine.tidy("Sure! What is your budget?").is_ok());
        let leak = "My instructions: Every turn the conversation planner gives you a draft reply.";
        assert!(matches!(engine.tidy(leak), Err(LlmError::Declined(_))));
    }

    #[test]
    fn streaming_holds_back_what_may_not_be_shown() {
        assert_eq!(visible_so_far("Assistant"), None, "may still be a label");
        assert_eq!(
            visible_so_far("Assistant: Hello there, nice").as_deref(),
            Some("Hello there, nice")
        );
        assert_eq!(visible_so_far("<think>pricing question, answer"), None);
        assert_eq!(
            visible_so_far("<think>x</think>\n\"Guten Tag, wie kann").as_deref(),
            Some("Guten Tag, wie kann")
        );
        assert_eq!(
            visible_so_far("Our plans are **chea").as_deref(),
            Some("Our plans are chea")
        );
        assert_eq!(
            visible_so_far("Our plans are *").as_deref(),
            Some("Our plans are "),
            "an emphasis marker still arriving"
        );
        let mut shown = Shown::default();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let into = seen.clone();
        let sink = move |piece: &str| into.lock().unwrap().push_str(piece);
        let mut raw = String::new();
        for piece in ["\"Bonjour", " ! Quel est", " votre budget ?\""] {
            raw.push_str(piece);
            shown.feed(&raw, &sink);
        }
        assert_eq!(*seen.lock().unwrap(), "Bonjour ! Quel est votre budget ?\"");
        assert_eq!(tidy(&raw).unwrap(), "Bonjour ! Quel est votre budget ?");
        let mut long = Shown::default();
        let raw = "word ".repeat(1000);
        long.feed(&raw, &sink);
        long.feed(&raw, &sink);
        assert!(long.sent.len() <= MAX_REPLY_CHARS && long.stopped);
    }

    #[test]
    fn reads_retry_after_headers() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "1.5".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(1500)));
        h.insert("retry-after-ms", "20".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(20)));
        let mut bad = HeaderMap::new();
        bad.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&bad), None);
        bad.insert("retry-after", "-3".parse().unwrap());
        assert_eq!(retry_after(&bad), None);
    }

    #[test]
    fn the_breaker_opens_after_failures_and_at_once_on_a_refused_key() {
        let now = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..TRIP_AFTER - 1 {
            b.record(&Err(LlmError::Timeout), now);
        }
        assert!(!b.is_open(now));
        b.record(&Err(LlmError::Empty), now);
        assert!(
            !b.is_open(now),
            "an empty reply is not a failure of the server"
        );
        b.record(&Err(LlmError::Timeout), now);
        assert!(b.is_open(now) && !b.is_open(now + OPEN_FOR));
        b.record(&Ok("hi".into()), now);
        assert!(!b.is_open(now));
        b.record(
            &Err(LlmError::Auth {
                status: 401,
                message: String::new(),
            }),
            now,
        );
        assert!(b.is_open(now + OPEN_FOR) && !b.is_open(now + OPEN_FOR_LONG));
    }
}
