//! `[alerts.slack]`: where sales alerts go and how leadgate reaches Slack.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lead::{Lead, Score, ScoringRules};

/// `[alerts.slack]`: a sales alert when a lead qualifies, by incoming webhook or bot token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SlackConfig {
    /// Incoming webhook URL (posts to the channel the webhook was made for).
    pub webhook_url: Option<String>,
    /// Bot token (`xoxb-…`) for `chat.postMessage`; with it, updates go in the alert's thread.
    pub token: Option<String>,
    /// Channel for `chat.postMessage`.
    pub channel: Option<String>,
    /// Channel per site key, overriding `channel`.
    pub site_channels: BTreeMap<String, String>,
    /// Slack's Web API base URL.
    pub api_base: String,
    /// Alert from this score; the deal threshold when unset.
    pub min_score: Option<u32>,
    /// Request timeout in seconds.
    pub timeout_secs: u64,
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig {
            webhook_url: None,
            token: None,
            channel: None,
            site_channels: BTreeMap::new(),
            api_base: "https://slack.com/api".to_owned(),
            min_score: None,
            timeout_secs: 10,
        }
    }
}

impl SlackConfig {
    /// Whether a lead with this score is alerted: not a test entry, and at `min_score`, else at
    /// the deal threshold. The one rule the turn and the outbox both use.
    pub fn alerts(&self, rules: &ScoringRules, lead: &Lead, score: &Score) -> bool {
        !lead.is_test && score.total >= self.min_score.unwrap_or(rules.deal_threshold)
    }
}
