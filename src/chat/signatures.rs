//! Resume tokens and transcript links: an HMAC of the purpose, the id, an expiry and the key's
//! version, so only the browser that opened a session can resume it, a transcript link stops
//! working after `[server] transcript_link_days`, and the key can be rotated (tokens signed
//! with the previous key are still accepted while it is configured).
//!
//! A token reads `<key version>.<expiry, Unix seconds>.<MAC>`; the key version is the first
//! eight hex digits of the key's SHA-256, so it names the key without revealing it.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// One signing key and its version.
#[derive(Clone)]
struct Key {
    bytes: Vec<u8>,
    version: String,
}

impl Key {
    fn new(bytes: &[u8]) -> Key {
        let digest = Sha256::digest(bytes);
        let version = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        Key {
            bytes: bytes.to_vec(),
            version,
        }
    }

    fn mac(&self, purpose: &str, id: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.bytes).expect("HMAC takes any key length");
        for part in [
            "leadgate-",
            purpose,
            ":",
            id,
            ":",
            &expires.to_string(),
            ":",
            &self.version,
        ] {
            mac.update(part.as_bytes());
        }
        mac
    }
}

/// Signs and checks resume tokens and transcript links with the gateway's secret.
#[derive(Clone)]
pub struct ResumeTokens {
    key: Key,
    previous: Option<Key>,
    lifetime: Duration,
}

impl std::fmt::Debug for ResumeTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResumeTokens(..)")
    }
}

/// How long a token lives unless configured (`[server] transcript_link_days`).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(90 * 86_400);

fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl ResumeTokens {
    /// Tokens signed with `secret`, living [`DEFAULT_LIFETIME`].
    pub fn new(secret: &[u8]) -> ResumeTokens {
        ResumeTokens {
            key: Key::new(secret),
            previous: None,
            lifetime: DEFAULT_LIFETIME,
        }
    }

    /// Also accepts tokens signed with the key used before `secret` (during a rotation).
    pub fn with_previous(mut self, previous: Option<&[u8]>) -> ResumeTokens {
        self.previous = previous.map(Key::new);
        self
    }

    /// Tokens signed from now on live `lifetime`.
    pub fn with_lifetime(mut self, lifetime: Duration) -> ResumeTokens {
        self.lifetime = lifetime;
        self
    }

    /// A token for `purpose` and `id`, valid until `expires` (Unix seconds).
    fn sign_until(&self, purpose: &str, id: &str, expires: i64) -> String {
        let mac = self.key.mac(purpose, id, expires).finalize().into_bytes();
        format!(
            "{}.{expires}.{}",
            self.key.version,
            URL_SAFE_NO_PAD.encode(mac)
        )
    }

    fn sign_for(&self, purpose: &str, id: &str) -> String {
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        self.sign_until(purpose, id, now_secs().saturating_add(lifetime))
    }

    /// Whether `token` was signed for `purpose` and `id` with the key or the previous one, and
    /// has not expired (the MAC is compared in constant time).
    fn verify_for(&self, purpose: &str, id: &str, token: &str) -> bool {
        let mut parts = token.splitn(3, '.');
        let (Some(version), Some(expires), Some(mac)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let Ok(expires) = expires.parse::<i64>() else {
            return false;
        };
        let Ok(mac) = URL_SAFE_NO_PAD.decode(mac) else {
            return false;
        };
        let key = [Some(&self.key), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.version == version);
        match key {
            Some(key) => {
                key.mac(purpose, id, expires).verify_slice(&mac).is_ok() && now_secs() <= expires
            }
            None => false,
        }
    }

    /// A token for a read-only transcript link given to sales reps (a different purpose, so it
    /// cannot resume the chat).
    pub fn sign_transcript(&self, conversation_id: &str) -> String {
        self.sign_for("transcript", conversation_id)
    }

    /// Whether a transcript token belongs to the conversation and is still valid.
    pub fn verify_transcript(&self, conversation_id: &str, token: &str) -> bool {
        self.verify_for("transcript", conversation_id, token)
    }

    /// The token for a session.
    pub fn sign(&self, session_id: &str) -> String {
        self.sign_for("resume", session_id)
    }

    /// Whether `token` belongs to `session_id` and is still valid.
    pub fn verify(&self, session_id: &str, token: &str) -> bool {
        self.verify_for("resume", session_id, token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const OLD: &[u8] = b"the key before the rotation, long";

    #[test]
    fn tokens_verify_only_for_their_session_and_secret() {
        let t = ResumeTokens::new(KEY);
        let token = t.sign("s1");
        assert!(t.verify("s1", &token));
        assert!(!t.verify("s2", &token));
        assert!(!t.verify("s1", "not base64 !!"));
        assert!(!t.verify("s1", ""));
        assert!(!ResumeTokens::new(b"another secret of enough length").verify("s1", &token));
        let transcript = t.sign_transcript("s1");
        assert!(t.verify_transcript("s1", &transcript));
        assert!(
            !t.verify("s1", &transcript),
            "a transcript link cannot resume the chat"
        );
        assert!(!t.verify_transcript("s1", &token));
    }

    #[test]
    fn tokens_expire_and_their_expiry_cannot_be_changed() {
        let t = ResumeTokens::new(KEY);
        let now = now_secs();
        let past = t.sign_until("transcript", "c1", now - 1);
        assert!(!t.verify_transcript("c1", &past), "expired");
        let (version, rest) = past.split_once('.').unwrap();
        let mac = rest.split_once('.').unwrap().1;
        let moved = format!("{version}.{}.{mac}", now + 86_400);
        assert!(!t.verify_transcript("c1", &moved), "the expiry is signed");
        let future = t.sign_until("transcript", "c1", now + 60);
        assert!(t.verify_transcript("c1", &future));
    }

    #[test]
    fn the_previous_key_is_accepted_only_while_configured() {
        let old = ResumeTokens::new(OLD).sign_transcript("c1");
        let rotating = ResumeTokens::new(KEY).with_previous(Some(OLD));
        assert!(rotating.verify_transcript("c1", &old));
        assert!(!ResumeTokens::new(KEY).verify_transcript("c1", &old));
        let fresh = rotating.sign_transcript("c1");
        assert!(fresh.starts_with(&Key::new(KEY).version), "{fresh}");
    }
}
