//! What leaves the gateway for the model, and how much: the visitor's email addresses and phone
//! numbers (and, when configured, name) reach the model only as placeholders and come back in the
//! reply; a daily token budget and a cap on calls at once hand turns to the rule engine.

mod common;

use common::{ADMIN_TOKEN, Client, Db, TestDb, bot_texts, config, start};
use leadgate::config::{Config, EngineKind, LlmConfig, Redact};
use leadgate_sim::openai::{OpenAiSim, Options, Reply};
use serde_json::Value;

/// Model replies carry this mark, so a test tells them from the rule engine's.
const MARK: &str = "MODEL:";

fn llm_config(db: &TestDb, sim: &OpenAiSim) -> Config {
    let mut c = config(db);
    c.engine.kind = EngineKind::Llm;
    c.engine.llm = LlmConfig {
        base_url: sim.api_base(),
        api_key: Some(sim.api_key().to_owned().into()),
        timeout_secs: 10,
        ..LlmConfig::default()
    };
    c
}

/// The one bot text of a turn.
async fn turn(c: &mut Client, text: &str) -> String {
    let texts = bot_texts(&c.say(text).await);
    assert_eq!(texts.len(), 1, "{texts:?}");
    texts[0].clone()
}

async fn admin_get(addr: std::net::SocketAddr, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("http://{addr}{path}"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
}

/// Everything the simulator received, as one text.
fn received(sim: &OpenAiSim) -> String {
    Value::Array(sim.requests()).to_string()
}

/// Two turns that give contact details, under `redact`; what the simulator received.
async fn conversation(db: &TestDb, redact: Redact) -> (String, Vec<String>) {
    let sim = OpenAiSim::start(Options::default()).await.unwrap();
    // The model uses the placeholders it was given.
    sim.set_responder(|request| {
        let name = if request.body.to_string().contains("[name 1]") {
            " [name 1]"
        } else {
            ""
        };
        Reply::Text(format!(
            "{MARK} Danke{name}! Wir schreiben an [email 1] oder rufen [phone 1] an."
        ))
    });
    let mut cfg = llm_config(db, &sim);
    cfg.engine.llm.redact = redact;
    let gw = start(cfg).await;
    let mut c = Client::open(gw.addr, "demo", "de-DE").await;
    c.expect("message").await;
    let replies = vec![
        turn(
            &mut c,
            "Ich bin Jana Vogt, Jana.Vogt@vogt-moebel.de, Tel. 0170 1234567",
        )
        .await,
        turn(&mut c, "Oder im Büro: buero@vogt-moebel.de, +49 30 9876543").await,
    ];
    gw.stop().await.unwrap();
    (received(&sim), replies)
}

async fn the_model_never_sees_how_to_reach_the_visitor(db: Db) {
    let db = TestDb::new(db).await;
    let typed = ["vogt-moebel.de", "1234567", "9876543"];

    let (sent, replies) = conversation(&db, Redact::Contact).await;
    for detail in typed {
        assert!(!sent.contains(detail), "{detail} reached the model: {sent}");
    }
    assert!(
        sent.contains("[email 1]") && sent.contains("[phone 2]"),
        "{sent}"
    );
    assert!(
        sent.contains("Jana Vogt"),
        "names are sent unless configured: {sent}"
    );
    for reply in &replies {
        assert!(reply.starts_with(MARK), "{reply}");
    }
    // The visitor gets their own details back; a name placeholder never shown was never given.
    assert!(
        !replies[0].contains("[email") && replies[0].contains("jana.vogt@vogt-moebel.de"),
        "{replies:?}"
    );

    let (sent, replies) = conversation(&db, Redact::ContactAndNames).await;
    for detail in typed.iter().chain(&["Jana", "Vogt ", "Vogt,"]) {
        assert!(!sent.contains(detail), "{detail} reached the model: {sent}");
    }
    assert!(
        replies[0].starts_with(&format!("{MARK} Danke Jana!")),
        "{replies:?}"
    );

    // The control: as written when asked to.
    let (sent, _) = conversation(&db, Redact::None).await;
    assert!(sent.contains("Jana.Vogt@vogt-moebel.de") && sent.contains("0170 1234567"));
    db.remove().await;
}

async fn a_spent_budget_hands_turns_to_the_rule_engine(db: Db) {
    let db = TestDb::new(db).await;
    let sim = OpenAiSim::start(Options::default()).await.unwrap();
    sim.respond_to_user(|_| Reply::Text(format!("{MARK} Gern.")));
    let mut cfg = llm_config(&db, &sim);
    cfg.engine.llm.daily_token_budget = 1;
    let gw = start(cfg).await;
    let mut c = Client::open(gw.addr, "demo", "en-GB").await;
    c.expect("message").await;
    assert!(
        turn(&mut c, "Hello, we need a chatbot.")
            .await
            .starts_with(MARK)
    );
    let reply = turn(&mut c, "What does it cost?").await;
    assert!(!reply.contains(MARK) && !reply.is_empty(), "{reply}");
    assert_eq!(sim.requests().len(), 1, "the budget stops calls");

    let used: Value = admin_get(gw.addr, "/api/admin/llm/usage")
        .await
        .json()
        .await
        .unwrap();
    let today = &used["today"];
    assert_eq!(used["engine"], "llm", "{used}");
    assert!(today["tokens"].as_u64().unwrap() > 1, "{used}");
    assert_eq!(today["estimated_tokens"], 0, "the server counted: {used}");
    assert_eq!(
        (today["calls"].as_u64(), today["over_budget"].as_u64()),
        (Some(1), Some(1))
    );
    let metrics = admin_get(gw.addr, "/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"leadgate_llm_replies_total{outcome="token_budget"}"#),
        "{metrics}"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn calls_beyond_the_cap_are_answered_by_the_rule_engine(db: Db) {
    let db = TestDb::new(db).await;
    let sim = OpenAiSim::start(Options {
        stream_chunk_delay: std::time::Duration::from_millis(250),
        ..Options::default()
    })
    .await
    .unwrap();
    sim.respond_to_user(|_| Reply::Text(format!("{MARK} Thanks for writing to us today.")));
    let mut cfg = llm_config(&db, &sim);
    cfg.engine.llm.max_concurrent = 1;
    let gw = start(cfg).await;
    let mut first = Client::open(gw.addr, "demo", "en-GB").await;
    first.expect("message").await;
    let mut second = Client::open(gw.addr, "demo", "en-GB").await;
    second.expect("message").await;
    let slow = tokio::spawn(async move { turn(&mut first, "Hello there, first visitor.").await });
    // The first call is in flight once the simulator has its request (its answer is slow).
    for _ in 0..200 {
        if !sim.requests().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(sim.requests().len(), 1);
    let reply = turn(&mut second, "Hello, second visitor here.").await;
    assert!(!reply.contains(MARK), "{reply}");
    assert!(slow.await.unwrap().starts_with(MARK));
    assert_eq!(
        sim.requests().len(),
        1,
        "the capped turn never called the model"
    );
    let used: Value = admin_get(gw.addr, "/api/admin/llm/usage")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(used["today"]["over_concurrency"], 1, "{used}");
    let metrics = admin_get(gw.addr, "/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"leadgate_llm_replies_total{outcome="concurrency_cap"}"#),
        "{metrics}"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

both_stores!(
    the_model_never_sees_how_to_reach_the_visitor,
    a_spent_budget_hands_turns_to_the_rule_engine,
    calls_beyond_the_cap_are_answered_by_the_rule_engine,
);
