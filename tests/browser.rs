//! The widget in a real headless Chromium against a real gateway: keyboard access, a captured
//! email and phone, a dropped connection, a reload with the history, a phone-sized screen, and
//! no Content-Security-Policy violation — with the rule engine, and again with the LLM engine
//! streaming its replies (delta frames) from the OpenAI-compatible simulator. Needs Node.js,
//! `tests/browser/node_modules` (`npm ci` there) and Chromium at /usr/bin/chromium (or
//! `CHROMIUM_PATH`); `.ci/run` installs them.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Db, TestDb, config, start};
use leadgate::config::{Config, EngineKind, LlmConfig};
use leadgate_sim::openai::{OpenAiSim, Options, Reply};

/// Runs the browser script (with `args` after the URL) against a gateway started with `config`.
async fn widget_script_passes(config: Config, args: &[&str]) {
    let root = env!("CARGO_MANIFEST_DIR");
    let script = format!("{root}/tests/browser/widget.test.mjs");
    assert!(
        std::path::Path::new(&format!(
            "{root}/tests/browser/node_modules/playwright-core"
        ))
        .exists(),
        "run `npm ci` in tests/browser first (.ci/run does)"
    );
    let gw = start(config).await;
    let url = format!("http://{}/", gw.addr);
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(url)
            .args(args)
            .current_dir(root)
            .output()
    })
    .await
    .unwrap()
    .expect("node runs (install Node.js)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    gw.stop().await.unwrap();
    assert!(
        out.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("0 failed"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_works_in_chromium() {
    let db = TestDb::new(Db::Sqlite).await;
    widget_script_passes(config(&db), &[]).await;

    // The same with replies streamed piece by piece, slowly enough to be seen mid-way.
    let db = TestDb::new(Db::Sqlite).await;
    let sim = OpenAiSim::start(Options {
        stream_chunk_chars: 5,
        stream_chunk_delay: Duration::from_millis(30),
        ..Options::default()
    })
    .await
    .unwrap();
    sim.respond_to_user(|user| {
        Reply::Text(format!(
            "Thanks for your message of {} characters. Could you tell me a little more about your team?",
            user.chars().count()
        ))
    });
    let mut cfg = config(&db);
    cfg.engine.kind = EngineKind::Llm;
    cfg.engine.llm = LlmConfig {
        base_url: sim.api_base(),
        api_key: Some(sim.api_key().to_owned().into()),
        timeout_secs: 20,
        ..LlmConfig::default()
    };
    widget_script_passes(cfg, &["--streaming"]).await;
    let requests = sim.requests();
    assert!(
        requests.len() >= 3 && requests.iter().all(|r| r["stream"] == true),
        "every visitor message was answered by a streamed model reply: {}",
        requests.len()
    );
}
