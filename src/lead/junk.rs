//! Test and junk detection: reserved and disposable domains, keyboard mash, "Test Test".
//!
//! A lead flagged here is kept locally (someone may be trying the widget) but never synced.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use super::email::Email;
use super::lexicon;
use super::name::PersonName;
use super::phone::PhoneE164;
use super::text::fold_case;

/// Why a lead looks like a test or junk entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JunkReason {
    /// RFC 2606 / RFC 6761 reserved names: example.com, *.test, *.invalid, *.localhost...
    ReservedDomain(String),
    /// A disposable-mail domain from the `mailchecker` list.
    DisposableDomain(String),
    /// "test", "asdf", "qwerty", "xxx" in an address or a name.
    TestOrMash(String),
    /// A fictional or patterned phone number (555-01xx, 123456789, 111111111).
    FakePhone,
    /// The visitor said it is a test, or typed only keyboard mash.
    TestMessage,
}

impl fmt::Display for JunkReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JunkReason::ReservedDomain(d) => write!(f, "reserved domain {d}"),
            JunkReason::DisposableDomain(d) => write!(f, "disposable domain {d}"),
            JunkReason::TestOrMash(w) => write!(f, "test or keyboard-mash word {w:?}"),
            JunkReason::FakePhone => f.write_str("fictional or patterned phone number"),
            JunkReason::TestMessage => f.write_str("the visitor was testing"),
        }
    }
}

/// The `mailchecker` list of disposable-mail domains, without the privacy relays on it.
static DISPOSABLE: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    mailchecker::blacklist()
        .into_iter()
        .filter(|d| !lexicon::PRIVACY_RELAYS.contains(d))
        .collect()
});

/// Whether a word is keyboard mash: four or more neighbouring keys of one row, a repeated
/// character, or a known test word (with optional digits, "test123").
pub fn is_mash(word: &str) -> bool {
    let word = word.trim();
    if word.chars().count() > 12 {
        return false;
    }
    let w = fold_case(word);
    let stem = w.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.is_empty() {
        return w.len() >= 3 && w.chars().all(|c| c.is_ascii_digit());
    }
    if lexicon::TEST_WORDS.contains(stem) {
        return true;
    }
    let mut chars = stem.chars();
    let first = chars.next();
    if stem.chars().count() >= 3 && chars.all(|c| Some(c) == first) {
        return true;
    }
    if stem.len() >= 4 && stem.is_ascii() {
        let reversed: String = stem.chars().rev().collect();
        return lexicon::KEYBOARD_ROWS
            .words()
            .iter()
            .any(|row| row.contains(stem) || row.contains(reversed.as_str()));
    }
    false
}

/// Why an address is junk, if it is.
pub fn email_junk(email: &Email) -> Option<JunkReason> {
    let domain = email.domain();
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels[labels.len() - 1];
    if lexicon::RESERVED_TLDS.contains(tld) {
        return Some(JunkReason::ReservedDomain(tld.to_owned()));
    }
    for n in 2..=labels.len() {
        let suffix = labels[labels.len() - n..].join(".");
        if lexicon::RESERVED_DOMAINS.contains(&suffix) {
            return Some(JunkReason::ReservedDomain(suffix));
        }
        if lexicon::PRIVACY_RELAYS.contains(&suffix) {
            return None;
        }
        if DISPOSABLE.contains(suffix.as_str()) {
            return Some(JunkReason::DisposableDomain(suffix));
        }
    }
    let local = email.local().split('+').next().unwrap_or_default();
    if is_mash(local) || lexicon::PLACEHOLDER_MAILBOXES.contains(local) {
        return Some(JunkReason::TestOrMash(local.to_owned()));
    }
    let host = labels[labels.len().saturating_sub(2)];
    if is_mash(host) {
        return Some(JunkReason::TestOrMash(host.to_owned()));
    }
    None
}

/// Why a name is junk, if it is: "Test Test", "asdf", "Foo Bar", "Testowy Test".
pub fn name_junk(name: &PersonName) -> Option<JunkReason> {
    let words: Vec<&str> = std::iter::once(name.first())
        .chain(name.last().into_iter().flat_map(|l| l.split(' ')))
        .collect();
    let test_word = words.iter().find(|w| is_mash(w));
    test_word.map(|w| JunkReason::TestOrMash((*w).to_owned()))
}

/// Whether a number is fictional or a pattern: North America's 555-0100..0199, one digit
/// repeated, or a run of consecutive digits.
pub fn phone_junk(phone: &PhoneE164) -> Option<JunkReason> {
    let digits = phone.as_str().trim_start_matches('+');
    if digits.starts_with('1')
        && digits.len() == 11
        && &digits[4..8] == "5550"
        && digits.as_bytes()[8] == b'1'
    {
        return Some(JunkReason::FakePhone);
    }
    // The subscriber part: the last nine digits.
    let tail = &digits[digits.len().saturating_sub(9)..];
    let bytes = tail.as_bytes();
    let same = bytes.iter().all(|&b| b == bytes[0]);
    let ascending = bytes
        .windows(2)
        .all(|w| w[1] == w[0] + 1 || (w[0] == b'9' && w[1] == b'0'));
    let descending = bytes.windows(2).all(|w| w[0] == w[1] + 1);
    (same || ascending || descending).then_some(JunkReason::FakePhone)
}

/// Whether a visitor message is only a test: "test", "testing 123", "this is a test", "asdf".
pub fn message_is_test(text: &str) -> bool {
    let lower = fold_case(text.trim());
    let says_test = lower.contains("test") || lower.contains("prueba");
    if says_test
        && lexicon::TEST_PHRASES
            .words()
            .iter()
            .any(|p| lower.contains(p))
    {
        return true;
    }
    // Only a short message can be nothing but mash.
    let words = || {
        lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    };
    let count = words().take(4).count();
    (1..=3).contains(&count) && words().all(is_mash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Option<JunkReason> {
        email_junk(&Email::parse(s).unwrap())
    }

    #[test]
    fn reserved_and_disposable_domains() {
        assert!(matches!(
            email("user@example.com"),
            Some(JunkReason::ReservedDomain(_))
        ));
        assert!(matches!(
            email("user@mail.example.org"),
            Some(JunkReason::ReservedDomain(_))
        ));
        assert!(matches!(
            email("user@host.test"),
            Some(JunkReason::ReservedDomain(_))
        ));
        assert!(matches!(
            email("user@site.invalid"),
            Some(JunkReason::ReservedDomain(_))
        ));
        assert!(matches!(
            email("user@printer.local"),
            Some(JunkReason::ReservedDomain(_))
        ));
        assert!(matches!(
            email("user@router.home.arpa"),
            Some(JunkReason::ReservedDomain(_))
        ));
        assert!(matches!(
            email("someone@mailinator.com"),
            Some(JunkReason::DisposableDomain(_))
        ));
        assert!(matches!(
            email("someone@sub.mailinator.com"),
            Some(JunkReason::DisposableDomain(_))
        ));
        assert!(matches!(
            email("someone@yopmail.com"),
            Some(JunkReason::DisposableDomain(_))
        ));
    }

    #[test]
    fn real_providers_and_privacy_relays_are_not_junk() {
        for ok in [
            "jan.kowalski@gmail.com",
            "jan@wp.pl",
            "anna@gmx.de",
            "pierre@orange.fr",
            "ana@telefonica.net",
            "x1y2@duck.com",
            "abc123@privaterelay.appleid.com",
            "someone@mozmail.com",
            "user@example.de",
            "first.last@iana.org",
            "user@examples.com",
            "daniel@fernhill-digital.co.uk",
        ] {
            assert_eq!(email(ok), None, "{ok}");
        }
    }

    #[test]
    fn mash_and_test_words() {
        assert!(matches!(
            email("asdf@asdf.com"),
            Some(JunkReason::TestOrMash(_))
        ));
        assert!(matches!(
            email("none@firma.pl"),
            Some(JunkReason::TestOrMash(_))
        ));
        for junk in [
            "test@test.com",
            "asdf@asdf.com",
            "qwerty@qwerty.com",
            "test123@gmail.com",
            "azerty@azerty.fr",
            "123@123.com",
            "xxx@xxx.com",
            "user@test.com",
        ] {
            assert!(email(junk).is_some(), "{junk}");
        }
        assert!(is_mash("asdfgh"));
        assert!(is_mash("lkjh"));
        assert!(is_mash("aaaa"));
        assert!(!is_mash("anna"));
        assert!(!is_mash("wer"));
        assert!(!is_mash("tyre"));
    }

    #[test]
    fn junk_names() {
        for junk in [
            "Test Test",
            "TEST TEST",
            "Testowy Test",
            "Asdf Asdf",
            "Qwerty Uiop",
            "Foo Bar",
            "Test User",
        ] {
            let n = PersonName::parse(junk).unwrap();
            assert!(name_junk(&n).is_some(), "{junk}");
        }
        for ok in [
            "Jan Kowalski",
            "Christopher Null",
            "Anne-Marie O'Neil",
            "Testa Rossa",
        ] {
            let n = PersonName::parse(ok).unwrap();
            assert!(name_junk(&n).is_none(), "{ok}");
        }
    }

    #[test]
    fn fake_phones() {
        let p = |s: &str| PhoneE164::parse(s, None).unwrap();
        assert_eq!(
            phone_junk(&p("+1 212 555 0123")),
            Some(JunkReason::FakePhone)
        );
        assert_eq!(phone_junk(&p("+48 601 234 567")), None);
        assert_eq!(phone_junk(&p("+16172943381")), None);
    }

    #[test]
    fn test_messages() {
        assert!(message_is_test("test"));
        assert!(message_is_test("Test Test"));
        assert!(message_is_test("asdf"));
        assert!(message_is_test("just testing the chat"));
        assert!(message_is_test("azerty"));
        assert!(!message_is_test("we need a chatbot"));
        assert!(!message_is_test("nope"));
    }
}
