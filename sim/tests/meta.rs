//! Meta Graph simulator over real HTTP: WhatsApp and Messenger sends, windows, errors, and
//! signed deliveries to a webhook receiver.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use common::{client, status_json};
use leadgate_sim::meta::{
    MetaSim, Options, Platform, WaUser, batch, signature, wire_body, with_timestamp,
};
use leadgate_sim::{RateLimit, SendFailure};
use serde_json::{Value, json};

/// What the test webhook receiver saw: signature header and raw body per POST.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

async fn receiver(verify_token: String) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route(
            "/hook",
            get(
                move |Query(params): Query<std::collections::HashMap<String, String>>| async move {
                    if params.get("hub.verify_token") == Some(&verify_token)
                        && params.get("hub.mode").map(String::as_str) == Some("subscribe")
                    {
                        (
                            axum::http::StatusCode::OK,
                            params.get("hub.challenge").cloned().unwrap_or_default(),
                        )
                    } else {
                        (axum::http::StatusCode::FORBIDDEN, String::new())
                    }
                },
            )
            .post(
                |State(seen): State<Seen>, headers: HeaderMap, body: Bytes| async move {
                    let signature = headers
                        .get("x-hub-signature-256")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    seen.lock()
                        .unwrap()
                        .push((signature, String::from_utf8(body.to_vec()).unwrap()));
                    "EVENT_RECEIVED"
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn whatsapp_url(sim: &MetaSim) -> String {
    format!(
        "{}/v25.0/{}/messages",
        sim.base_url(),
        sim.options().phone_number_id
    )
}

async fn whatsapp(sim: &MetaSim, body: Value) -> (u16, Value) {
    let response = client()
        .post(whatsapp_url(sim))
        .bearer_auth(&sim.options().access_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    status_json(response).await
}

async fn messenger(sim: &MetaSim, body: Value) -> (u16, Value) {
    let response = client()
        .post(format!(
            "{}/v25.0/me/messages?access_token={}",
            sim.base_url(),
            sim.options().page_access_token
        ))
        .json(&body)
        .send()
        .await
        .unwrap();
    status_json(response).await
}

fn text_to(to: &str, text: &str) -> Value {
    json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text", "text": {"preview_url": false, "body": text}})
}

#[tokio::test]
async fn whatsapp_window_opens_with_an_inbound_message() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let (status, error) = whatsapp(&sim, text_to("+1 650 555 1234", "Hi")).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], 131047);
    assert_eq!(error["error"]["type"], "OAuthException");
    assert!(
        error["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("24 hours")
    );

    let template = |name: &str, code: &str| json!({"messaging_product": "whatsapp", "to": "+16505551234", "type": "template", "template": {"name": name, "language": {"code": code}}});
    assert_eq!(
        whatsapp(&sim, template("leadgate_followup", "de")).await.0,
        200
    );
    let (status, error) = whatsapp(&sim, template("leadgate_followup", "en_US")).await;
    assert_eq!(
        (status, error["error"]["code"].clone()),
        (404, json!(132001))
    );

    let (url, seen) = receiver(sim.options().verify_token.clone()).await;
    let event = sim.whatsapp_text_event("16505551234", "Jane Doe", "Prix pour 50 sièges ?");
    assert_eq!(sim.deliver(&url, &event).await.unwrap(), 200);
    let (status, sent) = whatsapp(&sim, text_to("+16505551234", "Bien sûr !")).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["messaging_product"], "whatsapp");
    assert_eq!(
        sent["contacts"][0],
        json!({"input": "+16505551234", "wa_id": "16505551234"})
    );
    assert!(
        sent["messages"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("wamid.")
    );
    let messages = sim.sent();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1].platform, Platform::WhatsApp);
    assert_eq!(messages[1].body["text"]["body"], "Bien sûr !");

    let (signature_header, body) = seen.lock().unwrap()[0].clone();
    assert!(body.contains("si\\u00e8ges"));
    assert_eq!(
        signature_header,
        signature(&sim.options().app_secret, body.as_bytes())
    );
    let parsed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        parsed["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"],
        "Prix pour 50 sièges ?"
    );
}

#[tokio::test]
async fn whatsapp_validation_receipts_and_tokens() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    sim.open_window("16505551234");
    let buttons: Vec<Value> = (0..4)
        .map(|i| json!({"type": "reply", "reply": {"id": format!("b{i}"), "title": "Pick"}}))
        .collect();
    let interactive = json!({"messaging_product": "whatsapp", "to": "+16505551234", "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "Choose"}, "action": {"buttons": buttons}}});
    let (status, error) = whatsapp(&sim, interactive).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], 131009);
    let read = |id: &str| json!({"messaging_product": "whatsapp", "status": "read", "message_id": id, "typing_indicator": {"type": "text"}});
    let (status, error) = whatsapp(&sim, read("wamid.X")).await;
    assert_eq!((status, error["error"]["code"].clone()), (400, json!(100)));
    let (url, _) = receiver(sim.options().verify_token.clone()).await;
    let event = sim.whatsapp_text_event("16505551234", "Ada", "Hi");
    sim.deliver(&url, &event).await.unwrap();
    let id = event["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        .as_str()
        .unwrap();
    assert_eq!(
        whatsapp(&sim, read(id)).await,
        (200, json!({"success": true}))
    );

    let response = client()
        .post(whatsapp_url(&sim))
        .bearer_auth("EAAwrong")
        .json(&text_to("+16505551234", "x"))
        .send()
        .await
        .unwrap();
    let (status, error) = status_json(response).await;
    assert_eq!(status, 401);
    assert_eq!(error["error"]["code"], 190);
    sim.faults().expire_tokens();
    let (status, error) = whatsapp(&sim, text_to("+16505551234", "x")).await;
    assert_eq!(status, 401);
    assert_eq!(error["error"]["error_subcode"], 463);
}

#[tokio::test]
async fn whatsapp_throttling_and_pair_limits() {
    let sim = MetaSim::start(Options {
        pair_rate_limit: Some(RateLimit::new(1, Duration::from_secs(60))),
        ..Options::default()
    })
    .await
    .unwrap();
    sim.open_window("16505551234");
    sim.faults().throttle_next(1);
    let (status, error) = whatsapp(&sim, text_to("+16505551234", "x")).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], 130429);
    assert_eq!(whatsapp(&sim, text_to("+16505551234", "x")).await.0, 200);
    let (_, error) = whatsapp(&sim, text_to("+16505551234", "again")).await;
    assert_eq!(error["error"]["code"], 131056);
    sim.faults().fail_next(1, 503);
    let (status, error) = whatsapp(&sim, text_to("+16505551234", "x")).await;
    assert_eq!(status, 503);
    assert_eq!(error["error"]["code"], 2);
}

#[tokio::test]
async fn messenger_window_tags_and_sender_actions() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let psid = "6789012345678901";
    let text = json!({"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": {"text": "hello, world"}});
    let (status, error) = messenger(&sim, text.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], 10);
    assert_eq!(error["error"]["error_subcode"], 2018278);

    let (url, seen) = receiver(sim.options().verify_token.clone()).await;
    assert_eq!(
        sim.deliver(&url, &sim.messenger_text_event(psid, "hi"))
            .await
            .unwrap(),
        200
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    let (status, sent) = messenger(&sim, text).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["recipient_id"], psid);
    assert!(sent["message_id"].as_str().unwrap().starts_with("m_"));

    let typing = json!({"recipient": {"id": psid}, "sender_action": "typing_on"});
    assert_eq!(
        messenger(&sim, typing).await,
        (200, json!({"recipient_id": psid}))
    );
    let retired = json!({"recipient": {"id": psid}, "messaging_type": "MESSAGE_TAG", "tag": "ACCOUNT_UPDATE", "message": {"text": "x"}});
    assert_eq!(messenger(&sim, retired).await.1["error"]["code"], 100);
    let long = json!({"recipient": {"id": psid}, "message": {"text": "x".repeat(2001)}});
    assert_eq!(messenger(&sim, long).await.1["error"]["code"], 100);
    assert_eq!(sim.sent().len(), 1);
    assert_eq!(sim.sent()[0].platform, Platform::Messenger);
}

#[tokio::test]
async fn verification_handshake_echoes_the_challenge() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let (url, _) = receiver(sim.options().verify_token.clone()).await;
    assert_eq!(
        sim.verify(&url, "1158201444").await.unwrap(),
        (200, "1158201444".to_owned())
    );
    let (url, _) = receiver("something-else".into()).await;
    assert_eq!(sim.verify(&url, "1158201444").await.unwrap().0, 403);
    let status = sim.whatsapp_status_event("wamid.X", "delivered", "16505551234");
    assert_eq!(
        status["entry"][0]["changes"][0]["value"]["statuses"][0]["status"],
        "delivered"
    );
}

#[tokio::test]
async fn deliveries_are_deterministic_and_raw_bodies_go_as_given() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let (url, seen) = receiver(sim.options().verify_token.clone()).await;
    let event = sim.whatsapp_text_event("16505551234", "José", "¿Precio? https://x.example/a");
    sim.deliver(&url, &event).await.unwrap();
    sim.deliver(&url, &event).await.unwrap();
    let tampered = wire_body(&event).replace("Precio", "Prezzo");
    let signed = sim.sign(wire_body(&event).as_bytes());
    assert_eq!(
        sim.deliver_raw(&url, tampered.as_bytes(), Some(&signed))
            .await
            .unwrap(),
        200
    );
    sim.deliver_raw(&url, b"{}", None).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], seen[1], "same payload, same bytes and signature");
    assert_eq!(seen[0].0, signed);
    assert_eq!(seen[2], (signed, tampered));
    assert_eq!(seen[3], (String::new(), "{}".to_owned()));
}

#[tokio::test]
async fn a_batch_opens_every_writers_window() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let (url, seen) = receiver(sim.options().verify_token.clone()).await;
    let ada = WaUser::phone("16505550001", "Ada");
    let bob = WaUser::bsuid("US.13491208655302741918", "Bob");
    let posted = batch(&[
        with_timestamp(sim.whatsapp_text_from(&ada, "second"), 1_750_000_100),
        with_timestamp(sim.whatsapp_text_from(&bob, "first"), 1_750_000_000),
        sim.whatsapp_status_event("wamid.X", "read", "16505550001"),
    ]);
    assert_eq!(sim.deliver(&url, &posted).await.unwrap(), 200);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let changes = posted["entry"][0]["changes"].as_array().unwrap();
    assert_eq!(changes[0]["value"]["messages"].as_array().unwrap().len(), 2);
    assert_eq!(
        changes[0]["value"]["messages"][1]["timestamp"],
        "1750000000"
    );
    for to in ["+16505550001", "+1 650 555 0001"] {
        assert_eq!(whatsapp(&sim, text_to(to, "Hi")).await.0, 200);
    }
}

#[tokio::test]
async fn whatsapp_lists_and_bsuid_recipients() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let (url, _) = receiver(sim.options().verify_token.clone()).await;
    let bsuid = "US.13491208655302741918";
    let event = sim.whatsapp_bsuid_text_event(bsuid, "@ada", "Ada", "Hi");
    sim.deliver(&url, &event).await.unwrap();
    let rows: Vec<Value> = (0..10)
        .map(|i| json!({"id": format!("row-{i}"), "title": format!("Option {i}")}))
        .collect();
    let list = |rows: &[Value]| {
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "recipient": bsuid, "type": "interactive",
        "interactive": {"type": "list", "body": {"text": "Which plan?"}, "action": {"button": "Plans", "sections": [{"title": "Plans", "rows": rows}]}}})
    };
    let (status, sent) = whatsapp(&sim, list(&rows)).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(
        sent["contacts"][0],
        json!({"input": bsuid, "user_id": bsuid})
    );
    let mut eleven = rows.clone();
    eleven.push(json!({"id": "row-10", "title": "One too many"}));
    let (status, error) = whatsapp(&sim, list(&eleven)).await;
    assert_eq!(
        (status, error["error"]["code"].clone()),
        (400, json!(131009))
    );
    // Without "+" the business country code is prepended: another user, window closed.
    let (_, error) = whatsapp(&sim, text_to("16505551234", "Hi")).await;
    assert_eq!(error["error"]["code"], 131047);
    assert_eq!(sim.sent()[0].to, bsuid);
}

#[tokio::test]
async fn instagram_users_get_instagram_limits() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let (url, _) = receiver(sim.options().verify_token.clone()).await;
    let igsid = "1234567890123456";
    let psid = "6789012345678901";
    sim.deliver(
        &url,
        &sim.instagram_text_event(igsid, "Do you ship to Canada?"),
    )
    .await
    .unwrap();
    sim.deliver(&url, &sim.messenger_text_event(psid, "hi"))
        .await
        .unwrap();
    let text = |to: &str, text: String| json!({"recipient": {"id": to}, "messaging_type": "RESPONSE", "message": {"text": text}});
    assert_eq!(messenger(&sim, text(psid, "x".repeat(1500))).await.0, 200);
    let (status, error) = messenger(&sim, text(igsid, "x".repeat(1500))).await;
    assert_eq!((status, error["error"]["code"].clone()), (400, json!(100)));
    assert_eq!(
        messenger(&sim, text(igsid, "Yes, we do.".into())).await.0,
        200
    );
    let no_type = json!({"recipient": {"id": psid}, "message": {"text": "x"}});
    assert_eq!(messenger(&sim, no_type).await.1["error"]["code"], 100);
    let echo = sim.messenger_echo_event(psid, "Thanks!");
    sim.deliver(&url, &echo).await.unwrap();
    let stranger =
        json!({"recipient": {"id": "42"}, "messaging_type": "RESPONSE", "message": {"text": "x"}});
    assert_eq!(
        messenger(&sim, stranger).await.1["error"]["error_subcode"],
        2018278
    );
}

#[tokio::test]
async fn injected_send_failures_answer_with_metas_bodies() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    sim.open_window("16505551234");
    sim.open_window("6789012345678901");
    for (code, status) in [
        (130429, 400),
        (131056, 400),
        (131047, 400),
        (131026, 400),
        (131049, 400),
        (131000, 500),
        (131016, 500),
        (190, 401),
        (100, 400),
    ] {
        sim.fail_sends(1, SendFailure::new(code));
        let (got, error) = whatsapp(&sim, text_to("+16505551234", "x")).await;
        assert_eq!((got, error["error"]["code"].clone()), (status, json!(code)));
        assert_eq!(error["error"]["type"], "OAuthException");
    }
    let messenger_text = json!({"recipient": {"id": "6789012345678901"}, "messaging_type": "RESPONSE", "message": {"text": "hi"}});
    for (code, subcode) in [(613, None), (551, Some(1545041)), (10, Some(2018278))] {
        sim.fail_sends(1, SendFailure::new(code));
        let (got, error) = messenger(&sim, messenger_text.clone()).await;
        assert_eq!((got, error["error"]["code"].clone()), (400, json!(code)));
        assert_eq!(
            error["error"].get("error_subcode").cloned(),
            subcode.map(|s| json!(s))
        );
        assert!(error["error"].get("error_data").is_none());
    }
    // Only the chosen recipient, with the chosen status; read receipts are not counted.
    sim.fail_sends(
        1,
        SendFailure::new(131056).to("+1 650 555 9999").status(429),
    );
    sim.open_window("16505559999");
    assert_eq!(whatsapp(&sim, text_to("+16505551234", "x")).await.0, 200);
    let (status, error) = whatsapp(&sim, text_to("+16505559999", "x")).await;
    assert_eq!(
        (status, error["error"]["code"].clone()),
        (429, json!(131056))
    );
    assert_eq!(whatsapp(&sim, text_to("+16505559999", "x")).await.0, 200);
    // The admin API takes the same command.
    let response = client()
        .post(format!("{}/_sim/faults", sim.base_url()))
        .json(&json!({"fail_sends": {"n": 2, "code": 131047, "recipient": "16505551234"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    for _ in 0..2 {
        assert_eq!(
            whatsapp(&sim, text_to("+16505551234", "x")).await.1["error"]["code"],
            131047
        );
    }
    assert_eq!(whatsapp(&sim, text_to("+16505551234", "x")).await.0, 200);
}

#[tokio::test]
async fn generic_faults_still_reach_the_send_route() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    sim.open_window("16505551234");
    sim.faults().outage(503, Duration::from_millis(200));
    assert_eq!(whatsapp(&sim, text_to("+16505551234", "x")).await.0, 503);
    tokio::time::sleep(Duration::from_millis(250)).await;
    sim.faults().lose_answer_next(1, "/messages");
    let lost = client()
        .post(whatsapp_url(&sim))
        .bearer_auth(&sim.options().access_token)
        .json(&text_to("+16505551234", "kept"))
        .send()
        .await;
    assert!(lost.is_err(), "the answer is lost");
    assert_eq!(sim.sent().len(), 1, "the message was sent all the same");
    sim.faults().set_latency(Duration::from_millis(20));
    assert_eq!(whatsapp(&sim, text_to("+16505551234", "x")).await.0, 200);
    assert_eq!(
        sim.stats().injected_faults,
        2,
        "the outage and the lost answer"
    );
}

#[tokio::test]
async fn status_callbacks_follow_each_accepted_send() {
    let sim = MetaSim::start(Options::default()).await.unwrap();
    let (url, seen) = receiver(sim.options().verify_token.clone()).await;
    let user = WaUser::phone("16505551234", "Ada").with_user_id("US.13491208655302741918");
    sim.deliver(&url, &sim.whatsapp_text_from(&user, "hi"))
        .await
        .unwrap();
    sim.deliver(&url, &sim.messenger_text_event("6789012345678901", "hi"))
        .await
        .unwrap();
    seen.lock().unwrap().clear();
    assert_eq!(
        whatsapp(&sim, text_to("+16505551234", "Hello")).await.0,
        200
    );
    sim.settle().await;
    assert!(seen.lock().unwrap().is_empty(), "off by default");

    sim.auto_statuses(Some(&url));
    let (_, sent) = whatsapp(&sim, text_to("+16505551234", "Hello")).await;
    let wamid = sent["messages"][0]["id"].as_str().unwrap().to_owned();
    sim.fail_sends(1, SendFailure::new(131026).asynchronous());
    let (status, failing) = whatsapp(&sim, text_to("+16505551234", "Hello")).await;
    assert_eq!(status, 200, "accepted first");
    let failing = failing["messages"][0]["id"].as_str().unwrap().to_owned();
    let (_, mid) = messenger(&sim, json!({"recipient": {"id": "6789012345678901"}, "messaging_type": "RESPONSE", "message": {"text": "hi"}})).await;
    sim.settle().await;

    let seen = seen.lock().unwrap().clone();
    let bodies: Vec<Value> = seen
        .iter()
        .map(|(signature_header, body)| {
            assert_eq!(
                *signature_header,
                signature(&sim.options().app_secret, body.as_bytes())
            );
            serde_json::from_str(body).unwrap()
        })
        .collect();
    let statuses = |id: &str| -> Vec<String> {
        bodies
            .iter()
            .filter_map(|b| {
                let status = &b["entry"][0]["changes"][0]["value"]["statuses"][0];
                (status["id"] == id).then(|| status["status"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    assert_eq!(statuses(&wamid), ["sent", "delivered"]);
    assert_eq!(statuses(&failing), ["failed"]);
    let delivered = bodies
        .iter()
        .find(|b| b["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == "delivered")
        .unwrap();
    let value = &delivered["entry"][0]["changes"][0]["value"];
    assert_eq!(
        value["statuses"][0]["recipient_user_id"],
        "US.13491208655302741918"
    );
    assert_eq!(value["contacts"][0]["wa_id"], "16505551234");
    let delivery = bodies.iter().find(|b| b["object"] == "page").unwrap();
    assert_eq!(
        delivery["entry"][0]["messaging"][0]["delivery"]["mids"][0],
        mid["message_id"]
    );
    assert_eq!(sim.callbacks().len(), 4);
    assert!(sim.callbacks().iter().all(|c| c.status == Some(200)));
}
