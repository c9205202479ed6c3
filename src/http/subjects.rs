//! `/api/admin/subjects?email=…` or `?phone=…`: a person's access and erasure requests (GDPR
//! articles 15 and 17) across every conversation they had: `GET` shows everything stored about
//! them, `DELETE` erases every one of those conversations.

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};

use super::AppState;
use super::admin::{Admin, conversation_view};
use super::error::ApiError;
use crate::lead::{Email, PhoneE164};
use crate::store::ConversationRow;

/// `?email=…` or `?phone=…` (international, with `+`).
#[derive(Debug, serde::Deserialize)]
pub struct Subject {
    email: Option<String>,
    phone: Option<String>,
}

/// The person asked for, as the lead stores them.
struct Person {
    email: Option<String>,
    phone: Option<String>,
}

impl Subject {
    fn person(&self) -> Result<Person, ApiError> {
        let email = match self.email.as_deref() {
            Some(raw) => Some(
                Email::parse(raw)
                    .map_err(|e| ApiError::bad_request("bad_email", e.to_string()))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let phone = match self.phone.as_deref() {
            Some(raw) => Some(
                PhoneE164::parse(raw, None)
                    .map_err(|e| {
                        ApiError::bad_request("bad_phone", format!("{e} (use +country code)"))
                    })?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        if email.is_none() && phone.is_none() {
            return Err(ApiError::bad_request(
                "no_subject",
                "give email=… or phone=…",
            ));
        }
        Ok(Person { email, phone })
    }
}

impl Person {
    /// Whether the conversation is this person's: its lead names them, or they are its
    /// channel sender.
    fn owns(&self, c: &ConversationRow) -> bool {
        let lead: Value = c
            .lead_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or(Value::Null);
        let is = |field: &str, value: &Option<String>| {
            value
                .as_deref()
                .is_some_and(|v| lead[field].as_str() == Some(v))
        };
        let sender = self.phone.as_deref().map(|p| p.trim_start_matches('+'));
        is("email", &self.email)
            || is("phone", &self.phone)
            || (sender.is_some() && c.external_id.as_deref() == sender)
    }
}

/// The person's conversations, not erased.
async fn conversations(
    state: &AppState,
    person: &Person,
) -> Result<Vec<ConversationRow>, ApiError> {
    let rows = state
        .chat
        .store()
        .conversations_of_person(person.email.as_deref(), person.phone.as_deref())
        .await?;
    Ok(rows.into_iter().filter(|c| person.owns(c)).collect())
}

/// `GET /api/admin/subjects?email=…`: every conversation of the person, in full.
pub async fn show(
    _: Admin,
    State(state): State<AppState>,
    Query(subject): Query<Subject>,
) -> Result<Json<Value>, ApiError> {
    let person = subject.person()?;
    let mut out = Vec::new();
    for c in conversations(&state, &person).await? {
        out.push(conversation_view(state.chat.store(), &c).await?);
    }
    Ok(Json(json!({
        "email": person.email,
        "phone": person.phone,
        "conversations": out,
    })))
}

/// `DELETE /api/admin/subjects?email=…`: erases every conversation of the person.
pub async fn erase(
    _: Admin,
    State(state): State<AppState>,
    Query(subject): Query<Subject>,
) -> Result<Json<Value>, ApiError> {
    let person = subject.person()?;
    let mut erased = Vec::new();
    for c in conversations(&state, &person).await? {
        if state.chat.erase(&c.id).await? {
            erased.push(c.id);
        }
    }
    Ok(Json(json!({"erased": erased})))
}
