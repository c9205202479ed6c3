//! Abuse limits, as a hostile client meets them: frames that write and `hello`s are metered, a
//! consent that changes nothing writes nothing, new conversations per address are capped;
//! addresses behind trusted proxies are told apart (and IPv6 counted per /64); a socket's place
//! is given back when its upgrade fails; slow headers, silent sockets and connection floods
//! are cut off.

mod common;

use std::time::Duration;

use common::{Client, Db, TestDb};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Frames until the consent answer or an error.
async fn consent(c: &mut Client, granted: bool) -> Value {
    c.send(json!({"type": "consent", "granted": granted, "policy_version": "2024-05"}))
        .await;
    loop {
        let f = c.recv().await.expect("an answer to consent");
        if f["type"] == "consent" || f["type"] == "error" {
            return f;
        }
    }
}

async fn consent_frames_are_metered(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.limits.session_msgs_per_min = 3;
    let gw = common::start(config).await;
    let mut c = Client::open(gw.addr, "private", "de-DE").await;
    let mut answers = Vec::new();
    for i in 0..6 {
        answers.push(consent(&mut c, i % 2 == 0).await);
    }
    let limited: Vec<&Value> = answers.iter().filter(|f| f["type"] == "error").collect();
    assert!(
        !limited.is_empty(),
        "six toggles, none refused: {answers:?}"
    );
    for f in &limited {
        assert_eq!(f["code"], "rate_limited", "{f}");
        assert!(f["retry_after_ms"].as_u64().unwrap() > 0, "{f}");
    }
    let stored = common::scalar(&db, "SELECT COUNT(*) FROM consents").await;
    assert_eq!(stored, 3, "one consent row per toggle let through");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_repeated_consent_writes_nothing(kind: Db) {
    let db = TestDb::new(kind).await;
    let gw = common::start(common::config(&db)).await;
    let mut c = Client::open(gw.addr, "private", "de-DE").await;
    c.say("Ich bin Anna Weber, anna.weber@example.de").await;
    assert_eq!(consent(&mut c, true).await["granted"], true);
    let id = c.session_id.clone().unwrap();
    let revisions = |v: &Value| v["revisions"].as_array().unwrap().len();
    let before = revisions(&common::admin_conversation(gw.addr, &id).await);
    for _ in 0..5 {
        let answer = consent(&mut c, true).await;
        assert_eq!(answer["type"], "consent", "{answer}");
        assert_eq!(answer["granted"], true);
    }
    let count = "SELECT COUNT(*) FROM consents";
    assert_eq!(common::scalar(&db, count).await, 1, "repeats stored");
    let after = common::admin_conversation(gw.addr, &id).await;
    assert_eq!(revisions(&after), before, "repeats wrote revisions");
    // A real change is still stored.
    assert_eq!(consent(&mut c, false).await["granted"], false);
    assert_eq!(common::scalar(&db, count).await, 2);
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn new_conversations_per_address_are_capped(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.limits.ip_conversations_per_min = 2;
    let gw = common::start(config).await;
    let first = Client::open(gw.addr, "demo", "en-GB").await;
    Client::open(gw.addr, "demo", "en-GB").await;
    let mut third = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
    let refused = third.hello("demo", Some("en-GB")).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "rate_limited", "{refused}");
    assert!(third.recv().await.is_none(), "the socket stays open");
    // Resuming is not a new conversation.
    let mut again = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
    again.session_id = first.session_id.clone();
    again.resume_token = first.resume_token.clone();
    let welcome = again.hello("demo", None).await;
    assert_eq!(welcome["resumed"], true, "{welcome}");
    let conversations = common::scalar(&db, "SELECT COUNT(*) FROM conversations").await;
    assert_eq!(conversations, 2);
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn hellos_are_metered(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.limits.ip_msgs_per_min = 3;
    let gw = common::start(config).await;
    let first = Client::open(gw.addr, "demo", "en-GB").await;
    let mut answers = Vec::new();
    for _ in 0..3 {
        // Reconnect-and-resume, as a loop would.
        let mut c = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
        c.session_id = first.session_id.clone();
        c.resume_token = first.resume_token.clone();
        answers.push(c.hello("demo", None).await);
    }
    assert_eq!(answers[0]["type"], "welcome", "{answers:?}");
    assert_eq!(answers[1]["type"], "welcome", "{answers:?}");
    assert_eq!(answers[2]["code"], "rate_limited", "{answers:?}");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A socket opened through the proxy for `client`.
async fn via(
    addr: std::net::SocketAddr,
    client: &str,
) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
    Client::connect_with(addr, Some("demo"), &[("x-forwarded-for", client)]).await
}

async fn addresses_behind_a_trusted_proxy_are_told_apart(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.limits.ip_connections = 1;
    config.server.trusted_proxies = vec!["127.0.0.0/8".to_owned().try_into().unwrap()];
    let gw = common::start(config).await;
    let open = |client: &'static str| via(gw.addr, client);
    let _a = open("198.51.100.1").await.expect("first visitor");
    let _b = open("198.51.100.2").await.expect("another visitor");
    let err = open("198.51.100.1")
        .await
        .err()
        .expect("a second socket refused");
    assert!(err.to_string().contains("429"), "{err}");
    // A forged entry to the left of the proxy's own does not make a new visitor.
    let forged = open("203.0.113.50, 198.51.100.2").await.err();
    assert!(forged.is_some(), "the forged entry was believed");
    // IPv6: one /64 is one visitor.
    let _c = open("2001:db8:1:2::1").await.expect("an IPv6 visitor");
    let same = open("2001:db8:1:2:ffff::9").await.err();
    assert!(
        same.is_some(),
        "another address in the same /64 got its own place"
    );
    let _d = open("2001:db8:1:3::1").await.expect("the next /64");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn forwarded_headers_from_other_peers_are_ignored(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.limits.ip_connections = 1;
    let gw = common::start(config).await;
    let _a = Client::connect_with(
        gw.addr,
        Some("demo"),
        &[("x-forwarded-for", "198.51.100.1")],
    )
    .await
    .expect("first socket");
    let headers = [("forwarded", "for=198.51.100.2")];
    let err = Client::connect_with(gw.addr, Some("demo"), &headers).await;
    assert!(
        err.is_err(),
        "a client named itself someone else and got in"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// `open_sockets` from `/readyz`.
async fn open_sockets(addr: std::net::SocketAddr) -> i64 {
    let v: Value = reqwest::get(format!("http://{addr}/readyz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["open_sockets"].as_i64().unwrap()
}

async fn a_failed_upgrade_gives_its_place_back(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.limits.ip_connections = 1;
    let gw = common::start(config).await;
    // An upgrade whose announced body never comes: the handler takes the place, the upgrade
    // waits for the body, and the client leaves.
    let mut tcp = TcpStream::connect(gw.addr).await.unwrap();
    let request = format!(
        "GET /ws?site=demo HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Content-Length: 10\r\n\r\n",
        gw.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut seen = 0;
    for _ in 0..600 {
        seen = open_sockets(gw.addr).await;
        if seen == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 1, "the upgrade never took a place");
    drop(tcp);
    for _ in 0..600 {
        if open_sockets(gw.addr).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        open_sockets(gw.addr).await,
        0,
        "the place was never given back"
    );
    Client::open(gw.addr, "demo", "en-GB").await;
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Reads until the server closes the connection; what it said before closing.
async fn read_to_close(tcp: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 1024];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&out).into_owned()
}

async fn headers_sent_slowly_are_cut_off(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.server.header_read_timeout_secs = 1;
    let gw = common::start(config).await;
    let mut tcp = TcpStream::connect(gw.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let said = read_to_close(&mut tcp).await;
    assert!(!said.contains("200 OK"), "{said}");
    // A client that says nothing at all is cut off too.
    let mut silent = TcpStream::connect(gw.addr).await.unwrap();
    read_to_close(&mut silent).await;
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn connections_over_the_cap_are_refused(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.server.max_connections = 2;
    config.server.header_read_timeout_secs = 120;
    let gw = common::start(config).await;
    let held = [
        TcpStream::connect(gw.addr).await.unwrap(),
        TcpStream::connect(gw.addr).await.unwrap(),
    ];
    let http = reqwest::Client::new();
    let url = format!("http://{}/healthz", gw.addr);
    let refused = http.get(&url).send().await.expect("an answer");
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "over_capacity", "{body}");
    drop(held);
    let mut status = 0;
    for _ in 0..600 {
        status = http
            .get(&url)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        status, 200,
        "places freed by closed connections are used again"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_socket_that_never_says_hello_is_closed(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.server.hello_timeout_secs = 1;
    let gw = common::start(config).await;
    let mut c = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
    let told = c.recv().await.expect("told why");
    assert_eq!(told["code"], "hello_timeout", "{told}");
    assert!(c.recv().await.is_none(), "still open");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn pongs_do_not_keep_a_socket_open(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.server.idle_timeout_secs = 2;
    config.server.ping_interval_secs = 1;
    let gw = common::start(config).await;
    let mut c = Client::open(gw.addr, "demo", "en-GB").await;
    // Reading answers every ping with a pong; nothing else is sent. The greeting may come
    // first; then the close (a socket kept open fails `recv`'s hang guard).
    let mut frames = Vec::new();
    while let Some(f) = c.recv().await {
        frames.push(f);
        assert!(frames.len() < 10, "{frames:?}");
    }
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A conversation holds `[limits] messages_per_conversation` messages: the message over the
/// limit is refused with `conversation_full` and the socket closed; what was said stays stored,
/// and the same message is stored in the new conversation the next `hello` starts.
async fn a_full_conversation_is_kept_and_a_new_one_starts(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.limits.messages_per_conversation = 6;
    let gw = common::start(config).await;
    let mut c = Client::open(gw.addr, "demo", "en-GB").await;
    let first = c.session_id.clone().unwrap();
    let mut refused = None;
    for i in 0..6 {
        let frames = c
            .say(&format!("Question number {i} about your pricing?"))
            .await;
        if let Some(f) = frames.iter().find(|f| f["type"] == "error") {
            refused = Some(f.clone());
            break;
        }
    }
    let refused = refused.expect("a message over the limit is refused");
    assert_eq!(refused["code"], "conversation_full", "{refused}");
    assert!(c.recv().await.is_none(), "the socket is closed");
    let kept = common::scalar(
        &db,
        &format!("SELECT COUNT(*) FROM messages WHERE conversation_id = '{first}'"),
    )
    .await;
    // Turns run while the conversation holds fewer than the limit; the last may pass it.
    assert!((6..10).contains(&kept), "the conversation is kept: {kept}");

    let mut next = Client::open(gw.addr, "demo", "en-GB").await;
    assert_ne!(next.session_id.as_deref(), Some(first.as_str()));
    let frames = next.say("Question number 9 about your pricing?").await;
    assert!(frames.iter().any(|f| f["type"] == "ack"), "{frames:?}");
    gw.stop().await.unwrap();
    db.remove().await;
}

both_stores!(
    consent_frames_are_metered,
    a_repeated_consent_writes_nothing,
    new_conversations_per_address_are_capped,
    hellos_are_metered,
    addresses_behind_a_trusted_proxy_are_told_apart,
    forwarded_headers_from_other_peers_are_ignored,
    a_failed_upgrade_gives_its_place_back,
    headers_sent_slowly_are_cut_off,
    connections_over_the_cap_are_refused,
    a_socket_that_never_says_hello_is_closed,
    pongs_do_not_keep_a_socket_open,
    a_full_conversation_is_kept_and_a_new_one_starts,
);
