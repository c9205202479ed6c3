//! Sales alerts in Slack, through the outbox, against the Slack simulator.

mod common;

use std::time::Duration;

use common::{Client, Db, TestDb, config, settled, start};
use leadgate::alerts::SlackConfig;
use leadgate_sim::slack::{Options, SlackMessage, SlackSim};

/// Waits (a hang guard, not a timing assertion) until the simulator holds `n` messages.
async fn messages(sim: &SlackSim, n: usize) -> Vec<SlackMessage> {
    for _ in 0..300 {
        let m = sim.messages();
        if m.len() >= n {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {n} Slack messages, got {:?}", sim.messages());
}

/// A conversation that qualifies: budget, near start, decision maker, contact.
async fn qualify(c: &mut Client) {
    c.expect("message").await;
    c.say("Hi, I'm Paula Brandt, managing director of Brandt Logistik GmbH.")
        .await;
    c.say("p.brandt@brandt-logistik.de").await;
    c.say("Our budget is 12.000 € and we want to start next week.")
        .await;
}

async fn webhook_alerts_arrive_once(db: Db) {
    let db = TestDb::new(db).await;
    let slack = SlackSim::start(Options::default()).await.unwrap();
    let mut cfg = config(&db);
    cfg.alerts.slack = Some(SlackConfig {
        webhook_url: Some(slack.webhook_url().into()),
        ..SlackConfig::default()
    });
    let gw = start(cfg).await;
    let mut c = Client::open(gw.addr, "demo", "en-GB").await;
    qualify(&mut c).await;
    let got = messages(&slack, 1).await;
    let alert = &got[0];
    assert!(
        alert
            .text
            .as_deref()
            .unwrap()
            .starts_with("New qualified lead: Paula Brandt (Brandt Logistik GmbH)"),
        "{alert:?}"
    );
    let blocks = alert.blocks.as_ref().unwrap().to_string();
    assert!(
        blocks.contains("managing director") || blocks.contains("Managing Director"),
        "{blocks}"
    );
    assert!(blocks.contains("12000 EUR"), "{blocks}");
    assert!(blocks.contains("decides or owns the budget"), "{blocks}");
    // More messages without material change: no second alert. A turn's alert is an outbox job
    // made with the turn, so once the outbox has run every job Slack holds all there is.
    c.say("Thanks, that's all for now.").await;
    settled(gw.addr).await;
    assert_eq!(slack.messages().len(), 1, "one alert per lead");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn bot_alerts_thread_their_updates(db: Db) {
    let db = TestDb::new(db).await;
    let slack = SlackSim::start(Options::default()).await.unwrap();
    let mut cfg = config(&db);
    cfg.alerts.slack = Some(SlackConfig {
        token: Some(slack.bot_token().to_owned().into()),
        channel: Some("C0123456789".into()),
        api_base: format!("{}/api", slack.base_url()),
        ..SlackConfig::default()
    });
    let gw = start(cfg).await;
    let mut c = Client::open(gw.addr, "demo", "en-GB").await;
    qualify(&mut c).await;
    let first = messages(&slack, 1).await[0].clone();
    assert!(first.thread_ts.is_none());
    // A material change: a phone number arrives.
    c.say("You can also call me on +49 151 4827 3190").await;
    let got = messages(&slack, 2).await;
    assert_eq!(
        got[1].thread_ts.as_deref(),
        Some(first.ts.as_str()),
        "updates go in the alert's thread"
    );
    assert!(
        got[1].text.as_deref().unwrap().contains("phone"),
        "{:?}",
        got[1]
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn slack_rate_limits_and_outages_lose_nothing(db: Db) {
    let db = TestDb::new(db).await;
    let slack = SlackSim::start(Options::default()).await.unwrap();
    slack.faults().fail_next(2, 503);
    slack.faults().throttle_next(1);
    let mut cfg = config(&db);
    cfg.sync.backoff_base_secs = 1;
    cfg.alerts.slack = Some(SlackConfig {
        webhook_url: Some(slack.webhook_url().into()),
        ..SlackConfig::default()
    });
    let gw = start(cfg).await;
    let mut c = Client::open(gw.addr, "demo", "en-GB").await;
    qualify(&mut c).await;
    let got = messages(&slack, 1).await;
    assert_eq!(got.len(), 1);
    assert!(
        slack.stats().total_requests >= 4,
        "the failures were retried: {:?}",
        slack.stats().total_requests
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Slack takes the first alert but its answer is lost (the connection drops, as when the
/// gateway died or stalled after posting): the retry finds the alert in the channel's history
/// by its metadata and adopts it, so the lead has one alert, and its updates go in that thread.
async fn a_first_alert_whose_answer_was_lost_is_not_posted_twice(db: Db) {
    let db = TestDb::new(db).await;
    let slack = SlackSim::start(Options::default()).await.unwrap();
    slack.faults().lose_answer_next(1, "/api/chat.postMessage");
    let mut cfg = config(&db);
    cfg.sync.backoff_base_secs = 1;
    cfg.alerts.slack = Some(SlackConfig {
        token: Some(slack.bot_token().to_owned().into()),
        channel: Some("C0123456789".into()),
        api_base: format!("{}/api", slack.base_url()),
        ..SlackConfig::default()
    });
    let gw = start(cfg).await;
    let mut c = Client::open(gw.addr, "demo", "en-GB").await;
    qualify(&mut c).await;
    let first = messages(&slack, 1).await[0].clone();
    settled(gw.addr).await;
    assert!(
        slack.stats().route_count("GET /api/conversations.history") >= 1,
        "the retry looked for the lost post"
    );
    c.say("You can also call me on +49 151 4827 3190").await;
    let got = messages(&slack, 2).await;
    settled(gw.addr).await;
    let top: Vec<_> = slack
        .messages()
        .into_iter()
        .filter(|m| m.thread_ts.is_none())
        .collect();
    assert_eq!(top.len(), 1, "one alert: {top:?}");
    assert_eq!(got[1].thread_ts.as_deref(), Some(first.ts.as_str()));
    gw.stop().await.unwrap();
    db.remove().await;
}

both_stores!(
    webhook_alerts_arrive_once,
    bot_alerts_thread_their_updates,
    slack_rate_limits_and_outages_lose_nothing,
    a_first_alert_whose_answer_was_lost_is_not_posted_twice,
);
