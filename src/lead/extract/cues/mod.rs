//! Cues in a message: what the bot just asked, prompt-injection sentences, questions, and what
//! the visitor says about who decides.

mod asked;
mod decision;
mod injection;
mod questions;
#[cfg(test)]
mod tests;

pub(crate) use asked::Asked;
pub use decision::yes_no;
pub(crate) use decision::{decision_statement, names_someone_else};
pub(crate) use injection::injection_spans;
pub use questions::is_question;
