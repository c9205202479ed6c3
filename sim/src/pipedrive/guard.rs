//! Authentication and rate limiting in front of every Pipedrive API route.
//!
//! Counting follows Pipedrive's token-based limits: each request spends its operation's token
//! cost from the company-wide daily budget (v2: get one 1, list 10, create/update 5, delete 3,
//! search 20; v1 twice that) and one slot of its token's rolling burst window (search routes use
//! the separate search window). Every answer carries `x-ratelimit-limit`, `-remaining`,
//! `-reset` (seconds) and `x-daily-ratelimit-token-limit`/`-remaining`; API-token callers also
//! get `x-daily-requests-left` (their POST/PUT count for the day out of 10,000 by default). Exhaustion of
//! either answers 429 `{"success":false,"error":"Rate limit exceeded","errorCode":429}`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::PdError;
use super::state::{Limits, Pipedrive};
use crate::RateLimit;
use crate::shared::auth::{TokenStatus, authorization};
use crate::shared::http::{Params, set_header};
use crate::shared::ratelimit::{Usage, Window};
use crate::shared::stats::RateLimited;

/// How the caller authenticated.
enum Credential {
    ApiToken(String),
    OAuth(String),
}

impl Credential {
    fn key(&self) -> &str {
        match self {
            Credential::ApiToken(token) | Credential::OAuth(token) => token,
        }
    }
}

/// Window state for the headers.
struct Snapshot {
    window: Usage,
    daily: Usage,
    writes: Option<Usage>,
}

/// The middleware.
pub(crate) async fn guard(
    State(pd): State<Arc<Pipedrive>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/oauth/") {
        return next.run(request).await;
    }
    let credential = match authenticate(&pd, request.headers(), request.uri().query()) {
        Some(credential) => credential,
        None => return PdError::unauthorized().into_response(),
    };
    let method = request.method().clone();
    let cost = token_cost(&method, &path);
    let is_search = path.ends_with("/search");
    // "x-daily-requests-left: … requests you can still make to POST/PUT endpoints during the
    // ongoing day … Applicable only to api_token requests"
    // (<https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting>). v2's PATCH, which
    // replaced PUT, is not named; counting it too is the stricter reading. Past the allowance
    // Pipedrive "may start blocking" writes only on repeated excess (its changelog, "Daily API
    // limit for POST/PUT endpoints"), so the count reaches 0 and writes are still served.
    let is_write = [Method::POST, Method::PUT, Method::PATCH].contains(&method);
    match admit(&pd, &credential, is_search, is_write, cost) {
        Ok(snapshot) => {
            let mut response = next.run(request).await;
            headers(&mut response, &snapshot);
            // Webhooks for what this request changed leave once it has been answered.
            super::deliveries::dispatch(&pd);
            response
        }
        Err(snapshot) => {
            let mut response = PdError::rate_limited().into_response();
            headers(&mut response, &snapshot);
            response.extensions_mut().insert(RateLimited);
            response
        }
    }
}

fn authenticate(pd: &Pipedrive, headers: &HeaderMap, query: Option<&str>) -> Option<Credential> {
    if let Some(token) = authorization(headers, "Bearer") {
        return match pd.tokens.status(token, pd.core.faults.token_epoch()) {
            TokenStatus::Valid => Some(Credential::OAuth(token.to_owned())),
            TokenStatus::Expired(_) | TokenStatus::Unknown => None,
        };
    }
    let header = headers.get("x-api-token").and_then(|v| v.to_str().ok());
    let params = Params::query(query);
    let token = header.or_else(|| params.get("api_token"))?;
    (token == pd.options.api_token).then(|| Credential::ApiToken(token.to_owned()))
}

/// The operation's `x-token-cost`.
pub(crate) fn token_cost(method: &Method, path: &str) -> u32 {
    // Costs the v1 spec states outright (`pipedrive-openapi-v1.yaml`: getWebhooks 10,
    // addWebhook 10, deleteWebhook 6, getCurrentUser 2).
    let v1 = path.strip_prefix("/api").unwrap_or(path);
    if v1 == "/v1/webhooks" {
        return 10;
    }
    if v1.starts_with("/v1/webhooks/") {
        return 6;
    }
    if v1 == "/v1/users/me" {
        return 2;
    }
    let factor = if path.starts_with("/api/v2/") { 1 } else { 2 };
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let base = if last == "search" {
        20
    } else {
        match *method {
            Method::GET if last.parse::<u64>().is_ok() => 1,
            Method::GET => 10,
            Method::DELETE => 3,
            _ => 5,
        }
    };
    base * factor
}

fn window<'a>(
    map: &'a mut std::collections::HashMap<String, Window>,
    key: &str,
    limit: RateLimit,
) -> &'a mut Window {
    map.entry(key.to_owned())
        .or_insert_with(|| Window::new(limit))
}

fn admit(
    pd: &Pipedrive,
    credential: &Credential,
    is_search: bool,
    is_write: bool,
    cost: u32,
) -> Result<Snapshot, Snapshot> {
    let options = &pd.options;
    let mut guard = pd.limits.lock().unwrap_or_else(|p| p.into_inner());
    let limits: &mut Limits = &mut guard;
    let key = credential.key();
    let (map, limit) = if is_search {
        (&mut limits.search, options.search_burst)
    } else if matches!(credential, Credential::OAuth(_)) {
        (&mut limits.burst, options.oauth_burst)
    } else {
        (&mut limits.burst, options.api_token_burst)
    };
    let burst = window(map, key, limit);
    let daily = limits
        .daily
        .get_or_insert_with(|| Window::new(options.daily_budget));
    let writes = match credential {
        Credential::ApiToken(_) => Some(window(
            &mut limits.writes,
            key,
            RateLimit::per_day(options.daily_writes),
        )),
        Credential::OAuth(_) => None,
    };
    let daily_now = daily.peek();
    if daily_now.remaining < cost {
        return Err(Snapshot {
            window: burst.peek(),
            daily: daily_now,
            writes: writes.map(|w| w.peek()),
        });
    }
    let window_now = match burst.admit(1) {
        Ok(usage) => usage,
        Err(usage) => {
            return Err(Snapshot {
                window: usage,
                daily: daily_now,
                writes: writes.map(|w| w.peek()),
            });
        }
    };
    let daily_after = daily.admit(cost).unwrap_or(daily_now);
    let writes_after = writes.map(|w| {
        if is_write {
            w.admit(1).unwrap_or_else(|usage| usage)
        } else {
            w.peek()
        }
    });
    Ok(Snapshot {
        window: window_now,
        daily: daily_after,
        writes: writes_after,
    })
}

/// The rolling-window headers.
pub(crate) fn window_headers(response: &mut Response, limit: u32, remaining: u32, reset_secs: u64) {
    set_header(response, "x-ratelimit-limit", limit);
    set_header(response, "x-ratelimit-remaining", remaining);
    set_header(response, "x-ratelimit-reset", reset_secs);
}

fn headers(response: &mut Response, snapshot: &Snapshot) {
    window_headers(
        response,
        snapshot.window.limit,
        snapshot.window.remaining,
        snapshot.window.retry_after_secs(),
    );
    set_header(
        response,
        "x-daily-ratelimit-token-limit",
        snapshot.daily.limit,
    );
    set_header(
        response,
        "x-daily-ratelimit-token-remaining",
        snapshot.daily.remaining,
    );
    if let Some(writes) = snapshot.writes {
        set_header(response, "x-daily-requests-left", writes.remaining);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_follow_the_spec() {
        assert_eq!(token_cost(&Method::GET, "/api/v2/persons/search"), 20);
        assert_eq!(token_cost(&Method::GET, "/api/v2/persons/12"), 1);
        assert_eq!(token_cost(&Method::GET, "/api/v2/persons"), 10);
        assert_eq!(token_cost(&Method::POST, "/api/v2/persons"), 5);
        assert_eq!(token_cost(&Method::PATCH, "/api/v2/persons/3"), 5);
        assert_eq!(token_cost(&Method::DELETE, "/api/v2/deals/3"), 3);
        assert_eq!(token_cost(&Method::POST, "/v1/notes"), 10);
        assert_eq!(token_cost(&Method::GET, "/api/v1/notes/4"), 2);
        assert_eq!(token_cost(&Method::GET, "/v1/webhooks"), 10);
        assert_eq!(token_cost(&Method::POST, "/api/v1/webhooks"), 10);
        assert_eq!(token_cost(&Method::DELETE, "/v1/webhooks/3"), 6);
        assert_eq!(token_cost(&Method::GET, "/v1/users/me"), 2);
    }
}
