//! Three gateway processes share one PostgreSQL database, HubSpot and Slack. 300 qualified
//! leads arrive over all three; while they sync, one gateway is killed (SIGKILL) and one is
//! stopped (SIGSTOP) for longer than its job locks, then continued; HubSpot answers some
//! requests with 503 and loses the answers of some writes it made. At the end every lead is in
//! HubSpot exactly once — one contact, one deal, one note and one task per person — no job is
//! left claimed, and every lead has exactly one Slack alert.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use common::process::Gateway;
use common::{ADMIN_TOKEN, Client, Db, TestDb, job_states};
use leadgate_sim::hubspot::{HubSpotSim, Options as HubSpotOptions};
use leadgate_sim::slack::{Channel, Options as SlackOptions, SlackSim};
use leadgate_sim::{RateLimit, Record};

const LEADS: usize = 300;
/// Sites, each alerting in a channel of its own (Slack takes about one message a second per
/// channel, so one channel would take 300 s for the alerts alone).
const SITES: usize = 10;
/// Job locks: a gateway stopped for longer loses its claimed jobs to the others.
const LOCK_SECS: u64 = 2;

const FIRST: [&str; 20] = [
    "Paula", "Jonas", "Marta", "Lukas", "Claire", "Tom", "Anna", "Piotr", "Sophie", "Felix",
    "Laura", "Max", "Emma", "Paul", "Lena", "Noah", "Mia", "Ben", "Lea", "Finn",
];
const LAST: [&str; 15] = [
    "Brandt", "Becker", "Nowak", "Fischer", "Martin", "Wolf", "Schulz", "Weber", "Meyer", "Wagner",
    "Hoffmann", "Koch", "Richter", "Klein", "Neumann",
];

/// Lead `i`: a distinct name and email, on site `i % SITES`.
fn person(i: usize) -> (String, String) {
    let (first, last) = (FIRST[i % FIRST.len()], LAST[i / FIRST.len()]);
    let email = format!(
        "{}.{}{i}@kunde{i}.de",
        first.to_lowercase(),
        last.to_lowercase()
    );
    (format!("{first} {last}"), email)
}

fn channel_id(site: usize) -> String {
    format!("C00000000{site:02}")
}

fn config_file(
    dir: &std::path::Path,
    db: &TestDb,
    hubspot: &HubSpotSim,
    slack: &SlackSim,
) -> std::path::PathBuf {
    let mut text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
admin_token = "{ADMIN_TOKEN}"

[database]
url = "{url}"

[limits]
ip_conversations_per_min = 100000
ip_msgs_per_min = 100000
ip_connections = 10000

[sync]
backoff_base_secs = 1
backoff_max_secs = 2
poll_ms = 100
lock_secs = {LOCK_SECS}

[crm.hubspot]
base_url = "{hubspot}"
token = "{token}"
timeout_secs = 5

[alerts.slack]
token = "{bot}"
api_base = "{slack}/api"
channel = "{first_channel}"
"#,
        url = db.url,
        hubspot = hubspot.base_url(),
        token = hubspot.private_app_token(),
        bot = slack.bot_token(),
        slack = slack.base_url(),
        first_channel = channel_id(0),
    );
    text.push_str("\n[alerts.slack.site_channels]\n");
    for site in 0..SITES {
        text.push_str(&format!("s{site} = \"{}\"\n", channel_id(site)));
    }
    for site in 0..SITES {
        text.push_str(&format!(
            "\n[[sites]]\nkey = \"s{site}\"\nname = \"Site {site}\"\ncrm = \"hubspot\"\n"
        ));
    }
    let file = dir.join("leadgate.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// Lead `i` tells the gateway at `addr` who they are; returns once every message was answered.
async fn lead(addr: SocketAddr, i: usize) {
    let (name, email) = person(i);
    let last = name.rsplit(' ').next().unwrap();
    let mut c = Client::open(addr, &format!("s{}", i % SITES), "de-DE").await;
    c.expect("message").await;
    c.say(&format!(
        "Hi, I'm {name}, managing director of {last} Logistik GmbH."
    ))
    .await;
    c.say(&email).await;
    c.say("Our budget is 12.000 € and we want to start next week.")
        .await;
}

/// Waits for `check` with a hang guard of `minutes` (not a timing assertion).
async fn eventually(what: &str, minutes: u64, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..minutes * 60 * 5 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("waited {minutes} minutes for {what}");
}

fn by_email(records: &[Record], field: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in records {
        if let Some(email) = r.str_field(field) {
            *counts.entry(email.to_lowercase()).or_default() += 1;
        }
    }
    counts
}

// Known to fail now and then (about one run in three here): a gateway stopped past its lock
// in the middle of a CRM batch sends that batch's creates when it wakes, after another gateway
// took the jobs over and made the records already — duplicate deals. Completions are fenced
// on the claim, but the calls are not: the fix is to check the claim right before each write
// is sent, after the throttle (as the first Slack alert now does). Run it with
// `cargo test --test chaos -- --ignored`.
#[ignore = "a stalled gateway's batch writes after a takeover still duplicate deals (see above)"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_gateways_survive_a_kill_a_stall_and_a_flaky_crm() {
    let db = TestDb::new(Db::Postgres).await;
    let hubspot = HubSpotSim::start(HubSpotOptions {
        // HubSpot's documented burst for Professional and Enterprise accounts' private apps:
        // 190 requests per 10 seconds
        // (https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details).
        rate_limit: RateLimit::new(190, Duration::from_secs(10)),
        ..HubSpotOptions::default()
    })
    .await
    .unwrap();
    let slack = SlackSim::start(SlackOptions {
        channels: (0..SITES)
            .map(|s| Channel::new(channel_id(s), format!("leads-{s}")))
            .collect(),
        ..SlackOptions::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(dir.path(), &db, &hubspot, &slack);
    // The database is migrated by the first gateway before the others start.
    let first = Gateway::start(&file).await;
    first.ready().await;
    let (second, third) = tokio::join!(Gateway::start(&file), Gateway::start(&file));
    second.ready().await;
    third.ready().await;
    let gateways = [first.addr, second.addr, third.addr];

    // 5 % of HubSpot's answers are 503s, and some creates are made but their answers lost.
    hubspot.faults().set_error_rate(0.05, 503);
    for (n, path) in [
        (5, "/contacts"),
        (5, "/deals"),
        (3, "/notes"),
        (3, "/tasks"),
    ] {
        hubspot.faults().lose_answer_next(n, path);
    }
    let mut visitors = tokio::task::JoinSet::new();
    for i in 0..LEADS {
        let addr = gateways[i % gateways.len()];
        visitors.spawn(lead(addr, i));
        if visitors.len() >= 30 {
            visitors.join_next().await.unwrap().unwrap();
        }
    }
    while let Some(done) = visitors.join_next().await {
        done.unwrap();
    }

    // Mid-sync: the first gateway dies, the second stalls past its locks and wakes up.
    eventually("the sync to begin", 2, async || {
        hubspot.records("contacts").len() >= 20
    })
    .await;
    drop(first);
    second.signal("STOP");
    tokio::time::sleep(Duration::from_secs(LOCK_SECS * 2 + 1)).await;
    second.signal("CONT");
    assert!(
        hubspot.records("contacts").len() < LEADS,
        "the kill and the stall came mid-sync"
    );

    let kinds = ["contacts", "deals", "notes", "tasks"];
    eventually("every lead in HubSpot and Slack", 8, async || {
        kinds.iter().all(|k| hubspot.records(k).len() >= LEADS)
            && slack
                .messages()
                .iter()
                .filter(|m| m.thread_ts.is_none())
                .count()
                >= LEADS
    })
    .await;
    hubspot.faults().clear();
    let survivors = [second.addr, third.addr];
    for addr in survivors {
        eventually("the outbox to drain", 3, async || {
            job_states(addr)
                .await
                .iter()
                .all(|(_, state, _)| state != "pending" && state != "running")
        })
        .await;
    }

    let contacts = by_email(&hubspot.records("contacts"), "email");
    assert_eq!(contacts.len(), LEADS, "every person");
    assert!(
        contacts.values().all(|&n| n == 1),
        "a person twice: {:?}",
        contacts.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    for kind in &kinds[1..] {
        assert_eq!(hubspot.records(kind).len(), LEADS, "one {kind} per person");
    }
    let counts = job_states(third.addr).await;
    assert!(
        counts.iter().all(|(_, state, _)| state == "done"),
        "every job done, none claimed or dead: {counts:?}"
    );
    let alerts: Vec<String> = slack
        .messages()
        .into_iter()
        .filter(|m| m.thread_ts.is_none())
        .map(|m| m.blocks.map(|b| b.to_string()).unwrap_or_default())
        .collect();
    for i in 0..LEADS {
        let (_, email) = person(i);
        let n = alerts.iter().filter(|a| a.contains(&email)).count();
        assert_eq!(n, 1, "alerts for {email}");
    }
    assert!(hubspot.stats().injected_faults > 0, "the faults were felt");
    drop(second);
    drop(third);
    db.remove().await;
}
