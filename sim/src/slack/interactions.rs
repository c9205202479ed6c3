//! Interactions: the simulator clicking a button as a workspace member, and the `response_url`
//! it hands out with each click.
//!
//! A click is a `block_actions` payload POSTed form-encoded as a single field `payload=<json>`,
//! signed like every request from Slack, with the field set of
//! <https://docs.slack.dev/reference/interaction-payloads/block_actions-payload> and bolt-js's
//! `BlockAction` type: `type`, `user {id, username, name, team_id}`, `api_app_id`, `token`,
//! `container {type, message_ts, channel_id, is_ephemeral}`, `trigger_id`, `team {id, domain}`,
//! `enterprise`, `is_enterprise_install`, `channel {id, name}`, `message` (the message as it is
//! now), `state`, `response_url` and `actions [{action_id, block_id, text, value, type,
//! action_ts}]`. Slack waits 3 seconds for the acknowledgement and does not retry
//! interactions. Blocks posted without a `block_id` get one from Slack; the simulator names
//! them `blk{index}` in payloads (the real ones are random).
//!
//! A `response_url` takes JSON `{text, blocks, response_type, replace_original,
//! delete_original, thread_ts}` "up to five times within 30 minutes"
//! (<https://docs.slack.dev/interactivity/handling-user-interaction>, message responses):
//! `replace_original` updates the message the button was on, `delete_original` deletes it,
//! `response_type: in_channel` posts a new message and anything else an ephemeral one to the
//! clicking user. Success is HTTP 200 `{"ok":true}`. The docs do not give the error answers; the
//! simulator answers 404 `{"ok":false,"error":"expired_url"}` after 30 minutes (the word seen in
//! client code), 404 `used_url` after five uses, and 400 `invalid_payload`, `no_text` or
//! `invalid_blocks` for bad bodies.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::Response;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::chat::replace_content;
use super::events::{echo_deleted, echo_posted, signed};
use super::state::{ResponseUrl, Slack, TEAM_ID, check_content, message_json};
use super::{Ephemeral, ResponseUrlPost, SlackMessage, SlackReply, SlackSendError, Via};
use crate::shared::http::json;

/// How long a `response_url` lives.
const RESPONSE_URL_TTL: Duration = Duration::from_secs(30 * 60);
/// How many posts a `response_url` takes.
const RESPONSE_URL_USES: u32 = 5;

/// The interactive element `action_id` in `blocks`: its block's id (or the one Slack would
/// have given it) and the element.
fn find_action(blocks: &Value, action_id: &str) -> Option<(String, Value)> {
    for (index, block) in blocks.as_array()?.iter().enumerate() {
        let block_id = block["block_id"]
            .as_str()
            .map_or_else(|| format!("blk{index}"), str::to_owned);
        let elements = block["elements"].as_array().into_iter().flatten();
        let accessory = block.get("accessory").into_iter();
        if let Some(element) = elements
            .chain(accessory)
            .find(|e| e["action_id"].as_str() == Some(action_id))
        {
            return Some((block_id, element.clone()));
        }
    }
    None
}

/// `blocks` with the block ids Slack assigns to blocks posted without one.
fn with_block_ids(blocks: &Value) -> Value {
    let Some(list) = blocks.as_array() else {
        return blocks.clone();
    };
    Value::Array(
        list.iter()
            .enumerate()
            .map(|(index, block)| {
                let mut block = block.clone();
                if block.get("block_id").is_none()
                    && let Some(object) = block.as_object_mut()
                {
                    object.insert("block_id".into(), json!(format!("blk{index}")));
                }
                block
            })
            .collect(),
    )
}

fn action_ts() -> String {
    let now = OffsetDateTime::now_utc();
    format!("{}.{:06}", now.unix_timestamp(), now.microsecond())
}

fn trigger_id() -> String {
    let now = OffsetDateTime::now_utc();
    format!(
        "{}.{}.{}",
        now.unix_timestamp_nanos() / 1_000,
        now.unix_timestamp(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Hand out a `response_url` for a click.
fn issue_response_url(slack: &Slack, channel: &str, message_ts: &str, user: &str) -> String {
    let path = format!(
        "/actions/{TEAM_ID}/{}/{}",
        slack.next_ts().replace('.', ""),
        &uuid::Uuid::new_v4().simple().to_string()[..24]
    );
    slack
        .response_urls
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            path.clone(),
            ResponseUrl {
                channel: channel.to_owned(),
                message_ts: message_ts.to_owned(),
                user: user.to_owned(),
                issued: Instant::now(),
                uses: 0,
            },
        );
    format!("{}{path}", slack.base_url)
}

/// See [`super::SlackSim::click`].
pub(crate) async fn click(
    slack: &Arc<Slack>,
    url: &str,
    user: &str,
    message_ts: &str,
    channel: &str,
    action_id: &str,
    value: Option<&str>,
) -> Result<SlackReply, SlackSendError> {
    let channel = slack
        .channel(channel)
        .cloned()
        .ok_or_else(|| SlackSendError::UnknownChannel(channel.to_owned()))?;
    let member = slack
        .user(user)
        .cloned()
        .ok_or_else(|| SlackSendError::UnknownUser(user.to_owned()))?;
    let message = slack
        .message(message_ts)
        .filter(|m| m.channel == channel.id)
        .ok_or_else(|| SlackSendError::UnknownMessage {
            channel: channel.id.clone(),
            ts: message_ts.to_owned(),
        })?;
    let (block_id, element) = message
        .blocks
        .as_ref()
        .and_then(|blocks| find_action(blocks, action_id))
        .ok_or_else(|| SlackSendError::UnknownAction(action_id.to_owned()))?;
    let actual = element["value"].as_str().map(str::to_owned);
    if let Some(expected) = value
        && actual.as_deref() != Some(expected)
    {
        return Err(SlackSendError::ValueMismatch {
            expected: expected.to_owned(),
            actual,
        });
    }
    let mut text = element["text"].clone();
    if text["type"] == "plain_text"
        && text.get("emoji").is_none()
        && let Some(object) = text.as_object_mut()
    {
        object.insert("emoji".into(), json!(true));
    }
    let mut action = json!({
        "action_id": action_id,
        "block_id": block_id,
        "text": text,
        "type": element["type"].as_str().unwrap_or("button"),
        "action_ts": action_ts(),
    });
    if let Some(value) = &actual {
        action["value"] = json!(value);
    }
    let mut shown = message_json(&message);
    if let Some(blocks) = &message.blocks {
        shown["blocks"] = with_block_ids(blocks);
    }
    let trigger = trigger_id();
    let payload = json!({
        "type": "block_actions",
        "user": {"id": member.id, "username": member.name, "name": member.name, "team_id": TEAM_ID},
        "api_app_id": slack.options.app_id,
        "token": slack.options.verification_token,
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel.id,
            "is_ephemeral": false,
        },
        "trigger_id": trigger,
        "team": {"id": TEAM_ID, "domain": slack.options.team_domain},
        "enterprise": null,
        "is_enterprise_install": false,
        "channel": {"id": channel.id, "name": channel.name},
        "message": shown,
        "state": {"values": {}},
        "response_url": issue_response_url(slack, &channel.id, &message.ts, &member.id),
        "actions": [action],
    });
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap_or_default();
    let request = signed(
        slack,
        url,
        "application/x-www-form-urlencoded",
        &body,
        Vec::new(),
    );
    let answer = slack
        .core
        .outbound
        .send(
            "slack.block_actions",
            &trigger,
            1,
            request,
            slack.options.interaction_timeout,
        )
        .await;
    Ok(SlackReply {
        id: trigger,
        ts: None,
        status: answer.status,
        body: answer.body,
    })
}

fn refused(status: StatusCode, error: &str) -> (StatusCode, Value) {
    (status, json!({"ok": false, "error": error}))
}

/// Claim one use of a `response_url`.
fn claim(slack: &Slack, path: &str) -> Result<ResponseUrl, (StatusCode, Value)> {
    let mut urls = slack
        .response_urls
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let Some(entry) = urls.get_mut(path) else {
        return Err(refused(StatusCode::NOT_FOUND, "expired_url"));
    };
    if entry.issued.elapsed() > RESPONSE_URL_TTL {
        return Err(refused(StatusCode::NOT_FOUND, "expired_url"));
    }
    if entry.uses >= RESPONSE_URL_USES {
        return Err(refused(StatusCode::NOT_FOUND, "used_url"));
    }
    entry.uses += 1;
    Ok(entry.clone())
}

fn flag(body: &Map<String, Value>, key: &str) -> bool {
    match body.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

fn respond(slack: &Arc<Slack>, path: &str, raw: &[u8]) -> (StatusCode, Value) {
    let body = match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Object(body)) => body,
        _ => return refused(StatusCode::BAD_REQUEST, "invalid_payload"),
    };
    let deleting = flag(&body, "delete_original");
    if !deleting && let Err(refusal) = check_content(&body) {
        return refused(StatusCode::BAD_REQUEST, refusal.code());
    }
    let target = match claim(slack, path) {
        Ok(target) => target,
        Err(refusal) => return refusal,
    };
    let text = body.get("text").and_then(Value::as_str).map(str::to_owned);
    let blocks = body.get("blocks").filter(|b| !b.is_null()).cloned();
    let original = slack
        .message(&target.message_ts)
        .filter(|m| m.channel == target.channel);
    if deleting {
        if let Some(original) = original {
            slack.remove(&original.ts);
            echo_deleted(slack, &original);
        }
    } else if flag(&body, "replace_original") {
        if let Some(original) = original {
            replace_content(slack, &original, text, blocks);
        }
    } else if body.get("response_type").and_then(Value::as_str) == Some("in_channel") {
        let message = SlackMessage {
            channel: target.channel.clone(),
            text,
            blocks,
            thread_ts: body
                .get("thread_ts")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ts: slack.next_ts(),
            via: Via::Api,
            user: None,
        };
        slack.keep(&message);
        echo_posted(slack, &message);
    } else {
        slack.log_ephemeral(Ephemeral {
            channel: target.channel.clone(),
            user: target.user.clone(),
            text,
            blocks,
            thread_ts: body
                .get("thread_ts")
                .and_then(Value::as_str)
                .map(str::to_owned),
            message_ts: slack.next_ts(),
        });
    }
    (StatusCode::OK, json!({"ok": true}))
}

/// `POST /actions/{team}/{id}/{secret}`: a `response_url`.
pub(crate) async fn response_url(
    State(slack): State<Arc<Slack>>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let (status, answer) = respond(&slack, &path, &body);
    slack.log_response_post(ResponseUrlPost {
        url: format!("{}{path}", slack.base_url),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        status: status.as_u16(),
    });
    json(status, &answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_found_in_action_blocks_and_accessories() {
        let blocks = json!([
            {"type": "section", "text": {"type": "mrkdwn", "text": "x"},
             "accessory": {"type": "button", "action_id": "open", "text": {"type": "plain_text", "text": "Open"}}},
            {"type": "actions", "block_id": "lead_actions", "elements": [
                {"type": "button", "action_id": "claim", "value": "lead_1", "text": {"type": "plain_text", "text": "Claim"}}
            ]}
        ]);
        let (block, element) = find_action(&blocks, "claim").unwrap();
        assert_eq!(block, "lead_actions");
        assert_eq!(element["value"], "lead_1");
        assert_eq!(find_action(&blocks, "open").unwrap().0, "blk0");
        assert!(find_action(&blocks, "nope").is_none());
        assert_eq!(with_block_ids(&blocks)[0]["block_id"], "blk0");
        assert_eq!(with_block_ids(&blocks)[1]["block_id"], "lead_actions");
    }
}
