//! What a CRM reports about a lead's deal — its stage, amount, owner, won or lost — is stored
//! per lead and shown in the alert's thread and on the alert. Each notification is handled once
//! (vendors redeliver), a change leadgate itself made is recognised and ignored, and nothing is
//! ever written back to the CRM in answer, so no loop can start.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

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
    // Deals leadgate did not make are not remembered at all (a poll sees every deal).
    let Some(conversation) = store
        .conversation_by_deal(crm.name(), &change.deal_id)
        .await?
    else {
        return Ok(Applied::Unknown);
    };
    if !store.first_seen(crm.name(), &change.event_id).await? {
        return Ok(Applied::Duplicate);
    }
    if change.ours && !change.snapshot {
        return Ok(Applied::Ours);
    }
    let before = store.deal_outcome(&conversation, crm.name()).await?;
    let mut after = merged(before.as_ref(), &conversation, crm, change);
    let same = before.as_ref().is_some_and(|b| same_outcome(b, &after));
    if same {
        return Ok(Applied::Unchanged);
    }
    after.changed_ms = now_ms();
    store.save_deal_outcome(&after).await?;
    // A record as leadgate last wrote it is the baseline later changes are told against
    // (the first read after leadgate made the deal), not news for the thread.
    if change.ours {
        return Ok(Applied::Ours);
    }
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

/// The deal as it stands after `change`: what `before` held, with each value the change
/// carries.
fn merged(
    before: Option<&DealOutcome>,
    conversation: &str,
    crm: CrmKind,
    change: &DealChange,
) -> DealOutcome {
    let mut after = before.cloned().unwrap_or(DealOutcome {
        conversation_id: conversation.to_owned(),
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
    after
}

/// Whether two outcomes show the same deal (stage, amount, currency, owner, won, lost).
fn same_outcome(b: &DealOutcome, after: &DealOutcome) -> bool {
    (&b.stage, b.amount, &b.currency, &b.owner, b.won, b.lost)
        == (
            &after.stage,
            after.amount,
            &after.currency,
            &after.owner,
            after.won,
            after.lost,
        )
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

/// How far back the first poll after start-up looks: changes made while no gateway ran are
/// still reported if they are younger than this (and each only once, as ever).
const LOOK_BACK: time::Duration = time::Duration::hours(24);

/// Polls Salesforce for changed Opportunities every `every` until `shutdown`, applying each
/// change; a full page is followed by the next at once. Every gateway polls: the changes are
/// deduplicated in the shared store.
pub async fn poll_salesforce(
    store: Store,
    config: Arc<Config>,
    reader: crate::crm::salesforce::DealReader,
    every: Duration,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
) {
    let mut since = OffsetDateTime::now_utc() - LOOK_BACK;
    loop {
        let mut full = false;
        match reader.changed_since(since).await {
            Ok((changes, next)) => {
                full = changes.len() >= crate::crm::salesforce::POLL_PAGE;
                let mut applied = 0;
                let mut stored_all = true;
                for change in &changes {
                    match apply(&store, &config, CrmKind::Salesforce, change).await {
                        Ok(Applied::Changed) => applied += 1,
                        Ok(_) => {}
                        Err(e) => {
                            warn!(error = %e, "a Salesforce deal change could not be stored");
                            stored_all = false;
                            break;
                        }
                    }
                }
                if applied > 0 {
                    wake.notify_waiters();
                }
                // After a store error the same page is read again: nothing is skipped, and
                // what was applied is recognised by its event id.
                if stored_all {
                    since = next;
                } else {
                    full = false;
                }
                debug!(changes = changes.len(), applied, "salesforce deals polled");
            }
            Err(e) => {
                warn!(error = %e, "polling Salesforce for deal changes failed; trying again later")
            }
        }
        if full {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Runs `deal_refresh` jobs for Zoho: reads the lead's Deal as it is now and applies it (Zoho's
/// notification named the record but not its values). A failed read is retried like any job.
pub struct ZohoDeals {
    pub store: Store,
    pub config: Arc<Config>,
    pub reader: ZohoReader,
}

impl super::worker::JobHandler for ZohoDeals {
    fn kind(&self) -> crate::store::JobKind {
        crate::store::JobKind::DealRefresh
    }

    fn run<'a>(
        &'a self,
        job: &'a crate::store::JobRow,
    ) -> futures_util::future::BoxFuture<'a, Result<(), crate::outbound::CallError>> {
        Box::pin(async move {
            let stored = super::store_error;
            let target = CrmKind::Zoho.name();
            let Some(deal) = self
                .store
                .deal_of(&job.conversation_id, target)
                .await
                .map_err(stored)?
            else {
                return Ok(());
            };
            if let Some(change) = self.reader.deal(&deal).await? {
                let applied = apply(&self.store, &self.config, CrmKind::Zoho, &change)
                    .await
                    .map_err(stored)?;
                debug!(?applied, "zoho deal read back");
            }
            Ok(())
        })
    }
}

/// Keeps Zoho's `Deals.edit` notification channel toward `notify_url` open: enabled at start,
/// renewed every day (a channel lives at most a week), retried every five minutes on failure.
pub async fn keep_zoho_watch(
    reader: ZohoReader,
    notify_url: String,
    token: secrecy::SecretString,
    shutdown: CancellationToken,
) {
    use secrecy::ExposeSecret;
    loop {
        let wait = match reader.watch(&notify_url, token.expose_secret()).await {
            Ok(()) => {
                debug!("zoho notification channel enabled");
                Duration::from_secs(24 * 60 * 60)
            }
            Err(e) => {
                warn!(error = %e, "enabling Zoho's notification channel failed; trying again in 5 minutes");
                Duration::from_secs(5 * 60)
            }
        };
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Zoho's deal reader, shared by whoever reads deals through it.
pub type ZohoReader = Arc<crate::crm::zoho::DealReader>;

/// Zoho's deal reader when its notifications are configured (`webhook_token`), built once: the
/// `deal_refresh` handler and the keeper of the notification channel share it, and with it one
/// session and one access token.
pub fn zoho_reader(config: &Config) -> Result<Option<ZohoReader>, String> {
    let Some(zoho) = config
        .crm
        .zoho
        .as_ref()
        .filter(|z| z.webhook_token.is_some())
    else {
        return Ok(None);
    };
    let reader = crate::crm::zoho::DealReader::new(zoho).map_err(|e| format!("crm.zoho: {e}"))?;
    Ok(Some(Arc::new(reader)))
}

/// The `deal_refresh` handler over Zoho's reader ([`zoho_reader`]).
pub fn zoho_deals(store: &Store, config: &Arc<Config>, reader: ZohoReader) -> Arc<ZohoDeals> {
    Arc::new(ZohoDeals {
        store: store.clone(),
        config: config.clone(),
        reader,
    })
}

impl ZohoDeals {
    /// The outbox target its jobs are queued for.
    pub fn target(&self) -> &'static str {
        CrmKind::Zoho.name()
    }
}

/// The background tasks that learn deal outcomes from CRMs that do not push them by
/// themselves: the Salesforce poll (`poll_secs`) and the keeper of Zoho's notification channel
/// (`webhook_token` with `[server] public_url`), which reads through `zoho` ([`zoho_reader`]).
pub fn watchers(
    store: &Store,
    config: &Arc<Config>,
    zoho: Option<ZohoReader>,
    wake: &Arc<Notify>,
    shutdown: &CancellationToken,
) -> Result<Vec<futures_util::future::BoxFuture<'static, ()>>, String> {
    use futures_util::FutureExt;
    let mut out = Vec::new();
    let used = |kind: CrmKind| config.sites.iter().any(|s| s.crm == kind);
    if let Some(sf) = config
        .crm
        .salesforce
        .as_ref()
        .filter(|c| used(CrmKind::Salesforce) && c.poll_secs > 0)
    {
        let reader = crate::crm::salesforce::DealReader::new(sf)
            .map_err(|e| format!("crm.salesforce: {e}"))?;
        out.push(
            poll_salesforce(
                store.clone(),
                config.clone(),
                reader,
                Duration::from_secs(sf.poll_secs),
                wake.clone(),
                shutdown.clone(),
            )
            .boxed(),
        );
    }
    if let Some(reader) = zoho
        && let Some(token) = config
            .crm
            .zoho
            .as_ref()
            .and_then(|z| z.webhook_token.as_ref())
    {
        match &config.server.public_url {
            Some(base) => {
                let url = format!("{}/webhooks/zoho", base.trim_end_matches('/'));
                out.push(keep_zoho_watch(reader, url, token.clone(), shutdown.clone()).boxed());
            }
            None => warn!(
                "[crm.zoho] webhook_token is set but [server] public_url is not: Zoho cannot be told where to send deal changes"
            ),
        }
    }
    Ok(out)
}
