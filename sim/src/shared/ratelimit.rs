//! Rolling-window rate limits, counted the way the vendors describe theirs: a request (or a
//! request's token/credit cost) occupies the window for `window` after it was admitted.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// At most `max` units (requests, tokens or credits) in any rolling `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Units allowed per window.
    pub max: u32,
    /// Length of the rolling window.
    pub window: Duration,
}

impl RateLimit {
    /// `max` units per `window`.
    pub const fn new(max: u32, window: Duration) -> Self {
        RateLimit { max, window }
    }

    /// `max` units per rolling 24 hours.
    pub const fn per_day(max: u32) -> Self {
        RateLimit::new(max, Duration::from_secs(24 * 60 * 60))
    }
}

/// The state of a window after a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    /// The window's capacity.
    pub limit: u32,
    /// Units in use.
    pub used: u32,
    /// Units still available.
    pub remaining: u32,
    /// Time until the oldest unit leaves the window (the whole window when empty).
    pub reset_after: Duration,
}

impl Usage {
    /// `reset_after` in whole seconds, rounded up and at least 1: a `Retry-After` value.
    pub(crate) fn retry_after_secs(&self) -> u64 {
        let secs = self.reset_after.as_secs() + u64::from(self.reset_after.subsec_nanos() > 0);
        secs.max(1)
    }
}

/// One rolling window.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    limit: RateLimit,
    hits: VecDeque<(Instant, u32)>,
    used: u64,
}

impl Window {
    /// An empty window.
    pub(crate) fn new(limit: RateLimit) -> Self {
        Window {
            limit,
            hits: VecDeque::new(),
            used: 0,
        }
    }

    fn expire(&mut self, now: Instant) {
        while let Some(&(at, cost)) = self.hits.front() {
            if now.duration_since(at) < self.limit.window {
                break;
            }
            self.hits.pop_front();
            self.used -= u64::from(cost);
        }
    }

    fn usage(&self, now: Instant) -> Usage {
        let used = u32::try_from(self.used).unwrap_or(u32::MAX);
        let reset_after = self
            .hits
            .front()
            .map(|&(at, _)| self.limit.window.saturating_sub(now.duration_since(at)))
            .unwrap_or(self.limit.window);
        Usage {
            limit: self.limit.max,
            used,
            remaining: self.limit.max.saturating_sub(used),
            reset_after,
        }
    }

    /// Admit `cost` units if they fit (`Ok`, usage after admitting) or refuse without counting
    /// them (`Err`, current usage).
    pub(crate) fn admit(&mut self, cost: u32) -> Result<Usage, Usage> {
        let now = Instant::now();
        self.expire(now);
        if self.used + u64::from(cost) > u64::from(self.limit.max) {
            return Err(self.usage(now));
        }
        if cost > 0 {
            self.hits.push_back((now, cost));
            self.used += u64::from(cost);
        }
        Ok(self.usage(now))
    }

    /// Current usage without admitting anything.
    pub(crate) fn peek(&mut self) -> Usage {
        let now = Instant::now();
        self.expire(now);
        self.usage(now)
    }

    /// Forget every admitted unit.
    pub(crate) fn clear(&mut self) {
        self.hits.clear();
        self.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_then_refuses_without_counting() {
        let mut window = Window::new(RateLimit::new(3, Duration::from_secs(60)));
        assert_eq!(window.admit(2).map(|u| u.remaining), Ok(1));
        assert_eq!(window.admit(1).map(|u| u.remaining), Ok(0));
        let refused = window.admit(1).unwrap_err();
        assert_eq!(refused.used, 3);
        assert!(refused.retry_after_secs() >= 1 && refused.retry_after_secs() <= 60);
        window.clear();
        assert_eq!(window.peek().remaining, 3);
    }

    #[test]
    fn costs_larger_than_the_rest_are_refused() {
        let mut window = Window::new(RateLimit::per_day(10));
        assert!(window.admit(8).is_ok());
        assert!(window.admit(3).is_err());
        assert!(window.admit(2).is_ok());
    }

    #[test]
    fn units_leave_the_window_when_it_rolls() {
        let mut window = Window::new(RateLimit::new(1, Duration::ZERO));
        assert!(window.admit(1).is_ok());
        assert!(window.admit(1).is_ok());
    }
}
