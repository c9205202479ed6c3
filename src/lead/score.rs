//! Lead scoring: configurable rules, and a breakdown of which rule gave what and why, for the
//! CRM note and the Slack alert.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Budget, Currency, Lead};

/// Points per rule. The defaults are the lead record's default rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// A budget was mentioned.
    pub budget: u32,
    /// The time frame starts within `timeline_max_days`.
    pub timeline: u32,
    /// The visitor decides or owns the budget.
    pub decision_maker: u32,
    /// The visitor asked at least `min_questions` questions.
    pub questions: u32,
    /// The visitor mentioned a configured competitor.
    pub competitor: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            budget: 20,
            timeline: 15,
            decision_maker: 25,
            questions: 10,
            competitor: 15,
        }
    }
}

/// An amount of money: a site's minimum budget.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub amount: u64,
    /// Its currency; a budget said without one is taken to be in it.
    pub currency: Currency,
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// The scoring configuration: `[scoring]` in the config file. The defaults are the lead
/// record's rules, so `leadgate extract` scores as the record describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringRules {
    /// Competitor names, in the spelling the CRM should show.
    pub competitors: Vec<String>,
    /// The score at which a lead qualifies for a deal and an alert.
    pub deal_threshold: u32,
    /// Points per rule.
    pub weights: Weights,
    /// A time frame starting within this many days scores.
    pub timeline_max_days: u32,
    /// A time frame starting after `timeline_max_days` but within this many days scores half
    /// the timeline points; 0 turns half points off.
    pub timeline_half_max_days: u32,
    /// This many questions or more score.
    pub min_questions: u32,
    /// A budget scores only when it reaches this amount (per site: `[[sites]] min_budget`).
    pub min_budget: Option<Money>,
    /// What one unit of each currency is worth in a common unit, to compare a budget with the
    /// minimum in another currency. Only the ratios matter.
    pub currency_rates: BTreeMap<String, f64>,
}

/// Rough rates (value of one unit in euros) for the currencies visitors name most; a site
/// replaces them with `[scoring.currency_rates]`.
fn default_rates() -> BTreeMap<String, f64> {
    [
        ("EUR", 1.0),
        ("USD", 0.92),
        ("GBP", 1.17),
        ("CHF", 1.05),
        ("PLN", 0.23),
        ("CAD", 0.68),
        ("AUD", 0.61),
        ("SEK", 0.088),
        ("NOK", 0.086),
        ("DKK", 0.134),
        ("CZK", 0.04),
        ("MXN", 0.05),
        ("ARS", 0.001),
    ]
    .into_iter()
    .map(|(c, r)| (c.to_owned(), r))
    .collect()
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            competitors: Vec::new(),
            // A budget and a decision maker qualify, whatever else is known.
            deal_threshold: 45,
            weights: Weights::default(),
            timeline_max_days: 30,
            timeline_half_max_days: 0,
            min_questions: 2,
            min_budget: None,
            currency_rates: default_rates(),
        }
    }
}

/// Which rule gave points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Budget,
    Timeline,
    DecisionMaker,
    Questions,
    Competitor,
}

/// One line of a score's breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreItem {
    pub rule: Rule,
    pub points: u32,
    /// Why, in words a sales rep reads: "budget 20000–30000 PLN".
    pub reason: String,
}

/// A lead's score and how it came about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Score {
    pub total: u32,
    pub breakdown: Vec<ScoreItem>,
}

impl ScoringRules {
    /// Scores a lead; each item says why it scored.
    pub fn score(&self, lead: &Lead) -> Score {
        let w = &self.weights;
        let mut items = Vec::new();
        if let Some(b) = &lead.budget
            && let Some(reason) = self.budget_reason(b)
        {
            items.push((Rule::Budget, w.budget, reason));
        }
        if let Some(t) = lead.timeline_days {
            let days = t.days();
            if days <= self.timeline_max_days {
                items.push((
                    Rule::Timeline,
                    w.timeline,
                    format!(
                        "starts in {days} days (within {} days)",
                        self.timeline_max_days
                    ),
                ));
            } else if days <= self.timeline_half_max_days {
                items.push((
                    Rule::Timeline,
                    w.timeline.div_ceil(2),
                    format!(
                        "starts in {days} days (within {} days: half points)",
                        self.timeline_half_max_days
                    ),
                ));
            }
        }
        if lead.decision_maker == Some(true) {
            items.push((
                Rule::DecisionMaker,
                w.decision_maker,
                "decides or owns the budget".to_owned(),
            ));
        }
        if lead.questions >= self.min_questions {
            items.push((
                Rule::Questions,
                w.questions,
                format!(
                    "asked {} questions (at least {})",
                    lead.questions, self.min_questions
                ),
            ));
        }
        if !lead.competitors.is_empty() {
            items.push((
                Rule::Competitor,
                w.competitor,
                format!("mentioned {}", lead.competitors.join(", ")),
            ));
        }
        let breakdown: Vec<ScoreItem> = items
            .into_iter()
            .filter(|(_, points, _)| *points > 0)
            .map(|(rule, points, reason)| ScoreItem {
                rule,
                points,
                reason,
            })
            .collect();
        Score {
            total: breakdown.iter().map(|i| i.points).sum(),
            breakdown,
        }
    }

    /// Why a budget scores, or `None` when it is below the minimum. A budget is compared by its
    /// upper end (a range reaching the minimum scores), converted through `currency_rates`; one
    /// said without a currency is taken to be in the minimum's.
    fn budget_reason(&self, b: &Budget) -> Option<String> {
        let Some(min) = self.min_budget else {
            return Some(format!("budget {b}"));
        };
        let top = b.max().or(b.min())? as f64;
        let rate = |c: Currency| self.currency_rates.get(c.code()).copied();
        let converted = match b.currency() {
            None => Some(top),
            Some(c) if c == min.currency => Some(top),
            Some(c) => rate(c).zip(rate(min.currency)).map(|(r, m)| top * r / m),
        };
        match converted {
            Some(v) if v >= min.amount as f64 => Some(format!("budget {b} (at least {min})")),
            Some(_) => None,
            // A currency the table does not know cannot be compared: it scores, and says so.
            None => Some(format!("budget {b} (not compared with {min}: no rate)")),
        }
    }

    /// Whether a lead with this score qualifies for a deal and a sales alert: it reaches the
    /// deal threshold and is not a test or junk entry. The one rule every caller uses.
    pub fn qualifies(&self, lead: &Lead, score: &Score) -> bool {
        !lead.is_test && score.total >= self.deal_threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::Timeline;

    fn lead() -> Lead {
        Lead {
            budget: Some(Budget::new(Some(20000), Some(30000), None).unwrap()),
            timeline_days: Some(Timeline::from_days(14).unwrap()),
            decision_maker: Some(true),
            questions: 2,
            competitors: vec!["Tidio".to_owned()],
            ..Lead::default()
        }
    }

    #[test]
    fn default_rules_add_up_with_reasons() {
        let rules = ScoringRules::default();
        let s = rules.score(&lead());
        assert_eq!(s.total, 85);
        let got: Vec<(Rule, u32)> = s.breakdown.iter().map(|i| (i.rule, i.points)).collect();
        assert_eq!(
            got,
            vec![
                (Rule::Budget, 20),
                (Rule::Timeline, 15),
                (Rule::DecisionMaker, 25),
                (Rule::Questions, 10),
                (Rule::Competitor, 15)
            ]
        );
        assert_eq!(s.breakdown[0].reason, "budget 20000–30000");
        assert_eq!(s.breakdown[4].reason, "mentioned Tidio");
        assert!(rules.qualifies(&lead(), &s));
        let test_entry = Lead {
            is_test: true,
            ..lead()
        };
        assert!(
            !rules.qualifies(&test_entry, &rules.score(&test_entry)),
            "a test entry never qualifies"
        );
    }

    #[test]
    fn each_rule_has_its_boundary() {
        let rules = ScoringRules::default();
        let mut l = lead();
        l.timeline_days = Some(Timeline::from_days(31).unwrap());
        l.decision_maker = Some(false);
        l.questions = 1;
        assert_eq!(rules.score(&l).total, 35);
        assert_eq!(rules.score(&Lead::default()).total, 0);
    }

    #[test]
    fn a_budget_scores_from_the_minimum_converted_between_currencies() {
        let rules = ScoringRules {
            min_budget: Some(Money {
                amount: 5000,
                currency: Currency::parse("EUR").unwrap(),
            }),
            ..ScoringRules::default()
        };
        let points = |min: Option<u64>, max: Option<u64>, cur: Option<&str>| {
            let budget = Budget::new(min, max, cur.map(|c| Currency::parse(c).unwrap())).unwrap();
            let l = Lead {
                budget: Some(budget),
                ..Lead::default()
            };
            let s = rules.score(&l);
            (s.total, s.breakdown.first().map(|i| i.reason.clone()))
        };
        // £40k is far above €5,000; 3,000 zł is below it; a bare 6,000 is taken in euros.
        let (p, why) = points(Some(40000), Some(40000), Some("GBP"));
        assert_eq!(
            (p, why.as_deref()),
            (20, Some("budget 40000 GBP (at least 5000 EUR)"))
        );
        assert_eq!(points(Some(3000), Some(3000), Some("PLN")).0, 0);
        assert_eq!(points(Some(6000), Some(6000), None).0, 20);
        assert_eq!(points(Some(3), Some(3), None).0, 0);
        // A range scores when its upper end reaches the minimum.
        assert_eq!(points(Some(4000), Some(8000), Some("EUR")).0, 20);
        // A currency without a rate is not compared, and the reason says so.
        let (p, why) = points(Some(10), Some(10), Some("JPY"));
        assert_eq!(p, 20);
        assert!(why.unwrap().contains("no rate"));
    }

    #[test]
    fn a_timeline_within_the_half_window_scores_half() {
        let rules = ScoringRules {
            timeline_half_max_days: 90,
            ..ScoringRules::default()
        };
        let at = |days: i64| {
            let l = Lead {
                timeline_days: Some(Timeline::from_days(days).unwrap()),
                ..Lead::default()
            };
            rules.score(&l).total
        };
        assert_eq!((at(30), at(31), at(90), at(91)), (15, 8, 8, 0));
        assert_eq!(
            ScoringRules::default()
                .score(&Lead {
                    timeline_days: Some(Timeline::from_days(60).unwrap()),
                    ..Lead::default()
                })
                .total,
            0,
            "the record's rules give no half points"
        );
    }

    #[test]
    fn the_strong_visitor_qualifies_by_default() {
        // £40k, decision maker, a three-month timeline, 120 staff.
        let rules = ScoringRules::default();
        let l = Lead {
            budget: Some(
                Budget::new(
                    Some(40000),
                    Some(40000),
                    Some(Currency::parse("GBP").unwrap()),
                )
                .unwrap(),
            ),
            decision_maker: Some(true),
            timeline_days: Some(Timeline::from_days(91).unwrap()),
            ..Lead::default()
        };
        let s = rules.score(&l);
        assert!(rules.qualifies(&l, &s), "{s:?}");
    }

    #[test]
    fn weights_and_threshold_are_configurable() {
        let rules: ScoringRules = toml::from_str(
            "deal_threshold = 30\ntimeline_max_days = 45\n[weights]\nbudget = 5\ncompetitor = 0\n",
        )
        .unwrap();
        let mut l = lead();
        l.timeline_days = Some(Timeline::from_days(40).unwrap());
        let s = rules.score(&l);
        assert_eq!(s.total, 5 + 15 + 25 + 10);
        assert!(s.breakdown.iter().all(|i| i.rule != Rule::Competitor));
        assert!(rules.qualifies(&l, &s));
        assert!(toml::from_str::<ScoringRules>("deal_treshold = 3").is_err());
    }
}
