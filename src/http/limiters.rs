//! Per-address limits: frames that write (and `hello`s), new conversations, and failed admin
//! attempts. Addresses are [`ClientKey`](super::client_ip::ClientKey)s, so an IPv6 /64 is one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::LimitsConfig;

/// The limits every connection shares.
pub struct Limiters {
    /// Frames that write and `hello`s, per address.
    frames: DefaultKeyedRateLimiter<IpAddr>,
    /// New conversations, per address.
    conversations: DefaultKeyedRateLimiter<IpAddr>,
    /// Failed admin attempts, per address.
    admin_failures: FailureWindow,
}

impl Limiters {
    pub fn new(limits: &LimitsConfig) -> Limiters {
        Limiters {
            frames: RateLimiter::keyed(per_minute(limits.ip_msgs_per_min)),
            conversations: RateLimiter::keyed(per_minute(limits.ip_conversations_per_min)),
            admin_failures: FailureWindow::new(limits.admin_failures_per_min),
        }
    }

    /// `Err(milliseconds to wait)` when the address sends frames too fast.
    pub fn frame(&self, ip: IpAddr) -> Result<(), u64> {
        self.frames.check_key(&ip).map_err(wait_ms)
    }

    /// `Err(milliseconds to wait)` when the address starts conversations too fast.
    pub fn conversation(&self, ip: IpAddr) -> Result<(), u64> {
        self.conversations.check_key(&ip).map_err(wait_ms)
    }

    /// Whether the address has used up its failed admin attempts for now.
    pub fn admin_blocked(&self, ip: IpAddr) -> bool {
        self.admin_failures.blocked(ip)
    }

    /// Counts a failed admin attempt.
    pub fn admin_failed(&self, ip: IpAddr) {
        self.admin_failures.fail(ip);
    }

    /// Forgets addresses that have been quiet (run every minute).
    pub fn retain_recent(&self) {
        self.frames.retain_recent();
        self.conversations.retain_recent();
        self.admin_failures.forget_old();
    }
}

/// One session's own budget of frames that write.
pub fn session_limiter(per_min: u32) -> DefaultDirectRateLimiter {
    RateLimiter::direct(per_minute(per_min))
}

/// `Err(milliseconds to wait)` when the session sends too fast.
pub fn check_session(limiter: &DefaultDirectRateLimiter) -> Result<(), u64> {
    limiter.check().map_err(wait_ms)
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

fn wait_ms(not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> u64 {
    not_until
        .wait_time_from(DefaultClock::default().now())
        .as_millis() as u64
        + 1
}

/// Failures per address in a fixed one-minute window. Unlike a rate limiter it can be asked
/// without spending: a blocked address is refused before its token is even compared, so a
/// guess cannot succeed while blocked.
struct FailureWindow {
    max: u32,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl FailureWindow {
    fn new(max: u32) -> FailureWindow {
        FailureWindow {
            max: max.max(1),
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn blocked(&self, ip: IpAddr) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&ip)
            .is_some_and(|(since, n)| since.elapsed() < WINDOW && *n >= self.max)
    }

    fn fail(&self, ip: IpAddr) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let entry = seen.entry(ip).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }

    fn forget_old(&self) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.retain(|_, (since, _)| since.elapsed() < WINDOW);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_block_after_the_limit_without_spending_on_asking() {
        let w = FailureWindow::new(2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(!w.blocked(ip));
        w.fail(ip);
        assert!(!w.blocked(ip));
        assert!(!w.blocked(ip));
        w.fail(ip);
        assert!(w.blocked(ip));
        assert!(!w.blocked("192.0.2.2".parse().unwrap()));
    }
}
