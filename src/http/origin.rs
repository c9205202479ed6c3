//! Which origins may open a site's chat.

use crate::config::SiteConfig;

/// Whether a browser page at `origin` may open `site`'s chat. No `Origin` header means a
/// non-browser client, which no cross-site page can impersonate. An empty `allowed_origins`
/// allows the gateway's own origin (the request's host, or `public_url`) and local development
/// (`http://localhost`, `http://127.0.0.1`, any port); `"*"` allows any origin.
pub fn origin_allowed(
    site: &SiteConfig,
    origin: Option<&str>,
    host: &str,
    public_url: Option<&str>,
) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let origin = normalise(origin);
    if site.allowed_origins.is_empty() {
        let own = [format!("http://{host}"), format!("https://{host}")];
        let public = public_url.map(normalise);
        return own.iter().any(|o| normalise(o) == origin)
            || public.is_some_and(|p| p == origin)
            || is_local(&origin);
    }
    site.allowed_origins
        .iter()
        .any(|allowed| allowed == "*" || normalise(allowed) == origin)
}

/// Lower case, no trailing slash, default ports dropped: `HTTPS://Acme.eu:443/` -> `https://acme.eu`.
fn normalise(origin: &str) -> String {
    let lower = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    match lower.strip_suffix(":443") {
        Some(rest) if lower.starts_with("https://") => rest.to_owned(),
        _ => match lower.strip_suffix(":80") {
            Some(rest) if lower.starts_with("http://") => rest.to_owned(),
            _ => lower,
        },
    }
}

fn is_local(origin: &str) -> bool {
    ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|local| {
            origin == *local
                || origin.strip_prefix(local).is_some_and(|rest| {
                    rest.starts_with(':') && rest[1..].chars().all(|c| c.is_ascii_digit())
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(origins: &[&str]) -> SiteConfig {
        SiteConfig {
            allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
            ..SiteConfig::demo()
        }
    }

    #[test]
    fn default_allows_own_and_local_origins_only() {
        let s = site(&[]);
        assert!(origin_allowed(&s, None, "chat.acme.eu", None));
        assert!(origin_allowed(
            &s,
            Some("https://chat.acme.eu"),
            "chat.acme.eu",
            None
        ));
        assert!(origin_allowed(
            &s,
            Some("http://localhost:3000"),
            "chat.acme.eu",
            None
        ));
        assert!(origin_allowed(
            &s,
            Some("http://127.0.0.1:8080"),
            "127.0.0.1:8080",
            None
        ));
        assert!(origin_allowed(
            &s,
            Some("https://www.acme.eu"),
            "gw.internal:8080",
            Some("https://www.acme.eu/")
        ));
        assert!(!origin_allowed(
            &s,
            Some("https://evil.example"),
            "chat.acme.eu",
            None
        ));
        assert!(!origin_allowed(
            &s,
            Some("http://localhost.evil.example"),
            "chat.acme.eu",
            None
        ));
        assert!(!origin_allowed(&s, Some("null"), "chat.acme.eu", None));
    }

    #[test]
    fn configured_origins_are_exact() {
        let s = site(&["https://www.acme.eu"]);
        assert!(origin_allowed(
            &s,
            Some("https://WWW.acme.eu:443"),
            "gw",
            None
        ));
        assert!(!origin_allowed(&s, Some("http://www.acme.eu"), "gw", None));
        assert!(!origin_allowed(
            &s,
            Some("http://localhost:3000"),
            "gw",
            None
        ));
        assert!(origin_allowed(
            &site(&["*"]),
            Some("https://anything.example"),
            "gw",
            None
        ));
    }
}
