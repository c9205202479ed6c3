//! The widget in a real headless Chromium against a real gateway: keyboard access, a captured
//! email and phone, a dropped connection, a reload with the history, a phone-sized screen, and
//! no Content-Security-Policy violation — with the rule engine, and again with the LLM engine
//! streaming its replies (delta frames) from the OpenAI-compatible simulator; and a sales rep
//! answering from Slack (the Slack simulator) whose message the widget shows as a person's, with
//! a keyboard-chosen quick reply and a burst over the rate limit on the way. Needs Node.js,
//! `tests/browser/node_modules` (`npm ci` there) and Chromium at /usr/bin/chromium (or
//! `CHROMIUM_PATH`); `.ci/run` installs them.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Db, TestDb, config, start};
use leadgate::alerts::SlackConfig;
use leadgate::config::{Config, EngineKind, LlmConfig};
use leadgate_sim::openai::{OpenAiSim, Options, Reply};
use leadgate_sim::slack::{self, SlackSim};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The browser script's path, after checking its packages are installed.
fn script() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    assert!(
        std::path::Path::new(&format!(
            "{root}/tests/browser/node_modules/playwright-core"
        ))
        .exists(),
        "run `npm ci` in tests/browser first (.ci/run does)"
    );
    format!("{root}/tests/browser/widget.test.mjs")
}

/// Runs the browser script (with `args` after the URL) against a gateway started with `config`.
async fn widget_script_passes(config: Config, args: &[&str]) {
    let root = env!("CARGO_MANIFEST_DIR");
    let script = script();
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

const CHANNEL: &str = "C0123456789";
const ANNA: &str = "U0REPANNA";
const REP_TEXT: &str = "Hi Paula, Anna from the sales team here. Shall we talk tomorrow at 10?";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reps_message_from_slack_shows_in_the_widget_as_a_person() {
    let db = TestDb::new(Db::Sqlite).await;
    let sim = SlackSim::start(slack::Options::default()).await.unwrap();
    let mut cfg = config(&db);
    cfg.alerts.slack = Some(SlackConfig {
        token: Some(sim.bot_token().to_owned().into()),
        channel: Some(CHANNEL.into()),
        api_base: format!("{}/api", sim.base_url()),
        signing_secret: Some(sim.signing_secret().to_owned().into()),
        ..SlackConfig::default()
    });
    cfg.sync.poll_ms = 50;
    // Low enough that the script's closing burst meets the limit.
    cfg.limits.session_msgs_per_min = 5;
    cfg.sites[0].privacy_policy_url = Some("https://kestrel.example/privacy".into());
    let gw = start(cfg).await;

    let mut child = tokio::process::Command::new("node")
        .arg(script())
        .arg(format!("http://{}/", gw.addr))
        .args(["--rep", REP_TEXT])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs (install Node.js)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut output = String::new();
    let mut replied = false;
    while let Some(line) = lines.next_line().await.unwrap() {
        output.push_str(&line);
        output.push('\n');
        if let Some(session) = line.strip_prefix("SESSION ") {
            rep_claims_and_answers(&sim, gw.addr, session).await;
            replied = true;
        }
    }
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    gw.stop().await.unwrap();
    assert!(
        replied,
        "the script never qualified a lead:\n{output}\n{stderr}"
    );
    assert!(
        out.status.success(),
        "browser test failed:\n{output}\n{stderr}"
    );
    assert!(output.contains("0 failed"), "{output}");
}

/// Anna claims the lead's alert and answers in its thread, as in Slack.
async fn rep_claims_and_answers(sim: &SlackSim, addr: std::net::SocketAddr, session: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let alert = loop {
        if let Some(m) = sim
            .messages()
            .into_iter()
            .find(|m| m.thread_ts.is_none() && m.blocks.is_some())
        {
            break m;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no Slack alert for the qualified lead"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let claimed = sim
        .click(
            &format!("http://{addr}/slack/interactions"),
            ANNA,
            &alert.ts,
            CHANNEL,
            "claim",
            Some(session),
        )
        .await
        .unwrap();
    assert_eq!(claimed.status, Some(200));
    let said = sim
        .thread_reply(
            &format!("http://{addr}/slack/events"),
            ANNA,
            CHANNEL,
            &alert.ts,
            REP_TEXT,
        )
        .await
        .unwrap();
    assert_eq!(said.status, Some(200));
}
