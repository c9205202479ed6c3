//! The breaker: after failures in a row, or at once when only an operator can help, the model
//! is skipped for a while.

use std::time::{Duration, Instant};

use super::LlmError;

/// Failures in a row that open the breaker.
pub const TRIP_AFTER: u32 = 3;
/// How long the breaker stays open after failures in a row.
pub(super) const OPEN_FOR: Duration = Duration::from_secs(30);
/// How long it stays open after a refused key or a used-up quota.
pub(super) const OPEN_FOR_LONG: Duration = Duration::from_secs(300);

#[derive(Debug, Default)]
pub(super) struct Breaker {
    pub(super) failures: u32,
    open_until: Option<Instant>,
}

impl Breaker {
    pub(super) fn is_open(&self, now: Instant) -> bool {
        self.open_until.is_some_and(|until| now < until)
    }

    pub(super) fn record(&mut self, result: &Result<String, LlmError>, now: Instant) {
        match result {
            Ok(_) => *self = Breaker::default(),
            // The model declining a turn says nothing about its health.
            Err(LlmError::Declined(_) | LlmError::Empty) => {}
            Err(e) => {
                self.failures += 1;
                if e.is_lasting() {
                    self.open_until = Some(now + OPEN_FOR_LONG);
                } else if self.failures >= TRIP_AFTER {
                    self.open_until = Some(now + OPEN_FOR);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breaker_opens_after_failures_and_at_once_on_a_refused_key() {
        let now = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..TRIP_AFTER - 1 {
            b.record(&Err(LlmError::Timeout), now);
        }
        assert!(!b.is_open(now));
        b.record(&Err(LlmError::Empty), now);
        assert!(
            !b.is_open(now),
            "an empty reply is not a failure of the server"
        );
        b.record(&Err(LlmError::Timeout), now);
        assert!(b.is_open(now) && !b.is_open(now + OPEN_FOR));
        b.record(&Ok("hi".into()), now);
        assert!(!b.is_open(now));
        b.record(
            &Err(LlmError::Auth {
                status: 401,
                message: String::new(),
            }),
            now,
        );
        assert!(b.is_open(now + OPEN_FOR) && !b.is_open(now + OPEN_FOR_LONG));
    }
}
