//! Erasure, black box, on SQLite and PostgreSQL: after an operator erases a visitor, no copy of
//! their name, email or phone is left in any table (or, on SQLite, anywhere in the database's
//! files), their open sockets are closed, and nothing writes them back.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{ADMIN_TOKEN, Client, Db, TestDb, admin_conversation, config, settled, start, until};
use leadgate::alerts::SlackConfig;
use leadgate::config::Config;
use leadgate_sim::hubspot::HubSpotSim;
use leadgate_sim::meta::{self, MetaSim};
use leadgate_sim::slack::SlackSim;
use serde_json::Value;

/// What identifies the visitor of these tests, in every form the gateway may store it.
const NEEDLES: [&str; 5] = [
    "p.brandt@brandt-logistik.de",
    "4915112345678",
    "151 12345678",
    "Paula",
    "Brandt",
];

/// Where in the database a needle still is: table (PostgreSQL) or file (SQLite) and needle.
async fn leftovers(db: &TestDb) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(path) = db.url.strip_prefix("sqlite://") {
        let path = std::path::Path::new(path);
        let dir = path.parent().expect("the database's directory");
        let stem = path.file_name().unwrap().to_string_lossy().into_owned();
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&stem) {
                continue;
            }
            let bytes = std::fs::read(entry.path()).unwrap().to_ascii_lowercase();
            for needle in NEEDLES {
                let needle = needle.to_ascii_lowercase();
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(format!("{name}: {needle}"));
                }
            }
        }
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(tables.len() > 10, "{tables:?}");
        for table in tables {
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT CAST(t AS TEXT) FROM \"{table}\" t"
            )))
            .fetch_all(&pool)
            .await
            .unwrap();
            for row in rows {
                let row = row.to_lowercase();
                for needle in NEEDLES {
                    if row.contains(&needle.to_lowercase()) {
                        found.push(format!("{table}: {needle} in {row}"));
                    }
                }
            }
        }
        pool.close().await;
    }
    found
}

async fn erase(addr: SocketAddr, id: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .delete(format!("http://{addr}/api/admin/conversations/{id}"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .status()
}

async fn admin(addr: SocketAddr, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("http://{addr}/api/admin/{path}"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// HubSpot for every site, and Slack alerts through the bot (so alerts have threads).
fn with_crm_and_slack(c: &mut Config, hubspot: &HubSpotSim, slack: &SlackSim) {
    for site in &mut c.sites {
        site.crm = leadgate::crm::CrmKind::Hubspot;
    }
    c.crm.hubspot = Some(leadgate::crm::hubspot::Config {
        base_url: hubspot.base_url().to_owned(),
        token: hubspot.private_app_token().to_owned().into(),
        timeout_secs: 5,
        ..Default::default()
    });
    c.alerts.slack = Some(SlackConfig {
        token: Some(slack.bot_token().to_owned().into()),
        channel: Some("C0123456789".into()),
        api_base: format!("{}/api", slack.base_url()),
        ..SlackConfig::default()
    });
    c.sync.poll_ms = 50;
    c.sync.backoff_base_secs = 1;
    c.sync.backoff_max_secs = 2;
}

/// WhatsApp for the demo site, through the simulator.
fn with_whatsapp(c: &mut Config, sim: &MetaSim) {
    use leadgate::channels::ChannelsConfig;
    use leadgate::channels::config::{WhatsappConfig, WhatsappNumber};
    let o = sim.options();
    c.channels = ChannelsConfig {
        order_window_ms: 200,
        whatsapp: Some(WhatsappConfig {
            app_secret: o.app_secret.clone().into(),
            verify_token: o.verify_token.clone().into(),
            access_token: o.access_token.clone().into(),
            graph_url: format!("{}/v25.0", sim.base_url()),
            reengagement_template: None,
            timeout_secs: 5,
            numbers: vec![WhatsappNumber {
                phone_number_id: o.phone_number_id.clone(),
                site: "demo".into(),
            }],
        }),
        ..ChannelsConfig::default()
    };
}

/// A WhatsApp sender who gives name, email and phone becomes a lead in HubSpot and Slack (every
/// table gets its copy: messages, revisions, webhook posts and events, deliveries, jobs, CRM
/// links, the alert); erased, none of it is left.
async fn erase_leaves_no_copy_of_the_visitor(db: Db) {
    let db = TestDb::new(db).await;
    let meta = MetaSim::start(meta::Options::default()).await.unwrap();
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    let slack = SlackSim::start(Default::default()).await.unwrap();
    let mut c = config(&db);
    with_crm_and_slack(&mut c, &hubspot, &slack);
    c.sites[0].locale = "de-DE".into();
    with_whatsapp(&mut c, &meta);
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    for line in [
        "Guten Tag, ich bin Paula Brandt, Geschäftsführerin der Brandt Logistik GmbH.",
        "Meine E-Mail ist p.brandt@brandt-logistik.de",
        "Unser Budget liegt bei 12.000 € und wir wollen nächste Woche starten. Ich entscheide das.",
    ] {
        let event = meta.whatsapp_text_event("4915112345678", "Paula", line);
        assert_eq!(meta.deliver(&url, &event).await.unwrap(), 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    until("the HubSpot contact and the Slack alert", || {
        !hubspot.records("contacts").is_empty() && !slack.messages().is_empty()
    })
    .await;
    settled(gw.addr).await;
    assert!(!leftovers(&db).await.is_empty(), "the visitor is stored");
    let list = admin(gw.addr, "conversations?channel=whatsapp").await;
    let id = list["conversations"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(erase(gw.addr, &id).await, 200);
    let found = leftovers(&db).await;
    assert!(found.is_empty(), "left after erasure: {found:#?}");
    let view = admin_conversation(gw.addr, &id).await;
    assert!(view["erased_ms"].is_number(), "{view}");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// An open tab cannot undo an erasure: its socket is told and closed, what it sends after is
/// not stored, and no job runs for the conversation.
async fn an_erased_conversation_takes_no_more_writes(db: Db) {
    let db = TestDb::new(db).await;
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    let slack = SlackSim::start(Default::default()).await.unwrap();
    // Slack is down: the alert waits in the outbox when the visitor is erased.
    slack.faults().fail_next(1000, 503);
    let mut c = config(&db);
    with_crm_and_slack(&mut c, &hubspot, &slack);
    let gw = start(c).await;
    let mut tab = Client::open(gw.addr, "demo", "en-GB").await;
    tab.say("Hi, I'm Paula Brandt, managing director of Brandt Logistik GmbH.")
        .await;
    tab.say("p.brandt@brandt-logistik.de").await;
    tab.say("Our budget is 12.000 € and we want to start next week. I decide.")
        .await;
    let id = tab.session_id.clone().unwrap();
    // The alert waits for its retry (a call already under way when the erasure comes is not
    // this test's subject).
    for _ in 0..600 {
        let jobs = admin(gw.addr, "jobs").await;
        let waiting = jobs["jobs"].as_array().unwrap().iter().any(|j| {
            j["kind"] == "slack_alert" && j["state"] == "pending" && j["last_error"].is_string()
        });
        if waiting {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(erase(gw.addr, &id).await, 200);
    // Whatever the tab had in memory, it says again.
    tab.send(
        serde_json::json!({"type": "message", "client_msg_id": "after-erase",
        "text": "I'm Paula Brandt, p.brandt@brandt-logistik.de, +49 151 12345678"}),
    )
    .await;
    let mut frames = Vec::new();
    while let Some(f) = tab.recv().await {
        frames.push(f);
    }
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "error" && f["code"] == "erased"),
        "the tab is told: {frames:?}"
    );
    slack.faults().clear();
    settled(gw.addr).await;
    let view = admin_conversation(gw.addr, &id).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 0, "{view}");
    assert!(view["lead"].is_null(), "{view}");
    assert!(
        slack.messages().is_empty(),
        "no alert for an erased visitor"
    );
    let found = leftovers(&db).await;
    assert!(found.is_empty(), "written back: {found:#?}");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// With `erase_in_crm`, erasing a visitor deletes the contact, deal, note and task leadgate made
/// in HubSpot (the contact through HubSpot's GDPR delete); the Slack alert and the update
/// leadgate posted in its thread go too (`erase_in_slack`, on by default). The company stays.
async fn erase_in_crm_and_slack_deletes_the_records_there(db: Db) {
    let db = TestDb::new(db).await;
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    let slack = SlackSim::start(Default::default()).await.unwrap();
    let mut c = config(&db);
    with_crm_and_slack(&mut c, &hubspot, &slack);
    c.privacy.erase_in_crm = true;
    let gw = start(c).await;
    let mut tab = Client::open(gw.addr, "demo", "en-GB").await;
    tab.say("Hi, I'm Paula Brandt, managing director of Brandt Logistik GmbH.")
        .await;
    tab.say("p.brandt@brandt-logistik.de").await;
    tab.say("Our budget is 12.000 € and we want to start next week. I decide.")
        .await;
    let kinds = ["contacts", "deals", "notes", "tasks"];
    until("the lead's records in HubSpot and the alert", || {
        kinds.iter().all(|k| !hubspot.records(k).is_empty()) && !slack.messages().is_empty()
    })
    .await;
    settled(gw.addr).await;
    // A new fact: the alert's update goes in its thread.
    tab.say("My mobile is +49 151 12345678").await;
    until("the update in the alert's thread", || {
        slack.messages().iter().any(|m| m.thread_ts.is_some())
    })
    .await;
    settled(gw.addr).await;
    let id = tab.session_id.clone().unwrap();
    assert_eq!(erase(gw.addr, &id).await, 200);
    until("the records deleted in HubSpot and Slack", || {
        kinds.iter().all(|k| hubspot.records(k).is_empty()) && slack.messages().is_empty()
    })
    .await;
    settled(gw.addr).await;
    let jobs = admin(gw.addr, "jobs").await;
    for kind in ["crm_erase", "slack_erase"] {
        let done: Vec<_> = jobs["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["kind"] == kind)
            .collect();
        assert!(
            done.len() == 1 && done[0]["state"] == "done",
            "{kind} ran once: {jobs}"
        );
    }
    let found = leftovers(&db).await;
    assert!(found.is_empty(), "left after erasure: {found:#?}");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A visitor on the web who gives a name, an email and maybe a phone.
async fn visitor(addr: SocketAddr, email: &str, phone: Option<&str>) -> String {
    let mut c = Client::open(addr, "demo", "en-GB").await;
    c.say("Hi, I'm Paula Brandt from Brandt Logistik GmbH.")
        .await;
    match phone {
        Some(p) => c.say(&format!("{email}, phone {p}")).await,
        None => c.say(email).await,
    };
    c.session_id.clone().unwrap()
}

async fn subjects(addr: SocketAddr, query: &str, delete: bool) -> (u16, Value) {
    let url = format!("http://{addr}/api/admin/subjects?{query}");
    let client = reqwest::Client::new();
    let request = if delete {
        client.delete(url)
    } else {
        client.get(url)
    };
    let response = request.bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn ids(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

/// An access request finds every conversation of a person by email or phone, with all that is
/// stored; an erasure request by email erases all of them and nobody else.
async fn a_person_is_found_and_erased_across_conversations(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let first = visitor(gw.addr, "P.Brandt@Brandt-Logistik.de", None).await;
    let second = visitor(
        gw.addr,
        "p.brandt@brandt-logistik.de",
        Some("+49 151 4827 3190"),
    )
    .await;
    let other = visitor(gw.addr, "j_doe@example.com", None).await;
    let (status, found) = subjects(gw.addr, "email=p.brandt%40brandt-logistik.de", false).await;
    assert_eq!(status, 200, "{found}");
    let mut both = vec![first.clone(), second.clone()];
    both.sort();
    assert_eq!(ids(&found), both, "{found}");
    let texts = found.to_string();
    assert!(
        texts.contains("Paula Brandt"),
        "the messages are shown: {found}"
    );
    let (_, by_phone) = subjects(gw.addr, "phone=%2B4915148273190", false).await;
    assert_eq!(
        ids(&by_phone),
        vec![second.clone()],
        "{by_phone} {}",
        admin_conversation(gw.addr, &second).await
    );
    // A LIKE wildcard in the address finds nobody else.
    let (_, wildcard) = subjects(gw.addr, "email=j%25%40example.com", false).await;
    assert!(ids(&wildcard).is_empty(), "{wildcard}");
    for bad in ["", "email=not-an-address", "phone=12"] {
        let (status, v) = subjects(gw.addr, bad, false).await;
        assert_eq!(status, 400, "{bad}: {v}");
    }
    let (status, erased) = subjects(gw.addr, "email=p.brandt%40brandt-logistik.de", true).await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["erased"].as_array().unwrap().len(), 2, "{erased}");
    let (_, after) = subjects(gw.addr, "email=p.brandt%40brandt-logistik.de", false).await;
    assert!(ids(&after).is_empty(), "{after}");
    for id in [&first, &second] {
        assert!(admin_conversation(gw.addr, id).await["erased_ms"].is_number());
    }
    let kept = admin_conversation(gw.addr, &other).await;
    assert!(kept["erased_ms"].is_null(), "{kept}");
    assert!(!kept["messages"].as_array().unwrap().is_empty());
    gw.stop().await.unwrap();
    db.remove().await;
}

/// With `[privacy] retention_days`, a conversation silent for longer is erased by the gateway
/// on its own; a recent one is kept.
async fn conversations_past_their_retention_are_erased(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let old = visitor(gw.addr, "p.brandt@brandt-logistik.de", None).await;
    let recent = visitor(gw.addr, "j.doe@example.com", None).await;
    gw.stop().await.unwrap();
    // Forty days pass for the first conversation.
    let sql = format!(
        "UPDATE conversations SET updated_ms = updated_ms - 3456000000, started_ms = started_ms - 3456000000 WHERE id = '{old}'"
    );
    exec(&db, &sql).await;
    let mut c = config(&db);
    c.privacy.retention_days = Some(30);
    let gw = start(c).await;
    let mut erased = false;
    for _ in 0..600 {
        if admin_conversation(gw.addr, &old).await["erased_ms"].is_number() {
            erased = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(erased, "the old conversation is erased");
    let kept = admin_conversation(gw.addr, &recent).await;
    assert!(kept["erased_ms"].is_null(), "{kept}");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Runs one statement on the test's database from outside the gateway.
async fn exec(db: &TestDb, sql: &str) {
    if db.url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

/// Only the page's origin and path are kept: an address's query or fragment may carry an
/// e-mail address or a name.
async fn the_page_address_keeps_no_query(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut c = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
    c.send(
        serde_json::json!({"type": "hello", "v": 1, "site": "demo", "last_seq": 0,
        "locale": "en-GB", "page": {"url":
        "https://www.example.eu/pricing?email=p.brandt%40brandt-logistik.de&n=Paula#Brandt"}}),
    )
    .await;
    assert_eq!(c.recv().await.unwrap()["type"], "welcome");
    c.expect("message").await;
    let found = leftovers(&db).await;
    assert!(found.is_empty(), "kept from the address: {found:#?}");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// The transcript link in a Slack alert, as a rep would click it.
fn transcript_link(blocks: &Value) -> Option<String> {
    match blocks {
        Value::String(s) if s.contains("/c/") && s.contains("?t=") => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(transcript_link),
        Value::Object(map) => map.values().find_map(transcript_link),
        _ => None,
    }
}

async fn status_of(url: &str) -> u16 {
    reqwest::get(url).await.unwrap().status().as_u16()
}

/// A transcript link carries its expiry and key version, signed: changing the expiry or using
/// a bare signature of the id (links made before) opens nothing; after the secret is rotated,
/// links made with the previous one open while it is configured as `previous_secret`.
async fn transcript_links_expire_and_survive_a_key_rotation(db: Db) {
    use base64::Engine as _;
    use hmac::{Hmac, KeyInit, Mac};
    const OLD: &str = "the-first-secret-0123456789";
    const NEW: &str = "the-second-secret-0123456789";
    let db = TestDb::new(db).await;
    let slack = SlackSim::start(Default::default()).await.unwrap();
    let mut c = config(&db);
    c.server.secret = Some(OLD.into());
    c.alerts.slack = Some(SlackConfig {
        webhook_url: Some(slack.webhook_url().into()),
        ..SlackConfig::default()
    });
    let gw = start(c.clone()).await;
    let mut tab = Client::open(gw.addr, "demo", "en-GB").await;
    tab.say("Hi, I'm Paula Brandt, managing director of Brandt Logistik GmbH.")
        .await;
    tab.say("p.brandt@brandt-logistik.de").await;
    tab.say("Our budget is 12.000 € and we want to start next week.")
        .await;
    until("the Slack alert", || !slack.messages().is_empty()).await;
    let blocks = slack.messages()[0].blocks.clone().unwrap();
    let link = transcript_link(&blocks).expect("the alert links the transcript");
    assert_eq!(status_of(&link).await, 200, "{link}");
    let (page, token) = link.split_once("?t=").unwrap();
    let id = page.rsplit('/').next().unwrap();
    // A link as made before: a signature of the id alone, valid forever.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(OLD.as_bytes()).unwrap();
    mac.update(format!("leadgate-transcript:{id}").as_bytes());
    let bare = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    assert_eq!(status_of(&format!("{page}?t={bare}")).await, 404);
    // The same signature with a later expiry.
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let later: i64 = parts[1].parse::<i64>().unwrap() + 86_400;
    let moved = format!("{page}?t={}.{later}.{}", parts[0], parts[2]);
    assert_eq!(status_of(&moved).await, 404);
    gw.stop().await.unwrap();

    // The secret is rotated: the old links open while the previous secret is configured.
    let mut rotated = c.clone();
    rotated.server.secret = Some(NEW.into());
    rotated.server.previous_secret = Some(OLD.into());
    rotated.alerts.slack = None;
    let gw = start(rotated.clone()).await;
    let old_link = link.replace(
        &page[..page.find("/c/").unwrap()],
        &format!("http://{}", gw.addr),
    );
    assert_eq!(status_of(&old_link).await, 200, "{old_link}");
    gw.stop().await.unwrap();
    rotated.server.previous_secret = None;
    let gw = start(rotated).await;
    let old_link = link.replace(
        &page[..page.find("/c/").unwrap()],
        &format!("http://{}", gw.addr),
    );
    assert_eq!(status_of(&old_link).await, 404, "{old_link}");
    gw.stop().await.unwrap();
    db.remove().await;
}

both_stores!(
    erase_leaves_no_copy_of_the_visitor,
    erase_in_crm_and_slack_deletes_the_records_there,
    an_erased_conversation_takes_no_more_writes,
    a_person_is_found_and_erased_across_conversations,
    conversations_past_their_retention_are_erased,
    the_page_address_keeps_no_query,
    transcript_links_expire_and_survive_a_key_rotation,
);
