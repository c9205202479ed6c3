//! Blanking what a finder has read, so that no later finder reads it again: an address is no
//! phone number, a date is no phone number, an injected instruction is nothing.

use super::cues;

/// Blanks a span in both the message and its folded copy, so no later finder reads it again.
pub(super) fn blank(text: &mut String, lower: &mut String, span: std::ops::Range<usize>) {
    const SPACES: &str = "                                                                ";
    for s in [text, lower] {
        if s.is_char_boundary(span.start) && s.is_char_boundary(span.end) {
            let mut at = span.start;
            while at < span.end {
                // Chunk ends fall on character boundaries: the span may hold multi-byte text.
                let mut end = (at + SPACES.len()).min(span.end);
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s.replace_range(at..end, &SPACES[..end - at]);
                at = end;
            }
        }
    }
}

/// Numeric dates are not phone numbers.
pub(super) fn blank_dates(text: &mut String, lower: &mut String) {
    static DATES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:^|[^\d.+/-])((?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:19|20)?\d\d|(?:19|20)\d\d-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01]))(?:$|[^\d.])")
            .expect("date pattern")
    });
    let spans: Vec<_> = DATES
        .captures_iter(lower)
        .filter_map(|c| c.get(1))
        .map(|m| m.range())
        .collect();
    for span in spans {
        blank(text, lower, span);
    }
}

/// The message with prompt-injection sentences blanked.
pub(super) fn without_injections(text: &str, lower: String) -> (String, String) {
    let mut text = text.to_owned();
    let mut lower = lower;
    for span in cues::injection_spans(&lower) {
        blank(&mut text, &mut lower, span);
    }
    (text, lower)
}
