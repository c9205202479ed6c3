//! `CompanySize`: the number of people a company employs, as stated.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A head count between 1 and 10 million.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u32")]
pub struct CompanySize(u32);

/// Why a number is not a head count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a company size is a whole number of people between 1 and 10,000,000")]
pub struct CompanySizeError;

const MAX_PEOPLE: u64 = 10_000_000;

impl CompanySize {
    /// Parses "45", "1,200", "1.200", "1 200" as a head count.
    pub fn parse(raw: &str) -> Result<CompanySize, CompanySizeError> {
        let digits: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
            .collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 9 {
            return Err(CompanySizeError);
        }
        let n: u64 = digits.parse().map_err(|_| CompanySizeError)?;
        CompanySize::try_from(n)
    }

    /// The head count.
    pub fn people(self) -> u32 {
        self.0
    }
}

impl TryFrom<u64> for CompanySize {
    type Error = CompanySizeError;
    fn try_from(n: u64) -> Result<Self, Self::Error> {
        if n == 0 || n > MAX_PEOPLE {
            return Err(CompanySizeError);
        }
        Ok(CompanySize(n as u32))
    }
}

impl From<CompanySize> for u32 {
    fn from(s: CompanySize) -> Self {
        s.0
    }
}

impl fmt::Display for CompanySize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_counts() {
        assert_eq!(CompanySize::parse("45").unwrap().people(), 45);
        assert_eq!(CompanySize::parse("1,200").unwrap().people(), 1200);
        assert_eq!(CompanySize::parse("1.200").unwrap().people(), 1200);
        assert_eq!(CompanySize::parse("1 200").unwrap().people(), 1200);
        assert!(CompanySize::parse("0").is_err());
        assert!(CompanySize::parse("forty").is_err());
        assert!(CompanySize::parse("99999999999").is_err());
        assert!(serde_json::from_str::<CompanySize>("0").is_err());
    }
}
