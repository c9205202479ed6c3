//! Conversations: the engine that replies, its prompts, the service that ties a visitor message
//! to the store, and the plumbing for open sockets.

pub mod engine;
pub mod hub;
pub mod llm;
pub mod prompts;
pub mod rules;
pub mod service;
pub mod signatures;

pub use engine::{Ask, BotReply, Engine, EngineInput, EngineOutput, EngineState};
pub use service::{ChatError, ChatService, Opening, Session, TurnResult, message_frame};
pub use signatures::ResumeTokens;
