//! The one [`CrmApi`] adapter: a connector writes its calls as plain `async fn`s ([`Calls`]),
//! and every connector gets the same instrumented [`CrmApi`] from them.

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tracing::Instrument;

use crate::crm::api::CrmApi;
use crate::crm::input::{BatchItem, SyncOutcome};
use crate::crm::model::{
    Attach, Attached, CrmKind, CrmLinks, DealFields, FindKey, NoteFields, PersonFields,
    PersonRecord, TaskFields,
};
use crate::outbound::CallError;

/// A connector's own operations: the steps of [`CrmApi`] without its boxing and tracing, which
/// the blanket implementation adds. See [`CrmApi`] for what each must do.
pub trait Calls: Send + Sync {
    /// Which CRM this is.
    const KIND: CrmKind;

    /// Finds a person by one key; `None` when there is none.
    fn find_person(
        &self,
        key: FindKey<'_>,
    ) -> impl Future<Output = Result<Option<PersonRecord>, CallError>> + Send;

    /// Reads a person by id; `None` when the id no longer exists.
    fn get_person(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<PersonRecord>, CallError>> + Send;

    /// Creates a person; returns its id (a duplicate naming the existing record is a conflict).
    fn create_person(
        &self,
        fields: &PersonFields,
    ) -> impl Future<Output = Result<String, CallError>> + Send;

    /// Sets these fields (and only these) on a person.
    fn update_person(
        &self,
        id: &str,
        fields: &PersonFields,
    ) -> impl Future<Output = Result<(), CallError>> + Send;

    /// Creates a deal associated with the person; returns its id.
    fn create_deal(
        &self,
        person: &str,
        deal: &DealFields,
    ) -> impl Future<Output = Result<String, CallError>> + Send;

    /// Updates a deal.
    fn update_deal(
        &self,
        id: &str,
        deal: &DealFields,
    ) -> impl Future<Output = Result<(), CallError>> + Send;

    /// Creates a note on the person (and the deal); returns its id.
    fn create_note(
        &self,
        person: &str,
        deal: Option<&str>,
        note: &NoteFields,
    ) -> impl Future<Output = Result<String, CallError>> + Send;

    /// Replaces a note's text.
    fn update_note(
        &self,
        id: &str,
        note: &NoteFields,
    ) -> impl Future<Output = Result<(), CallError>> + Send;

    /// Links a note written before the lead qualified to the deal (default: nothing to do).
    fn link_note(
        &self,
        _note: &str,
        _deal: &str,
    ) -> impl Future<Output = Result<(), CallError>> + Send {
        async { Ok(()) }
    }

    /// Creates a follow-up task for the person (and the deal); returns its id.
    fn create_task(
        &self,
        person: &str,
        deal: Option<&str>,
        task: &TaskFields,
    ) -> impl Future<Output = Result<String, CallError>> + Send;

    /// The person's deals, notes or tasks (default: this CRM cannot list them).
    fn attached(
        &self,
        _person: &str,
        _kind: Attach,
        _sent: &[String],
    ) -> impl Future<Output = Result<Option<Vec<Attached>>, CallError>> + Send {
        async { Ok(None) }
    }

    /// Deletes an erased visitor's task, note, deal and person (see [`super::erase`]).
    fn erase(&self, links: &CrmLinks) -> impl Future<Output = Result<(), CallError>> + Send;

    /// A link to the person's record in the CRM's web app.
    fn record_url(&self, _person_id: &str) -> Option<String> {
        None
    }

    /// The batch path, when the connector has one (default: none).
    fn sync_batch<'a>(
        &'a self,
        _batch: &'a [BatchItem],
    ) -> Option<BoxFuture<'a, Vec<SyncOutcome>>> {
        None
    }
}

/// Runs one connector call in a span naming the CRM and the operation, and logs a failure with
/// its class.
fn step<'a, T: Send + 'a>(
    crm: CrmKind,
    op: &'static str,
    future: impl Future<Output = Result<T, CallError>> + Send + 'a,
) -> BoxFuture<'a, Result<T, CallError>> {
    let crm = crm.name();
    let span = tracing::debug_span!("crm", crm, op);
    future
        .inspect(move |r| {
            if let Err(e) = r {
                tracing::debug!(crm, op, class = %e.class(), error = %e, "CRM call failed");
            }
        })
        .instrument(span)
        .boxed()
}

impl<C: Calls> CrmApi for C {
    fn kind(&self) -> CrmKind {
        C::KIND
    }

    fn find_person<'a>(
        &'a self,
        key: FindKey<'a>,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        step(C::KIND, "find_person", Calls::find_person(self, key))
    }

    fn get_person<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<PersonRecord>, CallError>> {
        step(C::KIND, "get_person", Calls::get_person(self, id))
    }

    fn create_person<'a>(
        &'a self,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(C::KIND, "create_person", Calls::create_person(self, fields))
    }

    fn update_person<'a>(
        &'a self,
        id: &'a str,
        fields: &'a PersonFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step(
            C::KIND,
            "update_person",
            Calls::update_person(self, id, fields),
        )
    }

    fn create_deal<'a>(
        &'a self,
        person: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            C::KIND,
            "create_deal",
            Calls::create_deal(self, person, deal),
        )
    }

    fn update_deal<'a>(
        &'a self,
        id: &'a str,
        deal: &'a DealFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step(C::KIND, "update_deal", Calls::update_deal(self, id, deal))
    }

    fn create_note<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            C::KIND,
            "create_note",
            Calls::create_note(self, person, deal, note),
        )
    }

    fn update_note<'a>(
        &'a self,
        id: &'a str,
        note: &'a NoteFields,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step(C::KIND, "update_note", Calls::update_note(self, id, note))
    }

    fn link_note<'a>(
        &'a self,
        note: &'a str,
        deal: &'a str,
    ) -> BoxFuture<'a, Result<(), CallError>> {
        step(C::KIND, "link_note", Calls::link_note(self, note, deal))
    }

    fn create_task<'a>(
        &'a self,
        person: &'a str,
        deal: Option<&'a str>,
        task: &'a TaskFields,
    ) -> BoxFuture<'a, Result<String, CallError>> {
        step(
            C::KIND,
            "create_task",
            Calls::create_task(self, person, deal, task),
        )
    }

    fn attached<'a>(
        &'a self,
        person: &'a str,
        kind: Attach,
        sent: &'a [String],
    ) -> BoxFuture<'a, Result<Option<Vec<Attached>>, CallError>> {
        step(
            C::KIND,
            "attached",
            Calls::attached(self, person, kind, sent),
        )
    }

    fn erase<'a>(&'a self, links: &'a CrmLinks) -> BoxFuture<'a, Result<(), CallError>> {
        step(C::KIND, "erase", Calls::erase(self, links))
    }

    fn record_url(&self, person_id: &str) -> Option<String> {
        Calls::record_url(self, person_id)
    }

    fn sync_batch<'a>(&'a self, batch: &'a [BatchItem]) -> Option<BoxFuture<'a, Vec<SyncOutcome>>> {
        let run = Calls::sync_batch(self, batch)?;
        let span = tracing::debug_span!(
            "crm",
            crm = C::KIND.name(),
            op = "sync_batch",
            leads = batch.len()
        );
        Some(run.instrument(span).boxed())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::{Context, SubscriberExt};

    use super::*;

    /// A connector whose calls all fail, to see what the adapter makes of them.
    struct Refusing;

    impl Calls for Refusing {
        const KIND: CrmKind = CrmKind::Pipedrive;

        async fn find_person(&self, _: FindKey<'_>) -> Result<Option<PersonRecord>, CallError> {
            Err(CallError::auth("refused"))
        }
        async fn get_person(&self, _: &str) -> Result<Option<PersonRecord>, CallError> {
            Ok(None)
        }
        async fn create_person(&self, _: &PersonFields) -> Result<String, CallError> {
            Ok("1".into())
        }
        async fn update_person(&self, _: &str, _: &PersonFields) -> Result<(), CallError> {
            Ok(())
        }
        async fn create_deal(&self, _: &str, _: &DealFields) -> Result<String, CallError> {
            Ok("2".into())
        }
        async fn update_deal(&self, _: &str, _: &DealFields) -> Result<(), CallError> {
            Ok(())
        }
        async fn create_note(
            &self,
            _: &str,
            _: Option<&str>,
            _: &NoteFields,
        ) -> Result<String, CallError> {
            Ok("3".into())
        }
        async fn update_note(&self, _: &str, _: &NoteFields) -> Result<(), CallError> {
            Ok(())
        }
        async fn create_task(
            &self,
            _: &str,
            _: Option<&str>,
            _: &TaskFields,
        ) -> Result<String, CallError> {
            Ok("4".into())
        }
        async fn erase(&self, _: &CrmLinks) -> Result<(), CallError> {
            Ok(())
        }
    }

    /// Every span opened, as `name field=value …`.
    #[derive(Clone, Default)]
    struct Spans(Arc<Mutex<Vec<String>>>);

    struct Line<'a>(&'a mut String);

    impl tracing::field::Visit for Line<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {field}={value:?}"));
        }
    }

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Spans {
        fn on_new_span(
            &self,
            attrs: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: Context<'_, S>,
        ) {
            let mut line = attrs.metadata().name().to_owned();
            attrs.record(&mut Line(&mut line));
            self.0.lock().unwrap().push(line);
        }
    }

    #[tokio::test]
    async fn every_call_runs_in_a_span_naming_the_crm_and_the_operation() {
        let spans = Spans::default();
        let subscriber = tracing_subscriber::registry().with(spans.clone());
        let _guard = tracing::subscriber::set_default(subscriber);
        let api: &dyn CrmApi = &Refusing;
        let email = crate::lead::Email::parse("a@b.pl").unwrap();
        let refused = api.find_person(FindKey::Email(&email)).await;
        assert_eq!(refused.unwrap_err().class(), "auth");
        assert_eq!(api.kind(), CrmKind::Pipedrive);
        api.link_note("3", "2").await.unwrap();
        assert_eq!(api.attached("1", Attach::Note, &[]).await, Ok(None));
        assert!(api.sync_batch(&[]).is_none());
        assert_eq!(
            *spans.0.lock().unwrap(),
            [
                r#"crm crm="pipedrive" op="find_person""#,
                r#"crm crm="pipedrive" op="link_note""#,
                r#"crm crm="pipedrive" op="attached""#,
            ]
        );
    }
}
