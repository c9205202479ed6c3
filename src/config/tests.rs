use super::*;

fn load_str(toml_text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, toml_text).unwrap();
    Config::load(
        Some(&path),
        env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    )
}

#[test]
fn no_file_runs_the_demo() {
    let c = Config::load(None, Vec::new()).unwrap();
    assert_eq!(c.server.listen, "127.0.0.1:8080");
    assert_eq!(c.database.url, "sqlite://leadgate.db");
    assert_eq!(c.sites[0].key, "demo");
    assert_eq!(c.engine.kind, EngineKind::Rules);
}

#[test]
fn the_example_file_loads() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/leadgate.example.toml"
    ))
    .unwrap();
    let c = load_str(&text, &[]).unwrap();
    assert!(!c.sites.is_empty());
}

#[test]
fn environment_overrides_the_file() {
    let c = load_str(
        "[server]\nlisten = \"127.0.0.1:9000\"\n[[sites]]\nkey = \"a\"\n",
        &[
            ("LEADGATE__SERVER__LISTEN", "0.0.0.0:7000"),
            ("LEADGATE__SITES__0__LOCALE", "pl-PL"),
            ("LEADGATE__SCORING__DEAL_THRESHOLD", "70"),
            ("LEADGATE__SCORING__COMPETITORS", "[\"Tidio\"]"),
            ("OTHER", "x"),
        ],
    )
    .unwrap();
    assert_eq!(c.server.listen, "0.0.0.0:7000");
    assert_eq!(c.sites[0].locale, "pl-PL");
    assert_eq!(c.scoring.deal_threshold, 70);
    assert_eq!(c.scoring.competitors, vec!["Tidio"]);
}

fn err(toml_text: &str) -> String {
    load_str(toml_text, &[]).unwrap_err().to_string()
}

#[test]
fn llm_settings_are_checked_when_the_llm_runs() {
    let llm = |extra: &str| err(&format!("[engine]\nkind = \"llm\"\n[engine.llm]\n{extra}"));
    assert!(llm("model = \" \"").contains("engine.llm.model"));
    assert!(llm("base_url = \"not a url\"").contains("engine.llm.base_url"));
    assert!(llm("base_url = \"ftp://x/v1\"").contains("engine.llm.base_url"));
    assert!(llm("timeout_secs = 0").contains("engine.llm.timeout_secs"));
    assert!(llm("temperature = 3.5").contains("engine.llm.temperature"));
    assert!(llm("max_tokens = 1").contains("engine.llm.max_tokens"));
    assert!(llm("history_messages = 100000").contains("engine.llm.history_messages"));
    assert!(llm("modle = \"x\"").contains("modle"));
    let ok = load_str(
            "[engine]\nkind = \"llm\"\n[engine.llm]\nbase_url = \"http://127.0.0.1:11434/v1\"\nmodel = \"llama3.1\"",
            &[],
        )
        .unwrap();
    assert_eq!(ok.engine.llm.model, "llama3.1");
    // The rule engine ignores an unused [engine.llm] section's values.
    assert!(load_str("[engine.llm]\ntimeout_secs = 0", &[]).is_ok());
}

#[test]
fn azure_needs_a_deployment_and_an_api_version_on_a_resource_endpoint() {
    let azure = |extra: &str| {
        format!(
            "[engine]\nkind = \"llm\"\n[engine.llm]\nprovider = \"azure\"\n\
             base_url = \"https://contoso.openai.azure.com\"\n{extra}"
        )
    };
    let ok = load_str(
        &azure("azure_deployment = \"gpt-4o-mini\"\napi_version = \"2024-10-21\""),
        &[],
    )
    .unwrap();
    assert_eq!(ok.engine.llm.provider, Provider::Azure);
    assert_eq!(ok.engine.llm.api_version.as_deref(), Some("2024-10-21"));
    assert!(
        load_str(
            &azure("azure_deployment = \"d\"\napi_version = \"2025-04-01-preview\""),
            &[]
        )
        .is_ok()
    );
    let missing = err(&azure("api_version = \"2024-10-21\""));
    assert!(missing.contains("engine.llm.azure_deployment"), "{missing}");
    let bad_name = err(&azure(
        "azure_deployment = \"a/b\"\napi_version = \"2024-10-21\"",
    ));
    assert!(
        bad_name.contains("engine.llm.azure_deployment"),
        "{bad_name}"
    );
    let no_version = err(&azure("azure_deployment = \"d\""));
    assert!(
        no_version.contains("engine.llm.api_version"),
        "{no_version}"
    );
    let bad_version = err(&azure("azure_deployment = \"d\"\napi_version = \"latest\""));
    assert!(
        bad_version.contains("engine.llm.api_version"),
        "{bad_version}"
    );
    // The whole deployment URL pasted into base_url: the error says what to give instead.
    let pasted = err(
        "[engine]\nkind = \"llm\"\n[engine.llm]\nprovider = \"azure\"\n\
         base_url = \"https://contoso.openai.azure.com/openai/deployments/d/chat/completions\"\n\
         azure_deployment = \"d\"\napi_version = \"2024-10-21\"",
    );
    assert!(
        pasted.contains("engine.llm.base_url") && pasted.contains("resource endpoint"),
        "{pasted}"
    );
    let stray = err("[engine]\nkind = \"llm\"\n[engine.llm]\napi_version = \"2024-10-21\"");
    assert!(
        stray.contains("engine.llm.api_version") && stray.contains("azure"),
        "{stray}"
    );
    let provider = err("[engine]\nkind = \"llm\"\n[engine.llm]\nprovider = \"bedrock\"");
    assert!(provider.contains("bedrock"), "{provider}");
    let key = err("[engine]\nkind = \"llm\"\n[engine.llm]\napi_key = \"sk-abc\\ndef\"");
    assert!(
        key.contains("engine.llm.api_key") && !key.contains("sk-abc"),
        "{key}"
    );
}

#[test]
fn channels_are_checked_and_their_secrets_never_printed() {
    let wa = "[channels.whatsapp]\napp_secret = \"app-secret-123\"\nverify_token = \"verify-456\"\naccess_token = \"EAAG-789\"\n";
    let ok = load_str(
            &format!("{wa}[[channels.whatsapp.numbers]]\nphone_number_id = \"106540352242922\"\nsite = \"demo\"\n"),
            &[("LEADGATE__CHANNELS__WHATSAPP__ACCESS_TOKEN", "EAAG-from-env")],
        )
        .unwrap();
    let w = ok.channels.whatsapp.as_ref().unwrap();
    assert_eq!(w.site_of("106540352242922"), Some("demo"));
    let printed = format!("{ok:?}");
    for secret in ["app-secret-123", "verify-456", "EAAG"] {
        assert!(!printed.contains(secret), "{secret} printed");
    }
    assert!(err(wa).contains("channels.whatsapp.numbers"));
    assert!(
        err(&format!(
            "{wa}[[channels.whatsapp.numbers]]\nphone_number_id = \"1\"\nsite = \"nowhere\"\n"
        ))
        .contains("channels.whatsapp.numbers[0].site")
    );
    assert!(
            err(&format!("{wa}graph_url = \"graph\"\n[[channels.whatsapp.numbers]]\nphone_number_id = \"1\"\nsite = \"demo\"\n"))
                .contains("channels.whatsapp.graph_url")
        );
    assert!(
        err("[channels.messenger]\napp_secret = \" \"\nverify_token = \"v\"\n")
            .contains("channels.messenger.app_secret")
    );
    assert!(
        err("[channels]\nconversation_idle_hours = 0").contains("channels.conversation_idle_hours")
    );
}

#[test]
fn pipedrive_owners_must_be_user_ids() {
    let config = |owner: &str| {
        format!(
            "[[sites]]\nkey = \"a\"\ncrm = \"pipedrive\"\n[crm.pipedrive]\napi_token = \"t\"\n\
             [alerts.slack]\nwebhook_url = \"https://hooks.slack.com/services/T/B/x\"\n\
             [alerts.slack.owners]\nU0123 = \"{owner}\"\n"
        )
    };
    let refused = err(&config("jane"));
    assert!(refused.contains("alerts.slack.owners"), "{refused}");
    assert!(refused.contains("jane"), "{refused}");
    assert!(load_str(&config("13579002"), &[]).is_ok());
}

#[test]
fn errors_name_the_key() {
    assert!(err("[server]\nlisten = \"nowhere\"").contains("server.listen"));
    assert!(err("[server]\nlisten = 8080").contains("server.listen"));
    assert!(err("[server]\nlisen = \"x\"").contains("lisen"));
    assert!(err("[database]\nurl = \"mysql://x\"").contains("database.url"));
    assert!(err("[[sites]]\nkey = \"a\"\nlocale = \"it-IT\"").contains("sites[0].locale"));
    assert!(
        err("[[sites]]\nkey = \"a\"\ndefault_region = \"Poland\"")
            .contains("sites[0].default_region")
    );
    assert!(err("[[sites]]\nkey = \"a\"\ncrm = \"sugar\"").contains("sites[0].crm"));
    assert!(err("[[sites]]\nkey = \"a\"\n[[sites]]\nkey = \"a\"").contains("sites[1].key"));
    assert!(err("[[sites]]\nkey = \"a b\"").contains("sites[0].key"));
    assert!(
        err("[[sites]]\nkey = \"a\"\nallowed_origins = [\"not a url\"]")
            .contains("sites[0].allowed_origins[0]")
    );
    assert!(err("[engine]\nkind = \"magic\"").contains("engine.kind"));
    let register = err("[[sites]]\nkey = \"a\"\nregister = \"casual\"");
    assert!(
        register.contains("sites[0].register") && register.contains("informal"),
        "{register}"
    );
    assert!(err("[scoring]\ndeal_threshold = -1").contains("scoring.deal_threshold"));
    assert!(err("[limits]\nmax_text_bytes = 0").contains("limits.max_text_bytes"));
    assert!(err("this is not toml").contains("not valid TOML"));
}
