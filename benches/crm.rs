//! CRM sync against the simulators, with HubSpot's default limits (100 requests per 10 s,
//! search 5 per second):
//!
//! 1. a backlog of qualified leads (5,000 by default, `LEADS=n` to change) is drained: leads
//!    synced per second, API calls per lead, share of the rate limit used, 429s and losses;
//! 2. leads qualify one by one while the CRM is healthy: time from the visitor's qualifying
//!    message to the Slack alert (p50, p99).
//!
//! cargo bench --bench crm

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use leadgate::alerts::SlackConfig;
use leadgate::chat::Opening;
use leadgate::config::{Config, SiteConfig};
use leadgate::crm::CrmKind;
use leadgate_sim::hubspot::{HubSpotSim, Options};
use leadgate_sim::slack::SlackSim;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const ADMIN: &str = "bench-admin-token-0123456789abcdef012";

/// What each lead says: a decision maker, an email, a budget and a start next week.
fn script(i: usize) -> [String; 3] {
    [
        format!("Hi, I run Firma {i} GmbH and I decide on the budget."),
        format!("lead{i}@firma{i}.de"),
        "Our budget is 12.000 € and we want to start next week.".to_owned(),
    ]
}

fn config(db: &str, hubspot: &HubSpotSim) -> Config {
    let mut c = Config::default();
    c.server.listen = "127.0.0.1:0".into();
    c.server.admin_token = Some(ADMIN.into());
    c.database.url = db.to_owned();
    c.sites = vec![SiteConfig {
        crm: CrmKind::Hubspot,
        ..SiteConfig::demo()
    }];
    c.crm.hubspot = Some(leadgate::crm::hubspot::Config {
        base_url: hubspot.base_url().to_owned(),
        token: hubspot.private_app_token().into(),
        ..Default::default()
    });
    c.sync.poll_ms = 100;
    c
}

async fn job_counts(addr: std::net::SocketAddr) -> HashMap<String, i64> {
    let v: Value = reqwest::Client::new()
        .get(format!("http://{addr}/api/admin/jobs?limit=1"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("admin API")
        .json()
        .await
        .expect("admin JSON");
    let mut out = HashMap::new();
    for c in v["counts"].as_array().into_iter().flatten() {
        *out.entry(c["state"].as_str().unwrap_or("").to_owned())
            .or_default() += c["count"].as_i64().unwrap_or(0);
    }
    out
}

async fn backlog(leads: usize) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bench.db").display());
    let hubspot = HubSpotSim::start(Options::default()).await.unwrap();
    let cfg = config(&db, &hubspot);

    // The backlog: conversations recorded with no worker running.
    let made = Instant::now();
    {
        let state = leadgate::app::build(cfg.clone(), Default::default())
            .await
            .unwrap();
        for i in 0..leads {
            let mut session = state
                .chat
                .start(
                    "demo",
                    Opening {
                        locale: Some("en-GB".into()),
                        ..Opening::default()
                    },
                )
                .await
                .unwrap();
            for text in script(i) {
                state
                    .chat
                    .visitor_message(&mut session, None, text, 0, None)
                    .await
                    .unwrap();
            }
        }
    }
    eprintln!(
        "backlog of {leads} leads recorded in {:.1?}",
        made.elapsed()
    );

    let gw = leadgate::app::spawn(cfg).await.unwrap();
    let start = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let c = job_counts(gw.addr).await;
        let open = c.get("pending").copied().unwrap_or(0) + c.get("running").copied().unwrap_or(0);
        if open == 0 {
            break;
        }
    }
    let took = start.elapsed().as_secs_f64();
    let counts = job_counts(gw.addr).await;
    gw.stop().await.unwrap();

    let stats = hubspot.stats();
    let [contacts, deals, notes, tasks] =
        ["contacts", "deals", "notes", "tasks"].map(|o| hubspot.records(o).len());
    let search = stats
        .per_route
        .iter()
        .filter(|(r, _)| r.ends_with("/search"))
        .map(|(_, n)| n)
        .sum::<u64>();
    let main = stats.total_requests - search;
    println!("## Backlog of {leads} qualified leads, HubSpot 100 requests / 10 s, search 5 / s\n");
    println!("| measure | figure |\n|---|---|");
    println!("| drained in | {took:.1} s |");
    println!("| leads synced per second | {:.1} |", leads as f64 / took);
    println!(
        "| API calls per lead | {:.2} ({} calls: {} burst-window, {} search) |",
        stats.total_requests as f64 / leads as f64,
        stats.total_requests,
        main,
        search
    );
    println!(
        "| burst window used | {:.0} % ({:.2} of 10 requests/s) |",
        main as f64 / took / 10.0 * 100.0,
        main as f64 / took
    );
    println!(
        "| search limit used | {:.0} % ({:.2} of 5 requests/s) |",
        search as f64 / took / 5.0 * 100.0,
        search as f64 / took
    );
    println!("| 429 answers | {} |", stats.rate_limited);
    println!(
        "| in HubSpot: contacts / deals / notes / tasks | {contacts} / {deals} / {notes} / {tasks} |"
    );
    println!(
        "| leads lost (jobs dead) | {} |",
        counts.get("dead").copied().unwrap_or(0)
    );
    let mut routes: Vec<_> = stats.per_route.iter().collect();
    routes.sort_by(|a, b| b.1.cmp(a.1));
    println!("\nCalls by route:\n");
    for (route, n) in routes {
        println!("- `{route}`: {n}");
    }
    println!();
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Sends a visitor message and reads until the bot stops typing.
async fn say(ws: &mut Ws, id: &str, text: &str) {
    let frame = json!({"type": "message", "client_msg_id": id, "text": text});
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
    while let Some(Ok(msg)) = ws.next().await {
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == "typing" && v["on"] == false {
                return;
            }
        }
    }
    panic!("socket closed mid-turn");
}

async fn alerts(leads: usize) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("alerts.db").display());
    let hubspot = HubSpotSim::start(Options::default()).await.unwrap();
    let slack = Arc::new(
        SlackSim::start(leadgate_sim::slack::Options::default())
            .await
            .unwrap(),
    );
    let mut cfg = config(&db, &hubspot);
    cfg.alerts.slack = Some(SlackConfig {
        webhook_url: Some(slack.webhook_url().into()),
        ..SlackConfig::default()
    });
    let gw = leadgate::app::spawn(cfg).await.unwrap();

    // When each alert was first seen, by the lead's number in its text.
    let seen: Arc<Mutex<HashMap<usize, Instant>>> = Arc::default();
    let watcher = tokio::spawn({
        let (seen, slack) = (seen.clone(), slack.clone());
        async move {
            loop {
                let messages = slack.messages();
                {
                    let mut seen = seen.lock().unwrap();
                    for i in 0..leads {
                        if seen.contains_key(&i) {
                            continue;
                        }
                        let email = format!("lead{i}@firma{i}.de");
                        let alerted = messages.iter().any(|m| {
                            m.blocks
                                .as_ref()
                                .is_some_and(|b| b.to_string().contains(&email))
                        });
                        if alerted {
                            seen.insert(i, Instant::now());
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    });

    let mut qualified_at = HashMap::new();
    for i in 0..leads {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", gw.addr))
            .await
            .unwrap();
        let hello = json!({"type": "hello", "v": 1, "site": "demo", "locale": "en-GB"});
        ws.send(Message::Text(hello.to_string().into()))
            .await
            .unwrap();
        let [a, b, c] = script(i);
        say(&mut ws, "m1", &a).await;
        say(&mut ws, "m2", &b).await;
        let sent = Instant::now();
        say(&mut ws, "m3", &c).await;
        qualified_at.insert(i, sent);
        // Slack takes one message per second per channel.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    watcher.abort();
    gw.stop().await.unwrap();

    let seen = seen.lock().unwrap();
    let mut delays: Vec<f64> = qualified_at
        .iter()
        .filter_map(|(i, t)| {
            seen.get(i)
                .map(|s| s.duration_since(*t).as_secs_f64() * 1000.0)
        })
        .collect();
    delays.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let at = (delays.len() as f64 * p).ceil() as usize;
        delays.get(at.max(1) - 1).copied().unwrap_or(f64::NAN)
    };
    println!("## Qualification to Slack alert, healthy CRM, {leads} leads\n");
    println!("| measure | figure |\n|---|---|");
    println!("| alerts received | {} of {leads} |", delays.len());
    println!("| p50 | {:.0} ms |", pct(0.50));
    println!("| p99 | {:.0} ms |", pct(0.99));
    println!("| max | {:.0} ms |", delays.last().copied().unwrap_or(0.0));
    println!();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and wants it fast.
    let full = std::env::args().any(|a| a == "--bench");
    let leads: usize = std::env::var("LEADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 5000 } else { 20 });
    let alert_leads: usize = std::env::var("ALERT_LEADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 30 } else { 2 });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        backlog(leads).await;
        alerts(alert_leads).await;
    });
}
