//! Meta's webhook checks: the `hub.challenge` handshake and `X-Hub-Signature-256`, an
//! HMAC-SHA256 of the exact body bytes with the app secret, compared in constant time before
//! anything is parsed (<https://developers.facebook.com/docs/graph-api/webhooks/getting-started>,
//! "Event Notifications": "We sign all Event Notification payloads with a SHA256 signature").

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Why a POST's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the X-Hub-Signature-256 header is not sha256=<64 hex digits>")]
    Malformed,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks `header` (`sha256=<hex>`) against the HMAC-SHA256 of `body` under `secret`.
pub fn verify(secret: &[u8], header: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let expected = decode_hex(hex).ok_or(SignatureError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The answer to Meta's subscription handshake: the challenge when the mode is `subscribe` and
/// the token matches (compared in constant time), else `None` (403).
pub fn handshake<'a>(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
    verify_token: &str,
) -> Option<&'a str> {
    let token_ok: bool = token.is_some_and(|t| t.as_bytes().ct_eq(verify_token.as_bytes()).into());
    (mode == Some("subscribe") && token_ok)
        .then_some(challenge)
        .flatten()
        .filter(|c| !c.is_empty() && c.len() <= 512)
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        out[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("sha256={hex}")
    }

    #[test]
    fn the_documented_vector_verifies() {
        // The Graph webhooks page's sample: secret "It's a Secret to Everybody", body
        // "Hello, World!".
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(
            verify(
                b"It's a Secret to Everybody",
                Some(header),
                b"Hello, World!"
            ),
            Ok(())
        );
        let upper = header.to_uppercase().replace("SHA256=", "sha256=");
        assert_eq!(
            verify(
                b"It's a Secret to Everybody",
                Some(&upper),
                b"Hello, World!"
            ),
            Ok(()),
            "hex digits in either case"
        );
    }

    #[test]
    fn anything_else_is_refused() {
        let body = br#"{"object":"whatsapp_business_account"}"#;
        let good = sign(b"s3cret", body);
        assert_eq!(verify(b"s3cret", Some(&good), body), Ok(()));
        assert_eq!(verify(b"s3cret", None, body), Err(SignatureError::Missing));
        for bad in [
            "",
            "sha256=",
            "sha1=abc",
            "sha256=zz",
            &good[..good.len() - 1],
        ] {
            assert_eq!(
                verify(b"s3cret", Some(bad), body),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            verify(b"other", Some(&good), body),
            Err(SignatureError::Mismatch)
        );
        // A proxy that re-serialises the JSON (spaces, unescaped characters) breaks it.
        let reserialised = br#"{"object": "whatsapp_business_account"}"#;
        assert_eq!(
            verify(b"s3cret", Some(&good), reserialised),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn the_handshake_needs_subscribe_and_the_token() {
        let ok = handshake(Some("subscribe"), Some("tok"), Some("1158201444"), "tok");
        assert_eq!(ok, Some("1158201444"));
        assert_eq!(
            handshake(Some("subscribe"), Some("nope"), Some("1"), "tok"),
            None
        );
        assert_eq!(
            handshake(Some("unsubscribe"), Some("tok"), Some("1"), "tok"),
            None
        );
        assert_eq!(handshake(None, Some("tok"), Some("1"), "tok"), None);
        assert_eq!(handshake(Some("subscribe"), None, Some("1"), "tok"), None);
        assert_eq!(handshake(Some("subscribe"), Some("tok"), None, "tok"), None);
    }
}
