//! A CRM's rate limits as leadgate keeps them: the rolling window most calls count against, the
//! separate one searches count against (HubSpot, Pipedrive), and the daily allowance that holds
//! everything back once it is spent. Which headers and answers say a limit is used up is each
//! connector's to read; what a pause then holds back is the same everywhere.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::outbound::http::{Throttle, rolling_share};

/// How long to hold back once a daily allowance is used up: the vendors reset it at a time of
/// day they do not tell, so leadgate looks again hourly.
pub const DAILY_PAUSE: Duration = Duration::from_secs(3600);

/// Which limit a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// The rolling window every call except search counts against.
    Main,
    /// The search window (search is exempt from the main one).
    Search,
    /// Both (the daily allowance).
    All,
    /// Writes only (Pipedrive's daily POST/PUT allowance): reads and searches go on. A write
    /// also counts against `Main`; this only says what a pause holds back.
    Writes,
}

/// The throttles of one account: the main and the search window, and a gate writes pass.
#[derive(Debug)]
pub struct Limits {
    main: Throttle,
    search: Throttle,
    /// No window of its own: only a pause of `Bucket::Writes` closes it.
    writes: Throttle,
    /// The main window's length: how long a used-up window pauses when the CRM does not say.
    pub window: Duration,
}

impl Limits {
    /// At most `main` requests in any rolling `window` and `search` searches in any rolling
    /// `search_window`, each at leadgate's share of the plan ([`rolling_share`]).
    pub fn new(main: u32, window: Duration, search: u32, search_window: Duration) -> Limits {
        Limits {
            main: Throttle::new(rolling_share(main), window),
            search: Throttle::new(rolling_share(search), search_window),
            writes: Throttle::new(0, window),
            window,
        }
    }

    /// The throttle requests to `bucket` wait on.
    pub fn throttle(&self, bucket: Bucket) -> &Throttle {
        match bucket {
            Bucket::Search => &self.search,
            Bucket::Main | Bucket::All | Bucket::Writes => &self.main,
        }
    }

    /// Waits while writes are paused ([`Bucket::Writes`]); a write then takes its turn in
    /// [`Limits::throttle`] as any call does.
    pub async fn write_gate(&self) {
        self.writes.acquire().await;
    }

    /// Nobody sends to `bucket` for `wait`.
    pub fn pause(&self, bucket: Bucket, wait: Duration) {
        match bucket {
            Bucket::Main => self.main.pause(wait),
            Bucket::Search => self.search.pause(wait),
            Bucket::All => {
                self.main.pause(wait);
                self.search.pause(wait);
            }
            Bucket::Writes => self.writes.pause(wait),
        }
    }
}

/// A header holding a whole number (`x-ratelimit-remaining: 0`); `None` when absent or not one.
pub fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How long a request to `bucket` waits.
    async fn waited(limits: &Limits, bucket: Bucket) -> Duration {
        let start = tokio::time::Instant::now();
        limits.throttle(bucket).acquire().await;
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_its_bucket_and_all_holds_both() {
        let plan = || Limits::new(100, Duration::from_secs(10), 5, Duration::from_secs(1));
        let limits = plan();
        limits.pause(Bucket::Search, Duration::from_secs(2));
        assert_eq!(waited(&limits, Bucket::Main).await, Duration::ZERO);
        assert_eq!(
            waited(&limits, Bucket::Search).await,
            Duration::from_secs(2)
        );
        let limits = plan();
        limits.pause(Bucket::All, Duration::from_secs(5));
        let both = tokio::join!(
            waited(&limits, Bucket::Main),
            waited(&limits, Bucket::Search)
        );
        assert_eq!(both, (Duration::from_secs(5), Duration::from_secs(5)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_writes_pause_holds_writes_and_not_reads() {
        let limits = Limits::new(100, Duration::from_secs(10), 5, Duration::from_secs(1));
        limits.pause(Bucket::Writes, Duration::from_secs(7));
        assert_eq!(waited(&limits, Bucket::Main).await, Duration::ZERO);
        assert_eq!(waited(&limits, Bucket::Search).await, Duration::ZERO);
        let start = tokio::time::Instant::now();
        limits.write_gate().await;
        assert_eq!(start.elapsed(), Duration::from_secs(7));
    }

    #[test]
    fn header_numbers() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", " 0 ".parse().unwrap());
        h.insert("x-ratelimit-reset", "soon".parse().unwrap());
        assert_eq!(header_number(&h, "x-ratelimit-remaining"), Some(0));
        assert_eq!(header_number(&h, "x-ratelimit-reset"), None);
        assert_eq!(header_number(&h, "x-daily-requests-left"), None);
    }
}
