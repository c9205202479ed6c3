//! Fuzzes the extractor with arbitrary conversations: the first byte picks the locale, the
//! region and whether the channel brought contact metadata; the rest, split at 0x01 bytes, are
//! the messages, alternating bot and visitor by a bit of each message's first byte.
//!
//! cargo +nightly fuzz run extract

#![no_main]

use leadgate::lead::{Channel, ContactMeta, Conversation, Extractor, Message, Role, ScoringRules};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

const LOCALES: &[&str] = &["en-GB", "pl-PL", "de-DE", "es-ES", "fr-FR", "de-AT", "fr-CH", "xx"];
const REGIONS: &[Option<&str>] = &[None, Some("PL"), Some("DE"), Some("ES"), Some("FR"), Some("GB"), Some("US"), Some("IT")];

static EXTRACTOR: LazyLock<Extractor> = LazyLock::new(|| Extractor::new(&["Zendesk".to_owned(), "Tidio".to_owned(), "Intercom".to_owned()]));

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.split('\u{1}');
    let contact = (head & 0x40 != 0).then(|| ContactMeta {
        phone: parts.next().map(str::to_owned),
        name: parts.next().map(str::to_owned),
        email: None,
    });
    let messages = parts
        .map(|p| Message {
            role: if p.as_bytes().first().is_some_and(|b| b & 1 == 1) { Role::Bot } else { Role::Visitor },
            text: p.to_owned(),
        })
        .collect();
    let conv = Conversation {
        id: None,
        started_at: time::macros::datetime!(2026-03-02 09:00 UTC),
        channel: if contact.is_some() { Channel::Whatsapp } else { Channel::Web },
        locale: Some(LOCALES[usize::from(head & 7)].to_owned()),
        default_region: REGIONS[usize::from((head >> 3) & 7)].map(str::to_owned),
        contact,
        messages,
    };
    let lead = EXTRACTOR.extract(&conv).lead;
    let score = ScoringRules::default().score(&lead);
    assert_eq!(score.total, score.breakdown.iter().map(|i| i.points).sum::<u32>());
});
