//! HubSpot's request signatures.
//!
//! Version 3 (<https://developers.hubspot.com/docs/api/webhooks/validating-requests>;
//! <https://developers.hubspot.com/changelog/introducing-version-3-of-webhook-signatures>):
//! `X-HubSpot-Signature-v3 = base64(HMAC-SHA256(client secret, method + URI + body +
//! timestamp))` with the timestamp (Unix milliseconds) in `X-HubSpot-Request-Timestamp`;
//! receivers reject timestamps older than five minutes. The URI is the full URL the request
//! was sent to, with the URL-encoded characters of HubSpot's table decoded (`%3A` `:`, `%2F`
//! `/`, `%3F` `?`, `%40` `@`, `%21` `!`, `%24` `$`, `%27` `'`, `%28` `(`, `%29` `)`, `%2A` `*`,
//! `%2C` `,`, `%3B` `;`); the table itself could not be re-read, the list is the one public
//! validators reproduce from that page, and every other escape stays as sent.
//!
//! Version 1 (<https://developers.hubspot.com/docs/faq/v1-request-validation>), which webhook
//! deliveries still carry in `X-HubSpot-Signature` with `X-HubSpot-Signature-Version: v1`:
//! `hex(SHA-256(client secret + body))`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::shared::sign::{hex, hmac_sha256, sha256};

/// The escapes HubSpot decodes in the URI before signing.
const DECODED: &[(&str, char)] = &[
    ("%3A", ':'),
    ("%2F", '/'),
    ("%3F", '?'),
    ("%40", '@'),
    ("%21", '!'),
    ("%24", '$'),
    ("%27", '\''),
    ("%28", '('),
    ("%29", ')'),
    ("%2A", '*'),
    ("%2C", ','),
    ("%3B", ';'),
];

/// `uri` as HubSpot signs it: the listed escapes decoded (hex digits in either case).
pub fn signed_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        match DECODED
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(escape))
        {
            Some((_, decoded)) => {
                out.push(*decoded);
                rest = &rest[at + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `X-HubSpot-Signature-v3` for a request.
pub fn v3(client_secret: &str, method: &str, uri: &str, body: &str, timestamp: &str) -> String {
    let mac = hmac_sha256(
        client_secret.as_bytes(),
        &[
            method.as_bytes(),
            signed_uri(uri).as_bytes(),
            body.as_bytes(),
            timestamp.as_bytes(),
        ],
    );
    STANDARD.encode(mac)
}

/// `X-HubSpot-Signature` (version 1) for a body.
pub fn v1(client_secret: &str, body: &str) -> String {
    hex(&sha256(&[client_secret.as_bytes(), body.as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";

    /// HubSpot publishes no v3 vector; this one was computed independently (Python `hmac`)
    /// with the documented algorithm and is the one in the contracts (crm-contracts §1.6).
    #[test]
    fn v3_vector() {
        assert_eq!(
            v3(
                SECRET,
                "POST",
                "https://www.example.com/webhook_uri",
                r#"{"example_field":"example_value"}"#,
                "1700000000000"
            ),
            "rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o="
        );
    }

    /// The same inputs with an encoded query: signed as
    /// `https://www.example.com/webhook_uri?name=a:b/c@d&x=%7E` (computed with Python `hmac`).
    #[test]
    fn v3_decodes_the_listed_escapes_only() {
        let uri = "https://www.example.com/webhook_uri?name=a%3Ab%2fc%40d&x=%7E";
        assert_eq!(
            signed_uri(uri),
            "https://www.example.com/webhook_uri?name=a:b/c@d&x=%7E"
        );
        assert_eq!(
            v3(
                SECRET,
                "POST",
                uri,
                r#"{"example_field":"example_value"}"#,
                "1700000000000"
            ),
            "Nn6mZWAI6+uLQ7t8Ms1YqhZ4hh/9YikqWYxNOsCo8aI="
        );
        assert_eq!(signed_uri("https://x/%"), "https://x/%");
    }

    /// HubSpot's own v1 example (docs/faq/v1-request-validation).
    #[test]
    fn v1_documented_vector() {
        let body = r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;
        assert_eq!(
            v1(SECRET, body),
            "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
        );
    }
}
