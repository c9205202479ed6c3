//! Erasing a visitor: the store forgets them, and the sockets still open on their conversation,
//! here and on the other gateways, are closed — so an open tab cannot write them back.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::service::ChatService;
use crate::lead::Channel;
use crate::store::{ConversationRow, Elsewhere, StoreError};

/// The frame that tells a socket its conversation was erased; the socket closes after it.
pub fn erased_frame() -> Value {
    json!({"type": "error", "code": "erased", "message": "this conversation was erased"})
}

/// Whether a pushed frame says the conversation was erased.
pub fn is_erased_frame(frame: &Value) -> bool {
    frame["type"] == "error" && frame["code"] == "erased"
}

impl ChatService {
    /// Erases a conversation's visitor (GDPR article 17); returns whether it exists.
    pub async fn erase(&self, conversation_id: &str) -> Result<bool, StoreError> {
        let Some(conversation) = self.store().conversation(conversation_id).await? else {
            return Ok(false);
        };
        let sender = sender_key(&conversation);
        let erased = self
            .store()
            .erase(conversation_id, sender.as_deref(), self.elsewhere())
            .await?;
        if erased {
            self.hub().publish_remote(conversation_id, erased_frame());
            let payload = json!({"g": self.instance, "c": conversation_id, "erased": true});
            if let Err(e) = self.store().announce(&payload.to_string()).await {
                tracing::warn!(error = %e, "cannot tell the other gateways of an erasure; their sockets close on the next write");
            }
        }
        Ok(erased)
    }
}

impl ChatService {
    /// What an erasure deletes outside leadgate, as configured.
    fn elsewhere(&self) -> Elsewhere {
        let privacy = &self.config().privacy;
        Elsewhere {
            crm: privacy.erase_in_crm,
            slack: privacy.erase_in_slack && self.config().alerts.slack.is_some(),
        }
    }

    /// Erases the conversations silent for longer than `[privacy] retention_days`, at start-up
    /// and then every hour, until `shutdown`. Off when the setting is unset.
    pub async fn erase_expired(self: Arc<Self>, shutdown: CancellationToken) {
        let Some(days) = self.config().privacy.retention_days else {
            return;
        };
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            let before = crate::store::now_ms() - i64::from(days) * 86_400_000;
            let expired = match self.store().conversations_idle_before(before, 1000).await {
                Ok(ids) => ids,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot list conversations past their retention; trying again in an hour");
                    continue;
                }
            };
            let mut erased = 0u64;
            for id in expired {
                match self.erase(&id).await {
                    Ok(_) => erased += 1,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot erase a conversation past its retention; trying again in an hour")
                    }
                }
            }
            if erased > 0 {
                tracing::info!(erased, days, "erased conversations past their retention");
                metrics::counter!("leadgate_conversations_expired_total").increment(erased);
            }
        }
    }
}

/// The channel's opaque key of the person, for a WhatsApp, Messenger or Instagram conversation.
fn sender_key(c: &ConversationRow) -> Option<String> {
    let channel = Channel::parse(&c.channel)?;
    let external = c.external_id.as_deref()?;
    let account = c.channel_account.as_deref().unwrap_or_default();
    Some(crate::channels::sender_key(channel, account, external))
}
