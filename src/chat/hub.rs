//! Pushes to the other open sockets of a session (a second tab, a reconnect that overlaps).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

/// A frame for a session's sockets, with the socket it came from (which already sent it).
#[derive(Debug, Clone)]
pub struct Push {
    pub origin: u64,
    pub frame: Arc<serde_json::Value>,
}

/// Session id -> the channel its sockets listen on.
#[derive(Debug, Default)]
pub struct Hub {
    sessions: Mutex<HashMap<String, broadcast::Sender<Push>>>,
}

/// The origin of frames from another gateway: no socket here has this id.
pub const REMOTE: u64 = 0;

/// How many frames a slow socket may fall behind before it is told to resume.
const CAPACITY: usize = 64;

impl Hub {
    /// Listens to a session's pushes.
    pub fn subscribe(&self, session: &str) -> broadcast::Receiver<Push> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .entry(session.to_owned())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Sends a frame to every socket of the session except `origin`.
    pub fn publish(&self, session: &str, origin: u64, frame: serde_json::Value) {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = sessions.get(session)
            && tx.receiver_count() > 1
        {
            let _ = tx.send(Push {
                origin,
                frame: Arc::new(frame),
            });
        }
    }

    /// Whether any socket of the session is open here.
    pub fn has_sockets(&self, session: &str) -> bool {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions
            .get(session)
            .is_some_and(|tx| tx.receiver_count() > 0)
    }

    /// Sends a frame from another gateway to every socket of the session here.
    pub fn publish_remote(&self, session: &str, frame: serde_json::Value) {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = sessions.get(session) {
            let _ = tx.send(Push {
                origin: REMOTE,
                frame: Arc::new(frame),
            });
        }
    }

    /// Forgets a session nobody listens to any more.
    pub fn release(&self, session: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if sessions
            .get(session)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            sessions.remove(session);
        }
    }

    /// Sessions with open sockets.
    pub fn len(&self) -> usize {
        self.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Whether no session has an open socket.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pushes_reach_other_sockets_only_when_there_are_some() {
        let hub = Hub::default();
        let mut a = hub.subscribe("s");
        hub.publish("s", 1, serde_json::json!({"n": 1}));
        assert!(a.try_recv().is_err(), "one socket: nothing to push");
        let mut b = hub.subscribe("s");
        hub.publish("s", 1, serde_json::json!({"n": 2}));
        assert_eq!(a.try_recv().unwrap().origin, 1);
        assert_eq!(b.try_recv().unwrap().frame["n"], 2);
        drop(a);
        drop(b);
        hub.release("s");
        assert!(hub.is_empty());
    }
}
