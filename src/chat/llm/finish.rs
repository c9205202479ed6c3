//! Reply finishing: what models add around a chat reply is cleaned off, a cut reply keeps its
//! whole sentences, and refusals and filtered replies are not replies.

use super::LlmError;

/// Longest reply sent to the visitor, in characters.
pub const MAX_REPLY_CHARS: usize = 1000;

/// A whole reply by how it finished: a content filter declines it, and one cut off by
/// `max_tokens` keeps its whole sentences.
pub(super) fn finished(content: String, reason: Option<&str>) -> Result<String, LlmError> {
    match reason {
        Some("content_filter") => Err(LlmError::Declined("content filter".into())),
        Some("length") => whole_sentences(&content).ok_or(LlmError::Empty),
        _ => Ok(content),
    }
}

/// The model's refusal, when a message (or a streamed delta) carries one.
pub(super) fn refusal(text: Option<&str>) -> Option<LlmError> {
    let text = text.filter(|r| !r.trim().is_empty())?;
    Some(LlmError::Declined(
        crate::lead::text::truncate(text, 300).to_owned(),
    ))
}

/// The text up to its last sentence end, when it has one.
fn whole_sentences(text: &str) -> Option<String> {
    let end = text.rfind(['.', '!', '?', '…', '。'])?;
    let end = end + text[end..].chars().next().map_or(1, char::len_utf8);
    let kept = text[..end].trim();
    (!kept.is_empty()).then(|| kept.to_owned())
}

/// The text without `<think>…</think>` blocks; an unfinished block and what follows it hold no
/// reply.
pub(super) fn without_reasoning(text: &str) -> String {
    let mut text = text.to_owned();
    while let Some(start) = text.find("<think>") {
        match text[start..].find("</think>") {
            Some(len) => text.replace_range(start..start + len + "</think>".len(), ""),
            None => text.truncate(start),
        }
    }
    text
}

/// The text without a leading speaker label ("Assistant:").
pub(super) fn without_label(text: &str) -> &str {
    let mut text = text;
    for label in ["Assistant:", "assistant:", "ASSISTANT:", "Bot:", "AI:"] {
        if let Some(rest) = text.strip_prefix(label) {
            text = rest.trim_start();
        }
    }
    text
}

/// Cleans what models add around a chat reply: reasoning blocks, a speaker label, wrapping
/// quotes, markdown emphasis; cuts an overlong reply at a sentence end. `None` when nothing is
/// left.
pub fn tidy(text: &str) -> Option<String> {
    let text = without_reasoning(text);
    let mut reply = without_label(text.trim());
    for (open, close) in [('"', '"'), ('“', '”'), ('„', '“'), ('«', '»'), ('\'', '\'')] {
        if reply.chars().count() >= 2
            && reply.starts_with(open)
            && reply.ends_with(close)
            && !reply[open.len_utf8()..reply.len() - close.len_utf8()].contains([open, close])
        {
            reply = reply[open.len_utf8()..reply.len() - close.len_utf8()].trim();
        }
    }
    let mut reply = reply.replace("**", "").replace("__", "");
    if reply.chars().count() > MAX_REPLY_CHARS {
        let head = crate::lead::text::truncate(&reply, MAX_REPLY_CHARS);
        reply = whole_sentences(head).unwrap_or_else(|| format!("{}…", head.trim_end()));
    }
    let reply = reply.trim();
    (!reply.is_empty()).then(|| reply.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidies_what_models_add() {
        assert_eq!(
            tidy("  \"Hallo! Wie heißen Sie?\" ").unwrap(),
            "Hallo! Wie heißen Sie?"
        );
        assert_eq!(tidy("Assistant: **Bonjour** !").unwrap(), "Bonjour !");
        assert_eq!(
            tidy("<think>the visitor wants a price</think>Plans start at €49.").unwrap(),
            "Plans start at €49."
        );
        assert_eq!(tidy("<think>still thinking"), None);
        assert_eq!(tidy("   "), None);
        assert_eq!(tidy("„Dzień dobry”"), Some("„Dzień dobry”".into()));
        let long = "Una frase corta. ".repeat(200);
        let cut = tidy(&long).unwrap();
        assert!(cut.chars().count() <= MAX_REPLY_CHARS && cut.ends_with('.'));
        let word = "a".repeat(5000);
        assert!(tidy(&word).unwrap().chars().count() <= MAX_REPLY_CHARS + 1);
    }
}
