//! Authentication and rate limiting in front of every HubSpot API route, and the
//! `X-HubSpot-RateLimit-*` headers on every answer.
//!
//! Counting: search routes (`…/search`) use the per-second search window and are exempt from
//! the 10-second window (`x-hubspot-rate-limit-exemptions: ["ten-secondly"]`); every API call
//! counts toward the daily window. The OAuth token endpoint is not limited. Daily headers are
//! only sent to private-app callers, as HubSpot does.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Options;
use super::errors::{HsError, Policy, rate_limited};
use super::state::HubSpot;
use crate::shared::auth::{TokenStatus, authorization};
use crate::shared::http::set_header;
use crate::shared::ratelimit::Usage;
use crate::shared::stats::RateLimited;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    PrivateApp,
    OAuth,
}

/// What [`admit`] decided.
enum Verdict {
    /// Admitted; the windows' state afterwards.
    Admitted(Admitted),
    /// Refused by `policy`: the refusing window's usage and every window's state.
    Refused(Policy, Usage, Admitted),
}

/// The windows' state after admitting a request.
struct Admitted {
    burst: Usage,
    search: Option<Usage>,
    daily: Usage,
}

/// The middleware.
pub(crate) async fn guard(
    State(hs): State<Arc<HubSpot>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/oauth/") {
        return next.run(request).await;
    }
    let caller = match authenticate(&hs, request.headers()) {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    let is_search = path.ends_with("/search");
    match admit(&hs, is_search) {
        Verdict::Admitted(admitted) => {
            let mut response = next.run(request).await;
            headers(&mut response, &hs.options, caller, &admitted);
            // Webhooks for what this request changed leave once it has been answered.
            super::webhooks::dispatch(&hs);
            response
        }
        Verdict::Refused(policy, refused, admitted) => {
            let mut response = rate_limited(policy, &refused);
            headers(&mut response, &hs.options, caller, &admitted);
            response.extensions_mut().insert(RateLimited);
            response
        }
    }
}

fn authenticate(hs: &HubSpot, headers: &axum::http::HeaderMap) -> Result<Caller, HsError> {
    let Some(token) = authorization(headers, "Bearer") else {
        return Err(HsError::unauthenticated(
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        ));
    };
    if token == hs.options.private_app_token {
        return Ok(Caller::PrivateApp);
    }
    match hs.tokens.status(token, hs.core.faults.token_epoch()) {
        TokenStatus::Valid => Ok(Caller::OAuth),
        TokenStatus::Expired(ago) => Err(HsError::unauthenticated(format!(
            "The OAuth token used to make this call expired {} second(s) ago.",
            ago.as_secs()
        ))),
        TokenStatus::Unknown => Err(HsError::unauthenticated(
            "Authentication credentials not found. The access token provided is not valid.",
        )),
    }
}

/// Admit one request, or say which policy refused it (with the refusing window's usage and
/// the current state of all windows for the headers).
fn admit(hs: &HubSpot, is_search: bool) -> Verdict {
    let mut limits = hs.limits.lock().unwrap_or_else(|p| p.into_inner());
    let daily = limits.daily.peek();
    let current = |limits: &mut super::state::Limits| Admitted {
        burst: limits.burst.peek(),
        search: is_search.then(|| limits.search.peek()),
        daily: limits.daily.peek(),
    };
    if daily.remaining == 0 {
        return Verdict::Refused(Policy::Daily, daily, current(&mut limits));
    }
    let (burst, search) = if is_search {
        match limits.search.admit(1) {
            Ok(search) => (limits.burst.peek(), Some(search)),
            Err(refused) => {
                return Verdict::Refused(Policy::Secondly, refused, current(&mut limits));
            }
        }
    } else {
        match limits.burst.admit(1) {
            Ok(burst) => (burst, None),
            Err(refused) => {
                return Verdict::Refused(Policy::TenSecondlyRolling, refused, current(&mut limits));
            }
        }
    };
    let daily = limits.daily.admit(1).unwrap_or(daily);
    Verdict::Admitted(Admitted {
        burst,
        search,
        daily,
    })
}

/// The rolling-window headers.
pub(crate) fn burst_headers(response: &mut Response, max: u32, remaining: u32, options: &Options) {
    set_header(response, "x-hubspot-ratelimit-max", max);
    set_header(response, "x-hubspot-ratelimit-remaining", remaining);
    set_header(
        response,
        "x-hubspot-ratelimit-interval-milliseconds",
        options.rate_limit.window.as_millis(),
    );
}

fn headers(response: &mut Response, options: &Options, caller: Caller, admitted: &Admitted) {
    burst_headers(
        response,
        admitted.burst.limit,
        admitted.burst.remaining,
        options,
    );
    if let Some(search) = admitted.search {
        set_header(response, "x-hubspot-ratelimit-secondly", search.limit);
        set_header(
            response,
            "x-hubspot-ratelimit-secondly-remaining",
            search.remaining,
        );
    }
    if caller == Caller::PrivateApp {
        set_header(response, "x-hubspot-ratelimit-daily", admitted.daily.limit);
        set_header(
            response,
            "x-hubspot-ratelimit-daily-remaining",
            admitted.daily.remaining,
        );
    }
}
