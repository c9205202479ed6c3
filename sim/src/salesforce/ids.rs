//! Salesforce record ids: a 3-character key prefix naming the object, 15 case-sensitive
//! characters, and the 3-character case-insensitive checksum of the 18-character form.

/// Characters of the checksum suffix, indexed by a 5-bit uppercase mask.
const SUFFIX: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 18-character form of a 15-character id (unchanged if already 18).
pub(crate) fn to_18(id: &str) -> Option<String> {
    if id.len() == 18 && id.is_ascii() {
        return Some(id.to_owned());
    }
    if id.len() != 15 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut full = id.to_owned();
    for chunk in id.as_bytes().chunks(5) {
        let mask = chunk
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_uppercase())
            .fold(0usize, |mask, (bit, _)| mask | (1 << bit));
        full.push(char::from(SUFFIX[mask]));
    }
    Some(full)
}

/// Whether `text` is shaped like an id (15 or 18 alphanumerics).
pub(crate) fn looks_like_id(text: &str) -> bool {
    matches!(text.len(), 15 | 18) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Build the id of the `n`-th record with key prefix `prefix`.
pub(crate) fn make(prefix: &str, n: u64) -> String {
    let mut digits = [b'0'; 9];
    let mut rest = n;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[usize::try_from(rest % 62).unwrap_or(0)];
        rest /= 62;
    }
    let short = format!("{prefix}8d0{}", String::from_utf8_lossy(&digits));
    to_18(&short).unwrap_or(short)
}

/// The key prefix of an id.
pub(crate) fn prefix(id: &str) -> &str {
    id.get(..3).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_salesforce() {
        // Worked by hand: chunk masks 8, 0, 2 → "IAC".
        assert_eq!(
            to_18("001A0000006Vm9r").as_deref(),
            Some("001A0000006Vm9rIAC")
        );
        assert_eq!(to_18("bad"), None);
    }

    #[test]
    fn made_ids_are_distinct_and_well_formed() {
        let a = make("00Q", 1);
        let b = make("00Q", 2);
        assert_ne!(a, b);
        assert_eq!(a.len(), 18);
        assert_eq!(prefix(&a), "00Q");
        assert_eq!(to_18(&a[..15]).as_deref(), Some(a.as_str()));
    }
}
