//! Job titles: whose they are, how far they grow, whether they decide.

use super::*;

#[test]
fn other_peoples_roles_are_not_the_visitors() {
    let f = facts("My boss is the CEO, I just collect offers.");
    assert_eq!(f.2, None);
    let f = facts("Meine Chefin entscheidet.");
    assert_eq!(f.2, None);
}

#[test]
fn titles_after_the_name_with_an_article_or_a_self_cue() {
    let f = facts_in(
        "Qué tal, soy Marisol Ortega, la gerente de Hotel Brisa Marina.",
        Lang::Es,
    );
    assert_eq!((f.1, f.2), (some("Hotel Brisa Marina"), some("gerente")));
    let f = facts_in(
        "Hola! Inés Vidal, soy la dueña de Vidal Cerámica.",
        Lang::Es,
    );
    assert_eq!(f.0, some("Inés Vidal"));
    assert!(f.3);
    let f = facts(
        "Hello, I'm Priya Nair (no relation to the actor). Head of customer care at Lumen Dental.",
    );
    assert_eq!(f.1, some("Lumen Dental"));
    assert_eq!(f.2, some("head of customer care"));
}

#[test]
fn titles_with_complements_in_four_languages() {
    let f = facts_in(
        "Bonjour, Lucie Garnier, chargée de relation client chez Optique Garnier.",
        Lang::Fr,
    );
    assert_eq!(
        (f.1, f.2),
        (some("Optique Garnier"), some("chargée de relation client"))
    );
    let f = facts_in(
        "Hola, Tomás Rey, jefe de atención al paciente de Clínica Ola.",
        Lang::Es,
    );
    assert_eq!(
        (f.1, f.2),
        (some("Clínica Ola"), some("jefe de atención al paciente"))
    );
    let f = facts_in(
        "Dzień dobry, Iwona Sowa, specjalistka działu obsługi zamówień w Sowa Meble.",
        Lang::Pl,
    );
    assert_eq!(
        (f.1, f.2),
        (
            some("Sowa Meble"),
            some("specjalistka działu obsługi zamówień")
        )
    );
    let f = facts_in("Hallo, Jonas Roth, Praktikant im Marketing.", Lang::De);
    assert_eq!(f.2, some("praktikant im marketing"));
    let f = facts_in(
        "Buen día, Ramiro Acosta, socio fundador de Acosta & Asociados.",
        Lang::Es,
    );
    assert_eq!(
        f,
        (
            some("Ramiro Acosta"),
            some("Acosta & Asociados"),
            some("socio fundador"),
            true
        )
    );
    let f = facts_in(
        "MARTA KOWALCZYK, KIEROWNIK MAGAZYNU, HURTOWNIA POLMET.",
        Lang::Pl,
    );
    assert_eq!(f.1, some("Hurtownia Polmet"));
    assert_eq!(f.2, some("kierownik magazynu"));
}

#[test]
fn the_first_title_of_a_message_stands() {
    let f = facts("I'm Dana Cole, operations manager at Vireo Foods. I'm also a partner there.");
    assert_eq!(f.2, some("operations manager"));
}

#[test]
fn titles_that_name_their_unit_and_owners_of_a_named_business() {
    let f = facts_in(
        "Guten Tag, Miriam Kuhn, Leiterin Qualitätssicherung bei der Kuhn Pharma GmbH.",
        Lang::De,
    );
    assert_eq!(f.2, some("leiterin qualitätssicherung"));
    let f = facts_in(
        "Dzień dobry, Piotr Lis, kierownik działu technicznego w Lis Okna.",
        Lang::Pl,
    );
    assert_eq!(f.2, some("kierownik działu technicznego"));
    let f = facts_in(
        "Dzień dobry, Ewa Maj, kierowniczka hurtowni spożywczej w Maj Sp. z o.o.",
        Lang::Pl,
    );
    assert_eq!(f.2, some("kierowniczka hurtowni spożywczej"));
    let f = facts_in(
        "Hola, Inés Vidal, responsable de atención a pacientes en Clínica Vidal.",
        Lang::Es,
    );
    assert_eq!(f.2, some("responsable de atención a pacientes"));
    // An owner's genitive before a capitalised name is the business itself.
    let f = facts_in(
        "Dzień dobry, Jan Wrona, właściciel piekarni Złoty Kłos z Kielc.",
        Lang::Pl,
    );
    assert_eq!((f.1, f.2), (some("Złoty Kłos"), some("właściciel")));
    // Other heads keep theirs: the board is part of the title.
    let f = facts_in("Adam Ruda, prezes zarządu Rudex S.A.", Lang::Pl);
    assert_eq!(f.2, some("prezes zarządu"));
}

#[test]
fn titles_typed_without_diacritics_or_with_umlauts_spelled_out() {
    let title = |t: &str| {
        let (_, _, title, decides) = facts(t);
        (title, decides)
    };
    assert_eq!(
        title("Tomasz Lis, wlasciciel piekarni"),
        (Some("wlasciciel".into()), true)
    );
    assert_eq!(
        title("Anna Berg, Geschaeftsfuehrerin der Berg Logistik GmbH"),
        (Some("geschaeftsfuehrerin".into()), true)
    );
    assert_eq!(title("si, yo soy el dueno"), (Some("dueno".into()), true));
    assert_eq!(
        title("Marek Nowak, właściciel sklepu rowerowego"),
        (Some("właściciel".into()), true)
    );
    assert_eq!(
        title("soy la gerente general"),
        (Some("gerente general".into()), true)
    );
}
