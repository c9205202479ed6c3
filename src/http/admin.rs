//! `/api/admin`: what an operator needs to look at a conversation and to erase a visitor.
//! Off unless `[server] admin_token` is set; every call needs `Authorization: Bearer <token>`.
//! An address that fails `[limits] admin_failures_per_min` times is refused for the rest of the
//! minute, before its token is compared.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::AppState;
use super::client_ip::ClientKey;
use super::error::ApiError;
use crate::store::JobState;

/// Proof that the caller holds the admin token.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Admin, ApiError> {
        let Some(expected) = state.config.server.admin_token.as_ref() else {
            return Err(ApiError::not_found(
                "the admin API is off; set [server] admin_token",
            ));
        };
        let Ok(ClientKey(client)) = ClientKey::from_request_parts(parts, state).await;
        if state.limiters.admin_blocked(client) {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many failed admin attempts from this address; wait a minute",
            ));
        }
        let given = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let valid = given.is_some_and(|given| {
            given
                .as_bytes()
                .ct_eq(expected.expose_secret().as_bytes())
                .into()
        });
        if valid {
            Ok(Admin)
        } else {
            state.limiters.admin_failed(client);
            metrics::counter!("leadgate_admin_failures_total").increment(1);
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid admin bearer token is required",
            ))
        }
    }
}

/// `GET /api/admin/conversations/{id}`: the conversation, its lead, messages and revisions.
pub async fn conversation(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let store = state.chat.store();
    let c = store
        .conversation(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no conversation {id}")))?;
    Ok(Json(conversation_view(store, &c).await?))
}

/// Everything stored about a conversation, as the admin API shows it.
pub(super) async fn conversation_view(
    store: &crate::store::Store,
    c: &crate::store::ConversationRow,
) -> Result<Value, ApiError> {
    let id = &c.id;
    let messages = store.messages_after(id, 0, 10_000).await?;
    let revisions = store.revisions(id).await?;
    let deliveries = store.deliveries(id).await?;
    let lead: Value = c
        .lead_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or(Value::Null);
    let revisions: Vec<Value> = revisions
        .iter()
        .map(|r| {
            json!({
                "revision": r.revision,
                "message_seq": r.message_seq,
                "changes": serde_json::from_str::<Value>(&r.changes_json).unwrap_or(Value::Null),
                "score": r.score,
                "created_ms": r.created_ms,
                "actor": r.actor,
            })
        })
        .collect();
    Ok(json!({
        "id": c.id,
        "site": c.site,
        "channel": c.channel,
        "locale": c.locale,
        "started_ms": c.started_ms,
        "consent_required": c.consent_required,
        "consent_granted": c.consent_granted,
        "lead": lead,
        "score": c.score,
        "qualified_ms": c.qualified_ms,
        "erased_ms": c.erased_ms,
        "owner": {"slack_id": c.owner_slack_id, "name": c.owner_name, "crm_id": c.owner_crm_id, "claimed_ms": c.claimed_ms},
        "not_a_lead": c.not_a_lead,
        "human_since_ms": c.human_since_ms,
        "messages": messages.iter().map(|m| json!({"seq": m.seq, "role": m.role, "text": m.text, "client_msg_id": m.client_msg_id, "author": m.author, "asked": m.asked})).collect::<Vec<_>>(),
        "revisions": revisions,
        "deliveries": deliveries,
    }))
}

/// `?channel=whatsapp&limit=50`
#[derive(Debug, serde::Deserialize)]
pub struct ConversationFilter {
    channel: Option<String>,
    site: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/admin/llm/usage`: the day's tokens and calls of the model, and the turns the rule
/// engine answered because the budget or the concurrency cap was reached.
pub async fn llm_usage(_: Admin, State(state): State<AppState>) -> Json<Value> {
    match state.chat.model_use() {
        Some(used) => Json(json!({"engine": "llm", "today": used})),
        None => Json(json!({"engine": "rules", "today": null})),
    }
}

/// `GET /api/admin/conversations`: conversations, newest first.
pub async fn conversations(
    _: Admin,
    State(state): State<AppState>,
    axum::extract::Query(f): axum::extract::Query<ConversationFilter>,
) -> Result<Json<Value>, ApiError> {
    let rows = state
        .chat
        .store()
        .list_conversations(
            f.site.as_deref(),
            f.channel.as_deref(),
            f.limit.unwrap_or(50).clamp(1, 500),
        )
        .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|c| {
            json!({"id": c.id, "site": c.site, "channel": c.channel, "started_ms": c.started_ms,
                   "updated_ms": c.updated_ms, "score": c.score, "qualified_ms": c.qualified_ms,
                   "erased_ms": c.erased_ms})
        })
        .collect();
    Ok(Json(json!({ "conversations": items })))
}

/// `DELETE /api/admin/conversations/{id}`: erases the visitor's data (GDPR article 17).
pub async fn erase(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if state.chat.erase(&id).await? {
        Ok(Json(json!({"erased": id})))
    } else {
        Err(ApiError::not_found(format!("no conversation {id}")))
    }
}

/// `?state=dead`
#[derive(Debug, serde::Deserialize)]
pub struct JobFilter {
    state: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/admin/jobs?state=dead`: outbox jobs, newest first, with counts per target and state.
pub async fn jobs(
    _: Admin,
    State(state): State<AppState>,
    axum::extract::Query(f): axum::extract::Query<JobFilter>,
) -> Result<Json<Value>, ApiError> {
    let wanted = match f.state.as_deref() {
        None => None,
        Some(name) => Some(JobState::parse(name).ok_or_else(|| {
            let names: Vec<&str> = JobState::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::bad_request("bad_state", format!("state is one of {}", names.join(", ")))
        })?),
    };
    let store = state.chat.store();
    let rows = store
        .list_jobs(wanted, f.limit.unwrap_or(100).clamp(1, 1000))
        .await?;
    let counts: Vec<Value> = store
        .job_counts()
        .await?
        .into_iter()
        .map(|(t, s, n)| json!({"target": t, "state": s, "count": n}))
        .collect();
    Ok(Json(json!({"jobs": rows, "counts": counts})))
}

/// `POST /api/admin/jobs/{id}/retry`: a dead or paused job runs again now.
pub async fn retry_job(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    if state.chat.store().retry_job(id).await? {
        state.wake.notify_waiters();
        Ok(Json(json!({"retried": id})))
    } else {
        Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_retryable",
            format!("job {id} is not dead or paused"),
        ))
    }
}

/// `POST /api/admin/jobs/{id}/discard`: gives a job up for good.
pub async fn discard_job(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    if state.chat.store().discard_job(id).await? {
        Ok(Json(json!({"discarded": id})))
    } else {
        Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_discardable",
            format!("job {id} is not dead, paused or pending"),
        ))
    }
}

/// `POST /api/admin/targets/{target}/resume`: resumes a target paused by refused credentials.
pub async fn resume_target(
    _: Admin,
    State(state): State<AppState>,
    Path(target): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let n = state.chat.store().resume_target(&target).await?;
    state.wake.notify_waiters();
    Ok(Json(json!({"resumed": n, "target": target})))
}

/// `?site=demo&channel=whatsapp&weeks=12`
#[derive(Debug, serde::Deserialize)]
pub struct FunnelFilter {
    site: Option<String>,
    channel: Option<String>,
    weeks: Option<i64>,
}

/// `GET /api/admin/funnel`: chat -> with contact details -> qualified -> deal -> won, per week.
pub async fn funnel(
    _: Admin,
    State(state): State<AppState>,
    axum::extract::Query(f): axum::extract::Query<FunnelFilter>,
) -> Result<Json<Value>, ApiError> {
    let weeks = f.weeks.unwrap_or(12).clamp(1, 520);
    let since = crate::store::now_ms() - weeks * 604_800_000;
    let rows = state
        .chat
        .store()
        .funnel(f.site.as_deref(), f.channel.as_deref(), since)
        .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|w| {
            // The Monday the week starts on.
            let monday_ms = w.week * 604_800_000 - 259_200_000;
            let monday = time::OffsetDateTime::from_unix_timestamp(monday_ms / 1000)
                .map(|t| t.date().to_string())
                .unwrap_or_default();
            json!({"week_of": monday, "conversations": w.conversations, "with_contact": w.with_contact,
                   "qualified": w.qualified, "with_deal": w.with_deal, "won": w.won})
        })
        .collect();
    Ok(Json(
        json!({"site": f.site, "channel": f.channel, "weeks": items}),
    ))
}
