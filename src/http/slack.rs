//! `POST /slack/interactions` and `POST /slack/events`: sales reps act on alerts from Slack.
//! Both are accepted only when signed with the app's signing secret within five minutes, from
//! the configured workspace and alert channels. What must be durable (a claim, a rep's message)
//! is stored before Slack gets its 200, well within Slack's three seconds; talking back to Slack
//! (re-drawing the alert, posting in the thread) happens after, through the outbox.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tracing::{debug, warn};

use super::AppState;
use super::error::ApiError;
use crate::alerts::SlackConfig;
use crate::alerts::actions;
use crate::alerts::signing::verify;
use crate::chat::handoff::HandBack;
use crate::chat::{ChatError, ChatService};
use crate::store::{Claim, Rep};
use crate::sync::plan::{alert_update_job, thread_job};

/// Checks the request's signature, workspace and channel; the Slack settings when it passes.
fn authorise<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<&'a SlackConfig, ApiError> {
    let Some(slack) = state.config.alerts.slack.as_ref() else {
        return Err(ApiError::not_found(
            "Slack is not configured ([alerts.slack])",
        ));
    };
    let Some(secret) = &slack.signing_secret else {
        return Err(ApiError::not_found(
            "set [alerts.slack] signing_secret to act from Slack",
        ));
    };
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if let Err(e) = verify(
        secret.expose_secret().as_bytes(),
        get("x-slack-request-timestamp"),
        get("x-slack-signature"),
        body,
        now,
    ) {
        metrics::counter!("leadgate_slack_refused_total").increment(1);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            e.to_string(),
        ));
    }
    Ok(slack)
}

/// Whether a request comes from the configured workspace and an alert channel.
fn allowed(slack: &SlackConfig, team: Option<&str>, channel: Option<&str>) -> bool {
    let team_ok = match (&slack.team_id, team) {
        (Some(want), Some(got)) => want == got,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let channel_ok = channel.is_some_and(|c| slack.channels().any(|allowed| allowed == c));
    team_ok && channel_ok
}

fn ok() -> Response {
    StatusCode::OK.into_response()
}

/// `POST /slack/interactions`: a click on an alert's button.
pub async fn interactions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let slack = match authorise(&state, &headers, &body) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let payload: Option<Value> =
        url_form(&body, "payload").and_then(|p| serde_json::from_str(&p).ok());
    let Some(p) = payload else {
        return ApiError::bad_request("bad_payload", "expected a form field payload with JSON")
            .into_response();
    };
    if p["type"] != "block_actions" {
        return ok();
    }
    let team = p["team"]["id"].as_str().or(p["user"]["team_id"].as_str());
    let channel = p["container"]["channel_id"]
        .as_str()
        .or(p["channel"]["id"].as_str());
    if !allowed(slack, team, channel) {
        warn!(team = ?team, channel = ?channel, "a Slack click from outside the configured workspace or channels");
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "not_allowed",
            "this workspace or channel may not act on leads",
        )
        .into_response();
    }
    let Some(user) = p["user"]["id"].as_str() else {
        return ApiError::bad_request("bad_payload", "the click names no user").into_response();
    };
    let rep = Rep {
        slack_id: user.to_owned(),
        name: p["user"]["name"]
            .as_str()
            .or(p["user"]["username"].as_str())
            .unwrap_or(user)
            .to_owned(),
    };
    let response_url = p["response_url"].as_str().map(str::to_owned);
    for action in p["actions"].as_array().into_iter().flatten() {
        let (Some(id), Some(conversation)) =
            (action["action_id"].as_str(), action["value"].as_str())
        else {
            continue;
        };
        match act(&state, slack, id, conversation, &rep).await {
            Ok(Some(tell)) => {
                if let Some(url) = response_url.clone() {
                    // Said only to the clicker; losing it costs nothing stored.
                    tokio::spawn(ephemeral(url, tell));
                }
            }
            Ok(None) => {}
            Err(e) => {
                warn!(error = %e, action = id, "a rep's action failed");
                // Slack shows the failure; the rep clicks again.
                return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "try again")
                    .into_response();
            }
        }
    }
    ok()
}

/// Does what a button asks; returns what to tell only the clicker.
async fn act(
    state: &AppState,
    slack: &SlackConfig,
    action: &str,
    conversation: &str,
    rep: &Rep,
) -> Result<Option<String>, ChatError> {
    let chat = &state.chat;
    let store = chat.store();
    let update = |store: &crate::store::Store| {
        let jobs: Vec<_> = alert_update_job(chat.config())
            .into_iter()
            .chain(thread_job(chat.config()))
            .collect();
        let store = store.clone();
        let conversation = conversation.to_owned();
        async move { store.enqueue(&conversation, &jobs).await }
    };
    let tell = match action {
        actions::CLAIM => {
            let owner = slack.owners.get(&rep.slack_id).map(String::as_str);
            match store.claim(conversation, rep, owner).await? {
                Claim::Won => {
                    store
                        .add_note(
                            conversation,
                            &format!(":raising_hand: <@{}> claimed this lead.", rep.slack_id),
                        )
                        .await?;
                    update(store).await?;
                    // The next CRM sync sets the owner.
                    resync(state, conversation).await?;
                    None
                }
                Claim::Taken { slack_id, name } if slack_id == rep.slack_id => {
                    let _ = name;
                    Some("You have claimed this lead already.".to_owned())
                }
                Claim::Taken { slack_id, .. } => {
                    Some(format!("<@{slack_id}> has claimed this lead already."))
                }
                Claim::Gone => {
                    Some("This conversation no longer exists (it may have been erased).".to_owned())
                }
            }
        }
        actions::NOT_A_LEAD => {
            if store.mark_not_a_lead(conversation, rep).await? {
                store
                    .add_note(
                        conversation,
                        &format!(
                            ":no_entry_sign: <@{}> marked this as not a lead.",
                            rep.slack_id
                        ),
                    )
                    .await?;
                update(store).await?;
            }
            None
        }
        actions::HAND_BACK => {
            let Some(mut session) = chat.resume(conversation).await? else {
                return Ok(Some("This conversation no longer exists.".to_owned()));
            };
            if !chat.hand_back(&mut session, HandBack::Button(rep)).await? {
                Some("The assistant already has this conversation.".to_owned())
            } else {
                None
            }
        }
        // Link buttons: Slack sends the click too; nothing to do.
        _ => None,
    };
    state.wake.notify_waiters();
    Ok(tell)
}

/// Queues a CRM sync of the lead, so the CRM hears of the claim.
async fn resync(state: &AppState, conversation: &str) -> Result<(), ChatError> {
    let store = state.chat.store();
    let Some(c) = store.conversation(conversation).await? else {
        return Ok(());
    };
    let Some(site) = state.config.site(&c.site) else {
        return Ok(());
    };
    if site.crm == crate::crm::CrmKind::None || c.lead_revision == 0 {
        return Ok(());
    }
    let job = crate::store::NewJob {
        kind: crate::store::JobKind::CrmSync,
        target: site.crm.name().to_owned(),
        person_key: None,
        revision: c.lead_revision,
    };
    store.enqueue(conversation, &[job]).await?;
    Ok(())
}

async fn ephemeral(url: String, text: String) {
    let body = json!({"response_type": "ephemeral", "replace_original": false, "text": text});
    if let Err(e) = reqwest::Client::new().post(url).json(&body).send().await {
        debug!(error = %e, "could not answer a click");
    }
}

/// `POST /slack/events`: the URL check, and messages in alert threads.
pub async fn events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let slack = match authorise(&state, &headers, &body) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return ApiError::bad_request("bad_json", "the event is not JSON").into_response();
    };
    match v["type"].as_str() {
        Some("url_verification") => {
            let challenge = v["challenge"].as_str().unwrap_or_default().to_owned();
            return ([(header::CONTENT_TYPE, "text/plain")], challenge).into_response();
        }
        Some("event_callback") => {}
        _ => return ok(),
    }
    let Some(event_id) = v["event_id"].as_str() else {
        return ApiError::bad_request("bad_event", "event_callback without event_id")
            .into_response();
    };
    let event = &v["event"];
    let team = v["team_id"].as_str();
    let channel = event["channel"].as_str();
    if !allowed(slack, team, channel) {
        return ok();
    }
    match thread_message(&state.chat, event, event_id).await {
        Ok(()) => ok(),
        Err(e) => {
            warn!(error = %e, "a thread message could not be stored; Slack will send it again");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "try again")
                .into_response()
        }
    }
}

/// A rep's message in an alert's thread, for the visitor. Only the rep who claimed the lead
/// speaks to the visitor: the rest of the thread is the team's own.
async fn thread_message(
    chat: &ChatService,
    event: &Value,
    event_id: &str,
) -> Result<(), ChatError> {
    if event["type"] != "message"
        || event["bot_id"].is_string()
        || event["subtype"]
            .as_str()
            .is_some_and(|s| s != "thread_broadcast")
    {
        return Ok(());
    }
    let (Some(channel), Some(thread), Some(user), Some(text), Some(ts)) = (
        event["channel"].as_str(),
        event["thread_ts"].as_str(),
        event["user"].as_str(),
        event["text"].as_str(),
        event["ts"].as_str(),
    ) else {
        return Ok(());
    };
    if text.trim().is_empty() || ts == thread {
        return Ok(());
    }
    let store = chat.store();
    let Some(conversation) = store.conversation_by_alert(channel, thread).await? else {
        return Ok(());
    };
    let Some(mut session) = chat.resume(&conversation).await? else {
        return Ok(());
    };
    if session.conversation.owner_slack_id.as_deref() != Some(user) {
        return Ok(());
    }
    // Retries carry the same event id: the message is stored once, under Slack's ts.
    if !store.first_seen("slack", event_id).await?
        && session.stored(Some(&format!("slack:{ts}"))).is_some()
    {
        return Ok(());
    }
    let rep = Rep {
        slack_id: user.to_owned(),
        name: session
            .conversation
            .owner_name
            .clone()
            .unwrap_or_else(|| user.to_owned()),
    };
    chat.rep_says(
        &mut session,
        &rep,
        &slack_text(text),
        &format!("slack:{ts}"),
    )
    .await?;
    Ok(())
}

/// A Slack message as the visitor reads it: mentions and links in Slack's markup unwrapped.
fn slack_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = &rest[start + 1..start + end];
        // <https://x|label> -> label; <https://x> -> https://x; <@U…> and <#C…> are dropped.
        if !inner.starts_with('@') && !inner.starts_with('#') && !inner.starts_with('!') {
            out.push_str(inner.split_once('|').map_or(inner, |(_, label)| label));
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

/// One field of a form-encoded body.
fn url_form(body: &[u8], field: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == field)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_markup_reads_as_plain_text() {
        assert_eq!(
            slack_text("Hi <@U123>, see <https://x.eu/p|our pricing> &amp; more"),
            "Hi , see our pricing & more"
        );
        assert_eq!(slack_text("<https://x.eu>"), "https://x.eu");
        assert_eq!(slack_text("a < b"), "a < b");
    }
}
