//! Timestamps in each vendor's textual format.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

const MILLIS_Z: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
const SALESFORCE: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000");
const SECONDS_OFFSET: &[BorrowedFormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
);
const SECONDS_Z: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const SPACED: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
const DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

fn render(at: OffsetDateTime, format: &[BorrowedFormatItem<'static>]) -> String {
    // Every format here only uses fields an `OffsetDateTime` has, so formatting cannot fail.
    at.to_offset(UtcOffset::UTC)
        .format(format)
        .unwrap_or_default()
}

/// `2026-11-22T10:00:00.123Z` (HubSpot).
pub(crate) fn millis_z(at: OffsetDateTime) -> String {
    render(at, MILLIS_Z)
}

/// `2026-11-22T10:00:00.000+0000` (Salesforce).
pub(crate) fn salesforce(at: OffsetDateTime) -> String {
    render(at, SALESFORCE)
}

/// `2026-11-22T10:00:00+00:00` (Zoho).
pub(crate) fn seconds_offset(at: OffsetDateTime) -> String {
    render(at, SECONDS_OFFSET)
}

/// `2026-11-22T10:00:00Z` (Pipedrive v2).
pub(crate) fn seconds_z(at: OffsetDateTime) -> String {
    render(at, SECONDS_Z)
}

/// `2026-11-22 10:00:00` (Pipedrive v1).
pub(crate) fn spaced(at: OffsetDateTime) -> String {
    render(at, SPACED)
}

/// Whether `text` is a calendar date `YYYY-MM-DD`.
pub(crate) fn is_date(text: &str) -> bool {
    Date::parse(text, DATE).is_ok()
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_millis(at: OffsetDateTime) -> i128 {
    at.unix_timestamp_nanos() / 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_match_the_vendors() {
        let at = datetime!(2026-11-22 10:00:00.123 UTC);
        assert_eq!(millis_z(at), "2026-11-22T10:00:00.123Z");
        assert_eq!(salesforce(at), "2026-11-22T10:00:00.123+0000");
        assert_eq!(seconds_offset(at), "2026-11-22T10:00:00+00:00");
        assert_eq!(seconds_z(at), "2026-11-22T10:00:00Z");
        assert_eq!(spaced(at), "2026-11-22 10:00:00");
        assert_eq!(unix_millis(at), 1_795_341_600_123);
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_date("2026-12-31"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("31/12/2026"));
    }
}
