//! Personal data stays in the gateway: before a request leaves, the email addresses and phone
//! numbers in it (and, when configured, the visitor's name) become stable placeholders —
//! `[email 1]`, `[phone 1]`, `[name 1]` — the same detail the same placeholder throughout the
//! request, and the reply gets the details back.

use crate::config::Redact;
use crate::lead::extract::{DetailKind, contact_details};
use crate::lead::text::{fold_case, is_whole_word};
use crate::lead::{Lead, Region};

use super::LlmError;

/// One placeholder and what it stands for.
#[derive(Debug)]
struct Hidden {
    placeholder: String,
    /// The normal form (or the folded name): the key.
    key: String,
    /// What the reply gets back.
    shown: String,
}

/// The placeholders of one turn.
#[derive(Debug)]
pub(super) struct Redaction {
    mode: Redact,
    /// The regions national numbers are read in, each in turn.
    regions: Vec<Option<Region>>,
    hidden: Vec<Hidden>,
    /// Words of the visitor's name, folded, longest first.
    names: Vec<String>,
}

/// The kinds of placeholder, as they are written.
const KINDS: [&str; 3] = ["[email ", "[phone ", "[name "];

impl Redaction {
    /// Placeholders for `mode`, the lead's own details numbered first; national numbers are
    /// read in each of `regions`.
    pub(super) fn new(mode: Redact, lead: &Lead, regions: &[Option<Region>]) -> Redaction {
        let mut kept: Vec<Option<Region>> = Vec::new();
        for region in regions {
            if !kept.contains(region) {
                kept.push(*region);
            }
        }
        let mut redaction = Redaction {
            mode,
            regions: kept,
            hidden: Vec::new(),
            names: Vec::new(),
        };
        if mode == Redact::None {
            return redaction;
        }
        if let Some(email) = &lead.email {
            redaction.placeholder("email", email.as_str(), email.as_str());
        }
        if let Some(phone) = &lead.phone {
            redaction.placeholder("phone", phone.as_str(), phone.as_str());
        }
        if mode == Redact::ContactAndNames
            && let Some(name) = &lead.name
        {
            let words = name.first().split_whitespace();
            for word in words.chain(name.last().into_iter().flat_map(str::split_whitespace)) {
                let folded = fold_case(word);
                if folded.chars().count() >= 2 && !redaction.names.contains(&folded) {
                    redaction.placeholder("name", &folded, word);
                    redaction.names.push(folded);
                }
            }
            redaction.names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        }
        redaction
    }

    /// The placeholder of `key`, a new one when it has none yet.
    fn placeholder(&mut self, kind: &str, key: &str, shown: &str) -> String {
        if let Some(known) = self.hidden.iter().find(|h| h.key == key) {
            return known.placeholder.clone();
        }
        let prefix = format!("[{kind} ");
        let n = self
            .hidden
            .iter()
            .filter(|h| h.placeholder.starts_with(&prefix))
            .count();
        let placeholder = format!("{prefix}{}]", n + 1);
        self.hidden.push(Hidden {
            placeholder: placeholder.clone(),
            key: key.to_owned(),
            shown: shown.to_owned(),
        });
        placeholder
    }

    /// `text` with every detail it gives replaced by its placeholder.
    pub(super) fn hide(&mut self, text: &str) -> String {
        if self.mode == Redact::None {
            return text.to_owned();
        }
        let mut text = text.to_owned();
        for region in self.regions.clone() {
            text = self.hide_in(&text, region);
        }
        self.hide_names(text)
    }

    /// `text` with the details found when national numbers are read in `region` replaced.
    fn hide_in(&mut self, text: &str, region: Option<Region>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for detail in contact_details(text, region) {
            if detail.span.start < at {
                continue;
            }
            let kind = match detail.kind {
                DetailKind::Email => "email",
                DetailKind::Phone => "phone",
            };
            out.push_str(&text[at..detail.span.start]);
            out.push_str(&self.placeholder(kind, &detail.value, &text[detail.span.clone()]));
            at = detail.span.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// `text` with each word of the visitor's name, in any case, replaced.
    fn hide_names(&self, mut text: String) -> String {
        for name in &self.names {
            let Some(placeholder) = self.hidden.iter().find(|h| &h.key == name) else {
                continue;
            };
            let lower = fold_case(&text);
            let mut out = String::with_capacity(text.len());
            let mut at = 0;
            for (start, _) in lower.match_indices(name.as_str()) {
                let end = start + name.len();
                if start < at || !is_whole_word(&lower, start, end) {
                    continue;
                }
                out.push_str(&text[at..start]);
                out.push_str(&placeholder.placeholder);
                at = end;
            }
            out.push_str(&text[at..]);
            text = out;
        }
        text
    }

    /// `text` with every placeholder replaced by what it stands for.
    pub(super) fn restore(&self, text: &str) -> String {
        let mut text = text.to_owned();
        // "[email 12]" before "[email 1]": longer placeholders first.
        for hidden in self.hidden.iter().rev() {
            if text.contains(&hidden.placeholder) {
                text = text.replace(&hidden.placeholder, &hidden.shown);
            }
        }
        text
    }

    /// The whole reply with the details back, or why not: a placeholder the request did not
    /// carry would reach the visitor as it is.
    pub(super) fn restored(&self, text: &str) -> Result<String, LlmError> {
        let text = self.restore(text);
        if self.mode != Redact::None && KINDS.iter().any(|k| text.contains(k)) {
            return Err(LlmError::Declined(
                "the reply has a placeholder it was not given".into(),
            ));
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::{Email, PersonName};

    fn lead() -> Lead {
        Lead {
            name: PersonName::parse("Jana Vogt").ok(),
            email: Email::parse("jana.vogt@vogt-moebel.de").ok(),
            ..Lead::default()
        }
    }

    #[test]
    fn details_become_stable_placeholders_and_come_back() {
        let regions = [Region::parse("GB").ok(), Region::parse("DE").ok()];
        let mut r = Redaction::new(Redact::Contact, &lead(), &regions);
        let sent = r.hide(
            "Jana hier: Jana.Vogt@vogt-moebel.de, 0170 1234567 oder +49 170 1234567, info@x.de",
        );
        assert_eq!(
            sent,
            "Jana hier: [email 1], [phone 1] oder [phone 1], [email 2]"
        );
        assert_eq!(
            r.restored("Danke! Ich schreibe an [email 1] und rufe [phone 1] an.")
                .unwrap(),
            "Danke! Ich schreibe an jana.vogt@vogt-moebel.de und rufe +49 170 1234567 an."
        );
        assert!(r.restored("Noted [phone 7].").is_err());

        let mut names = Redaction::new(Redact::ContactAndNames, &lead(), &regions);
        assert_eq!(
            names.hide("Ich bin JANA Vogt von Vogtland GmbH"),
            "Ich bin [name 1] [name 2] von Vogtland GmbH"
        );
        assert_eq!(names.restored("Hallo [name 1]!").unwrap(), "Hallo Jana!");

        let mut none = Redaction::new(Redact::None, &lead(), &regions);
        let text = "jana.vogt@vogt-moebel.de [email 1]";
        assert_eq!(none.hide(text), text);
        assert_eq!(none.restored(text).unwrap(), text);
    }
}
