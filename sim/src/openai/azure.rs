//! Azure OpenAI's route: `POST /openai/deployments/{deployment}/chat/completions` with an
//! `api-version` query parameter and the key in an `api-key` header (REST reference,
//! learn.microsoft.com/azure/ai-services/openai/reference).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::completions::answer;
use super::flavor::{Fault, Flavor};
use super::state::OpenAi;
use crate::shared::http::{Params, json};

/// Azure's `POST /openai/deployments/{deployment}/chat/completions?api-version=…`: the
/// version is required (a call without one, or with one that is not a date, is a 404 "Resource
/// not found": Microsoft Q&A 1241073), and the deployment must exist (404
/// `DeploymentNotFound`).
pub(crate) async fn create(
    State(openai): State<Arc<OpenAi>>,
    Path(deployment): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let flavor = openai.options.flavor;
    let version = Params::query(query.as_deref())
        .get("api-version")
        .map(str::to_owned);
    if flavor != Flavor::Azure || !version.as_deref().is_some_and(is_api_version) {
        return flavor.error(Fault::NotFound, "");
    }
    if let Some(refused) = flavor.refuse_key(&headers, &openai.options.api_key) {
        return refused;
    }
    if deployment != openai.options.deployment {
        let message = "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.";
        return json(
            StatusCode::NOT_FOUND,
            &json!({"error": {"code": "DeploymentNotFound", "message": message}}),
        );
    }
    answer(&openai, &headers, &body).await
}

/// `YYYY-MM-DD`, or that with `-preview`.
fn is_api_version(v: &str) -> bool {
    let date = v.strip_suffix("-preview").unwrap_or(v);
    let parts: Vec<&str> = date.split('-').collect();
    parts.len() == 3
        && [4, 2, 2]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()))
}
