//! A lead's Slack alert as it stands now: its facts and score, the link to its CRM record and
//! its transcript, what reps did with it and the deal's stage. The first post and every re-draw
//! show the same thing.

use std::sync::Arc;

use crate::alerts::{Alert, HandoffState, Origin};
use crate::config::Config;
use crate::lead::{Lead, Score};
use crate::store::{ConversationRow, Store, StoreError};

/// Makes links to a conversation's transcript for sales reps.
pub type ConversationLinks = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The alert of a lead as it stands now: facts, score, CRM link, what reps did with it.
pub async fn current_alert(
    store: &Store,
    config: &Config,
    links: &ConversationLinks,
    c: &ConversationRow,
    lead: &Lead,
    score: &Score,
) -> Result<Alert, StoreError> {
    let site = config.site(&c.site);
    let crm = site.map(|s| s.crm).unwrap_or_default();
    let record_url = store
        .crm_links(&c.id, crm.name())
        .await?
        .and_then(|row| row.record_url);
    let outcome = store.deal_outcome(&c.id, crm.name()).await?.and_then(|o| {
        o.stage
            .map(|stage| describe_outcome(&stage, o.amount, o.currency.as_deref()))
    });
    let origin = Origin {
        site_key: &c.site,
        site_name: site.map_or("", |s| s.display_name()),
        channel: &c.channel,
        conversation_id: &c.id,
    };
    let mut alert = Alert::of(origin, lead, score, record_url.map(|u| (crm.label(), u)));
    alert.transcript_url = links(&c.id);
    alert.state = HandoffState {
        interactive: config
            .alerts
            .slack
            .as_ref()
            .is_some_and(|s| s.interactive()),
        claimed_by: c.owner_slack_id.clone(),
        not_a_lead: c.not_a_lead,
        held: c.human_since_ms.is_some(),
        outcome,
    };
    Ok(alert)
}

/// "Closed won, 12000 GBP".
pub fn describe_outcome(stage: &str, amount: Option<f64>, currency: Option<&str>) -> String {
    match amount {
        Some(a) => format!("Deal: {stage}, {a} {}", currency.unwrap_or(""))
            .trim_end()
            .to_owned(),
        None => format!("Deal: {stage}"),
    }
}
