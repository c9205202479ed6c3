//! The channel bridges: WhatsApp Cloud API, Messenger and Instagram. Meta's webhook POSTs are
//! verified on their exact bytes, read into [`Event`]s and stored before Meta gets its 200;
//! each sender's events are then read in order into the same conversation service as the
//! widget's, and replies leave through the outbox and the Graph send API.

pub mod config;
pub mod event;
pub mod graph;
pub mod messenger;
pub mod replies;
pub mod signature;
pub mod whatsapp;

pub use config::{ChannelsConfig, MessengerConfig, WhatsappConfig};
pub use event::{Event, Parsed, Sender, What};

use crate::lead::Channel;

/// The bridge (and outbox target) that serves a channel: Instagram goes through Messenger's.
/// `None` for the widget.
pub fn bridge(channel: Channel) -> Option<&'static str> {
    match channel {
        Channel::Whatsapp => Some("whatsapp"),
        Channel::Messenger | Channel::Instagram => Some("messenger"),
        Channel::Web | Channel::Sms => None,
    }
}

/// The opaque key of one person on one business account: their events are read in order by
/// one job, and the key names no personal data.
pub fn sender_key(channel: Channel, account: &str, sender: &str) -> String {
    let bridge = bridge(channel).unwrap_or("web");
    format!(
        "{bridge}:{}",
        whatsapp::digest(&format!("{}|{account}|{sender}", channel.as_str()))
    )
}
