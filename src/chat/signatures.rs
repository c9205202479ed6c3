//! Resume tokens: an HMAC of the session id, so only the browser that opened a session can
//! resume it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Signs and checks resume tokens with the gateway's secret.
#[derive(Clone)]
pub struct ResumeTokens {
    key: Vec<u8>,
}

impl std::fmt::Debug for ResumeTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResumeTokens(..)")
    }
}

impl ResumeTokens {
    /// Tokens signed with `secret`.
    pub fn new(secret: &[u8]) -> ResumeTokens {
        ResumeTokens {
            key: secret.to_vec(),
        }
    }

    fn mac(&self, session_id: &str) -> Hmac<Sha256> {
        self.mac_for("resume", session_id)
    }

    fn mac_for(&self, purpose: &str, id: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"leadgate-");
        mac.update(purpose.as_bytes());
        mac.update(b":");
        mac.update(id.as_bytes());
        mac
    }

    /// A token for a read-only transcript link given to sales reps (a different purpose, so it
    /// cannot resume the chat).
    pub fn sign_transcript(&self, conversation_id: &str) -> String {
        URL_SAFE_NO_PAD.encode(
            self.mac_for("transcript", conversation_id)
                .finalize()
                .into_bytes(),
        )
    }

    /// Whether a transcript token belongs to the conversation.
    pub fn verify_transcript(&self, conversation_id: &str, token: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(token) {
            Ok(bytes) => self
                .mac_for("transcript", conversation_id)
                .verify_slice(&bytes)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// The token for a session.
    pub fn sign(&self, session_id: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(session_id).finalize().into_bytes())
    }

    /// Whether `token` belongs to `session_id` (compared in constant time).
    pub fn verify(&self, session_id: &str, token: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(token) {
            Ok(bytes) => self.mac(session_id).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_session_and_secret() {
        let t = ResumeTokens::new(b"0123456789abcdef0123456789abcdef");
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
}
