//! Conversations: the engine that replies, its prompts, the service that ties a visitor message
//! to the store, and the plumbing for open sockets.

mod budget_buttons;
pub mod engine;
pub mod erase;
mod frames;
pub mod handoff;
pub mod hub;
pub mod inbound;
pub mod llm;
pub mod prompts;
#[cfg(test)]
mod register_tests;
mod relay;
pub mod rules;
pub mod service;
mod session;
pub mod signatures;

pub use engine::{Ask, BotReply, Engine, EngineInput, EngineOutput, EngineState};
pub use frames::message_frame;
pub use service::ChatService;
pub use session::{ChatError, Opening, Session, TurnResult};
pub use signatures::ResumeTokens;
