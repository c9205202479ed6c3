//! Storing a turn and bringing everything else along: the session in memory, the jobs' wake-up,
//! the frames to the session's sockets and the other gateways.

use super::ChatService;
use crate::chat::frames::message_frame;
use crate::chat::hub::REMOTE;
use crate::chat::session::{Session, TurnResult};
use crate::store::{Hold, MessageRow, StoreError, StoredTurn, Turn};
use crate::sync::plan::delivery_job;

impl ChatService {
    /// Stores a turn and brings everything else along: the session in memory, the jobs it
    /// queues (and, on a channel, the delivery of its replies), the frames pushed to the
    /// session's sockets and announced to the other gateways. The one way messages are
    /// written.
    pub(in crate::chat) async fn commit(
        &self,
        session: &mut Session,
        mut turn: Turn,
        origin: u64,
    ) -> Result<TurnResult, StoreError> {
        let bot_replies = turn.messages.iter().any(|m| m.role != "visitor");
        if bot_replies
            && let Some(job) = delivery_job(
                &session.conversation,
                session.conversation.last_seq + turn.messages.len() as i64,
            )
        {
            turn.jobs.push(job);
        }
        let (visitor, replies) = match self.store.record_turn(&turn).await? {
            StoredTurn::Duplicate(existing) => return Ok(TurnResult::Duplicate(existing)),
            StoredTurn::Stored { mut messages, .. } => {
                let visitor = match messages.first() {
                    Some(m) if m.role == "visitor" => Some(messages.remove(0)),
                    _ => None,
                };
                (visitor, messages)
            }
        };
        self.apply(session, &turn, visitor.as_ref(), &replies);
        if !turn.jobs.is_empty() {
            self.wake.notify_waiters();
        }
        let stored: Vec<&MessageRow> = visitor.iter().chain(&replies).collect();
        for m in &stored {
            if origin == REMOTE {
                // Not from a socket here (a rep, a channel, the assistant on its own): every
                // open socket of the session gets it.
                self.hub
                    .publish_remote(&session.conversation.id, message_frame(m));
            } else {
                self.hub
                    .publish(&session.conversation.id, origin, message_frame(m));
            }
        }
        if self.store.is_shared()
            && let (Some(first), Some(last)) = (stored.first(), stored.last())
        {
            self.announce(&session.conversation.id, first.seq, last.seq)
                .await;
        }
        Ok(match visitor {
            Some(visitor) => TurnResult::Stored { visitor, replies },
            None => TurnResult::Replies(replies),
        })
    }

    /// Brings the session in memory up to date with a stored turn.
    fn apply(
        &self,
        session: &mut Session,
        turn: &Turn,
        visitor: Option<&MessageRow>,
        replies: &[MessageRow],
    ) {
        let c = &mut session.conversation;
        session.messages.extend(visitor.cloned());
        session.messages.extend_from_slice(replies);
        c.last_seq = session.messages.last().map_or(c.last_seq, |m| m.seq);
        c.updated_ms = crate::store::now_ms();
        if let Some(lead) = &turn.lead {
            c.lead_json = Some(lead.lead_json.clone());
            c.score = lead.score;
            c.lead_revision += 1;
        }
        if turn.qualified {
            c.qualified_ms = Some(crate::store::now_ms());
        }
        if turn.engine_state.is_some() {
            c.engine_state.clone_from(&turn.engine_state);
        }
        match turn.hold {
            Some(Hold::Rep) => {
                c.human_since_ms.get_or_insert(c.updated_ms);
                c.human_last_ms = Some(c.updated_ms);
            }
            Some(Hold::Assistant) => {
                c.human_since_ms = None;
                c.human_last_ms = None;
            }
            None => {}
        }
        if let Some((granted, _)) = &turn.consent {
            c.consent_granted = Some(*granted);
        }
        if turn.locale.is_some() {
            c.locale.clone_from(&turn.locale);
        }
    }
}
