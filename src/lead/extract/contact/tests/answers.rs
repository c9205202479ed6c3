//! Bare answers, sign-offs and signature blocks.

use super::*;

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
