//! The frames the widget sends (protocol v1, `docs/protocol.md`), read into types.

use serde::Deserialize;
use serde_json::Value;

/// A frame the widget sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ClientFrame {
    Hello(Hello),
    Message {
        client_msg_id: String,
        text: String,
    },
    Ack {
        #[allow(dead_code)]
        seq: i64,
    },
    Typing {},
    Consent {
        granted: bool,
        policy_version: Option<String>,
    },
    Ping {
        #[serde(default)]
        t: Value,
    },
}

impl ClientFrame {
    /// Every frame type, for telling an unknown type from a malformed known one.
    const TYPES: [&'static str; 6] = ["hello", "message", "ack", "typing", "consent", "ping"];

    /// Reads a text frame: `Err((code, message))` for the `error` frame to answer with.
    pub(super) fn parse(text: &str) -> Result<ClientFrame, (&'static str, String)> {
        const SHAPE: &str = "a frame is a JSON object with a string \"type\"";
        let value: Value = match serde_json::from_str(text) {
            Ok(v @ Value::Object(_)) => v,
            _ => return Err(("bad_json", SHAPE.to_owned())),
        };
        let Some(kind) = value.get("type").and_then(Value::as_str) else {
            return Err(("bad_json", SHAPE.to_owned()));
        };
        if !ClientFrame::TYPES.contains(&kind) {
            return Err(("unknown_type", format!("unknown frame type {kind:?}")));
        }
        let kind = kind.to_owned();
        serde_json::from_value(value).map_err(|e| ("bad_frame", format!("{kind}: {e}")))
    }
}

/// `hello`: opens or resumes a session.
#[derive(Debug, Deserialize)]
pub(super) struct Hello {
    pub v: i64,
    pub site: String,
    pub session_id: Option<String>,
    pub resume_token: Option<String>,
    #[serde(default)]
    pub last_seq: i64,
    pub locale: Option<String>,
    pub page: Option<Page>,
}

/// Where the widget is shown.
#[derive(Debug, Deserialize)]
pub(super) struct Page {
    pub url: Option<String>,
}
