use super::*;

fn b(raw: &str) -> (Option<u64>, Option<u64>, Option<&'static str>) {
    b_in(raw, None)
}

fn b_in(raw: &str, region: Option<&str>) -> (Option<u64>, Option<u64>, Option<&'static str>) {
    let region = region.map(|r| Region::parse(r).unwrap());
    let budget = Budget::parse(raw, region).unwrap_or_else(|e| panic!("{raw}: {e}"));
    (
        budget.min(),
        budget.max(),
        budget.currency().map(Currency::code),
    )
}

#[test]
fn a_cap_after_an_abbreviated_period() {
    assert_eq!(b("$2,000/mo max"), (None, Some(2000), Some("USD")));
    assert_eq!(b("£300 per mth tops"), (None, Some(300), Some("GBP")));
    assert_eq!(b("3 tys. zł/mc najwyżej"), (None, Some(3000), Some("PLN")));
    assert_eq!(
        b("500 € im Monat höchstens"),
        (None, Some(500), Some("EUR"))
    );
    assert_eq!(
        b("2.000 € al mes como mucho"),
        (None, Some(2000), Some("EUR"))
    );
    assert_eq!(
        b("800 € par mois tout au plus"),
        (None, Some(800), Some("EUR"))
    );
}

#[test]
fn currencies_named_after_the_amount() {
    assert_eq!(b("12k NZD"), (Some(12000), Some(12000), Some("NZD")));
    assert_eq!(
        b("6000 Swiss francs"),
        (Some(6000), Some(6000), Some("CHF"))
    );
    assert_eq!(
        b_in("6 000 francs", Some("CH")),
        (Some(6000), Some(6000), Some("CHF"))
    );
    assert_eq!(
        b_in("6000 Fr. im Jahr", Some("CH")),
        (Some(6000), Some(6000), Some("CHF"))
    );
    assert_eq!(b("4000 zloty"), (Some(4000), Some(4000), Some("PLN")));
    assert_eq!(
        b_in("90 mil pesos colombianos", Some("MX")),
        (Some(90000), Some(90000), Some("COP"))
    );
    // Words that only start like a currency code are not one.
    assert!(find("we need 3 copies and 5 sekund", None, false).is_empty());
}

#[test]
fn english() {
    assert_eq!(b("Around $15k"), (Some(15000), Some(15000), Some("USD")));
    assert_eq!(b("up to 10k GBP a year"), (None, Some(10000), Some("GBP")));
    assert_eq!(b("£8,000–£12,000"), (Some(8000), Some(12000), Some("GBP")));
    assert_eq!(b("between 5k and 8k"), (Some(5000), Some(8000), None));
    assert_eq!(b("from 2,500 dollars"), (Some(2500), None, Some("USD")));
    assert_eq!(b("$1.5M"), (Some(1_500_000), Some(1_500_000), Some("USD")));
    assert_eq!(b("C$ 20,000"), (Some(20000), Some(20000), Some("CAD")));
    assert_eq!(b("10k+"), (Some(10000), None, None));
    assert_eq!(b("no more than 3000 EUR"), (None, Some(3000), Some("EUR")));
}

#[test]
fn polish() {
    assert_eq!(b("20-30 tys. zł"), (Some(20000), Some(30000), Some("PLN")));
    assert_eq!(b("50 tys. zł"), (Some(50000), Some(50000), Some("PLN")));
    assert_eq!(b("do 8000 zł miesięcznie"), (None, Some(8000), Some("PLN")));
    assert_eq!(
        b("od 10 do 20 tysięcy złotych"),
        (Some(10000), Some(20000), Some("PLN"))
    );
    assert_eq!(
        b("1,5 mln zł"),
        (Some(1_500_000), Some(1_500_000), Some("PLN"))
    );
    assert_eq!(
        b("100 000 PLN"),
        (Some(100_000), Some(100_000), Some("PLN"))
    );
}

#[test]
fn german() {
    assert_eq!(b("10–12 T€"), (Some(10000), Some(12000), Some("EUR")));
    assert_eq!(b("rund 25 TEUR"), (Some(25000), Some(25000), Some("EUR")));
    assert_eq!(b("max. 40 kEUR"), (None, Some(40000), Some("EUR")));
    assert_eq!(
        b("Zwischen 20.000 und 30.000 €"),
        (Some(20000), Some(30000), Some("EUR"))
    );
    assert_eq!(b("Budget bis 6.000 €"), (None, Some(6000), Some("EUR")));
    assert_eq!(b("Ab 50.000 € aufwärts"), (Some(50000), None, Some("EUR")));
    assert_eq!(
        b("etwa 15 Tsd. Euro"),
        (Some(15000), Some(15000), Some("EUR"))
    );
    assert_eq!(b("40.000 CHF"), (Some(40000), Some(40000), Some("CHF")));
}

#[test]
fn spanish() {
    assert_eq!(
        b("Entre 5.000 y 8.000 euros"),
        (Some(5000), Some(8000), Some("EUR"))
    );
    assert_eq!(
        b_in("unos 30 mil pesos", Some("MX")),
        (Some(30000), Some(30000), Some("MXN"))
    );
    assert_eq!(
        b_in("hasta 100 mil pesos", Some("MX")),
        (None, Some(100000), Some("MXN"))
    );
    assert_eq!(b("unos 2.000 €"), (Some(2000), Some(2000), Some("EUR")));
    assert_eq!(
        b_in("2 millones de pesos", Some("CO")),
        (Some(2_000_000), Some(2_000_000), Some("COP"))
    );
}

#[test]
fn french() {
    assert_eq!(b("À partir de 3 000 €"), (Some(3000), None, Some("EUR")));
    assert_eq!(
        b("environ 200 € par mois"),
        (Some(200), Some(200), Some("EUR"))
    );
    assert_eq!(
        b("Entre 10 000 et 15 000 €"),
        (Some(10000), Some(15000), Some("EUR"))
    );
    assert_eq!(b("25 k€"), (Some(25000), Some(25000), Some("EUR")));
    assert_eq!(b("jusqu'à 12 000 euros"), (None, Some(12000), Some("EUR")));
}

#[test]
fn caps_said_after_the_amount() {
    assert_eq!(b("£90 a month at most"), (None, Some(90), Some("GBP")));
    assert_eq!(b("$400/month max"), (None, Some(400), Some("USD")));
    assert_eq!(b("70 € par mois maximum"), (None, Some(70), Some("EUR")));
    assert_eq!(b("600 € höchstens"), (None, Some(600), Some("EUR")));
}

#[test]
fn negated_lower_bounds_are_caps() {
    assert_eq!(b("we cannot go over €900"), (None, Some(900), Some("EUR")));
    assert_eq!(
        b("mehr als 250 € wollen wir nicht zahlen"),
        (None, Some(250), Some("EUR"))
    );
    assert_eq!(
        b("no podemos pagar más de 300 €"),
        (None, Some(300), Some("EUR"))
    );
    assert_eq!(b("more than 5k is fine"), (Some(5000), None, None));
}

#[test]
fn named_dollars() {
    assert_eq!(b("environ 700 $ CA"), (Some(700), Some(700), Some("CAD")));
    assert_eq!(
        b("de 4 000 $ à 6 000 $ canadiens"),
        (Some(4000), Some(6000), Some("CAD"))
    );
    assert_eq!(b("1200 $ AUD"), (Some(1200), Some(1200), Some("AUD")));
    assert_eq!(b("about 80 bucks"), (Some(80), Some(80), Some("USD")));
    assert_eq!(
        b("entre 200 et 300 balles"),
        (Some(200), Some(300), Some("EUR"))
    );
    assert_eq!(b("$300 a month"), (Some(300), Some(300), Some("USD")));
}

#[test]
fn bare_numbers_after_a_budget_question() {
    let found = |s: &str| -> Vec<(Option<u64>, Option<u64>)> {
        find(&fold_case(s), None, true)
            .into_iter()
            .map(|m| (m.budget.min(), m.budget.max()))
            .collect()
    };
    assert_eq!(found("1200 a year"), vec![(Some(1200), Some(1200))]);
    assert_eq!(found("tenemos 4 tiendas"), vec![]);
    assert_eq!(found("wir sind 12 Leute"), vec![]);
    assert_eq!(found("not before 2028"), vec![]);
    // A bare digit or a small count is no budget; a number with a leading zero is a code.
    for slip in ["3", "20", "about 50", "07912"] {
        assert_eq!(found(slip), vec![], "{slip}");
    }
    assert_eq!(found("500"), vec![(Some(500), Some(500))]);
    assert_eq!(
        found("2.000 € gesamt, live in 4 Wochen"),
        vec![(Some(2000), Some(2000))]
    );
}

#[test]
fn bounds_are_checked() {
    assert_eq!(Budget::new(None, None, None), Err(BudgetError::NoAmount));
    assert_eq!(Budget::new(Some(5), Some(1), None), Err(BudgetError::Order));
    assert_eq!(Budget::new(Some(0), None, None), Err(BudgetError::Range));
    assert_eq!(
        Budget::parse("no money here", None),
        Err(BudgetError::NoAmount)
    );
    assert_eq!(
        Budget::parse(&"9".repeat(30), None),
        Err(BudgetError::NoAmount)
    );
    assert!(Currency::parse("XYZ").is_err());
}

#[test]
fn codes_and_counts_are_not_money_without_a_cue() {
    let lower = fold_case("we are 45 people, NIP DE812345674");
    assert!(find(&lower, None, false).is_empty());
}

#[test]
fn serde_checks_bounds() {
    let json = r#"{"min":40000,"max":80000,"currency":"PLN"}"#;
    let b: Budget = serde_json::from_str(json).unwrap();
    assert_eq!(serde_json::to_string(&b).unwrap(), json);
    assert!(serde_json::from_str::<Budget>(r#"{"min":9,"max":1,"currency":null}"#).is_err());
}
