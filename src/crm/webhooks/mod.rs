//! CRMs telling leadgate that a deal changed: each vendor signs or authenticates its webhooks
//! its own way and shapes them its own way; they all become [`DealChange`]s. Pure functions: the
//! HTTP layer hands over the headers and exact body.

pub mod hubspot;
pub mod pipedrive;
pub mod zoho;

/// One deal's change as a CRM reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct DealChange {
    /// The vendor's id for this notification: a redelivery carries the same one.
    pub event_id: String,
    pub deal_id: String,
    pub stage: Option<String>,
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub owner: Option<String>,
    pub won: Option<bool>,
    pub lost: Option<bool>,
    /// The change came through the API with leadgate's credentials: leadgate's own write.
    pub ours: bool,
    /// The record as it is now (read back or polled), not one property's change: leadgate's
    /// own last write still sets the baseline that later changes are compared with.
    pub snapshot: bool,
}

impl DealChange {
    /// A change of `deal_id` with nothing reported yet.
    pub fn new(event_id: impl Into<String>, deal_id: impl Into<String>) -> DealChange {
        DealChange {
            event_id: event_id.into(),
            deal_id: deal_id.into(),
            stage: None,
            amount: None,
            currency: None,
            owner: None,
            won: None,
            lost: None,
            ours: false,
            snapshot: false,
        }
    }

    /// A record as read back now: its event id is the record's modification stamp and its
    /// values, so two reads within the same second that differ are two events.
    pub fn snapshot(
        deal_id: impl Into<String>,
        stamp: &str,
        values: &[Option<String>],
    ) -> DealChange {
        use sha2::Digest;
        let deal_id = deal_id.into();
        let mut hash = sha2::Sha256::new();
        for v in values {
            hash.update(v.as_deref().unwrap_or("\u{0}").as_bytes());
            hash.update([0xff]);
        }
        let digest = hash.finalize();
        let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let mut change = DealChange::new(format!("{deal_id}@{stamp}#{short}"), deal_id);
        change.snapshot = true;
        change
    }
}

/// Why a webhook was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the request carries no signature or credentials")]
    Missing,
    #[error("the request's timestamp is not within five minutes of now")]
    Stale,
    #[error("the signature or credentials do not match")]
    Mismatch,
}

/// Constant-time comparison of two byte strings.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}
