//! What a CRM reports about a lead's deal — its stage, amount, owner, won or lost — is stored
//! per lead and shown in the alert's thread and on the alert. Each notification is handled once
//! (vendors redeliver), a change leadgate itself made is recognised and ignored, and nothing is
//! ever written back to the CRM in answer, so no loop can start.

use super::plan::{alert_update_job, thread_job};
use crate::config::Config;
use crate::crm::CrmKind;
use crate::crm::webhooks::DealChange;
use crate::store::{DealOutcome, Store, StoreError, now_ms};

/// What became of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Stored and told in the thread.
    Changed,
    /// Seen before (a redelivery).
    Duplicate,
    /// leadgate's own write, echoed back.
    Ours,
    /// Nothing new (the same stage again).
    Unchanged,
    /// Not a deal leadgate made.
    Unknown,
}

/// Applies one deal change from `crm`.
pub async fn apply(
    store: &Store,
    config: &Config,
    crm: CrmKind,
    change: &DealChange,
) -> Result<Applied, StoreError> {
    if !store.first_seen(crm.name(), &change.event_id).await? {
        return Ok(Applied::Duplicate);
    }
    let Some(conversation) = store
        .conversation_by_deal(crm.name(), &change.deal_id)
        .await?
    else {
        return Ok(Applied::Unknown);
    };
    if change.ours {
        return Ok(Applied::Ours);
    }
    let before = store.deal_outcome(&conversation, crm.name()).await?;
    let mut after = before.clone().unwrap_or(DealOutcome {
        conversation_id: conversation.clone(),
        target: crm.name().to_owned(),
        deal_id: change.deal_id.clone(),
        stage: None,
        amount: None,
        currency: None,
        owner: None,
        won: false,
        lost: false,
        changed_ms: 0,
    });
    if change.stage.is_some() {
        after.stage.clone_from(&change.stage);
    }
    if change.amount.is_some() {
        after.amount = change.amount;
    }
    if change.currency.is_some() {
        after.currency.clone_from(&change.currency);
    }
    if change.owner.is_some() {
        after.owner.clone_from(&change.owner);
    }
    if let Some(won) = change.won {
        after.won = won;
    }
    if let Some(lost) = change.lost {
        after.lost = lost;
    }
    let same = before.as_ref().is_some_and(|b| {
        (&b.stage, b.amount, &b.currency, &b.owner, b.won, b.lost)
            == (
                &after.stage,
                after.amount,
                &after.currency,
                &after.owner,
                after.won,
                after.lost,
            )
    });
    if same {
        return Ok(Applied::Unchanged);
    }
    after.changed_ms = now_ms();
    store.save_deal_outcome(&after).await?;
    store
        .add_note(&conversation, &note(crm, before.as_ref(), &after))
        .await?;
    let jobs: Vec<_> = thread_job(config)
        .into_iter()
        .chain(alert_update_job(config))
        .collect();
    store.enqueue(&conversation, &jobs).await?;
    metrics::counter!("leadgate_deal_changes_total", "crm" => crm.name()).increment(1);
    Ok(Applied::Changed)
}

/// "Deal moved to Closed won in HubSpot, 12000 GBP".
fn note(crm: CrmKind, before: Option<&DealOutcome>, after: &DealOutcome) -> String {
    let stage = if after.won {
        "Closed won".to_owned()
    } else if after.lost {
        "Closed lost".to_owned()
    } else {
        after
            .stage
            .clone()
            .unwrap_or_else(|| "a new stage".to_owned())
    };
    let mut text =
        if before.and_then(|b| b.stage.as_ref()) != after.stage.as_ref() || after.won || after.lost
        {
            format!(
                ":chart_with_upwards_trend: Deal moved to {stage} in {}",
                crm.label()
            )
        } else {
            format!(":chart_with_upwards_trend: Deal updated in {}", crm.label())
        };
    if let Some(amount) = after.amount {
        text.push_str(&format!(
            ", {amount} {}",
            after.currency.as_deref().unwrap_or("")
        ));
    }
    if let Some(owner) = &after.owner
        && before.and_then(|b| b.owner.as_ref()) != Some(owner)
    {
        text.push_str(&format!(" (owner {owner})"));
    }
    text.trim_end().to_owned()
}
