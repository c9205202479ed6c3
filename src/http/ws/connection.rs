//! One websocket connection: the loop that reads frames, forwards pushes and pings, and closes
//! a socket that never says `hello` or goes quiet. Only application frames (text and binary)
//! count as activity: a client's pongs and pings keep no socket open.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tracing::debug;

use super::frames::ClientFrame;
use crate::chat::hub::Push;
use crate::chat::{ChatService, Session, message_frame};
use crate::config::SiteConfig;
use crate::http::AppState;
use crate::http::limiters::{check_session, session_limiter};

/// Close code for "the server is restarting, come back" (RFC 6455 registry, 1012).
const SERVICE_RESTART: u16 = 1012;
/// Close code for a policy violation.
pub(super) const POLICY: u16 = 1008;
/// Close code for a message too big.
const TOO_BIG: u16 = 1009;
/// Close code for a server failure.
pub(super) const INTERNAL: u16 = 1011;

/// Who is on the other end, as the upgrade saw them.
pub(super) struct Peer {
    pub id: u64,
    /// The client's address as limits count it.
    pub client: IpAddr,
    pub origin: Option<String>,
    pub host: String,
}

/// One websocket connection.
pub(super) struct Connection {
    pub(super) state: AppState,
    socket: WebSocket,
    pub(super) peer: Peer,
    pub(super) session: Option<Session>,
    pub(super) site: Option<SiteConfig>,
    pub(super) pushes: Option<broadcast::Receiver<Push>>,
    /// The highest seq this socket has sent, so pushes and replays never repeat a frame.
    pub(super) sent_seq: i64,
    limiter: governor::DefaultDirectRateLimiter,
    /// The last application frame (not a ping or pong).
    last_active: Instant,
}

/// What a frame handler wants next.
pub(super) enum Flow {
    Continue,
    Close(u16, &'static str),
}

impl Connection {
    pub(super) fn new(state: AppState, socket: WebSocket, peer: Peer) -> Connection {
        Connection {
            limiter: session_limiter(state.config.limits.session_msgs_per_min),
            state,
            socket,
            peer,
            session: None,
            site: None,
            pushes: None,
            sent_seq: 0,
            last_active: Instant::now(),
        }
    }

    pub(super) fn chat(&self) -> Arc<ChatService> {
        self.state.chat.clone()
    }

    /// Runs the socket until it closes.
    pub(super) async fn run(mut self) {
        let server = &self.state.config.server;
        let idle = Duration::from_secs(server.idle_timeout_secs.max(1));
        let hello_deadline = tokio::time::sleep(Duration::from_secs(server.hello_timeout_secs));
        tokio::pin!(hello_deadline);
        let mut ping = tokio::time::interval(Duration::from_secs(server.ping_interval_secs.max(1)));
        ping.tick().await;
        let shutdown = self.state.shutdown.clone();
        loop {
            let next = tokio::select! {
                biased;
                _ = shutdown.cancelled() => Flow::Close(SERVICE_RESTART, "server restarting"),
                frame = self.socket.recv() => match frame {
                    Some(Ok(msg)) => self.on_frame(msg).await,
                    Some(Err(e)) => match self.on_socket_error(e).await {
                        Some(flow) => flow,
                        None => break,
                    },
                    None => break,
                },
                _ = &mut hello_deadline, if self.session.is_none() => {
                    self.error("hello_timeout", "say hello first", None, None).await;
                    Flow::Close(POLICY, "hello required")
                }
                push = recv_push(&mut self.pushes) => self.on_push(push).await,
                _ = ping.tick() => {
                    if self.last_active.elapsed() > idle {
                        Flow::Close(1000, "idle")
                    } else if self.socket.send(Message::Ping(Default::default())).await.is_err() {
                        break;
                    } else {
                        Flow::Continue
                    }
                }
            };
            if let Flow::Close(code, reason) = next {
                self.close(code, reason).await;
                break;
            }
        }
        if let Some(session) = &self.session {
            self.pushes = None;
            self.state.chat.hub().release(&session.conversation.id);
        }
    }

    /// A read error: a frame too large is told and closed; anything else ends the socket.
    async fn on_socket_error(&mut self, e: axum::Error) -> Option<Flow> {
        let text = e.to_string().to_lowercase();
        if text.contains("too long") || text.contains("size") {
            let message = "a frame may hold at most the configured number of bytes";
            self.error("frame_too_large", message, None, None).await;
            Some(Flow::Close(TOO_BIG, "frame too large"))
        } else {
            debug!(error = %e, "socket error");
            None
        }
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let _ = self.socket.send(Message::Close(Some(frame))).await;
    }

    pub(super) async fn send(&mut self, frame: Value) -> bool {
        self.socket
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_ok()
    }

    pub(super) async fn error(
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

    pub(super) async fn send_message(&mut self, m: &crate::store::MessageRow) -> bool {
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
                self.last_active = Instant::now();
                self.error("binary_not_supported", "send JSON text frames", None, None)
                    .await;
                return Flow::Continue;
            }
            Message::Close(_) => return Flow::Close(1000, "bye"),
            Message::Ping(_) | Message::Pong(_) => return Flow::Continue,
        };
        self.last_active = Instant::now();
        let frame = match ClientFrame::parse(text.as_str()) {
            Ok(frame) => frame,
            Err((code, message)) => {
                self.error(code, &message, None, None).await;
                return Flow::Continue;
            }
        };
        if self.session.is_none() && !matches!(frame, ClientFrame::Hello(_)) {
            let message = "the first frame must be hello";
            self.error("hello_required", message, None, None).await;
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

    /// `Some(milliseconds to wait)` when the session or the address sends frames that write
    /// too fast.
    pub(super) fn rate_limited(&mut self) -> Option<u64> {
        check_session(&self.limiter)
            .and_then(|()| self.state.limiters.frame(self.peer.client))
            .err()
    }
}

/// Waits for the next push; never resolves when the socket has no session yet. `None` means the
/// socket fell behind.
async fn recv_push(rx: &mut Option<broadcast::Receiver<Push>>) -> Option<Push> {
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
