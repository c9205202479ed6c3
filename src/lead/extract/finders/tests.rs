use super::*;
use crate::lead::Region;
use crate::lead::text::fold_case;

fn emails_in(text: &str) -> Vec<String> {
    emails(&fold_case(text))
        .into_iter()
        .map(|f| f.value.to_string())
        .collect()
}

#[test]
fn plain_and_spoken_addresses_in_five_languages() {
    assert_eq!(
        emails_in("rachel@copperleafins.com, or call (617) 294-3381"),
        vec!["rachel@copperleafins.com"]
    );
    assert_eq!(
        emails_in("W.KOWALCZYK@BUDMAR.PL, tel. 22 845 61 30"),
        vec!["w.kowalczyk@budmar.pl"]
    );
    assert_eq!(
        emails_in("daniel at fernhill-digital dot co dot uk or +44"),
        vec!["daniel@fernhill-digital.co.uk"]
    );
    assert_eq!(
        emails_in("lukas.eder(at)eder-reisen.at, 0676"),
        vec!["lukas.eder@eder-reisen.at"]
    );
    assert_eq!(
        emails_in("pablo [at] reformasdelsur [dot] es o al 958"),
        vec!["pablo@reformasdelsur.es"]
    );
    assert_eq!(
        emails_in("aurelie.fontaine arobase fontaine-cosmetiques point fr, ou 01"),
        vec!["aurelie.fontaine@fontaine-cosmetiques.fr"]
    );
    assert_eq!(emails_in("ola małpa firma kropka pl"), vec!["ola@firma.pl"]);
    assert_eq!(
        emails_in("mail: ewa kropka nowak małpa sklep kropka pl"),
        vec!["ewa.nowak@sklep.pl"]
    );
    assert_eq!(
        emails_in("it's tom dot hale at brightwater dot io"),
        vec!["tom.hale@brightwater.io"]
    );
    assert_eq!(
        emails_in("juan arroba empresa punto com"),
        vec!["juan@empresa.com"]
    );
    assert_eq!(
        emails_in("max klammeraffe firma punkt de"),
        vec!["max@firma.de"]
    );
    assert_eq!(
        emails_in("mail an jan @ firma.de bitte"),
        vec!["jan@firma.de"]
    );
    assert_eq!(emails_in("Sent to 'anna@firma.pl'."), vec!["anna@firma.pl"]);
}

#[test]
fn sentences_are_not_addresses() {
    assert!(emails_in("I work at Acme dot com").is_empty());
    assert!(emails_in("we met at the fair in Berlin").is_empty());
    assert!(emails_in("contact me at noon").is_empty());
    assert!(emails_in("jan@localhost").is_empty());
}

fn phones_in(text: &str, region: &str) -> Vec<String> {
    phones(&fold_case(text), Region::parse(region).ok())
        .into_iter()
        .map(|f| f.value.to_string())
        .collect()
}

#[test]
fn phones_and_non_phones() {
    assert_eq!(
        phones_in("mój numer to 601 - 234 - 567, mail", "PL"),
        vec!["+48601234567"]
    );
    assert_eq!(
        phones_in("rachel@x.com, or call (617) 294-3381", "US"),
        vec!["+16172943381"]
    );
    assert_eq!(phones_in("0034 688 12 34 56", "ES"), vec!["+34688123456"]);
    assert_eq!(
        phones_in("edouard@d.be, +32 (0)4 223 45 67", "BE"),
        vec!["+3242234567"]
    );
    assert!(phones_in("NIP: 525-000-12-33", "PL").is_empty());
    assert!(phones_in("(USt-IdNr. DE812345674)", "DE").is_empty());
    assert!(phones_in("SIRET 552 100 554 00025", "FR").is_empty());
    assert!(phones_in("tel 48 601 22", "PL").is_empty());
    assert!(phones_in("on 15.06.2026 at 10:30", "DE").is_empty());
    assert!(phones_in("order 601234567", "PL").is_empty());
    // Identifier words typed without diacritics.
    assert!(phones_in("gdzie jest moje zamowienie 601 234 567?", "PL").is_empty());
    assert!(phones_in("numero de envio 612 345 678", "ES").is_empty());
    assert!(phones_in("ma reference client 06 12 34 56 78", "FR").is_empty());
    assert_eq!(
        phones_in("Tel. 089 4411 2290, Fax 089 4411 2299", "DE"),
        vec!["+498944112290"]
    );
}

fn size_in(text: &str) -> Option<u32> {
    company_sizes(&fold_case(text))
        .last()
        .map(|f| f.value.people())
}

#[test]
fn head_counts_in_five_languages() {
    assert_eq!(size_in("we're about 45 people."), Some(45));
    assert_eq!(size_in("Zatrudniamy 250 osób."), Some(250));
    assert_eq!(size_in("Wir haben 70 Mitarbeiter."), Some(70));
    assert_eq!(size_in("wir sind 7 Leute."), Some(7));
    assert_eq!(size_in("Somos unos 300 empleados."), Some(300));
    assert_eq!(size_in("Somos 9."), Some(9));
    assert_eq!(size_in("On est 4."), Some(4));
    assert_eq!(size_in("35 salariés"), Some(35));
    assert_eq!(size_in("a 50-person company"), Some(50));
    assert_eq!(size_in("team of 12"), Some(12));
    assert_eq!(size_in("1,200 employees"), Some(1200));
    assert_eq!(size_in("¿Cuánto cuesta para 15 agentes?"), None);
    assert_eq!(size_in("we're 30% cheaper"), None);
}

#[test]
fn head_counts_with_thousands_separators_and_inflected_words() {
    assert_eq!(size_in("Wir beschäftigen 2.400 Mitarbeiter."), Some(2400));
    assert_eq!(size_in("ein Familienbetrieb mit 38 Mitarbeitern"), Some(38));
    assert_eq!(size_in("Zatrudniamy 3 400 osób."), Some(3400));
    assert_eq!(size_in("Somos 2.100 empleadas y empleados"), Some(2100));
    assert_eq!(size_in("nous avons 1 800 collaboratrices"), Some(1800));
    assert_eq!(size_in("a 2,300-person insurer"), Some(2300));
    assert_eq!(size_in("between 15-20 people"), Some(15));
}

#[test]
fn head_counts_in_words_and_placed() {
    assert_eq!(size_in("There are 14 of us in total."), Some(14));
    assert_eq!(size_in("there's 3 of us"), Some(3));
    assert_eq!(size_in("it's just the three of us"), Some(3));
    assert_eq!(size_in("only the 2 of us run it"), Some(2));
    assert_eq!(size_in("just the 2 of them"), None);
    assert_eq!(size_in("there are 40 of them"), None);
    assert_eq!(size_in("Jest nas pięciu."), Some(5));
    assert_eq!(size_in("Wir sind zu dritt."), Some(3));
    assert_eq!(size_in("on est quatre, avec le stagiaire"), Some(4));
    assert_eq!(size_in("Somos 25 en la oficina."), Some(25));
    assert_eq!(size_in("somos 9 entre técnicos y comerciales"), Some(9));
    assert_eq!(size_in("we have 70 on the payroll"), Some(70));
    assert_eq!(size_in("somos dos socios"), None);
    assert_eq!(size_in("nous sommes une vingtaine de salariés"), Some(20));
    assert_eq!(size_in("somos una docena de empleados"), Some(12));
    assert_eq!(size_in("we are two weeks late"), None);
}

#[test]
fn head_counts_typed_casually_or_in_tens() {
    assert_eq!(size_in("mamy jakies 60 pracownikow"), Some(60));
    assert_eq!(size_in("w salonie jest 6 osob"), Some(6));
    assert_eq!(size_in("wir haben 35 Beschaeftigte"), Some(35));
    assert_eq!(size_in("we're like 25"), Some(25));
    assert_eq!(size_in("somos como 40"), Some(40));
    assert_eq!(size_in("nous sommes nonante collaborateurs"), Some(90));
    assert_eq!(size_in("on est soixante-dix personnes"), Some(70));
    assert_eq!(size_in("about thirty employees"), Some(30));
    assert_eq!(size_in("rund fünfzig Mitarbeiter"), Some(50));
    assert_eq!(size_in("zatrudniamy czterdziestu pracowników"), Some(40));
    assert_eq!(size_in("somos cuarenta personas"), Some(40));
    assert_eq!(size_in("prowadzę 4-osobową firmę"), Some(4));
    assert_eq!(size_in("szukam stołu 6 osobowego do jadalni"), None);
    assert_eq!(size_in("a table for four people"), None);
    assert_eq!(size_in("catering for forty people"), None);
}

#[test]
fn competitors_with_inflections() {
    let c = Competitors::new(&[
        "Intercom".into(),
        "Zendesk".into(),
        "LiveChat".into(),
        "Drift".into(),
    ]);
    assert_eq!(
        c.mentioned(&fold_case("Mamy Zendeska, ale chcemy bota")),
        vec!["Zendesk"]
    );
    assert_eq!(
        c.mentioned(&fold_case("We use Intercom and LiveChat")),
        vec!["Intercom", "LiveChat"]
    );
    assert!(c.mentioned(&fold_case("we are drifting apart")).is_empty());
    assert!(c.mentioned(&fold_case("intercoms")).len() == 1);
    assert!(Competitors::new(&[]).mentioned("anything").is_empty());
    assert!(c.is_competitor("zendesk"));
}
