//! Secrets in the configuration: with every secret set, `{:?}` of the loaded configuration
//! prints none of them, and no configuration error repeats one, whatever was wrong with it.

use leadgate::config::{Config, ConfigError};

/// Every secret the configuration holds, each with a value that is easy to find.
const SECRETS: &str = r#"
[server]
secret = "LEAKED-server-secret"
admin_token = "LEAKED-admin-token-0123456789abcdef"

[engine]
kind = "llm"
[engine.llm]
api_key = "LEAKED-llm-api-key"

[alerts.slack]
webhook_url = "https://hooks.slack.com/services/LEAKED-slack-webhook"
token = "xoxb-LEAKED-slack-token"
signing_secret = "LEAKED-slack-signing-secret"
channel = "C0123456789"

[crm.hubspot]
token = "pat-LEAKED-hubspot-token"
webhook_secret = "LEAKED-hubspot-webhook-secret"

[crm.pipedrive]
api_token = "LEAKED-pipedrive-api-token"
webhook_user = "hooks"
webhook_password = "LEAKED-pipedrive-webhook-password"

[crm.salesforce]
login_url = "https://login.salesforce.com"
auth = "refresh_token"
client_id = "3MVG9-client-id"
client_secret = "LEAKED-salesforce-client-secret"
refresh_token = "LEAKED-salesforce-refresh-token"

[crm.zoho]
client_id = "1000.ZOHOCLIENT"
client_secret = "LEAKED-zoho-client-secret"
refresh_token = "1000.LEAKED-zoho-refresh-token"

[channels.whatsapp]
app_secret = "LEAKED-whatsapp-app-secret"
verify_token = "LEAKED-whatsapp-verify-token"
access_token = "EAAG-LEAKED-whatsapp-access-token"
[[channels.whatsapp.numbers]]
phone_number_id = "106540352242922"
site = "demo"

[channels.messenger]
app_secret = "LEAKED-messenger-app-secret"
verify_token = "LEAKED-messenger-verify-token"
[[channels.messenger.pages]]
page_id = "1234567890"
access_token = "EAAG-LEAKED-messenger-page-token"
site = "demo"
"#;

fn load(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadgate.toml");
    std::fs::write(&path, text).unwrap();
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Config::load(Some(&path), env)
}

#[test]
fn debug_of_the_whole_config_prints_no_secret() {
    let config = load(SECRETS, &[]).expect("the config loads");
    let printed = format!("{config:?} {config:#?}");
    assert!(
        printed.contains("106540352242922"),
        "the config was printed"
    );
    assert!(
        !printed.contains("LEAKED"),
        "a secret was printed: {printed}"
    );
    // Secrets from the environment too.
    let from_env = load(
        SECRETS,
        &[
            (
                "LEADGATE__SERVER__ADMIN_TOKEN",
                "LEAKED-env-admin-token-0123456789abcdef",
            ),
            ("LEADGATE__ENGINE__LLM__API_KEY", "LEAKED-env-llm-key"),
        ],
    )
    .unwrap();
    assert!(!format!("{from_env:?}").contains("LEAKED"));
}

#[test]
fn errors_name_secret_keys_but_never_their_values() {
    let cases = [
        // A wrong type: serde's message would quote the value.
        "[server]\nadmin_token = 424242424242424242\n".to_owned(),
        "[server]\nsecret = 424242424242424242\n".to_owned(),
        "[engine.llm]\napi_key = 424242424242424242\n".to_owned(),
        "[crm.hubspot]\ntoken = 424242424242424242\n".to_owned(),
        // Too short.
        "[server]\nadmin_token = \"424242424242424242\"\n".to_owned(),
        // Not a URL.
        "[alerts.slack]\nwebhook_url = \"hooks 424242424242424242\"\n".to_owned(),
        // Not TOML: the parser would quote the line.
        "[server]\nadmin_token = \"424242424242424242\n".to_owned(),
    ];
    for text in &cases {
        let error = load(text, &[]).expect_err(text).to_string();
        assert!(!error.contains("424242"), "{text:?} -> {error}");
    }
    let key = load("[server]\nadmin_token = 424242424242424242\n", &[])
        .unwrap_err()
        .to_string();
    assert!(key.contains("server.admin_token"), "{key}");
    // A numeric token from the environment reads as a number: still not repeated.
    let env = load(
        "",
        &[("LEADGATE__SERVER__ADMIN_TOKEN", "424242424242424242")],
    )
    .unwrap_err()
    .to_string();
    assert!(
        env.contains("server.admin_token") && !env.contains("424242"),
        "{env}"
    );
}

#[test]
fn a_short_or_empty_admin_token_is_refused() {
    for token in ["", "short", "0123456789abcdef0123456789abcde"] {
        let error = load(&format!("[server]\nadmin_token = \"{token}\"\n"), &[])
            .expect_err(token)
            .to_string();
        assert!(error.contains("server.admin_token"), "{error}");
        assert!(error.contains("32"), "{error}");
    }
    let long = "0123456789abcdef0123456789abcdef";
    assert!(load(&format!("[server]\nadmin_token = \"{long}\"\n"), &[]).is_ok());
}
