//! `Timeline`: how many days from the start of a conversation until the earliest day the
//! visitor's time frame points at. "ASAP" is 0, "within two weeks" 14, "next month" the 1st of
//! next month, "Q2" the first day of Q2 (0 once it has begun), "by the end of June" June 30.

mod dates;
mod find;
mod rules;
#[cfg(test)]
mod tests;
mod words;

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use time::Date;

use super::text::fold_case;

pub(crate) use find::{find, find_for};

/// Days from the conversation start to the start of the visitor's time frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Timeline(u32);

/// Why a text is not a time frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    #[error("no time frame found")]
    NotFound,
    #[error("a time frame is between 0 and 3660 days away")]
    Range,
}

/// Ten years: anything further is not a sales timeline.
const MAX_DAYS: i64 = 3660;

impl Timeline {
    /// A timeline of `days` days.
    pub fn from_days(days: i64) -> Result<Timeline, TimelineError> {
        if !(0..=MAX_DAYS).contains(&days) {
            return Err(TimelineError::Range);
        }
        Ok(Timeline(days as u32))
    }

    /// Parses a phrase that states a time frame ("next month", "w ciągu dwóch tygodni",
    /// "bis Ende Mai", "en el Q3", "dès que possible") relative to `start`.
    pub fn parse(raw: &str, start: Date) -> Result<Timeline, TimelineError> {
        let lower = fold_case(raw);
        find(&lower, start)
            .into_iter()
            .next()
            .map(|m| m.timeline)
            .ok_or(TimelineError::NotFound)
    }

    /// The number of days.
    pub fn days(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} days", self.0)
    }
}

impl TryFrom<i64> for Timeline {
    type Error = TimelineError;
    fn try_from(days: i64) -> Result<Self, Self::Error> {
        Timeline::from_days(days)
    }
}

impl From<Timeline> for u32 {
    fn from(t: Timeline) -> Self {
        t.0
    }
}

/// How sure it is that an expression is the project's time frame and not, say, when to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    /// Weekdays, today, tomorrow: only an answer to "when?" makes them a timeline.
    Weak,
    /// Next week, a date, in ten days: a timeline when stated, not when asked about.
    Medium,
    /// ASAP, a month, a quarter, within weeks or months: a timeline wherever it appears.
    Strong,
}

/// A time frame found in a message.
#[derive(Debug, Clone)]
pub(crate) struct TimelineMention {
    pub span: Range<usize>,
    pub timeline: Timeline,
    pub strength: Strength,
}
