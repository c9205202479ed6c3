//! `[channels]`: the WhatsApp Cloud API and Messenger / Instagram bridges. Each bridge names its
//! Meta app's secret and verify token, and maps the business numbers or pages to the sites whose
//! locale, region, scoring, CRM and consent apply to their conversations.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::outbound::{InvalidKey, invalid, settings::check_http_url};

/// `[channels]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelsConfig {
    /// A sender who writes again after this many hours of silence starts a new conversation
    /// (fractions allowed).
    pub conversation_idle_hours: f64,
    /// Milliseconds an inbound message waits for the messages sent before it, which Meta may
    /// deliver later or in a parallel request, so that a sender's messages are read in order.
    pub order_window_ms: u64,
    pub whatsapp: Option<WhatsappConfig>,
    pub messenger: Option<MessengerConfig>,
}

impl Default for ChannelsConfig {
    fn default() -> Self {
        ChannelsConfig {
            conversation_idle_hours: 24.0,
            order_window_ms: 800,
            whatsapp: None,
            messenger: None,
        }
    }
}

/// `[channels.whatsapp]`: the WhatsApp Cloud API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatsappConfig {
    /// The Meta app's secret: it signs every webhook POST (`X-Hub-Signature-256`).
    pub app_secret: SecretString,
    /// The token typed into the app dashboard's webhook settings.
    pub verify_token: SecretString,
    /// A system-user token with `whatsapp_business_messaging` for the send API.
    pub access_token: SecretString,
    /// Graph API base, up to and including the version.
    #[serde(default = "default_graph_url")]
    pub graph_url: String,
    /// An approved template sent when a reply falls outside the 24-hour customer-service
    /// window; without one such a reply is marked undeliverable.
    #[serde(default)]
    pub reengagement_template: Option<Template>,
    /// Request timeout in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// The business numbers and the site each serves.
    #[serde(default)]
    pub numbers: Vec<WhatsappNumber>,
}

/// An approved message template.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub name: String,
    /// The template's language code as approved, e.g. `en` or `pl`.
    pub language: String,
}

/// `[[channels.whatsapp.numbers]]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WhatsappNumber {
    pub phone_number_id: String,
    pub site: String,
}

/// `[channels.messenger]`: Messenger and Instagram, which share the Graph webhook format.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessengerConfig {
    pub app_secret: SecretString,
    pub verify_token: SecretString,
    #[serde(default = "default_graph_url")]
    pub graph_url: String,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// The pages (or Instagram accounts) and the site each serves.
    #[serde(default)]
    pub pages: Vec<MessengerPage>,
}

/// `[[channels.messenger.pages]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessengerPage {
    /// The page id, or the Instagram account id.
    pub page_id: String,
    /// The page access token for the send API.
    pub access_token: SecretString,
    pub site: String,
}

fn default_graph_url() -> String {
    "https://graph.facebook.com/v23.0".to_owned()
}

fn default_timeout() -> u64 {
    10
}

fn check_secret(key: &str, value: &SecretString) -> Result<(), InvalidKey> {
    let v = value.expose_secret();
    if v.trim().is_empty() {
        return Err(invalid(key, "must not be empty"));
    }
    if v.trim() != v {
        return Err(invalid(key, "must not start or end with spaces"));
    }
    Ok(())
}

fn check_common(graph_url: &str, timeout_secs: u64) -> Result<(), InvalidKey> {
    check_http_url("graph_url", graph_url)?;
    if !(1..=120).contains(&timeout_secs) {
        return Err(invalid("timeout_secs", "between 1 and 120"));
    }
    Ok(())
}

impl WhatsappConfig {
    /// Checks the section; `site_exists` tells whether a site key is configured.
    pub fn validate(&self, site_exists: impl Fn(&str) -> bool) -> Result<(), InvalidKey> {
        check_secret("app_secret", &self.app_secret)?;
        check_secret("verify_token", &self.verify_token)?;
        check_secret("access_token", &self.access_token)?;
        check_common(&self.graph_url, self.timeout_secs)?;
        if let Some(t) = &self.reengagement_template
            && (t.name.trim().is_empty() || t.language.trim().is_empty())
        {
            return Err(invalid(
                "reengagement_template",
                "needs the template's name and language",
            ));
        }
        if self.numbers.is_empty() {
            return Err(invalid(
                "numbers",
                "add at least one [[channels.whatsapp.numbers]] with phone_number_id and site",
            ));
        }
        for (i, n) in self.numbers.iter().enumerate() {
            if n.phone_number_id.is_empty()
                || !n.phone_number_id.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid(
                    format!("numbers[{i}].phone_number_id"),
                    "the number's id from the app dashboard (digits)",
                ));
            }
            if !site_exists(&n.site) {
                return Err(invalid(
                    format!("numbers[{i}].site"),
                    format!("no site {:?} is configured", n.site),
                ));
            }
            if self.numbers[..i]
                .iter()
                .any(|o| o.phone_number_id == n.phone_number_id)
            {
                return Err(invalid(
                    format!("numbers[{i}].phone_number_id"),
                    "listed twice",
                ));
            }
        }
        Ok(())
    }

    /// The site a business number serves.
    pub fn site_of(&self, phone_number_id: &str) -> Option<&str> {
        self.numbers
            .iter()
            .find(|n| n.phone_number_id == phone_number_id)
            .map(|n| n.site.as_str())
    }
}

impl MessengerConfig {
    /// Checks the section; `site_exists` tells whether a site key is configured.
    pub fn validate(&self, site_exists: impl Fn(&str) -> bool) -> Result<(), InvalidKey> {
        check_secret("app_secret", &self.app_secret)?;
        check_secret("verify_token", &self.verify_token)?;
        check_common(&self.graph_url, self.timeout_secs)?;
        if self.pages.is_empty() {
            return Err(invalid(
                "pages",
                "add at least one [[channels.messenger.pages]] with page_id, access_token and site",
            ));
        }
        for (i, p) in self.pages.iter().enumerate() {
            if p.page_id.is_empty() || !p.page_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(
                    format!("pages[{i}].page_id"),
                    "the page's (or Instagram account's) numeric id",
                ));
            }
            check_secret(&format!("pages[{i}].access_token"), &p.access_token)?;
            if !site_exists(&p.site) {
                return Err(invalid(
                    format!("pages[{i}].site"),
                    format!("no site {:?} is configured", p.site),
                ));
            }
            if self.pages[..i].iter().any(|o| o.page_id == p.page_id) {
                return Err(invalid(format!("pages[{i}].page_id"), "listed twice"));
            }
        }
        Ok(())
    }

    /// The page (or Instagram account) with this id.
    pub fn page(&self, page_id: &str) -> Option<&MessengerPage> {
        self.pages.iter().find(|p| p.page_id == page_id)
    }
}

impl ChannelsConfig {
    /// Checks every configured bridge; the error's key is relative to `[channels]`.
    pub fn validate(&self, site_exists: impl Fn(&str) -> bool + Copy) -> Result<(), InvalidKey> {
        if !(self.conversation_idle_hours > 0.0 && self.conversation_idle_hours <= 24.0 * 90.0) {
            return Err(invalid(
                "conversation_idle_hours",
                "more than 0 and at most 2160 (90 days)",
            ));
        }
        if self.order_window_ms > 10_000 {
            return Err(invalid("order_window_ms", "at most 10000"));
        }
        if let Some(w) = &self.whatsapp {
            w.validate(site_exists)
                .map_err(|e| invalid(format!("whatsapp.{}", e.key), e.message))?;
        }
        if let Some(m) = &self.messenger {
            m.validate(site_exists)
                .map_err(|e| invalid(format!("messenger.{}", e.key), e.message))?;
        }
        Ok(())
    }
}
