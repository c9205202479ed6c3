//! Classes of names and companies that are easy to misread: legal forms of several parts,
//! sentences that open with a verb, compound given names and surnames, and particles that are
//! prepositions.

use super::*;

#[test]
fn legal_forms_of_several_parts_stay_with_the_name() {
    let cases = [
        (
            Lang::En,
            "Hi, I'm Dana Whitlock from Harborview Logistics, Inc. We need a chatbot.",
            "Harborview Logistics, Inc.",
        ),
        (
            Lang::En,
            "Tom Price here, operations lead at Fenwick & Rowe Holdings, LLC.",
            "Fenwick & Rowe Holdings, LLC",
        ),
        (
            Lang::De,
            "Grüß Gott, Stefan Auer, Inhaber der Auer Tischlerei e.U., wir suchen einen Chatbot.",
            "Auer Tischlerei e.U.",
        ),
        (
            Lang::De,
            "Hallo, Maria Seidel von der Seidel Logistik GmbH & Co. KG hier.",
            "Seidel Logistik GmbH & Co. KG",
        ),
        (
            Lang::Pl,
            "Dzień dobry, Piotr Zieliński z firmy Zieliński Transport Sp. z o.o. sp.k., szukamy chatbota.",
            "Zieliński Transport Sp. z o.o. sp.k.",
        ),
        (
            Lang::Es,
            "Hola, soy Ricardo Salinas de Grupo Ferretero Salinas S.A.P.I. de C.V. y buscamos un bot.",
            "Grupo Ferretero Salinas S.A.P.I. de C.V.",
        ),
        (
            Lang::Es,
            "Buenas, soy Nuria Pons, de Pons Reformes S.L.U., queremos un chatbot.",
            "Pons Reformes S.L.U.",
        ),
        (
            Lang::Fr,
            "Bonjour, Claire Martin de Martin Conseil S.à r.l., nous cherchons un chatbot.",
            "Martin Conseil S.à r.l.",
        ),
    ];
    for (lang, text, want) in cases {
        assert_eq!(facts_in(text, lang).1, some(want), "{text}");
    }
}

#[test]
fn a_sentence_opening_with_a_verb_names_no_company() {
    let company = Asked {
        company: true,
        ..Asked::default()
    };
    let cases = [
        (Lang::En, "looking for a crm integration for our store"),
        (Lang::En, "Looking to replace our current tool first"),
        (Lang::De, "Suchen eine Lösung für unseren Kundendienst."),
        (Lang::De, "Brauchen Chatbot Dringend"),
        (Lang::Es, "buscamos una herramienta para captar clientes"),
        (Lang::Es, "Necesitamos Bot Whatsapp"),
        (Lang::Fr, "cherchons une solution de chat"),
        (Lang::Pl, "szukamy narzędzia do obsługi klientów"),
        (Lang::Pl, "Potrzebujemy Chatbota"),
    ];
    for (lang, text) in cases {
        assert_eq!(read_with(text, lang, company, false).1, None, "{text}");
        assert_eq!(facts_in(text, lang).1, None, "{text}");
    }
    // The name itself, given as the answer, is still read.
    assert_eq!(
        read_with("Brightwater Outfitters", Lang::En, company, false).1,
        some("Brightwater Outfitters")
    );
}

#[test]
fn compound_given_names_and_surnames() {
    let cases = [
        (
            Lang::Es,
            "Hola, soy María José García López, de Talleres Norte.",
            "María José García López",
        ),
        (
            Lang::Es,
            "Me llamo José Luis Fernández y Ruiz.",
            "José Luis Fernández y Ruiz",
        ),
        (
            Lang::Es,
            "Hola, soy Jordi Puig i Ferrer.",
            "Jordi Puig i Ferrer",
        ),
        (
            Lang::Es,
            "Soy Montserrat Vidal i Soler, de Cal Puig.",
            "Montserrat Vidal i Soler",
        ),
        (
            Lang::Fr,
            "Bonjour, je suis Jean-Pierre Dubois.",
            "Jean-Pierre Dubois",
        ),
        (
            Lang::De,
            "Hallo, ich bin Anna Maria Schulz.",
            "Anna Maria Schulz",
        ),
        (
            Lang::Pl,
            "Dzień dobry, nazywam się Anna Maria Kowalczyk.",
            "Anna Maria Kowalczyk",
        ),
        (
            Lang::En,
            "Hi, my name is Mary Ann Collins.",
            "Mary Ann Collins",
        ),
    ];
    for (lang, text, want) in cases {
        assert_eq!(facts_in(text, lang).0, some(want), "{text}");
    }
    // "y" and "i" between two people join no surnames.
    assert_eq!(
        facts_in("Somos Ana y Pedro, de Viajes Sol.", Lang::Es).0,
        None
    );
    assert_eq!(
        facts_in("Jestem Jan Kowalski i Anna też pisze.", Lang::Pl).0,
        some("Jan Kowalski")
    );
}

#[test]
fn particles_belong_to_a_name_only_before_a_surname() {
    let cases = [
        (
            Lang::De,
            "Guten Tag, ich bin Ursula von der Heide.",
            Some("Ursula von der Heide"),
            None,
        ),
        (
            Lang::De,
            "Ich bin Jonas Weber von der Weber Druck GmbH.",
            Some("Jonas Weber"),
            Some("Weber Druck GmbH"),
        ),
        (
            Lang::Es,
            "Soy Lucía de la Fuente de Viajes Sol S.L.",
            Some("Lucía de la Fuente"),
            Some("Viajes Sol S.L."),
        ),
        (
            Lang::Es,
            "Soy Marta de la tienda de Madrid.",
            Some("Marta"),
            None,
        ),
        (
            Lang::Fr,
            "Je suis Paul de la Tour, directeur commercial.",
            Some("Paul de la Tour"),
            None,
        ),
        (
            Lang::Fr,
            "Je suis Julie de la société Dupont Électricité.",
            Some("Julie"),
            Some("Dupont Électricité"),
        ),
        (
            Lang::En,
            "Hi, I'm Pieter van Dijk from Holland Bulbs.",
            Some("Pieter van Dijk"),
            Some("Holland Bulbs"),
        ),
        (
            Lang::En,
            "I'm Sam from the van rental shop.",
            Some("Sam"),
            None,
        ),
        (
            Lang::Pl,
            "Dzień dobry, tu Marco di Stefano z firmy Stefano Design.",
            Some("Marco di Stefano"),
            Some("Stefano Design"),
        ),
    ];
    for (lang, text, name, company) in cases {
        let f = facts_in(text, lang);
        assert_eq!(f.0.as_deref(), name, "{text}");
        assert_eq!(f.1.as_deref(), company, "{text}");
    }
}

#[test]
fn after_a_particle_the_name_ends_and_only_a_business_is_a_company() {
    let cases = [
        (
            Lang::Es,
            "Soy Ana de Reformas Ruiz.",
            Some("Ana"),
            Some("Reformas Ruiz"),
        ),
        (
            Lang::Es,
            "Hola, soy Javier Ortega de Ortega Muebles.",
            Some("Javier Ortega"),
            Some("Ortega Muebles"),
        ),
        (
            Lang::Fr,
            "Je suis Marie de Lacroix Immobilier.",
            Some("Marie"),
            Some("Lacroix Immobilier"),
        ),
        // A place after the particle is where the visitor is, not a company.
        (
            Lang::Es,
            "Soy Iker de San Sebastián, tengo una pregunta.",
            Some("Iker"),
            None,
        ),
        (
            Lang::Fr,
            "Je suis Paul de Saint Malo, une question.",
            Some("Paul"),
            None,
        ),
    ];
    for (lang, text, name, company) in cases {
        let f = facts_in(text, lang);
        assert_eq!(f.0.as_deref(), name, "{text}");
        assert_eq!(f.1.as_deref(), company, "{text}");
    }
}
