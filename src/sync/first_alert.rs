//! A lead's first Slack alert, posted once although a gateway may die or stall while posting
//! it. Slack's `chat.postMessage` has no idempotency key, so two guards stand in for one:
//!
//! - Right before the post is sent (after the channel's throttle let it through), the worker
//!   checks it still holds the job: a gateway stopped past its lock, whose job another gateway
//!   took over meanwhile, sends nothing when it wakes up.
//! - The attempt is noted first; the next attempt after a lost answer (the gateway died after
//!   Slack took the post) looks for the message in the channel's history by the conversation
//!   named in its metadata, and adopts it instead of posting again.
//!
//! What remains is a stall in the instant between the check and the send. With an incoming
//! webhook, which cannot read history, only the first guard applies.

use super::store_error;
use crate::alerts::slack::Go;
use crate::alerts::{Alert, Posted, SlackAlerter};
use crate::outbound::CallError;
use crate::store::{JobRow, Store};

pub(super) async fn post(
    store: &Store,
    alerter: &SlackAlerter,
    job: &JobRow,
    alert: &Alert,
) -> Result<Posted, CallError> {
    let id = &alert.conversation_id;
    if let Some(since) = store.alert_pending(id).await.map_err(store_error)?
        && let Some(found) = alerter.find_first(&alert.site, id, since).await?
    {
        return Ok(found);
    }
    let go: &Go<'_> = &|| {
        Box::pin(async move {
            if !store.still_holds(job).await.map_err(store_error)? {
                return Ok(false);
            }
            store.mark_alert_pending(id).await.map_err(store_error)?;
            Ok(true)
        })
    };
    alerter.post_first(alert, go).await
}
