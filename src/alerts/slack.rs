//! Slack: an incoming webhook, or a bot token with `chat.postMessage` (which can thread).
//! One message per second per channel, as Slack asks; 429 answers are retried after their
//! `Retry-After` through the outbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use secrecy::ExposeSecret;

use super::SlackConfig;
use super::alert::{Alert, HandoffState, actions};
use crate::outbound::CallError;
use crate::outbound::http::{Reply, Throttle, client, retry_after, send, send_now};

/// Where an alert landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub channel: Option<String>,
    /// The message's timestamp, for threading (bot tokens only).
    pub ts: Option<String>,
}

/// Asked right before a post that cannot be undone is sent: whether to send it.
pub type Go<'a> = dyn Fn() -> BoxFuture<'a, Result<bool, CallError>> + Send + Sync + 'a;

/// The metadata event type of a lead's first alert; its payload names the conversation.
const ALERT_EVENT: &str = "leadgate_alert";

/// Posts alerts to Slack.
pub struct SlackAlerter {
    config: SlackConfig,
    http: reqwest::Client,
    /// One throttle per channel: Slack allows about one message per second per channel.
    throttles: Mutex<HashMap<String, Arc<Throttle>>>,
}

impl SlackAlerter {
    /// An alerter for this configuration.
    pub fn new(config: SlackConfig) -> SlackAlerter {
        let http = client(Duration::from_secs(config.timeout_secs.max(1)));
        SlackAlerter {
            config,
            http,
            throttles: Mutex::new(HashMap::new()),
        }
    }

    fn channel_for(&self, site: &str) -> Option<String> {
        self.config
            .site_channels
            .get(site)
            .cloned()
            .or_else(|| self.config.channel.clone())
    }

    fn throttle(&self, channel: &str) -> Arc<Throttle> {
        let mut map = self.throttles.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(channel.to_owned())
            .or_insert_with(|| Arc::new(Throttle::new(1, Duration::from_secs(1))))
            .clone()
    }

    /// Posts an alert, in `thread_ts`'s thread when given (bot tokens).
    pub async fn post(&self, alert: &Alert, thread_ts: Option<&str>) -> Result<Posted, CallError> {
        self.deliver(message(alert), &alert.site, thread_ts, None)
            .await
    }

    /// Posts a lead's first alert, tagged with its conversation in the message's metadata.
    /// `go` is asked once the channel's throttle lets the post through, right before it is
    /// sent: when it says no (the job was taken over by another gateway while this one waited
    /// or stalled) nothing is sent.
    pub async fn post_first(&self, alert: &Alert, go: &Go<'_>) -> Result<Posted, CallError> {
        let mut body = message(alert);
        body["metadata"] = json!({
            "event_type": ALERT_EVENT,
            "event_payload": {"conversation": alert.conversation_id},
        });
        self.deliver(body, &alert.site, None, Some(go)).await
    }

    /// The first alert of `conversation` posted to the site's channel since `since_ms`, found
    /// by its metadata in the channel's history (`conversations.history`, scope
    /// `channels:history`): a post whose answer was lost. `None` with a webhook, which cannot
    /// read history.
    pub async fn find_first(
        &self,
        site: &str,
        conversation: &str,
        since_ms: i64,
    ) -> Result<Option<Posted>, CallError> {
        let (Some(token), Some(channel)) = (&self.config.token, self.channel_for(site)) else {
            return Ok(None);
        };
        let url = format!(
            "{}/conversations.history",
            self.config.api_base.trim_end_matches('/')
        );
        // A minute of leeway for clocks apart; the method takes form or query arguments only.
        let oldest = format!("{}.000000", (since_ms / 1000 - 60).max(0));
        let request = self
            .http
            .get(url)
            .bearer_auth(token.expose_secret())
            .query(&[
                ("channel", channel.as_str()),
                ("oldest", oldest.as_str()),
                ("limit", "999"),
                ("include_all_metadata", "true"),
            ]);
        let throttle = self.throttle("history");
        let reply = send(&throttle, request).await?;
        let v = match api_result(&reply, &throttle) {
            Ok(v) => v,
            // Without `channels:history` the history cannot be read: post as before.
            Err(CallError::Auth { message }) => {
                tracing::warn!(reason = %message, "cannot read the alert channel's history to find a post whose answer was lost");
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let found = v["messages"].as_array().into_iter().flatten().find(|m| {
            m["metadata"]["event_type"] == ALERT_EVENT
                && m["metadata"]["event_payload"]["conversation"] == conversation
        });
        Ok(found.map(|m| Posted {
            channel: Some(channel.clone()),
            ts: m["ts"].as_str().map(str::to_owned),
        }))
    }

    /// Replaces a posted alert with its current state (`chat.update`; bot tokens only).
    pub async fn update(&self, alert: &Alert, channel: &str, ts: &str) -> Result<(), CallError> {
        let mut body = message(alert);
        body["channel"] = json!(channel);
        body["ts"] = json!(ts);
        self.web_api("chat.update", channel, &body).await.map(drop)
    }

    /// Posts text in an alert's thread (`chat.postMessage` with `thread_ts`); returns the
    /// reply's own `ts`, when Slack gave it.
    pub async fn reply_in_thread(
        &self,
        channel: &str,
        ts: &str,
        text: &str,
    ) -> Result<Option<String>, CallError> {
        let body =
            json!({"channel": channel, "thread_ts": ts, "text": text, "unfurl_links": false});
        let answer = self.web_api("chat.postMessage", channel, &body).await?;
        Ok(answer["ts"].as_str().map(str::to_owned))
    }

    /// Deletes a message the app posted (`chat.delete`, bot tokens only); one already gone
    /// answers [`CallError::NotFound`].
    pub async fn delete(&self, channel: &str, ts: &str) -> Result<(), CallError> {
        let body = json!({"channel": channel, "ts": ts});
        self.web_api("chat.delete", channel, &body).await.map(drop)
    }

    /// A person's display name (`users.info`, scope `users:read`): the display name they chose,
    /// else their real name, else their user name.
    pub async fn user_name(&self, user: &str) -> Result<Option<String>, CallError> {
        let v = self
            .web_api("users.info", "users", &json!({"user": user}))
            .await?;
        let u = &v["user"];
        Ok([
            &u["profile"]["display_name"],
            &u["profile"]["real_name"],
            &u["real_name"],
            &u["name"],
        ]
        .into_iter()
        .filter_map(Value::as_str)
        .find(|n| !n.trim().is_empty())
        .map(str::to_owned))
    }

    /// Calls a Web API method with the bot token, through `channel`'s throttle.
    async fn web_api(&self, method: &str, channel: &str, body: &Value) -> Result<Value, CallError> {
        let Some(token) = &self.config.token else {
            return Err(CallError::permanent(format!(
                "{method} needs a bot token ([alerts.slack] token)"
            )));
        };
        let url = format!("{}/{method}", self.config.api_base.trim_end_matches('/'));
        let throttle = self.throttle(channel);
        let request = if method == "users.info" {
            // users.info takes form arguments.
            self.http
                .post(url)
                .bearer_auth(token.expose_secret())
                .form(&[("user", body["user"].as_str().unwrap_or_default())])
        } else {
            self.http
                .post(url)
                .bearer_auth(token.expose_secret())
                .json(body)
        };
        let reply = send(&throttle, request).await?;
        api_result(&reply, &throttle)
    }

    /// Posts a plain-text notice for operators (a CRM refusing leadgate's credentials) to the
    /// default channel or the webhook.
    pub async fn notice(&self, text: &str) -> Result<Posted, CallError> {
        self.deliver(json!({ "text": text }), "", None, None).await
    }

    async fn deliver(
        &self,
        mut body: Value,
        site: &str,
        thread_ts: Option<&str>,
        go: Option<&Go<'_>>,
    ) -> Result<Posted, CallError> {
        match (&self.config.token, self.channel_for(site)) {
            (Some(token), Some(channel)) => {
                body["channel"] = json!(channel);
                if let Some(ts) = thread_ts {
                    body["thread_ts"] = json!(ts);
                }
                let url = format!(
                    "{}/chat.postMessage",
                    self.config.api_base.trim_end_matches('/')
                );
                let throttle = self.throttle(&channel);
                let request = self
                    .http
                    .post(url)
                    .bearer_auth(token.expose_secret())
                    .json(&body);
                cleared(&throttle, go).await?;
                let reply = send_now(request).await?;
                let v = api_result(&reply, &throttle)?;
                Ok(Posted {
                    channel: v["channel"].as_str().map(str::to_owned).or(Some(channel)),
                    ts: v["ts"].as_str().map(str::to_owned),
                })
            }
            _ => {
                let Some(url) = &self.config.webhook_url else {
                    return Err(CallError::permanent(
                        "no Slack webhook_url, and no token with a channel for this site",
                    ));
                };
                let throttle = self.throttle("webhook");
                cleared(&throttle, go).await?;
                let reply = send_now(self.http.post(url.expose_secret()).json(&body)).await?;
                webhook_result(&reply, &throttle)?;
                Ok(Posted {
                    channel: None,
                    ts: None,
                })
            }
        }
    }
}

/// Waits for the channel's throttle, then asks `go` (when given) whether the post may still be
/// sent: a job taken over meanwhile sends nothing.
async fn cleared(throttle: &Throttle, go: Option<&Go<'_>>) -> Result<(), CallError> {
    throttle.acquire().await;
    match go {
        Some(go) if !go().await? => Err(CallError::retryable("the job was taken over", None)),
        _ => Ok(()),
    }
}

/// Reads a Web API answer: errors come back as HTTP 200 with `ok: false`.
fn api_result(reply: &Reply, throttle: &Throttle) -> Result<Value, CallError> {
    if reply.status.as_u16() == 429 {
        let wait = retry_after(&reply.headers);
        throttle.pause(wait.unwrap_or(Duration::from_secs(1)));
        return Err(CallError::retryable("Slack rate limit", wait));
    }
    if reply.status.is_server_error() {
        return Err(CallError::retryable(
            format!("Slack HTTP {}", reply.status.as_u16()),
            retry_after(&reply.headers),
        ));
    }
    let v = reply.json();
    if v["ok"].as_bool() == Some(true) {
        return Ok(v);
    }
    let error = v["error"].as_str().unwrap_or("unknown_error").to_owned();
    Err(match error.as_str() {
        "ratelimited" | "rate_limited" => {
            CallError::retryable("Slack rate limit", retry_after(&reply.headers))
        }
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive"
        | "missing_scope" => CallError::auth(format!("Slack refused the token: {error}")),
        "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
            CallError::retryable(format!("Slack: {error}"), None)
        }
        "message_not_found" => CallError::not_found(format!("Slack: {error}")),
        _ => CallError::permanent(format!("Slack refused the message: {error}")),
    })
}

/// Reads an incoming webhook's answer: 200 `ok`, else an error word.
fn webhook_result(reply: &Reply, throttle: &Throttle) -> Result<(), CallError> {
    match reply.status.as_u16() {
        200 => Ok(()),
        429 => {
            let wait = retry_after(&reply.headers);
            throttle.pause(wait.unwrap_or(Duration::from_secs(1)));
            Err(CallError::retryable("Slack rate limit", wait))
        }
        500..=599 => Err(CallError::retryable(
            format!(
                "Slack webhook HTTP {}: {}",
                reply.status.as_u16(),
                reply.excerpt()
            ),
            retry_after(&reply.headers),
        )),
        403 if reply.excerpt().contains("invalid_token") => {
            Err(CallError::auth("Slack refused the webhook"))
        }
        404 | 410
            if reply.excerpt().contains("no_service")
                || reply.excerpt().contains("no_active_hooks") =>
        {
            Err(CallError::auth("the Slack webhook was removed"))
        }
        status => Err(CallError::permanent(format!(
            "Slack webhook refused the message (HTTP {status}): {}",
            reply.excerpt()
        ))),
    }
}

/// Escapes text for Slack's mrkdwn.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Cuts text to Slack's field limits.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// What reps did with the lead, for the line under the alert.
fn status_line(state: &HandoffState) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(rep) = &state.claimed_by {
        parts.push(format!(":raising_hand: Claimed by <@{rep}>"));
    }
    if state.held {
        parts.push("talking to the visitor".to_owned());
    }
    if state.not_a_lead {
        parts.push(":no_entry_sign: Marked as not a lead".to_owned());
    }
    if let Some(outcome) = &state.outcome {
        parts.push(format!(":chart_with_upwards_trend: {}", esc(outcome)));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

fn button(action: &str, label: &str, value: &str, style: Option<&str>) -> Value {
    let mut b = json!({"type": "button", "action_id": action,
        "text": {"type": "plain_text", "text": cut(label, 75)}, "value": cut(value, 2000)});
    if let Some(style) = style {
        b["style"] = json!(style);
    }
    b
}

/// The alert's buttons: Claim while nobody has it, the transcript, Hand back while a rep talks,
/// Not a lead until marked, and the CRM record.
fn buttons(a: &Alert) -> Vec<Value> {
    let mut out = Vec::new();
    let s = &a.state;
    // Follow-ups in the thread carry links only: the alert itself holds the actions.
    let live = s.interactive && a.update.is_none();
    if live && s.claimed_by.is_none() && !s.not_a_lead {
        out.push(button(
            actions::CLAIM,
            "Claim",
            &a.conversation_id,
            Some("primary"),
        ));
    }
    if let Some(url) = &a.transcript_url {
        let mut b = button(
            actions::TRANSCRIPT,
            "Open transcript",
            &a.conversation_id,
            None,
        );
        b["url"] = json!(cut(url, 3000));
        out.push(b);
    }
    if live && s.held {
        out.push(button(
            actions::HAND_BACK,
            "Hand back",
            &a.conversation_id,
            None,
        ));
    }
    if live && !s.not_a_lead {
        out.push(button(
            actions::NOT_A_LEAD,
            "Not a lead",
            &a.conversation_id,
            Some("danger"),
        ));
    }
    if let Some((label, url)) = &a.crm_button {
        let mut b = button(actions::CRM, label, &a.conversation_id, None);
        b["url"] = json!(cut(url, 3000));
        out.push(b);
    }
    out
}

/// The Block Kit message.
pub fn message(a: &Alert) -> Value {
    let who = match &a.company {
        Some(c) => format!("{} ({c})", a.name),
        None => a.name.clone(),
    };
    let headline = match &a.update {
        Some(_) => format!("Lead update: {who}"),
        None => format!(":fire: New qualified lead: {who}"),
    };
    let mut fields = Vec::new();
    let mut field = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            fields.push(
                json!({"type": "mrkdwn", "text": cut(&format!("*{label}:*\n{}", esc(&v)), 2000)}),
            );
        }
    };
    field("Name", Some(a.name.clone()));
    field("Company", a.company.clone());
    field("Role", a.role.clone());
    field("Score", Some(a.score.to_string()));
    field("Budget", a.budget.clone());
    field("Timeline", a.timeline.clone());
    field("Email", a.email.clone());
    field("Phone", a.phone.clone());
    field("Channel", Some(a.channel.clone()));
    field("Site", Some(a.site_name.clone()));
    fields.truncate(10);
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": cut(&headline, 150), "emoji": true}}),
        json!({"type": "section", "fields": fields}),
    ];
    if let Some(update) = &a.update {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&format!("*What changed:* {}", esc(update)), 3000)}}));
    }
    blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&format!("*Summary:* {}", esc(&a.summary)), 3000)}}));
    if let Some(request) = &a.request {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&format!("*Asked for:* {}", esc(request)), 3000)}}));
    }
    if !a.open_questions.is_empty() {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(&format!("*Open questions:* {}", esc(&a.open_questions.join(" · "))), 3000)}}));
    }
    if !a.breakdown.is_empty() {
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": cut(&format!("Score: {}", esc(&a.breakdown.join(" · "))), 3000)}]}));
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": format!("Conversation `{}`", a.conversation_id)}]}));
    if let Some(status) = status_line(&a.state) {
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": cut(&status, 3000)}]}));
    }
    let buttons = buttons(a);
    if !buttons.is_empty() {
        blocks.push(json!({"type": "actions", "block_id": "lead", "elements": buttons}));
    }
    let text = match &a.update {
        Some(u) => format!("Lead update: {who} – {u}"),
        None => format!("New qualified lead: {who} - score {}", a.score),
    };
    json!({"text": text, "blocks": blocks})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert() -> Alert {
        Alert {
            site: "demo".into(),
            site_name: "Acme".into(),
            name: "Anna Nowak".into(),
            company: Some("Firma <b>".into()),
            score: 85,
            breakdown: vec!["+20 budget 20000–30000 PLN".into(), "+25 decides".into()],
            channel: "web".into(),
            summary: "Anna Nowak — budget 20000–30000 PLN".into(),
            crm_button: Some((
                "Open in HubSpot".into(),
                "https://app.hubspot.com/contacts/1/record/0-1/42".into(),
            )),
            conversation_id: "c1".into(),
            ..Alert::default()
        }
    }

    #[test]
    fn blocks_follow_the_layout_and_escape_text() {
        let m = message(&alert());
        assert_eq!(
            m["text"],
            "New qualified lead: Anna Nowak (Firma <b>) - score 85"
        );
        let blocks = m["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "header");
        assert!(
            blocks[1]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["text"] == "*Company:*\nFirma &lt;b&gt;")
        );
        let actions = blocks.iter().find(|b| b["type"] == "actions").unwrap();
        assert_eq!(
            actions["elements"][0]["url"],
            "https://app.hubspot.com/contacts/1/record/0-1/42"
        );
        assert!(blocks.iter().any(|b| {
            b["type"] == "context"
                && b["elements"][0]["text"]
                    .as_str()
                    .unwrap()
                    .contains("+25 decides")
        }));
    }

    #[test]
    fn updates_say_what_changed() {
        let m = message(&Alert {
            update: Some("budget raised to 50k".into()),
            ..alert()
        });
        assert!(
            m["blocks"][0]["text"]["text"]
                .as_str()
                .unwrap()
                .starts_with("Lead update")
        );
        assert!(m["text"].as_str().unwrap().contains("budget raised"));
    }
}
