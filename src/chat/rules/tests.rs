//! The rule engine turn by turn, in each language.

use super::*;
use crate::lead::{Email, Lead, PersonName};

fn engine() -> RuleEngine {
    RuleEngine::new(
        Prompts::load(None).unwrap(),
        Faq::parse(crate::chat::prompts::BUILT_IN_FAQ).unwrap(),
    )
}

fn turn(
    e: &RuleEngine,
    lang: Lang,
    text: &str,
    previous: &Lead,
    lead: &Lead,
    state: EngineState,
) -> EngineOutput {
    let site = SiteConfig::demo();
    e.turn(EngineInput {
        site: &site,
        lang,
        region: None,
        visitor_text: text,
        history: &[],
        lead,
        previous,
        consent_missing: false,
        state,
        stream: None,
    })
}

#[test]
fn greets_with_the_site_name_in_each_language() {
    let e = engine();
    let site = SiteConfig {
        name: "Acme".into(),
        ..SiteConfig::demo()
    };
    for lang in Lang::ALL {
        assert!(e.greeting(&site, lang).text.contains("Acme"), "{lang}");
    }
}

#[test]
fn asks_for_contact_first_then_qualifies_without_repeating() {
    let e = engine();
    let empty = Lead::default();
    let out = turn(
        &e,
        Lang::En,
        "We need a chatbot for our shop",
        &empty,
        &empty,
        EngineState::default(),
    );
    assert_eq!(out.replies[0].asked, Some(Ask::Email));
    // The visitor ignores the question: the next turn asks something else.
    let out2 = turn(
        &e,
        Lang::En,
        "It should answer product questions",
        &empty,
        &empty,
        out.state,
    );
    assert_ne!(out2.replies[0].asked, Some(Ask::Email));
    assert_eq!(out2.replies[0].asked, Some(Ask::Name));
}

#[test]
fn confirms_what_it_captured_and_moves_on() {
    let e = engine();
    let before = Lead::default();
    let after = Lead {
        email: Some(Email::parse("anna@firma.pl").unwrap()),
        name: Some(PersonName::parse("Anna Nowak").unwrap()),
        ..Lead::default()
    };
    let state = EngineState {
        asked: vec![Ask::Email],
        turn: 1,
        ..EngineState::default()
    };
    let out = turn(
        &e,
        Lang::Pl,
        "anna@firma.pl, Anna Nowak",
        &before,
        &after,
        state,
    );
    let text = &out.replies[0].text;
    assert!(text.contains("anna@firma.pl"), "{text}");
    // Formal Polish: the name is noted, the visitor is not called by their first name.
    assert!(text.contains("imię") && !text.contains("Anna"), "{text}");
    assert_eq!(out.replies[0].asked, Some(Ask::Company));
}

#[test]
fn accepts_a_refusal_and_never_asks_again() {
    let e = engine();
    let empty = Lead::default();
    let state = EngineState {
        asked: vec![Ask::Email],
        turn: 1,
        ..EngineState::default()
    };
    let out = turn(&e, Lang::De, "Lieber nicht.", &empty, &empty, state);
    assert!(out.state.refused.contains(&Ask::Email));
    assert_eq!(out.replies[0].asked, Some(Ask::Phone));
    assert!(
        out.replies[0].text.starts_with("Kein Problem")
            || out.replies[0].text.starts_with("Alles klar")
    );
}

#[test]
fn answers_faq_questions() {
    let e = engine();
    let empty = Lead::default();
    let out = turn(
        &e,
        Lang::Es,
        "¿Cuánto cuesta?",
        &empty,
        &empty,
        EngineState::default(),
    );
    assert!(
        out.replies[0].text.contains("49"),
        "{}",
        out.replies[0].text
    );
}

#[test]
fn offers_a_human_when_everything_is_known() {
    use crate::lead::{Budget, Company, PhoneE164, Timeline};
    let e = engine();
    let full = Lead {
        email: Some(Email::parse("a@b.pl").unwrap()),
        phone: Some(PhoneE164::parse("+48601234567", None).unwrap()),
        name: Some(PersonName::parse("Anna").unwrap()),
        company: Some(Company::parse("Firma").unwrap()),
        budget: Some(Budget::new(Some(1), Some(2), None).unwrap()),
        timeline_days: Some(Timeline::from_days(3).unwrap()),
        decision_maker: Some(true),
        ..Lead::default()
    };
    let out = turn(&e, Lang::Fr, "merci", &full, &full, EngineState::default());
    assert_eq!(out.replies[0].asked, Some(Ask::Handoff));
    assert_eq!(out.replies[0].quick_replies.len(), 2);
    let out2 = turn(&e, Lang::Fr, "oui", &full, &full, out.state);
    assert_eq!(out2.state.handoff, Handoff::Accepted);
}

#[test]
fn requests_are_acknowledged_as_passed_on_and_other_questions_go_to_the_rep() {
    use crate::lead::{Request, RequestKind};
    let e = engine();
    let empty = Lead::default();
    let asked = Lead {
        request: Some(Request {
            kind: RequestKind::Call,
            when: Some("jeudi après-midi".into()),
        }),
        ..Lead::default()
    };
    let out = turn(
        &e,
        Lang::Fr,
        "Pouvez-vous m'appeler jeudi après-midi ?",
        &empty,
        &asked,
        EngineState::default(),
    );
    let text = &out.replies[0].text;
    assert!(
        text.contains("demande d'appel") && text.contains("jeudi après-midi"),
        "{text}"
    );
    assert_eq!(out.open_question, None, "a request is no open question");
    assert!(!text.contains("ne peux pas répondre"), "{text}");
    // A question the FAQ cannot answer is passed on, and the visitor is told so.
    let out = turn(
        &e,
        Lang::De,
        "Unterstützt Ihr Bot Klingonisch?",
        &empty,
        &empty,
        EngineState::default(),
    );
    assert_eq!(
        out.open_question.as_deref(),
        Some("Unterstützt Ihr Bot Klingonisch?")
    );
    assert!(
        out.replies[0].text.contains("weitergegeben"),
        "{}",
        out.replies[0].text
    );
}

#[test]
fn a_bare_budget_is_confirmed_before_it_is_noted() {
    use crate::lead::{Budget, Field};
    let e = engine();
    let empty = Lead::default();
    let read = Lead {
        budget: Some(Budget::new(Some(15000), Some(15000), None).unwrap()),
        unconfirmed: vec![Field::Budget],
        ..Lead::default()
    };
    let out = turn(&e, Lang::Es, "15000", &empty, &read, EngineState::default());
    let reply = &out.replies[0];
    assert_eq!(reply.asked, Some(Ask::Confirm));
    assert!(
        reply.text.contains("15000") && !reply.text.contains("anotado"),
        "{}",
        reply.text
    );
    assert_eq!(reply.quick_replies.len(), 2);
}

#[test]
fn the_greeting_names_the_assistant_and_values_end_one_sentence_once() {
    let e = engine();
    let site = SiteConfig::demo();
    for lang in Lang::ALL {
        let text = e.greeting(&site, lang).text;
        assert!(
            text.contains("Kira") && text.contains("Kestrel Analytics"),
            "{text}"
        );
    }
    assert_eq!(
        tidy("your company Volt-Pol Sp. z o.o.."),
        "your company Volt-Pol Sp. z o.o."
    );
    assert_eq!(tidy("Wait... what."), "Wait... what.");
}

#[test]
fn refusals_are_short_declines_only() {
    assert!(is_refusal("no"));
    assert!(is_refusal("nie, dziękuję"));
    assert!(is_refusal(&fold_case("Je préfère pas.")));
    assert!(!is_refusal(
        "not sure what you mean by that but we need a bot"
    ));
    assert!(!is_refusal("nowak"));
}
