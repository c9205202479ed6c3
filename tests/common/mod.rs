//! Test helpers: a gateway on port 0 with its own database (a temporary SQLite file or a fresh
//! PostgreSQL database), and a websocket client that speaks the widget protocol. [`crm`] holds
//! the scenarios every CRM connector passes, with a row per CRM.
#![allow(dead_code)]

pub mod crm;
pub mod process;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use leadgate::app::Running;
use leadgate::config::{Config, SiteConfig};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef0123";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A database made for one test, removed at the end.
pub struct TestDb {
    pub url: String,
    kind: Db,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

/// The PostgreSQL server tests use: `LEADGATE_TEST_POSTGRES`, else the local one.
pub fn postgres_base() -> String {
    std::env::var("LEADGATE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

impl TestDb {
    pub async fn new(kind: Db) -> TestDb {
        match kind {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("leadgate.db").display());
                TestDb {
                    url,
                    kind,
                    name: String::new(),
                    _dir: Some(dir),
                }
            }
            Db::Postgres => {
                let name = format!("leadgate_test_{}", uuid::Uuid::new_v4().simple());
                let admin = format!("{}/postgres", postgres_base());
                let pool = sqlx::PgPool::connect(&admin)
                    .await
                    .expect("PostgreSQL must be running for the tests (see .ci/run)");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .expect("create test database");
                pool.close().await;
                TestDb {
                    url: format!("{}/{name}", postgres_base()),
                    kind,
                    name,
                    _dir: None,
                }
            }
        }
    }

    /// Drops a PostgreSQL test database.
    pub async fn remove(self) {
        if self.kind == Db::Postgres {
            let admin = format!("{}/postgres", postgres_base());
            if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                )))
                .execute(&pool)
                .await;
                pool.close().await;
            }
        }
    }
}

/// A config for tests: port 0, the test database, the demo site plus a few more.
pub fn config(db: &TestDb) -> Config {
    let mut c = Config::default();
    c.server.listen = "127.0.0.1:0".into();
    c.server.admin_token = Some(ADMIN_TOKEN.into());
    c.server.shutdown_grace_secs = 5;
    c.database.url = db.url.clone();
    c.database.max_connections = 4;
    // Every test client comes from 127.0.0.1: tests that open many conversations at once are
    // not an abuse (tests/abuse.rs sets its own limits).
    c.limits.ip_conversations_per_min = 10_000;
    c.scoring.competitors = vec![
        "Intercom".into(),
        "Drift".into(),
        "Tidio".into(),
        "Zendesk".into(),
        "LiveChat".into(),
    ];
    c.sites = vec![
        SiteConfig {
            name: "Kestrel Analytics".into(),
            ..SiteConfig::demo()
        },
        SiteConfig {
            key: "acme".into(),
            name: "Acme".into(),
            allowed_origins: vec!["https://www.acme.eu".into()],
            ..SiteConfig::demo()
        },
        SiteConfig {
            key: "private".into(),
            name: "Private".into(),
            require_consent: true,
            locale: "de-DE".into(),
            ..SiteConfig::demo()
        },
    ];
    c
}

/// Starts a gateway.
pub async fn start(config: Config) -> Running {
    leadgate::app::spawn(config).await.expect("gateway starts")
}

/// The websocket URL of a running gateway.
pub fn ws_url(addr: SocketAddr, site: Option<&str>) -> String {
    match site {
        Some(s) => format!("ws://{addr}/ws?site={s}"),
        None => format!("ws://{addr}/ws"),
    }
}

type Stream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A widget-protocol client.
pub struct Client {
    pub ws: Stream,
    pub session_id: Option<String>,
    pub resume_token: Option<String>,
    pub last_seq: i64,
    next_id: u32,
}

/// How long a test waits for a frame before failing (not a timing assertion: a hang guard).
const WAIT: Duration = Duration::from_secs(15);

impl Client {
    /// Opens a socket with an optional Origin header.
    pub async fn connect(
        addr: SocketAddr,
        site: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Client, WsError> {
        let headers: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
        Client::connect_with(addr, site, &headers).await
    }

    /// Opens a socket sending these headers (an Origin, a proxy's X-Forwarded-For, ...).
    pub async fn connect_with(
        addr: SocketAddr,
        site: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Client, WsError> {
        let mut req = ws_url(addr, site).into_client_request()?;
        for (name, value) in headers {
            let name =
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                    .expect("header name");
            req.headers_mut()
                .append(name, HeaderValue::from_str(value).expect("header value"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(req).await?;
        Ok(Client {
            ws,
            session_id: None,
            resume_token: None,
            last_seq: 0,
            next_id: 0,
        })
    }

    /// Opens a socket and says hello for a new session; returns the welcome.
    pub async fn open(addr: SocketAddr, site: &str, locale: &str) -> Client {
        let mut c = Client::connect(addr, Some(site), None)
            .await
            .expect("connect");
        let welcome = c.hello(site, Some(locale)).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        c
    }

    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// The next JSON frame (pings are skipped). `None` when the server closed the socket.
    pub async fn recv(&mut self) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame arrives")?;
            match msg {
                Ok(Message::Text(t)) => {
                    let v: Value =
                        serde_json::from_str(t.as_str()).expect("server frames are JSON");
                    if v["type"] == "message" {
                        self.last_seq = self.last_seq.max(v["seq"].as_i64().unwrap_or(0));
                    }
                    return Some(v);
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Frames until one of type `kind` (inclusive).
    pub async fn recv_until(&mut self, kind: &str) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let f = self
                .recv()
                .await
                .unwrap_or_else(|| panic!("closed before a {kind} frame; got {out:?}"));
            let done = f["type"] == kind;
            out.push(f);
            if done {
                return out;
            }
        }
    }

    /// Says hello (resuming when this client has a session) and reads the welcome and replay
    /// up to the first frame that is not a replayed message.
    pub async fn hello(&mut self, site: &str, locale: Option<&str>) -> Value {
        let mut frame = json!({"type": "hello", "v": 1, "site": site, "last_seq": self.last_seq});
        if let Some(l) = locale {
            frame["locale"] = json!(l);
        }
        if let (Some(s), Some(t)) = (&self.session_id, &self.resume_token) {
            frame["session_id"] = json!(s);
            frame["resume_token"] = json!(t);
        }
        self.send(frame).await;
        let mut first = self.recv().await.expect("welcome or error");
        if first["type"] == "error" && first["code"] == "resume_failed" {
            first = self.recv().await.expect("welcome after resume_failed");
        }
        if first["type"] == "welcome" {
            self.session_id = first["session_id"].as_str().map(str::to_owned);
            self.resume_token = first["resume_token"].as_str().map(str::to_owned);
        }
        first
    }

    /// Sends a visitor message and collects frames until the bot stops typing.
    pub async fn say(&mut self, text: &str) -> Vec<Value> {
        self.next_id += 1;
        let id = format!("c-{}-{}", self.next_id, uuid::Uuid::new_v4().simple());
        self.say_with_id(&id, text).await
    }

    pub async fn say_with_id(&mut self, id: &str, text: &str) -> Vec<Value> {
        self.send(json!({"type": "message", "client_msg_id": id, "text": text}))
            .await;
        let mut out = Vec::new();
        let mut typing = false;
        loop {
            let f = self.recv().await.expect("reply frames");
            typing |= f["type"] == "typing" && f["on"] == true;
            // A turn ends when the bot stops typing; a refused message never starts one.
            let stop =
                (f["type"] == "typing" && f["on"] == false) || (f["type"] == "error" && !typing);
            out.push(f);
            if stop {
                return out;
            }
        }
    }

    /// Waits for the next frame of one type, failing on a close.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let f = self
            .recv()
            .await
            .unwrap_or_else(|| panic!("closed while waiting for {kind}"));
        assert_eq!(f["type"], kind, "{f}");
        f
    }
}

/// Bot texts among frames.
pub fn bot_texts(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["type"] == "message" && f["role"] == "bot")
        .map(|f| f["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// One number from the test's database (`SELECT COUNT(*) …`): for what no endpoint shows.
pub async fn scalar(db: &TestDb, sql: &str) -> i64 {
    match db.kind {
        Db::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url)
                .await
                .expect("open SQLite");
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&pool)
                .await
                .expect("query");
            pool.close().await;
            n
        }
        Db::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url)
                .await
                .expect("open PostgreSQL");
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&pool)
                .await
                .expect("query");
            pool.close().await;
            n
        }
    }
}

/// The admin view of a conversation.
pub async fn admin_conversation(addr: SocketAddr, id: &str) -> Value {
    reqwest::Client::new()
        .get(format!("http://{addr}/api/admin/conversations/{id}"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("admin request")
        .json()
        .await
        .expect("admin JSON")
}

/// Outbox counts by state, from the admin API.
pub async fn job_states(addr: SocketAddr) -> Vec<(String, String, i64)> {
    let v: Value = reqwest::Client::new()
        .get(format!("http://{addr}/api/admin/jobs"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["target"].as_str().unwrap().to_owned(),
                c["state"].as_str().unwrap().to_owned(),
                c["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Waits until no job is pending or running (a hang guard of a minute, not a timing assertion).
pub async fn settled(addr: SocketAddr) -> Vec<(String, String, i64)> {
    let mut last = Vec::new();
    for _ in 0..600 {
        last = job_states(addr).await;
        if !last
            .iter()
            .any(|(_, s, n)| *n > 0 && (s == "pending" || s == "running"))
        {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the outbox did not drain: {last:?}");
}

/// Waits until `check` holds, up to a minute (a hang guard, not a timing assertion).
pub async fn until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..600 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited a minute for {what}");
}

/// Generates one test per database from one async body `fn(Db)`.
#[macro_export]
macro_rules! both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Db::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Db::Postgres).await;
                }
            )*
        }
    };
}
