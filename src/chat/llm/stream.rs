//! The stream reader: a server-sent event stream of `chat.completion.chunk`s, shown to the
//! visitor while it is written, as far as it may be shown.

use async_openai::types::stream::StreamResponse;
use futures_util::StreamExt;

use super::LlmError;
use super::client::{Answer, Usage, from_openai};
use super::finish::{MAX_REPLY_CHARS, finished, without_label, without_reasoning};
use super::redact::Redaction;
use super::transport::MAX_ANSWER_BYTES;
use crate::chat::engine::StreamSink;

/// Longest reply text, reasoning included, that is streamed while it is written.
const MAX_STREAM_SCAN: usize = 16 * 1024;

/// What of a streamed reply the visitor has seen.
pub(super) struct Shown<'r> {
    pub(super) sent: String,
    /// Cleaning changed text already shown: nothing more is streamed, and the stored message
    /// replaces what was.
    pub(super) stopped: bool,
    /// Puts the visitor's details back into what is shown.
    redaction: &'r Redaction,
}

impl<'r> Shown<'r> {
    pub(super) fn new(redaction: &'r Redaction) -> Shown<'r> {
        Shown {
            sent: String::new(),
            stopped: false,
            redaction,
        }
    }

    /// Streams what `raw` (the content so far) adds to the visible reply.
    fn feed(&mut self, raw: &str, sink: &StreamSink) {
        // Past these sizes nothing more can be shown (the reply is cut at MAX_REPLY_CHARS), and
        // re-reading the whole text on every piece would cost more than it shows.
        if self.sent.len() >= MAX_REPLY_CHARS || raw.len() > MAX_STREAM_SCAN {
            self.stopped = true;
        }
        if self.stopped {
            return;
        }
        let Some(visible) = visible_so_far(raw) else {
            return;
        };
        let visible = self.redaction.restore(&visible);
        match visible.strip_prefix(self.sent.as_str()) {
            Some("") => {}
            Some(new) => {
                sink(new);
                self.sent.push_str(new);
            }
            None => self.stopped = true,
        }
    }
}

/// The part of a reply being written that can be shown: nothing while the start may still be a
/// speaker label or a reasoning block, and nothing of a marker that may still be completing.
fn visible_so_far(raw: &str) -> Option<String> {
    let text = without_reasoning(raw);
    let text = text.trim_start();
    if text.chars().count() < 12 {
        return None;
    }
    let text = without_label(text).trim_start_matches(['"', '“', '«', '\'']);
    let mut text = text.replace("**", "").replace("__", "");
    // A `<think>`, `**` or `__` still arriving.
    if let Some(cut) = text.rfind(['<', '*', '_'])
        && text.len() - cut < 8
    {
        text.truncate(cut);
    }
    // A placeholder (`[phone 1]`) still arriving.
    if let Some(cut) = text.rfind('[')
        && !text[cut..].contains(']')
        && text.len() - cut < 16
    {
        text.truncate(cut);
    }
    let text = crate::lead::text::truncate(&text, MAX_REPLY_CHARS);
    Some(text.to_owned())
}

/// Reads the stream of `chat.completion.chunk`s async-openai parses from the server-sent events:
/// content pieces go to `sink` as they arrive; the whole content is the result, and the usage
/// the server counted goes to `usage`. A stream that ends without a finish reason (async-openai
/// ends a stream the same way on `[DONE]` and on a closed connection), an error event, a chunk
/// that is not one, a refusal or a tool call is an error.
pub(super) async fn read_stream(
    mut events: StreamResponse<Answer>,
    sink: Option<&StreamSink>,
    shown: &mut Shown<'_>,
    usage: &mut Option<Usage>,
) -> Result<String, LlmError> {
    let mut raw = String::new();
    let mut finish: Option<String> = None;
    while let Some(chunk) = events.next().await {
        let chunk = chunk.map_err(from_openai)?;
        if let Some(message) = chunk.carried_error() {
            return Err(LlmError::Malformed(format!(
                "the stream broke off: {message}"
            )));
        }
        if chunk.usage.is_some() {
            *usage = chunk.usage;
        }
        let Some(choice) = chunk.choices.first() else {
            continue;
        };
        let piece = choice.said()?;
        if !piece.is_empty() {
            if raw.len() + piece.len() > MAX_ANSWER_BYTES {
                return Err(LlmError::Malformed("the reply is larger than 1 MiB".into()));
            }
            raw.push_str(&piece);
            if let Some(sink) = sink {
                shown.feed(&raw, sink);
            }
        }
        if let Some(reason) = choice.finish() {
            finish = Some(reason.to_owned());
        }
    }
    if finish.is_none() {
        return Err(LlmError::Malformed(
            "the stream ended before the reply did".into(),
        ));
    }
    finished(raw, finish.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::llm::finish::tidy;

    #[test]
    fn streaming_holds_back_what_may_not_be_shown() {
        assert_eq!(visible_so_far("Assistant"), None, "may still be a label");
        assert_eq!(
            visible_so_far("Assistant: Hello there, nice").as_deref(),
            Some("Hello there, nice")
        );
        assert_eq!(visible_so_far("<think>pricing question, answer"), None);
        assert_eq!(
            visible_so_far("<think>x</think>\n\"Guten Tag, wie kann").as_deref(),
            Some("Guten Tag, wie kann")
        );
        assert_eq!(
            visible_so_far("Our plans are **chea").as_deref(),
            Some("Our plans are chea")
        );
        assert_eq!(
            visible_so_far("Our plans are *").as_deref(),
            Some("Our plans are "),
            "an emphasis marker still arriving"
        );
        let none = Redaction::new(
            crate::config::Redact::None,
            &crate::lead::Lead::default(),
            &[],
        );
        let mut shown = Shown::new(&none);
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let into = seen.clone();
        let sink = move |piece: &str| into.lock().unwrap().push_str(piece);
        let mut raw = String::new();
        for piece in ["\"Bonjour", " ! Quel est", " votre budget ?\""] {
            raw.push_str(piece);
            shown.feed(&raw, &sink);
        }
        assert_eq!(*seen.lock().unwrap(), "Bonjour ! Quel est votre budget ?\"");
        assert_eq!(tidy(&raw).unwrap(), "Bonjour ! Quel est votre budget ?");
        let mut long = Shown::new(&none);
        let raw = "word ".repeat(1000);
        long.feed(&raw, &sink);
        long.feed(&raw, &sink);
        assert!(long.sent.len() <= MAX_REPLY_CHARS && long.stopped);
    }
}
