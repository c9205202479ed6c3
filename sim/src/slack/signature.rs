//! Slack's request signature, version `v0`, as Slack computes it for every request it sends to
//! an app (interactions, Events API, slash commands):
//! `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")>` with
//! the timestamp in `X-Slack-Request-Timestamp` (Unix seconds). Apps are told to reject requests
//! whose timestamp is more than five minutes away from their clock.
//! <https://docs.slack.dev/authentication/verifying-requests-from-slack>

use crate::shared::sign::{hex, hmac_sha256};

/// `v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")>`.
pub fn v0(signing_secret: &str, timestamp: &str, body: impl AsRef<[u8]>) -> String {
    let mac = hmac_sha256(
        signing_secret.as_bytes(),
        &[b"v0:", timestamp.as_bytes(), b":", body.as_ref()],
    );
    format!("v0={}", hex(&mac))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of the page above (also in the contracts' `signature_vectors.json`).
    #[test]
    fn documented_vector() {
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        assert_eq!(
            v0("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body),
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        );
    }
}
