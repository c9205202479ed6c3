//! `Email`: an address that satisfies the HTML living standard's "valid email address" and has a
//! dot in its domain, lower-cased.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A valid, lower-cased email address. Only [`Email::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a string is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an email address needs exactly one @")]
    At,
    #[error(
        "the part before @ is empty, longer than 64 characters or has a character an address cannot have"
    )]
    Local,
    #[error("the domain is not a valid host name")]
    Domain,
    #[error("the domain needs a dot and a top-level domain of letters")]
    NoTld,
    #[error("an email address is at most 254 characters")]
    TooLong,
}

/// Characters the standard allows before the `@`.
fn is_local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&c)
}

/// One DNS label: 1..=63 letters, digits and inner hyphens.
fn is_label(label: &[u8]) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label[0].is_ascii_alphanumeric()
        && label[label.len() - 1].is_ascii_alphanumeric()
        && label
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
}

impl Email {
    /// Parses an address. Surrounding whitespace is trimmed and the address lower-cased; quoted
    /// local parts, IP literals, missing dots and numeric top-level domains are refused.
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let raw = raw.trim();
        if raw.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = raw.split_once('@').ok_or(EmailError::At)?;
        if domain.contains('@') {
            return Err(EmailError::At);
        }
        if local.is_empty() || local.len() > 64 || !local.bytes().all(is_local_char) {
            return Err(EmailError::Local);
        }
        let labels: Vec<&[u8]> = domain.as_bytes().split(|&c| c == b'.').collect();
        if !labels.iter().all(|l| is_label(l)) {
            return Err(EmailError::Domain);
        }
        let tld = labels[labels.len() - 1];
        let tld_ok =
            tld.len() >= 2 && (tld.iter().all(u8::is_ascii_alphabetic) || tld.starts_with(b"xn--"));
        if labels.len() < 2 || !tld_ok {
            return Err(EmailError::NoTld);
        }
        Ok(Email(raw.to_ascii_lowercase()))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit('@').next().unwrap_or_default()
    }

    /// `j***@firma.pl`: enough for a log line to be useful, not enough to identify anyone.
    pub fn masked(&self) -> String {
        let first = self.local().chars().next().unwrap_or('*');
        format!("{first}***@{}", self.domain())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_are_lower_cased() {
        let e = Email::parse("  AnneMarie.ONeil@Bluefin-Analytics.com ").unwrap();
        assert_eq!(e.as_str(), "annemarie.oneil@bluefin-analytics.com");
        assert_eq!(e.local(), "annemarie.oneil");
        assert_eq!(e.domain(), "bluefin-analytics.com");
        for ok in [
            "jan.kowalski@firma.pl",
            "p.lindner@lindner-catering.de",
            "beatriz.molina@costaazahar.es",
            "f.mercier@mercier-outillage.fr",
            "test+1@example.org",
            "o'neil@firma.co.uk",
            "a!#$%&'*+/=?^_`{|}~-@x.io",
            "user@xn--bcher-kva.de",
            "valeria.nunez@garzatextil.com.mx",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn invalid_addresses_are_refused_with_a_reason() {
        assert_eq!(Email::parse("jan.firma.pl"), Err(EmailError::At));
        assert_eq!(Email::parse("a@b@c.pl"), Err(EmailError::At));
        assert_eq!(Email::parse("\"jan\"@firma.pl"), Err(EmailError::Local));
        assert_eq!(Email::parse("@firma.pl"), Err(EmailError::Local));
        assert_eq!(
            Email::parse("jan kowalski@firma.pl"),
            Err(EmailError::Local)
        );
        assert_eq!(Email::parse("łukasz@firma.pl"), Err(EmailError::Local));
        assert_eq!(Email::parse("jan@[127.0.0.1]"), Err(EmailError::Domain));
        assert_eq!(Email::parse("jan@-firma.pl"), Err(EmailError::Domain));
        assert_eq!(Email::parse("jan@firma..pl"), Err(EmailError::Domain));
        assert_eq!(Email::parse("jan@firma.pl."), Err(EmailError::Domain));
        assert_eq!(Email::parse("jan@localhost"), Err(EmailError::NoTld));
        assert_eq!(Email::parse("jan@10.0.0.1"), Err(EmailError::NoTld));
        assert_eq!(
            Email::parse(&format!("{}@x.pl", "a".repeat(65))),
            Err(EmailError::Local)
        );
        assert_eq!(
            Email::parse(&format!("a@{}.pl", "b".repeat(64))),
            Err(EmailError::Domain)
        );
    }

    #[test]
    fn masking_hides_the_person() {
        let e = Email::parse("monika@jablonska-design.pl").unwrap();
        assert_eq!(e.masked(), "m***@jablonska-design.pl");
    }

    #[test]
    fn serde_goes_through_parse() {
        let e: Email = serde_json::from_str("\"Jan@Firma.PL\"").unwrap();
        assert_eq!(e.as_str(), "jan@firma.pl");
        assert!(serde_json::from_str::<Email>("\"not an address\"").is_err());
    }
}
