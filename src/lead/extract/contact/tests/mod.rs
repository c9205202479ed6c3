//! Reading who the visitor is, message by message, in the five languages.

mod answers;
mod classes;
mod companies;
mod introductions;
mod titles;

use super::read;
use crate::lead::Lang;
use crate::lead::extract::cues::Asked;
use crate::lead::text::fold_case;

pub(super) fn facts(text: &str) -> Facts {
    facts_asked(text, Asked::default())
}

pub(super) fn facts_asked(text: &str, asked: Asked) -> Facts {
    let lower = fold_case(text);
    let f = read(text, &lower, Lang::En, asked, false, &|w| w == "intercom");
    (
        f.name.map(|n| n.to_string()),
        f.company.map(|c| c.to_string()),
        f.title.map(|t| t.to_string().to_lowercase()),
        f.title_decides,
    )
}

pub(super) type Facts = (Option<String>, Option<String>, Option<String>, bool);

pub(super) fn facts_in(text: &str, lang: Lang) -> Facts {
    read_with(text, lang, Asked::default(), false)
}

pub(super) fn read_with(text: &str, lang: Lang, asked: Asked, has_contact: bool) -> Facts {
    let lower = fold_case(text);
    let f = read(text, &lower, lang, asked, has_contact, &|_| false);
    (
        f.name.map(|n| n.to_string()),
        f.company.map(|c| c.to_string()),
        f.title.map(|t| t.to_string().to_lowercase()),
        f.title_decides,
    )
}

pub(super) fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}
