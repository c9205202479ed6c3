//! The admin API's safety: no gateway starts with a guessable token, failed attempts are
//! throttled per address, answers are never cached, and the admin API with `/metrics` can live
//! on a listener of its own; the transcript page cannot be sniffed into another type.

mod common;

use common::{ADMIN_TOKEN, Client, Db, TestDb};
use leadgate::chat::ResumeTokens;
use serde_json::Value;

async fn a_short_admin_token_refuses_to_start(kind: Db) {
    let db = TestDb::new(kind).await;
    for short in ["", "hunter2", "0123456789abcdef0123456789abcde"] {
        let mut config = common::config(&db);
        config.server.admin_token = Some(short.into());
        let refused = leadgate::app::spawn(config).await;
        let error = refused
            .err()
            .expect("a gateway with a short admin token")
            .to_string();
        assert!(error.contains("server.admin_token"), "{error}");
        assert!(short.is_empty() || !error.contains(short), "{error}");
    }
    db.remove().await;
}

async fn failed_admin_attempts_are_throttled(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.limits.admin_failures_per_min = 3;
    config.server.trusted_proxies = vec!["127.0.0.1".to_owned().try_into().unwrap()];
    let gw = common::start(config).await;
    let http = reqwest::Client::new();
    let url = format!("http://{}/api/admin/jobs", gw.addr);
    let attempt = |token: Option<&str>, from: &str| {
        let mut request = http.get(&url).header("x-forwarded-for", from);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let attacker = "198.51.100.66";
    assert_eq!(attempt(Some("guess-1"), attacker).await, 401);
    assert_eq!(attempt(None, attacker).await, 401, "no header is a failure");
    assert_eq!(attempt(Some(""), attacker).await, 401);
    // Blocked now, even with the right token: a lucky guess would not show.
    assert_eq!(attempt(Some(ADMIN_TOKEN), attacker).await, 429);
    assert_eq!(attempt(Some("guess-4"), attacker).await, 429);
    // Another address is not held up.
    assert_eq!(attempt(Some(ADMIN_TOKEN), "198.51.100.7").await, 200);
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn admin_answers_are_never_stored(kind: Db) {
    let db = TestDb::new(kind).await;
    let gw = common::start(common::config(&db)).await;
    let c = Client::open(gw.addr, "demo", "en-GB").await;
    let id = c.session_id.clone().unwrap();
    let http = reqwest::Client::new();
    for path in [
        "/api/admin/jobs".to_owned(),
        "/api/admin/conversations".to_owned(),
        format!("/api/admin/conversations/{id}"),
        "/api/admin/conversations/nope".to_owned(),
    ] {
        let r = http
            .get(format!("http://{}{path}", gw.addr))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        let cache = r
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(cache.as_deref(), Some("no-store"), "{path}");
    }
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn the_transcript_page_is_not_sniffed(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    let secret = "transcript-test-secret-0123456789";
    config.server.secret = Some(secret.into());
    let gw = common::start(config).await;
    let mut c = Client::open(gw.addr, "demo", "en-GB").await;
    c.say("<script>alert(1)</script> hello").await;
    let id = c.session_id.clone().unwrap();
    let token = ResumeTokens::new(secret.as_bytes()).sign_transcript(&id);
    let r = reqwest::get(format!("http://{}/c/{id}?t={token}", gw.addr))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(!page.contains("<script>alert"), "{page}");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn admin_listen_serves_the_admin_api_apart(kind: Db) {
    let db = TestDb::new(kind).await;
    let mut config = common::config(&db);
    config.server.admin_listen = Some("127.0.0.1:0".into());
    let gw = common::start(config).await;
    let admin = gw.admin_addr.expect("an admin listener");
    assert_ne!(admin, gw.addr);
    let http = reqwest::Client::new();
    let get = |addr: std::net::SocketAddr, path: &str| {
        http.get(format!("http://{addr}{path}"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
    };
    for path in ["/metrics", "/api/admin/jobs", "/api/admin/conversations"] {
        let public = get(gw.addr, path).await.unwrap();
        assert_eq!(public.status(), 404, "{path} on the public listener");
        let private = get(admin, path).await.unwrap();
        assert_eq!(private.status(), 200, "{path} on the admin listener");
    }
    let jobs: Value = get(admin, "/api/admin/jobs")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(jobs["counts"].is_array(), "{jobs}");
    // Visitors' paths stay on the public listener.
    assert_eq!(get(admin, "/healthz").await.unwrap().status(), 404);
    assert_eq!(get(gw.addr, "/healthz").await.unwrap().status(), 200);
    Client::open(gw.addr, "demo", "en-GB").await;
    gw.stop().await.unwrap();
    db.remove().await;
}

both_stores!(
    a_short_admin_token_refuses_to_start,
    failed_admin_attempts_are_throttled,
    admin_answers_are_never_stored,
    the_transcript_page_is_not_sniffed,
    admin_listen_serves_the_admin_api_apart,
);
