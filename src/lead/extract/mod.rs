//! Extraction over a whole conversation: facts come only from visitor messages and the channel's
//! contact metadata; the bot's last question gives meaning to a bare answer; a later statement
//! overrides an earlier one; prompt-injection sentences are read as nothing.

mod answers;
mod blank;
mod contact;
mod cues;
mod details;
mod finders;
mod reading;
#[cfg(test)]
mod tests;
mod tokens;

pub use cues::{is_question, yes_no};
pub use details::{ContactDetail, DetailKind, contact_details};
pub use finders::Competitors;

use super::Lead;
use super::conversation::{Conversation, Role};
use super::text::truncate;
use reading::Reading;

/// Only the first 16 KiB of a message are read: the gateway caps messages far below this, and
/// the cap keeps extraction linear in the conversation's length whatever arrives.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// Where a fact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The channel's contact metadata (a WhatsApp profile).
    Channel,
    /// The visitor message at this index of the conversation.
    Message(usize),
}

/// Where each field came from, for lead revisions ("what changed, from which message").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    pub name: Option<Source>,
    pub email: Option<Source>,
    pub phone: Option<Source>,
    pub company: Option<Source>,
    pub job_title: Option<Source>,
    pub budget: Option<Source>,
    pub timeline: Option<Source>,
    pub decision_maker: Option<Source>,
    pub company_size: Option<Source>,
}

/// A lead and where its facts came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    pub lead: Lead,
    pub sources: Sources,
}

/// The extractor, built once per configuration (the competitor list is compiled here).
pub struct Extractor {
    competitors: Competitors,
}

impl Extractor {
    /// Builds an extractor for a competitor list.
    pub fn new(competitors: &[String]) -> Extractor {
        Extractor {
            competitors: Competitors::new(competitors),
        }
    }

    /// Extracts the lead from a conversation: the channel's contact metadata first, then each
    /// message in turn.
    pub fn extract(&self, conv: &Conversation) -> Extraction {
        let mut reading = Reading::new(&self.competitors, conv);
        if let Some(meta) = &conv.contact {
            reading.read_channel(meta);
        }
        for (i, msg) in conv.messages.iter().enumerate() {
            let text = truncate(&msg.text, MAX_MESSAGE_BYTES);
            if msg.role == Role::Bot {
                reading.read_bot(text);
            } else {
                reading.read_visitor(i, text);
            }
        }
        reading.finish()
    }
}
