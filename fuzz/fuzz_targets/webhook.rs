//! Fuzzes the WhatsApp and Messenger webhook readers on arbitrary bytes: whatever Meta (or
//! anyone holding the app secret) sends is read or skipped, never a panic, and every event read
//! survives its stored JSON form.
//!
//! cargo +nightly fuzz run webhook

#![no_main]

use leadgate::channels::{Event, messenger, whatsapp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for parsed in [whatsapp::parse(&value), messenger::parse(&value)] {
        for event in parsed.events {
            let stored = serde_json::to_string(&event).expect("events serialise");
            let back: Event = serde_json::from_str(&stored).expect("and read back");
            assert_eq!(back, event);
        }
    }
});
