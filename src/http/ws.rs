//! `GET /ws`: the widget's websocket, protocol v1 (`docs/protocol.md`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tracing::{Instrument, debug, info_span, warn};

use super::AppState;
use super::error::ApiError;
use super::origin::origin_allowed;
use crate::chat::{ChatService, Opening, Session, TurnResult, message_frame};
use crate::config::SiteConfig;

/// `?site=KEY` lets the origin be checked before the upgrade.
#[derive(Debug, Deserialize)]
pub struct WsQuery {
    site: Option<String>,
}

/// Close code for "the server is restarting, come back" (RFC 6455 registry, 1012).
const SERVICE_RESTART: u16 = 1012;
/// Close code for a policy violation.
const POLICY: u16 = 1008;
/// Close code for a message too big.
const TOO_BIG: u16 = 1009;

/// Checks the origin and the per-IP connection count, then upgrades.
pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<WsQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let config = &state.config;
    let allowed = match query.site.as_deref() {
        Some(key) => match config.site(key) {
            Some(site) => origin_allowed(
                site,
                origin.as_deref(),
                &host,
                config.server.public_url.as_deref(),
            ),
            None => {
                return ApiError::new(
                    StatusCode::NOT_FOUND,
                    "unknown_site",
                    format!("no site {key:?} is configured"),
                )
                .into_response();
            }
        },
        None => config.sites.iter().any(|s| {
            origin_allowed(
                s,
                origin.as_deref(),
                &host,
                config.server.public_url.as_deref(),
            )
        }),
    };
    if !allowed {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this origin may not open the chat",
        )
        .into_response();
    }
    let ip = peer.ip();
    if !state.sockets.try_open(ip, config.limits.ip_connections) {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many open chats from this address",
        )
        .into_response();
    }
    let limits = &config.limits;
    let id = state.next_socket_id.fetch_add(1, Ordering::Relaxed);
    let tracker = state.tasks.clone();
    ws.max_message_size(limits.max_frame_bytes)
        .max_frame_size(limits.max_frame_bytes)
        // Small buffers: an idle connection should cost a few kilobytes, not the 128 KiB default.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(limits.max_frame_bytes * 8)
        .on_upgrade(move |socket| {
            let span = info_span!("ws", socket = id);
            tracker.track_future(
                async move {
                    let mut conn = Connection::new(state.clone(), socket, id, ip, origin, host);
                    conn.run().await;
                    state.sockets.close(ip);
                }
                .instrument(span),
            )
        })
}

/// One websocket connection.
struct Connection {
    state: AppState,
    socket: WebSocket,
    id: u64,
    ip: IpAddr,
    origin: Option<String>,
    host: String,
    session: Option<Session>,
    site: Option<SiteConfig>,
    pushes: Option<broadcast::Receiver<crate::chat::hub::Push>>,
    /// The highest seq this socket has sent, so pushes and replays never repeat a frame.
    sent_seq: i64,
    limiter: governor::DefaultDirectRateLimiter,
    last_seen: Instant,
}

/// What a frame handler wants next.
enum Flow {
    Continue,
    Close(u16, &'static str),
}

/// A frame the widget sends (protocol v1, `docs/protocol.md`).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    Hello(Hello),
    Message {
        client_msg_id: String,
        text: String,
    },
    Ack {
        #[allow(dead_code)]
        seq: i64,
    },
    Typing {},
    Consent {
        granted: bool,
        policy_version: Option<String>,
    },
    Ping {
        #[serde(default)]
        t: Value,
    },
}

impl ClientFrame {
    /// Every frame type, for telling an unknown type from a malformed known one.
    const TYPES: [&'static str; 6] = ["hello", "message", "ack", "typing", "consent", "ping"];

    /// Reads a text frame: `Err((code, message))` for the `error` frame to answer with.
    fn parse(text: &str) -> Result<ClientFrame, (&'static str, String)> {
        const SHAPE: &str = "a frame is a JSON object with a string \"type\"";
        let value: Value = match serde_json::from_str(text) {
            Ok(v @ Value::Object(_)) => v,
            _ => return Err(("bad_json", SHAPE.to_owned())),
        };
        let Some(kind) = value.get("type").and_then(Value::as_str) else {
            return Err(("bad_json", SHAPE.to_owned()));
        };
        if !ClientFrame::TYPES.contains(&kind) {
            return Err(("unknown_type", format!("unknown frame type {kind:?}")));
        }
        let kind = kind.to_owned();
        serde_json::from_value(value).map_err(|e| ("bad_frame", format!("{kind}: {e}")))
    }
}

/// `hello`: opens or resumes a session.
#[derive(Debug, Deserialize)]
struct Hello {
    v: i64,
    site: String,
    session_id: Option<String>,
    resume_token: Option<String>,
    #[serde(default)]
    last_seq: i64,
    locale: Option<String>,
    page: Option<Page>,
}

/// Where the widget is shown.
#[derive(Debug, Deserialize)]
struct Page {
    url: Option<String>,
}

impl Connection {
    fn new(
        state: AppState,
        socket: WebSocket,
        id: u64,
        ip: IpAddr,
        origin: Option<String>,
        host: String,
    ) -> Connection {
        let per_min = std::num::NonZeroU32::new(state.config.limits.session_msgs_per_min)
            .unwrap_or(std::num::NonZeroU32::MIN);
        Connection {
            limiter: governor::RateLimiter::direct(governor::Quota::per_minute(per_min)),
            state,
            socket,
            id,
            ip,
            origin,
            host,
            session: None,
            site: None,
            pushes: None,
            sent_seq: 0,
            last_seen: Instant::now(),
        }
    }

    fn chat(&self) -> Arc<ChatService> {
        self.state.chat.clone()
    }

    async fn run(&mut self) {
        let server = &self.state.config.server;
        let idle = Duration::from_secs(server.idle_timeout_secs.max(1));
        let mut ping = tokio::time::interval(Duration::from_secs(server.ping_interval_secs.max(1)));
        ping.tick().await;
        let shutdown = self.state.shutdown.clone();
        loop {
            let next = tokio::select! {
                biased;
                _ = shutdown.cancelled() => Flow::Close(SERVICE_RESTART, "server restarting"),
                frame = self.socket.recv() => match frame {
                    Some(Ok(msg)) => {
                        self.last_seen = Instant::now();
                        self.on_frame(msg).await
                    }
                    Some(Err(e)) => {
                        let too_big = e.to_string().to_lowercase().contains("too long") || e.to_string().to_lowercase().contains("size");
                        if too_big {
                            let _ = self.error("frame_too_large", "a frame may hold at most the configured number of bytes", None, None).await;
                            Flow::Close(TOO_BIG, "frame too large")
                        } else {
                            debug!(error = %e, "socket error");
                            break;
                        }
                    }
                    None => break,
                },
                push = recv_push(&mut self.pushes) => self.on_push(push).await,
                _ = ping.tick() => {
                    if self.last_seen.elapsed() > idle {
                        Flow::Close(1000, "idle")
                    } else if self.socket.send(Message::Ping(Default::default())).await.is_err() {
                        break;
                    } else {
                        Flow::Continue
                    }
                }
            };
            if let Flow::Close(code, reason) = next {
                let _ = self
                    .socket
                    .send(Message::Close(Some(CloseFrame {
                        code,
                        reason: Utf8Bytes::from_static(reason),
                    })))
                    .await;
                break;
            }
        }
        if let Some(session) = &self.session {
            self.pushes = None;
            self.state.chat.hub().release(&session.conversation.id);
        }
    }

    async fn send(&mut self, frame: Value) -> bool {
        self.socket
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_ok()
    }

    async fn error(
        &mut self,
        code: &str,
        message: &str,
        retry_after_ms: Option<u64>,
        client_msg_id: Option<&str>,
    ) -> bool {
        let mut frame = json!({"type": "error", "code": code, "message": message});
        if let Some(ms) = retry_after_ms {
            frame["retry_after_ms"] = json!(ms);
        }
        if let Some(cid) = client_msg_id {
            frame["client_msg_id"] = json!(cid);
        }
        metrics::counter!("leadgate_ws_errors_total", "code" => code.to_owned()).increment(1);
        self.send(frame).await
    }

    async fn send_message(&mut self, m: &crate::store::MessageRow) -> bool {
        if m.seq <= self.sent_seq {
            return true;
        }
        self.sent_seq = m.seq;
        self.send(message_frame(m)).await
    }

    async fn on_frame(&mut self, msg: Message) -> Flow {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => {
                self.error("binary_not_supported", "send JSON text frames", None, None)
                    .await;
                return Flow::Continue;
            }
            Message::Close(_) => return Flow::Close(1000, "bye"),
            Message::Ping(_) | Message::Pong(_) => return Flow::Continue,
        };
        let frame = match ClientFrame::parse(text.as_str()) {
            Ok(frame) => frame,
            Err((code, message)) => {
                self.error(code, &message, None, None).await;
                return Flow::Continue;
            }
        };
        if self.session.is_none() && !matches!(frame, ClientFrame::Hello(_)) {
            self.error(
                "hello_required",
                "the first frame must be hello",
                None,
                None,
            )
            .await;
            return Flow::Close(POLICY, "hello required");
        }
        match frame {
            ClientFrame::Hello(hello) => self.on_hello(hello).await,
            ClientFrame::Message {
                client_msg_id,
                text,
            } => self.on_message(client_msg_id, text).await,
            ClientFrame::Consent {
                granted,
                policy_version,
            } => self.on_consent(granted, policy_version).await,
            ClientFrame::Ping { t } => {
                self.send(json!({"type": "pong", "t": t})).await;
                Flow::Continue
            }
            ClientFrame::Ack { .. } | ClientFrame::Typing {} => Flow::Continue,
        }
    }

    async fn on_hello(&mut self, hello: Hello) -> Flow {
        if self.session.is_some() {
            self.error(
                "bad_frame",
                "hello was already sent on this connection",
                None,
                None,
            )
            .await;
            return Flow::Continue;
        }
        if hello.v != 1 {
            self.error(
                "unsupported_version",
                "this server speaks protocol version 1",
                None,
                None,
            )
            .await;
            return Flow::Close(POLICY, "unsupported version");
        }
        let config = self.state.config.clone();
        let Some(site) = config.site(&hello.site).cloned() else {
            self.error(
                "unknown_site",
                &format!("no site {:?} is configured", hello.site),
                None,
                None,
            )
            .await;
            return Flow::Close(POLICY, "unknown site");
        };
        if !origin_allowed(
            &site,
            self.origin.as_deref(),
            &self.host,
            config.server.public_url.as_deref(),
        ) {
            self.error(
                "origin_not_allowed",
                "this origin may not open this site's chat",
                None,
                None,
            )
            .await;
            return Flow::Close(POLICY, "origin not allowed");
        }
        let chat = self.chat();
        let mut resumed = None;
        if let (Some(id), Some(token)) = (&hello.session_id, &hello.resume_token) {
            let valid = self.state.tokens.verify(id, token);
            let loaded = if valid {
                chat.resume(id).await
            } else {
                Ok(None)
            };
            match loaded {
                Ok(Some(s)) if s.conversation.site == site.key => resumed = Some(s),
                Ok(_) => {
                    self.error(
                        "resume_failed",
                        "the session cannot be resumed; a new one starts",
                        None,
                        None,
                    )
                    .await;
                }
                Err(e) => {
                    warn!(error = %e, "resume failed");
                    self.error("internal", "the server failed; try again", None, None)
                        .await;
                    return Flow::Close(1011, "internal error");
                }
            }
        } else if hello.session_id.is_some() {
            self.error(
                "resume_failed",
                "a resume needs session_id and resume_token",
                None,
                None,
            )
            .await;
        }
        let was_resumed = resumed.is_some();
        let session = match resumed {
            Some(s) => s,
            None => {
                let opening = Opening {
                    locale: hello.locale.clone(),
                    page_url: hello.page.and_then(|p| p.url),
                    ..Opening::default()
                };
                match chat.start(&site.key, opening).await {
                    Ok(s) => s,
                    Err(e) => {
                        warn!(error = %e, "starting a conversation failed");
                        self.error("internal", "the server failed; try again", None, None)
                            .await;
                        return Flow::Close(1011, "internal error");
                    }
                }
            }
        };
        let id = session.conversation.id.clone();
        let consent = consent_json(&chat, &site, &session);
        let welcome = json!({
            "type": "welcome",
            "session_id": id,
            "resume_token": self.state.tokens.sign(&id),
            "resumed": was_resumed,
            "server_seq": session.last_seq(),
            "limits": {"max_text_bytes": config.limits.max_text_bytes, "msgs_per_min": config.limits.session_msgs_per_min},
            "consent": consent,
        });
        self.pushes = Some(chat.hub().subscribe(&id));
        if !self.send(welcome).await {
            return Flow::Close(1011, "send failed");
        }
        let last_seq = if was_resumed {
            hello.last_seq.max(0)
        } else {
            0
        };
        self.sent_seq = last_seq;
        let replay: Vec<_> = session
            .messages
            .iter()
            .filter(|m| m.seq > last_seq)
            .cloned()
            .collect();
        self.session = Some(session);
        self.site = Some(site);
        for m in &replay {
            if !self.send_message(m).await {
                return Flow::Close(1011, "send failed");
            }
        }
        metrics::counter!("leadgate_ws_sessions_total", "resumed" => was_resumed.to_string())
            .increment(1);
        Flow::Continue
    }

    async fn on_message(&mut self, cid: String, text: String) -> Flow {
        if cid.is_empty() || cid.chars().count() > 64 {
            self.error(
                "bad_frame",
                "client_msg_id holds 1 to 64 characters",
                None,
                None,
            )
            .await;
            return Flow::Continue;
        }
        let text = text.trim().to_owned();
        let max = self.state.config.limits.max_text_bytes;
        if text.is_empty() {
            self.error("empty_text", "the message is empty", None, Some(&cid))
                .await;
            return Flow::Continue;
        }
        if text.len() > max {
            self.error(
                "text_too_long",
                &format!("a message holds at most {max} bytes"),
                None,
                Some(&cid),
            )
            .await;
            return Flow::Continue;
        }
        if let Some(wait) = self.rate_limited() {
            self.error(
                "rate_limited",
                "too many messages; wait a moment",
                Some(wait),
                Some(&cid),
            )
            .await;
            return Flow::Continue;
        }
        self.send(json!({"type": "typing", "on": true})).await;
        let chat = self.chat();
        // Out of `self` for the turn, so streamed pieces can be sent while it runs.
        let Some(mut session) = self.session.take() else {
            return Flow::Continue;
        };
        let started = Instant::now();
        let result = if chat.streams() {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let turn =
                chat.visitor_message(&mut session, Some(cid.clone()), text, self.id, Some(tx));
            tokio::pin!(turn);
            let result = loop {
                tokio::select! {
                    result = &mut turn => break result,
                    Some(delta) = rx.recv() => {
                        self.send(delta).await;
                    }
                }
            };
            while let Ok(delta) = rx.try_recv() {
                self.send(delta).await;
            }
            result
        } else {
            chat.visitor_message(&mut session, Some(cid.clone()), text, self.id, None)
                .await
        };
        self.session = Some(session);
        metrics::histogram!("leadgate_turn_seconds").record(started.elapsed().as_secs_f64());
        match result {
            Ok(TurnResult::Duplicate(existing)) => {
                self.send(json!({"type": "ack", "client_msg_id": cid, "seq": existing.seq, "duplicate": true})).await;
            }
            Ok(TurnResult::Stored { visitor, replies }) => {
                self.send(json!({"type": "ack", "client_msg_id": cid, "seq": visitor.seq, "duplicate": false})).await;
                self.send_message(&visitor).await;
                for r in &replies {
                    self.send_message(r).await;
                }
            }
            Ok(TurnResult::Replies(replies)) => {
                for r in &replies {
                    self.send_message(r).await;
                }
            }
            Err(crate::chat::ChatError::Store(crate::store::StoreError::Erased(_))) => {
                self.send(crate::chat::erase::erased_frame()).await;
                return Flow::Close(POLICY, "erased");
            }
            Err(e) => {
                warn!(error = %e, "turn failed");
                self.error(
                    "internal",
                    "the server failed; the message was not stored, send it again",
                    None,
                    Some(&cid),
                )
                .await;
            }
        }
        self.send(json!({"type": "typing", "on": false})).await;
        Flow::Continue
    }

    async fn on_consent(&mut self, granted: bool, policy_version: Option<String>) -> Flow {
        let policy = policy_version.map(|p| crate::lead::text::truncate(&p, 64).to_owned());
        let chat = self.chat();
        let Some(session) = self.session.as_mut() else {
            return Flow::Continue;
        };
        let required = session.conversation.consent_required;
        if let Err(e) = chat
            .consent(session, granted, policy.as_deref(), None)
            .await
        {
            warn!(error = %e, "consent failed");
            self.error("internal", "the server failed; try again", None, None)
                .await;
            return Flow::Continue;
        }
        self.send(json!({"type": "consent", "granted": granted, "required": required}))
            .await;
        Flow::Continue
    }

    /// `Some(milliseconds to wait)` when the session or the address sends too fast.
    fn rate_limited(&mut self) -> Option<u64> {
        use governor::clock::{Clock, DefaultClock};
        let clock = DefaultClock::default();
        if let Err(not_until) = self.limiter.check() {
            return Some(not_until.wait_time_from(clock.now()).as_millis() as u64 + 1);
        }
        if let Err(not_until) = self.state.ip_limiter.check_key(&self.ip) {
            return Some(not_until.wait_time_from(clock.now()).as_millis() as u64 + 1);
        }
        None
    }

    async fn on_push(&mut self, push: Option<crate::chat::hub::Push>) -> Flow {
        match push {
            Some(p) if crate::chat::erase::is_erased_frame(&p.frame) => {
                self.send((*p.frame).clone()).await;
                Flow::Close(POLICY, "erased")
            }
            Some(p) if p.origin != self.id => {
                let seq = p.frame.get("seq").and_then(Value::as_i64).unwrap_or(0);
                if seq > self.sent_seq {
                    self.sent_seq = seq;
                    if !self.send((*p.frame).clone()).await {
                        return Flow::Close(1011, "send failed");
                    }
                    if let (Some(session), Some(seq)) = (self.session.as_mut(), Some(seq)) {
                        // Another tab moved the conversation on: reload before the next turn.
                        if session.last_seq() < seq
                            && let Ok(Some(fresh)) =
                                self.state.chat.resume(&session.conversation.id).await
                        {
                            *session = fresh;
                        }
                    }
                }
                Flow::Continue
            }
            Some(_) => Flow::Continue,
            None => {
                // Fell behind the push channel: resume from the store instead.
                if let Some(id) = self.session.as_ref().map(|s| s.conversation.id.clone()) {
                    if let Ok(Some(fresh)) = self.state.chat.resume(&id).await {
                        let missed: Vec<_> = fresh
                            .messages
                            .iter()
                            .filter(|m| m.seq > self.sent_seq)
                            .cloned()
                            .collect();
                        self.session = Some(fresh);
                        for m in &missed {
                            self.send_message(m).await;
                        }
                    }
                    self.pushes = Some(self.state.chat.hub().subscribe(&id));
                }
                Flow::Continue
            }
        }
    }
}

/// Waits for the next push; never resolves when the socket has no session yet. `None` means the
/// socket fell behind.
async fn recv_push(
    rx: &mut Option<broadcast::Receiver<crate::chat::hub::Push>>,
) -> Option<crate::chat::hub::Push> {
    match rx {
        Some(rx) => loop {
            match rx.recv().await {
                Ok(p) => return Some(p),
                Err(broadcast::error::RecvError::Lagged(_)) => return None,
                Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
            }
        },
        None => std::future::pending().await,
    }
}

fn consent_json(chat: &ChatService, site: &SiteConfig, session: &Session) -> Value {
    let lang = chat.lang(&session.conversation);
    json!({
        "required": site.require_consent,
        "granted": session.conversation.consent_granted.unwrap_or(false),
        "notice": chat.consent_notice(site, lang),
        "policy_url": site.privacy_policy_url,
    })
}
