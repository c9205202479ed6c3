//! Black-box tests of the widget protocol over a real websocket, on SQLite and PostgreSQL.

mod common;

use common::{Client, Db, TestDb, admin_conversation, bot_texts, config, start};
use futures_util::SinkExt;
use serde_json::json;

/// One scripted conversation per language, ending with a captured lead.
async fn conversations_capture_leads_in_five_languages(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let scripts: [(&str, &[&str], &str, &str); 5] = [
        (
            "en-GB",
            &[
                "Hi, I'm Oliver Grant from Harbour Lights Ltd, we need a chatbot for bookings.",
                "oliver.grant@harbourlights.co.uk",
                "About £5k, and we'd like to start next month.",
                "I decide.",
            ],
            "oliver.grant@harbourlights.co.uk",
            "Oliver",
        ),
        (
            "pl-PL",
            &[
                "Dzień dobry, Karolina Wiśniewska, właścicielka Kwiaciarnia Róża Sp. z o.o.",
                "k.wisniewska@kwiaciarnia-roza.pl, tel. 512 345 678",
                "do 10 tys. zł, jak najszybciej",
            ],
            "k.wisniewska@kwiaciarnia-roza.pl",
            "Karolina",
        ),
        (
            "de-DE",
            &[
                "Guten Tag, ich bin Jonas Becker von der Becker Bau GmbH.",
                "Sie erreichen mich unter j.becker@becker-bau.de",
                "Zwischen 8.000 und 12.000 €, Start im dritten Quartal.",
            ],
            "j.becker@becker-bau.de",
            "Jonas",
        ),
        (
            "es-ES",
            &[
                "Hola, soy Lucía Romero, gerente de Hotel Mirador S.L.",
                "lucia arroba hotelmirador punto es",
                "Unos 6.000 euros, lo antes posible.",
            ],
            "lucia@hotelmirador.es",
            "Lucía",
        ),
        (
            "fr-FR",
            &[
                "Bonjour, Camille Laurent, fondatrice de Atelier Bleu SAS.",
                "camille.laurent@atelierbleu.fr ou 06 12 34 56 78",
                "Environ 3 000 €, d'ici fin juin.",
            ],
            "camille.laurent@atelierbleu.fr",
            "Camille",
        ),
    ];
    for (locale, lines, email, first) in scripts {
        let mut c = Client::open(gw.addr, "demo", locale).await;
        let greeting = c.expect("message").await;
        assert_eq!(greeting["role"], "bot");
        for line in lines {
            let frames = c.say(line).await;
            assert_eq!(frames[0]["type"], "typing", "{locale}: {frames:?}");
            let ack = frames.iter().find(|f| f["type"] == "ack").expect("ack");
            assert_eq!(ack["duplicate"], false);
            let echo = frames
                .iter()
                .find(|f| f["type"] == "message" && f["role"] == "visitor")
                .expect("echo");
            assert_eq!(echo["seq"], ack["seq"]);
            assert_eq!(echo["text"], *line);
            assert!(
                !bot_texts(&frames).is_empty(),
                "{locale}: the bot answers every message"
            );
        }
        let view = admin_conversation(gw.addr, c.session_id.as_deref().unwrap()).await;
        assert_eq!(view["lead"]["email"], email, "{locale}: {view}");
        assert_eq!(view["lead"]["first_name"], first, "{locale}: {view}");
        assert!(view["lead"]["budget"].is_object(), "{locale}: {view}");
        assert!(!view["revisions"].as_array().unwrap().is_empty());
    }
    gw.stop().await.unwrap();
    db.remove().await;
}

/// The bot confirms captured details and does not repeat a question that was just asked.
async fn the_bot_confirms_and_moves_on(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut c = Client::open(gw.addr, "demo", "en-US").await;
    c.expect("message").await;
    let first = c.say("We'd like a bot for our online shop.").await;
    let second = c.say("It should answer questions about deliveries.").await;
    assert_ne!(
        bot_texts(&first),
        bot_texts(&second),
        "never the same question twice in a row"
    );
    let third = c.say("anna.kowal@shop-example.eu").await;
    let reply = bot_texts(&third).join(" ");
    assert!(reply.contains("anna.kowal@shop-example.eu"), "{reply}");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A dropped connection resumes with nothing lost and nothing repeated.
async fn resume_loses_and_repeats_nothing(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut c = Client::open(gw.addr, "demo", "en-US").await;
    c.expect("message").await;
    c.say("Hello, I'm Maria Lopez.").await;
    let seen = c.last_seq;
    // Another turn happens while this client misses the frames: send and drop before reading.
    c.send(
        json!({"type": "message", "client_msg_id": "lost-1", "text": "maria@lopez-consulting.com"}),
    )
    .await;
    // Read only the ack, then drop the connection.
    loop {
        let f = c.recv().await.unwrap();
        if f["type"] == "ack" {
            break;
        }
    }
    drop(c.ws);
    let mut again = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
    again.session_id = c.session_id.clone();
    again.resume_token = c.resume_token.clone();
    again.last_seq = seen;
    let welcome = again.hello("demo", None).await;
    assert_eq!(welcome["resumed"], true, "{welcome}");
    // The replay holds exactly the messages after `seen`: the visitor's and the bot's reply.
    let mut replayed = Vec::new();
    while replayed.len() < 2 {
        let f = again.recv().await.unwrap();
        assert_eq!(f["type"], "message", "{f}");
        replayed.push(f);
    }
    let seqs: Vec<i64> = replayed
        .iter()
        .map(|f| f["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![seen + 1, seen + 2]);
    assert_eq!(replayed[0]["client_msg_id"], "lost-1");
    // Resending the message that was in flight is answered as a duplicate, not stored twice.
    let frames = again
        .say_with_id("lost-1", "maria@lopez-consulting.com")
        .await;
    let ack = frames.iter().find(|f| f["type"] == "ack").unwrap();
    assert_eq!(ack["duplicate"], true);
    assert_eq!(ack["seq"], seen + 1);
    let view = admin_conversation(gw.addr, again.session_id.as_deref().unwrap()).await;
    let texts: Vec<&str> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "visitor")
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec!["Hello, I'm Maria Lopez.", "maria@lopez-consulting.com"]
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A forged or foreign resume token starts a new session instead.
async fn a_bad_resume_token_starts_afresh(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut c = Client::open(gw.addr, "demo", "en-US").await;
    let real = c.session_id.clone().unwrap();
    let mut intruder = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
    intruder.send(json!({"type": "hello", "v": 1, "site": "demo", "session_id": real, "resume_token": "forged", "last_seq": 0})).await;
    let err = intruder.expect("error").await;
    assert_eq!(err["code"], "resume_failed");
    let welcome = intruder.expect("welcome").await;
    assert_eq!(welcome["resumed"], false);
    assert_ne!(welcome["session_id"], json!(real));
    c.recv().await;
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Duplicate sends are acknowledged as duplicates and processed once.
async fn duplicate_sends_are_processed_once(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut c = Client::open(gw.addr, "demo", "en-US").await;
    c.expect("message").await;
    let first = c
        .say_with_id("same-id", "We have a budget of 20k EUR")
        .await;
    let ack1 = first.iter().find(|f| f["type"] == "ack").unwrap().clone();
    for _ in 0..3 {
        let again = c
            .say_with_id("same-id", "We have a budget of 20k EUR")
            .await;
        let ack = again.iter().find(|f| f["type"] == "ack").unwrap();
        assert_eq!(ack["duplicate"], true);
        assert_eq!(ack["seq"], ack1["seq"]);
        assert!(
            bot_texts(&again).is_empty(),
            "a duplicate gets no second reply"
        );
    }
    let view = admin_conversation(gw.addr, c.session_id.as_deref().unwrap()).await;
    let visitor = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "visitor")
        .count();
    assert_eq!(visitor, 1);
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Bad input gets its error and the server keeps serving.
async fn hostile_frames_get_errors_and_the_server_keeps_serving(db: Db) {
    let db = TestDb::new(db).await;
    let mut cfg = config(&db);
    cfg.limits.session_msgs_per_min = 3;
    let gw = start(cfg).await;
    let addr = gw.addr;

    // Before hello.
    let mut c = Client::connect(addr, Some("demo"), None).await.unwrap();
    c.send(json!({"type": "message", "client_msg_id": "x", "text": "hi"}))
        .await;
    assert_eq!(c.expect("error").await["code"], "hello_required");
    assert!(c.recv().await.is_none(), "closed after hello_required");

    // Wrong version, unknown site.
    let mut c = Client::connect(addr, None, None).await.unwrap();
    c.send(json!({"type": "hello", "v": 2, "site": "demo", "last_seq": 0}))
        .await;
    assert_eq!(c.expect("error").await["code"], "unsupported_version");
    let mut c = Client::connect(addr, None, None).await.unwrap();
    c.send(json!({"type": "hello", "v": 1, "site": "nope", "last_seq": 0}))
        .await;
    assert_eq!(c.expect("error").await["code"], "unknown_site");

    let mut c = Client::open(addr, "demo", "en-US").await;
    c.expect("message").await;
    for (raw, code) in [
        ("this is not json", "bad_json"),
        ("[1,2,3]", "bad_json"),
        ("{\"no_type\": true}", "bad_json"),
        ("{\"type\": 42}", "bad_json"),
        ("{\"type\": \"launch_missiles\"}", "unknown_type"),
        ("{\"type\": \"message\", \"text\": \"no id\"}", "bad_frame"),
        (
            "{\"type\": \"message\", \"client_msg_id\": \"\", \"text\": \"x\"}",
            "bad_frame",
        ),
        (
            "{\"type\": \"message\", \"client_msg_id\": 7, \"text\": \"x\"}",
            "bad_frame",
        ),
        ("{\"type\": \"ack\", \"seq\": \"one\"}", "bad_frame"),
        ("{\"type\": \"consent\", \"granted\": \"yes\"}", "bad_frame"),
        (
            "{\"type\": \"hello\", \"v\": 1, \"site\": \"demo\", \"last_seq\": 0}",
            "bad_frame",
        ),
        (
            "{\"type\": \"message\", \"client_msg_id\": \"e\", \"text\": \"   \"}",
            "empty_text",
        ),
    ] {
        c.send_raw(raw).await;
        let f = c.expect("error").await;
        assert_eq!(f["code"], code, "{raw}: {f}");
    }
    let long = "x".repeat(4097);
    c.send(json!({"type": "message", "client_msg_id": "long", "text": long}))
        .await;
    let f = c.expect("error").await;
    assert_eq!(f["code"], "text_too_long");
    assert_eq!(f["client_msg_id"], "long");
    c.ws.send(tokio_tungstenite::tungstenite::Message::Binary(
        vec![1, 2, 3].into(),
    ))
    .await
    .unwrap();
    assert_eq!(c.expect("error").await["code"], "binary_not_supported");
    // Ping works; the connection survived all of the above.
    c.send(json!({"type": "ping", "t": 7})).await;
    assert_eq!(c.expect("pong").await["t"], 7);

    // Flooding: the session's limit answers rate_limited with a wait.
    let mut limited = None;
    for i in 0..6 {
        let frames = c.say(&format!("message number {i}")).await;
        if let Some(e) = frames.iter().find(|f| f["type"] == "error") {
            limited = Some(e.clone());
            break;
        }
    }
    let limited = limited.expect("flooding is limited");
    assert_eq!(limited["code"], "rate_limited");
    assert!(limited["retry_after_ms"].as_u64().unwrap() > 0);

    // A frame over the frame limit closes that socket only.
    let mut big = Client::open(addr, "demo", "en-US").await;
    big.expect("message").await;
    big.send_raw(&format!(
        "{{\"type\":\"message\",\"client_msg_id\":\"b\",\"text\":\"{}\"}}",
        "y".repeat(40_000)
    ))
    .await;
    let mut got_close_or_error = false;
    while let Some(f) = big.recv().await {
        if f["type"] == "error" {
            assert_eq!(f["code"], "frame_too_large");
        }
        got_close_or_error = true;
    }
    let _ = got_close_or_error;

    // Others are still served.
    let mut other = Client::open(addr, "demo", "pl-PL").await;
    other.expect("message").await;
    let frames = other.say("Dzień dobry").await;
    assert!(!bot_texts(&frames).is_empty());
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Origins are checked before the upgrade and at hello.
async fn origins_are_checked(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let addr = gw.addr;
    let refused = Client::connect(addr, Some("acme"), Some("https://evil.example")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 403);
            let body: serde_json::Value =
                serde_json::from_slice(resp.body().as_deref().unwrap_or_default()).unwrap();
            assert_eq!(body["error"]["code"], "origin_not_allowed");
        }
        other => panic!("expected a 403, got {:?}", other.map(|_| "a socket")),
    }
    let unknown = Client::connect(addr, Some("ghost"), None).await;
    assert!(
        matches!(unknown, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 404)
    );
    // Allowed for acme, then a hello for the demo site from acme's origin is refused.
    let mut ok = Client::connect(addr, Some("acme"), Some("https://www.acme.eu"))
        .await
        .unwrap();
    let w = ok.hello("acme", None).await;
    assert_eq!(w["type"], "welcome");
    let mut cross = Client::connect(addr, None, Some("https://www.acme.eu"))
        .await
        .unwrap();
    cross
        .send(json!({"type": "hello", "v": 1, "site": "demo", "last_seq": 0}))
        .await;
    assert_eq!(cross.expect("error").await["code"], "origin_not_allowed");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// With consent required, personal fields wait for the visitor's consent.
async fn consent_gates_personal_fields(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut c = Client::connect(gw.addr, Some("private"), None)
        .await
        .unwrap();
    let welcome = c.hello("private", Some("de-DE")).await;
    assert_eq!(welcome["consent"]["required"], true);
    assert_eq!(welcome["consent"]["granted"], false);
    assert!(
        welcome["consent"]["notice"]
            .as_str()
            .unwrap()
            .contains("Private")
    );
    c.expect("message").await;
    c.say("Ich bin Lena Vogel, lena.vogel@vogel-design.de, Budget 5.000 €")
        .await;
    let id = c.session_id.clone().unwrap();
    let before = admin_conversation(gw.addr, &id).await;
    assert!(before["lead"]["email"].is_null(), "{before}");
    assert!(before["lead"]["first_name"].is_null());
    assert_eq!(
        before["lead"]["budget"]["max"], 5000,
        "non-personal facts are kept"
    );
    c.send(json!({"type": "consent", "granted": true, "policy_version": "2026-01"}))
        .await;
    let f = c.expect("consent").await;
    assert_eq!(f["granted"], true);
    let after = admin_conversation(gw.addr, &id).await;
    assert_eq!(
        after["lead"]["email"], "lena.vogel@vogel-design.de",
        "{after}"
    );
    assert_eq!(after["lead"]["first_name"], "Lena");
    assert_eq!(after["consent_granted"], true);
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Every acknowledged message survives a graceful shutdown and a restart.
async fn acknowledged_messages_survive_a_restart(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut c = Client::open(gw.addr, "demo", "en-US").await;
    c.expect("message").await;
    let frames = c
        .say("Please note my email: ivo.petrov@example-trading.bg")
        .await;
    assert!(frames.iter().any(|f| f["type"] == "ack"));
    let stop = tokio::spawn(gw.stop());
    // The socket is closed with 1012 (service restart).
    assert!(c.recv().await.is_none());
    stop.await.unwrap().unwrap();
    let gw = start(config(&db)).await;
    let mut again = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
    again.session_id = c.session_id.clone();
    again.resume_token = c.resume_token.clone();
    let w = again.hello("demo", None).await;
    assert_eq!(
        w["resumed"], true,
        "the resume secret is kept in the database"
    );
    let view = admin_conversation(gw.addr, again.session_id.as_deref().unwrap()).await;
    assert!(
        view["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"] == "Please note my email: ivo.petrov@example-trading.bg")
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Two tabs of one session see each other's messages.
async fn a_second_tab_sees_the_conversation(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut a = Client::open(gw.addr, "demo", "en-US").await;
    a.expect("message").await;
    let mut b = Client::connect(gw.addr, Some("demo"), None).await.unwrap();
    b.session_id = a.session_id.clone();
    b.resume_token = a.resume_token.clone();
    b.last_seq = a.last_seq;
    assert_eq!(b.hello("demo", None).await["resumed"], true);
    a.say("Hi from the first tab").await;
    let pushed = b.expect("message").await;
    assert_eq!(pushed["text"], "Hi from the first tab");
    let bot = b.expect("message").await;
    assert_eq!(bot["role"], "bot");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Gateways sharing a PostgreSQL database push each other's turns: a tab connected to another
/// gateway sees the conversation live, both ways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_on_another_gateway_sees_the_conversation() {
    let db = TestDb::new(Db::Postgres).await;
    let one = start(config(&db)).await;
    let two = start(config(&db)).await;
    let mut a = Client::open(one.addr, "demo", "en-US").await;
    a.expect("message").await;
    let mut b = Client::connect(two.addr, Some("demo"), None).await.unwrap();
    b.session_id = a.session_id.clone();
    b.resume_token = a.resume_token.clone();
    b.last_seq = a.last_seq;
    assert_eq!(b.hello("demo", None).await["resumed"], true);

    a.say("Hi from the first gateway").await;
    let pushed = b.expect("message").await;
    assert_eq!(pushed["text"], "Hi from the first gateway");
    assert_eq!(b.expect("message").await["role"], "bot");

    b.say("And hello from the second").await;
    let pushed = a.expect("message").await;
    assert_eq!(pushed["text"], "And hello from the second");
    let bot = a.expect("message").await;
    assert_eq!(bot["role"], "bot");
    assert_eq!(
        a.last_seq, b.last_seq,
        "both tabs hold the whole conversation"
    );
    one.stop().await.unwrap();
    two.stop().await.unwrap();
    db.remove().await;
}

/// The operator can erase a visitor.
async fn a_visitor_can_be_erased(db: Db) {
    let db = TestDb::new(db).await;
    let gw = start(config(&db)).await;
    let mut c = Client::open(gw.addr, "demo", "en-US").await;
    c.expect("message").await;
    c.say("I'm Tom Baker, tom@baker-bikes.co.uk").await;
    let id = c.session_id.clone().unwrap();
    let http = reqwest::Client::new();
    let unauth = http
        .delete(format!("http://{}/api/admin/conversations/{id}", gw.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(unauth.status(), 401);
    let resp = http
        .delete(format!("http://{}/api/admin/conversations/{id}", gw.addr))
        .bearer_auth(common::ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let view = admin_conversation(gw.addr, &id).await;
    assert!(view["lead"].is_null());
    assert!(view["messages"].as_array().unwrap().is_empty());
    assert!(view["erased_ms"].is_number());
    gw.stop().await.unwrap();
    db.remove().await;
}

both_stores!(
    conversations_capture_leads_in_five_languages,
    the_bot_confirms_and_moves_on,
    resume_loses_and_repeats_nothing,
    a_bad_resume_token_starts_afresh,
    duplicate_sends_are_processed_once,
    hostile_frames_get_errors_and_the_server_keeps_serving,
    origins_are_checked,
    consent_gates_personal_fields,
    acknowledged_messages_survive_a_restart,
    a_second_tab_sees_the_conversation,
    a_visitor_can_be_erased,
);
