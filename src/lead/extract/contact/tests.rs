use super::*;
use crate::lead::text::fold_case;

fn facts(text: &str) -> (Option<String>, Option<String>, Option<String>, bool) {
    facts_asked(text, Asked::default())
}

fn facts_asked(text: &str, asked: Asked) -> (Option<String>, Option<String>, Option<String>, bool) {
    let lower = fold_case(text);
    let f = read(text, &lower, Lang::En, asked, false, &|w| w == "intercom");
    (
        f.name.map(|n| n.to_string()),
        f.company.map(|c| c.to_string()),
        f.title.map(|t| t.to_string().to_lowercase()),
        f.title_decides,
    )
}

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
fn other_peoples_roles_are_not_the_visitors() {
    let f = facts("My boss is the CEO, I just collect offers.");
    assert_eq!(f.2, None);
    let f = facts("Meine Chefin entscheidet.");
    assert_eq!(f.2, None);
}

#[test]
fn competitors_and_products_are_not_companies() {
    assert_eq!(facts("We use Intercom but it is pricey").1, None);
    assert_eq!(facts("I'm Anna from Salesforce").1, None);
}

type Facts = (Option<String>, Option<String>, Option<String>, bool);

fn facts_in(text: &str, lang: Lang) -> Facts {
    read_with(text, lang, Asked::default(), false)
}

fn read_with(text: &str, lang: Lang, asked: Asked, has_contact: bool) -> Facts {
    let lower = fold_case(text);
    let f = read(text, &lower, lang, asked, has_contact, &|_| false);
    (
        f.name.map(|n| n.to_string()),
        f.company.map(|c| c.to_string()),
        f.title.map(|t| t.to_string().to_lowercase()),
        f.title_decides,
    )
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
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
fn companies_in_apposition_and_after_work_verbs() {
    assert_eq!(facts("we're slammed on weekends").1, None);
    let f = facts_in(
        "trabajo en una inmobiliaria, Casas del Valle. somos 8",
        Lang::Es,
    );
    assert_eq!(f.1, some("Casas del Valle"));
    let f = facts_in(
        "Hola, soy Inés, llevo la cafetería de Hostal Robles.",
        Lang::Es,
    );
    assert_eq!(f.1, some("Hostal Robles"));
    let f = facts_in("zajmuję się sprzedażą w MebloNova od roku", Lang::Pl);
    assert_eq!(f.1, some("MebloNova"));
    assert_eq!(facts("I run a small bakery in Leeds.").1, None);
    let f = facts_in(
        "Ich arbeite bei der Steuerkanzlei Roth & Partner.",
        Lang::De,
    );
    assert_eq!(f.1, some("Steuerkanzlei Roth & Partner"));
    let f = facts_in(
        "Ich bin Vorstand der Baugenossenschaft Am Hang eG.",
        Lang::De,
    );
    assert_eq!(f.1, some("Baugenossenschaft Am Hang eG"));
    let f = facts_in("ich bin mitinhaberin vom onlineshop teekiste.de", Lang::De);
    assert_eq!(f.1, some("Teekiste.de"));
    let f = facts("HI, THIS IS DONNA PRICE, OFFICE MANAGER AT NORTHGATE PLUMBING INC.");
    assert!(f.1.is_some_and(|c| c.starts_with("Northgate")));
}

#[test]
fn businesses_named_or_described() {
    let f = facts("hi! i'm jo, i run a dog grooming salon called Muddy Paws");
    assert_eq!(f.1, some("Muddy Paws"));
    let f = facts_in("Pracuję jako kasjerka w sklepie Stara Apteka.", Lang::Pl);
    assert_eq!(f.1, some("Stara Apteka"));
    let f = facts("We're a small design studio, Oak & Ink. I'm the studio manager.");
    assert_eq!(f.1, some("Oak & Ink"));
    let f = facts_in(
        "Hola, soy Rocío, encargada de la cafetería del hotel de Hostal Mar Azul.",
        Lang::Es,
    );
    assert_eq!(f.1, some("Hostal Mar Azul"));
    let f = facts_in(
        "Bonjour, Luc Girard, gérant du Bistrot des Halles à Tours.",
        Lang::Fr,
    );
    assert_eq!(f.1, some("Bistrot des Halles"));
    let f = facts_in("Dzień dobry, Jan Lis, właściciel firmy Lis Okna.", Lang::Pl);
    assert_eq!((f.1, f.2), (some("Lis Okna"), some("właściciel")));
}

#[test]
fn businesses_run_owned_or_named_after_a_descriptor() {
    assert_eq!(
        facts("oh sorry. I run Bright Smile Dental, we have 2 offices.").1,
        some("Bright Smile Dental")
    );
    let f = facts_in(
        "hola! soy Lucía, tengo una librería en Gracia, Libros del Sur. somos 3",
        Lang::Es,
    );
    assert_eq!(f.1, some("Libros del Sur"));
    let f = facts_in("Jestem Ewa Lis z kancelarii Lis i Wspólnicy.", Lang::Pl);
    assert_eq!(f.1, some("Lis i Wspólnicy"));
    let f = facts_in(
        "Hier spricht Dieter Brandt von der Metzgerei Brandt.",
        Lang::De,
    );
    assert_eq!(
        (f.0, f.1),
        (some("Dieter Brandt"), some("Metzgerei Brandt"))
    );
    let f = facts("I'm Kai Berg, VP Customer Success at Norrland Freight.");
    assert_eq!(f.2, some("vp customer success"));
}

#[test]
fn lower_case_visitors_and_signatures() {
    let f = facts_in(
        "salut, c'est julien morel, je gère une boutique à Lille",
        Lang::Fr,
    );
    assert_eq!(f.0, some("Julien Morel"));
    assert_eq!(facts_in("salut, c'est bon, merci", Lang::Fr).0, None);
    let f = read_with(
        "Helena Brandt, Brandt Immobilien, ",
        Lang::De,
        Asked::default(),
        true,
    );
    assert_eq!(
        (f.0, f.1),
        (some("Helena Brandt"), some("Brandt Immobilien"))
    );
    let asked = Asked {
        name: true,
        ..Asked::default()
    };
    let f = read_with("ola nowak, prowadzę kwiaciarnię", Lang::Pl, asked, false);
    assert_eq!(f.0, some("Ola Nowak"));
}

#[test]
fn bare_answers() {
    let asked = Asked {
        name: true,
        ..Asked::default()
    };
    assert_eq!(
        facts_asked("anna nowak", asked).0,
        Some("Anna Nowak".into())
    );
    let asked = Asked {
        company: true,
        ..Asked::default()
    };
    assert_eq!(
        facts_asked("Acme Robotics", asked).1,
        Some("Acme Robotics".into())
    );
    assert_eq!(facts("Test Test").0, Some("Test Test".into()));
    assert_eq!(facts("asdf").0, None);
    assert_eq!(facts("Sounds Good").0, None);
}

#[test]
fn sign_offs_and_fuller_name_answers() {
    assert_eq!(
        facts("Thanks, that's everything. Kind regards, Imogen Hart").0,
        some("Imogen Hart")
    );
    assert_eq!(
        facts_in("Dzięki za info. Pozdrawiam, Marta Sikora", Lang::Pl).0,
        some("Marta Sikora")
    );
    assert_eq!(
        facts_in("Alles klar. Viele Grüße, Jonas Keller", Lang::De).0,
        some("Jonas Keller")
    );
    assert_eq!(facts("Thanks, see you Monday").0, None);
    let asked = Asked {
        name: true,
        ..Asked::default()
    };
    assert_eq!(
        read_with("Tom. Tom Okafor", Lang::En, asked, false).0,
        some("Tom Okafor")
    );
    assert_eq!(
        read_with("Weber, Lisa Weber", Lang::De, asked, false).0,
        some("Lisa Weber")
    );
    let asked = Asked {
        company: true,
        ..Asked::default()
    };
    assert_eq!(
        read_with("de Reformas Olmedo", Lang::Es, asked, false).1,
        some("Reformas Olmedo")
    );
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
fn signature_blocks_give_name_and_title() {
    let f = facts_in(
        "Bitte um Rückruf.\n\nViele Grüße\nDr. Tobias Brenner\nLeiter Einkauf, Brenner Metall GmbH",
        Lang::De,
    );
    assert_eq!(f.0, some("Tobias Brenner"));
    assert_eq!(f.2, some("leiter einkauf"));
    let f = facts_in(
        "Proszę o ofertę.\nPozdrawiam,\nKatarzyna Wilk\nDyrektor ds. Sprzedaży\nWilk Trans Sp. z o.o.",
        Lang::Pl,
    );
    assert_eq!(f.0, some("Katarzyna Wilk"));
    assert_eq!(f.2, some("dyrektor ds. sprzedaży"));
    let f = facts_in("Merci d'avance.\nCordialement,\nÉlodie Marchand", Lang::Fr);
    assert_eq!(f.0, some("Élodie Marchand"));
    let f = facts_in(
        "Gracias.\nSaludos,\nLic. Andrés Peña\nGerente General",
        Lang::Es,
    );
    assert_eq!((f.0, f.3), (some("Andrés Peña"), true));
    let f = facts_in("Thanks,\nDr. Priya Nair", Lang::En);
    assert_eq!(f.0, some("Priya Nair"));
    // A closing not followed by a name names nobody.
    assert_eq!(facts_in("Danke,\nbis bald", Lang::De).0, None);
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

#[test]
fn first_person_verbs_open_statements_not_names() {
    assert_eq!(facts("yo tengo la última palabra en ventas").0, None);
    assert_eq!(facts("yo tengo la última palabra en ventas").1, None);
    assert_eq!(facts("Ich habe Zeit bis Montag").0, None);
    assert_eq!(facts("ja mam sklep w Poznaniu").0, None);
}

#[test]
fn polish_cities_in_the_locative_are_not_companies() {
    assert_eq!(facts("jestem właścicielką kwiaciarni w Poznaniu").1, None);
    assert_eq!(facts("Prowadzę warsztat w Gdańsku, 4 osoby").1, None);
    assert_eq!(
        facts("Zajmuję się marketingiem w NovaTech.").1,
        Some("NovaTech".into())
    );
}

#[test]
fn businesses_named_casually_after_their_kind() {
    assert_eq!(
        facts_in("Marta, salon to Kwiat Lotosu", Lang::Pl).1,
        some("Kwiat Lotosu")
    );
    assert_eq!(
        facts_in("Der Laden heißt Radhaus Mitte.", Lang::De).1,
        some("Radhaus Mitte")
    );
    assert_eq!(
        facts_in("mi tienda se llama Lunares Verdes", Lang::Es).1,
        some("Lunares Verdes")
    );
    assert_eq!(
        facts_in("la boutique s'appelle Fil Rouge", Lang::Fr).1,
        some("Fil Rouge")
    );
    assert_eq!(facts_in("firma to dla nas duży wydatek", Lang::Pl).1, None);
}
