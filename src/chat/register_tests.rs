//! The rule engine speaks in the site's register, and offers budget ranges in the visitor's
//! currency.

use super::engine::{Engine, EngineInput, EngineOutput, EngineState};
use super::prompts::{BUILT_IN_FAQ, Faq, Prompts};
use super::rules::RuleEngine;
use crate::config::{Register, SiteConfig};
use crate::lead::{Email, Lang, Lead, Region};
use crate::store::MessageRow;

fn engine() -> RuleEngine {
    RuleEngine::new(
        Prompts::load(None).unwrap(),
        Faq::parse(BUILT_IN_FAQ).unwrap(),
    )
}

fn site(register: Register) -> SiteConfig {
    SiteConfig {
        register,
        ..SiteConfig::demo()
    }
}

fn turn(
    site: &SiteConfig,
    lang: Lang,
    region: Option<Region>,
    history: &[MessageRow],
    text: &str,
    lead: &Lead,
) -> EngineOutput {
    engine().turn(EngineInput {
        site,
        lang,
        region,
        visitor_text: text,
        history,
        lead,
        previous: lead,
        consent_missing: false,
        state: EngineState::default(),
        stream: None,
    })
}

/// What the assistant says on a site: its greeting, then its questions for the email and,
/// once that is known, for the name, the company and the rest, one turn each.
fn replies(site: &SiteConfig, lang: Lang) -> Vec<String> {
    let e = engine();
    let mut out = vec![e.greeting(site, lang).text];
    let mut lead = Lead::default();
    out.push(
        turn(site, lang, None, &[], "hello", &lead).replies[0]
            .text
            .clone(),
    );
    lead.email = Email::parse("ola@example.org").ok();
    let mut state = EngineState::default();
    for _ in 0..6 {
        let o = e.turn(EngineInput {
            site,
            lang,
            region: None,
            visitor_text: "ok",
            history: &[],
            lead: &lead,
            previous: &lead,
            consent_missing: false,
            state,
            stream: None,
        });
        out.push(o.replies[0].text.clone());
        state = o.state;
    }
    out
}

/// Words that address the visitor formally, and informally, per language; "x*" stands for
/// any word starting with x.
fn markers(lang: Lang) -> (&'static [&'static str], &'static [&'static str]) {
    match lang {
        Lang::Pl => (
            &["Pan", "Pani", "Państw*"],
            &[
                "Ty",
                "Ci",
                "Cię",
                "Tobą",
                "piszesz",
                "masz",
                "planujesz",
                "chcesz",
            ],
        ),
        Lang::De => (&["Sie", "Ihnen", "Ihr*"], &["du", "dir", "dich", "dein*"]),
        Lang::Es => (
            &["usted", "le", "su", "sus", "ayudarle", "Tiene"],
            &["tú", "te", "tu", "tus", "ayudarte", "contigo", "Tienes"],
        ),
        Lang::Fr => (
            &["vous", "Vous", "votre", "vos"],
            &["tu", "te", "t'*", "toi", "ton", "ta", "tes"],
        ),
        Lang::En => (&[], &[]),
    }
}

/// Whether a reply holds a marker as a word.
fn holds(text: &str, marker: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .any(|w| match marker.strip_suffix('*') {
            Some(prefix) => w.starts_with(prefix),
            None => w == marker,
        })
}

#[test]
fn the_default_register_is_formal_and_informal_sites_are_addressed_informally() {
    assert_eq!(SiteConfig::default().register, Register::Formal);
    for lang in Lang::ALL {
        let formal = replies(&site(Register::Formal), lang);
        let informal = replies(&site(Register::Informal), lang);
        assert_ne!(formal, informal, "{lang}: the registers differ");
        let (polite, familiar) = markers(lang);
        if polite.is_empty() {
            continue;
        }
        let all_formal = formal.join(" ");
        let all_informal = informal.join(" ");
        assert!(
            polite.iter().any(|m| holds(&all_formal, m)),
            "{lang} formal: {all_formal}"
        );
        for reply in &informal {
            assert!(
                !polite.iter().any(|m| holds(reply, m)),
                "{lang} informal reply is formal: {reply}"
            );
        }
        assert!(
            familiar.iter().any(|m| holds(&all_informal, m)),
            "{lang} informal: {all_informal}"
        );
        for reply in &formal {
            assert!(
                !familiar.iter().any(|m| holds(reply, m)),
                "{lang} formal reply is informal: {reply}"
            );
        }
    }
}

#[test]
fn an_informal_section_with_an_unknown_template_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let en = include_str!("../../prompts/en.toml");
    std::fs::write(
        dir.path().join("en.toml"),
        format!("{en}\n[informal.ask]\nmotto = [\"hey\"]\n"),
    )
    .unwrap();
    let e = Prompts::load(Some(dir.path())).unwrap_err().to_string();
    assert!(e.contains("en.toml") && e.contains("informal"), "{e}");
}

/// The budget question's buttons after a lead with an email, on a site.
fn budget_buttons(lang: Lang, region: Option<Region>, said: &[&str]) -> Vec<String> {
    let mut lead = Lead::default();
    lead.email = Email::parse("ola@example.org").ok();
    lead.name = crate::lead::PersonName::parse("Ola").ok();
    lead.company = crate::lead::Company::parse("Kestrel").ok();
    let history: Vec<MessageRow> = said
        .iter()
        .enumerate()
        .map(|(i, t)| MessageRow {
            conversation_id: "c".into(),
            seq: i as i64,
            id: i.to_string(),
            role: "visitor".into(),
            text: (*t).to_owned(),
            client_msg_id: None,
            quick_replies: None,
            asked: None,
            created_ms: 0,
            author: None,
        })
        .collect();
    let site = site(Register::Formal);
    let out = turn(&site, lang, region, &history, "ok", &lead);
    assert_eq!(
        out.replies[0].asked,
        Some(super::engine::Ask::Budget),
        "{:?}",
        out.replies[0]
    );
    out.replies[0].quick_replies.clone()
}

#[test]
fn budget_buttons_are_in_the_visitors_currency() {
    let us = Region::parse("US").ok();
    let gb = Region::parse("GB").ok();
    // A visitor who quoted pounds sees pounds, whatever the site's region.
    let quoted = budget_buttons(Lang::En, us, &["We pay £250 a month for Tidio now."]);
    assert_eq!(quoted[..3], ["Under £1,000", "£1,000–5,000", "Over £5,000"]);
    assert_eq!(budget_buttons(Lang::En, gb, &[])[1], "£1,000–5,000");
    // Polish implies złoty, even on a US site.
    let pl = budget_buttons(Lang::Pl, us, &[]);
    assert_eq!(
        pl[..3],
        ["Do 5 tys. zł", "5–20 tys. zł", "Powyżej 20 tys. zł"]
    );
    // No currency said and none implied: euros.
    let de = budget_buttons(Lang::De, Region::parse("DE").ok(), &[]);
    assert_eq!(de[..3], ["Unter 1.000 €", "1.000–5.000 €", "Über 5.000 €"]);
    let fr = budget_buttons(Lang::Fr, us, &[]);
    assert!(
        fr[1].ends_with('€') && !fr.iter().any(|b| b.contains('{')),
        "{fr:?}"
    );
    let ch = budget_buttons(Lang::Fr, Region::parse("CH").ok(), &[]);
    assert_eq!(ch[1], "1 000–5 000 CHF");
}
