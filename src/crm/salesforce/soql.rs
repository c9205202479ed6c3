//! SOQL and SOSL text built safely: values only ever appear as escaped string literals (or
//! escaped search terms), field names only after [`is_api_name`] accepted them.

/// Whether `name` can be a field or object API name (`Email`, `Chat_Score__c`, `ns__Key__c`):
/// letters, digits and underscores, starting with a letter. Anything else never reaches a query.
pub fn is_api_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 80
}

/// A SOQL string literal: `'…'` with quotes, backslashes and control characters escaped as
/// Salesforce documents (`\'`, `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`).
pub fn quote(value: &str) -> String {
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

/// A SOSL search term for `FIND {…}`: every reserved character
/// (`? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -`) escaped with a backslash.
pub fn search_term(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if "?&|!{}[]()^~*:\\\"'+-".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `field = 'value'`.
pub fn eq(field: &str, value: &str) -> String {
    format!("{field} = {}", quote(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_cannot_break_out() {
        assert_eq!(quote("O'Brien"), r"'O\'Brien'");
        assert_eq!(quote(r"back\slash"), r"'back\\slash'");
        assert_eq!(quote(r"x\' OR Name != '"), r"'x\\\' OR Name != \''");
        assert_eq!(quote("two\nlines\t\"q\""), r#"'two\nlines\t\"q\"'"#);
    }

    #[test]
    fn search_terms_are_escaped() {
        assert_eq!(search_term("+14155550123"), r"\+14155550123");
        assert_eq!(
            search_term("a} RETURNING User(Id"),
            r"a\} RETURNING User\(Id"
        );
    }

    #[test]
    fn api_names() {
        for good in ["Email", "Chat_Score__c", "ns__Key__c"] {
            assert!(is_api_name(good), "{good}");
        }
        for bad in ["", "1Field", "Name, Id", "Key__c'", "Account.Name"] {
            assert!(!is_api_name(bad), "{bad}");
        }
    }
}
