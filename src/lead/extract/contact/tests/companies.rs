//! Companies: after cues, in apposition, after verbs of running a business.

use super::*;

#[test]
fn competitors_and_products_are_not_companies() {
    assert_eq!(facts("We use Intercom but it is pricey").1, None);
    assert_eq!(facts("I'm Anna from Salesforce").1, None);
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
