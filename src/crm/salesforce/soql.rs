//! SOQL and SOSL text built safely: values only ever appear as escaped string literals (or
//! escaped search terms), field names only after [`is_api_name`] accepted them.

use crate::crm::kit::escape;

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
    escape::single_quoted(value)
}

/// A SOSL search term for `FIND {…}`: every reserved character
/// (`? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -`) escaped with a backslash.
pub fn search_term(value: &str) -> String {
    escape::backslashed(value, "?&|!{}[]()^~*:\\\"'+-")
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
