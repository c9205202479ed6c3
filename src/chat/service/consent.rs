//! The visitor's consent decision: recorded with the lead it releases and the answer, in one
//! transaction.

use super::ChatService;
use super::lead::stored_lead;
use crate::chat::session::{ChatError, Session};
use crate::store::{LeadChange, Turn, TurnMessage};

impl ChatService {
    /// Records the visitor's consent decision; granting it re-reads the conversation so fields
    /// given before are captured now. `reply` is stored as the assistant's answer (channels,
    /// where the decision is a tapped button and deserves a word back).
    pub async fn consent(
        &self,
        session: &mut Session,
        granted: bool,
        policy_version: Option<&str>,
        reply: Option<String>,
    ) -> Result<(), ChatError> {
        // A decision the visitor already made (same choice, same policy) writes nothing: a
        // socket repeating it costs a read, not a transaction, a revision and a CRM job.
        let unchanged = session.conversation.consent_granted == Some(granted)
            && self
                .store
                .latest_consent(&session.conversation.id)
                .await?
                .is_some_and(|(g, p)| g == granted && p.as_deref() == policy_version);
        if unchanged && reply.is_none() {
            return Ok(());
        }
        // The decision, the lead it lets in and the answer are one transaction: nobody sees
        // consent given without the lead it releases.
        let previous = stored_lead(&session.conversation);
        session.conversation.consent_granted = Some(granted);
        let lead = self.lead_of(session, None).await;
        let site = self.site(&session.conversation.site)?.clone();
        let score = self.score(&site, &lead.confirmed());
        let (change, qualified) = self.lead_change(&session.conversation, &previous, &lead, &score);
        let jobs = self.jobs_for_change(&session.conversation, change.as_ref(), &lead, &score);
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages: reply
                .map(|text| TurnMessage {
                    role: "bot",
                    text,
                    ..TurnMessage::default()
                })
                .into_iter()
                .collect(),
            lead: change.map(|c| LeadChange {
                caused_by: None,
                ..c
            }),
            qualified,
            jobs,
            consent: (!unchanged).then(|| (granted, policy_version.map(str::to_owned))),
            ..Turn::default()
        };
        self.commit(session, turn, 0).await?;
        Ok(())
    }
}
