//! `[[sites]]`: the websites (and channel numbers) whose visitors chat.

use serde::{Deserialize, Serialize};

use crate::crm::CrmKind;
use crate::lead::score::Money;
use crate::lead::{Currency, Lang, Region};

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
    /// The assistant's own name in greetings ("I'm Kira, the assistant of …"); unset, it
    /// introduces itself as the site's assistant.
    pub assistant_name: Option<String>,
    /// A budget scores only at or above this, e.g. `{ amount = 5000, currency = "EUR" }`;
    /// budgets in other currencies are converted with `[scoring] currency_rates`.
    pub min_budget: Option<Money>,
    /// How the assistant addresses visitors: `formal` (Pan/Pani, Sie, usted, vous) or
    /// `informal` (ty, du, tú, tu), in every language that tells them apart.
    pub register: Register,
}

/// How the assistant addresses a visitor, where the language tells the two apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Register {
    /// "Pan/Pani", "Sie", "usted", "vous": the default, as to a customer one has not met.
    #[default]
    Formal,
    /// "ty", "du", "tú", "tu": for sites whose brand speaks to visitors that way.
    Informal,
}

impl SiteConfig {
    /// The site the demo page embeds, under the demo page's brand.
    pub fn demo() -> SiteConfig {
        SiteConfig {
            key: "demo".to_owned(),
            name: "Kestrel Analytics".to_owned(),
            assistant_name: Some("Kira".to_owned()),
            min_budget: Currency::parse("EUR").ok().map(|currency| Money {
                amount: 1000,
                currency,
            }),
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
            assistant_name: None,
            min_budget: None,
            register: Register::Formal,
        }
    }
}
