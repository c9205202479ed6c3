//! Several gateways on one PostgreSQL database: each announces the turns it stores over
//! `LISTEN/NOTIFY`, and pushes the turns others announce to the sockets it holds, so a second
//! tab connected to another gateway sees the conversation live.

use std::sync::Arc;

use serde_json::json;

use super::frames::message_frame;
use super::service::ChatService;

impl ChatService {
    /// Tells the other gateways on this database that the conversation has messages
    /// `from..=to`. A failure costs only the live push; the messages are stored.
    pub(super) async fn announce(&self, conversation: &str, from: i64, to: i64) {
        let payload = json!({"g": self.instance, "c": conversation, "from": from, "to": to});
        if let Err(e) = self.store().announce(&payload.to_string()).await {
            tracing::warn!(error = %e, "cannot announce a turn to the other gateways");
        }
    }

    /// Pushes the turns other gateways announce to the sockets open here, until `shutdown`.
    pub async fn relay(self: Arc<Self>, shutdown: tokio_util::sync::CancellationToken) {
        let mut listener = match self.store().listen().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for other gateways' turns; pushes stay local");
                return;
            }
        };
        loop {
            let notification = tokio::select! {
                _ = shutdown.cancelled() => return,
                n = listener.recv() => n,
            };
            match notification {
                Ok(n) => self.relay_one(n.payload()).await,
                Err(e) => {
                    tracing::warn!(error = %e, "lost the announcement channel; reconnecting");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }

    /// Pushes one announced turn, when it comes from another gateway and a socket of its
    /// conversation is open here.
    async fn relay_one(&self, payload: &str) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(payload) else {
            return;
        };
        if v["erased"] == true
            && v["g"].as_str() != Some(self.instance.as_str())
            && let Some(conversation) = v["c"].as_str()
        {
            self.hub()
                .publish_remote(conversation, super::erase::erased_frame());
            return;
        }
        let (Some(origin), Some(conversation), Some(from), Some(to)) = (
            v["g"].as_str(),
            v["c"].as_str(),
            v["from"].as_i64(),
            v["to"].as_i64(),
        ) else {
            return;
        };
        if origin == self.instance || !self.hub().has_sockets(conversation) || to < from {
            return;
        }
        match self
            .store()
            .messages_after(conversation, from - 1, (to - from + 1).min(100))
            .await
        {
            Ok(rows) => {
                for m in &rows {
                    self.hub().publish_remote(conversation, message_frame(m));
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read an announced turn"),
        }
    }
}
