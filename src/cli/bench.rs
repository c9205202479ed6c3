//! `leadgate bench ws`: a load tool for a running gateway. Opens N concurrent conversations over
//! real websockets, measures the server's memory per idle connection (from its `/metrics`), then
//! has every conversation talk and reports turn latency percentiles — the time from sending a
//! visitor message to receiving the assistant's reply.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Mutex, Semaphore};
use tokio_tungstenite::tungstenite::Message;

/// Options of `leadgate bench ws`.
#[derive(Debug, Args)]
pub struct WsBench {
    /// The gateway's websocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws")]
    pub url: String,
    /// Site key to chat on.
    #[arg(long, default_value = "demo")]
    pub site: String,
    /// Concurrent conversations.
    #[arg(long, default_value_t = 1000)]
    pub conversations: usize,
    /// Visitor messages per conversation.
    #[arg(long, default_value_t = 3)]
    pub turns: usize,
    /// Pause between a reply and the visitor's next message, in milliseconds (each
    /// conversation also starts after a random share of it, so turns spread out).
    #[arg(long, default_value_t = 5000)]
    pub think_ms: u64,
    /// Connections opened at once while ramping up.
    #[arg(long, default_value_t = 200)]
    pub connect_parallelism: usize,
}

/// What one run measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub conversations: usize,
    pub connected: usize,
    pub failed_connections: usize,
    pub turns: usize,
    pub failed_turns: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub turns_per_second: f64,
    pub server_memory_before_bytes: Option<u64>,
    pub server_memory_idle_bytes: Option<u64>,
    pub memory_per_idle_connection_bytes: Option<u64>,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The messages each simulated visitor sends, in turn.
const LINES: &[&str] = &[
    "Hi, I'm Jordan Lee from Northwind Traders, we're looking for a chatbot for our shop.",
    "jordan.lee@northwind-traders.example.com",
    "Our budget is about 8k EUR and we'd like to start next month.",
    "I make the final decision.",
    "Do you integrate with HubSpot?",
];

async fn server_memory(metrics_url: &str) -> Option<u64> {
    let text = reqwest::get(metrics_url).await.ok()?.text().await.ok()?;
    text.lines()
        .find(|l| l.starts_with("process_resident_memory_bytes"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse::<f64>().ok())
        .map(|v| v as u64)
}

async fn recv_json(ws: &mut Socket) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(60), ws.next())
            .await
            .ok()??
        {
            Ok(Message::Text(t)) => return serde_json::from_str(t.as_str()).ok(),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

async fn open(url: &str, site: &str) -> Option<Socket> {
    let (mut ws, _) =
        tokio_tungstenite::connect_async_with_config(format!("{url}?site={site}"), None, true)
            .await
            .ok()?;
    let hello = json!({"type": "hello", "v": 1, "site": site, "last_seq": 0, "locale": "en-GB"});
    ws.send(Message::Text(hello.to_string().into()))
        .await
        .ok()?;
    // The welcome, then the greeting.
    let welcome = recv_json(&mut ws).await?;
    (welcome["type"] == "welcome").then_some(())?;
    loop {
        let f = recv_json(&mut ws).await?;
        if f["type"] == "message" {
            return Some(ws);
        }
    }
}

/// One turn: send, wait for the bot's reply; the time it took.
async fn turn(ws: &mut Socket, id: &str, text: &str) -> Option<Duration> {
    let start = Instant::now();
    let frame = json!({"type": "message", "client_msg_id": id, "text": text});
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .ok()?;
    loop {
        let f = recv_json(ws).await?;
        match f["type"].as_str() {
            Some("message") if f["role"] == "bot" => return Some(start.elapsed()),
            Some("error") => return None,
            _ => continue,
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Runs the benchmark: opens the conversations, measures the server's memory idle, then has
/// each conversation take its turns.
pub async fn run(opts: &WsBench) -> anyhow::Result<Report> {
    let http = opts
        .url
        .replacen("ws://", "http://", 1)
        .replacen("wss://", "https://", 1);
    let metrics_url = format!(
        "{}/metrics",
        http.trim_end_matches("/ws").trim_end_matches('/')
    );
    let before = server_memory(&metrics_url).await;
    let (sockets, failed) = connect_all(opts).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = server_memory(&metrics_url).await;
    let connected = sockets.len();
    let per_connection = match (before, idle) {
        (Some(b), Some(i)) if connected > 0 => Some(i.saturating_sub(b) / connected as u64),
        _ => None,
    };
    let started = Instant::now();
    let (mut l, failed_turns) = converse(sockets, opts).await;
    let elapsed = started.elapsed().as_secs_f64();
    l.sort_by(|a, b| a.total_cmp(b));
    Ok(Report {
        conversations: opts.conversations,
        connected,
        failed_connections: failed,
        turns: l.len(),
        failed_turns,
        p50_ms: percentile(&l, 50.0),
        p90_ms: percentile(&l, 90.0),
        p99_ms: percentile(&l, 99.0),
        max_ms: l.last().copied().unwrap_or(0.0),
        turns_per_second: l.len() as f64 / elapsed.max(1e-9),
        server_memory_before_bytes: before,
        server_memory_idle_bytes: idle,
        memory_per_idle_connection_bytes: per_connection,
    })
}

/// Opens `conversations` sockets, `connect_parallelism` at a time; returns those that opened
/// and how many did not.
async fn connect_all(opts: &WsBench) -> (Vec<Socket>, usize) {
    let sockets: Arc<Mutex<Vec<Socket>>> =
        Arc::new(Mutex::new(Vec::with_capacity(opts.conversations)));
    let failed = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Semaphore::new(opts.connect_parallelism.max(1)));
    let mut tasks = Vec::with_capacity(opts.conversations);
    for _ in 0..opts.conversations {
        let (url, site) = (opts.url.clone(), opts.site.clone());
        let (sockets, failed, gate) = (sockets.clone(), failed.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await;
            match open(&url, &site).await {
                Some(ws) => sockets.lock().await.push(ws),
                None => {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let sockets = std::mem::take(&mut *sockets.lock().await);
    (sockets, failed.load(Ordering::Relaxed))
}

/// Each socket takes `turns` turns, `think_ms` apart; returns the turns' latencies in
/// milliseconds and how many turns failed.
async fn converse(sockets: Vec<Socket>, opts: &WsBench) -> (Vec<f64>, usize) {
    let connected = sockets.len();
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(connected * opts.turns)));
    let failed_turns = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(connected);
    for (n, mut ws) in sockets.into_iter().enumerate() {
        let (latencies, failed_turns) = (latencies.clone(), failed_turns.clone());
        let (turns, think) = (opts.turns, opts.think_ms);
        tasks.push(tokio::spawn(async move {
            // Spread the first turns over one think time.
            let offset = if think == 0 {
                0
            } else {
                (n as u64 * 7919) % think
            };
            tokio::time::sleep(Duration::from_millis(offset)).await;
            for t in 0..turns {
                let id = format!("bench-{n}-{t}");
                match turn(&mut ws, &id, LINES[t % LINES.len()]).await {
                    Some(d) => latencies.lock().await.push(d.as_secs_f64() * 1000.0),
                    None => {
                        failed_turns.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
                // Read what else the turn sent (the typing-off frame) before thinking.
                tokio::time::sleep(Duration::from_millis(think)).await;
            }
            let _ = ws.close(None).await;
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let latencies = std::mem::take(&mut *latencies.lock().await);
    (latencies, failed_turns.load(Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 51.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }
}
