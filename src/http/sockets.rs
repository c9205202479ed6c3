//! Open websocket counts per client address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many sockets each address holds open.
#[derive(Debug, Default)]
pub struct Sockets {
    per_ip: Mutex<HashMap<IpAddr, u32>>,
    open: AtomicUsize,
}

impl Sockets {
    /// Counts a new socket unless the address already holds `max`.
    pub fn try_open(&self, ip: IpAddr, max: u32) -> bool {
        let mut map = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return false;
        }
        *n += 1;
        self.open.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!("leadgate_ws_open").increment(1.0);
        true
    }

    /// Forgets a closed socket.
    pub fn close(&self, ip: IpAddr) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address() {
        let s = Sockets::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(s.try_open(ip, 2));
        assert!(s.try_open(ip, 2));
        assert!(!s.try_open(ip, 2));
        assert!(s.try_open("10.0.0.2".parse().unwrap(), 2));
        s.close(ip);
        assert!(s.try_open(ip, 2));
        assert_eq!(s.open(), 3);
    }
}
