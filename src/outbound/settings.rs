//! Checking an integration's settings: each integration owns its config section and says which
//! key is wrong; `config.rs` only prefixes the section (`crm.zoho.` + `accounts_url`).

/// A setting that cannot be used, named by its key inside the integration's section.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct InvalidKey {
    /// The key inside the section, e.g. `opportunity.stage_name`.
    pub key: String,
    pub message: String,
}

/// An [`InvalidKey`] for `key`.
pub fn invalid(key: impl Into<String>, message: impl Into<String>) -> InvalidKey {
    InvalidKey {
        key: key.into(),
        message: message.into(),
    }
}

/// Checks that `url` is an http(s) URL with a host.
pub fn check_http_url(key: &str, url: &str) -> Result<reqwest::Url, InvalidKey> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(u),
        _ => Err(invalid(key, format!("`{url}` is not an http(s) URL"))),
    }
}
