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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::ClientFrame;

    /// Any JSON value, nested a few levels, with the strings a hostile client would send.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|x| json!(x)),
            ".{0,40}".prop_map(Value::String),
            prop::sample::select(ClientFrame::TYPES.to_vec()).prop_map(|t| json!(t)),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "type",
                        "v",
                        "site",
                        "text",
                        "client_msg_id",
                        "seq",
                        "granted",
                        "policy_version",
                        "session_id",
                        "resume_token",
                        "last_seq",
                        "page",
                        "url",
                        "t",
                        "locale",
                    ])
                    .prop_map(str::to_owned),
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever text arrives, the decoder answers a frame or one of its three error codes,
        /// and never panics.
        #[test]
        fn any_text_is_a_frame_or_a_named_error(text in ".{0,300}") {
            if let Err((code, message)) = ClientFrame::parse(&text) {
                prop_assert!(["bad_json", "unknown_type", "bad_frame"].contains(&code));
                prop_assert!(!message.is_empty());
            }
        }

        /// JSON of any shape: an object with a known `type` either decodes or is `bad_frame`
        /// naming that type; an unknown type is `unknown_type`; anything else is `bad_json`.
        #[test]
        fn any_json_gets_the_error_its_shape_deserves(value in any_json()) {
            let text = value.to_string();
            let kind = value.get("type").and_then(Value::as_str);
            match (ClientFrame::parse(&text), value.is_object(), kind) {
                (Ok(_), true, Some(kind)) => prop_assert!(ClientFrame::TYPES.contains(&kind)),
                (Ok(frame), _, _) => prop_assert!(false, "decoded {frame:?} from {text}"),
                (Err(("bad_frame", message)), true, Some(kind)) => {
                    prop_assert!(ClientFrame::TYPES.contains(&kind));
                    prop_assert!(message.starts_with(kind), "{message}");
                }
                (Err(("unknown_type", _)), true, Some(kind)) => {
                    prop_assert!(!ClientFrame::TYPES.contains(&kind));
                }
                (Err(("bad_json", _)), is_object, kind) => {
                    prop_assert!(!is_object || kind.is_none(), "{text}");
                }
                (Err(other), _, _) => prop_assert!(false, "{other:?} for {text}"),
            }
        }

        /// A well-formed message frame decodes to its own text and id, whatever they hold.
        #[test]
        fn a_message_keeps_its_text_and_id(id in ".{0,64}", text in "(?s).{0,2000}") {
            let frame = json!({"type": "message", "client_msg_id": id, "text": text});
            match ClientFrame::parse(&frame.to_string()) {
                Ok(ClientFrame::Message { client_msg_id, text: got }) => {
                    prop_assert_eq!(client_msg_id, id);
                    prop_assert_eq!(got, text);
                }
                other => prop_assert!(false, "{other:?}"),
            }
        }
    }
}
