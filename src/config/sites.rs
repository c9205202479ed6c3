//! `[[sites]]`: the websites (and channel numbers) whose visitors chat.

use serde::{Deserialize, Serialize};

use crate::crm::CrmKind;
use crate::lead::{Lang, Region};

/// `[[sites]]`: one website (or channel number) whose visitors chat.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// The key the widget sends (`data-site`).
    pub key: String,
    /// A human name for the site, shown in the CRM note and alerts.
    pub name: String,
    /// Origins allowed to open the websocket, e.g. `https://www.acme.eu`. Empty: the gateway's
    /// own origin and `http://localhost` / `http://127.0.0.1` on any port.
    pub allowed_origins: Vec<String>,
    /// Default locale (BCP 47) when the visitor's browser does not say.
    pub locale: String,
    /// Region for national phone numbers (ISO 3166-1 alpha-2); the locale's region when unset.
    pub default_region: Option<Region>,
    /// Where this site's leads go.
    pub crm: CrmKind,
    /// Ask for consent before storing personal fields.
    pub require_consent: bool,
    /// Link shown in the privacy notice.
    pub privacy_policy_url: Option<String>,
    /// FAQ file (TOML) the rule engine answers from; `prompts/faq.toml` when unset.
    pub faq: Option<String>,
}

impl SiteConfig {
    /// The site the demo page embeds.
    pub fn demo() -> SiteConfig {
        SiteConfig {
            key: "demo".to_owned(),
            name: "leadgate demo".to_owned(),
            ..SiteConfig::default()
        }
    }

    /// The site's name for people: `name`, else its key.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.key
        } else {
            &self.name
        }
    }

    /// The site's language.
    pub fn lang(&self) -> Lang {
        Lang::from_locale(&self.locale).unwrap_or_default()
    }

    /// The site's region for national numbers.
    pub fn region(&self) -> Option<Region> {
        self.default_region
            .or_else(|| Region::from_locale(&self.locale))
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            key: String::new(),
            name: String::new(),
            allowed_origins: Vec::new(),
            locale: "en-US".to_owned(),
            default_region: None,
            crm: CrmKind::None,
            require_consent: false,
            privacy_policy_url: None,
            faq: None,
        }
    }
}
