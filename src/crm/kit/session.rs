//! An access token kept while it lasts and renewed when it runs out or is refused: Pipedrive's
//! OAuth refresh, Salesforce's session and Zoho's access token have the same shape. A session
//! is obtained lazily, used until its time is up, and renewed once when the CRM refuses it (the
//! call is then sent again, not lost). One renewal at a time: concurrent calls wait for it and
//! share the new session, as token endpoints limit how often a grant may be used.

use std::sync::{Arc, Mutex};

use reqwest::RequestBuilder;
use serde_json::Value;
use tokio::time::Instant;

use crate::outbound::CallError;
use crate::outbound::http::{self, Reply, Throttle};

/// How a connector obtains sessions from its CRM's token endpoint.
pub trait Grant: Send + Sync {
    /// What a session holds: the access token and what the token answer named with it (the
    /// API domain or instance to call, a rotated refresh token).
    type Session: Send + Sync;

    /// Obtains a new session; `previous` is the one it replaces, if any.
    fn obtain(
        &self,
        previous: Option<&Self::Session>,
    ) -> impl Future<Output = Result<Fresh<Self::Session>, CallError>> + Send;
}

/// A new session and until when it may be used (`None`: until the CRM refuses it).
pub struct Fresh<S> {
    pub session: S,
    pub until: Option<Instant>,
}

/// The cached session.
struct Entry<S> {
    session: Arc<S>,
    until: Option<Instant>,
    /// The CRM refused it: it is never sent again.
    refused: bool,
}

impl<S> Entry<S> {
    fn usable(&self) -> bool {
        !self.refused && self.until.is_none_or(|t| Instant::now() < t)
    }
}

/// One grant's session, obtained once and shared by every call.
pub struct Sessions<G: Grant> {
    grant: G,
    /// Held while a session is obtained, so calls wait for one renewal instead of each making
    /// their own.
    slot: tokio::sync::Mutex<Option<Entry<G::Session>>>,
    /// The last session obtained, readable without waiting (for links into the web app).
    latest: Mutex<Option<Arc<G::Session>>>,
}

impl<G: Grant> Sessions<G> {
    /// No session yet: the first call obtains one.
    pub fn new(grant: G) -> Sessions<G> {
        Sessions {
            grant,
            slot: tokio::sync::Mutex::new(None),
            latest: Mutex::new(None),
        }
    }

    /// The session to send with: the cached one while it lasts, else a new one.
    pub async fn current(&self) -> Result<Arc<G::Session>, CallError> {
        let mut slot = self.slot.lock().await;
        if let Some(entry) = slot.as_ref().filter(|e| e.usable()) {
            return Ok(entry.session.clone());
        }
        self.obtain(&mut slot).await
    }

    /// A new session after `refused` was refused, unless another call has renewed it already.
    pub async fn renew(&self, refused: &Arc<G::Session>) -> Result<Arc<G::Session>, CallError> {
        let mut slot = self.slot.lock().await;
        if let Some(entry) = slot.as_mut() {
            if !Arc::ptr_eq(&entry.session, refused) && !entry.refused {
                return Ok(entry.session.clone());
            }
            entry.refused = true;
        }
        self.obtain(&mut slot).await
    }

    /// Sends with the current session; when `refused` says the CRM refused it, renews it once
    /// and sends again. The last answer is returned, whatever it is.
    pub async fn send<Fut>(
        &self,
        mut send: impl FnMut(Arc<G::Session>) -> Fut,
        refused: impl Fn(&Reply) -> bool,
    ) -> Result<Reply, CallError>
    where
        Fut: Future<Output = Result<Reply, CallError>>,
    {
        let session = self.current().await?;
        let reply = send(session.clone()).await?;
        if !refused(&reply) {
            return Ok(reply);
        }
        tracing::debug!("session refused: renewing it once");
        let session = self.renew(&session).await?;
        send(session).await
    }

    /// The last session obtained, if any.
    pub fn latest(&self) -> Option<Arc<G::Session>> {
        self.latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    async fn obtain(
        &self,
        slot: &mut Option<Entry<G::Session>>,
    ) -> Result<Arc<G::Session>, CallError> {
        let previous = slot.as_ref().map(|e| e.session.as_ref());
        let fresh = self.grant.obtain(previous).await?;
        let session = Arc::new(fresh.session);
        *slot = Some(Entry {
            session: session.clone(),
            until: fresh.until,
            refused: false,
        });
        *self.latest.lock().unwrap_or_else(|e| e.into_inner()) = Some(session.clone());
        Ok(session)
    }
}

/// Sends a token request through `throttle` (a token endpoint does not count against the API's
/// limits, so it has its own) and reads the answer's JSON.
pub async fn token_request(
    throttle: &Throttle,
    request: RequestBuilder,
) -> Result<(Reply, Value), CallError> {
    let reply = http::send(throttle, request).await?;
    let body = reply.read_json()?;
    Ok((reply, body))
}

/// Why a token endpoint refused: its OAuth `error` and `error_description`, else the body.
pub fn refusal(reply: &Reply, body: &Value) -> String {
    match (body["error"].as_str(), body["error_description"].as_str()) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e.to_owned(),
        _ => reply.excerpt(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use super::*;

    /// Numbered sessions, each lasting `lasts` (forever when `None`), failing when told to.
    #[derive(Default)]
    struct Counter {
        obtained: AtomicU32,
        lasts: Option<Duration>,
        fail: std::sync::atomic::AtomicBool,
        previous: Mutex<Vec<Option<u32>>>,
    }

    impl Grant for Counter {
        type Session = u32;

        async fn obtain(&self, previous: Option<&u32>) -> Result<Fresh<u32>, CallError> {
            self.previous.lock().unwrap().push(previous.copied());
            tokio::time::sleep(Duration::from_millis(10)).await;
            if self.fail.load(Ordering::SeqCst) {
                return Err(CallError::auth("invalid_grant"));
            }
            let n = self.obtained.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Fresh {
                session: n,
                until: self.lasts.map(|d| Instant::now() + d),
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn one_session_is_shared_until_it_runs_out() {
        let sessions = Sessions::new(Counter {
            lasts: Some(Duration::from_secs(60)),
            ..Counter::default()
        });
        assert_eq!(sessions.latest(), None);
        let (a, b) = tokio::join!(sessions.current(), sessions.current());
        assert_eq!((*a.unwrap(), *b.unwrap()), (1, 1), "one obtained for both");
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(*sessions.current().await.unwrap(), 2);
        assert_eq!(sessions.latest().as_deref(), Some(&2));
        assert_eq!(
            *sessions.grant.previous.lock().unwrap(),
            [None, Some(1)],
            "the renewal sees the session it replaces"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_session_is_renewed_once_for_every_call_that_saw_it() {
        let sessions = Sessions::new(Counter::default());
        let first = sessions.current().await.unwrap();
        let (a, b) = tokio::join!(sessions.renew(&first), sessions.renew(&first));
        assert_eq!((*a.unwrap(), *b.unwrap()), (2, 2));
        assert_eq!(sessions.grant.obtained.load(Ordering::SeqCst), 2);

        // A renewal that fails leaves nothing usable: the next call tries again.
        sessions.grant.fail.store(true, Ordering::SeqCst);
        let second = sessions.current().await.unwrap();
        assert_eq!(sessions.renew(&second).await.unwrap_err().class(), "auth");
        assert_eq!(sessions.current().await.unwrap_err().class(), "auth");
        sessions.grant.fail.store(false, Ordering::SeqCst);
        assert_eq!(*sessions.current().await.unwrap(), 3);
    }
}
