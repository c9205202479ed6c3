//! Credentials: the OAuth client a simulator accepts and the access tokens its token endpoint
//! has issued, each with an expiry and the fault "token epoch" it was issued in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use serde::Serialize;

/// The OAuth client registered with a simulated vendor: the token endpoint accepts exactly these
/// values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OAuthClient {
    /// `client_id` (Salesforce: the connected app's consumer key; JWT `iss`).
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// A long-lived refresh token that mints access tokens.
    pub refresh_token: String,
}

impl OAuthClient {
    /// A client with the given values.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        OAuthClient {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
        }
    }
}

/// What the simulator knows about a presented access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenStatus {
    /// Issued, unexpired, not invalidated.
    Valid,
    /// Issued, but past its lifetime or invalidated by `Faults::expire_tokens`; carries how
    /// long ago it expired (zero when invalidated).
    Expired(Duration),
    /// Never issued here.
    Unknown,
}

#[derive(Debug, Clone, Copy)]
struct Issued {
    expires_at: Instant,
    epoch: u64,
}

/// Access tokens issued by one simulator.
#[derive(Default)]
pub(crate) struct TokenStore {
    issued: Mutex<HashMap<String, Issued>>,
}

impl TokenStore {
    /// Remember `token` as valid for `ttl` in token epoch `epoch`.
    pub(crate) fn issue(&self, token: &str, ttl: Duration, epoch: u64) {
        let issued = Issued {
            expires_at: Instant::now() + ttl,
            epoch,
        };
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.to_owned(), issued);
    }

    /// Whether `token` may be used now, given the current token epoch.
    pub(crate) fn status(&self, token: &str, epoch: u64) -> TokenStatus {
        let issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        let Some(found) = issued.get(token) else {
            return TokenStatus::Unknown;
        };
        if found.epoch != epoch {
            return TokenStatus::Expired(Duration::ZERO);
        }
        let now = Instant::now();
        if now >= found.expires_at {
            return TokenStatus::Expired(now - found.expires_at);
        }
        TokenStatus::Valid
    }
}

/// A fresh random token body (hex, 32 characters).
pub(crate) fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The credential after `scheme ` in the `Authorization` header (scheme compared
/// case-insensitively).
pub(crate) fn authorization<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (given, credential) = value.split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| credential.trim())
        .filter(|credential| !credential.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_expire_by_time_and_by_epoch() {
        let store = TokenStore::default();
        store.issue("a", Duration::from_secs(60), 0);
        store.issue("b", Duration::ZERO, 0);
        assert_eq!(store.status("a", 0), TokenStatus::Valid);
        assert!(matches!(store.status("b", 0), TokenStatus::Expired(_)));
        assert_eq!(store.status("a", 1), TokenStatus::Expired(Duration::ZERO));
        assert_eq!(store.status("c", 0), TokenStatus::Unknown);
    }

    #[test]
    fn authorization_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(authorization(&headers, "Bearer"), Some("abc"));
        assert_eq!(authorization(&headers, "Zoho-oauthtoken"), None);
    }
}
