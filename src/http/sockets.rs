//! Open websocket counts per client address, each socket's place held by a [`SocketSlot`]
//! that gives it back when dropped — after the socket closes, when the upgrade fails and the
//! socket never starts, and when its task panics.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How many sockets each address holds open.
#[derive(Debug, Default)]
pub struct Sockets {
    per_ip: Mutex<HashMap<IpAddr, u32>>,
    open: AtomicUsize,
}

impl Sockets {
    /// A place for a new socket unless the address already holds `max`.
    pub fn try_open(self: &Arc<Self>, ip: IpAddr, max: u32) -> Option<SocketSlot> {
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        self.open.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!("leadgate_ws_open").increment(1.0);
        Some(SocketSlot {
            sockets: self.clone(),
            ip,
        })
    }

    /// Forgets a closed socket.
    fn close(&self, ip: IpAddr) {
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&ip);
            }
        }
        self.open.fetch_sub(1, Ordering::Relaxed);
        metrics::gauge!("leadgate_ws_open").decrement(1.0);
    }

    /// Sockets open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }
}

/// One open socket's place; dropping it gives the place back.
#[derive(Debug)]
pub struct SocketSlot {
    sockets: Arc<Sockets>,
    ip: IpAddr,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        self.sockets.close(self.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address() {
        let s = Arc::new(Sockets::default());
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let first = s.try_open(ip, 2).unwrap();
        let _second = s.try_open(ip, 2).unwrap();
        assert!(s.try_open(ip, 2).is_none());
        let _other = s.try_open("10.0.0.2".parse().unwrap(), 2).unwrap();
        drop(first);
        let _again = s.try_open(ip, 2).unwrap();
        assert_eq!(s.open(), 3);
    }

    #[test]
    fn a_panicking_holder_gives_its_place_back() {
        let s = Arc::new(Sockets::default());
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let slot = s.try_open(ip, 1).unwrap();
        let joined = std::thread::spawn(move || {
            let _held = slot;
            panic!("socket task failed");
        })
        .join();
        assert!(joined.is_err());
        assert!(s.try_open(ip, 1).is_some());
    }
}
