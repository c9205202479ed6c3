//! Session checks and the daily API allocation in front of every REST route.
//!
//! Every authenticated REST call counts once (a composite counts once, whatever it contains)
//! toward the rolling 24-hour allocation; every answer carries
//! `Sforce-Limit-Info: api-usage=used/max`. A call over the allocation gets 403
//! `REQUEST_LIMIT_EXCEEDED` (no 429, no `Retry-After`, as Salesforce). The token endpoint, the
//! identity URLs (which check their token themselves) and the version list
//! (`GET /services/data`) are not authenticated here nor counted.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::SfError;
use super::state::{Salesforce, limit_info};
use crate::shared::auth::{TokenStatus, authorization};
use crate::shared::stats::RateLimited;

/// The middleware.
pub(crate) async fn guard(
    State(sf): State<Arc<Salesforce>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let open = path.starts_with("/services/oauth2/")
        || path.starts_with("/id/")
        || path.trim_end_matches('/') == "/services/data";
    if open {
        return next.run(request).await;
    }
    let valid = authorization(request.headers(), "Bearer")
        .map(|token| sf.tokens.status(token, sf.core.faults.token_epoch()))
        == Some(TokenStatus::Valid);
    if !valid {
        return SfError::invalid_session().into_response();
    }
    let admitted = sf.usage.lock().unwrap_or_else(|p| p.into_inner()).admit(1);
    match admitted {
        Ok(usage) => {
            let mut response = next.run(request).await;
            limit_info(&mut response, usage.used, usage.limit);
            response
        }
        Err(usage) => {
            let mut response = SfError::limit_exceeded().into_response();
            limit_info(&mut response, usage.used, usage.limit);
            response.extensions_mut().insert(RateLimited);
            response
        }
    }
}
