//! A sales rep answering from Slack, measured the way the visitor meets it: leads qualify over
//! real websockets, their alerts reach the Slack simulator, a rep claims each one and writes in
//! the alert's thread (signed Events API requests, as Slack sends them), and the time from the
//! moment Slack sends the event to the moment the rep's words arrive on the visitor's socket is
//! recorded. Every rep message is distinct; the visitors' sockets stay open throughout.
//!
//! cargo bench --bench handoff            (LEADS=30, MESSAGES=10 per lead by default)

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use leadgate::alerts::SlackConfig;
use leadgate::config::{Config, SiteConfig};
use leadgate_sim::slack::{Options, SlackSim};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const ADMIN: &str = "bench-admin-token-0123456789abcdef";
const CHANNEL: &str = "C0123456789";
const REP: &str = "U0REPANNA";

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn config(db: &str, slack: &SlackSim) -> Config {
    let mut c = Config::default();
    c.server.listen = "127.0.0.1:0".into();
    c.server.admin_token = Some(ADMIN.into());
    c.database.url = db.to_owned();
    c.sites = vec![SiteConfig::demo()];
    c.alerts.slack = Some(SlackConfig {
        token: Some(slack.bot_token().to_owned().into()),
        channel: Some(CHANNEL.into()),
        api_base: format!("{}/api", slack.base_url()),
        signing_secret: Some(slack.signing_secret().to_owned().into()),
        ..SlackConfig::default()
    });
    c.sync.poll_ms = 50;
    // Each visitor sends three messages; the rate limits are not what is measured.
    c.limits.ip_msgs_per_min = 100_000;
    c.limits.ip_connections = 10_000;
    c.limits.ip_conversations_per_min = 100_000;
    c
}

/// What lead `i` says: a decision maker, an email, a budget and a start next week.
fn script(i: usize) -> [String; 3] {
    [
        format!("Hi, I'm managing director of Firma {i} GmbH and I decide on the budget."),
        format!("lead{i}@firma{i}.de"),
        format!(
            "Our budget is {}.000 € and we want to start next week.",
            10 + i % 40
        ),
    ]
}

/// Sends a visitor message and reads until the bot stops typing.
async fn say(ws: &mut Ws, id: &str, text: &str) -> String {
    let frame = json!({"type": "message", "client_msg_id": id, "text": text});
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
    let mut session = String::new();
    while let Some(Ok(msg)) = ws.next().await {
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == "welcome" {
                session = v["session_id"].as_str().unwrap_or_default().to_owned();
            }
            if v["type"] == "typing" && v["on"] == false {
                return session;
            }
        }
    }
    panic!("socket closed mid-turn");
}

/// Opens a visitor's socket, qualifies the lead and returns the socket and the session id.
async fn qualified(addr: SocketAddr, i: usize) -> (Ws, String) {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    let hello = json!({"type": "hello", "v": 1, "site": "demo", "locale": "en-GB"});
    ws.send(Message::Text(hello.to_string().into()))
        .await
        .unwrap();
    let session = loop {
        let Some(Ok(Message::Text(t))) = ws.next().await else {
            panic!("no welcome")
        };
        let v: Value = serde_json::from_str(t.as_str()).unwrap();
        if v["type"] == "welcome" {
            break v["session_id"].as_str().unwrap().to_owned();
        }
    };
    for (n, text) in script(i).iter().enumerate() {
        say(&mut ws, &format!("m{n}"), text).await;
    }
    (ws, session)
}

/// Records when each rep message (by text) reaches a visitor's socket.
fn watch(mut ws: Ws, arrived: Arc<Mutex<HashMap<String, Instant>>>) {
    tokio::spawn(async move {
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Text(t) = msg {
                let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                if v["type"] == "message" && v["role"] == "rep" {
                    let text = v["text"].as_str().unwrap_or_default().to_owned();
                    arrived.lock().unwrap().insert(text, Instant::now());
                }
            }
        }
    });
}

async fn alert_ts(slack: &SlackSim, i: usize) -> String {
    let email = format!("lead{i}@firma{i}.de");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let found = slack.messages().into_iter().find(|m| {
            m.thread_ts.is_none()
                && m.blocks
                    .as_ref()
                    .is_some_and(|b| b.to_string().contains(&email))
        });
        if let Some(m) = found {
            return m.ts;
        }
        assert!(Instant::now() < deadline, "no alert for lead {i}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn run(leads: usize, per_lead: usize) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("handoff.db").display());
    let slack = SlackSim::start(Options::default()).await.unwrap();
    let gw = leadgate::app::spawn(config(&db, &slack)).await.unwrap();
    let interactions = format!("http://{}/slack/interactions", gw.addr);
    let events = format!("http://{}/slack/events", gw.addr);
    let arrived: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();

    let mut threads = Vec::new();
    for i in 0..leads {
        let (ws, session) = qualified(gw.addr, i).await;
        watch(ws, arrived.clone());
        threads.push((i, session));
    }
    let mut claimed = Vec::new();
    for (i, session) in threads {
        let ts = alert_ts(&slack, i).await;
        let reply = slack
            .click(&interactions, REP, &ts, CHANNEL, "claim", Some(&session))
            .await
            .unwrap();
        assert_eq!(reply.status, Some(200), "claim of lead {i}");
        claimed.push((i, ts));
    }

    // Rep messages, round-robin over the leads so that every socket is exercised throughout.
    let mut sent = HashMap::new();
    for k in 0..per_lead {
        for (i, ts) in &claimed {
            let text = format!(
                "Lead {i}, message {k}: shall we talk at {}:{:02}?",
                9 + k % 8,
                (i * 7) % 60
            );
            let at = Instant::now();
            let reply = slack
                .thread_reply(&events, REP, CHANNEL, ts, &text)
                .await
                .unwrap();
            assert_eq!(reply.status, Some(200));
            sent.insert(text, at);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    gw.stop().await.unwrap();

    let arrived = arrived.lock().unwrap();
    let mut ms: Vec<f64> = sent
        .iter()
        .filter_map(|(text, at)| {
            arrived
                .get(text)
                .map(|a| a.duration_since(*at).as_secs_f64() * 1000.0)
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let at = (ms.len() as f64 * p).ceil() as usize;
        ms.get(at.max(1) - 1).copied().unwrap_or(f64::NAN)
    };
    println!(
        "## Rep message in Slack to the visitor's widget, {leads} leads × {per_lead} messages\n"
    );
    println!("| measure | figure |\n|---|---|");
    println!("| delivered | {} of {} |", ms.len(), sent.len());
    println!("| p50 | {:.1} ms |", pct(0.50));
    println!("| p90 | {:.1} ms |", pct(0.90));
    println!("| p99 | {:.1} ms |", pct(0.99));
    println!("| max | {:.1} ms |", ms.last().copied().unwrap_or(f64::NAN));
    println!();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and wants it fast.
    let full = std::env::args().any(|a| a == "--bench");
    let var = |name: &str, full_value: usize, quick: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if full { full_value } else { quick })
    };
    let (leads, per_lead) = (var("LEADS", 30, 2), var("MESSAGES", 10, 2));
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(leads, per_lead));
}
