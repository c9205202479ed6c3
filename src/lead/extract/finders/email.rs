//! Email addresses, written plainly or spoken: "jan at firma dot pl", "ola małpa firma kropka pl".

use std::sync::LazyLock;

use regex::Regex;

use super::Found;
use crate::lead::Email;
use crate::lead::lexicon;
use crate::lead::text::is_whole_word;

/// An address as written: "anna@firma.de".
static PLAIN_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+").expect("email pattern")
});

/// "jan at firma dot pl", "anna(at)firma.de", "pablo [at] reformasdelsur [dot] es",
/// "aurelie.fontaine arobase fontaine-cosmetiques point fr", "ola małpa firma kropka pl".
static SPOKEN_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    let at_word = r"at|@|małpa|malpa|arroba|arobase|klammeraffe|affe";
    let dot_word = r"dot|punkt|kropka|punto|point|pkt";
    Regex::new(&format!(
        r"(?P<local>[a-z0-9][a-z0-9._%+-]*(?:\s+(?:{dot_word})\s+[a-z0-9][a-z0-9._%+-]*)*)(?P<at>\s*[(\[{{<]\s*(?:{at_word})\s*[)\]}}>]\s*|\s+(?:{at_word})\s+|\s*@\s+|\s+@\s*)(?P<domain>[a-z0-9][a-z0-9-]*(?:(?:\s*[(\[{{<]\s*(?:{dot_word}|\.)\s*[)\]}}>]\s*|\s+(?:{dot_word})\s+|\.)[a-z0-9][a-z0-9-]*)+)"
    ))
    .expect("spoken email pattern")
});

/// Whether a message says "at" in any of the ways a spoken address does; most messages do not,
/// and the full spoken-address pattern is then not run.
static SPOKEN_AT: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::new([
        " at ",
        "(at",
        "[at",
        "{at",
        "<at",
        "@",
        "małpa",
        "malpa",
        "arroba",
        "arobase",
        "klammeraffe",
        "affe",
    ])
    .expect("at words")
});

static DOT_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*[(\[{<]\s*(?:dot|punkt|kropka|punto|point|pkt|\.)\s*[)\]}>]\s*|\s+(?:dot|punkt|kropka|punto|point|pkt)\s+").expect("dot pattern")
});

/// Finds email addresses, plain or spoken, in a lower-cased message.
pub(crate) fn emails(lower: &str) -> Vec<Found<Email>> {
    let mut out: Vec<Found<Email>> = Vec::new();
    if lower.contains('@') {
        for m in PLAIN_EMAIL.find_iter(lower) {
            let raw = m.as_str();
            let trimmed_start = raw.len()
                - raw
                    .trim_start_matches(['\'', '"', '`', '{', '|', '}', '~', '.', '-'])
                    .len();
            let candidate = &raw[trimmed_start..];
            if let Ok(email) = Email::parse(candidate) {
                out.push(Found {
                    span: m.start() + trimmed_start..m.end(),
                    value: email,
                });
            }
        }
    }
    if !SPOKEN_AT.is_match(lower) {
        return out;
    }
    for caps in SPOKEN_EMAIL.captures_iter(lower) {
        let whole = caps.get(0).expect("match");
        if out
            .iter()
            .any(|f| f.span.start < whole.end() && whole.start() < f.span.end)
        {
            continue;
        }
        // "lukasz kropka piatek małpa …": a spoken dot inside the mailbox too.
        let local = DOT_SEPARATOR.replace_all(caps.name("local").expect("local").as_str(), ".");
        let local = local.as_ref();
        let at = caps.name("at").expect("at").as_str().trim();
        let spoken_at = !at.contains('@') && !at.starts_with(['(', '[', '{', '<']);
        if spoken_at && lexicon::NOT_A_MAILBOX.contains(local) {
            continue;
        }
        if !is_whole_word(lower, whole.start(), whole.end()) {
            continue;
        }
        let domain = DOT_SEPARATOR.replace_all(caps.name("domain").expect("domain").as_str(), ".");
        if let Ok(email) = Email::parse(&format!("{local}@{domain}")) {
            out.push(Found {
                span: whole.range(),
                value: email,
            });
        }
    }
    out.sort_by_key(|f| f.span.start);
    out
}
