//! The outbox under a failing database and several workers, on SQLite and PostgreSQL: a store
//! error is retried, never turned into a dead letter or a duplicate in the CRM; a job's end and
//! its lock belong to the worker holding its latest claim.

mod common;

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use common::{ADMIN_TOKEN, Client, Db, TestDb, config, settled, start, until};
use leadgate::config::Config;
use leadgate::store::{JobEnd, JobKind, NewConversation, NewJob, Store};
use leadgate_sim::hubspot::HubSpotSim;
use serde_json::Value;

/// Runs one statement on the test's database from outside the gateway (an operator, a
/// migration gone wrong): here, to make a table vanish for a while.
async fn exec(db: &TestDb, sql: &str) {
    if db.url.starts_with("sqlite:") {
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&db.url)
            .unwrap()
            .busy_timeout(Duration::from_secs(10));
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

fn with_hubspot(c: &mut Config, hubspot: &HubSpotSim) {
    for site in &mut c.sites {
        site.crm = leadgate::crm::CrmKind::Hubspot;
    }
    c.crm.hubspot = Some(leadgate::crm::hubspot::Config {
        base_url: hubspot.base_url().to_owned(),
        token: hubspot.private_app_token().to_owned().into(),
        timeout_secs: 5,
        ..Default::default()
    });
    c.sync.poll_ms = 50;
    c.sync.backoff_base_secs = 1;
    c.sync.backoff_max_secs = 1;
}

async fn jobs(addr: SocketAddr) -> Vec<Value> {
    let v: Value = reqwest::Client::new()
        .get(format!("http://{addr}/api/admin/jobs"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["jobs"].as_array().cloned().unwrap_or_default()
}

/// Waits (a hang guard of a minute, not a timing assertion) until a CRM sync waits for its
/// retry after an error that mentions `error`; returns whether one did.
async fn wait_for_failed_sync(addr: SocketAddr, error: &str) -> bool {
    for _ in 0..600 {
        let failed = jobs(addr).await.iter().any(|j| {
            j["kind"] == "crm_sync"
                && j["state"] == "pending"
                && j["last_error"].as_str().is_some_and(|e| e.contains(error))
        });
        if failed {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A visitor whose lead reaches HubSpot with a deal.
async fn qualified_visitor(addr: SocketAddr) -> Client {
    let mut c = Client::open(addr, "demo", "en-GB").await;
    c.say("Hi, I'm Paula Brandt, managing director of Brandt Logistik GmbH.")
        .await;
    c.say("p.brandt@brandt-logistik.de").await;
    c.say("Our budget is 12.000 € and we want to start next week. I decide.")
        .await;
    c
}

/// While the CRM ids cannot be read, the lead's next sync waits; it does not start over with
/// no ids (a second deal, note and task) nor save empty ids over the stored ones.
async fn a_failed_read_of_crm_ids_makes_no_duplicates(db: Db) {
    let db = TestDb::new(db).await;
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    let mut c = config(&db);
    with_hubspot(&mut c, &hubspot);
    let gw = start(c).await;
    let mut visitor = qualified_visitor(gw.addr).await;
    until("the deal in HubSpot", || {
        !hubspot.records("deals").is_empty()
    })
    .await;
    settled(gw.addr).await;
    let deals = hubspot.records("deals").len();
    let notes = hubspot.records("notes").len();
    exec(&db, "ALTER TABLE crm_links RENAME TO crm_links_away").await;
    visitor
        .say("You can also call me on +49 151 4827 3190")
        .await;
    // The lead's sync is tried, and fails on the store (before the fix it ran, with no ids,
    // and this waits out its minute).
    wait_for_failed_sync(gw.addr, "store").await;
    exec(&db, "ALTER TABLE crm_links_away RENAME TO crm_links").await;
    let states = settled(gw.addr).await;
    assert!(
        !states.iter().any(|(_, s, n)| s == "dead" && *n > 0),
        "{states:?}"
    );
    assert_eq!(hubspot.records("deals").len(), deals, "no second deal");
    assert_eq!(hubspot.records("notes").len(), notes, "no second note");
    let contacts = hubspot.records("contacts");
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert!(
        contacts[0]
            .fields
            .get("phone")
            .and_then(Value::as_str)
            .is_some(),
        "the change arrives once the store is back: {contacts:?}"
    );
    gw.stop().await.unwrap();
    db.remove().await;
}

/// While the conversations cannot be read, a CRM sync is not dead-lettered: it runs once the
/// store answers again.
async fn a_failed_load_is_retried_not_dead_lettered(db: Db) {
    let db = TestDb::new(db).await;
    let hubspot = HubSpotSim::start(Default::default()).await.unwrap();
    // HubSpot answers 503 for now: the sync is in the outbox, retrying, when the store fails.
    hubspot.faults().fail_next(10_000, 503);
    let mut c = config(&db);
    with_hubspot(&mut c, &hubspot);
    let gw = start(c).await;
    let _visitor = qualified_visitor(gw.addr).await;
    wait_for_failed_sync(gw.addr, "503").await;
    exec(
        &db,
        "ALTER TABLE conversations RENAME TO conversations_away",
    )
    .await;
    // Longer than the retry delay (1 s): the job comes due while the table is away.
    tokio::time::sleep(Duration::from_secs(3)).await;
    exec(
        &db,
        "ALTER TABLE conversations_away RENAME TO conversations",
    )
    .await;
    hubspot.faults().clear();
    let states = settled(gw.addr).await;
    assert!(
        !states.iter().any(|(_, s, n)| s == "dead" && *n > 0),
        "{states:?}"
    );
    until("the deal in HubSpot", || {
        !hubspot.records("deals").is_empty()
    })
    .await;
    gw.stop().await.unwrap();
    db.remove().await;
}

/// A worker whose lock expired (it stalled) and whose job another worker claimed can neither
/// record the job's end nor extend its lock: it learns the job is lost.
async fn a_stalled_worker_cannot_end_or_extend_a_reclaimed_job(db: Db) {
    let db = TestDb::new(db).await;
    let store = Store::connect(&db.url, 2).await.unwrap();
    store.migrate().await.unwrap();
    let conversation = store
        .create_conversation(&NewConversation {
            site: "demo".into(),
            channel: "web".into(),
            ..NewConversation::default()
        })
        .await
        .unwrap();
    let job = NewJob {
        kind: JobKind::CrmSync,
        target: "hubspot".into(),
        person_key: Some("p@example.com".into()),
        revision: 1,
    };
    store.enqueue(&conversation.id, &[job]).await.unwrap();
    let first = store
        .claim_jobs(JobKind::CrmSync, "hubspot", "gateway-a", 10, 1)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    // Gateway A stalls past its lock; gateway B takes the job over.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = store
        .claim_jobs(JobKind::CrmSync, "hubspot", "gateway-b", 10, 60_000)
        .await
        .unwrap();
    assert_eq!(second.len(), 1, "the expired job is claimed again");
    let (a, b) = (&first[0], &second[0]);
    assert_ne!(a.claim, b.claim);
    // A wakes up.
    let lost = store
        .extend_locks("gateway-a", &[(a.id, a.claim)], 60_000)
        .await
        .unwrap();
    assert_eq!(lost, vec![a.id], "A learns the job is lost");
    assert!(!store.end_job(a, a.revision, &JobEnd::Done).await.unwrap());
    let row = store.job(a.id).await.unwrap().unwrap();
    assert_eq!(row.state.as_str(), "running", "B still holds it: {row:?}");
    assert_eq!(row.locked_by.as_deref(), Some("gateway-b"));
    // B's heartbeat and end go through.
    let lost = store
        .extend_locks("gateway-b", &[(b.id, b.claim)], 60_000)
        .await
        .unwrap();
    assert!(lost.is_empty());
    assert!(store.end_job(b, b.revision, &JobEnd::Done).await.unwrap());
    assert_eq!(
        store.job(a.id).await.unwrap().unwrap().state.as_str(),
        "done"
    );
    store.close().await;
    db.remove().await;
}

/// Two gateways claiming at once never run two jobs of the same person for one CRM.
async fn claims_serialise_per_person_across_gateways(db: Db) {
    let db = TestDb::new(db).await;
    let a = Store::connect(&db.url, 4).await.unwrap();
    a.migrate().await.unwrap();
    let b = Store::connect(&db.url, 4).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let c = a
            .create_conversation(&NewConversation {
                site: "demo".into(),
                channel: "web".into(),
                ..NewConversation::default()
            })
            .await
            .unwrap();
        ids.push(c.id);
    }
    for round in 0..40 {
        for id in &ids {
            let job = NewJob {
                kind: JobKind::CrmSync,
                target: "hubspot".into(),
                person_key: Some(format!("person-{round}@example.com")),
                revision: 1,
            };
            a.enqueue(id, &[job]).await.unwrap();
        }
        let (x, y) = tokio::join!(
            a.claim_jobs(JobKind::CrmSync, "hubspot", "gateway-a", 1, 60_000),
            b.claim_jobs(JobKind::CrmSync, "hubspot", "gateway-b", 1, 60_000),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!(
            x.len() + y.len() <= 1,
            "round {round}: one person's jobs ran at once: {x:?} {y:?}"
        );
        for job in x.iter().chain(&y) {
            assert!(a.end_job(job, job.revision, &JobEnd::Done).await.unwrap());
        }
        // The other job of the person, if left, runs now that the first is done.
        for job in a
            .claim_jobs(JobKind::CrmSync, "hubspot", "gateway-a", 10, 60_000)
            .await
            .unwrap()
        {
            a.end_job(&job, job.revision, &JobEnd::Done).await.unwrap();
        }
    }
    a.close().await;
    b.close().await;
    db.remove().await;
}

both_stores!(
    a_failed_read_of_crm_ids_makes_no_duplicates,
    a_failed_load_is_retried_not_dead_lettered,
    a_stalled_worker_cannot_end_or_extend_a_reclaimed_job,
    claims_serialise_per_person_across_gateways,
);

/// SQLite syncs the log at every commit unless told otherwise: an acknowledged message
/// survives a power cut. Deleted rows are zeroed in the file.
#[tokio::test]
async fn sqlite_syncs_every_commit_unless_configured_otherwise() {
    let db = TestDb::new(Db::Sqlite).await;
    let pragma = async |store: &Store, name: &str| -> i64 {
        let Store::Sqlite(pool) = store else {
            panic!("a SQLite store")
        };
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("PRAGMA {name}")))
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let store = Store::connect(&db.url, 1).await.unwrap();
    assert_eq!(pragma(&store, "synchronous").await, 2, "FULL");
    assert_eq!(pragma(&store, "secure_delete").await, 1);
    store.close().await;
    let store = Store::connect_with(&db.url, 1, false).await.unwrap();
    assert_eq!(pragma(&store, "synchronous").await, 1, "NORMAL when chosen");
    store.close().await;
    // The setting is read from the configuration file.
    let toml = "[database]\nsqlite_synchronous = \"normal\"\n";
    let loaded: Config = toml::from_str(toml).unwrap();
    assert_eq!(
        loaded.database.sqlite_synchronous,
        leadgate::config::SqliteSync::Normal
    );
    assert_eq!(
        Config::default().database.sqlite_synchronous,
        leadgate::config::SqliteSync::Full
    );
}
