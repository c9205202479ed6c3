//! The visitor's language, read from what they write rather than from their browser. Detection
//! runs on the visitor's recent messages together (a single short message says little), and
//! only once they hold real words: a message that is only an address, a number, a name or
//! "ok" is neutral and changes nothing. `lingua` was chosen over lighter detectors for its
//! accuracy on short chat text in these five languages (measured in `docs/benchmarks.md`).

use std::sync::LazyLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

use super::Lang;

/// Visitor text read for the language: the most recent this many bytes of it.
pub const WINDOW_BYTES: usize = 600;

static DETECTOR: LazyLock<LanguageDetector> = LazyLock::new(|| {
    LanguageDetectorBuilder::from_languages(&[
        Language::English,
        Language::Polish,
        Language::German,
        Language::Spanish,
        Language::French,
    ])
    .build()
});

/// Whether a message says nothing about its language: after addresses, links, numbers and
/// punctuation are removed, fewer than two words of letters are left.
pub fn neutral(message: &str) -> bool {
    let words = message
        .split_whitespace()
        .filter(|w| !w.contains('@') && !w.contains("://") && !w.starts_with("www."))
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    words < 2
}

/// The language of a visitor's text (their recent messages, oldest first), when any of it is
/// not neutral.
pub fn detect<'a>(messages: impl IntoIterator<Item = &'a str>) -> Option<Lang> {
    DETECTOR.detect_language_of(&window(messages)?).map(lang_of)
}

/// The last [`WINDOW_BYTES`] of the messages that are not neutral, one per line; `None` when
/// every message is neutral.
fn window<'a>(messages: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut text = String::new();
    for m in messages.into_iter().filter(|m| !neutral(m)) {
        text.push_str(m);
        text.push('\n');
    }
    if text.is_empty() {
        return None;
    }
    let start = text.len().saturating_sub(WINDOW_BYTES);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    Some(text[start..].to_owned())
}

fn lang_of(language: Language) -> Lang {
    match language {
        Language::English => Lang::En,
        Language::Polish => Lang::Pl,
        Language::German => Lang::De,
        Language::Spanish => Lang::Es,
        Language::French => Lang::Fr,
    }
}

/// How much more likely (in the detector's confidence, 0–1) another language must be than the
/// one the conversation is in before replies switch: a name, a company ("Brandt Logistik
/// GmbH") or a word shared by two languages ("Under" / "unter") must not flip the replies.
/// Measured: an English sentence with a German name and company reads German 0.46 against
/// English 0.45; "Hola! Che, una consulta" reads Spanish 0.50 against English 0.15.
pub const SWITCH_MARGIN: f64 = 0.2;

/// The language replies should switch to from `current`, if the visitor's recent text (oldest
/// first) is clearly in another one.
pub fn shift<'a>(messages: impl IntoIterator<Item = &'a str>, current: Lang) -> Option<Lang> {
    let values = DETECTOR.compute_language_confidence_values(window(messages)?);
    let confidence = |lang: Lang| {
        values
            .iter()
            .find(|(l, _)| lang_of(*l) == lang)
            .map_or(0.0, |(_, c)| *c)
    };
    let (top, top_confidence) = values.first().map(|(l, c)| (lang_of(*l), *c))?;
    (top != current && top_confidence - confidence(current) >= SWITCH_MARGIN).then_some(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_messages_say_nothing() {
        for m in [
            "ok",
            "anna.kowalska@firma.pl",
            "601 234 567",
            "50k",
            "Anna",
            "https://x.pl/a b",
        ] {
            assert!(neutral(m), "{m}");
        }
        for m in ["szukam chatbota", "we need a chatbot", "Guten Tag zusammen"] {
            assert!(!neutral(m), "{m}");
        }
    }

    #[test]
    fn short_chat_messages_are_read() {
        let cases = [
            ("Dzień dobry, szukam chatbota na stronę", Lang::Pl),
            ("Dzien dobry, szukam chatbota na strone", Lang::Pl),
            ("Hi, we need a chatbot for our shop", Lang::En),
            ("Guten Tag, wir brauchen einen Chatbot", Lang::De),
            ("Hola, necesitamos un chatbot para la tienda", Lang::Es),
            ("Bonjour, nous cherchons un chatbot", Lang::Fr),
        ];
        for (text, lang) in cases {
            assert_eq!(detect([text]), Some(lang), "{text}");
        }
        assert_eq!(detect(["ok", "601 234 567"]), None);
        for (text, lang) in cases {
            assert_eq!(
                shift([text], Lang::En).or(Some(Lang::En)),
                Some(lang),
                "{text}"
            );
        }
        // The visitor's words decide, not a product name in another language.
        assert_eq!(
            detect(["Dzień dobry, korzystamy z HubSpot Sales Hub i Intercom"]),
            Some(Lang::Pl)
        );
    }

    #[test]
    fn names_and_shared_words_do_not_switch_the_replies() {
        let english = [
            "Hi, I'm Paula Brandt, managing director of Brandt Logistik GmbH.",
            "p.brandt@brandt-logistik.de",
            "Under €1,000",
        ];
        assert_eq!(shift(english, Lang::En), None);
        let polish = ["Nazywam się Hans Müller z Müller Maschinenbau GmbH, szukamy chatbota"];
        assert_eq!(shift(polish, Lang::Pl), None);
        // A visitor who really writes another language is followed.
        let german = ["Guten Tag, wir suchen einen Chatbot für unseren Onlineshop"];
        assert_eq!(shift(german, Lang::En), Some(Lang::De));
    }
}
