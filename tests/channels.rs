//! Black-box tests of the WhatsApp and Messenger bridges against the Meta simulator, on SQLite
//! and PostgreSQL: verification, signatures, redelivery, ordering, batches, replies through the
//! outbox, and channel leads reaching a CRM.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{ADMIN_TOKEN, Db, TestDb, config, settled, start};
use leadgate::channels::config::{MessengerPage, WhatsappConfig, WhatsappNumber};
use leadgate::channels::{ChannelsConfig, MessengerConfig};
use leadgate::config::Config;
use leadgate_sim::meta::{self, MetaSim, SentMessage};
use serde_json::{Value, json};

/// Points the gateway's bridges at the simulator; WhatsApp serves `site`, Messenger the demo.
fn with_channels(c: &mut Config, sim: &MetaSim, site: &str) {
    let o = sim.options();
    let graph_url = format!("{}/v25.0", sim.base_url());
    c.channels = ChannelsConfig {
        order_window_ms: 200,
        whatsapp: Some(WhatsappConfig {
            app_secret: o.app_secret.clone().into(),
            verify_token: o.verify_token.clone().into(),
            access_token: o.access_token.clone().into(),
            graph_url: graph_url.clone(),
            reengagement_template: None,
            timeout_secs: 5,
            numbers: vec![WhatsappNumber {
                phone_number_id: o.phone_number_id.clone(),
                site: site.into(),
            }],
        }),
        messenger: Some(MessengerConfig {
            app_secret: o.app_secret.clone().into(),
            verify_token: o.verify_token.clone().into(),
            graph_url,
            timeout_secs: 5,
            pages: vec![
                MessengerPage {
                    page_id: o.page_id.clone(),
                    access_token: o.page_access_token.clone().into(),
                    site: "demo".into(),
                },
                // The Instagram professional account, sending through the page's token.
                MessengerPage {
                    page_id: o.instagram_account_id.clone(),
                    access_token: o.page_access_token.clone().into(),
                    site: "demo".into(),
                },
            ],
        }),
        ..ChannelsConfig::default()
    };
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

fn sent_to(sim: &MetaSim, to: &str) -> Vec<SentMessage> {
    sim.sent().into_iter().filter(|m| m.to == to).collect()
}

/// The text a sent message shows (text body, interactive body).
fn shown(m: &SentMessage) -> String {
    let b = &m.body;
    b["text"]["body"]
        .as_str()
        .or(b["interactive"]["body"]["text"].as_str())
        .or(b["message"]["text"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn admin(addr: SocketAddr, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("http://{addr}/api/admin/{path}"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("admin request")
        .json()
        .await
        .expect("admin JSON")
}

/// The channel's conversations, newest first, in full.
async fn conversations(addr: SocketAddr, channel: &str) -> Vec<Value> {
    let list = admin(addr, &format!("conversations?channel={channel}")).await;
    let mut out = Vec::new();
    for c in list["conversations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        out.push(
            admin(
                addr,
                &format!("conversations/{}", c["id"].as_str().unwrap()),
            )
            .await,
        );
    }
    out
}

fn visitor_texts(conversation: &Value) -> Vec<String> {
    conversation["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "visitor")
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

fn with_timestamp(mut payload: Value, secs: i64) -> Value {
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
        json!(secs.to_string());
    payload
}

async fn post_raw(url: &str, body: Vec<u8>, signature: Option<&str>) -> u16 {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = signature {
        req = req.header("x-hub-signature-256", s);
    }
    req.send().await.expect("post").status().as_u16()
}

async fn the_handshake_answers_only_the_right_token(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    for bridge in ["whatsapp", "messenger"] {
        let url = format!("http://{}/webhooks/{bridge}", gw.addr);
        let (status, body) = sim.verify(&url, "1158201444").await.unwrap();
        assert_eq!((status, body.as_str()), (200, "1158201444"), "{bridge}");
        let wrong = reqwest::get(format!(
            "{url}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope"
        ))
        .await
        .unwrap();
        assert_eq!(wrong.status().as_u16(), 403);
        let no_mode = reqwest::get(format!("{url}?hub.challenge=1&hub.verify_token=x"))
            .await
            .unwrap();
        assert_eq!(no_mode.status().as_u16(), 403);
    }
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_whatsapp_text_is_answered_and_becomes_a_lead(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    // An English-speaking site; the visitor writes Polish and is answered in Polish.
    c.sites[0].default_region = Some(leadgate::lead::Region::parse("PL").unwrap());
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let event = sim.whatsapp_text_event(
        "48601234567",
        "Anna K.",
        "Dzień dobry, nazywam się Anna Kowalska z firmy Volt-Pol Sp. z o.o.",
    );
    assert_eq!(sim.deliver(&url, &event).await.unwrap(), 200);
    // The greeting and the reply to the message.
    let sent = eventually("two replies", async || {
        let s = sent_to(&sim, "48601234567");
        (s.len() >= 2).then_some(s)
    })
    .await;
    assert!(
        sent.iter().all(|m| m.body["to"] == "+48601234567"),
        "{sent:?}"
    );
    let all = conversations(gw.addr, "whatsapp").await;
    assert_eq!(all.len(), 1);
    let conv = &all[0];
    assert_eq!(conv["lead"]["phone"], "+48601234567", "{conv}");
    assert_eq!(conv["lead"]["first_name"], "Anna");
    assert_eq!(conv["lead"]["last_name"], "Kowalska");
    // Every reply was accepted by Meta and recorded with its id.
    let deliveries = conv["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2, "{conv}");
    assert!(
        deliveries
            .iter()
            .all(|d| d["status"] == "accepted" && d["provider_id"].is_string())
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn bad_signatures_are_refused_and_nothing_is_kept(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let event = sim.whatsapp_text_event("4915112345678", "Jonas", "Guten Tag, jonas@becker-bau.de");
    let wire = meta::wire_body(&event);
    let good = meta::signature(&sim.options().app_secret, wire.as_bytes());
    // A proxy that re-serialises the JSON keeps its meaning but not its bytes.
    let reserialised = serde_json::to_vec_pretty(&event).unwrap();
    assert_eq!(post_raw(&url, reserialised, Some(&good)).await, 401);
    assert_eq!(post_raw(&url, wire.clone().into_bytes(), None).await, 401);
    assert_eq!(
        post_raw(&url, wire.clone().into_bytes(), Some("sha256=00")).await,
        401
    );
    let other = meta::signature("another app's secret", wire.as_bytes());
    assert_eq!(
        post_raw(&url, wire.clone().into_bytes(), Some(&other)).await,
        401
    );
    // Over Meta's 3 MB: refused before anything is read.
    let huge = vec![b' '; 3 * 1024 * 1024 + 1];
    let sig = meta::signature(&sim.options().app_secret, &huge);
    assert_eq!(post_raw(&url, huge, Some(&sig)).await, 413);
    // A signed body that is not JSON is Meta's problem, kept and answered 200.
    let junk = b"not json at all".to_vec();
    let sig = meta::signature(&sim.options().app_secret, &junk);
    assert_eq!(post_raw(&url, junk, Some(&sig)).await, 200);
    settled(gw.addr).await;
    assert!(conversations(gw.addr, "whatsapp").await.is_empty());
    assert!(sim.sent().is_empty());
    // The same body, signed right, goes through.
    assert_eq!(post_raw(&url, wire.into_bytes(), Some(&good)).await, 200);
    eventually("a conversation", async || {
        (conversations(gw.addr, "whatsapp").await.len() == 1).then_some(())
    })
    .await;
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn redelivered_and_concurrent_posts_make_one_turn(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let event =
        sim.whatsapp_text_event("447912345678", "Oliver", "Hi, I need a quote for a chatbot");
    // Meta redelivers to every subscribed app, and retries: the same POST arrives five times,
    // three of them at once.
    let (a, b, c2) = tokio::join!(
        sim.deliver(&url, &event),
        sim.deliver(&url, &event),
        sim.deliver(&url, &event)
    );
    assert_eq!((a.unwrap(), b.unwrap(), c2.unwrap()), (200, 200, 200));
    eventually("the reply", async || {
        (sent_to(&sim, "447912345678").len() >= 2).then_some(())
    })
    .await;
    for _ in 0..2 {
        assert_eq!(sim.deliver(&url, &event).await.unwrap(), 200);
    }
    settled(gw.addr).await;
    let all = conversations(gw.addr, "whatsapp").await;
    assert_eq!(all.len(), 1);
    assert_eq!(visitor_texts(&all[0]), ["Hi, I need a quote for a chatbot"]);
    assert_eq!(
        sent_to(&sim, "447912345678").len(),
        2,
        "greeting and one reply, never repeated"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_senders_messages_are_read_in_their_order(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let texts = ["first: hello", "second: I'm Maria", "third: maria@lopez.es"];
    let events: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            with_timestamp(
                sim.whatsapp_text_event("34612345678", "Maria", t),
                now + i as i64,
            )
        })
        .collect();
    // Meta delivers the third, then the first and second in parallel.
    assert_eq!(sim.deliver(&url, &events[2]).await.unwrap(), 200);
    let (a, b) = tokio::join!(sim.deliver(&url, &events[0]), sim.deliver(&url, &events[1]));
    assert_eq!((a.unwrap(), b.unwrap()), (200, 200));
    let conv = eventually("three messages", async || {
        let all = conversations(gw.addr, "whatsapp").await;
        // The lead and the messages are read one after the other: wait for both.
        all.into_iter()
            .find(|c| visitor_texts(c).len() == 3 && c["lead"]["email"] == "maria@lopez.es")
    })
    .await;
    assert_eq!(visitor_texts(&conv), texts);
    assert_eq!(conv["lead"]["email"], "maria@lopez.es", "{conv:#}");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_batched_post_is_read_whole(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    // Twelve people's messages in one POST: entries, changes and messages batched.
    let people: Vec<String> = (0..12).map(|i| format!("4860123{:04}", 4000 + i)).collect();
    let mut batch = sim.whatsapp_text_event(&people[0], "P0", "hello 0");
    for (i, p) in people.iter().enumerate().skip(1) {
        let e = sim.whatsapp_text_event(p, &format!("P{i}"), &format!("hello {i}"));
        if i % 2 == 0 {
            let entry = e["entry"][0].clone();
            batch["entry"].as_array_mut().unwrap().push(entry);
        } else {
            let msg = e["entry"][0]["changes"][0]["value"]["messages"][0].clone();
            let contact = e["entry"][0]["changes"][0]["value"]["contacts"][0].clone();
            let value = &mut batch["entry"][0]["changes"][0]["value"];
            value["messages"].as_array_mut().unwrap().push(msg);
            value["contacts"].as_array_mut().unwrap().push(contact);
        }
    }
    assert_eq!(sim.deliver(&url, &batch).await.unwrap(), 200);
    eventually("every sender answered", async || {
        people
            .iter()
            .all(|p| sent_to(&sim, p).len() >= 2)
            .then_some(())
    })
    .await;
    let all = conversations(gw.addr, "whatsapp").await;
    assert_eq!(all.len(), 12);
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_graph_outage_is_healed_by_the_outbox(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    sim.faults().fail_next(3, 503);
    let event = sim.whatsapp_text_event("33612345678", "Camille", "Bonjour, un devis svp");
    assert_eq!(sim.deliver(&url, &event).await.unwrap(), 200);
    eventually("the replies after the outage", async || {
        (sent_to(&sim, "33612345678").len() >= 2).then_some(())
    })
    .await;
    settled(gw.addr).await;
    assert_eq!(sent_to(&sim, "33612345678").len(), 2, "each reply once");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_messenger_message_is_answered(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/messenger", gw.addr);
    let text =
        sim.messenger_text_event("6789012345678901", "Hello, do you integrate with Shopify?");
    assert_eq!(sim.deliver(&url, &text).await.unwrap(), 200);
    let sent = eventually("the reply", async || {
        let s = sent_to(&sim, "6789012345678901");
        (s.len() >= 2).then_some(s)
    })
    .await;
    assert!(sent.iter().all(|m| m.body["messaging_type"] == "RESPONSE"));
    let postback = sim.messenger_postback_event("6789012345678901", "Talk to sales", "talk");
    assert_eq!(sim.deliver(&url, &postback).await.unwrap(), 200);
    let conv = eventually("the postback read as an answer", async || {
        let all = conversations(gw.addr, "messenger").await;
        all.into_iter().find(|c| visitor_texts(c).len() == 2)
    })
    .await;
    assert_eq!(visitor_texts(&conv)[1], "Talk to sales");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn consent_comes_first_on_sites_that_ask_for_it(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    // The "private" site asks for consent and speaks German.
    with_channels(&mut c, &sim, "private");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let hello = sim.whatsapp_text_event(
        "4915112345678",
        "Jonas Becker",
        "Hallo, jonas@becker-bau.de",
    );
    assert_eq!(sim.deliver(&url, &hello).await.unwrap(), 200);
    let sent = eventually("greeting, notice and reply", async || {
        let s = sent_to(&sim, "4915112345678");
        (s.len() >= 3).then_some(s)
    })
    .await;
    let notice = &sent[1].body;
    assert_eq!(notice["type"], "interactive", "{notice}");
    let buttons = notice["interactive"]["action"]["buttons"]
        .as_array()
        .unwrap();
    assert_eq!(buttons[0]["reply"]["id"], "consent:accept");
    let conv = &conversations(gw.addr, "whatsapp").await[0];
    assert_eq!(
        conv["lead"]["email"],
        Value::Null,
        "nothing personal before consent"
    );
    assert_eq!(conv["lead"]["phone"], Value::Null);
    let notice_id = sent[1].id.clone();
    let accept = sim.whatsapp_button_reply_event(
        "4915112345678",
        "Jonas Becker",
        "consent:accept",
        buttons[0]["reply"]["title"].as_str().unwrap(),
        &notice_id,
    );
    assert_eq!(sim.deliver(&url, &accept).await.unwrap(), 200);
    let conv = eventually("the lead after consent", async || {
        let c = conversations(gw.addr, "whatsapp").await.remove(0);
        (c["consent_granted"] == true).then_some(c)
    })
    .await;
    assert_eq!(conv["lead"]["email"], "jonas@becker-bau.de");
    assert_eq!(conv["lead"]["phone"], "+4915112345678");
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn content_that_is_not_text_gets_a_short_answer(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let mut photo = sim.whatsapp_text_event("447700900123", "Sam", "x");
    let m = &mut photo["entry"][0]["changes"][0]["value"]["messages"][0];
    m["type"] = json!("image");
    m.as_object_mut().unwrap().remove("text");
    m["image"] = json!({"id": "1479", "mime_type": "image/jpeg", "sha256": "abc"});
    assert_eq!(sim.deliver(&url, &photo).await.unwrap(), 200);
    let sent = eventually("the answer", async || {
        let s = sent_to(&sim, "447700900123");
        (s.len() >= 2).then_some(s)
    })
    .await;
    assert!(shown(&sent[1]).contains("text"), "{:?}", shown(&sent[1]));
    let conv = &conversations(gw.addr, "whatsapp").await[0];
    assert_eq!(visitor_texts(conv), ["[image]"]);
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn a_whatsapp_lead_reaches_the_crm_and_sales(db: Db) {
    use leadgate::alerts::SlackConfig;
    use leadgate_sim::hubspot::HubSpotSim;
    use leadgate_sim::slack::SlackSim;
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    let slack = SlackSim::start(Default::default()).await.unwrap();
    let mut c = config(&db);
    c.sites[0].locale = "de-DE".into();
    c.sites[0].crm = leadgate::crm::CrmKind::Hubspot;
    c.crm.hubspot = Some(leadgate::crm::hubspot::Config {
        base_url: hubspot.base_url().to_owned(),
        token: hubspot.private_app_token().to_owned().into(),
        timeout_secs: 5,
        ..Default::default()
    });
    c.alerts.slack = Some(SlackConfig {
        webhook_url: Some(slack.webhook_url().into()),
        ..SlackConfig::default()
    });
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    // A German number the visitor never types: the phone comes from WhatsApp.
    let lines = [
        "Guten Tag, ich bin Paula Brandt, Geschäftsführerin der Brandt Logistik GmbH.",
        "Unser Budget liegt bei 12.000 € und wir wollen nächste Woche starten.",
        "Wir vergleichen gerade mit Intercom. Ich entscheide das.",
    ];
    for line in lines {
        let event = sim.whatsapp_text_event("4915112345678", "Paula", line);
        assert_eq!(sim.deliver(&url, &event).await.unwrap(), 200);
        // One message after the other, as a person types.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let contact = eventually("the contact in HubSpot", async || {
        hubspot
            .records("contacts")
            .into_iter()
            .find(|r| r.fields.get("phone").and_then(Value::as_str) == Some("+4915112345678"))
    })
    .await;
    assert_eq!(contact.fields["lastname"], "Brandt", "{contact:?}");
    let alert = eventually("the Slack alert", async || {
        slack.messages().into_iter().next()
    })
    .await;
    assert!(
        alert
            .text
            .as_deref()
            .unwrap_or_default()
            .contains("Paula Brandt"),
        "{alert:?}"
    );
    assert!(alert.blocks.unwrap().to_string().contains("whatsapp"));
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn receipts_follow_each_reply(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let event = sim.whatsapp_text_event("447912345678", "Oliver", "Hello there");
    assert_eq!(sim.deliver(&url, &event).await.unwrap(), 200);
    let sent = eventually("the replies", async || {
        let s = sent_to(&sim, "447912345678");
        (s.len() >= 2).then_some(s)
    })
    .await;
    // Receipts come out of order and twice: read before delivered, delivered again.
    for status in ["read", "delivered", "delivered"] {
        let receipt = sim.whatsapp_status_event(&sent[1].id, status, "447912345678");
        assert_eq!(sim.deliver(&url, &receipt).await.unwrap(), 200);
    }
    let failed = sim.whatsapp_status_event(&sent[0].id, "failed", "447912345678");
    assert_eq!(sim.deliver(&url, &failed).await.unwrap(), 200);
    // A receipt for a message that is not ours changes nothing.
    let stranger = sim.whatsapp_status_event("wamid.NOT-OURS", "read", "447912345678");
    assert_eq!(sim.deliver(&url, &stranger).await.unwrap(), 200);
    let conv = eventually("the receipts applied", async || {
        let c = conversations(gw.addr, "whatsapp").await.remove(0);
        let d = c["deliveries"].as_array().unwrap().clone();
        (d.len() == 2 && d[1]["status"] == "read" && d[0]["status"] == "failed").then_some(c)
    })
    .await;
    assert_eq!(conv["deliveries"][1]["provider_id"], json!(sent[1].id));
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn admin_jobs(addr: SocketAddr, state: &str) -> Vec<Value> {
    admin(addr, &format!("jobs?state={state}")).await["jobs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn every_kind_of_message_gets_a_sensible_answer(db: Db) {
    use leadgate_sim::meta::WaUser;
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let who = WaUser::phone("447700900456", "Sam");
    let first = sim.whatsapp_text_event("447700900456", "Sam", "Hello, I need a chatbot");
    assert_eq!(sim.deliver(&url, &first).await.unwrap(), 200);
    let sent = eventually("the first replies", async || {
        let s = sent_to(&sim, "447700900456");
        (s.len() >= 2).then_some(s)
    })
    .await;
    let ours = sent[1].id.clone();
    let unreadable = [
        sim.whatsapp_image_event(&who, Some("our logo")),
        sim.whatsapp_audio_event(&who, true),
        sim.whatsapp_video_event(&who, None),
        sim.whatsapp_document_event(&who, "brief.pdf", None),
        sim.whatsapp_sticker_event(&who, false),
        sim.whatsapp_location_event(&who, 51.5, -0.1, Some("Office"), None),
        sim.whatsapp_contacts_event(&who, "Jo Bloggs", "+447700900999"),
        sim.whatsapp_reaction_event(&who, &ours, Some("👍")),
        sim.whatsapp_unsupported_event(&who, "poll"),
    ];
    for (i, event) in unreadable.iter().enumerate() {
        assert_eq!(sim.deliver(&url, event).await.unwrap(), 200);
        eventually("the only-text answer", async || {
            (sent_to(&sim, "447700900456").len() >= 3 + i).then_some(())
        })
        .await;
    }
    // A removed reaction, a system notice, an account error and receipts get no answer.
    let quiet = [
        sim.whatsapp_reaction_event(&who, &ours, None),
        sim.whatsapp_system_event(&who, &WaUser::phone("447700900457", "Sam")),
        sim.whatsapp_errors_event(130429),
        sim.whatsapp_status_event(&ours, "read", "447700900456"),
    ];
    for event in &quiet {
        assert_eq!(sim.deliver(&url, event).await.unwrap(), 200);
    }
    // A list row and a template's quick reply are read as the visitor's answer.
    let row = sim.whatsapp_list_reply_event(&who, "Within a month", "Within a month", None, &ours);
    assert_eq!(sim.deliver(&url, &row).await.unwrap(), 200);
    let tap = sim.whatsapp_template_button_event(&who, "Call me", "Call me", &ours);
    assert_eq!(sim.deliver(&url, &tap).await.unwrap(), 200);
    let conv = eventually("every message stored", async || {
        let c = conversations(gw.addr, "whatsapp").await.remove(0);
        (visitor_texts(&c).len() == 12).then_some(c)
    })
    .await;
    let texts = visitor_texts(&conv);
    assert_eq!(texts[1], "[image]");
    assert_eq!(texts[8], "[reaction]");
    assert_eq!(&texts[10..], ["Within a month", "Call me"]);
    settled(gw.addr).await;
    // Greeting and reply, nine only-text answers, two replies; nothing for the quiet ones.
    assert_eq!(
        sent_to(&sim, "447700900456").len(),
        2 + 9 + 2,
        "{:?}",
        sent_to(&sim, "447700900456")
            .iter()
            .map(shown)
            .collect::<Vec<_>>()
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn graph_errors_are_retried_refused_or_paused_by_code(db: Db) {
    use leadgate_sim::SendFailure;
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    // Throughput and pair rate limits: retried, then sent once.
    sim.fail_sends(1, SendFailure::new(130429));
    sim.fail_sends(1, SendFailure::new(131056));
    let a = sim.whatsapp_text_event("48601234001", "A", "Dzień dobry, szukam chatbota");
    assert_eq!(sim.deliver(&url, &a).await.unwrap(), 200);
    eventually("replies after throttling", async || {
        (sent_to(&sim, "48601234001").len() >= 2).then_some(())
    })
    .await;
    // Undeliverable (not on WhatsApp): refused for good, visible among dead jobs.
    sim.fail_sends(1, SendFailure::new(131026).to("48601234002"));
    let b = sim.whatsapp_text_event("48601234002", "B", "Dzień dobry");
    assert_eq!(sim.deliver(&url, &b).await.unwrap(), 200);
    let dead = eventually("a dead delivery", async || {
        admin_jobs(gw.addr, "dead")
            .await
            .into_iter()
            .find(|j| j["kind"] == "channel_send")
    })
    .await;
    assert!(
        dead["last_error"].as_str().unwrap().contains("131026"),
        "{dead}"
    );
    // An expired token pauses the bridge's sends until an operator resumes them.
    sim.fail_sends(1, SendFailure::new(190).status(401));
    let d = sim.whatsapp_text_event("48601234003", "D", "Dzień dobry");
    assert_eq!(sim.deliver(&url, &d).await.unwrap(), 200);
    eventually("a paused delivery", async || {
        admin_jobs(gw.addr, "paused")
            .await
            .into_iter()
            .find(|j| j["kind"] == "channel_send")
    })
    .await;
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn outside_the_window_a_template_goes_once_or_nothing_does(db: Db) {
    for template in [false, true] {
        let db = TestDb::new(db).await;
        let sim = MetaSim::start(meta::Options::default()).await.unwrap();
        let mut c = config(&db);
        with_channels(&mut c, &sim, "demo");
        if template {
            c.channels.whatsapp.as_mut().unwrap().reengagement_template =
                Some(leadgate::channels::config::Template {
                    name: "leadgate_followup".into(),
                    language: "en".into(),
                });
        }
        let gw = start(c).await;
        let url = format!("http://{}/webhooks/whatsapp", gw.addr);
        // A message that reaches the gateway while the simulator's window for the person is
        // closed (as for a reply written long after their last message): free-form sends get
        // 131047, templates go.
        let e = sim.whatsapp_text_event("447911111111", "Ann", "Hello there");
        let body = meta::wire_body(&e);
        let signature = sim.sign(body.as_bytes());
        assert_eq!(
            sim.deliver_raw(&url, body.as_bytes(), Some(&signature))
                .await
                .unwrap(),
            200
        );
        let conv = eventually("the replies given up", async || {
            let c = conversations(gw.addr, "whatsapp")
                .await
                .into_iter()
                .next()?;
            let d = c["deliveries"].as_array()?.clone();
            (d.len() == 2 && d.iter().all(|d| d["status"] == "undeliverable")).then_some(c)
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let sent = sent_to(&sim, "447911111111");
        let reason = conv["deliveries"][0]["error"].as_str().unwrap();
        if template {
            assert_eq!(sent.len(), 1, "the template, once: {sent:?}");
            assert_eq!(sent[0].body["type"], "template");
            assert!(reason.contains("template"), "{reason}");
        } else {
            assert!(sent.is_empty(), "nothing sent, nothing retried: {sent:?}");
            assert!(
                admin_jobs(gw.addr, "pending")
                    .await
                    .iter()
                    .all(|j| j["kind"] != "channel_send")
            );
        }
        gw.stop().await.unwrap();
        db.remove().await;
    }
}

async fn a_sender_without_a_number_and_instagram_are_conversations_too(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    let gw = start(c).await;
    let wa = format!("http://{}/webhooks/whatsapp", gw.addr);
    let ms = format!("http://{}/webhooks/messenger", gw.addr);
    let hidden = sim.whatsapp_bsuid_text_event(
        "US.13491208655302741918",
        "kim.l",
        "Kim",
        "Hi, do you do chatbots for dentists?",
    );
    assert_eq!(sim.deliver(&wa, &hidden).await.unwrap(), 200);
    let ig = sim.instagram_text_event("1234567890123456", "Hello! Do you ship to Canada?");
    assert_eq!(sim.deliver(&ms, &ig).await.unwrap(), 200);
    let sent = eventually("both answered", async || {
        let s = sim.sent();
        (s.iter()
            .filter(|m| m.to == "US.13491208655302741918")
            .count()
            >= 2
            && s.iter().filter(|m| m.to == "1234567890123456").count() >= 2)
            .then_some(s)
    })
    .await;
    assert!(
        sent.iter()
            .any(|m| m.body["recipient"] == "US.13491208655302741918")
    );
    let whatsapp = conversations(gw.addr, "whatsapp").await.remove(0);
    assert_eq!(
        whatsapp["lead"]["phone"],
        Value::Null,
        "no number, no phone"
    );
    assert_eq!(conversations(gw.addr, "instagram").await.len(), 1);
    gw.stop().await.unwrap();
    db.remove().await;
}

async fn writing_again_after_a_long_silence_starts_a_new_conversation_for_the_same_person(db: Db) {
    use leadgate_sim::hubspot::HubSpotSim;
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    // Two seconds of silence make a new conversation.
    c.channels.conversation_idle_hours = 2.0 / 3600.0;
    c.sites[0].crm = leadgate::crm::CrmKind::Hubspot;
    c.crm.hubspot = Some(leadgate::crm::hubspot::Config {
        base_url: hubspot.base_url().to_owned(),
        token: hubspot.private_app_token().to_owned().into(),
        timeout_secs: 5,
        ..Default::default()
    });
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    let first = sim.whatsapp_text_event(
        "4915112340000",
        "Lena",
        "Hallo, ich bin Lena Vogt von der Vogt Druck GmbH.",
    );
    assert_eq!(sim.deliver(&url, &first).await.unwrap(), 200);
    eventually("the first conversation synced", async || {
        hubspot.records("contacts").into_iter().next()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let again = sim.whatsapp_text_event(
        "4915112340000",
        "Lena",
        "Hallo nochmal, haben Sie ein Angebot für uns?",
    );
    assert_eq!(sim.deliver(&url, &again).await.unwrap(), 200);
    let all = eventually("two conversations", async || {
        let all = conversations(gw.addr, "whatsapp").await;
        (all.len() == 2 && all.iter().all(|c| visitor_texts(c).len() == 1)).then_some(all)
    })
    .await;
    assert!(all.iter().all(|c| c["lead"]["phone"] == "+4915112340000"));
    settled(gw.addr).await;
    assert_eq!(
        hubspot.records("contacts").len(),
        1,
        "the CRM still finds the same person"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A sender whose conversation holds `[limits] messages_per_conversation` messages is not
/// refused: their next message starts a new conversation, and the full one is kept.
async fn a_full_conversation_gives_way_to_a_new_one(db: Db) {
    let db = TestDb::new(db).await;
    let sim = MetaSim::start(meta::Options::default()).await.unwrap();
    let mut c = config(&db);
    with_channels(&mut c, &sim, "demo");
    c.limits.messages_per_conversation = 4;
    let gw = start(c).await;
    let url = format!("http://{}/webhooks/whatsapp", gw.addr);
    for (i, text) in [
        "Hello, do you offer installation?",
        "And how long does delivery take?",
        "One more question: is there a warranty?",
    ]
    .into_iter()
    .enumerate()
    {
        let event = sim.whatsapp_text_event("4915112340001", "Jo", text);
        assert_eq!(sim.deliver(&url, &event).await.unwrap(), 200);
        eventually("the message read", async || {
            let all = conversations(gw.addr, "whatsapp").await;
            let read: usize = all.iter().map(|c| visitor_texts(c).len()).sum();
            (read == i + 1).then_some(())
        })
        .await;
    }
    let all = conversations(gw.addr, "whatsapp").await;
    assert!(all.len() >= 2, "a new conversation once the first was full");
    let mut texts: Vec<String> = all.iter().flat_map(visitor_texts).collect();
    texts.sort();
    assert_eq!(texts.len(), 3, "every message kept: {texts:?}");
    gw.stop().await.unwrap();
    db.remove().await;
}

both_stores!(
    the_handshake_answers_only_the_right_token,
    a_whatsapp_text_is_answered_and_becomes_a_lead,
    bad_signatures_are_refused_and_nothing_is_kept,
    redelivered_and_concurrent_posts_make_one_turn,
    a_senders_messages_are_read_in_their_order,
    a_batched_post_is_read_whole,
    a_graph_outage_is_healed_by_the_outbox,
    a_messenger_message_is_answered,
    consent_comes_first_on_sites_that_ask_for_it,
    content_that_is_not_text_gets_a_short_answer,
    a_whatsapp_lead_reaches_the_crm_and_sales,
    receipts_follow_each_reply,
    every_kind_of_message_gets_a_sensible_answer,
    graph_errors_are_retried_refused_or_paused_by_code,
    outside_the_window_a_template_goes_once_or_nothing_does,
    a_sender_without_a_number_and_instagram_are_conversations_too,
    writing_again_after_a_long_silence_starts_a_new_conversation_for_the_same_person,
    a_full_conversation_gives_way_to_a_new_one,
);
