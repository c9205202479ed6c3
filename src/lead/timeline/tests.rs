use super::*;
use time::macros::date;

fn days(raw: &str, start: Date) -> u32 {
    Timeline::parse(raw, start)
        .unwrap_or_else(|e| panic!("{raw}: {e}"))
        .days()
}

#[test]
fn english() {
    assert_eq!(
        days("ASAP, our renewal is coming up.", date!(2026 - 02 - 10)),
        0
    );
    assert_eq!(days("next month", date!(2026 - 03 - 20)), 12);
    assert_eq!(
        days("we need it by the end of June", date!(2026 - 06 - 10)),
        20
    );
    assert_eq!(days("within two weeks", date!(2026 - 01 - 01)), 14);
    assert_eq!(days("in Q3", date!(2026 - 03 - 12)), 111);
    assert_eq!(days("Q2 2026", date!(2026 - 04 - 01)), 0);
    assert_eq!(days("in April", date!(2026 - 03 - 30)), 2);
    assert_eq!(days("in March", date!(2026 - 06 - 01)), 273);
    assert_eq!(days("next week", date!(2026 - 11 - 23)), 7);
    assert_eq!(days("by the end of the year", date!(2026 - 12 - 01)), 30);
    assert_eq!(days("in a couple of weeks", date!(2026 - 01 - 01)), 14);
    assert_eq!(days("in 3 months", date!(2026 - 01 - 31)), 89);
    assert_eq!(days("the first week of August", date!(2026 - 07 - 10)), 22);
}

#[test]
fn polish() {
    assert_eq!(
        days("chcemy ruszyć w ciągu dwóch tygodni", date!(2026 - 01 - 26)),
        14
    );
    assert_eq!(days("od przyszłego miesiąca", date!(2026 - 04 - 09)), 22);
    assert_eq!(days("start w drugim kwartale", date!(2026 - 03 - 03)), 29);
    assert_eq!(days("do końca lipca", date!(2026 - 06 - 16)), 45);
    assert_eq!(days("jak najszybciej", date!(2026 - 06 - 16)), 0);
    assert_eq!(days("za miesiąc", date!(2026 - 06 - 16)), 30);
}

#[test]
fn time_frames_typed_without_diacritics() {
    assert_eq!(days("do konca lipca", date!(2026 - 06 - 16)), 45);
    assert_eq!(days("od przyszlego miesiaca", date!(2026 - 04 - 09)), 22);
    assert_eq!(days("Start naechsten Monat", date!(2026 - 02 - 03)), 26);
    assert_eq!(days("el proximo mes", date!(2026 - 02 - 03)), 26);
    assert_eq!(
        days("a partir de la proxima semana", date!(2026 - 11 - 18)),
        5
    );
    assert_eq!(days("des que possible", date!(2026 - 05 - 13)), 0);
}

#[test]
fn german() {
    assert_eq!(days("Start nächsten Monat", date!(2026 - 02 - 03)), 26);
    assert_eq!(days("bis Ende Mai", date!(2026 - 04 - 22)), 39);
    assert_eq!(days("ab sofort", date!(2026 - 05 - 13)), 0);
    assert_eq!(days("Umsetzung im Q3", date!(2026 - 03 - 12)), 111);
    assert_eq!(days("im zweiten Quartal", date!(2026 - 01 - 01)), 90);
    assert_eq!(days("innerhalb von 3 Wochen", date!(2026 - 01 - 01)), 21);
}

#[test]
fn spanish() {
    assert_eq!(days("En el Q3.", date!(2026 - 01 - 28)), 154);
    assert_eq!(days("En abril.", date!(2026 - 03 - 30)), 2);
    assert_eq!(days("para finales de junio", date!(2026 - 06 - 05)), 25);
    assert_eq!(days("lo antes posible", date!(2026 - 02 - 25)), 0);
    assert_eq!(days("el mes que viene", date!(2026 - 02 - 25)), 4);
    assert_eq!(days("en dos semanas", date!(2026 - 02 - 25)), 14);
}

#[test]
fn french() {
    assert_eq!(days("d'ici fin juin", date!(2026 - 02 - 16)), 134);
    assert_eq!(days("dès que possible", date!(2026 - 04 - 28)), 0);
    assert_eq!(days("lancement au Q2.", date!(2026 - 04 - 01)), 0);
    assert_eq!(days("pour un lancement en mai.", date!(2026 - 03 - 24)), 38);
    assert_eq!(days("le mois prochain", date!(2026 - 03 - 24)), 8);
    assert_eq!(days("dans trois semaines", date!(2026 - 03 - 24)), 21);
}

#[test]
fn roman_quarters_genitive_years_and_whenever_possible() {
    assert_eq!(days("wdrożenie w II kwartale", date!(2026 - 02 - 01)), 59);
    assert_eq!(days("IV kwartał", date!(2026 - 08 - 01)), 61);
    assert_eq!(
        days("Start Anfang kommenden Jahres", date!(2026 - 11 - 01)),
        61
    );
    assert_eq!(
        days("en cuanto se pueda, la verdad", date!(2026 - 05 - 05)),
        0
    );
}

#[test]
fn a_bare_month_is_a_weak_answer() {
    let start = date!(2026 - 03 - 02);
    let m = find(&fold_case("Next school year, so September."), start);
    assert_eq!(m[0].strength, Strength::Weak);
    assert_eq!(m[0].timeline.days(), 183);
    assert!(find(&fold_case("we may need it"), start).is_empty());
}

#[test]
fn strength_separates_plans_from_appointments() {
    let start = date!(2026 - 06 - 10);
    let m = find(&fold_case("Can you do a call on Thursday?"), start);
    assert_eq!(m[0].strength, Strength::Weak);
    let m = find(&fold_case("Q3"), start);
    assert_eq!(m[0].strength, Strength::Strong);
}

#[test]
fn weekdays_as_deadlines_or_starts() {
    // 2026-11-18 is a Wednesday.
    let start = date!(2026 - 11 - 18);
    let medium = |t: &str| {
        find(&fold_case(t), start)
            .into_iter()
            .find(|m| m.strength == Strength::Medium)
            .map(|m| m.timeline.days())
    };
    assert_eq!(medium("we need it by friday, the event is then"), Some(2));
    assert_eq!(medium("bis spätestens Montag bitte"), Some(5));
    assert_eq!(medium("najlepiej od poniedzialku"), Some(5));
    assert_eq!(medium("lo quiero para el sabado"), Some(3));
    assert_eq!(medium("il me le faut avant vendredi"), Some(2));
    assert_eq!(medium("we're open from monday to friday"), None);
    assert_eq!(medium("czynne od poniedziałku do piątku"), None);
    assert_eq!(medium("can you call me on monday"), None);
}

#[test]
fn the_end_of_the_month_said_casually() {
    let start = date!(2026 - 04 - 10);
    assert_eq!(days("by month-end", start), 20);
    assert_eq!(days("pod koniec miesiaca", start), 20);
    assert_eq!(days("bis Ende Monat", start), 20);
    assert_eq!(days("Ende Jahr", start), 265);
    assert_eq!(days("avant la fin de mois", start), 20);
    assert_eq!(days("a fin de mes", start), 20);
}

#[test]
fn iso_weeks() {
    // 2026-05-19 is in ISO week 21; week 24 starts on Monday 8 June.
    let start = date!(2026 - 05 - 19);
    assert_eq!(days("Start in KW 24", start), 20);
    assert_eq!(days("go-live in week 24", start), 20);
    assert_eq!(days("desde la semana 24", start), 20);
    assert_eq!(days("KW 21", start), 0);
    // A week gone this year is next year's.
    assert_eq!(days("KW 3", start), 244);
}

#[test]
fn a_unit_and_a_half() {
    let start = date!(2026 - 03 - 10);
    assert_eq!(days("in a month and a half", start), 46);
    assert_eq!(days("za półtora miesiąca", start), 46);
    assert_eq!(days("in anderthalb Monaten", start), 46);
    assert_eq!(days("en un mes y medio", start), 46);
    assert_eq!(days("dans un mois et demi", start), 46);
}

#[test]
fn the_first_of_a_range_of_units() {
    let start = date!(2026 - 03 - 10);
    assert_eq!(days("in 3-4 weeks", start), 21);
    assert_eq!(days("w ciągu dwóch lub trzech tygodni", start), 14);
    assert_eq!(days("in sieben bis acht Wochen", start), 49);
    assert_eq!(days("en quince días", start), 15);
    assert_eq!(days("d'ici sept jours", start), 7);
}

#[test]
fn the_new_year_and_the_rentree() {
    let start = date!(2026 - 10 - 20);
    for text in [
        "from the new year",
        "z nowym rokiem",
        "ab dem neuen Jahr",
        "a partir del año nuevo",
        "dès la nouvelle année",
    ] {
        assert_eq!(days(text, start), 73, "{text}");
    }
    assert_eq!(days("pour la rentrée", date!(2026 - 06 - 02)), 91);
    assert_eq!(days("pour la rentrée", date!(2026 - 09 - 10)), 0);
}

#[test]
fn numbers_in_longer_numbers_and_rates_are_no_time_frames() {
    let start = date!(2026 - 06 - 15);
    let none = |t: &str| find(&fold_case(t), start).is_empty();
    assert!(none("appelez le 04.11.29.37.62"));
    assert!(none("Bestellnummer 4711-12.08.2031-9"));
    assert!(none("the bot runs in 2 days a week"));
    assert!(none("Die Leute arbeiten in 2 Tagen pro Woche"));
    assert!(none("we use a chatbot right now"));
    assert_eq!(days("we need it right now", start), 0);
    assert_eq!(days("bis 12.08.2026", start), 58);
}

#[test]
fn nothing_and_out_of_range() {
    assert_eq!(
        Timeline::parse("we sell bikes", date!(2026 - 01 - 01)),
        Err(TimelineError::NotFound)
    );
    assert_eq!(Timeline::from_days(-1), Err(TimelineError::Range));
    assert!(serde_json::from_str::<Timeline>("-5").is_err());
    assert_eq!(serde_json::from_str::<Timeline>("21").unwrap().days(), 21);
}
