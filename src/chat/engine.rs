//! The conversation engine: what the assistant says next. `rules` is built in, offline and
//! deterministic; any engine gets the same input and gives the same kind of output, and facts
//! always come from the extractor, never from the engine.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::lead::{Lang, Lead, Region};
use crate::store::MessageRow;

/// What the assistant can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    Email,
    Phone,
    Name,
    Company,
    Budget,
    Timeline,
    Decision,
    Handoff,
    /// Confirming a value read with low confidence.
    Confirm,
}

impl Ask {
    /// The name stored with a bot message.
    pub fn as_str(self) -> &'static str {
        match self {
            Ask::Email => "email",
            Ask::Phone => "phone",
            Ask::Name => "name",
            Ask::Company => "company",
            Ask::Budget => "budget",
            Ask::Timeline => "timeline",
            Ask::Decision => "decision",
            Ask::Handoff => "handoff",
            Ask::Confirm => "confirm",
        }
    }
}

/// Whether the visitor was offered a human follow-up, and what they said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handoff {
    #[default]
    NotOffered,
    Offered,
    Accepted,
    Declined,
}

/// What the engine remembers between turns (stored with the conversation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineState {
    /// Every question asked, oldest first.
    pub asked: Vec<Ask>,
    /// Questions the visitor declined to answer: never asked again.
    pub refused: Vec<Ask>,
    pub handoff: Handoff,
    /// Turns so far; picks template variants.
    pub turn: u32,
    /// Whether the visitor was told that contact details need consent first.
    pub consent_reminded: bool,
}

/// One turn's input.
#[derive(Clone)]
pub struct EngineInput<'a> {
    pub site: &'a SiteConfig,
    pub lang: Lang,
    /// The visitor's region (the site's configured one, else their browser's): with the
    /// language, it says which currency they think in.
    pub region: Option<Region>,
    /// The visitor's message this turn.
    pub visitor_text: &'a str,
    /// The conversation before this message, oldest first.
    pub history: &'a [MessageRow],
    /// The lead after this message, and before it.
    pub lead: &'a Lead,
    pub previous: &'a Lead,
    /// Personal fields are not kept until the visitor accepts the privacy notice.
    pub consent_missing: bool,
    pub state: EngineState,
    /// Receives the last reply's text piece by piece while it is written, when the engine
    /// streams and the transport shows it.
    pub stream: Option<&'a StreamSink>,
}

/// Where a streamed reply's pieces go.
pub type StreamSink = dyn Fn(&str) + Send + Sync;

/// One message of the assistant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotReply {
    pub text: String,
    pub quick_replies: Vec<String>,
    pub asked: Option<Ask>,
}

/// One turn's output.
#[derive(Debug, Clone)]
pub struct EngineOutput {
    pub replies: Vec<BotReply>,
    pub state: EngineState,
    /// A question of the visitor's that the assistant could not answer, for the rep.
    pub open_question: Option<String>,
}

/// An engine decides the assistant's next messages.
pub trait Engine: Send + Sync {
    /// The first message of a new conversation.
    fn greeting(&self, site: &SiteConfig, lang: Lang) -> BotReply;

    /// Whether replies are written piece by piece (see [`EngineInput::stream`]).
    fn streams(&self) -> bool {
        false
    }

    /// The reply to a visitor's message.
    fn reply<'a>(&'a self, input: EngineInput<'a>) -> BoxFuture<'a, EngineOutput>;

    /// The day's use of a paid model, for an engine that calls one.
    fn model_use(&self) -> Option<ModelUse> {
        None
    }
}

/// The day's use of a paid model, as the admin API shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ModelUse {
    /// The UTC day (`2026-12-07`).
    pub day: String,
    /// Tokens used today, counted by the server or estimated.
    pub tokens: u64,
    /// Of those, estimated because the server counted none.
    pub estimated_tokens: u64,
    /// `daily_token_budget` (0: none).
    pub daily_token_budget: u64,
    /// Calls made today.
    pub calls: u64,
    /// Turns the rule engine answered today because the budget was spent.
    pub over_budget: u64,
    /// Turns the rule engine answered today because `max_concurrent` calls were in flight.
    pub over_concurrency: u64,
    /// `max_concurrent` (0: no cap) and calls in flight now.
    pub max_concurrent: u32,
    pub in_flight: u32,
}
