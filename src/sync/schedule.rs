//! The retry schedule, as data: a pure function of the attempt number, the server's
//! `Retry-After` and a jitter draw, so the worker only applies it and tests can pin it down.

use std::time::Duration;

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub base: Duration,
    pub max: Duration,
    /// The longest `Retry-After` honoured; a CRM asking for a day is retried after this.
    pub retry_after_max: Duration,
    pub max_attempts: u32,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    RetryIn(Duration),
    GiveUp,
}

impl Schedule {
    /// After failed attempt number `attempt` (1 for the first): exponential backoff from `base`,
    /// doubled per attempt up to `max`, spread by `jitter` in [0, 1) over ±20 % so retries of
    /// many jobs do not arrive together; a `Retry-After` from the server wins when it is longer,
    /// clamped to `retry_after_max`. Gives up after `max_attempts`.
    pub fn after(&self, attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Next {
        if attempt >= self.max_attempts {
            return Next::GiveUp;
        }
        let exp = attempt.saturating_sub(1).min(30);
        let backoff = self.base.saturating_mul(1u32 << exp).min(self.max);
        let spread = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
        let jittered = backoff.mul_f64(spread).min(self.max);
        let server = retry_after.map(|r| r.min(self.retry_after_max));
        Next::RetryIn(match server {
            Some(r) if r > jittered => r,
            _ => jittered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Schedule {
        Schedule {
            base: Duration::from_secs(2),
            max: Duration::from_secs(900),
            retry_after_max: Duration::from_secs(3600),
            max_attempts: 12,
        }
    }

    #[test]
    fn doubles_from_the_base_and_caps() {
        let mid = 0.5; // no spread
        assert_eq!(
            s().after(1, None, mid),
            Next::RetryIn(Duration::from_secs(2))
        );
        assert_eq!(
            s().after(2, None, mid),
            Next::RetryIn(Duration::from_secs(4))
        );
        assert_eq!(
            s().after(5, None, mid),
            Next::RetryIn(Duration::from_secs(32))
        );
        assert_eq!(
            s().after(11, None, mid),
            Next::RetryIn(Duration::from_secs(900))
        );
    }

    #[test]
    fn jitter_spreads_within_twenty_percent() {
        assert_eq!(
            s().after(3, None, 0.0),
            Next::RetryIn(Duration::from_millis(6400))
        );
        assert_eq!(
            s().after(3, None, 0.999_999_9),
            Next::RetryIn(Duration::from_secs(8).mul_f64(0.8 + 0.4 * 0.999_999_9))
        );
        assert_eq!(
            s().after(3, None, 7.0),
            s().after(3, None, 1.0),
            "out-of-range draws are clamped"
        );
    }

    #[test]
    fn retry_after_is_honoured_and_clamped() {
        assert_eq!(
            s().after(1, Some(Duration::from_secs(30)), 0.5),
            Next::RetryIn(Duration::from_secs(30))
        );
        assert_eq!(
            s().after(1, Some(Duration::from_secs(86_400)), 0.5),
            Next::RetryIn(Duration::from_secs(3600))
        );
        assert_eq!(
            s().after(6, Some(Duration::from_secs(1)), 0.5),
            Next::RetryIn(Duration::from_secs(64)),
            "a shorter Retry-After does not hurry the backoff"
        );
    }

    #[test]
    fn gives_up_after_the_last_attempt() {
        assert_eq!(s().after(12, None, 0.5), Next::GiveUp);
        assert_eq!(s().after(u32::MAX, None, 0.5), Next::GiveUp);
    }
}
