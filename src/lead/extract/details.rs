//! The contact details a message gives, found as the extractor finds them, with where they are:
//! for keeping them out of what leaves the gateway.

use std::ops::Range;

use super::blank::{blank, blank_dates};
use super::finders;
use crate::lead::text::fold_case;
use crate::lead::{Region, budget};

/// What kind of detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DetailKind {
    Email,
    Phone,
}

/// One email address or phone number in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDetail {
    pub kind: DetailKind,
    /// Byte range in the message.
    pub span: Range<usize>,
    /// The normal form (`anna@firma.de`, `+491701234567`): the same detail written two ways
    /// has one.
    pub value: String,
}

/// Every email address (plain or spoken) and phone number in `text`, in order; national numbers
/// take `region`. Amounts of money and dates are not phone numbers.
pub fn contact_details(text: &str, region: Option<Region>) -> Vec<ContactDetail> {
    let text = crate::lead::text::truncate(text, super::MAX_MESSAGE_BYTES);
    let mut copy = text.to_owned();
    let mut lower = fold_case(text);
    let mut out = Vec::new();
    for found in finders::emails(&lower) {
        blank(&mut copy, &mut lower, found.span.clone());
        out.push(ContactDetail {
            kind: DetailKind::Email,
            span: found.span,
            value: found.value.as_str().to_owned(),
        });
    }
    for money in budget::find(&lower, region, false) {
        if money.explicit {
            blank(&mut copy, &mut lower, money.span.clone());
        }
    }
    blank_dates(&mut copy, &mut lower);
    for found in finders::phones(&lower, region) {
        out.push(ContactDetail {
            kind: DetailKind::Phone,
            span: found.span,
            value: found.value.as_str().to_owned(),
        });
    }
    out.sort_by_key(|d| d.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_addresses_and_numbers_but_not_money_or_dates() {
        let text = "Ich bin Jana, JANA.Vogt@vogt-moebel.de oder 0170 1234567; Budget 25.000 €, ab 01.03.2027";
        let found = contact_details(text, Region::parse("DE").ok());
        let kinds: Vec<(DetailKind, &str)> = found
            .iter()
            .map(|d| (d.kind, &text[d.span.clone()]))
            .collect();
        assert_eq!(
            kinds,
            [
                (DetailKind::Email, "JANA.Vogt@vogt-moebel.de"),
                (DetailKind::Phone, "0170 1234567"),
            ]
        );
        assert_eq!(found[0].value, "jana.vogt@vogt-moebel.de");
        assert_eq!(found[1].value, "+491701234567");
        let spoken = contact_details("write to jan at firma dot pl", None);
        assert_eq!(spoken.len(), 1);
        assert!(contact_details("nothing here", None).is_empty());
    }
}
