//! Input checks several vendors share.

/// Whether `text` looks like an email address the way CRMs check it: one `@`, a non-empty
/// local part, a dotted domain, no spaces.
pub(crate) fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let labels_ok = domain
        .split('.')
        .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && labels_ok
        && !text.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_refuses_broken_ones() {
        assert!(is_email("jane.doe+chat@acme.example"));
        for bad in [
            "jane@",
            "@acme.com",
            "jane@acme",
            "jane doe@acme.com",
            "a@b@c.com",
            "jane@acme..com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
