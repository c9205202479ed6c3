//! The simulator acting as Meta toward the gateway: the verification handshake and signed
//! event deliveries. Bodies go on the wire as Meta sends them: compact JSON with non-ASCII
//! characters as lowercase `\u` escapes and `/` as `\/`, signed over those exact bytes
//! (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`).

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

/// Why a delivery could not be made.
#[derive(Debug, thiserror::Error)]
#[error("webhook delivery failed")]
pub struct DeliveryError(#[from] reqwest::Error);

/// The body bytes Meta would send for `payload`.
pub fn wire_body(payload: &Value) -> String {
    let compact = payload.to_string();
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// POST `body` to `url` with `X-Hub-Signature-256: signature` (none when `None`) and return
/// the HTTP status.
pub(crate) async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &[u8],
    signature: Option<&str>,
) -> Result<u16, DeliveryError> {
    let mut request = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    Ok(request.send().await?.status().as_u16())
}

/// POST `payload` to `url` as Meta does: escaped wire body signed with `app_secret`.
pub(crate) async fn post_signed(
    http: &reqwest::Client,
    app_secret: &str,
    url: &str,
    payload: &Value,
) -> Result<u16, DeliveryError> {
    let body = wire_body(payload);
    let signature = signature(app_secret, body.as_bytes());
    post(http, url, body.as_bytes(), Some(&signature)).await
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signature_matches_the_documented_vector() {
        assert_eq!(
            signature("It's a Secret to Everybody", b"Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    #[test]
    fn wire_bodies_escape_like_meta() {
        let body = wire_body(&json!({"text": "äöå 😀", "url": "https://x/y"}));
        assert_eq!(
            body,
            r#"{"text":"\u00e4\u00f6\u00e5 \ud83d\ude00","url":"https:\/\/x\/y"}"#
        );
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["text"], "äöå 😀");
    }
}
