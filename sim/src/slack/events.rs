//! The simulator acting as Slack's Events API toward the gateway.
//!
//! Every request is signed (`X-Slack-Request-Timestamp`, `X-Slack-Signature`, see
//! [`super::signature`]). An `event_callback` envelope carries `token`, `team_id`,
//! `api_app_id`, `event`, `type`, `event_id`, `event_time`, `authorizations`,
//! `is_ext_shared_channel` and `event_context` (<https://docs.slack.dev/apis/events-api>;
//! field list as bolt-js's `EnvelopedEvent`, `src/types/events/index.ts`). A thread reply is a
//! `message` event with `channel`, `user`, `text`, `ts`, `thread_ts` and `parent_user_id`
//! (slack-ruby/slack-api-ref `events/message.channels.json`, which needs `channels:history`).
//!
//! The app's own messages come back to its Request URL when it is subscribed to
//! `message.channels`: posts as `bot_message` events carrying `bot_id`, updates as hidden
//! `message_changed` events, deletions as hidden `message_deleted` events
//! (slack-ruby/slack-api-ref `events/message.json` subtypes).
//!
//! Delivery: Slack counts an attempt as failed on a timeout (3 s), a connection failure or a
//! non-2xx answer and retries "immediately, after 1 minute, after 5 minutes" with
//! `X-Slack-Retry-Num` (1–3) and `X-Slack-Retry-Reason` (`http_timeout`, `connection_failed`,
//! `http_error`); a non-2xx answer carrying `X-Slack-No-Retry: 1` is not retried, a timeout
//! always is (<https://docs.slack.dev/apis/events-api#retries>, as quoted in the vendor memo
//! §13). `url_verification` posts `{"token","challenge","type"}` and expects the challenge back.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::signature::v0;
use super::state::{BOT_USER, SentEvent, Slack, TEAM_ID, message_json};
use super::{SlackMessage, SlackReply, SlackSendError, Via};
use crate::RetryPolicy;
use crate::shared::outbound::{Answer, Job, Outgoing};

/// Slack's Events API schedule: a 3-second timeout, then retries immediately, after 1 minute
/// and after 5 minutes.
pub(crate) fn slack_event_retry() -> RetryPolicy {
    RetryPolicy::new(
        Duration::from_secs(3),
        vec![
            Duration::ZERO,
            Duration::from_secs(60),
            Duration::from_secs(300),
        ],
    )
}

/// The `User-Agent` Slack sends.
const USER_AGENT: &str = "Slackbot 1.0 (+https://api.slack.com/robots)";

fn now_secs() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// A request signed now with the app's signing secret.
pub(crate) fn signed(
    slack: &Slack,
    url: &str,
    content_type: &str,
    body: &str,
    extra: Vec<(String, String)>,
) -> Outgoing {
    let timestamp = now_secs().to_string();
    let signature = v0(&slack.options.signing_secret, &timestamp, body);
    with_signature(url, content_type, body, &timestamp, &signature, extra)
}

fn with_signature(
    url: &str,
    content_type: &str,
    body: &str,
    timestamp: &str,
    signature: &str,
    extra: Vec<(String, String)>,
) -> Outgoing {
    let mut headers = vec![
        ("Content-Type".to_owned(), content_type.to_owned()),
        ("User-Agent".to_owned(), USER_AGENT.to_owned()),
        ("X-Slack-Request-Timestamp".to_owned(), timestamp.to_owned()),
        ("X-Slack-Signature".to_owned(), signature.to_owned()),
    ];
    headers.extend(extra);
    Outgoing {
        url: url.to_owned(),
        headers,
        body: body.to_owned(),
    }
}

/// Why the previous attempt failed, in `X-Slack-Retry-Reason`'s words.
fn retry_reason(previous: Option<&Answer>) -> &'static str {
    match previous {
        Some(answer) if answer.timed_out => "http_timeout",
        Some(answer) if answer.status.is_none() => "connection_failed",
        Some(_) => "http_error",
        None => "unknown_error",
    }
}

fn retry_headers(attempt: u32, previous: Option<&Answer>) -> Vec<(String, String)> {
    if attempt <= 1 {
        return Vec::new();
    }
    vec![
        ("X-Slack-Retry-Num".to_owned(), (attempt - 1).to_string()),
        (
            "X-Slack-Retry-Reason".to_owned(),
            retry_reason(previous).to_owned(),
        ),
    ]
}

/// Whether Slack retries after `answer`: always after a timeout or connection failure, after
/// a non-2xx answer unless it says `X-Slack-No-Retry: 1`.
fn retried(answer: &Answer) -> bool {
    answer.timed_out
        || answer.status.is_none()
        || answer.headers.get("x-slack-no-retry").map(String::as_str) != Some("1")
}

fn new_event_id() -> String {
    let hex = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .to_ascii_uppercase();
    format!("Ev{}", &hex[..10])
}

/// The `event_callback` envelope around `event`.
fn envelope(slack: &Slack, event_id: &str, channel: &str, event: Value) -> Value {
    let context =
        json!({"et": event["type"], "tid": TEAM_ID, "aid": slack.options.app_id, "cid": channel});
    json!({
        "token": slack.options.verification_token,
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "context_enterprise_id": null,
        "api_app_id": slack.options.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": now_secs(),
        "authorizations": [{
            "enterprise_id": null,
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "is_bot": true,
            "is_enterprise_install": false,
        }],
        "is_ext_shared_channel": false,
        "event_context": format!("4-{}", STANDARD.encode(context.to_string())),
    })
}

/// A message event for `message` in its channel.
fn message_event(message: &SlackMessage) -> Value {
    let mut event = message_json(message);
    event["channel"] = json!(message.channel);
    event["event_ts"] = json!(message.ts);
    event["channel_type"] = json!("channel");
    event
}

/// Record an event for redelivery and return its body.
fn remember(slack: &Slack, event_id: &str, url: &str, channel: &str, event: Value) -> String {
    let body = envelope(slack, event_id, channel, event).to_string();
    slack
        .events
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            event_id.to_owned(),
            SentEvent {
                url: url.to_owned(),
                body: body.clone(),
            },
        );
    body
}

/// Attempts `first..` of an event delivery.
async fn deliver(
    slack: Arc<Slack>,
    url: String,
    event_id: String,
    body: String,
    first: u32,
    previous: Option<Answer>,
) {
    let policy = slack.options.event_retry.clone();
    slack
        .core
        .outbound
        .deliver(
            Job {
                kind: "slack.event_callback",
                id: &event_id,
                policy: &policy,
                first,
                previous,
            },
            |attempt, previous| {
                signed(
                    &slack,
                    &url,
                    "application/json",
                    &body,
                    retry_headers(attempt, previous),
                )
            },
            retried,
        )
        .await;
}

/// Send `event` to the configured Request URL in the background, if the app subscribes to
/// message events there.
fn echo(slack: &Arc<Slack>, channel: &str, event: Value) {
    let Some(url) = slack.options.events_url.clone() else {
        return;
    };
    if !slack.has_scope("channels:history") {
        return;
    }
    let event_id = new_event_id();
    let body = remember(slack, &event_id, &url, channel, event);
    let task = deliver(slack.clone(), url, event_id, body, 1, None);
    slack.core.outbound.spawn(task);
}

/// The app posted `message`: echo it as a `bot_message` event.
pub(crate) fn echo_posted(slack: &Arc<Slack>, message: &SlackMessage) {
    echo(slack, &message.channel, message_event(message));
}

/// The app updated `before` into `after`: echo a hidden `message_changed` event.
pub(crate) fn echo_changed(slack: &Arc<Slack>, before: &SlackMessage, after: &SlackMessage) {
    let edit_ts = slack.next_ts();
    let mut message = message_json(after);
    message["edited"] = json!({"user": BOT_USER, "ts": edit_ts});
    let event = json!({
        "type": "message",
        "subtype": "message_changed",
        "hidden": true,
        "channel": after.channel,
        "ts": edit_ts,
        "event_ts": edit_ts,
        "channel_type": "channel",
        "message": message,
        "previous_message": message_json(before),
    });
    echo(slack, &after.channel, event);
}

/// The app deleted `message`: echo a hidden `message_deleted` event.
pub(crate) fn echo_deleted(slack: &Arc<Slack>, message: &SlackMessage) {
    let ts = slack.next_ts();
    let event = json!({
        "type": "message",
        "subtype": "message_deleted",
        "hidden": true,
        "channel": message.channel,
        "ts": ts,
        "deleted_ts": message.ts,
        "event_ts": ts,
        "channel_type": "channel",
        "previous_message": message_json(message),
    });
    echo(slack, &message.channel, event);
}

fn reply(id: String, ts: Option<String>, answer: &Answer) -> SlackReply {
    SlackReply {
        id,
        ts,
        status: answer.status,
        body: answer.body.clone(),
    }
}

/// See [`super::SlackSim::thread_reply`].
pub(crate) async fn thread_reply(
    slack: &Arc<Slack>,
    url: &str,
    user: &str,
    channel: &str,
    thread_ts: &str,
    text: &str,
) -> Result<SlackReply, SlackSendError> {
    let channel = slack
        .channel(channel)
        .map(|c| c.id.clone())
        .ok_or_else(|| SlackSendError::UnknownChannel(channel.to_owned()))?;
    if slack.user(user).is_none() {
        return Err(SlackSendError::UnknownUser(user.to_owned()));
    }
    let parent = slack
        .message(thread_ts)
        .filter(|m| m.channel == channel)
        .ok_or_else(|| SlackSendError::UnknownMessage {
            channel: channel.clone(),
            ts: thread_ts.to_owned(),
        })?;
    if !slack.has_scope("channels:history") {
        return Err(SlackSendError::NotSubscribed("channels:history"));
    }
    // A reply to a reply belongs to the same thread.
    let thread_ts = parent.thread_ts.clone().unwrap_or(parent.ts.clone());
    let parent_user = slack
        .message(&thread_ts)
        .map(|root| match root.via {
            Via::User => root.user.unwrap_or_default(),
            Via::Api | Via::Webhook => BOT_USER.to_owned(),
        })
        .unwrap_or_else(|| BOT_USER.to_owned());
    let message = SlackMessage {
        channel: channel.clone(),
        text: Some(text.to_owned()),
        blocks: None,
        thread_ts: Some(thread_ts),
        ts: slack.next_ts(),
        via: Via::User,
        user: Some(user.to_owned()),
    };
    slack.keep(&message);
    let mut event = message_event(&message);
    event["parent_user_id"] = json!(parent_user);
    event["client_msg_id"] = json!(uuid::Uuid::new_v4().to_string());
    event["blocks"] = json!([{
        "type": "rich_text",
        "block_id": format!("r{}", &message.ts[message.ts.len().saturating_sub(4)..]),
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }]);
    let event_id = new_event_id();
    let body = remember(slack, &event_id, url, &channel, event);
    let policy = &slack.options.event_retry;
    let request = signed(slack, url, "application/json", &body, Vec::new());
    let answer = slack
        .core
        .outbound
        .send(
            "slack.event_callback",
            &event_id,
            1,
            request,
            policy.timeout,
        )
        .await;
    if let Some(wait) = policy.delays.first().copied()
        && !answer.succeeded()
        && retried(&answer)
    {
        let task = deliver(
            slack.clone(),
            url.to_owned(),
            event_id.clone(),
            body,
            2,
            Some(answer.clone()),
        );
        slack.core.outbound.spawn(async move {
            tokio::time::sleep(wait).await;
            task.await;
        });
    }
    Ok(reply(event_id, Some(message.ts), &answer))
}

/// See [`super::SlackSim::url_verification`].
pub(crate) async fn url_verification(slack: &Arc<Slack>, url: &str) -> SlackReply {
    let challenge = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    );
    let body = json!({
        "token": slack.options.verification_token,
        "challenge": challenge,
        "type": "url_verification",
    })
    .to_string();
    let request = signed(slack, url, "application/json", &body, Vec::new());
    let answer = slack
        .core
        .outbound
        .send(
            "slack.url_verification",
            &challenge,
            1,
            request,
            slack.options.interaction_timeout,
        )
        .await;
    reply(challenge, None, &answer)
}

/// See [`super::SlackSim::redeliver`].
pub(crate) async fn redeliver(
    slack: &Arc<Slack>,
    event_id: &str,
    retry_num: u32,
) -> Result<SlackReply, SlackSendError> {
    let sent = slack
        .events
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(event_id)
        .cloned()
        .ok_or_else(|| SlackSendError::UnknownEvent(event_id.to_owned()))?;
    let headers = vec![
        ("X-Slack-Retry-Num".to_owned(), retry_num.to_string()),
        ("X-Slack-Retry-Reason".to_owned(), "http_timeout".to_owned()),
    ];
    let request = signed(slack, &sent.url, "application/json", &sent.body, headers);
    let answer = slack
        .core
        .outbound
        .send(
            "slack.event_callback",
            event_id,
            retry_num.saturating_add(1),
            request,
            slack.options.event_retry.timeout,
        )
        .await;
    Ok(reply(event_id.to_owned(), None, &answer))
}

/// See [`super::SlackSim::send_raw`].
pub(crate) async fn send_raw(
    slack: &Arc<Slack>,
    url: &str,
    content_type: &str,
    body: &str,
    timestamp: &str,
    signature: Option<&str>,
) -> SlackReply {
    let computed;
    let signature = match signature {
        Some(given) => given,
        None => {
            computed = v0(&slack.options.signing_secret, timestamp, body);
            computed.as_str()
        }
    };
    let request = with_signature(url, content_type, body, timestamp, signature, Vec::new());
    let id = uuid::Uuid::new_v4().to_string();
    let answer = slack
        .core
        .outbound
        .send(
            "slack.raw",
            &id,
            1,
            request,
            slack.options.interaction_timeout,
        )
        .await;
    reply(id, None, &answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: Option<u16>, timed_out: bool, no_retry: bool) -> Answer {
        let mut answer = Answer {
            status,
            timed_out,
            ..Answer::default()
        };
        if no_retry {
            answer.headers.insert("x-slack-no-retry".into(), "1".into());
        }
        answer
    }

    #[test]
    fn no_retry_header_stops_all_but_timeouts() {
        assert!(retried(&answer(Some(500), false, false)));
        assert!(!retried(&answer(Some(500), false, true)));
        assert!(retried(&answer(None, true, true)));
        assert!(retried(&answer(None, false, false)));
    }

    #[test]
    fn retry_headers_name_the_previous_failure() {
        assert!(retry_headers(1, None).is_empty());
        let timeout = answer(None, true, false);
        assert_eq!(
            retry_headers(2, Some(&timeout)),
            vec![
                ("X-Slack-Retry-Num".to_owned(), "1".to_owned()),
                ("X-Slack-Retry-Reason".to_owned(), "http_timeout".to_owned()),
            ]
        );
        assert_eq!(
            retry_headers(4, Some(&answer(Some(503), false, false)))[1].1,
            "http_error"
        );
        assert_eq!(
            retry_headers(3, Some(&answer(None, false, false)))[1].1,
            "connection_failed"
        );
    }
}
