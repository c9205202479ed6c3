//! `[alerts.slack]`: where sales alerts go and how leadgate reaches Slack.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::Deserialize;

use crate::lead::{Lead, Score, ScoringRules};

/// `[alerts.slack]`: a sales alert when a lead qualifies, by incoming webhook or bot token.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlackConfig {
    /// Incoming webhook URL (posts to the channel the webhook was made for). It holds a secret.
    pub webhook_url: Option<SecretString>,
    /// Bot token (`xoxb-…`) for `chat.postMessage`; with it, updates go in the alert's thread,
    /// and alerts carry buttons (Claim, Not a lead) when `signing_secret` is set too.
    pub token: Option<SecretString>,
    /// The app's signing secret: Slack signs button clicks and thread messages with it.
    pub signing_secret: Option<SecretString>,
    /// The workspace (team id, `T…`) whose people may act on alerts; any when unset.
    pub team_id: Option<String>,
    /// Minutes of a rep's silence after which the assistant takes the conversation back
    /// (fractions allowed).
    pub handback_idle_minutes: f64,
    /// Slack user id -> CRM owner id: a rep who claims a lead becomes its owner in the CRM.
    pub owners: BTreeMap<String, String>,
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
            signing_secret: None,
            team_id: None,
            handback_idle_minutes: 15.0,
            owners: BTreeMap::new(),
            channel: None,
            site_channels: BTreeMap::new(),
            api_base: "https://slack.com/api".to_owned(),
            min_score: None,
            timeout_secs: 10,
        }
    }
}

impl SlackConfig {
    /// Whether alerts carry buttons and reps can act from Slack: a bot token to post and update
    /// messages, and the signing secret to trust what Slack sends back.
    pub fn interactive(&self) -> bool {
        self.token.is_some() && self.signing_secret.is_some()
    }

    /// The channels alerts go to: only people acting there are heard.
    pub fn channels(&self) -> impl Iterator<Item = &str> {
        self.channel
            .iter()
            .chain(self.site_channels.values())
            .map(String::as_str)
    }

    /// Whether a lead with this score is alerted: not a test entry, and at `min_score`, else at
    /// the deal threshold. The one rule the turn and the outbox both use.
    pub fn alerts(&self, rules: &ScoringRules, lead: &Lead, score: &Score) -> bool {
        !lead.is_test && score.total >= self.min_score.unwrap_or(rules.deal_threshold)
    }
}
