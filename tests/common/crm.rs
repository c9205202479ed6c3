//! The scenarios every CRM connector must pass, each written once and run against the four
//! simulators. A CRM takes part through a [`Row`]: its simulator, connectors configured for it,
//! how its person records read, and what its failures say. `crm_scenarios!(Row)` in a per-CRM
//! test file runs every scenario against that CRM; the file keeps the tests of what is the
//! vendor's own (field mapping, its error shapes, its batch path).

mod erase;
pub mod hubspot;
mod owner;
mod phones;
pub mod pipedrive;
pub mod salesforce;
pub mod zoho;

#[allow(unused_imports)]
pub use erase::an_erased_visitors_records_are_deleted;
#[allow(unused_imports)]
pub use owner::a_claimed_leads_owner_reaches_the_person_and_the_deal;
#[allow(unused_imports)]
pub use phones::a_number_a_rep_typed_nationally_is_found;

use std::time::Duration;

use leadgate::crm::progressive::{
    OverwritePolicy, SyncInput, SyncOutcome, execute, mark_pending, settle_pending,
};
use leadgate::crm::{
    Attach, CrmApi, CrmLinks, DealFields, Field, FindKey, NoteFields, PersonFields, TaskFields,
};
use leadgate::lead::{Email, PhoneE164, Region};
use leadgate::outbound::CallError;
use leadgate_sim::{Faults, Record, Stats};
use serde_json::{Map, Value};

/// The follow-up task's due time: 2027-01-15 08:00 UTC.
pub const DUE_MS: i64 = 1_800_000_000_000;

/// The lead most scenarios sync.
pub const ANNA: &str = "anna.nowak@firma.pl";
pub const ANNA_PHONE: &str = "+48 601 234 567";
pub const ANNA_COMPANY: &str = "Firma Sp. z o.o.";
pub const ANNA_DEAL: &str = "Anna Nowak – chat lead";

/// How an error message must read.
#[derive(Debug, Clone, Copy)]
pub enum Said {
    /// Word for word.
    Exactly(&'static str),
    /// With this in it.
    Containing(&'static str),
}

impl Said {
    fn check(self, message: &str) {
        match self {
            Said::Exactly(text) => assert_eq!(message, text),
            Said::Containing(text) => assert!(message.contains(text), "{message}"),
        }
    }
}

/// A person as a rep typed them into the CRM.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seed<'a> {
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub company: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub score: Option<u32>,
}

/// A person record as the scenarios read it, whatever the CRM calls its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub email: Option<String>,
    /// Every number the person holds, the primary one first.
    pub phones: Vec<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    /// leadgate's score field, as text.
    pub score: Option<String>,
}

/// One CRM in the scenario table: its simulator and what the scenarios need to know of it.
pub trait Row: Sized {
    /// The simulator's object types holding persons, deals, notes and tasks.
    const OBJECTS: [&'static str; 4];
    /// The object type companies become, when they are records of their own.
    const COMPANY_OBJECT: Option<&'static str>;
    /// The token endpoint's route, for CRMs whose access tokens expire.
    const TOKEN_ROUTE: Option<&'static str>;
    /// The custom field leadgate's score goes to on persons.
    const SCORE: &'static str;
    /// The deal field holding the deal's title.
    const DEAL_TITLE: &'static str;
    /// What a 503 answer is reported as.
    const OUTAGE: Said;
    /// What a rate-limit answer is reported as, and the wait it names when the CRM's is known.
    const RATE_LIMITED: Said;
    const RATE_LIMIT_WAIT: Option<Duration>;
    /// What a value the CRM refuses is reported as.
    const REFUSED_VALUE: Said;
    /// What refused credentials are reported as, and whether the refusal comes before any API
    /// call (a token endpoint refusing the grant).
    const REFUSED_CREDENTIALS: Said;
    const REFUSED_BEFORE_ANY_CALL: bool;
    /// Creates whose lost answer the connector can find again, with the path they are sent to.
    const LOST_CREATES: &'static [(Attach, &'static str)];
    /// What writing an owner the CRM has no user for is reported as.
    const UNKNOWN_OWNER: Said;

    /// A simulator with the CRM's custom fields defined.
    fn start() -> impl Future<Output = Self>;
    fn faults(&self) -> &Faults;
    fn stats(&self) -> Stats;
    fn records(&self, object: &str) -> Vec<Record>;

    /// A connector for the simulator, with the score field and the job title mapped.
    fn connector(&self) -> Box<dyn CrmApi>;
    /// The same, giving up on a request after `secs`.
    fn timing_out(&self, secs: u64) -> Box<dyn CrmApi>;
    /// The same with credentials the CRM refuses.
    fn refused(&self) -> Box<dyn CrmApi>;
    /// The same with access tokens the CRM can expire (OAuth).
    fn renewing(&self) -> Box<dyn CrmApi> {
        panic!("this CRM's credentials do not expire")
    }

    /// Stores a person as a rep would have typed them; returns the id.
    fn seed(&self, person: Seed<'_>) -> String;
    /// Deletes a person the way a rep would, through the API.
    fn delete(&self, person: &str) -> impl Future<Output = ()>;
    /// A person record's values.
    fn seen(&self, person: &Record) -> Seen;
    /// The field and value a write of the person's `field` carries.
    fn written(&self, field: Field, value: &str) -> (&'static str, String);
    /// A note's text.
    fn note_text(&self, note: &Record) -> String;
    /// Whether a note shows on the deal; `None` when this CRM keeps notes on the person only.
    fn note_on_deal(&self, note: &Record, deal: &str) -> Option<bool>;
    /// A CRM user a claim can name (a sales rep, not the API's user), and an id of no user.
    fn owners(&self) -> (String, String);
    /// The owner id of a person or deal record.
    fn owner_of(&self, record: &Record) -> Option<String>;

    /// The person record with this id.
    fn person(&self, id: &str) -> Record {
        self.records(Self::OBJECTS[0])
            .into_iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no person {id}"))
    }

    /// How many persons, deals, notes and tasks the CRM holds.
    fn counts(&self) -> [usize; 4] {
        Self::OBJECTS.map(|o| self.records(o).len())
    }

    /// Requests that were not for a token.
    fn api_calls(&self) -> u64 {
        let stats = self.stats();
        stats.total_requests - Self::TOKEN_ROUTE.map_or(0, |r| stats.route_count(r))
    }
}

pub fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid email")
}

/// A phone number as a Polish visitor types it.
pub fn pl(raw: &str) -> PhoneE164 {
    PhoneE164::parse(raw, Some(Region::parse("PL").unwrap())).expect("valid phone")
}

/// JSON fields from pairs.
pub fn fields(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// A JSON value as text: strings as they are, numbers without a trailing `.0`.
pub fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        _ => None,
    }
}

pub fn ok(outcome: &SyncOutcome) {
    assert!(outcome.error.is_none(), "sync failed: {:?}", outcome.error);
}

/// A qualified lead as the planner builds it: parsed fields, the score in `C::SCORE`, a deal,
/// the conversation's note and a follow-up task.
pub fn lead<C: Row>(
    email: Option<&str>,
    phone: Option<&str>,
    name: Option<(&str, &str)>,
    company: Option<&str>,
) -> SyncInput {
    let display = name
        .map(|(f, l)| format!("{f} {l}"))
        .or(email.map(str::to_owned))
        .unwrap_or_else(|| "visitor".into());
    SyncInput {
        person: PersonFields {
            email: email.map(self::email),
            phone: phone.map(pl),
            first_name: name.map(|(f, _)| f.to_owned()),
            last_name: name.map(|(_, l)| l.to_owned()),
            company: company.map(str::to_owned),
            job_title: None,
            owner: None,
            custom: [(C::SCORE.to_owned(), serde_json::json!(60))].into(),
        },
        deal: Some(DealFields {
            title: format!("{display} – chat lead"),
            amount: Some(30000),
            currency: Some("PLN".into()),
            owner: None,
            custom: Default::default(),
        }),
        note: NoteFields {
            body: format!("Visitor: {display}\nBudget: 20000–30000 PLN <asap>"),
        },
        task: Some(TaskFields {
            subject: format!("Follow up with {display} (chat lead, score 60)"),
            body: "Call back within a day".into(),
            due_ms: DUE_MS,
        }),
        policy: OverwritePolicy::default(),
    }
}

/// Anna Nowak, qualified, with email, phone and company.
pub fn anna<C: Row>() -> SyncInput {
    lead::<C>(
        Some(ANNA),
        Some(ANNA_PHONE),
        Some(("Anna", "Nowak")),
        Some(ANNA_COMPANY),
    )
}

/// A sync as the outbox worker runs it: what its creates carry is noted first, so a retry
/// after a lost answer looks for what they made.
async fn sync_as_the_worker(api: &dyn CrmApi, input: &SyncInput, links: CrmLinks) -> SyncOutcome {
    let mut marked = links.clone();
    mark_pending(&mut marked, input, leadgate::store::now_ms());
    let mut outcome = execute(api, input, links).await;
    outcome.links.pending = marked.pending;
    settle_pending(&mut outcome.links);
    outcome
}

/// Makes a first call that creates nothing, so OAuth CRMs hold a token before a fault is set.
async fn warm_up(api: &dyn CrmApi) {
    let nobody = email("nobody@firma.pl");
    assert_eq!(api.find_person(FindKey::Email(&nobody)).await, Ok(None));
}

/// A person found again gets only the fields that changed: a write that carried the email, the
/// phone or the company again would be refused.
pub async fn create_then_update_only_changed_fields<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let first = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    ok(&first);
    assert!(first.created_person);
    for (field, value) in [
        (Field::Email, ANNA),
        (Field::Phone, "+48601234567"),
        (Field::Company, ANNA_COMPANY),
    ] {
        let (name, value) = crm.written(field, value);
        crm.faults().reject_field_value(name, value);
    }
    let mut again = anna::<C>();
    again.person.job_title = Some("Head of Sales".into());
    let second = execute(&*api, &again, first.links.clone()).await;
    ok(&second);
    assert!(!second.created_person);
    assert_eq!(second.links.person, first.links.person);
    assert_eq!(crm.counts()[0], 1);
    let person = crm.person(second.links.person.as_deref().unwrap());
    assert_eq!(
        crm.seen(&person).job_title.as_deref(),
        Some("Head of Sales"),
        "what changed is written"
    );
}

/// The same person in another conversation, by email (in any letter case) or by a phone typed
/// differently, is found and updated, not created again.
pub async fn the_same_person_is_found_by_email_and_by_phone<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let first = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    ok(&first);
    let id = first.links.person.clone().unwrap();
    for address in [ANNA, "ANNA.Nowak@firma.pl"] {
        let again = lead::<C>(Some(address), None, Some(("Anna", "Nowak")), None);
        let out = execute(&*api, &again, CrmLinks::default()).await;
        ok(&out);
        assert_eq!(out.links.person.as_deref(), Some(id.as_str()), "{address}");
        assert!(!out.created_person);
    }
    // A WhatsApp chat: no email, the number in national format.
    let by_phone = lead::<C>(None, Some("0048 601-234-567"), None, None);
    let out = execute(&*api, &by_phone, CrmLinks::default()).await;
    ok(&out);
    assert_eq!(out.links.person.as_deref(), Some(id.as_str()));
    assert!(!out.created_person);
    assert_eq!(crm.counts()[0], 1);
    if let Some(companies) = C::COMPANY_OBJECT {
        assert_eq!(
            crm.records(companies).len(),
            1,
            "the company is found, not made again"
        );
    }
}

/// A person deleted or merged away in the CRM is found again by email under the id the CRM
/// has now; the deal, note and task are updated, not made again.
pub async fn a_person_deleted_in_the_crm_is_found_again_by_email<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let first = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    ok(&first);
    crm.delete(first.links.person.as_deref().unwrap()).await;
    let rep_made = crm.seed(Seed {
        email: Some("ANNA.NOWAK@firma.pl"),
        last_name: Some("Nowak"),
        company: Some("Firma"),
        ..Seed::default()
    });
    let again = execute(&*api, &anna::<C>(), first.links.clone()).await;
    ok(&again);
    assert_eq!(
        again.links.person.as_deref(),
        Some(rep_made.as_str()),
        "found by email, not recreated"
    );
    assert!(!again.created_person);
    assert_eq!(
        again.links.deal, first.links.deal,
        "the deal is updated, not duplicated"
    );
    assert_eq!(
        crm.counts(),
        [1, 1, 1, 1],
        "the note is updated in place, the task made once"
    );
}

/// A rep's values win over the lead's, a value the lead lacks is never blanked, empty fields
/// (or the CRM's placeholders) are filled, and leadgate's own fields are kept current.
pub async fn a_reps_values_stand_and_nothing_is_blanked<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let id = crm.seed(Seed {
        email: Some(ANNA),
        phone: Some("+48 22 123 45 67"),
        first_name: Some("Anne"),
        job_title: Some("CEO"),
        score: Some(20),
        ..Seed::default()
    });
    let out = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    ok(&out);
    assert_eq!(out.links.person.as_deref(), Some(id.as_str()));
    assert!(!out.created_person);
    let seen = crm.seen(&crm.person(&id));
    assert_eq!(
        seen.first_name.as_deref(),
        Some("Anne"),
        "a rep's value wins"
    );
    assert_eq!(
        seen.phones,
        ["+48 22 123 45 67"],
        "the rep's phone stays alone"
    );
    assert_eq!(
        seen.job_title.as_deref(),
        Some("CEO"),
        "a value the lead lacks stays"
    );
    assert_eq!(
        seen.last_name.as_deref(),
        Some("Nowak"),
        "an empty field is filled"
    );
    assert_eq!(seen.company.as_deref(), Some(ANNA_COMPANY));
    assert_eq!(
        seen.score.as_deref(),
        Some("60"),
        "leadgate's own values are kept current"
    );
}

/// No deal before the lead qualifies; once it does, one deal, kept up to date, never a second;
/// the note written before it shows on it where the CRM links notes to deals.
pub async fn a_deal_once_qualified_and_never_twice<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let mut unqualified = anna::<C>();
    unqualified.deal = None;
    let first = execute(&*api, &unqualified, CrmLinks::default()).await;
    ok(&first);
    assert_eq!(first.links.deal, None);
    assert_eq!(crm.counts(), [1, 0, 1, 1]);

    let qualified = execute(&*api, &anna::<C>(), first.links.clone()).await;
    ok(&qualified);
    let deal = qualified.links.deal.clone().expect("a deal once qualified");
    assert_eq!(qualified.links.note, first.links.note, "still one note");
    assert_eq!(crm.counts(), [1, 1, 1, 1]);
    let note = &crm.records(C::OBJECTS[2])[0];
    if let Some(linked) = crm.note_on_deal(note, &deal) {
        assert!(
            linked,
            "the note written before the deal shows on it: {note:?}"
        );
    }

    let mut bigger = anna::<C>();
    bigger.deal.as_mut().unwrap().amount = Some(50000);
    let again = execute(&*api, &bigger, qualified.links.clone()).await;
    ok(&again);
    assert_eq!(again.links.deal.as_deref(), Some(deal.as_str()));
    assert_eq!(crm.counts(), [1, 1, 1, 1], "never a second deal");
}

/// A conversation has one note, updated as it grows; another conversation gets its own.
pub async fn one_note_per_conversation<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    let first = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    ok(&first);
    let mut longer = anna::<C>();
    longer.note.body.push_str("\nVisitor: one more thing.");
    let second = execute(&*api, &longer, first.links.clone()).await;
    ok(&second);
    assert_eq!(second.links.note, first.links.note);
    let notes = crm.records(C::OBJECTS[2]);
    assert_eq!(notes.len(), 1, "the note is updated in place");
    assert!(
        crm.note_text(&notes[0]).contains("one more thing"),
        "{:?}",
        notes[0]
    );

    let mut another = anna::<C>();
    another.note.body = "Visitor: Anna Nowak, a week later\nWants a demo".into();
    let third = execute(&*api, &another, CrmLinks::default()).await;
    ok(&third);
    assert_eq!(third.links.person, first.links.person);
    assert_ne!(third.links.note, first.links.note);
    assert_eq!(
        crm.records(C::OBJECTS[2]).len(),
        2,
        "a note per conversation"
    );
}

/// The CRM makes the deal, note or task but its answer is lost: the retry finds the record
/// among the person's and adopts it instead of making a second one.
pub async fn a_lost_create_answer_is_adopted_not_duplicated<C: Row>() {
    for (kind, path) in C::LOST_CREATES {
        let crm = C::start().await;
        let api = crm.connector();
        crm.faults().lose_answer_next(1, *path);
        let lost = sync_as_the_worker(&*api, &anna::<C>(), CrmLinks::default()).await;
        assert!(
            matches!(lost.error, Some(CallError::Retryable { .. })),
            "{kind:?}: {:?}",
            lost.error
        );
        assert!(
            crm.stats().injected_faults > 0,
            "{kind:?}: the answer was lost"
        );
        let retried = sync_as_the_worker(&*api, &anna::<C>(), lost.links).await;
        ok(&retried);
        assert!(retried.links.pending.is_empty(), "{:?}", retried.links);
        assert_eq!(crm.counts(), [1, 1, 1, 1], "{kind:?}: nothing made twice");
        let object = match kind {
            Attach::Deal => C::OBJECTS[1],
            Attach::Note => C::OBJECTS[2],
            Attach::Task => C::OBJECTS[3],
        };
        let made = &crm.records(object)[0];
        let link = match kind {
            Attach::Deal => &retried.links.deal,
            Attach::Note => &retried.links.note,
            Attach::Task => &retried.links.task,
        };
        assert_eq!(link.as_deref(), Some(made.id.as_str()), "{kind:?}");
    }
}

/// A rate-limit answer is retryable after the wait the CRM names; nothing is made meanwhile.
pub async fn a_rate_limit_is_retryable_after_the_crms_wait<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    warm_up(&*api).await;
    crm.faults().throttle_next(1);
    let out = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    match out.error {
        Some(CallError::Retryable {
            retry_after: Some(wait),
            message,
        }) => {
            assert!(wait > Duration::ZERO);
            C::RATE_LIMITED.check(&message);
            if let Some(expected) = C::RATE_LIMIT_WAIT {
                assert_eq!(wait, expected);
            }
        }
        other => panic!("expected a retryable error with retry_after, got {other:?}"),
    }
    assert_eq!(crm.counts()[0], 0);
}

/// A 5xx answer is retryable, and the retry makes the person once.
pub async fn an_outage_is_retried_and_makes_one_person<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    warm_up(&*api).await;
    crm.faults().fail_next(1, 503);
    let out = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    match &out.error {
        Some(CallError::Retryable { message, .. }) => C::OUTAGE.check(message),
        other => panic!("expected a retryable error, got {other:?}"),
    }
    assert_eq!(crm.counts()[0], 0);
    let retried = execute(&*api, &anna::<C>(), out.links).await;
    ok(&retried);
    assert_eq!(crm.counts(), [1, 1, 1, 1], "retries never duplicate");
}

/// A request that hangs times out as retryable, and the error carries no lead data.
pub async fn a_hung_request_times_out_as_retryable<C: Row>() {
    let crm = C::start().await;
    let api = crm.timing_out(1);
    warm_up(&*api).await;
    crm.faults().hang_next(1);
    let out = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    match out.error {
        Some(CallError::Retryable { message, .. }) => {
            assert!(message.contains("timed out"), "{message}");
            assert!(
                !message.contains("anna.nowak"),
                "no lead data in the error: {message}"
            );
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

/// Credentials the CRM refuses are an auth error, which pauses the CRM's jobs.
pub async fn refused_credentials_are_an_auth_error<C: Row>() {
    let crm = C::start().await;
    let api = crm.refused();
    let out = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    match &out.error {
        Some(CallError::Auth { message }) => C::REFUSED_CREDENTIALS.check(message),
        other => panic!("expected an auth error, got {other:?}"),
    }
    if C::REFUSED_BEFORE_ANY_CALL {
        assert_eq!(crm.api_calls(), 0);
    }
    assert_eq!(crm.counts()[0], 0);
}

/// A value the CRM refuses is a permanent error with the CRM's reason; what was made before it
/// stays linked for the retry.
pub async fn a_refused_value_is_permanent_with_the_crms_reason<C: Row>() {
    let crm = C::start().await;
    let api = crm.connector();
    crm.faults().reject_field_value(C::DEAL_TITLE, ANNA_DEAL);
    let out = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    match &out.error {
        Some(CallError::Permanent { message }) => C::REFUSED_VALUE.check(message),
        other => panic!("expected a permanent error, got {other:?}"),
    }
    assert!(
        out.links.person.is_some(),
        "the person made before the refusal is kept for the retry"
    );
    assert_eq!(out.links.deal, None);
}

/// An access token the CRM expires is renewed once and the call goes through, not lost.
pub async fn an_expired_token_is_renewed_once<C: Row>() {
    let crm = C::start().await;
    let api = crm.renewing();
    let token_route = C::TOKEN_ROUTE.expect("a CRM with tokens");
    let first = execute(&*api, &anna::<C>(), CrmLinks::default()).await;
    ok(&first);
    assert_eq!(
        crm.stats().route_count(token_route),
        1,
        "one token for the whole sync"
    );
    crm.faults().expire_tokens();
    let mut again = anna::<C>();
    again.person.job_title = Some("CTO".into());
    let second = execute(&*api, &again, first.links.clone()).await;
    ok(&second);
    assert_eq!(second.links.person, first.links.person);
    let person = crm.person(second.links.person.as_deref().unwrap());
    assert_eq!(crm.seen(&person).job_title.as_deref(), Some("CTO"));
    let stats = crm.stats();
    assert_eq!(stats.route_count(token_route), 2, "one renewal");
    assert_eq!(
        stats
            .requests
            .iter()
            .filter(|r| r.status == Some(401))
            .count(),
        1,
        "one refused call, repeated"
    );
    assert_eq!(crm.counts(), [1, 1, 1, 1], "the task is made once");
}

/// One test per shared scenario for the CRM `$row`, plus the optional ones named after it
/// (`an_expired_token_is_renewed_once` for CRMs whose tokens expire).
#[macro_export]
macro_rules! crm_scenarios {
    ($row:ty $(, $optional:ident)* $(,)?) => {
        mod scenarios {
            #[allow(unused_imports)]
            use super::*;

            $crate::crm_scenarios!(@tests $row;
                create_then_update_only_changed_fields,
                the_same_person_is_found_by_email_and_by_phone,
                a_person_deleted_in_the_crm_is_found_again_by_email,
                a_reps_values_stand_and_nothing_is_blanked,
                a_deal_once_qualified_and_never_twice,
                one_note_per_conversation,
                a_lost_create_answer_is_adopted_not_duplicated,
                a_rate_limit_is_retryable_after_the_crms_wait,
                an_outage_is_retried_and_makes_one_person,
                a_hung_request_times_out_as_retryable,
                refused_credentials_are_an_auth_error,
                a_refused_value_is_permanent_with_the_crms_reason,
                a_claimed_leads_owner_reaches_the_person_and_the_deal,
                an_erased_visitors_records_are_deleted,
                a_number_a_rep_typed_nationally_is_found,
                $($optional,)*
            );
        }
    };
    (@tests $row:ty; $($name:ident,)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                $crate::common::crm::$name::<$row>().await
            }
        )*
    };
}
