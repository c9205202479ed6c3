//! `PhoneE164`: a phone number that libphonenumber's metadata calls valid, in E.164 form.
//!
//! Numbers are parsed and validated against libphonenumber's metadata as the `phonenumber`
//! crate ships it, but not through the crate's parser, which has known traps: it maps letters to
//! digits (vanity numbers, so "call me at 5pm" could become a number), it mis-reads a `+` number
//! when it is also given a default region, it fails on a `00` international prefix without a
//! region, and its shared cache of compiled patterns makes every call slow (see `metadata`).
//! Here the input is reduced to `+` and ASCII digits first, letters are refused, and the
//! numbering plan is applied by our own code.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::locale::Region;

mod metadata;

/// A valid phone number in E.164 form (`+48601234567`). Only [`PhoneE164::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneE164(String);

/// Why a string is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("a phone number may only hold digits, spaces, + - . / ( ) and an extension")]
    Characters,
    #[error("a phone number needs between 4 and 17 digits")]
    Length,
    #[error("a national number needs a default region")]
    NoRegion,
    #[error("the number cannot be read as a phone number")]
    Unparsable,
    #[error("the number is not a valid number for its region")]
    Invalid,
}

/// Words that introduce an extension, which E.164 drops.
const EXTENSION_MARKERS: &[&str] = &[
    "extension",
    "ext.",
    "ext",
    "x",
    "#",
    "wew.",
    "wew",
    "durchwahl",
    "dw.",
    "poste",
    "ext:",
];

impl PhoneE164 {
    /// Parses a number as a person types it: `+48 601-234-567`, `0048 601 234 567`,
    /// `+44 (0)117 925 4410`, `(617) 294-3381`, `tel:+1-617-294-3381`, `0171 / 482 96 15`.
    /// A national number (no `+` or international prefix) takes `region`.
    pub fn parse(raw: &str, region: Option<Region>) -> Result<PhoneE164, PhoneError> {
        let cleaned = clean(raw)?;
        let digits = cleaned.trim_start_matches('+');
        if !(4..=20).contains(&digits.len()) {
            return Err(PhoneError::Length);
        }
        let e164 = if cleaned.starts_with('+') {
            metadata::international_e164(digits)
        } else if let Some(r) = region {
            let mut found = metadata::national_e164(r.code(), digits);
            if found.is_none() {
                // "00" abroad from a region that dials out differently is still meant as "+".
                if let Some(rest) = digits.strip_prefix("00") {
                    found = metadata::international_e164(rest);
                }
            }
            if found.is_none() {
                // A national number typed without its trunk prefix ("30 1234567" in Berlin).
                if let Some(prefix) = metadata::trunk_prefix(r.code())
                    && !digits.starts_with(prefix)
                {
                    found = metadata::national_e164(r.code(), &format!("{prefix}{digits}"));
                }
            }
            found
        } else if let Some(rest) = digits.strip_prefix("00") {
            metadata::international_e164(rest)
        } else {
            return Err(PhoneError::NoRegion);
        };
        e164.map(PhoneE164).ok_or(PhoneError::Invalid)
    }

    /// A number from channel metadata, which is international without the `+`
    /// (a WhatsApp `wa_id` such as `48888784878`).
    pub fn parse_international_digits(raw: &str) -> Result<PhoneE164, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.starts_with('+') {
            return PhoneE164::parse(trimmed, None);
        }
        PhoneE164::parse(&format!("+{trimmed}"), None)
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national significant number: the digits after the country code (`4155550134` of
    /// `+14155550134`, `1614960000` of `+441614960000`).
    pub fn national_number(&self) -> &str {
        let digits = &self.0[1..];
        metadata::parts(digits).map_or(digits, |(_, nsn, _, _)| nsn)
    }

    /// The number as dialled inside its country, digits only: the trunk prefix a region
    /// dials with ("0" in the UK and most of Europe) and the national number
    /// (`01614960000`; `4155550134` in North America, whose "1" is not written nationally).
    pub fn national_dialled(&self) -> String {
        let digits = &self.0[1..];
        match metadata::parts(digits) {
            Some((code, nsn, _, Some(prefix))) if code != 1 && prefix.len() == 1 => {
                format!("{prefix}{nsn}")
            }
            Some((_, nsn, _, _)) => nsn.to_owned(),
            None => digits.to_owned(),
        }
    }

    /// The region the number belongs to (`None` for non-geographic numbers).
    pub fn region(&self) -> Option<Region> {
        let (_, _, region, _) = metadata::parts(&self.0[1..])?;
        Region::parse(region?).ok()
    }

    /// Whether `held` (a number as a CRM holds it, in any format, with or without its country
    /// code) is this number: read in this number's region when it has no country code.
    pub fn same_as(&self, held: &str) -> bool {
        let digits: String = held.chars().filter(char::is_ascii_digit).collect();
        (digits == self.0[1..] && held.trim_start().starts_with(['+', '(']))
            || PhoneE164::parse(held, self.region()).is_ok_and(|p| p == *self)
    }

    /// `+48******567`: enough for a log line to be useful, not enough to call anyone.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        let keep_start = 3.min(n);
        let keep_end = 3.min(n - keep_start);
        format!(
            "{}{}{}",
            &self.0[..keep_start],
            "*".repeat(n - keep_start - keep_end),
            &self.0[n - keep_end..]
        )
    }
}

/// A decimal digit of any script as an ASCII digit: fullwidth, Arabic-Indic, Devanagari...
fn ascii_digit(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        return Some(c);
    }
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810, 0xFF10,
    ];
    let code = c as u32;
    ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .and_then(|&zero| char::from_digit(code - zero, 10))
}

/// Reduces a typed number to an optional `+` and ASCII digits: drops `tel:`, the extension,
/// a trunk prefix written in parentheses after a country code ("+44 (0)117", "+7 (8) 800"),
/// and separators. Letters are refused.
fn clean(raw: &str) -> Result<String, PhoneError> {
    let mut s = raw.trim();
    if let Some(rest) = s.strip_prefix("tel:").or_else(|| s.strip_prefix("TEL:")) {
        s = rest.split(';').next().unwrap_or_default();
    }
    let lower = s.to_lowercase();
    for marker in EXTENSION_MARKERS {
        if let Some(at) = find_extension(&lower, marker) {
            s = &s[..at];
            break;
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.trim().char_indices().peekable();
    let mut seen_digit = false;
    while let Some((i, c)) = chars.next() {
        if let Some(d) = ascii_digit(c) {
            out.push(d);
            seen_digit = true;
            continue;
        }
        match c {
            '+' | '\u{ff0b}' if !seen_digit && out.is_empty() => out.push('+'),
            '(' | '\u{ff08}'
                if out.starts_with('+')
                    && (s[i..].starts_with("(0)") || s[i..].starts_with("(8)")) =>
            {
                // "+44 (0)117": the trunk prefix is not dialled from abroad.
                chars.next();
                chars.next();
            }
            ' ' | '\u{a0}' | '\u{202f}' | '\u{3000}' | '\u{ad}' | '-' | '\u{2010}' | '\u{2011}'
            | '\u{2013}' | '\u{ff0d}' | '.' | '/' | '(' | ')' | '\u{ff08}' | '\u{ff09}' | '\t' => {}
            _ => return Err(PhoneError::Characters),
        }
    }
    // "+00 64…", "+011 64…": an international prefix typed after the plus.
    if let Some(rest) = out.strip_prefix("+00").or_else(|| out.strip_prefix("+011")) {
        out = format!("+{rest}");
    }
    Ok(out)
}

/// Where an extension marker starts, when it follows the number and precedes digits.
fn find_extension(lower: &str, marker: &str) -> Option<usize> {
    let at = lower.find(marker)?;
    let before_has_digits = lower[..at].bytes().filter(u8::is_ascii_digit).count() >= 4;
    let after = lower[at + marker.len()..].trim_start_matches([' ', '.', ':', '=']);
    let after_is_digits = !after.is_empty() && after.bytes().all(|b| b.is_ascii_digit());
    (before_has_digits && after_is_digits).then_some(at)
}

impl fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PhoneE164 {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        if !value.starts_with('+') {
            return Err(PhoneError::NoRegion);
        }
        PhoneE164::parse(&value, None)
    }
}

impl From<PhoneE164> for String {
    fn from(value: PhoneE164) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str) -> Option<Region> {
        Some(Region::parse(code).unwrap())
    }

    fn e164(raw: &str, r: &str) -> Result<String, PhoneError> {
        PhoneE164::parse(raw, region(r)).map(|p| p.as_str().to_owned())
    }

    #[test]
    fn national_numbers_take_the_region_in_five_countries() {
        assert_eq!(e164("601 234 567", "PL").unwrap(), "+48601234567");
        assert_eq!(e164("601 - 234 - 567", "PL").unwrap(), "+48601234567");
        assert_eq!(e164("22 845 61 30", "PL").unwrap(), "+48228456130");
        assert_eq!(e164("0171 / 482 96 15", "DE").unwrap(), "+491714829615");
        assert_eq!(e164("0676 512 48 33", "AT").unwrap(), "+436765124833");
        assert_eq!(e164("958 12 34 56", "ES").unwrap(), "+34958123456");
        assert_eq!(e164("06 72 18 45 30", "FR").unwrap(), "+33672184530");
        assert_eq!(e164("01.45.67.89.12", "FR").unwrap(), "+33145678912");
        assert_eq!(e164("(617) 294-3381", "US").unwrap(), "+16172943381");
        assert_eq!(e164("07911 123456", "GB").unwrap(), "+447911123456");
        assert_eq!(e164("55 4123 9087", "MX").unwrap(), "+525541239087");
    }

    #[test]
    fn national_forms_of_an_e164_number() {
        let us = PhoneE164::parse("+1 415 555 0134", None).unwrap();
        assert_eq!(us.national_number(), "4155550134");
        assert_eq!(us.national_dialled(), "4155550134");
        assert_eq!(us.region(), region("US"));
        let gb = PhoneE164::parse("+44 161 496 0000", None).unwrap();
        assert_eq!(gb.national_number(), "1614960000");
        assert_eq!(gb.national_dialled(), "01614960000");
        assert_eq!(gb.region(), region("GB"));
        let pl = PhoneE164::parse("+48 601 234 567", None).unwrap();
        assert_eq!(
            pl.national_dialled(),
            "601234567",
            "Poland dials no trunk prefix"
        );
        for held in [
            "(415) 555-0134",
            "+1 415-555-0134",
            "415.555.0134",
            "001 415 555 0134",
        ] {
            assert!(us.same_as(held), "{held}");
        }
        for held in ["0161 496 0000", "+44 (0)161 496 0000", "01614960000"] {
            assert!(gb.same_as(held), "{held}");
        }
        for other in [
            "(415) 555-0199",
            "0161 496 0001",
            "",
            "n/a",
            "+441614960000 9",
        ] {
            assert!(!us.same_as(other), "{other}");
            assert!(!gb.same_as(other), "{other}");
        }
    }

    #[test]
    fn international_forms_ignore_the_default_region() {
        assert_eq!(e164("+48 888-78-48-78", "DE").unwrap(), "+48888784878");
        assert_eq!(e164("+44 (0)117 925 4410", "US").unwrap(), "+441179254410");
        assert_eq!(e164("+32 (0)4 223 45 67", "FR").unwrap(), "+3242234567");
        assert_eq!(e164("+49 (0)89 2180 4473", "DE").unwrap(), "+498921804473");
        assert_eq!(e164("0049 30 123456", "DE").unwrap(), "+4930123456");
        assert_eq!(e164("0034 688 12 34 56", "ES").unwrap(), "+34688123456");
        assert_eq!(e164("+1 (415) 555-2671", "GB").unwrap(), "+14155552671");
        assert_eq!(
            e164("tel:+1-617-294-3381;ext=12", "PL").unwrap(),
            "+16172943381"
        );
        assert_eq!(
            e164("+49 221 584 3120 ext. 12", "DE").unwrap(),
            "+492215843120"
        );
        assert_eq!(
            e164("011 49 800 1234567890", "US").unwrap(),
            "+498001234567890"
        );
        assert_eq!(e164("0011 1 650 253 0000", "AU").unwrap(), "+16502530000");
        assert_eq!(e164("+7 (800) 555-35-35", "US").unwrap(), "+78005553535");
        assert_eq!(e164("+49 (0)30 1234567", "DE").unwrap(), "+49301234567");
        assert_eq!(
            e164("＋４８ ６０１ ２３４ ５６７", "PL").unwrap(),
            "+48601234567"
        );
        assert_eq!(e164("+١٢١٢٢٣٢٣٢٣٢", "US").unwrap(), "+12122323232");
        assert_eq!(e164("+00 48 601 234 567", "PL").unwrap(), "+48601234567");
        let none = PhoneE164::parse("0048601234567", None).unwrap();
        assert_eq!(none.as_str(), "+48601234567");
    }

    #[test]
    fn invalid_and_hostile_inputs_are_refused() {
        assert_eq!(e164("48 601 22", "PL"), Err(PhoneError::Invalid));
        assert_eq!(e164("0800 DDA 005", "NZ"), Err(PhoneError::Characters));
        assert_eq!(e164("call me at 5pm", "US"), Err(PhoneError::Characters));
        assert!(Region::parse("ZZ").is_err());
        assert_eq!(
            PhoneE164::parse("601 234 567", None),
            Err(PhoneError::NoRegion)
        );
        assert_eq!(e164("12", "PL"), Err(PhoneError::Length));
        assert_eq!(e164(&"9".repeat(40), "PL"), Err(PhoneError::Length));
        assert_eq!(
            e164("+48 601 234 567 890 123", "PL"),
            Err(PhoneError::Invalid)
        );
        assert!(e164("+48 601 234 5678", "PL").is_err());
    }

    #[test]
    fn channel_metadata_numbers_are_international() {
        let p = PhoneE164::parse_international_digits("447956332184").unwrap();
        assert_eq!(p.as_str(), "+447956332184");
        let p = PhoneE164::parse_international_digits("+4915209876543").unwrap();
        assert_eq!(p.as_str(), "+4915209876543");
        assert!(PhoneE164::parse_international_digits("12").is_err());
    }

    #[test]
    fn masking_keeps_the_ends() {
        let p = PhoneE164::parse("+48601234567", None).unwrap();
        assert_eq!(p.masked(), "+48******567");
    }

    #[test]
    fn serde_needs_e164() {
        let p: PhoneE164 = serde_json::from_str("\"+48601234567\"").unwrap();
        assert_eq!(p.as_str(), "+48601234567");
        assert!(serde_json::from_str::<PhoneE164>("\"601234567\"").is_err());
    }
}
