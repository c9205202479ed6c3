//! Frames other sockets of the same session (other tabs, other gateways, a rep) add: forwarded
//! once each, and a socket that fell behind catches up from the store.

use serde_json::Value;

use super::connection::{Connection, Flow, INTERNAL};
use crate::chat::hub::Push;

impl Connection {
    pub(super) async fn on_push(&mut self, push: Option<Push>) -> Flow {
        match push {
            Some(p) if crate::chat::erase::is_erased_frame(&p.frame) => {
                self.send((*p.frame).clone()).await;
                Flow::Close(super::connection::POLICY, "erased")
            }
            Some(p) if p.origin != self.peer.id => self.forward(p).await,
            Some(_) => Flow::Continue,
            None => {
                self.catch_up().await;
                Flow::Continue
            }
        }
    }

    /// Sends a pushed frame this socket has not sent yet.
    async fn forward(&mut self, p: Push) -> Flow {
        let seq = p.frame.get("seq").and_then(Value::as_i64).unwrap_or(0);
        if seq <= self.sent_seq {
            return Flow::Continue;
        }
        self.sent_seq = seq;
        if !self.send((*p.frame).clone()).await {
            return Flow::Close(INTERNAL, "send failed");
        }
        if let Some(session) = self.session.as_mut() {
            // Another tab moved the conversation on: reload before the next turn.
            if session.last_seq() < seq
                && let Ok(Some(fresh)) = self.state.chat.resume(&session.conversation.id).await
            {
                *session = fresh;
            }
        }
        Flow::Continue
    }

    /// Fell behind the push channel: resume from the store instead.
    async fn catch_up(&mut self) {
        let Some(id) = self.session.as_ref().map(|s| s.conversation.id.clone()) else {
            return;
        };
        if let Ok(Some(fresh)) = self.state.chat.resume(&id).await {
            let missed: Vec<_> = fresh
                .messages
                .iter()
                .filter(|m| m.seq > self.sent_seq)
                .cloned()
                .collect();
            self.session = Some(fresh);
            for m in &missed {
                self.send_message(m).await;
            }
        }
        self.pushes = Some(self.state.chat.hub().subscribe(&id));
    }
}
