//! `leadgate migrate-store`, whole process: a conversation stored on SQLite is copied to a fresh
//! PostgreSQL database and back to a fresh SQLite file; after each copy a gateway on the new
//! database shows the same conversation and lead, the visitor's browser resumes it with the
//! token it already holds, and a second copy into the now non-empty database is refused.

mod common;

use std::process::Command;

use common::{Client, Db, TestDb, admin_conversation, config, start};
use serde_json::Value;

fn migrate(from: &str, to: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .args(["migrate-store", "--from", from, "--to", to])
        .output()
        .expect("the leadgate binary runs")
}

/// What must survive a copy: every message, the lead and its revisions.
fn essence(conv: &Value) -> Value {
    serde_json::json!({
        "messages": conv["messages"].as_array().map(|m| m.iter().map(|m| (m["seq"].clone(), m["role"].clone(), m["text"].clone())).collect::<Vec<_>>()),
        "lead": conv["lead"].clone(),
        "revisions": conv["revisions"].clone(),
        "score": conv["score"].clone(),
        "started_ms": conv["started_ms"].clone(),
        "consent_required": conv["consent_required"].clone(),
    })
}

/// Resumes `session` on the gateway at `addr` with the browser's stored token and says more.
async fn resume_and_talk(addr: std::net::SocketAddr, session: &str, token: &str) {
    let mut c = Client::connect(addr, Some("demo"), None).await.unwrap();
    c.session_id = Some(session.to_owned());
    c.resume_token = Some(token.to_owned());
    c.last_seq = 100;
    let welcome = c.hello("demo", Some("en-GB")).await;
    assert_eq!(welcome["resumed"], true, "{welcome}");
    let frames = c.say("Our budget is 20.000 €").await;
    assert!(
        frames.iter().any(|f| f["type"] == "ack"),
        "the copied conversation takes new messages: {frames:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_is_copied_to_postgres_and_back_and_the_visitor_resumes() {
    let sqlite = TestDb::new(Db::Sqlite).await;
    let gw = start(config(&sqlite)).await;
    let mut visitor = Client::open(gw.addr, "demo", "en-GB").await;
    visitor
        .say("Hi, I'm Jan Kowalski from Kowalski Logistyka Sp. z o.o.")
        .await;
    visitor.say("jan.kowalski@kowalski-logistyka.pl").await;
    let session = visitor.session_id.clone().unwrap();
    let token = visitor.resume_token.clone().unwrap();
    let before = essence(&admin_conversation(gw.addr, &session).await);
    assert!(
        before["lead"]
            .to_string()
            .contains("jan.kowalski@kowalski-logistyka.pl"),
        "{before}"
    );
    drop(visitor);
    gw.stop().await.unwrap();

    let postgres = TestDb::new(Db::Postgres).await;
    let out = migrate(&sqlite.url, &postgres.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("conversations: 1 rows"), "{printed}");

    let gw = start(config(&postgres)).await;
    let copied = essence(&admin_conversation(gw.addr, &session).await);
    assert_eq!(copied, before);
    resume_and_talk(gw.addr, &session, &token).await;
    let grown = essence(&admin_conversation(gw.addr, &session).await);
    gw.stop().await.unwrap();

    // A second copy into a database that holds conversations is refused, and changes nothing.
    let again = migrate(&sqlite.url, &postgres.url);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds conversations"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // And back to a fresh SQLite file.
    let back = TestDb::new(Db::Sqlite).await;
    let out = migrate(&postgres.url, &back.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gw = start(config(&back)).await;
    assert_eq!(essence(&admin_conversation(gw.addr, &session).await), grown);
    resume_and_talk(gw.addr, &session, &token).await;
    gw.stop().await.unwrap();
    postgres.remove().await;
}
