//! HubSpot's searchable phone properties. HubSpot keeps a contact's `phone` and `mobilephone`
//! as they were typed (its knowledge base: validated numbers are saved as `+18884827768`,
//! unvalidated ones as entered, https://knowledge.hubspot.com/properties/phone-number-property-validation),
//! so `EQ` on them matches only the same text. It also maintains read-only
//! `hs_searchable_calculated_phone_number` and `hs_searchable_calculated_mobile_number`: the
//! number with its formatting removed. HubSpot does not document the exact rule; the values it
//! answers in public code show a number without its country code and leading zeros
//! (`phone: "00004"` reads back `"4"`). The simulator derives them that way: digits only, the
//! country code dropped after a `+`, leading zeros dropped. A search must therefore give the
//! national number (`4155550134` for `+1 415 555 0134` or `(415) 555-0134`).

/// Country calling codes of two digits (the ITU's list; 1 and 7 are one digit, the rest three).
const TWO_DIGIT_CODES: &[&str] = &[
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47",
    "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
    "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
];

/// The calculated property derived from each typed property.
pub(crate) const CALCULATED: &[(&str, &str)] = &[
    ("hs_searchable_calculated_phone_number", "phone"),
    ("hs_searchable_calculated_mobile_number", "mobilephone"),
];

/// The digits after an international number's country code.
fn after_calling_code(digits: &str) -> &str {
    let two = digits.get(..2).unwrap_or_default();
    let skip = if digits.starts_with(['1', '7']) {
        1
    } else if TWO_DIGIT_CODES.contains(&two) {
        2
    } else {
        3
    };
    digits.get(skip..).unwrap_or_default()
}

/// The searchable form of a typed number; `None` when it has no digits left.
pub(crate) fn searchable(typed: &str) -> Option<String> {
    let typed = typed.trim();
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let national = if typed.starts_with('+') {
        after_calling_code(&digits)
    } else {
        &digits
    };
    let national = national.trim_start_matches('0');
    (!national.is_empty()).then(|| national.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_formatting_country_code_and_leading_zeros() {
        for typed in ["+1 (415) 555-0134", "(415) 555-0134", "415.555.0134"] {
            assert_eq!(searchable(typed).as_deref(), Some("4155550134"), "{typed}");
        }
        for typed in ["+44 161 496 0000", "+44 (0)161 496 0000", "0161 496 0000"] {
            assert_eq!(searchable(typed).as_deref(), Some("1614960000"), "{typed}");
        }
        assert_eq!(searchable("+48601234567").as_deref(), Some("601234567"));
        assert_eq!(searchable("00004").as_deref(), Some("4"));
        assert_eq!(searchable("n/a"), None);
    }
}
