//! Reading Opportunities back: Salesforce pushes nothing to a plain HTTPS endpoint (Outbound
//! Messaging is SOAP and configured per org), so leadgate polls the Opportunities whose
//! `SystemModstamp` moved ("SystemModstamp ... is the preferred field for polling changes",
//! <https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/system_fields.htm>).

use serde_json::Value;
use time::OffsetDateTime;
use time::macros::format_description;

use super::client::{Api, Call};
use crate::crm::webhooks::DealChange;
use crate::outbound::CallError;

/// At most this many changes per query; a full page is followed by another at once.
pub const PAGE: usize = 200;

/// One page of changed Opportunities, oldest first.
pub struct Changes {
    pub deals: Vec<DealChange>,
    /// Where the next poll starts: the newest `SystemModstamp` read (to the second).
    pub next: OffsetDateTime,
}

/// A SOQL datetime literal: `YYYY-MM-DDThh:mm:ssZ` (SOQL "Date Formats and Date Literals":
/// no fractions of a second).
fn literal(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.format(&format).unwrap_or_default()
}

/// `2026-11-22T10:00:00.000+0000`, as the REST API writes datetimes (always UTC).
fn parse_stamp(stamp: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(stamp.get(..19)?, &format)
        .ok()
        .map(|t| t.assume_utc())
}

/// The query for changes at or after `since`: at-or-after because the literal has whole
/// seconds; what was read before is recognised by its event id.
pub fn query(since: OffsetDateTime) -> String {
    format!(
        "SELECT Id, StageName, Amount, OwnerId, IsWon, IsClosed, LastModifiedById, SystemModstamp \
         FROM Opportunity WHERE SystemModstamp >= {} ORDER BY SystemModstamp LIMIT {PAGE}",
        literal(since)
    )
}

/// One queried row as a deal change; `own_user` is the integration user, whose edits are
/// leadgate's own.
pub fn change_of(row: &Value, own_user: Option<&str>) -> Option<DealChange> {
    let id = row["Id"].as_str()?;
    let stamp = row["SystemModstamp"].as_str()?;
    let stage = row["StageName"].as_str().map(str::to_owned);
    let values = [
        stage.clone(),
        row["Amount"].as_f64().map(|a| a.to_string()),
        row["OwnerId"].as_str().map(str::to_owned),
        row["LastModifiedById"].as_str().map(str::to_owned),
    ];
    let mut change = DealChange::snapshot(id, stamp, &values);
    change.stage = stage;
    change.amount = row["Amount"].as_f64();
    change.owner = row["OwnerId"].as_str().map(str::to_owned);
    let won = row["IsWon"].as_bool();
    change.won = won;
    change.lost = row["IsClosed"]
        .as_bool()
        .map(|closed| closed && won != Some(true));
    change.ours = own_user.is_some_and(|u| row["LastModifiedById"].as_str() == Some(u));
    Some(change)
}

/// Opportunities changed at or after `since`.
pub async fn changed_since(api: &Api, since: OffsetDateTime) -> Result<Changes, CallError> {
    let answer = api.send(&Call::query(&query(since))).await?;
    let rows = answer["records"].as_array().cloned().unwrap_or_default();
    let own = api.user_id();
    let mut next = since;
    let mut deals = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(at) = row["SystemModstamp"].as_str().and_then(parse_stamp) {
            next = next.max(at);
        }
        deals.extend(change_of(row, own.as_deref()));
    }
    // A full page within one second would be read again and again: move past that second.
    if rows.len() >= PAGE && next == since {
        next += time::Duration::SECOND;
    }
    Ok(Changes { deals, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_become_changes_and_own_edits_are_recognised() {
        let row = json!({"Id": "006A", "StageName": "Closed Won", "Amount": 12000.0, "OwnerId": "005REP",
            "IsWon": true, "IsClosed": true, "LastModifiedById": "005REP",
            "SystemModstamp": "2026-11-22T10:00:01.000+0000"});
        let c = change_of(&row, Some("005API")).unwrap();
        assert!(c.event_id.starts_with("006A@2026-11-22T10:00:01.000+0000#"));
        let mut moved = row.clone();
        moved["StageName"] = json!("Negotiation");
        assert_ne!(change_of(&moved, None).unwrap().event_id, c.event_id);
        assert_eq!((c.won, c.lost, c.ours), (Some(true), Some(false), false));
        assert_eq!(c.amount, Some(12000.0));
        assert!(change_of(&row, Some("005REP")).unwrap().ours);
        let lost = json!({"Id": "006B", "IsWon": false, "IsClosed": true, "SystemModstamp": "x"});
        assert_eq!(change_of(&lost, None).unwrap().lost, Some(true));
        assert!(change_of(&json!({"Id": "006C"}), None).is_none());
    }

    #[test]
    fn the_query_uses_whole_second_literals() {
        let at = parse_stamp("2026-11-22T10:00:01.250+0000").unwrap();
        assert!(query(at).contains("SystemModstamp >= 2026-11-22T10:00:01Z ORDER BY"));
    }
}
