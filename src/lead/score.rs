//! Lead scoring: configurable rules, and a breakdown of which rule gave what and why, for the
//! CRM note and the Slack alert.

use serde::{Deserialize, Serialize};

use super::Lead;

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

/// The scoring configuration: `[scoring]` in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// This many questions or more score.
    pub min_questions: u32,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            competitors: Vec::new(),
            deal_threshold: 50,
            weights: Weights::default(),
            timeline_max_days: 30,
            min_questions: 2,
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
    /// Scores a lead.
    pub fn score(&self, lead: &Lead) -> Score {
        let w = &self.weights;
        let mut items = Vec::new();
        if let Some(b) = &lead.budget {
            items.push((Rule::Budget, w.budget, format!("budget {b}")));
        }
        if let Some(t) = lead.timeline_days
            && t.days() <= self.timeline_max_days
        {
            items.push((
                Rule::Timeline,
                w.timeline,
                format!("starts within {} days", t.days()),
            ));
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
                format!("asked {} questions", lead.questions),
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

    /// Whether a lead with this score qualifies for a deal and a sales alert: it reaches the
    /// deal threshold and is not a test or junk entry. The one rule every caller uses.
    pub fn qualifies(&self, lead: &Lead, score: &Score) -> bool {
        !lead.is_test && score.total >= self.deal_threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::{Budget, Timeline};

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
