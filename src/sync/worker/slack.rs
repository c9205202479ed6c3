//! The Slack target: a lead's sales alert once it qualifies, and a follow-up in the alert's
//! thread when it changed materially or reached the CRM.

use super::Worker;
use crate::alerts::SlackAlerter;
use crate::alerts::alert::{Alert, changed_fields, digest};
use crate::lead::Lead;
use crate::outbound::CallError;
use crate::store::{AlertRow, ConversationRow, JobEnd, JobRow, StoreError};

impl Worker {
    pub(super) async fn run_slack(&self, alerter: &SlackAlerter, jobs: Vec<JobRow>) {
        for job in jobs {
            let (conversation, lead) = match self.load(&job).await {
                Ok(Some(loaded)) => loaded,
                // Gone or erased: there is nothing to alert about.
                Ok(None) => {
                    self.end(&job, JobEnd::Done).await;
                    continue;
                }
                Err(e) => {
                    self.store_failed(&job, e).await;
                    continue;
                }
            };
            let end = match self.alert(alerter, &job, &conversation, &lead).await {
                Ok(()) => JobEnd::Done,
                Err(e) => self.failed(&job, &e).await,
            };
            self.end(&job, end).await;
        }
    }

    /// Sends the lead's first alert, or a follow-up in its thread when it changed materially.
    async fn alert(
        &self,
        alerter: &SlackAlerter,
        job: &JobRow,
        c: &ConversationRow,
        lead: &Lead,
    ) -> Result<(), CallError> {
        let score = self.config.scoring_on(&c.site).score(lead);
        let previous = self.store.alert(&c.id).await.map_err(store_err)?;
        let due = self
            .config
            .alerts
            .slack
            .as_ref()
            .is_some_and(|s| s.alerts(&self.config.scoring, lead, &score));
        if lead.is_test || (previous.is_none() && !due) {
            return Ok(());
        }
        let alert = crate::sync::alert::current_alert(
            &self.store,
            &self.config,
            &self.links,
            c,
            lead,
            &score,
        )
        .await
        .map_err(store_err)?;
        let sent = Sent {
            score: i64::from(score.total),
            digest: digest(lead, score.total),
            with_link: alert.crm_button.is_some(),
        };
        match previous {
            None => self.post_first(alerter, job, c, &alert, &sent).await,
            Some(before) => self.post_update(alerter, c, alert, &before, &sent).await,
        }
    }

    /// Posts the lead's first alert and records it.
    async fn post_first(
        &self,
        alerter: &SlackAlerter,
        job: &JobRow,
        c: &ConversationRow,
        alert: &Alert,
        sent: &Sent,
    ) -> Result<(), CallError> {
        let posted = crate::sync::first_alert::post(&self.store, alerter, job, alert).await?;
        self.store
            .save_alert(
                &c.id,
                posted.channel.as_deref(),
                posted.ts.as_deref(),
                sent.score,
                &sent.digest,
                sent.with_link,
            )
            .await
            .map_err(store_err)?;
        // Notes written before the alert existed (a claim cannot come first, but a
        // hand-off note can) go in its thread now.
        if posted.ts.is_some()
            && let Some(job) = crate::sync::plan::thread_job(&self.config)
        {
            let _ = self.store.enqueue(&c.id, &[job]).await;
        }
        metrics::counter!("leadgate_alerts_sent_total").increment(1);
        if let Some(q) = c.qualified_ms {
            let delay = (crate::store::now_ms() - q).max(0) as f64 / 1000.0;
            metrics::histogram!("leadgate_alert_delay_seconds").record(delay);
        }
        Ok(())
    }

    /// Posts what changed since the alert `before` in its thread, when anything did.
    async fn post_update(
        &self,
        alerter: &SlackAlerter,
        c: &ConversationRow,
        mut alert: Alert,
        before: &AlertRow,
        sent: &Sent,
    ) -> Result<(), CallError> {
        let changed = changed_fields(&before.digest, &sent.digest);
        let link_is_new = sent.with_link && !before.with_crm_link;
        if changed.is_empty() && !link_is_new {
            return Ok(());
        }
        alert.update = Some(if changed.is_empty() {
            "now in the CRM".to_owned()
        } else {
            changed.join(", ")
        });
        let posted = alerter.post(&alert, before.thread_ts.as_deref()).await?;
        // An update in the thread names the visitor too: an erasure deletes it.
        if let (Some(channel), Some(ts)) = (&posted.channel, &posted.ts) {
            self.store
                .save_slack_post(&c.id, channel, ts)
                .await
                .map_err(store_err)?;
        }
        self.store
            .save_alert(&c.id, None, None, sent.score, &sent.digest, sent.with_link)
            .await
            .map_err(store_err)?;
        Ok(())
    }
}

/// What an alert shows, as recorded once it is posted.
struct Sent {
    score: i64,
    digest: String,
    with_link: bool,
}

fn store_err(e: StoreError) -> CallError {
    CallError::retryable(e.to_string(), None)
}
