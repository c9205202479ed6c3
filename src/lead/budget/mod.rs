//! `Budget`: an amount or range of money in major units, with its ISO 4217 currency when said.
//!
//! Reads "50k", "50 tys.", "50.000", "50 000", "£8,000–£12,000", "20-30 tys. zł", "up to 10k
//! GBP", "ab 50.000 € aufwärts", "entre 5.000 y 8.000 euros", "25 k€", "unos 30 mil pesos".

mod amounts;
mod bounds;
mod currency;
mod find;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::locale::Region;
use super::text::fold_case;

pub use currency::Currency;
pub(crate) use find::find;

/// A budget: at least one bound, `min <= max`, in major units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "BudgetParts", into = "BudgetParts")]
pub struct Budget {
    min: Option<u64>,
    max: Option<u64>,
    currency: Option<Currency>,
}

/// The stored form of a budget, the lead record's `{"min", "max", "currency"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetParts {
    pub min: Option<u64>,
    pub max: Option<u64>,
    pub currency: Option<Currency>,
}

/// Why a text is not a budget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("no amount of money found")]
    NoAmount,
    #[error("the lower bound is above the upper bound")]
    Order,
    #[error("the amount is out of range")]
    Range,
    #[error("unknown currency code")]
    Currency,
}

/// Largest amount taken seriously: a trillion of anything is a typo or a joke.
const MAX_AMOUNT: u64 = 1_000_000_000_000;

impl Budget {
    /// Builds a budget from its bounds, checking them.
    pub fn new(
        min: Option<u64>,
        max: Option<u64>,
        currency: Option<Currency>,
    ) -> Result<Budget, BudgetError> {
        if min.is_none() && max.is_none() {
            return Err(BudgetError::NoAmount);
        }
        for v in [min, max].into_iter().flatten() {
            if v == 0 || v > MAX_AMOUNT {
                return Err(BudgetError::Range);
            }
        }
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            return Err(BudgetError::Order);
        }
        Ok(Budget { min, max, currency })
    }

    /// Parses a phrase that states a budget ("20-30 tys. zł", "up to 10k GBP"). The first
    /// amount of money in the phrase is taken; `region` picks the peso or krone meant.
    pub fn parse(raw: &str, region: Option<Region>) -> Result<Budget, BudgetError> {
        let lower = fold_case(raw);
        find(&lower, region, true)
            .into_iter()
            .next()
            .map(|m| m.budget)
            .ok_or(BudgetError::NoAmount)
    }

    /// The lower bound, if stated.
    pub fn min(&self) -> Option<u64> {
        self.min
    }

    /// The upper bound, if stated.
    pub fn max(&self) -> Option<u64> {
        self.max
    }

    /// The currency, if stated.
    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cur = self.currency.map(|c| format!(" {c}")).unwrap_or_default();
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}{cur}"),
            (Some(a), Some(b)) => write!(f, "{a}–{b}{cur}"),
            (Some(a), None) => write!(f, "from {a}{cur}"),
            (None, Some(b)) => write!(f, "up to {b}{cur}"),
            (None, None) => f.write_str("?"),
        }
    }
}

impl TryFrom<BudgetParts> for Budget {
    type Error = BudgetError;
    fn try_from(p: BudgetParts) -> Result<Self, Self::Error> {
        Budget::new(p.min, p.max, p.currency)
    }
}

impl From<Budget> for BudgetParts {
    fn from(b: Budget) -> Self {
        BudgetParts {
            min: b.min,
            max: b.max,
            currency: b.currency,
        }
    }
}

/// The currency of the last amount of money a text names with one ("we pay £300 a month",
/// "20 tys. zł"), whatever the amount is for; `region` picks the peso or dollar meant.
pub fn currency_named(text: &str, region: Option<Region>) -> Option<Currency> {
    find(&fold_case(text), region, false)
        .into_iter()
        .rev()
        .find_map(|m| m.budget.currency())
}

/// A budget found in a message.
#[derive(Debug, Clone)]
pub(crate) struct BudgetMention {
    pub span: Range<usize>,
    pub budget: Budget,
    /// Said with a currency or a money multiplier ("k", "tys."), so it is money for sure.
    pub explicit: bool,
}
