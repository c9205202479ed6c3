//! What the visitor sends once the session is open: messages (checked, metered, run as a turn
//! with streamed pieces forwarded) and consent decisions (metered too; one that changes
//! nothing writes nothing).

use std::time::Instant;

use serde_json::json;
use tracing::warn;

use super::connection::{Connection, Flow};
use crate::chat::{ChatError, TurnResult};

impl Connection {
    pub(super) async fn on_message(&mut self, cid: String, text: String) -> Flow {
        let text = match self.check_message(&cid, text) {
            Ok(text) => text,
            Err((code, message, retry)) => {
                let cid = (code != "bad_frame").then_some(cid.as_str());
                self.error(code, &message, retry, cid).await;
                return Flow::Continue;
            }
        };
        self.send(json!({"type": "typing", "on": true})).await;
        let started = Instant::now();
        let result = self.run_turn(&cid, text).await;
        metrics::histogram!("leadgate_turn_seconds").record(started.elapsed().as_secs_f64());
        if let Some(close) = self.answer_turn(&cid, result).await {
            return close;
        }
        self.send(json!({"type": "typing", "on": false})).await;
        Flow::Continue
    }

    /// The trimmed text, or the error to answer (code, message, retry after).
    fn check_message(
        &mut self,
        cid: &str,
        text: String,
    ) -> Result<String, (&'static str, String, Option<u64>)> {
        if cid.is_empty() || cid.chars().count() > 64 {
            let message = "client_msg_id holds 1 to 64 characters".to_owned();
            return Err(("bad_frame", message, None));
        }
        let text = text.trim().to_owned();
        let max = self.state.config.limits.max_text_bytes;
        if text.is_empty() {
            return Err(("empty_text", "the message is empty".to_owned(), None));
        }
        if text.len() > max {
            let message = format!("a message holds at most {max} bytes");
            return Err(("text_too_long", message, None));
        }
        if let Some(wait) = self.rate_limited() {
            let message = "too many messages; wait a moment".to_owned();
            return Err(("rate_limited", message, Some(wait)));
        }
        Ok(text)
    }

    /// Runs the turn, forwarding streamed pieces of the reply while it runs.
    async fn run_turn(&mut self, cid: &str, text: String) -> Result<TurnResult, ChatError> {
        let chat = self.chat();
        let id = self.peer.id;
        // Out of `self` for the turn, so streamed pieces can be sent while it runs.
        let Some(mut session) = self.session.take() else {
            return Ok(TurnResult::Replies(Vec::new()));
        };
        let cid = Some(cid.to_owned());
        let result = if chat.streams() {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let turn = chat.visitor_message(&mut session, cid, text, id, Some(tx));
            tokio::pin!(turn);
            let result = loop {
                tokio::select! {
                    result = &mut turn => break result,
                    Some(delta) = rx.recv() => {
                        self.send(delta).await;
                    }
                }
            };
            while let Ok(delta) = rx.try_recv() {
                self.send(delta).await;
            }
            result
        } else {
            chat.visitor_message(&mut session, cid, text, id, None)
                .await
        };
        self.session = Some(session);
        result
    }

    /// Acknowledges the visitor's message and sends the replies; the close to make when the
    /// conversation was erased or is full (the visitor is told first).
    async fn answer_turn(
        &mut self,
        cid: &str,
        result: Result<TurnResult, ChatError>,
    ) -> Option<Flow> {
        match result {
            Ok(TurnResult::Duplicate(existing)) => {
                self.send(json!({"type": "ack", "client_msg_id": cid, "seq": existing.seq, "duplicate": true})).await;
            }
            Ok(TurnResult::Stored { visitor, replies }) => {
                self.send(json!({"type": "ack", "client_msg_id": cid, "seq": visitor.seq, "duplicate": false})).await;
                self.send_message(&visitor).await;
                for r in &replies {
                    self.send_message(r).await;
                }
            }
            Ok(TurnResult::Replies(replies)) => {
                for r in &replies {
                    self.send_message(r).await;
                }
            }
            Err(ChatError::Store(crate::store::StoreError::Erased(_))) => {
                self.send(crate::chat::erase::erased_frame()).await;
                return Some(Flow::Close(super::connection::POLICY, "erased"));
            }
            Err(ChatError::Full(max)) => {
                // The message is not stored here: the widget sends it again in the new
                // conversation its next `hello` starts.
                let message = format!(
                    "this conversation holds its limit of {max} messages; it is kept, and a new one starts"
                );
                self.send(json!({"type": "typing", "on": false})).await;
                self.error("conversation_full", &message, None, Some(cid))
                    .await;
                return Some(Flow::Close(1000, "conversation full"));
            }
            Err(e) => {
                warn!(error = %e, "turn failed");
                let message = "the server failed; the message was not stored, send it again";
                self.error("internal", message, None, Some(cid)).await;
            }
        }
        None
    }

    pub(super) async fn on_consent(
        &mut self,
        granted: bool,
        policy_version: Option<String>,
    ) -> Flow {
        if let Some(wait) = self.rate_limited() {
            let message = "too many consent changes; wait a moment";
            self.error("rate_limited", message, Some(wait), None).await;
            return Flow::Continue;
        }
        let policy = policy_version.map(|p| crate::lead::text::truncate(&p, 64).to_owned());
        let chat = self.chat();
        let Some(session) = self.session.as_mut() else {
            return Flow::Continue;
        };
        let required = session.conversation.consent_required;
        if let Err(e) = chat
            .consent(session, granted, policy.as_deref(), None)
            .await
        {
            warn!(error = %e, "consent failed");
            self.error("internal", "the server failed; try again", None, None)
                .await;
            return Flow::Continue;
        }
        self.send(json!({"type": "consent", "granted": granted, "required": required}))
            .await;
        Flow::Continue
    }
}
