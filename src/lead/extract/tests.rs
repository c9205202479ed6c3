use super::*;
use crate::lead::Timeline;

fn extract(messages: &[(&str, &str)]) -> Lead {
    let messages: Vec<serde_json::Value> = messages
        .iter()
        .map(|(role, text)| serde_json::json!({"role": role, "text": text}))
        .collect();
    let conv: Conversation = serde_json::from_value(serde_json::json!({
        "started_at": "2026-05-04T09:00:00Z",
        "locale": "de-DE",
        "messages": messages,
    }))
    .expect("conversation");
    Extractor::new(&[]).extract(&conv).lead
}

#[test]
fn the_widgets_decision_quick_replies_answer_who_decides() {
    // The rule engine's question and its two quick replies, in each language.
    let cases = [
        (
            "Are you the one who decides on this purchase, or is someone else involved?",
            "I decide",
            "Someone else decides",
        ),
        (
            "Czy to Pan/Pani decyduje o zakupie, czy ktoś jeszcze?",
            "Ja decyduję",
            "Decyduje ktoś inny",
        ),
        (
            "Entscheiden Sie selbst über die Anschaffung, oder ist noch jemand beteiligt?",
            "Ich entscheide",
            "Jemand anderes entscheidet",
        ),
        (
            "¿Eres tú quien decide la compra o participa alguien más?",
            "Decido yo",
            "Decide otra persona",
        ),
        (
            "Est-ce vous qui décidez de cet achat, ou quelqu'un d'autre est-il impliqué ?",
            "C'est moi qui décide",
            "Quelqu'un d'autre décide",
        ),
    ];
    for (question, me, other) in cases {
        let yes = extract(&[("bot", question), ("visitor", me)]);
        assert_eq!(yes.decision_maker, Some(true), "{me}");
        let no = extract(&[("bot", question), ("visitor", other)]);
        assert_eq!(no.decision_maker, Some(false), "{other}");
    }
}

#[test]
fn a_greeting_then_a_name_and_company() {
    let lead = extract(&[
        ("bot", "Hallo! Wie kann ich Ihnen helfen?"),
        (
            "visitor",
            "Guten Tag, Jonas Becker von der Becker Bau GmbH.",
        ),
    ]);
    let name = lead.name.expect("a name");
    assert_eq!((name.first(), name.last()), ("Jonas", Some("Becker")));
    assert_eq!(
        lead.company.map(|c| c.to_string()).as_deref(),
        Some("Becker Bau GmbH")
    );
    for (text, first, company) in [
        (
            "Hi, Tom Fletcher from Larkspur Logistics Ltd.",
            "Tom",
            "Larkspur Logistics Ltd",
        ),
        (
            "Dzień dobry, Anna Nowak z firmy Nowak Transport Sp. z o.o.",
            "Anna",
            "Nowak Transport Sp. z o.o.",
        ),
        (
            "Hola, Lucía García de Textiles García S.L.",
            "Lucía",
            "Textiles García S.L.",
        ),
        (
            "Bonjour, Claire Martin de Martin Conseil SARL",
            "Claire",
            "Martin Conseil SARL",
        ),
    ] {
        let lead = extract(&[
            ("bot", "Hallo! Wie kann ich Ihnen helfen?"),
            ("visitor", text),
        ]);
        assert_eq!(lead.name.as_ref().map(|n| n.first()), Some(first), "{text}");
        assert_eq!(
            lead.company.map(|c| c.to_string()).as_deref(),
            Some(company),
            "{text}"
        );
    }
    // Someone from a department is not a company.
    let lead = extract(&[("visitor", "Hi, Anna Berg from accounting here.")]);
    assert!(lead.company.is_none(), "{:?}", lead.company);
}

#[test]
fn a_softened_count_answers_how_many() {
    let lead = extract(&[
        ("bot", "Wie viele Mitarbeiter haben Sie?"),
        ("visitor", "knapp 40"),
    ]);
    assert_eq!(lead.company_size.map(|s| s.people()), Some(40));
}

#[test]
fn the_earliest_day_of_one_message_wins() {
    let lead = extract(&[(
        "visitor",
        "As soon as possible, our old contract runs out at the end of the month.",
    )]);
    assert_eq!(lead.timeline_days.map(Timeline::days), Some(0));
}

#[test]
fn a_date_inside_a_question_is_asked_about() {
    let lead = extract(&[
        ("visitor", "Wir wollen bis Ende Juli live gehen."),
        ("visitor", "Schaffen Sie ein Angebot bis 20.05.2026?"),
    ]);
    assert_eq!(lead.timeline_days.map(Timeline::days), Some(88));
}

#[test]
fn a_surname_asked_alone_completes_the_first_name() {
    let name = |msgs: &[(&str, &str)]| extract(msgs).name.map(|n| n.to_string());
    assert_eq!(
        name(&[
            ("bot", "What's your name?"),
            ("visitor", "kieran"),
            ("bot", "Thanks Kieran! Surname and company?"),
            ("visitor", "mcnamara, Harbour Lights Ltd"),
        ]),
        Some("Kieran McNamara".into())
    );
    assert_eq!(
        name(&[
            ("bot", "Wie heißen Sie?"),
            ("visitor", "Greta"),
            ("bot", "Und Ihr Nachname?"),
            ("visitor", "VON BERG"),
        ]),
        Some("Greta von Berg".into())
    );
    assert_eq!(
        name(&[
            ("bot", "What's your name?"),
            ("visitor", "Ines"),
            ("bot", "And your surname?"),
            ("visitor", "rather not say"),
        ]),
        Some("Ines".into())
    );
}

#[test]
fn evidence_beats_the_question_asked_in_five_languages() {
    // The budget question in each language, then an answer that is a phone number or a date,
    // or a stray digit: never a budget.
    let cases = [
        ("Do you have a budget in mind?", "My mobile is 07912 345678"),
        ("Do you have a budget in mind?", "0161 496 0000"),
        ("Do you have a budget in mind?", "07700 900123"),
        ("Do you have a budget in mind?", "3"),
        ("Jaki budżet Państwo planują?", "Mój numer to 601 234 567"),
        ("Jaki budżet Państwo planują?", "startujemy 12.06.2027"),
        (
            "Haben Sie ein Budget im Kopf?",
            "Meine Nummer: 0151 23456789",
        ),
        ("¿Tiene un presupuesto en mente?", "Mi móvil es 612 345 678"),
        (
            "Avez-vous un budget en tête ?",
            "Mon portable : 06 12 34 56 78",
        ),
        ("Avez-vous un budget en tête ?", "www.exemple.fr/offre/2024"),
    ];
    for (question, answer) in cases {
        let lead = extract(&[("bot", question), ("visitor", answer)]);
        assert_eq!(lead.budget, None, "{answer}");
    }
}

#[test]
fn a_bare_amount_waits_for_the_visitors_yes() {
    use crate::lead::Field;
    let asked = [
        ("bot", "Jaki budżet Państwo planują?"),
        ("visitor", "15000"),
    ];
    let lead = extract(&asked);
    assert_eq!(lead.budget.and_then(|b| b.max()), Some(15000));
    assert_eq!(lead.unconfirmed, vec![Field::Budget]);
    assert_eq!(lead.confirmed().budget, None, "not scored or synced yet");
    // Yes confirms it; no drops it; a corrected amount is the visitor's own.
    for (answer, budget, pending) in [
        ("tak", Some(15000), false),
        ("nein", None, false),
        ("non, 30000", Some(30000), false),
    ] {
        let mut messages = asked.to_vec();
        messages.push(("bot", "Dla pewności: czy chodzi o budżet 15000?"));
        messages.push(("visitor", answer));
        let lead = extract(&messages);
        assert_eq!(lead.budget.and_then(|b| b.max()), budget, "{answer}");
        assert_eq!(lead.unconfirmed.is_empty(), !pending, "{answer}");
    }
    // Said with a currency, an amount needs no confirmation.
    let lead = extract(&[("bot", "¿Tiene un presupuesto?"), ("visitor", "15.000 €")]);
    assert!(lead.budget.is_some() && lead.unconfirmed.is_empty());
}

#[test]
fn requests_are_recorded_with_their_time() {
    use crate::lead::RequestKind;
    let lead = extract(&[
        (
            "visitor",
            "Could someone give me a call on Thursday afternoon?",
        ),
        ("visitor", "Actually a demo would be better"),
    ]);
    let r = lead.request.expect("a request");
    assert_eq!((r.kind, r.when), (RequestKind::Demo, None));
    let lead = extract(&[
        ("visitor", "Pouvez-vous m'appeler jeudi après-midi ?"),
        ("visitor", "Oui, m'appeler, c'est mieux"),
    ]);
    let r = lead.request.expect("a request");
    assert_eq!(
        (r.kind, r.when.as_deref()),
        (RequestKind::Call, Some("jeudi après-midi"))
    );
}
