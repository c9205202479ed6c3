//! The Graph send API (WhatsApp Cloud API and Messenger), one small client per bridge with its
//! own throttle, and the reading of Meta's errors. Meta asks clients to act on `error.code`
//! (and `error_subcode`), not on HTTP statuses, which differ between versions
//! (`.../whatsapp/support/error-codes`; the contracts note 400 today for throttling).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::outbound::CallError;
use crate::outbound::http::{Reply, Throttle, client, retry_after, send};

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// Meta's error code and subcode, when the answer carried them.
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    /// What the outbox does with it.
    pub error: CallError,
}

impl SendError {
    /// The reply fell outside the customer-service window: WhatsApp 131047, Messenger 10 with
    /// subcode 2018278. Retrying does not help; a template (WhatsApp) or a tag may.
    pub fn outside_window(&self) -> bool {
        self.code == Some(131_047) || (self.code == Some(10) && self.subcode == Some(2_018_278))
    }
}

impl From<CallError> for SendError {
    fn from(error: CallError) -> SendError {
        SendError {
            code: None,
            subcode: None,
            error,
        }
    }
}

/// A Graph API client for one bridge.
pub struct Graph {
    http: reqwest::Client,
    base: String,
    /// Meta counts throughput per business number; one throttle per bridge keeps leadgate from
    /// bursting into 130429 (about 80 messages a second by default).
    throttle: Throttle,
}

impl Graph {
    /// A client for `graph_url` (up to and including the version).
    pub fn new(graph_url: &str, timeout_secs: u64) -> Graph {
        Graph {
            http: client(Duration::from_secs(timeout_secs.max(1))),
            base: graph_url.trim_end_matches('/').to_owned(),
            throttle: Throttle::new(80, Duration::from_secs(1)),
        }
    }

    /// Posts `body` to `/{node}/messages`; returns the message id Meta gave it.
    pub async fn send(
        &self,
        node: &str,
        token: &SecretString,
        body: &Value,
    ) -> Result<String, SendError> {
        let url = format!("{}/{node}/messages", self.base);
        let request = self
            .http
            .post(url)
            .bearer_auth(token.expose_secret())
            .json(body);
        let reply = send(&self.throttle, request).await?;
        if !reply.status.is_success() {
            return Err(classify(&reply, &self.throttle));
        }
        let v = reply.read_json()?;
        // WhatsApp: {"messages": [{"id": "wamid…"}]}; Messenger: {"message_id": "m_…"};
        // a read receipt: {"success": true}.
        let id = v["messages"][0]["id"]
            .as_str()
            .or(v["message_id"].as_str())
            .map(str::to_owned);
        match id {
            Some(id) => Ok(id),
            None if v["success"] == true => Ok(String::new()),
            None => Err(CallError::retryable(
                format!(
                    "Graph answered 200 without a message id: {}",
                    reply.excerpt()
                ),
                None,
            )
            .into()),
        }
    }
}

/// Reads a Graph error answer by its code.
pub fn classify(reply: &Reply, throttle: &Throttle) -> SendError {
    let v = reply.json();
    let e = &v["error"];
    let code = e["code"].as_i64();
    let subcode = e["error_subcode"].as_i64();
    let what = e["error_data"]["details"]
        .as_str()
        .or(e["message"].as_str())
        .map_or_else(|| reply.excerpt(), str::to_owned);
    let message = format!(
        "Graph {} (HTTP {}): {what}",
        code.map_or_else(|| "error".to_owned(), |c| format!("error {c}")),
        reply.status.as_u16()
    );
    let wait = retry_after(&reply.headers);
    let error = match code {
        // Throughput, app and account rate limits, the pair rate limit: wait and retry.
        Some(4 | 17 | 32 | 613 | 80_007 | 130_429 | 131_048 | 131_056) => {
            let pause = wait.unwrap_or(Duration::from_secs(if code == Some(131_056) {
                // "Wait and retry … to the same phone number": the pair limit is per
                // recipient, so it must not stall sends to everyone else.
                0
            } else {
                2
            }));
            if !pause.is_zero() {
                throttle.pause(pause);
            }
            CallError::retryable(message, wait)
        }
        // Temporary: unknown error, service unavailable, API unknown or service.
        Some(1 | 2 | 131_000 | 131_016) => CallError::retryable(message, wait),
        // The token expired or lacks permission: the bridge pauses until an operator acts.
        Some(0 | 102 | 190 | 200..=299) => CallError::auth(message),
        Some(10) if subcode != Some(2_018_278) => CallError::auth(message),
        Some(_) => CallError::permanent(message),
        None if reply.status.is_server_error() || reply.status.as_u16() == 429 => {
            CallError::retryable(message, wait)
        }
        None if matches!(reply.status.as_u16(), 401 | 403) => CallError::auth(message),
        None => CallError::permanent(message),
    };
    SendError {
        code,
        subcode,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;
    use serde_json::json;

    fn reply(status: u16, body: Value) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: bytes::Bytes::from(body.to_string()),
        }
    }

    fn class(status: u16, code: i64, subcode: Option<i64>) -> SendError {
        let mut e = json!({"error": {"message": "x", "type": "OAuthException", "code": code, "fbtrace_id": "A"}});
        if let Some(s) = subcode {
            e["error"]["error_subcode"] = json!(s);
        }
        classify(&reply(status, e), &Throttle::new(0, Duration::from_secs(1)))
    }

    #[test]
    fn errors_are_read_by_their_code() {
        for code in [130_429, 131_056, 613, 4, 80_007, 131_000, 131_016] {
            assert_eq!(class(400, code, None).error.class(), "retryable", "{code}");
        }
        for code in [190, 0, 200] {
            assert_eq!(class(400, code, None).error.class(), "auth", "{code}");
        }
        for code in [131_026, 131_049, 100, 131_008, 551, 368] {
            assert_eq!(class(400, code, None).error.class(), "permanent", "{code}");
        }
        assert!(class(400, 131_047, None).outside_window());
        assert!(class(400, 10, Some(2_018_278)).outside_window());
        assert!(!class(400, 10, None).outside_window());
        assert_eq!(class(400, 10, None).error.class(), "auth");
    }

    #[test]
    fn answers_without_a_graph_body_fall_back_to_the_status() {
        let t = Throttle::new(0, Duration::from_secs(1));
        let html = |s: u16| Reply {
            status: StatusCode::from_u16(s).unwrap(),
            headers: HeaderMap::new(),
            body: bytes::Bytes::from_static(b"<html>bad gateway</html>"),
        };
        assert_eq!(classify(&html(502), &t).error.class(), "retryable");
        assert_eq!(classify(&html(403), &t).error.class(), "auth");
        assert_eq!(classify(&html(400), &t).error.class(), "permanent");
    }
}
