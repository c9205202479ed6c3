//! `[crm.hubspot]`: where HubSpot is, the private-app token, the plan's limits and how leads
//! land (pipeline, stage, task settings, the properties leadgate's own values go to).

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::outbound::{InvalidKey, invalid};

use crate::crm::CustomFields;

/// HubSpot connector settings. Every field has a default that runs except `token`. The token
/// is a secret: `Debug` prints it redacted.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// API base URL (`https://api.hubapi.com`).
    pub base_url: String,
    /// Private-app access token (`pat-…`), sent as `Authorization: Bearer`. Required.
    pub token: SecretString,
    /// Timeout of one request, in seconds (default 20).
    pub timeout_secs: u64,
    /// Requests the plan allows per `rate_limit_interval_secs` (default 100: Free and Starter;
    /// Professional and Enterprise private apps: 190). leadgate uses 95 % of it in any rolling
    /// window, and pauses when HubSpot's headers say the window is used up.
    pub rate_limit: u32,
    /// The rolling window of `rate_limit`, in seconds (HubSpot: 10).
    pub rate_limit_interval_secs: u64,
    /// CRM search requests allowed per second (HubSpot: 5), a separate limit from `rate_limit`.
    pub search_rate_limit: u32,
    /// Deal pipeline id for new deals (default `default`).
    pub pipeline: String,
    /// Deal stage id for new deals (default `appointmentscheduled`, the first stage of the
    /// default pipeline).
    pub deal_stage: String,
    /// Deal property that takes the budget's currency (`deal_currency_code` on accounts with
    /// several currencies); unset: the currency is not sent and the account's default applies.
    pub deal_currency_property: Option<String>,
    /// Follow-up task type: `CALL`, `EMAIL` or `TODO` (default `CALL`).
    pub task_type: String,
    /// Follow-up task priority: `LOW`, `MEDIUM` or `HIGH` (default `HIGH`).
    pub task_priority: String,
    /// HubSpot owner id given to new contacts, deals and tasks; unset: no owner.
    pub owner_id: Option<String>,
    /// Contact properties for leadgate's own values (`[crm.hubspot.fields]`: `score`, `source`,
    /// `channel`, `conversation_url`; internal names of properties you created); a value is only
    /// sent when its property is named.
    pub fields: CustomFields,
    /// Deal properties for the same values (`[crm.hubspot.deal_fields]`).
    pub deal_fields: CustomFields,
    /// Hub (portal) id, for links to contact records in the alert; unset: no links.
    pub portal_id: Option<u64>,
    /// HubSpot web app URL for those links (`https://app.hubspot.com`; EU accounts:
    /// `https://app-eu1.hubspot.com`).
    pub app_url: String,
    /// The app's client secret, which signs HubSpot's webhooks (signature v3): deal stage,
    /// amount and owner changes then reach the lead's Slack thread. Unset: no webhooks.
    pub webhook_secret: Option<SecretString>,
    /// The app's id: changes it made through the API come back as webhooks and are ignored.
    pub app_id: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_url: "https://api.hubapi.com".into(),
            token: SecretString::default(),
            webhook_secret: None,
            app_id: None,
            timeout_secs: 20,
            rate_limit: 100,
            rate_limit_interval_secs: 10,
            search_rate_limit: 5,
            pipeline: "default".into(),
            deal_stage: "appointmentscheduled".into(),
            deal_currency_property: None,
            task_type: "CALL".into(),
            task_priority: "HIGH".into(),
            owner_id: None,
            fields: CustomFields::default(),
            deal_fields: CustomFields::default(),
            portal_id: None,
            app_url: "https://app.hubspot.com".into(),
        }
    }
}

impl Config {
    /// Checks the settings; the error names the key (relative to `[crm.hubspot]`).
    pub fn validate(&self) -> Result<(), InvalidKey> {
        check_url("base_url", &self.base_url)?;
        check_url("app_url", &self.app_url)?;
        let token = self.token.expose_secret();
        if token.trim().is_empty() {
            return Err(invalid("token", "set the private app's access token"));
        }
        if token.contains(char::is_whitespace) {
            return Err(invalid("token", "the access token cannot contain spaces"));
        }
        if self.timeout_secs == 0 || self.timeout_secs > 300 {
            return Err(invalid("timeout_secs", "use 1 to 300 seconds"));
        }
        if self.rate_limit < 2 {
            return Err(invalid(
                "rate_limit",
                "use the plan's limit, at least 2 requests",
            ));
        }
        if self.rate_limit_interval_secs == 0 {
            return Err(invalid("rate_limit_interval_secs", "use at least 1 second"));
        }
        if self.search_rate_limit < 2 {
            return Err(invalid(
                "search_rate_limit",
                "use the plan's limit, at least 2 requests per second",
            ));
        }
        for (key, value) in [
            ("pipeline", &self.pipeline),
            ("deal_stage", &self.deal_stage),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(key, "set an id (see GET /crm/v3/pipelines/deals)"));
            }
        }
        if !["CALL", "EMAIL", "TODO"].contains(&self.task_type.as_str()) {
            return Err(invalid(
                "task_type",
                format!("`{}` is not CALL, EMAIL or TODO", self.task_type),
            ));
        }
        if !["LOW", "MEDIUM", "HIGH"].contains(&self.task_priority.as_str()) {
            return Err(invalid(
                "task_priority",
                format!("`{}` is not LOW, MEDIUM or HIGH", self.task_priority),
            ));
        }
        if let Some(owner) = &self.owner_id
            && (owner.is_empty() || !owner.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid(
                "owner_id",
                format!("`{owner}` is not a HubSpot owner id (digits)"),
            ));
        }
        if let Some(name) = &self.deal_currency_property
            && !is_property_name(name)
        {
            return Err(invalid(
                "deal_currency_property",
                format!("`{name}` is not a HubSpot property name (lower case letters, digits, _)"),
            ));
        }
        self.fields.check("fields", "HubSpot", is_property_name)?;
        self.deal_fields
            .check("deal_fields", "HubSpot", is_property_name)?;
        Ok(())
    }

    /// The contact properties holding leadgate's own values, which contact reads ask for.
    pub(super) fn own_contact_properties(&self) -> impl Iterator<Item = &str> {
        self.fields.names().into_iter()
    }
}

fn check_url(key: &str, url: &str) -> Result<(), InvalidKey> {
    crate::outbound::settings::check_http_url(key, url).map(drop)
}

/// HubSpot internal property names: lower case ASCII letters, digits and underscores.
fn is_property_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Config {
        Config {
            token: "pat-na1-abc".into(),
            ..Config::default()
        }
    }

    #[test]
    fn defaults_need_only_a_token() {
        assert!(valid().validate().is_ok());
        assert!(Config::default().validate().unwrap_err().key == "token");
    }

    #[test]
    fn errors_name_the_key() {
        let bad = |c: Config| c.validate().unwrap_err();
        assert!(
            bad(Config {
                task_type: "MEETING".into(),
                ..valid()
            })
            .key == "task_type"
        );
        assert!(
            bad(Config {
                base_url: "api.hubapi.com".into(),
                ..valid()
            })
            .key == "base_url"
        );
        let fields = CustomFields {
            score: Some("Lead Score".into()),
            ..CustomFields::default()
        };
        assert!(
            bad(Config {
                deal_fields: fields,
                ..valid()
            })
            .key == "deal_fields"
        );
        assert!(
            bad(Config {
                owner_id: Some("jane".into()),
                ..valid()
            })
            .key == "owner_id"
        );
        assert!(
            bad(Config {
                rate_limit: 0,
                ..valid()
            })
            .key == "rate_limit"
        );
    }

    #[test]
    fn toml_keys_are_checked_and_the_token_is_not_printed() {
        let c: Config =
            toml::from_str("token = \"pat-secret\"\n[fields]\nscore = \"leadgate_score\"").unwrap();
        assert_eq!(c.fields.score.as_deref(), Some("leadgate_score"));
        assert!(!format!("{c:?}").contains("pat-secret"));
        assert!(toml::from_str::<Config>("tokn = \"x\"").is_err());
    }
}
