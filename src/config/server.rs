//! `[server]`, `[database]` and `[limits]`: where the gateway listens, what it stores in, and
//! what one visitor or address may do.

use std::net::IpAddr;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: String,
    /// A second address serving only `/metrics` and `/api/admin`; when set, the main listener
    /// answers neither.
    pub admin_listen: Option<String>,
    /// The address visitors' browsers use to reach the gateway (links, the widget's origin).
    pub public_url: Option<String>,
    /// Secret for resume tokens; generated and kept in the database when unset.
    pub secret: Option<SecretString>,
    /// The secret used before `secret` (a key rotation): tokens and links signed with it are
    /// still accepted while it is set.
    pub previous_secret: Option<SecretString>,
    /// Days a transcript link (and a resume token) stays valid.
    pub transcript_link_days: u32,
    /// Seconds a socket may go without an application frame before it is closed.
    pub idle_timeout_secs: u64,
    /// Seconds between websocket pings.
    pub ping_interval_secs: u64,
    /// Seconds a new socket has to send `hello`.
    pub hello_timeout_secs: u64,
    /// Seconds a client has to send a request's headers.
    pub header_read_timeout_secs: u64,
    /// Connections (HTTP and websocket) open at once on the main listener.
    pub max_connections: usize,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed (CIDRs or addresses).
    pub trusted_proxies: Vec<TrustedProxy>,
    /// Seconds graceful shutdown waits for turns in progress.
    pub shutdown_grace_secs: u64,
    /// Token for the admin API (`Authorization: Bearer …`, 32+ characters); the admin API is
    /// off when unset.
    pub admin_token: Option<SecretString>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".to_owned(),
            admin_listen: None,
            public_url: None,
            secret: None,
            previous_secret: None,
            transcript_link_days: 90,
            idle_timeout_secs: 600,
            ping_interval_secs: 25,
            hello_timeout_secs: 10,
            header_read_timeout_secs: 10,
            max_connections: 10_000,
            trusted_proxies: Vec::new(),
            shutdown_grace_secs: 10,
            admin_token: None,
        }
    }
}

/// A proxy's address or network, `10.0.0.0/8`, `2001:db8::/32` or `127.0.0.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct TrustedProxy(ipnet::IpNet);

impl TrustedProxy {
    /// Whether `ip` is this proxy (an IPv4 address mapped into IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip.to_canonical())
    }
}

impl TryFrom<String> for TrustedProxy {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(net) = text.parse::<ipnet::IpNet>() {
            return Ok(TrustedProxy(net.trunc()));
        }
        text.parse::<IpAddr>()
            .map(|ip| TrustedProxy(ipnet::IpNet::from(ip)))
            .map_err(|_| format!("{text:?} is not an address or a CIDR such as 10.0.0.0/8"))
    }
}

/// `[database]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://leadgate.db` (created when missing) or `postgres://user@host/db`.
    pub url: String,
    /// Connection pool size.
    pub max_connections: u32,
    /// SQLite only: `full` (default) syncs the log at every commit, so an acknowledged message
    /// survives a power cut; `normal` syncs at checkpoints only — faster writes, but the last
    /// commits can be lost on power loss (not on a crash of the process).
    pub sqlite_synchronous: SqliteSync,
}

/// How SQLite syncs its log to disk.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSync {
    #[default]
    Full,
    Normal,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://leadgate.db".to_owned(),
            max_connections: 8,
            sqlite_synchronous: SqliteSync::Full,
        }
    }
}

/// `[limits]`: what one visitor may send. An IPv6 client is counted per /64, the block one
/// household or server usually holds.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Longest message text in bytes.
    pub max_text_bytes: usize,
    /// Largest websocket frame in bytes.
    pub max_frame_bytes: usize,
    /// Frames that write (messages, consent changes) per minute per session.
    pub session_msgs_per_min: u32,
    /// Frames that write and `hello`s per minute per client address, all sessions together.
    pub ip_msgs_per_min: u32,
    /// New conversations per minute per client address.
    pub ip_conversations_per_min: u32,
    /// Websocket connections per client address at once.
    pub ip_connections: u32,
    /// Failed admin API attempts per minute per client address; beyond it every admin call
    /// from that address is refused until the minute has passed.
    pub admin_failures_per_min: u32,
    /// Messages one conversation holds (the visitor's and the assistant's): every turn reads
    /// the whole conversation, so an endless one would cost more with each message. Beyond it
    /// the visitor is told and a new conversation starts; what was said is kept.
    pub messages_per_conversation: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_text_bytes: 4096,
            max_frame_bytes: 16 * 1024,
            session_msgs_per_min: 20,
            ip_msgs_per_min: 120,
            ip_conversations_per_min: 10,
            ip_connections: 50,
            admin_failures_per_min: 10,
            messages_per_conversation: 400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_are_networks_or_addresses() {
        let net = TrustedProxy::try_from("10.1.2.3/8".to_owned()).unwrap();
        assert!(net.contains("10.200.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.0.0.9".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        let one = TrustedProxy::try_from("2001:db8::1".to_owned()).unwrap();
        assert!(one.contains("2001:db8::1".parse().unwrap()));
        assert!(!one.contains("2001:db8::2".parse().unwrap()));
        assert!(TrustedProxy::try_from("proxy.local".to_owned()).is_err());
        assert!(TrustedProxy::try_from("10.0.0.0/33".to_owned()).is_err());
    }
}
