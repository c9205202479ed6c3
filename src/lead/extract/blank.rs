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

static DATES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?:^|[^\d.+/-])((?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:19|20)?\d\d|(?:19|20)\d\d-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01]))(?:$|[^\d.])")
        .expect("date pattern")
});

/// Whether a message holds a numeric date ("12.06.2026", "2026-06-12").
pub(super) fn has_date(lower: &str) -> bool {
    DATES.is_match(lower)
}

/// Whether a message holds a number written as phone numbers are: eight digits or more in one
/// run, opened by a 0 or a + ("07700 900123", "+44 7700 900123"), even one the numbering plan
/// does not know. Its digits are never an amount.
pub(super) fn has_phone_shape(lower: &str) -> bool {
    static PHONE_SHAPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:^|[^\d])([+0][\d ()./-]{6,}\d)").expect("phone shape pattern")
    });
    PHONE_SHAPE.captures_iter(lower).any(|c| {
        c.get(1)
            .is_some_and(|m| m.as_str().bytes().filter(u8::is_ascii_digit).count() >= 8)
    })
}

/// Whether a message holds a link: its digits are part of an address, not an amount.
pub(super) fn has_link(lower: &str) -> bool {
    lower.contains("://") || lower.contains("www.")
}

/// Numeric dates are not phone numbers.
pub(super) fn blank_dates(text: &mut String, lower: &mut String) {
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
