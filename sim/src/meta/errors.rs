//! Graph API errors: `{"error":{"message","type":"OAuthException","code","error_subcode"?,
//! "error_data"?,"fbtrace_id"}}`, and the catalogue of the codes the simulator can answer with,
//! each with Meta's title, details and HTTP status.
//!
//! Sources: WhatsApp error codes,
//! <https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes>
//! (envelope and the `130429` example verbatim; "build your app's error handling logic around
//! `code` values and `details`"); the payload fixtures `whatsapp_error_*.json`,
//! `whatsapp_status_failed_*.json`, `whatsapp_webhook_errors_130429.json` and
//! `messenger_error_outside_window.json` in the channel contracts. The current page lists no
//! HTTP statuses; where the simulator needs one it uses the older copy of the same page
//! (`132001` → 404, `131000`/`131016` → 500, `190` → 401, the rest 400), and every fault lets a
//! test pick another, since clients must key on `error.code`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::shared::http::json;

/// The `href` of WhatsApp webhook errors, as in Meta's examples.
const ERROR_CODES_HREF: &str = "/documentation/business-messaging/whatsapp/support/error-codes";

/// One Graph error.
#[derive(Debug, Clone)]
pub(crate) struct GraphError {
    pub status: StatusCode,
    pub code: u32,
    pub subcode: Option<u32>,
    pub message: String,
    /// WhatsApp's `error_data.details`.
    pub details: Option<String>,
}

impl GraphError {
    /// An error with HTTP 400.
    pub(crate) fn new(code: u32, message: impl Into<String>) -> Self {
        GraphError {
            status: StatusCode::BAD_REQUEST,
            code,
            subcode: None,
            message: message.into(),
            details: None,
        }
    }

    /// Set the HTTP status.
    pub(crate) fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Set `error_subcode`.
    pub(crate) fn subcode(mut self, subcode: u32) -> Self {
        self.subcode = Some(subcode);
        self
    }

    /// Set WhatsApp's `error_data.details`.
    pub(crate) fn details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    /// `(#100)` invalid parameter.
    pub(crate) fn parameter(message: impl Into<String>) -> Self {
        GraphError::new(100, format!("(#100) {}", message.into()))
    }

    /// WhatsApp `(#100) Invalid parameter` with `details`.
    pub(crate) fn invalid_parameter(details: impl Into<String>) -> Self {
        GraphError::new(100, "(#100) Invalid parameter").details(details)
    }

    /// WhatsApp `(#131009) Parameter value is not valid` with `details`.
    pub(crate) fn invalid_value(details: impl Into<String>) -> Self {
        GraphError::new(131009, "(#131009) Parameter value is not valid").details(details)
    }

    /// WhatsApp `(#131008) Required parameter is missing` with `details`.
    pub(crate) fn missing(details: impl Into<String>) -> Self {
        GraphError::new(131008, "(#131008) Required parameter is missing").details(details)
    }

    /// `(#190)` bad or expired token, HTTP 401 (`whatsapp_error_190_token_expired.json`).
    pub(crate) fn token(expired: bool) -> Self {
        if expired {
            GraphError::new(190, "Error validating access token: Session has expired.")
                .subcode(463)
                .status(StatusCode::UNAUTHORIZED)
        } else {
            GraphError::new(
                190,
                "Invalid OAuth access token - Cannot parse access token",
            )
            .status(StatusCode::UNAUTHORIZED)
        }
    }

    /// The JSON body.
    pub(crate) fn body(&self) -> Value {
        let mut error = json!({
            "message": self.message,
            "type": "OAuthException",
            "code": self.code,
            "fbtrace_id": format!("A{}", &uuid::Uuid::new_v4().simple().to_string()[..22]),
        });
        if let Some(subcode) = self.subcode {
            error["error_subcode"] = json!(subcode);
        }
        if let Some(details) = &self.details {
            error["error_data"] = json!({"messaging_product": "whatsapp", "details": details});
        }
        json!({ "error": error })
    }

    /// The answer to an injected failure with `status`.
    pub(crate) fn injected(status: StatusCode) -> Self {
        let error = match status.as_u16() {
            401 => GraphError::token(false),
            500 => GraphError::new(1, "(#1) An unknown error occurred"),
            code if code >= 500 => GraphError::new(2, "(#2) Service temporarily unavailable"),
            _ => GraphError::parameter("Invalid parameter"),
        };
        error.status(status)
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        json(self.status, &self.body())
    }
}

/// Which API an error answers for: WhatsApp bodies carry `error_data.details`, Messenger's
/// do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    WhatsApp,
    Messenger,
}

/// One catalogued error code.
struct Known {
    code: u32,
    /// The title, which Meta puts in `message` as `(#code) title`.
    title: &'static str,
    /// `error_data.details` of the synchronous answer.
    details: &'static str,
    /// `error_data.details` in webhooks, where Meta's example words it differently.
    webhook_details: Option<&'static str>,
    subcode: Option<u32>,
    status: u16,
}

/// The codes a send can be failed with. Texts are Meta's where a page or fixture gives them.
const CATALOGUE: &[Known] = &[
    // whatsapp_error_130429_rate_limit.json (verbatim, subcode included) and
    // whatsapp_webhook_errors_130429.json (webhook details).
    Known {
        code: 130429,
        title: "Rate limit hit",
        details: "Cloud API message throughput has been reached.",
        webhook_details: Some(
            "Message failed to send because there were too many messages sent from this phone number in a short period of time",
        ),
        subcode: Some(2494055),
        status: 400,
    },
    // whatsapp_error_131056_pair_rate_limit.json; error-codes page, "Throttling errors".
    Known {
        code: 131056,
        title: "(Business Account, Consumer Account) pair rate limit hit",
        details: "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
        webhook_details: None,
        subcode: None,
        status: 400,
    },
    // whatsapp_error_131047_reengagement.json; whatsapp_status_failed_131047.json.
    Known {
        code: 131047,
        title: "Re-engagement message",
        details: "More than 24 hours have passed since the recipient last replied to the sender number.",
        webhook_details: Some(
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        ),
        subcode: None,
        status: 400,
    },
    // Error-codes page: "Message Undeliverable: Unable to deliver message."
    Known {
        code: 131026,
        title: "Message Undeliverable",
        details: "Unable to deliver message.",
        webhook_details: None,
        subcode: None,
        status: 400,
    },
    // whatsapp_status_failed_131049.json (verbatim from the status webhook reference).
    Known {
        code: 131049,
        title: "This message was not delivered to maintain healthy ecosystem engagement.",
        details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
        webhook_details: None,
        subcode: None,
        status: 400,
    },
    // Error-codes page: "Something went wrong", HTTP 500 in its older copy.
    Known {
        code: 131000,
        title: "Something went wrong",
        details: "Message failed to send due to an unknown error.",
        webhook_details: None,
        subcode: None,
        status: 500,
    },
    // Error-codes page: "Service unavailable", HTTP 500 in its older copy.
    Known {
        code: 131016,
        title: "Service unavailable",
        details: "A service is temporarily unavailable.",
        webhook_details: None,
        subcode: None,
        status: 500,
    },
    // Error-codes page: "Invalid parameter".
    Known {
        code: 100,
        title: "Invalid parameter",
        details: "The request included one or more unsupported or misspelled parameters.",
        webhook_details: None,
        subcode: None,
        status: 400,
    },
    // Messenger: "(#613) Calls to this api have exceeded the rate limit." (Graph API error
    // handling; contracts §2).
    Known {
        code: 613,
        title: "Calls to this api have exceeded the rate limit.",
        details: "",
        webhook_details: None,
        subcode: None,
        status: 400,
    },
    // Messenger Send API error 551 "This person isn't available right now" (contracts §2;
    // subcode as public clients see it).
    Known {
        code: 551,
        title: "This person isn't available right now.",
        details: "",
        webhook_details: None,
        subcode: Some(1545041),
        status: 400,
    },
];

/// The error a send fails with when a test injects `code` for `api`. Codes outside the
/// catalogue get a generic `(#code) Simulated error` body with HTTP 400.
pub(crate) fn catalogued(code: u32, api: Api) -> GraphError {
    match code {
        190 => return GraphError::token(true),
        10 => return outside_window(),
        _ => {}
    }
    let Some(known) = CATALOGUE.iter().find(|k| k.code == code) else {
        let error = GraphError::new(code, format!("(#{code}) Simulated error"));
        return match api {
            Api::WhatsApp => error.details("Simulated error."),
            Api::Messenger => error,
        };
    };
    let mut error = GraphError::new(code, format!("(#{code}) {}", known.title))
        .status(crate::shared::http::status(known.status));
    if let Some(subcode) = known.subcode {
        error = error.subcode(subcode);
    }
    if api == Api::WhatsApp && !known.details.is_empty() {
        error = error.details(known.details);
    }
    error
}

/// Messenger's answer outside the 24-hour window: code 10, subcode 2018278
/// (`messenger_error_outside_window.json`; the message text is approximate, key on the codes).
pub(crate) fn outside_window() -> GraphError {
    GraphError::new(10, "(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview")
        .subcode(2018278)
}

/// WhatsApp's 131047 answer outside the customer-service window.
pub(crate) fn reengagement() -> GraphError {
    catalogued(131047, Api::WhatsApp)
}

/// WhatsApp's 131056 answer when the pair rate limit is hit.
pub(crate) fn pair_rate_limit() -> GraphError {
    catalogued(131056, Api::WhatsApp)
}

/// WhatsApp's 132001 answer for a template name or language the business does not have:
/// message as Meta sends it ("Template name does not exist in the translation"), details naming
/// both, HTTP 404 as the older error-code page lists.
pub(crate) fn template_missing(name: &str, language: &str) -> GraphError {
    GraphError::new(
        132001,
        "(#132001) Template name does not exist in the translation",
    )
    .details(format!(
        "template name ({name}) does not exist in {language}"
    ))
    .status(StatusCode::NOT_FOUND)
}

/// One entry of a webhook `errors[]` array (`statuses[].errors[]` or `value.errors[]`), shaped
/// as in Meta's status and errors webhook references: `code`, `title`, `message`,
/// `error_data.details`, `href`.
pub(crate) fn webhook_error(code: u32) -> Value {
    let (title, details) = match CATALOGUE.iter().find(|k| k.code == code) {
        Some(known) => (
            known.title.to_owned(),
            known.webhook_details.unwrap_or(known.details).to_owned(),
        ),
        None => ("Simulated error".to_owned(), "Simulated error.".to_owned()),
    };
    json!({
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details},
        "href": ERROR_CODES_HREF,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload fixture of the channel contracts, found in `shared/` beside the checkout (or
    /// one of its parents); `Null` where the contracts are not laid out.
    fn fixture(name: &str) -> Value {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|dir| dir.join("shared/contracts/payloads").join(name))
            .find_map(|path| std::fs::read_to_string(path).ok())
            .map_or(Value::Null, |text| {
                serde_json::from_str(&text).expect("fixture is JSON")
            })
    }

    /// Everything of a Graph error body but the per-request `fbtrace_id`.
    fn comparable(mut body: Value) -> Value {
        if let Some(error) = body["error"].as_object_mut() {
            error.remove("fbtrace_id");
        }
        body
    }

    #[test]
    fn sync_bodies_match_the_fixtures() {
        for (code, name) in [
            (130429, "whatsapp_error_130429_rate_limit.json"),
            (131047, "whatsapp_error_131047_reengagement.json"),
            (131056, "whatsapp_error_131056_pair_rate_limit.json"),
        ] {
            let fixture = fixture(name);
            if fixture.is_null() {
                continue;
            }
            let error = catalogued(code, Api::WhatsApp);
            assert_eq!(error.status.as_u16(), fixture["status"], "{code}");
            assert_eq!(
                comparable(error.body()),
                comparable(fixture["body"].clone()),
                "{code}"
            );
        }
        let fixture = fixture("messenger_error_outside_window.json");
        if !fixture.is_null() {
            assert_eq!(
                comparable(catalogued(10, Api::Messenger).body()),
                comparable(fixture["body"].clone())
            );
        }
    }

    #[test]
    fn webhook_errors_match_the_fixtures() {
        let failed = fixture("whatsapp_status_failed_131049.json");
        if !failed.is_null() {
            assert_eq!(
                webhook_error(131049),
                failed["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]
            );
        }
        let errors = fixture("whatsapp_webhook_errors_130429.json");
        if !errors.is_null() {
            assert_eq!(
                webhook_error(130429),
                errors["entry"][0]["changes"][0]["value"]["errors"][0]
            );
        }
    }

    #[test]
    fn statuses_follow_the_older_page_and_messenger_has_no_details() {
        assert_eq!(
            catalogued(131000, Api::WhatsApp).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            catalogued(190, Api::WhatsApp).status,
            StatusCode::UNAUTHORIZED
        );
        let body = catalogued(613, Api::Messenger).body();
        assert!(body["error"].get("error_data").is_none());
        assert_eq!(catalogued(999_999, Api::WhatsApp).code, 999_999);
    }
}
