//! `hello`: checks the site and origin, resumes the session or starts one (within the
//! address's limits), then sends `welcome` and the messages the client missed.

use serde_json::{Value, json};
use tracing::warn;

use super::connection::{Connection, Flow, INTERNAL, POLICY};
use super::frames::Hello;
use crate::chat::{ChatService, Opening, Session};
use crate::config::SiteConfig;
use crate::http::origin::origin_allowed;

impl Connection {
    pub(super) async fn on_hello(&mut self, hello: Hello) -> Flow {
        let site = match self.check_hello(&hello) {
            Ok(site) => site,
            Err((code, message, flow)) => {
                self.error(code, &message, None, None).await;
                return flow;
            }
        };
        // Every hello costs the address a frame: reconnect loops are metered too.
        if let Err(wait) = self.state.limiters.frame(self.peer.client) {
            let message = "too many connections from this address; wait a moment";
            self.error("rate_limited", message, Some(wait), None).await;
            return Flow::Close(POLICY, "rate limited");
        }
        let (session, resumed) = match self.open_session(&hello, &site).await {
            Ok(opened) => opened,
            Err(flow) => return flow,
        };
        let last_seq = if resumed { hello.last_seq.max(0) } else { 0 };
        self.welcome(session, site, resumed, last_seq).await
    }

    /// The site the hello names, or the error to answer and what to do next.
    fn check_hello(&self, hello: &Hello) -> Result<SiteConfig, (&'static str, String, Flow)> {
        if self.session.is_some() {
            let message = "hello was already sent on this connection".to_owned();
            return Err(("bad_frame", message, Flow::Continue));
        }
        if hello.v != 1 {
            let message = "this server speaks protocol version 1".to_owned();
            let flow = Flow::Close(POLICY, "unsupported version");
            return Err(("unsupported_version", message, flow));
        }
        let config = &self.state.config;
        let Some(site) = config.site(&hello.site).cloned() else {
            let message = format!("no site {:?} is configured", hello.site);
            return Err(("unknown_site", message, Flow::Close(POLICY, "unknown site")));
        };
        let allowed = origin_allowed(
            &site,
            self.peer.origin.as_deref(),
            &self.peer.host,
            config.server.public_url.as_deref(),
        );
        if !allowed {
            let message = "this origin may not open this site's chat".to_owned();
            let flow = Flow::Close(POLICY, "origin not allowed");
            return Err(("origin_not_allowed", message, flow));
        }
        Ok(site)
    }

    /// The resumed session, else a new one; `true` when resumed.
    async fn open_session(
        &mut self,
        hello: &Hello,
        site: &SiteConfig,
    ) -> Result<(Session, bool), Flow> {
        if let Some(session) = self.resume(hello, site).await? {
            return Ok((session, true));
        }
        if let Err(wait) = self.state.limiters.conversation(self.peer.client) {
            let message = "too many new conversations from this address; wait a moment";
            self.error("rate_limited", message, Some(wait), None).await;
            return Err(Flow::Close(POLICY, "rate limited"));
        }
        let opening = Opening {
            locale: hello.locale.clone(),
            page_url: hello.page.as_ref().and_then(|p| p.url.clone()),
            ..Opening::default()
        };
        match self.chat().start(&site.key, opening).await {
            Ok(s) => Ok((s, false)),
            Err(e) => {
                warn!(error = %e, "starting a conversation failed");
                self.error("internal", "the server failed; try again", None, None)
                    .await;
                Err(Flow::Close(INTERNAL, "internal error"))
            }
        }
    }

    /// The session the hello resumes, if it names one this site may resume; a failed resume is
    /// told and a new session starts.
    async fn resume(&mut self, hello: &Hello, site: &SiteConfig) -> Result<Option<Session>, Flow> {
        let (Some(id), Some(token)) = (&hello.session_id, &hello.resume_token) else {
            if hello.session_id.is_some() {
                let message = "a resume needs session_id and resume_token";
                self.error("resume_failed", message, None, None).await;
            }
            return Ok(None);
        };
        let loaded = if self.state.tokens.verify(id, token) {
            self.chat().resume(id).await
        } else {
            Ok(None)
        };
        match loaded {
            Ok(Some(s)) if s.conversation.site == site.key => Ok(Some(s)),
            Ok(_) => {
                let message = "the session cannot be resumed; a new one starts";
                self.error("resume_failed", message, None, None).await;
                Ok(None)
            }
            Err(e) => {
                warn!(error = %e, "resume failed");
                self.error("internal", "the server failed; try again", None, None)
                    .await;
                Err(Flow::Close(INTERNAL, "internal error"))
            }
        }
    }

    /// Sends `welcome` and replays the messages after `last_seq`.
    async fn welcome(
        &mut self,
        session: Session,
        site: SiteConfig,
        resumed: bool,
        last_seq: i64,
    ) -> Flow {
        let chat = self.chat();
        let id = session.conversation.id.clone();
        let limits = &self.state.config.limits;
        let welcome = json!({
            "type": "welcome",
            "session_id": id,
            "resume_token": self.state.tokens.sign(&id),
            "resumed": resumed,
            "server_seq": session.last_seq(),
            "limits": {"max_text_bytes": limits.max_text_bytes, "msgs_per_min": limits.session_msgs_per_min},
            "consent": consent_json(&chat, &site, &session),
        });
        self.pushes = Some(chat.hub().subscribe(&id));
        if !self.send(welcome).await {
            return Flow::Close(INTERNAL, "send failed");
        }
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
                return Flow::Close(INTERNAL, "send failed");
            }
        }
        metrics::counter!("leadgate_ws_sessions_total", "resumed" => resumed.to_string())
            .increment(1);
        Flow::Continue
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
