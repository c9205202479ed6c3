//! Names from how people introduce themselves.

use super::*;

#[test]
fn introductions_in_english() {
    assert_eq!(
        facts(
            "Hi, I'm Rachel from Copperleaf Insurance. I'm the support manager there, we're about 45 people."
        ),
        (
            Some("Rachel".into()),
            Some("Copperleaf Insurance".into()),
            Some("support manager".into()),
            false
        )
    );
    assert_eq!(
        facts(
            "Callum here, I'm the managing director of Reid & Mackay Joinery Ltd. We're 14 people."
        ),
        (
            Some("Callum".into()),
            Some("Reid & Mackay Joinery Ltd".into()),
            Some("managing director".into()),
            true
        )
    );
    assert_eq!(
        facts("hi, anne-marie o'neil, marketing coordinator at Bluefin Analytics Inc."),
        (
            Some("Anne-Marie O'Neil".into()),
            Some("Bluefin Analytics Inc.".into()),
            Some("marketing coordinator".into()),
            false
        )
    );
    assert_eq!(
        facts("DANIEL VAN HOUTEN, CEO, Fernhill Digital Ltd. We're 30 people."),
        (
            Some("Daniel van Houten".into()),
            Some("Fernhill Digital Ltd".into()),
            Some("ceo".into()),
            true
        )
    );
    assert_eq!(
        facts("My name is Tom Baker and I work at Northwind Traders").0,
        Some("Tom Baker".into())
    );
    assert_eq!(
        facts("My name is Tom Baker and I work at Northwind Traders").1,
        Some("Northwind Traders".into())
    );
}

#[test]
fn introductions_in_other_languages() {
    let f = facts(
        "Guten Tag, Petra Lindner, Geschäftsführerin der Lindner Catering GmbH. Wir haben 70 Mitarbeiter.",
    );
    assert_eq!(
        f,
        (
            Some("Petra Lindner".into()),
            Some("Lindner Catering GmbH".into()),
            Some("geschäftsführerin".into()),
            true
        )
    );
    let f = facts(
        "Dzień dobry, Monika Jabłońska, właścicielka Jabłońska Design Sp. z o.o. Zatrudniamy 16 osób.",
    );
    assert_eq!(
        f,
        (
            Some("Monika Jabłońska".into()),
            Some("Jabłońska Design Sp. z o.o.".into()),
            Some("właścicielka".into()),
            true
        )
    );
    let f = facts("Cześć, tu Robert, firma: Serwis Rowerowy Koło. Chcemy bota.");
    assert_eq!(
        (f.0, f.1),
        (Some("Robert".into()), Some("Serwis Rowerowy Koło".into()))
    );
    let f = facts("Qué tal, soy Jorge, dueño de Taquerías El Güero. Somos unos 60 empleados.");
    assert_eq!(
        f,
        (
            Some("Jorge".into()),
            Some("Taquerías El Güero".into()),
            Some("dueño".into()),
            true
        )
    );
    let f = facts("Hola, Pablo Cuesta, responsable de proyectos de Reformas del Sur S.L. Somos 9.");
    assert_eq!(
        f,
        (
            Some("Pablo Cuesta".into()),
            Some("Reformas del Sur S.L.".into()),
            Some("responsable de proyectos".into()),
            false
        )
    );
    let f = facts(
        "Bonjour, François Mercier, responsable commercial chez Mercier Outillage SAS, 35 salariés.",
    );
    assert_eq!(
        f,
        (
            Some("François Mercier".into()),
            Some("Mercier Outillage SAS".into()),
            Some("responsable commercial".into()),
            false
        )
    );
    let f = facts(
        "Hola, Valeria Núñez de la Garza, coordinadora de ventas en Grupo Garza Textil S.A. de C.V.",
    );
    assert_eq!(f.0, Some("Valeria Núñez de la Garza".into()));
    assert_eq!(f.1, Some("Grupo Garza Textil S.A. de C.V.".into()));
    let f = facts("Wojciech Kowalczyk, prezes zarządu Budmar S.A., NIP: 525-000-12-33.");
    assert_eq!(
        f,
        (
            Some("Wojciech Kowalczyk".into()),
            Some("Budmar S.A.".into()),
            Some("prezes zarządu".into()),
            true
        )
    );
}

#[test]
fn honorifics_and_articles_before_a_name() {
    let f = facts_in(
        "Buenas, soy la Dra. Carmen Beltrán, directora médica de Policlínica Nervión.",
        Lang::Es,
    );
    assert_eq!(f.0, some("Carmen Beltrán"));
    assert_eq!(f.1, some("Policlínica Nervión"));
    assert_eq!(f.2, some("directora médica"));
    let f = facts_in(
        "Guten Tag, Prof. Ulrich Sauer, Leiter Einkauf bei der Sauer Präzision GmbH.",
        Lang::De,
    );
    assert_eq!(f.0, some("Ulrich Sauer"));
    assert_eq!(f.1, some("Sauer Präzision GmbH"));
    assert_eq!(f.2, some("leiter einkauf"));
}

#[test]
fn emoji_end_a_sentence() {
    let f = facts("Sorry, just poking the bot 🙈 Oskar Lindqvist, data analyst at Fjord Metrics.");
    assert_eq!(f.0, some("Oskar Lindqvist"));
    assert_eq!(f.1, some("Fjord Metrics"));
    assert_eq!(f.2, some("data analyst"));
}

#[test]
fn products_in_questions_are_not_names() {
    assert_eq!(facts_in("¿Y con Odoo también funciona?", Lang::Es).0, None);
    let f = facts("Hi it's Dana from Harbour Yoga, is there a free trial?");
    assert_eq!((f.0, f.1), (some("Dana"), some("Harbour Yoga")));
    assert_eq!(facts_in("Lo usamos con SAP y Excel.", Lang::Es).0, None);
    assert_eq!(
        facts_in("c'est combien pour trois boutiques ?", Lang::Fr).0,
        None
    );
}

#[test]
fn here_after_a_name() {
    let f = facts_in("Cześć, Bartek z tej strony, właściciel.", Lang::Pl);
    assert_eq!((f.0, f.2, f.3), (some("Bartek"), some("właściciel"), true));
    let f = facts_in(
        "Servus, Toni Huber da, Inhaber vom Café zur Alten Mühle.",
        Lang::De,
    );
    assert_eq!(f.0, some("Toni Huber"));
    assert_eq!(f.1, some("Café zur Alten Mühle"));
    assert_eq!((f.2, f.3), (some("inhaber"), true));
}

#[test]
fn lower_case_names_said_here_or_with_a_softener() {
    let f = facts_in(
        "moin, lars peters hier, Inhaber von Peters Fahrräder",
        Lang::De,
    );
    assert_eq!((f.0, f.2), (some("Lars Peters"), some("inhaber")));
    let f = facts_in(
        "hi, this is just tom from the support team, testing",
        Lang::En,
    );
    assert_eq!((f.0, f.1), (some("Tom"), None));
    assert_eq!(
        facts_in("Bonjour, c'est juste pour un renseignement", Lang::Fr).0,
        None
    );
    assert_eq!(facts_in("ok hier ist die Nummer", Lang::De).0, None);
}

#[test]
fn where_they_are_from_after_here() {
    let f = facts_in(
        "Hallo! Mia hier von der Nordlicht Bäckerei in Kiel.",
        Lang::De,
    );
    assert_eq!((f.0, f.1), (some("Mia"), some("Nordlicht Bäckerei")));
    let f = facts_in("Hi, Sam here from Brightside Dental.", Lang::En);
    assert_eq!((f.0, f.1), (some("Sam"), some("Brightside Dental")));
    let f = facts_in("Hi, Sam here from accounting.", Lang::En);
    assert_eq!((f.0, f.1), (some("Sam"), None));
}

#[test]
fn first_person_verbs_open_statements_not_names() {
    assert_eq!(facts("yo tengo la última palabra en ventas").0, None);
    assert_eq!(facts("yo tengo la última palabra en ventas").1, None);
    assert_eq!(facts("Ich habe Zeit bis Montag").0, None);
    assert_eq!(facts("ja mam sklep w Poznaniu").0, None);
}
