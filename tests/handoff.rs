//! The rep hand-off, black box: a lead qualifies on the widget, its Slack alert carries buttons,
//! a rep claims it in the Slack simulator, talks to the visitor in the alert's thread and hands
//! it back; on SQLite and PostgreSQL.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Client, Db, TestDb, admin_conversation, config, settled, start};
use leadgate::alerts::SlackConfig;
use leadgate::config::Config;
use leadgate_sim::slack::{Options, SlackMessage, SlackSim};
use serde_json::Value;

const CHANNEL: &str = "C0123456789";
const ANNA: &str = "U0REPANNA";
const BEN: &str = "U0REPBEN";

fn with_slack(c: &mut Config, sim: &SlackSim, idle_minutes: f64) {
    c.alerts.slack = Some(SlackConfig {
        token: Some(sim.bot_token().to_owned().into()),
        channel: Some(CHANNEL.into()),
        api_base: format!("{}/api", sim.base_url()),
        signing_secret: Some(sim.signing_secret().to_owned().into()),
        handback_idle_minutes: idle_minutes,
        owners: [(ANNA.to_owned(), "9001".to_owned())].into_iter().collect(),
        ..SlackConfig::default()
    });
    c.sync.poll_ms = 50;
    c.sync.backoff_base_secs = 1;
    c.sync.backoff_max_secs = 1;
}

/// Waits for a condition (a hang guard, not a timing assertion).
async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A visitor whose lead qualifies; returns the client and the conversation id.
async fn qualified_visitor(addr: SocketAddr) -> (Client, String) {
    let mut c = Client::open(addr, "demo", "en-GB").await;
    let session = c.session_id.clone().unwrap();
    c.say("Hi, I'm Paula Brandt, managing director of Brandt Logistik GmbH.")
        .await;
    c.say("p.brandt@brandt-logistik.de").await;
    c.say("Our budget is 12.000 € and we want to start next week.")
        .await;
    (c, session)
}

async fn the_alert(sim: &SlackSim) -> SlackMessage {
    eventually("the alert", async || {
        sim.messages()
            .into_iter()
            .find(|m| m.thread_ts.is_none() && m.blocks.is_some())
    })
    .await
}

fn actions_of(m: &SlackMessage) -> Vec<String> {
    let blocks = m.blocks.clone().unwrap_or_default();
    blocks
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["action_id"].as_str().map(str::to_owned))
        .collect()
}

fn thread_texts(sim: &SlackSim, ts: &str) -> Vec<String> {
    sim.messages()
        .into_iter()
        .filter(|m| m.thread_ts.as_deref() == Some(ts))
        .filter_map(|m| m.text)
        .collect()
}

/// How many posts in the thread of `ts` say `what`.
fn told(sim: &SlackSim, ts: &str, what: &str) -> usize {
    thread_texts(sim, ts)
        .iter()
        .filter(|t| t.contains(what))
        .count()
}

/// Frames until a message of `role` arrives (typing and acks skipped).
async fn next_message(c: &mut Client, role: &str) -> Value {
    loop {
        let f = c.recv().await.expect("a frame");
        if f["type"] == "message" && f["role"] == role {
            return f;
        }
    }
}

async fn claim_talk_and_hand_back(db: Db) {
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let mut cfg = config(&db);
    with_slack(&mut cfg, &sim, 15.0);
    let gw = start(cfg).await;
    let interactions = format!("http://{}/slack/interactions", gw.addr);
    let events = format!("http://{}/slack/events", gw.addr);
    let (mut visitor, id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    assert_eq!(
        actions_of(&alert),
        ["claim", "open_transcript", "not_a_lead"],
        "{alert:?}"
    );

    let reply = sim
        .click(&interactions, ANNA, &alert.ts, CHANNEL, "claim", Some(&id))
        .await
        .unwrap();
    assert_eq!(reply.status, Some(200));
    // The alert is re-drawn in place: claimed, no Claim button any more.
    let claimed = eventually("the alert claimed", async || {
        sim.message(CHANNEL, &alert.ts)
            .filter(|m| m.blocks.as_ref().unwrap().to_string().contains(ANNA))
    })
    .await;
    assert!(!actions_of(&claimed).contains(&"claim".to_owned()));
    let conv = admin_conversation(gw.addr, &id).await;
    assert_eq!(conv["owner"]["slack_id"], ANNA);
    assert_eq!(conv["owner"]["crm_id"], "9001");
    let actors: Vec<&str> = conv["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["actor"].as_str())
        .collect();
    assert!(
        actors.iter().any(|a| a.starts_with("slack:U0REPANNA")),
        "{actors:?}"
    );
    // The display name is known once the alert has been re-drawn.
    eventually("the rep's display name", async || {
        (admin_conversation(gw.addr, &id).await["owner"]["name"] == "Anna Nowak").then_some(())
    })
    .await;

    // The rep answers in the thread: the visitor sees who joined, then the rep's words.
    let said = sim
        .thread_reply(
            &events,
            ANNA,
            CHANNEL,
            &alert.ts,
            "Hi Paula, Anna here. Shall we talk tomorrow at 10?",
        )
        .await
        .unwrap();
    assert_eq!(said.status, Some(200));
    let joined = next_message(&mut visitor, "bot").await;
    assert!(
        joined["text"].as_str().unwrap().contains("Anna Nowak"),
        "{joined}"
    );
    let rep = next_message(&mut visitor, "rep").await;
    assert_eq!(rep["author"], "Anna Nowak");
    assert_eq!(
        rep["text"],
        "Hi Paula, Anna here. Shall we talk tomorrow at 10?"
    );

    // While Anna holds the conversation the assistant is quiet; the thread shows the visitor.
    let frames = visitor.say("Yes, 10 works for me.").await;
    assert!(
        frames
            .iter()
            .all(|f| !(f["type"] == "message" && f["role"] == "bot")),
        "the assistant stays quiet: {frames:?}"
    );
    eventually("the visitor's message in the thread", async || {
        thread_texts(&sim, &alert.ts)
            .iter()
            .any(|t| t.contains("Yes, 10 works for me."))
            .then_some(())
    })
    .await;
    // Someone else in the thread is the team's own conversation, not the visitor's.
    sim.thread_reply(&events, BEN, CHANNEL, &alert.ts, "nice one Anna")
        .await
        .unwrap();

    // Anna hands back: the visitor is told and the assistant answers again.
    let held = eventually("the Hand back button", async || {
        sim.message(CHANNEL, &alert.ts)
            .filter(|m| actions_of(m).contains(&"hand_back".to_owned()))
    })
    .await;
    sim.click(
        &interactions,
        ANNA,
        &held.ts,
        CHANNEL,
        "hand_back",
        Some(&id),
    )
    .await
    .unwrap();
    let back = next_message(&mut visitor, "bot").await;
    assert!(
        back["text"].as_str().unwrap().contains("Anna Nowak"),
        "{back}"
    );
    let frames = visitor.say("Do you integrate with HubSpot?").await;
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "message" && f["role"] == "bot"),
        "{frames:?}"
    );
    let messages = admin_conversation(gw.addr, &id).await["messages"].clone();
    let texts: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert!(!texts.contains(&"nice one Anna"));
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn two_claims_at_once_one_wins(db: Db) {
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let mut cfg = config(&db);
    with_slack(&mut cfg, &sim, 15.0);
    let gw = start(cfg).await;
    let interactions = format!("http://{}/slack/interactions", gw.addr);
    let (_visitor, id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    let (a, b) = tokio::join!(
        sim.click(&interactions, ANNA, &alert.ts, CHANNEL, "claim", Some(&id)),
        sim.click(&interactions, BEN, &alert.ts, CHANNEL, "claim", Some(&id)),
    );
    assert_eq!(
        (a.unwrap().status, b.unwrap().status),
        (Some(200), Some(200))
    );
    let owner = admin_conversation(gw.addr, &id).await["owner"]["slack_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let loser = if owner == ANNA { BEN } else { ANNA };
    let told = eventually("the other rep told", async || {
        sim.response_url_posts()
            .into_iter()
            .find(|p| p.body.to_string().contains("claimed this lead already"))
    })
    .await;
    assert!(told.body.to_string().contains(&owner), "{told:?}");
    let _ = loser;
    let revisions = admin_conversation(gw.addr, &id).await["revisions"].clone();
    let claims = revisions
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["changes"]["owner"].is_object())
        .count();
    assert_eq!(claims, 1, "one claim recorded");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn forged_stale_and_repeated_requests_are_handled_once(db: Db) {
    use leadgate_sim::slack::signature;
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let mut cfg = config(&db);
    with_slack(&mut cfg, &sim, 15.0);
    let gw = start(cfg).await;
    let interactions = format!("http://{}/slack/interactions", gw.addr);
    let events = format!("http://{}/slack/events", gw.addr);
    let (mut visitor, id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    // The URL check answers the challenge.
    let check = sim.url_verification(&events).await;
    assert_eq!(check.status, Some(200));
    assert!(check.body.contains(&check.id), "{check:?}");

    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let body = "payload=%7B%22type%22%3A%22block_actions%22%7D".to_owned();
    let form = "application/x-www-form-urlencoded";
    let forged = signature::v0("not the secret", &now.to_string(), &body);
    assert_eq!(
        sim.send_raw(&interactions, form, &body, &now.to_string(), Some(&forged))
            .await
            .status,
        Some(401)
    );
    let stale = (now - 600).to_string();
    assert_eq!(
        sim.send_raw(&interactions, form, &body, &stale, None)
            .await
            .status,
        Some(401)
    );
    let future = (now + 600).to_string();
    assert_eq!(
        sim.send_raw(&events, "application/json", "{}", &future, None)
            .await
            .status,
        Some(401)
    );

    sim.click(&interactions, ANNA, &alert.ts, CHANNEL, "claim", Some(&id))
        .await
        .unwrap();
    let said = sim
        .thread_reply(&events, ANNA, CHANNEL, &alert.ts, "Hello from Anna")
        .await
        .unwrap();
    next_message(&mut visitor, "rep").await;
    // Slack retries the same event: stored once.
    for n in 1..=2 {
        let again = sim.redeliver(&said.id, n).await.unwrap();
        assert_eq!(again.status, Some(200));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let messages = admin_conversation(gw.addr, &id).await["messages"].clone();
    let reps = messages
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "rep")
        .count();
    assert_eq!(reps, 1);
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_silent_rep_hands_back_by_itself(db: Db) {
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let mut cfg = config(&db);
    // Three seconds of silence.
    with_slack(&mut cfg, &sim, 0.05);
    let gw = start(cfg).await;
    let interactions = format!("http://{}/slack/interactions", gw.addr);
    let events = format!("http://{}/slack/events", gw.addr);
    let (mut visitor, id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    sim.click(&interactions, ANNA, &alert.ts, CHANNEL, "claim", Some(&id))
        .await
        .unwrap();
    sim.thread_reply(&events, ANNA, CHANNEL, &alert.ts, "One moment please")
        .await
        .unwrap();
    next_message(&mut visitor, "rep").await;
    let back = next_message(&mut visitor, "bot").await;
    assert!(back["text"].as_str().unwrap().contains("back"), "{back}");
    assert_eq!(
        admin_conversation(gw.addr, &id).await["human_since_ms"],
        Value::Null
    );
    eventually("the thread told", async || {
        thread_texts(&sim, &alert.ts)
            .iter()
            .any(|t| t.contains("assistant answers again"))
            .then_some(())
    })
    .await;
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn clicks_from_elsewhere_are_refused(db: Db) {
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let mut cfg = config(&db);
    with_slack(&mut cfg, &sim, 15.0);
    cfg.alerts.slack.as_mut().unwrap().team_id = Some("T0OTHERTEAM".into());
    let gw = start(cfg).await;
    let interactions = format!("http://{}/slack/interactions", gw.addr);
    let (_visitor, id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    let reply = sim
        .click(&interactions, ANNA, &alert.ts, CHANNEL, "claim", Some(&id))
        .await
        .unwrap();
    assert_eq!(reply.status, Some(403));
    assert_eq!(
        admin_conversation(gw.addr, &id).await["owner"]["slack_id"],
        Value::Null
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A visitor whose lead reaches HubSpot with a deal.
async fn hubspot_gateway(
    db: &TestDb,
    sim: &SlackSim,
    hubspot: &leadgate_sim::hubspot::HubSpotSim,
    tweak: impl FnOnce(&mut Config),
) -> leadgate::app::Running {
    let mut cfg = config(db);
    with_slack(&mut cfg, sim, 15.0);
    cfg.sites[0].crm = leadgate::crm::CrmKind::Hubspot;
    cfg.crm.hubspot = Some(leadgate::crm::hubspot::Config {
        base_url: hubspot.base_url().to_owned(),
        token: hubspot.private_app_token().to_owned().into(),
        timeout_secs: 5,
        webhook_secret: Some("hs-client-secret".to_owned().into()),
        app_id: Some("4242".into()),
        ..Default::default()
    });
    tweak(&mut cfg);
    start(cfg).await
}

async fn a_deal_moved_in_the_crm_reaches_the_thread_once(db: Db) {
    use leadgate_sim::hubspot::{HubSpotSim, WebhookSubscription};
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    let gw = hubspot_gateway(&db, &sim, &hubspot, |_| {}).await;
    hubspot.subscribe_webhook(WebhookSubscription::new(
        format!("http://{}/webhooks/hubspot", gw.addr),
        "hs-client-secret",
        4242,
    ));
    let (_visitor, _id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    let deal = eventually("the deal in HubSpot", async || {
        hubspot.records("deals").into_iter().next()
    })
    .await;
    // leadgate's own writes come back as webhooks and change nothing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !thread_texts(&sim, &alert.ts)
            .iter()
            .any(|t| t.contains("Deal moved")),
        "an echo of leadgate's own write is ignored"
    );
    // A rep closes the deal in HubSpot.
    let mut props = serde_json::Map::new();
    props.insert("dealstage".into(), "closedwon".into());
    props.insert("amount".into(), "12000".into());
    hubspot.crm_user_changes_deal(&deal.id, props).unwrap();
    eventually("the outcome in the thread", async || {
        (told(&sim, &alert.ts, "Deal moved to Closed won") > 0).then_some(())
    })
    .await;
    let updated = eventually("the alert shows it", async || {
        sim.message(CHANNEL, &alert.ts)
            .filter(|m| m.blocks.as_ref().unwrap().to_string().contains("closedwon"))
    })
    .await;
    assert!(updated.blocks.unwrap().to_string().contains("12000"));
    // Redeliveries of the same events are handled once.
    for d in hubspot.webhook_deliveries() {
        let again = reqwest::Client::new()
            .post(&d.url)
            .body(d.body.clone())
            .headers(
                d.headers
                    .iter()
                    .filter(|(k, _)| {
                        !k.eq_ignore_ascii_case("x-hubspot-request-timestamp")
                            && !k.eq_ignore_ascii_case("x-hubspot-signature-v3")
                    })
                    .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
                    .collect(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 401, "unsigned copies are refused");
    }
    let funnel: Value = reqwest::Client::new()
        .get(format!("http://{}/api/admin/funnel", gw.addr))
        .bearer_auth(common::ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let week = &funnel["weeks"][0];
    assert_eq!(
        (
            week["conversations"].as_i64(),
            week["qualified"].as_i64(),
            week["with_deal"].as_i64(),
            week["won"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(1)),
        "{funnel}"
    );
    let outcomes = told(&sim, &alert.ts, "Deal moved");
    assert_eq!(outcomes, 1);
    gw.stop().await.unwrap();
    db.remove().await;
}

/// The rep who claims a lead owns its contact and deal in the CRM after the sync the claim
/// starts (`[alerts.slack.owners]` maps the rep to the CRM owner id).
async fn a_claim_makes_the_rep_the_crm_owner(db: Db) {
    use leadgate_sim::hubspot::HubSpotSim;
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    let gw = hubspot_gateway(&db, &sim, &hubspot, |_| {}).await;
    let interactions = format!("http://{}/slack/interactions", gw.addr);
    let (_visitor, id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    let deal = eventually("the deal in HubSpot", async || {
        hubspot.records("deals").into_iter().next()
    })
    .await;
    assert_eq!(
        deal.str_field("hubspot_owner_id"),
        None,
        "nobody's before the claim"
    );
    sim.click(&interactions, ANNA, &alert.ts, CHANNEL, "claim", Some(&id))
        .await
        .unwrap();
    let owned = |object: &str| {
        let records = hubspot.records(object);
        !records.is_empty()
            && records
                .iter()
                .all(|r| r.str_field("hubspot_owner_id") == Some("9001"))
    };
    eventually("the contact and the deal owned by the rep", async || {
        (owned("contacts") && owned("deals")).then_some(())
    })
    .await;
    assert_eq!(
        (
            hubspot.records("contacts").len(),
            hubspot.records("deals").len()
        ),
        (1, 1),
        "nothing made again"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn not_a_lead_keeps_it_out_of_the_pipeline(db: Db) {
    use leadgate_sim::hubspot::HubSpotSim;
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    // Alerts come early (budget alone); a deal only at the default threshold.
    let gw = hubspot_gateway(&db, &sim, &hubspot, |c| {
        c.alerts.slack.as_mut().unwrap().min_score = Some(20);
    })
    .await;
    let interactions = format!("http://{}/slack/interactions", gw.addr);
    let mut visitor = Client::open(gw.addr, "demo", "en-GB").await;
    let id = visitor.session_id.clone().unwrap();
    visitor
        .say("Hi, I'm Tom Baker, tom.baker@bakerbikes.co.uk")
        .await;
    visitor.say("We could spend about £3,000.").await;
    let alert = the_alert(&sim).await;
    sim.click(
        &interactions,
        ANNA,
        &alert.ts,
        CHANNEL,
        "not_a_lead",
        Some(&id),
    )
    .await
    .unwrap();
    eventually("marked", async || {
        (admin_conversation(gw.addr, &id).await["not_a_lead"] == true).then_some(())
    })
    .await;
    // Now the lead would qualify: it gets no deal.
    visitor
        .say("I decide, and we want to start next week. We compared Intercom too.")
        .await;
    eventually("the contact synced again", async || {
        hubspot.records("contacts").into_iter().next()
    })
    .await;
    settled(gw.addr).await;
    assert!(
        hubspot.records("deals").is_empty(),
        "no deal for a lead marked not a lead"
    );
    let revisions = admin_conversation(gw.addr, &id).await["revisions"].clone();
    assert!(revisions.as_array().unwrap().iter().any(|r| {
        r["changes"]["not_a_lead"]["new"] == true
            && r["actor"]
                .as_str()
                .unwrap_or_default()
                .starts_with("slack:U0REPANNA")
    }));
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_deal_won_in_salesforce_reaches_the_thread_by_polling(db: Db) {
    use leadgate_sim::salesforce::{Options as SfOptions, SalesforceSim};
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let salesforce = SalesforceSim::start(SfOptions::default()).await.unwrap();
    let mut cfg = config(&db);
    with_slack(&mut cfg, &sim, 15.0);
    cfg.sites[0].crm = leadgate::crm::CrmKind::Salesforce;
    let oauth = salesforce.oauth_client();
    cfg.crm.salesforce = Some(leadgate::crm::salesforce::Config {
        login_url: salesforce.base_url().to_owned(),
        client_id: oauth.client_id.clone(),
        client_secret: Some(oauth.client_secret.clone().into()),
        refresh_token: Some(oauth.refresh_token.clone().into()),
        timeout_secs: 5,
        poll_secs: 1,
        ..Default::default()
    });
    let gw = start(cfg).await;
    let (_visitor, _id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    let opportunity = eventually("the Opportunity in Salesforce", async || {
        salesforce.records("Opportunity").into_iter().next()
    })
    .await;
    // Polls that see only leadgate's own writes report nothing.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        !thread_texts(&sim, &alert.ts)
            .iter()
            .any(|t| t.contains("Deal ")),
        "leadgate's own writes are not reported"
    );
    let mut fields = serde_json::Map::new();
    fields.insert("StageName".into(), "Closed Won".into());
    fields.insert("Amount".into(), 12000.into());
    salesforce
        .crm_user_changes_deal(&opportunity.id, fields)
        .unwrap();
    eventually("the outcome in the thread", async || {
        (told(&sim, &alert.ts, "Deal moved to Closed won in Salesforce") > 0).then_some(())
    })
    .await;
    // Later polls see the same change again and report it once.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let told = told(&sim, &alert.ts, "Deal moved");
    assert_eq!(told, 1);
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_deal_won_in_zoho_reaches_the_thread_through_its_notification(db: Db) {
    use leadgate_sim::zoho::{Options as ZohoOptions, ZohoSim};
    let db = TestDb::new(db).await;
    let sim = SlackSim::start(Options::default()).await.unwrap();
    let zoho = ZohoSim::start(ZohoOptions::default()).await.unwrap();
    // The gateway tells Zoho its own address, so it must know it before it starts: the
    // listener is bound first and handed over.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut cfg = config(&db);
    with_slack(&mut cfg, &sim, 15.0);
    cfg.server.public_url = Some(format!("http://{addr}"));
    cfg.sites[0].crm = leadgate::crm::CrmKind::Zoho;
    let oauth = zoho.oauth_client();
    cfg.crm.zoho = Some(leadgate::crm::zoho::Config {
        accounts_url: zoho.base_url().to_owned(),
        client_id: oauth.client_id.clone(),
        client_secret: oauth.client_secret.clone().into(),
        refresh_token: oauth.refresh_token.clone().into(),
        timeout_secs: 5,
        webhook_token: Some("zoho-channel-token".to_owned().into()),
        ..Default::default()
    });
    let gw = leadgate::app::spawn_on(listener, cfg).await.unwrap();
    let url = format!("http://{}/webhooks/zoho", gw.addr);
    let (_visitor, _id) = qualified_visitor(gw.addr).await;
    let alert = the_alert(&sim).await;
    let deal = eventually("the Deal in Zoho", async || {
        zoho.records("Deals").into_iter().next()
    })
    .await;
    // A forged notification (wrong or missing token) is refused and changes nothing.
    let client = reqwest::Client::new();
    for token in [serde_json::json!("guess"), Value::Null] {
        let forged = serde_json::json!({"module": "Deals", "operation": "update",
            "ids": [deal.id], "channel_id": 1, "token": token});
        let answer = client.post(&url).json(&forged).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 401);
    }
    let bad = client.post(&url).body("{not json").send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 400);

    let mut fields = serde_json::Map::new();
    fields.insert("Stage".into(), "Closed Won".into());
    fields.insert("Amount".into(), 12000.into());
    zoho.crm_user_changes_deal(&deal.id, fields).unwrap();
    eventually("the outcome in the thread", async || {
        (told(&sim, &alert.ts, "Deal moved to Closed won in Zoho") > 0).then_some(())
    })
    .await;
    // The same notification again (Zoho may repeat itself) is told once.
    let again = serde_json::json!({"module": "Deals", "operation": "update",
        "ids": [deal.id], "channel_id": 1, "token": "zoho-channel-token"});
    let answer = client.post(&url).json(&again).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let told = told(&sim, &alert.ts, "Deal moved");
    assert_eq!(told, 1);
    gw.stop().await.unwrap();
    db.remove().await;
}

both_stores!(
    claim_talk_and_hand_back,
    two_claims_at_once_one_wins,
    forged_stale_and_repeated_requests_are_handled_once,
    a_silent_rep_hands_back_by_itself,
    clicks_from_elsewhere_are_refused,
    a_deal_moved_in_the_crm_reaches_the_thread_once,
    not_a_lead_keeps_it_out_of_the_pipeline,
    a_deal_won_in_salesforce_reaches_the_thread_by_polling,
    a_deal_won_in_zoho_reaches_the_thread_through_its_notification,
    a_claim_makes_the_rep_the_crm_owner,
);
