//! Text put into what a CRM reads as markup or as a query, escaped in one place: plain text as
//! HTML (note and task bodies), as a single-quoted literal (SOQL) and with reserved characters
//! behind backslashes (SOSL search terms, Zoho's criteria).

/// Plain text as HTML that keeps its line breaks as `<br>` (HubSpot and Pipedrive render note
/// and task bodies as HTML).
pub fn html_lines(text: &str) -> String {
    html(text, "<br>", false)
}

/// Plain text as HTML with a paragraph per line, apostrophes escaped too (Salesforce's
/// enhanced notes hold XHTML).
pub fn html_paragraphs(text: &str) -> String {
    format!("<p>{}</p>", html(text, "</p><p>", true))
}

/// The five characters HTML gives meaning to escaped (the apostrophe only when asked), each
/// line break written as `line_break`; carriage returns dropped.
fn html(text: &str, line_break: &str, apostrophe: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if apostrophe => out.push_str("&#39;"),
            '\n' => out.push_str(line_break),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A string literal: `'…'` with quotes, backslashes and control characters escaped with a
/// backslash (`\'`, `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`), as SOQL reads them.
pub fn single_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `value` with a backslash before every character of `reserved`.
pub fn backslashed(value: &str, reserved: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if reserved.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_lines_and_escapes() {
        assert_eq!(html_lines("<b>\nx & y"), "&lt;b&gt;<br>x &amp; y");
        assert_eq!(html_lines("a < b & c\r\nnext"), "a &lt; b &amp; c<br>next");
        assert_eq!(html_lines("it's \"so\""), "it's &quot;so&quot;");
        assert_eq!(
            html_paragraphs("a < b & \"c\"\nit's"),
            "<p>a &lt; b &amp; &quot;c&quot;</p><p>it&#39;s</p>"
        );
    }

    #[test]
    fn literals_and_reserved_characters() {
        assert_eq!(single_quoted("O'Brien\t\\"), r"'O\'Brien\t\\'");
        assert_eq!(backslashed(r"a(b), c\d", r"\(),"), r"a\(b\)\, c\\d");
        assert_eq!(backslashed("plain", "()"), "plain");
    }
}
