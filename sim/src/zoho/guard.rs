//! Authentication, concurrency and API credits in front of every Zoho API route.
//!
//! `Authorization: Zoho-oauthtoken <token>` is required (missing → 401
//! `AUTHENTICATION_FAILURE`, unknown or expired → 401 `INVALID_TOKEN`, outside the granted
//! scopes → 401 `OAUTH_SCOPE_MISMATCH`, see `scopes`). A call beyond the
//! concurrency limit, or beyond the rolling 24-hour credits (1 credit per call), answers 429
//! `TOO_MANY_REQUESTS`. Zoho documents no rate-limit headers, so none are sent. The accounts
//! server (`/oauth/…`) is neither authenticated nor counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::ZError;
use super::state::Zoho;
use crate::shared::auth::{TokenStatus, authorization};
use crate::shared::stats::RateLimited;

/// A slot among the concurrent calls, released when dropped.
struct Slot<'a>(&'a AtomicU32);

impl<'a> Slot<'a> {
    fn take(counter: &'a AtomicU32, limit: u32) -> Option<Self> {
        let taken = counter
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .is_ok();
        taken.then_some(Slot(counter))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn throttled(message: &str) -> Response {
    let mut response = ZError::too_many(message).into_response();
    response.extensions_mut().insert(RateLimited);
    response
}

/// The middleware.
pub(crate) async fn guard(State(zoho): State<Arc<Zoho>>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/oauth/") {
        return next.run(request).await;
    }
    let Some(token) = authorization(request.headers(), "Zoho-oauthtoken") else {
        return ZError::authentication_failure().into_response();
    };
    if zoho.tokens.status(token, zoho.core.faults.token_epoch()) != TokenStatus::Valid {
        return ZError::invalid_token().into_response();
    }
    if let Err(refused) =
        super::scopes::check(&zoho.options.scopes, request.method(), request.uri().path())
    {
        return refused.into_response();
    }
    let Some(_slot) = Slot::take(&zoho.in_flight, zoho.options.concurrency) else {
        return throttled("You have exceeded the concurrency limit of your edition");
    };
    let admitted = zoho
        .credits
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .admit(1);
    if admitted.is_err() {
        return throttled("You have exceeded the API credit limit for the last 24 hours");
    }
    let response = next.run(request).await;
    // Notifications for what this request changed leave once it has been answered.
    super::notify::dispatch(&zoho);
    response
}
