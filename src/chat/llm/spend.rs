//! Spend limits: at most `max_concurrent` model calls at once, and at most `daily_token_budget`
//! tokens a UTC day (the usage the server counts, estimated when it sends none). Beyond either,
//! the rule engine answers. Both are held by this gateway process: several gateways have a
//! limit each, and a restart starts the day's count again.

use std::sync::Mutex;

use tokio::sync::{Semaphore, SemaphorePermit};

use super::client::{ChatRequest, Usage};
use crate::chat::engine::ModelUse;

/// Why a turn is not sent to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Skip {
    /// `max_concurrent` calls are in flight.
    Busy,
    /// The day's tokens are spent.
    Budget,
}

impl Skip {
    pub(super) fn label(self) -> &'static str {
        match self {
            Skip::Busy => "concurrency_cap",
            Skip::Budget => "token_budget",
        }
    }
}

/// The limits and the day's count.
pub(super) struct Spend {
    slots: Option<Semaphore>,
    max_concurrent: u32,
    budget: u64,
    day: Mutex<ModelUse>,
}

fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

impl Spend {
    pub(super) fn new(max_concurrent: u32, budget: u64) -> Spend {
        Spend {
            slots: (max_concurrent > 0).then(|| Semaphore::new(max_concurrent as usize)),
            max_concurrent,
            budget,
            day: Mutex::new(ModelUse::default()),
        }
    }

    /// The day's count, started afresh on a new day.
    fn day(&self) -> std::sync::MutexGuard<'_, ModelUse> {
        let mut day = self.day.lock().unwrap_or_else(|p| p.into_inner());
        let now = today();
        if day.day != now {
            *day = ModelUse {
                day: now,
                ..ModelUse::default()
            };
        }
        day
    }

    /// A slot for one call, or why there is none. The slot is given back when dropped.
    pub(super) fn start(&self) -> Result<Option<SemaphorePermit<'_>>, Skip> {
        let mut day = self.day();
        if self.budget > 0 && day.tokens >= self.budget {
            day.over_budget += 1;
            return Err(Skip::Budget);
        }
        let permit = match &self.slots {
            Some(slots) => match slots.try_acquire() {
                Ok(permit) => Some(permit),
                Err(_) => {
                    day.over_concurrency += 1;
                    return Err(Skip::Busy);
                }
            },
            None => None,
        };
        day.calls += 1;
        Ok(permit)
    }

    /// Counts a call's tokens: the server's count, else an estimate from what was sent and
    /// received.
    pub(super) fn charge(&self, request: &ChatRequest, reply: &str, usage: Option<Usage>) {
        let (tokens, estimated) = match usage.map(|u| u.total()).filter(|t| *t > 0) {
            Some(tokens) => (tokens, false),
            None => (estimate(request, reply), true),
        };
        let mut day = self.day();
        day.tokens += tokens;
        if estimated {
            day.estimated_tokens += tokens;
        }
        metrics::counter!("leadgate_llm_tokens_total", "counted" => if estimated { "estimated" } else { "server" })
            .increment(tokens);
    }

    /// The day's use.
    pub(super) fn report(&self) -> ModelUse {
        let in_flight = self.slots.as_ref().map_or(0, |s| {
            self.max_concurrent
                .saturating_sub(s.available_permits() as u32)
        });
        ModelUse {
            daily_token_budget: self.budget,
            max_concurrent: self.max_concurrent,
            in_flight,
            ..self.day().clone()
        }
    }
}

/// Tokens of a call the server did not count: about four characters a token, with a few for each
/// message's framing, and the reply's `max_tokens` at most.
fn estimate(request: &ChatRequest, reply: &str) -> u64 {
    let sent: u64 = request
        .messages
        .iter()
        .map(|m| m.content.chars().count() as u64 / 4 + 4)
        .sum();
    let said = (reply.chars().count() as u64 / 4).min(u64::from(request.max_tokens));
    sent + said.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::llm::Message;

    fn request() -> ChatRequest {
        ChatRequest {
            model: "m".into(),
            messages: vec![Message {
                role: "user",
                content: "x".repeat(400),
            }],
            temperature: 0.3,
            max_tokens: 50,
            stream: false,
            stream_options: None,
        }
    }

    #[test]
    fn the_budget_and_the_cap_turn_calls_away() {
        let spend = Spend::new(1, 150);
        let slot = spend.start().unwrap();
        assert_eq!(spend.start().err(), Some(Skip::Busy));
        drop(slot);
        spend.charge(&request(), &"y".repeat(1000), None);
        let used = spend.report();
        assert_eq!((used.tokens, used.estimated_tokens), (104 + 50, 154));
        assert_eq!(spend.start().err(), Some(Skip::Budget));
        let used = spend.report();
        assert_eq!(
            (used.calls, used.over_budget, used.over_concurrency),
            (1, 1, 1)
        );
        let counted = Spend::new(0, 0);
        for _ in 0..100 {
            assert!(counted.start().unwrap().is_none());
        }
        counted.charge(
            &request(),
            "",
            Some(Usage {
                prompt_tokens: 7,
                completion_tokens: 3,
                total_tokens: 10,
            }),
        );
        assert_eq!(
            (counted.report().tokens, counted.report().estimated_tokens),
            (10, 0)
        );
    }
}
