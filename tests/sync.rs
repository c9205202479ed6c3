//! The whole path, black box: visitors chat over the websocket, the gateway syncs their leads
//! through the outbox into the CRM simulators, and the tests read what each CRM ends up holding.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::process::Gateway;
use common::{ADMIN_TOKEN, Client, Db, TestDb, config, job_states, settled, start, until};
use leadgate::config::Config;
use leadgate::crm::CrmKind;
use leadgate_sim::Record;
use serde_json::Value;

/// One CRM simulator and how the gateway reaches it.
enum Crm {
    Hubspot(leadgate_sim::hubspot::HubSpotSim),
    Pipedrive(leadgate_sim::pipedrive::PipedriveSim),
    Salesforce(leadgate_sim::salesforce::SalesforceSim),
    Zoho(leadgate_sim::zoho::ZohoSim),
}

impl Crm {
    async fn start(kind: CrmKind) -> Crm {
        match kind {
            CrmKind::Hubspot => Crm::Hubspot(
                leadgate_sim::hubspot::HubSpotSim::start(Default::default())
                    .await
                    .unwrap(),
            ),
            CrmKind::Pipedrive => Crm::Pipedrive(
                leadgate_sim::pipedrive::PipedriveSim::start(Default::default())
                    .await
                    .unwrap(),
            ),
            CrmKind::Salesforce => Crm::Salesforce(
                leadgate_sim::salesforce::SalesforceSim::start(Default::default())
                    .await
                    .unwrap(),
            ),
            CrmKind::Zoho => Crm::Zoho(
                leadgate_sim::zoho::ZohoSim::start(Default::default())
                    .await
                    .unwrap(),
            ),
            CrmKind::None => unreachable!("a test CRM"),
        }
    }

    fn kind(&self) -> CrmKind {
        match self {
            Crm::Hubspot(_) => CrmKind::Hubspot,
            Crm::Pipedrive(_) => CrmKind::Pipedrive,
            Crm::Salesforce(_) => CrmKind::Salesforce,
            Crm::Zoho(_) => CrmKind::Zoho,
        }
    }

    /// Points every site of `c` at this CRM.
    fn configure(&self, c: &mut Config) {
        use leadgate::crm::{hubspot, pipedrive, salesforce, zoho};
        match self {
            Crm::Hubspot(s) => {
                c.crm.hubspot = Some(hubspot::Config {
                    base_url: s.base_url().to_owned(),
                    token: s.private_app_token().into(),
                    timeout_secs: 5,
                    ..hubspot::Config::default()
                })
            }
            Crm::Pipedrive(s) => {
                let oauth = s.oauth_client();
                c.crm.pipedrive = Some(pipedrive::Config {
                    base_url: s.base_url().to_owned(),
                    api_token: None,
                    client_id: Some(oauth.client_id.clone()),
                    client_secret: Some(oauth.client_secret.clone().into()),
                    refresh_token: Some(oauth.refresh_token.clone().into()),
                    token_url: format!("{}/oauth/token", s.base_url()),
                    timeout_secs: 5,
                    ..pipedrive::Config::default()
                })
            }
            Crm::Salesforce(s) => {
                let oauth = s.oauth_client();
                c.crm.salesforce = Some(salesforce::Config {
                    login_url: s.base_url().to_owned(),
                    client_id: oauth.client_id.clone(),
                    client_secret: Some(oauth.client_secret.clone().into()),
                    refresh_token: Some(oauth.refresh_token.clone().into()),
                    timeout_secs: 5,
                    limit_pause_secs: 1,
                    ..salesforce::Config::default()
                })
            }
            Crm::Zoho(s) => {
                let oauth = s.oauth_client();
                c.crm.zoho = Some(zoho::Config {
                    accounts_url: s.base_url().to_owned(),
                    client_id: oauth.client_id.clone(),
                    client_secret: oauth.client_secret.clone().into(),
                    refresh_token: oauth.refresh_token.clone().into(),
                    timeout_secs: 5,
                    rate_limit_pause_secs: 1,
                    ..zoho::Config::default()
                })
            }
        }
        for site in &mut c.sites {
            site.crm = self.kind();
        }
        // Retries come quickly in tests.
        c.sync.backoff_base_secs = 1;
        c.sync.backoff_max_secs = 2;
        c.sync.poll_ms = 100;
    }

    fn faults(&self) -> &leadgate_sim::Faults {
        match self {
            Crm::Hubspot(s) => s.faults(),
            Crm::Pipedrive(s) => s.faults(),
            Crm::Salesforce(s) => s.faults(),
            Crm::Zoho(s) => s.faults(),
        }
    }

    fn stats(&self) -> leadgate_sim::Stats {
        match self {
            Crm::Hubspot(s) => s.stats(),
            Crm::Pipedrive(s) => s.stats(),
            Crm::Salesforce(s) => s.stats(),
            Crm::Zoho(s) => s.stats(),
        }
    }

    fn records(&self, object: &str) -> Vec<Record> {
        match self {
            Crm::Hubspot(s) => s.records(object),
            Crm::Pipedrive(s) => s.records(object),
            Crm::Salesforce(s) => s.records(object),
            Crm::Zoho(s) => s.records(object),
        }
    }

    /// The vendor's object names for person, deal, note and task.
    fn objects(&self) -> [&'static str; 4] {
        match self {
            Crm::Hubspot(_) => ["contacts", "deals", "notes", "tasks"],
            Crm::Pipedrive(_) => ["persons", "deals", "notes", "activities"],
            Crm::Salesforce(_) => ["Lead", "Opportunity", "ContentNote", "Task"],
            Crm::Zoho(_) => ["Leads", "Deals", "Notes", "Tasks"],
        }
    }

    fn people(&self) -> Vec<Record> {
        self.records(self.objects()[0])
    }

    /// How many persons, deals, notes and tasks the CRM holds.
    fn counts(&self) -> [usize; 4] {
        self.objects().map(|o| self.records(o).len())
    }

    /// The email a person record carries.
    fn email(&self, person: &Record) -> Option<String> {
        match self {
            Crm::Hubspot(_) => person.str_field("email").map(str::to_owned),
            Crm::Pipedrive(_) => person
                .field("emails")
                .and_then(|e| e.get(0))
                .and_then(|e| e["value"].as_str())
                .map(str::to_owned),
            Crm::Salesforce(_) | Crm::Zoho(_) => person.str_field("Email").map(str::to_owned),
        }
    }

    /// Whether the deal, note and task of `person` point at it (each CRM links them its own way).
    fn assert_linked(&self, person: &Record, deal: &Record, note: &Record, task: &Record) {
        let id = person.id.as_str();
        let int = |r: &Record, f: &str| r.field(f).and_then(Value::as_u64).map(|v| v.to_string());
        let lookup = |r: &Record, f: &str| {
            r.field(f)
                .and_then(|v| v.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let has = |r: &Record, object: &str, other: &str| {
            r.associations
                .iter()
                .any(|(o, i)| o == object && i == other)
        };
        match self {
            Crm::Hubspot(_) => {
                assert!(has(person, "deals", &deal.id), "{person:?}");
                assert!(has(person, "notes", &note.id), "{person:?}");
                assert!(has(person, "tasks", &task.id), "{person:?}");
                assert!(has(note, "deals", &deal.id), "{note:?}");
            }
            Crm::Pipedrive(_) => {
                for r in [deal, note, task] {
                    assert_eq!(int(r, "person_id").as_deref(), Some(id), "{r:?}");
                }
                assert_eq!(int(note, "deal_id"), Some(deal.id.clone()), "{note:?}");
            }
            Crm::Salesforce(_) => {
                assert!(
                    deal.str_field("Description").unwrap_or("").ends_with(id),
                    "{deal:?}"
                );
                assert!(note.associations.iter().any(|(_, i)| i == id), "{note:?}");
                assert_eq!(task.str_field("WhoId"), Some(id), "{task:?}");
            }
            Crm::Zoho(_) => {
                assert!(
                    deal.str_field("Description").unwrap_or("").ends_with(id),
                    "{deal:?}"
                );
                assert_eq!(lookup(note, "Parent_Id").as_deref(), Some(id), "{note:?}");
                assert_eq!(lookup(task, "What_Id").as_deref(), Some(id), "{task:?}");
            }
        }
    }
}

/// A conversation that qualifies: name, role, company, email, budget and a near start.
async fn qualified(c: &mut Client, email: &str) {
    qualified_as(c, "Paula Brandt", email).await
}

/// The same, for someone else (name and company from `name`).
async fn qualified_as(c: &mut Client, name: &str, email: &str) {
    let last = name.rsplit(' ').next().unwrap_or(name);
    c.expect("message").await;
    c.say(&format!(
        "Hi, I'm {name}, managing director of {last} Logistik GmbH."
    ))
    .await;
    c.say(email).await;
    c.say("Our budget is 12.000 € and we want to start next week.")
        .await;
}

async fn gateway_for(crm: &Crm, db: &TestDb) -> leadgate::app::Running {
    let mut cfg = config(db);
    crm.configure(&mut cfg);
    start(cfg).await
}

/// A qualified conversation yields one person, one deal, one note and one task, linked.
async fn a_conversation_becomes_one_person_deal_note_and_task(kind: CrmKind, db: Db) {
    let db = TestDb::new(db).await;
    let crm = Crm::start(kind).await;
    let gw = gateway_for(&crm, &db).await;
    let mut c = Client::open(gw.addr, "demo", "de-DE").await;
    qualified(&mut c, "paula.brandt@brandt-logistik.de").await;
    c.say("Thanks, please call me on +49 151 4827 3190.").await;
    settled(gw.addr).await;

    assert_eq!(crm.counts(), [1, 1, 1, 1], "{:?}", crm.stats().per_route);
    let [p, d, n, t] = crm.objects().map(|o| crm.records(o).remove(0));
    assert_eq!(
        crm.email(&p).as_deref(),
        Some("paula.brandt@brandt-logistik.de")
    );
    let mut text = serde_json::to_string(&n.fields).unwrap();
    if let Some(content) = n.str_field("Content") {
        // Salesforce keeps a note's body base64-encoded.
        use base64::Engine;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(content)
            .unwrap();
        text = String::from_utf8(raw).unwrap();
    }
    assert!(
        text.contains("Paula Brandt") && text.contains("12000"),
        "the note carries the summary: {text}"
    );
    crm.assert_linked(&p, &d, &n, &t);
    gw.stop().await.unwrap();
    db.remove().await;
}

/// The same person again, by email in other letter case and by a phone typed differently,
/// updates the one contact instead of creating another.
async fn the_same_person_again_updates_one_contact(kind: CrmKind, db: Db) {
    let db = TestDb::new(db).await;
    let crm = Crm::start(kind).await;
    let gw = gateway_for(&crm, &db).await;

    let mut first = Client::open(gw.addr, "demo", "de-DE").await;
    first.expect("message").await;
    first.say("Hallo, ich bin Paula Brandt.").await;
    first.say("paula.brandt@brandt-logistik.de").await;
    first.say("+49 151 4827 3190").await;
    settled(gw.addr).await;
    assert_eq!(crm.people().len(), 1);

    let mut second = Client::open(gw.addr, "demo", "en-GB").await;
    second.expect("message").await;
    second.say("Paula.Brandt@Brandt-Logistik.DE").await;
    settled(gw.addr).await;

    let mut third = Client::open(gw.addr, "demo", "de-DE").await;
    third.expect("message").await;
    third.say("Rufen Sie mich an: 0151 48 27 31 90").await;
    settled(gw.addr).await;

    let people = crm.people();
    assert_eq!(people.len(), 1, "one contact: {people:#?}");
    let counts = crm.counts();
    assert_eq!(counts[2], 3, "one note per conversation: {counts:?}");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Twenty conversations of one person at once make one contact.
async fn twenty_concurrent_conversations_make_one_contact(kind: CrmKind, db: Db) {
    let db = TestDb::new(db).await;
    let crm = Crm::start(kind).await;
    let gw = gateway_for(&crm, &db).await;
    let addr = gw.addr;
    let mut tasks = Vec::new();
    for i in 0..20 {
        tasks.push(tokio::spawn(async move {
            let mut c = Client::open(addr, "demo", "en-GB").await;
            c.expect("message").await;
            let email = if i % 2 == 0 {
                "jonas.becker@becker-bau.de"
            } else {
                "Jonas.Becker@becker-bau.de"
            };
            c.say(&format!("I'm Jonas Becker, write to {email}")).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    settled(addr).await;
    let people = crm.people();
    assert_eq!(people.len(), 1, "{people:#?}");
    assert_eq!(crm.counts()[2], 20, "a note per conversation");
    gw.stop().await.unwrap();
    db.remove().await;
}

macro_rules! per_crm {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn hubspot() { super::$name(CrmKind::Hubspot, Db::Sqlite).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn pipedrive() { super::$name(CrmKind::Pipedrive, Db::Sqlite).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn salesforce() { super::$name(CrmKind::Salesforce, Db::Sqlite).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn zoho() { super::$name(CrmKind::Zoho, Db::Sqlite).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn hubspot_on_postgres() { super::$name(CrmKind::Hubspot, Db::Postgres).await }
            }
        )*
    };
}

per_crm!(
    a_conversation_becomes_one_person_deal_note_and_task,
    the_same_person_again_updates_one_contact,
    twenty_concurrent_conversations_make_one_contact,
);

const NAMES: [&str; 8] = [
    "Paula Brandt",
    "Jonas Becker",
    "Marta Nowak",
    "Lucía García",
    "Claire Martin",
    "Tom Fischer",
    "Anna Wolf",
    "Piotr Zieliński",
];

/// Several visitors, each a different person; returns their emails.
async fn visitors(addr: SocketAddr, n: usize) -> Vec<String> {
    visitors_from(addr, 0, n).await
}

/// Visitors number `from` to `from + n - 1`.
async fn visitors_from(addr: SocketAddr, from: usize, n: usize) -> Vec<String> {
    let mut tasks = Vec::new();
    for i in from..from + n {
        tasks.push(tokio::spawn(async move {
            let email = format!("visitor{i}@kunde{i}.de");
            let mut c = Client::open(addr, "demo", "de-DE").await;
            qualified_as(&mut c, NAMES[i % NAMES.len()], &email).await;
            email
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out.sort();
    out
}

fn emails(crm: &Crm) -> Vec<String> {
    let mut e: Vec<String> = crm.people().iter().filter_map(|p| crm.email(p)).collect();
    e.sort();
    e
}

/// The CRM answers 503 for a while, then recovers: every lead arrives, none twice.
async fn an_outage_loses_and_doubles_nothing(kind: CrmKind) {
    let db = TestDb::new(Db::Sqlite).await;
    let crm = Crm::start(kind).await;
    crm.faults().outage(503, Duration::from_secs(3));
    let gw = gateway_for(&crm, &db).await;
    let sent = visitors(gw.addr, 5).await;
    until("the leads to arrive", || crm.counts() == [5, 5, 5, 5]).await;
    settled(gw.addr).await;
    assert_eq!(emails(&crm), sent);
    assert_eq!(crm.counts(), [5, 5, 5, 5]);
    assert!(crm.stats().injected_faults > 0, "the outage was felt");
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Answers cut off mid-way (a 200 whose JSON stops short) are retried, not taken for answers:
/// every lead arrives with all its parts.
async fn garbled_answers_are_retried(kind: CrmKind) {
    let db = TestDb::new(Db::Sqlite).await;
    let crm = Crm::start(kind).await;
    crm.faults().garble_next(4);
    let gw = gateway_for(&crm, &db).await;
    let sent = visitors(gw.addr, 3).await;
    until("the leads to arrive", || crm.counts() == [3, 3, 3, 3]).await;
    let states = settled(gw.addr).await;
    assert_eq!(emails(&crm), sent);
    assert_eq!(crm.counts(), [3, 3, 3, 3]);
    assert!(
        states.iter().all(|(_, s, _)| s == "done"),
        "nothing dead or paused: {states:?}"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// The CRM does what it is asked but the answers never arrive (a timeout or a reset after the
/// vendor committed): the retries find the person instead of creating a second one, and every
/// lead arrives with all its parts.
async fn lost_answers_make_no_second_person(kind: CrmKind) {
    let db = TestDb::new(Db::Sqlite).await;
    let crm = Crm::start(kind).await;
    let person_writes: &[&str] = match kind {
        CrmKind::Hubspot => &[
            "/objects/contacts",
            "/contacts/batch/upsert",
            "/contacts/batch/create",
        ],
        CrmKind::Pipedrive => &["/api/v2/persons"],
        // Contacts (with their Account) are created in a composite request.
        CrmKind::Salesforce => &["/composite"],
        CrmKind::Zoho => &["/Leads/upsert", "/Contacts/upsert", "/Leads", "/Contacts"],
        CrmKind::None => &[],
    };
    for path in person_writes {
        crm.faults().lose_answer_next(2, *path);
    }
    let gw = gateway_for(&crm, &db).await;
    let sent = visitors(gw.addr, 3).await;
    until("the leads to arrive", || {
        crm.counts().iter().all(|&n| n >= 3)
    })
    .await;
    let states = settled(gw.addr).await;
    assert!(crm.stats().injected_faults > 0, "answers were lost");
    assert_eq!(emails(&crm), sent, "one person per visitor");
    assert!(
        states.iter().all(|(_, s, _)| s == "done"),
        "nothing dead or paused: {states:?}"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// The deal, note and task are created but the answers are lost: the retries find them among
/// the person's records instead of creating them again.
async fn lost_create_answers_leave_no_duplicates(kind: CrmKind) {
    let db = TestDb::new(Db::Sqlite).await;
    let crm = Crm::start(kind).await;
    let writes: &[&str] = match kind {
        CrmKind::Hubspot => &[
            "/objects/deals",
            "/deals/batch/create",
            "/objects/notes",
            "/notes/batch/create",
            "/objects/tasks",
            "/tasks/batch/create",
        ],
        CrmKind::Pipedrive => &["/deals", "/notes", "/activities"],
        // Opportunities and enhanced notes are created in composite requests, whose answers
        // carry finds too; tasks on their own.
        CrmKind::Salesforce => &["/sobjects/Task"],
        CrmKind::Zoho => &["/Deals", "/Notes", "/Tasks"],
        CrmKind::None => unreachable!("no CRM"),
    };
    for path in writes {
        crm.faults().lose_answer_next(2, *path);
    }
    let gw = gateway_for(&crm, &db).await;
    let sent = visitors(gw.addr, 3).await;
    until("the leads to arrive", || {
        crm.counts().iter().all(|&n| n >= 3)
    })
    .await;
    let states = settled(gw.addr).await;
    assert!(crm.stats().injected_faults >= 2, "answers were lost");
    assert_eq!(emails(&crm), sent);
    assert_eq!(crm.counts(), [3, 3, 3, 3], "nothing made twice");
    assert!(
        states.iter().all(|(_, s, _)| s == "done"),
        "nothing dead or paused: {states:?}"
    );
    for person in crm.people() {
        let email = crm.email(&person);
        assert!(email.is_some());
    }
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A storm of 429 answers: everything arrives once.
async fn a_rate_limit_storm_loses_nothing(kind: CrmKind) {
    let db = TestDb::new(Db::Sqlite).await;
    let (crm, throttled) = if kind == CrmKind::Hubspot {
        // The account's real limit is far below the plan leadgate was told about (HubSpot's
        // headers tell, and leadgate follows them), and on top HubSpot refuses a few
        // requests anyway, with its 429 body and Retry-After.
        let options = leadgate_sim::hubspot::Options {
            rate_limit: leadgate_sim::RateLimit::new(3, Duration::from_secs(1)),
            ..Default::default()
        };
        let sim = leadgate_sim::hubspot::HubSpotSim::start(options)
            .await
            .unwrap();
        sim.faults().throttle_next(3);
        (Crm::Hubspot(sim), 3)
    } else {
        let crm = Crm::start(kind).await;
        crm.faults().throttle_next(15);
        (crm, 15)
    };
    let gw = gateway_for(&crm, &db).await;
    let sent = visitors(gw.addr, 5).await;
    until("the leads to arrive", || crm.counts() == [5, 5, 5, 5]).await;
    settled(gw.addr).await;
    assert_eq!(emails(&crm), sent);
    assert_eq!(crm.counts(), [5, 5, 5, 5]);
    assert!(
        crm.stats().rate_limited >= throttled,
        "{:?}",
        crm.stats().rate_limited
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Expired OAuth tokens are refreshed; the job is not lost.
async fn expired_tokens_are_refreshed(kind: CrmKind) {
    let db = TestDb::new(Db::Sqlite).await;
    let crm = Crm::start(kind).await;
    let gw = gateway_for(&crm, &db).await;
    visitors(gw.addr, 1).await;
    settled(gw.addr).await;
    crm.faults().expire_tokens();
    visitors(gw.addr, 2).await;
    settled(gw.addr).await;
    assert_eq!(crm.people().len(), 2, "visitor0 twice is one person");
    let tokens = crm
        .stats()
        .requests
        .iter()
        .filter(|r| r.path.contains("token"))
        .count();
    assert!(tokens >= 2, "a new token was fetched: {tokens}");
    let states = job_states(gw.addr).await;
    assert!(states.iter().all(|(_, s, _)| s == "done"), "{states:?}");
    gw.stop().await.unwrap();
    db.remove().await;
}

mod faults {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn outage_hubspot() {
        an_outage_loses_and_doubles_nothing(CrmKind::Hubspot).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn outage_pipedrive() {
        an_outage_loses_and_doubles_nothing(CrmKind::Pipedrive).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn outage_salesforce() {
        an_outage_loses_and_doubles_nothing(CrmKind::Salesforce).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn outage_zoho() {
        an_outage_loses_and_doubles_nothing(CrmKind::Zoho).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rate_limit_storm_hubspot() {
        a_rate_limit_storm_loses_nothing(CrmKind::Hubspot).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rate_limit_storm_pipedrive() {
        a_rate_limit_storm_loses_nothing(CrmKind::Pipedrive).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rate_limit_storm_zoho() {
        a_rate_limit_storm_loses_nothing(CrmKind::Zoho).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lost_answers_hubspot() {
        super::lost_answers_make_no_second_person(CrmKind::Hubspot).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lost_answers_pipedrive() {
        super::lost_answers_make_no_second_person(CrmKind::Pipedrive).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lost_answers_salesforce() {
        super::lost_answers_make_no_second_person(CrmKind::Salesforce).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lost_answers_zoho() {
        super::lost_answers_make_no_second_person(CrmKind::Zoho).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lost_create_answers_hubspot() {
        super::lost_create_answers_leave_no_duplicates(CrmKind::Hubspot).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lost_create_answers_pipedrive() {
        super::lost_create_answers_leave_no_duplicates(CrmKind::Pipedrive).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lost_create_answers_salesforce() {
        super::lost_create_answers_leave_no_duplicates(CrmKind::Salesforce).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lost_create_answers_zoho() {
        super::lost_create_answers_leave_no_duplicates(CrmKind::Zoho).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn garbled_hubspot() {
        garbled_answers_are_retried(CrmKind::Hubspot).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn garbled_pipedrive() {
        garbled_answers_are_retried(CrmKind::Pipedrive).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn garbled_salesforce() {
        garbled_answers_are_retried(CrmKind::Salesforce).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn garbled_zoho() {
        garbled_answers_are_retried(CrmKind::Zoho).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn expired_tokens_pipedrive() {
        expired_tokens_are_refreshed(CrmKind::Pipedrive).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn expired_tokens_salesforce() {
        expired_tokens_are_refreshed(CrmKind::Salesforce).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn expired_tokens_zoho() {
        expired_tokens_are_refreshed(CrmKind::Zoho).await
    }
}

/// A value the CRM refuses dead-letters that lead's job with the CRM's reason; the others flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validation_error_dead_letters_one_job_while_others_flow() {
    let db = TestDb::new(Db::Sqlite).await;
    let crm = Crm::start(CrmKind::Hubspot).await;
    crm.faults()
        .reject_field_value("email", "visitor2@kunde2.de");
    let gw = gateway_for(&crm, &db).await;
    visitors(gw.addr, 5).await;
    let states = settled(gw.addr).await;
    let people = emails(&crm);
    assert_eq!(people.len(), 4, "{people:?}");
    assert!(!people.contains(&"visitor2@kunde2.de".to_owned()));
    assert!(
        states.iter().any(|(t, s, _)| t == "hubspot" && s == "dead"),
        "{states:?}"
    );
    let dead: Value = reqwest::Client::new()
        .get(format!("http://{}/api/admin/jobs?state=dead", gw.addr))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jobs = dead["jobs"].as_array().unwrap();
    // Each revision of the refused lead was tried and refused; no other lead's job is dead.
    let mut conversations: Vec<&str> = jobs
        .iter()
        .map(|j| j["conversation_id"].as_str().unwrap())
        .collect();
    conversations.dedup();
    assert_eq!(conversations.len(), 1, "{dead}");
    assert_eq!(jobs[0]["last_error_class"], "permanent", "{dead}");
    assert!(
        jobs[0]["last_error"].as_str().unwrap().contains("email"),
        "a readable reason: {dead}"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// Refused credentials pause the CRM's jobs (kept, not dropped); after the operator fixes the
/// credentials and resumes the target, every lead arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_pause_jobs_until_resumed() {
    let db = TestDb::new(Db::Sqlite).await;
    let crm = Crm::start(CrmKind::Hubspot).await;
    let slack = leadgate_sim::slack::SlackSim::start(Default::default())
        .await
        .unwrap();
    let mut cfg = config(&db);
    crm.configure(&mut cfg);
    // Sales alerts off (threshold out of reach): only the operators' notice goes to Slack.
    cfg.alerts.slack = Some(leadgate::alerts::SlackConfig {
        webhook_url: Some(slack.webhook_url().into()),
        min_score: Some(1000),
        ..Default::default()
    });
    let good = cfg.clone();
    cfg.crm.hubspot.as_mut().unwrap().token = "pat-eu1-revoked".into();
    let gw = start(cfg).await;
    visitors(gw.addr, 3).await;
    let states = settled(gw.addr).await;
    assert!(
        states
            .iter()
            .any(|(t, s, n)| t == "hubspot" && s == "paused" && *n > 0),
        "{states:?}"
    );
    assert!(crm.people().is_empty());
    // Operators are told once, in Slack. Every job was paused (and so asked for the notice)
    // before the outbox settled: the notices there will be are on their way.
    until("the pause notice", || !slack.messages().is_empty()).await;
    let notices = slack.messages();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let text = notices[0].text.clone().unwrap_or_default();
    assert!(
        text.contains("hubspot refused the credentials")
            && text.contains("leadgate jobs resume hubspot"),
        "{text}"
    );
    gw.stop().await.unwrap();

    // New credentials: the paused jobs wait for the operator.
    let gw = start(good).await;
    let states = settled(gw.addr).await;
    assert!(states.iter().any(|(_, s, _)| s == "paused"), "{states:?}");
    let resumed: Value = reqwest::Client::new()
        .post(format!(
            "http://{}/api/admin/targets/hubspot/resume",
            gw.addr
        ))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(resumed["resumed"].as_i64().unwrap() > 0, "{resumed}");
    until("the leads to arrive", || crm.people().len() == 3).await;
    settled(gw.addr).await;
    assert_eq!(crm.counts(), [3, 3, 3, 3]);
    assert_eq!(
        slack.messages().len(),
        1,
        "still one notice, after the restart and the resumed sync"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// The real binary, killed with SIGKILL while it syncs and started again: every lead arrives,
/// none twice.
async fn a_killed_gateway_resumes_its_sync(db: Db) {
    let db = TestDb::new(db).await;
    let crm = Crm::start(CrmKind::Hubspot).await;
    // Slow CRM answers, so the kill lands mid-sync.
    crm.faults().set_latency(Duration::from_millis(150));
    let Crm::Hubspot(hs) = &crm else {
        unreachable!()
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leadgate.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[server]
listen = "127.0.0.1:0"
admin_token = "{ADMIN_TOKEN}"

[database]
url = "{url}"

[[sites]]
key = "demo"
name = "Demo"
crm = "hubspot"

[sync]
backoff_base_secs = 1
backoff_max_secs = 2
poll_ms = 100
# PostgreSQL may be shared by several gateways: a killed one's jobs wait out their lock.
lock_secs = 3

[crm.hubspot]
base_url = "{base}"
token = "{token}"
"#,
            url = db.url,
            base = hs.base_url(),
            token = hs.private_app_token(),
        ),
    )
    .unwrap();

    let first = Gateway::start(&file).await;
    first.ready().await;
    let sent = visitors(first.addr, 8).await;
    // Kill once the CRM has some of the leads but not all.
    until("the sync to begin", || !crm.people().is_empty()).await;
    drop(first);
    let before = crm.counts();
    assert!(before != [8, 8, 8, 8], "killed mid-sync: {before:?}");

    let second = Gateway::start(&file).await;
    second.ready().await;
    until("the leads to arrive", || crm.counts()[..3] == [8, 8, 8]).await;
    settled(second.addr).await;
    drop(second);
    assert_eq!(emails(&crm), sent);
    assert_eq!(crm.counts(), [8, 8, 8, 8], "none twice");
    db.remove().await;
}

mod killed {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        a_killed_gateway_resumes_its_sync(Db::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        a_killed_gateway_resumes_its_sync(Db::Postgres).await
    }
}

/// Two gateways share one PostgreSQL database, with job locks of a second and a slow CRM: a
/// worker busy longer than the lock keeps it, so the other gateway never runs its jobs too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_on_postgres_sync_each_lead_once() {
    let db = TestDb::new(Db::Postgres).await;
    let crm = Crm::start(CrmKind::Hubspot).await;
    crm.faults().set_latency(Duration::from_millis(250));
    let mut cfg = config(&db);
    crm.configure(&mut cfg);
    cfg.sync.lock_secs = 1;
    let first = start(cfg.clone()).await;
    let second = start(cfg).await;
    let mut sent = visitors(first.addr, 3).await;
    sent.extend(visitors_from(second.addr, 3, 3).await);
    sent.sort();
    until("the leads to arrive", || crm.counts()[..3] == [6, 6, 6]).await;
    settled(first.addr).await;
    settled(second.addr).await;
    assert_eq!(emails(&crm), sent);
    assert_eq!(crm.counts(), [6, 6, 6, 6], "each lead synced once");
    first.stop().await.unwrap();
    second.stop().await.unwrap();
    db.remove().await;
}
