//! What sales reps do from Slack: claim a lead, mark it as not a lead, talk in the alert's
//! thread; and what the CRM reports back about the deal. Every rep action is a lead revision
//! naming who did it.

use super::{BeginWrite, Store, StoreError, now_ms, on_pool};

/// What a claim came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This rep has it now.
    Won,
    /// Another rep had it already: their Slack id and name.
    Taken {
        slack_id: String,
        name: Option<String>,
    },
    /// No such conversation, or it was erased.
    Gone,
}

/// A rep, as Slack names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rep {
    pub slack_id: String,
    pub name: String,
}

impl Rep {
    /// How revisions name the rep.
    pub fn actor(&self) -> String {
        format!("slack:{} ({})", self.slack_id, self.name)
    }
}

/// The deal as the CRM reports it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct DealOutcome {
    pub conversation_id: String,
    pub target: String,
    pub deal_id: String,
    pub stage: Option<String>,
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub owner: Option<String>,
    pub won: bool,
    pub lost: bool,
    pub changed_ms: i64,
}

/// Records a rep's action as a revision of the lead (its JSON unchanged).
const ACTION_REVISION: &str = "INSERT INTO lead_revisions (conversation_id, revision, message_seq, changes_json, lead_json, score, created_ms, actor) \
    SELECT id, lead_revision + 1, NULL, $2, COALESCE(lead_json, '{}'), score, $3, $4 FROM conversations WHERE id = $1";
const BUMP_REVISION: &str =
    "UPDATE conversations SET lead_revision = lead_revision + 1, updated_ms = $2 WHERE id = $1";

impl Store {
    /// Claims a lead for a rep, unless another rep has it: two clicks at once, one wins.
    pub async fn claim(
        &self,
        conversation_id: &str,
        rep: &Rep,
        crm_owner: Option<&str>,
    ) -> Result<Claim, StoreError> {
        let now = now_ms();
        let changes =
            serde_json::json!({"owner": {"old": null, "new": rep.name}, "crm_owner": crm_owner})
                .to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let won = sqlx::query(
                "UPDATE conversations SET owner_slack_id = $2, owner_name = $3, owner_crm_id = $4, claimed_ms = $5 \
                 WHERE id = $1 AND owner_slack_id IS NULL AND erased_ms IS NULL",
            )
            .bind(conversation_id)
            .bind(&rep.slack_id)
            .bind(&rep.name)
            .bind(crm_owner)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            if won {
                // The thread shows the visitor's messages from the claim on.
                sqlx::query("UPDATE alerts SET relayed_seq = (SELECT last_seq FROM conversations WHERE id = $1) WHERE conversation_id = $1")
                    .bind(conversation_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(ACTION_REVISION).bind(conversation_id).bind(&changes).bind(now).bind(rep.actor()).execute(&mut *tx).await?;
                sqlx::query(BUMP_REVISION).bind(conversation_id).bind(now).execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(Claim::Won);
            }
            let holder: Option<(Option<String>, Option<String>, Option<i64>)> = sqlx::query_as(
                "SELECT owner_slack_id, owner_name, erased_ms FROM conversations WHERE id = $1",
            )
            .bind(conversation_id)
            .fetch_optional(&mut *tx)
            .await?;
            tx.rollback().await?;
            Ok(match holder {
                Some((Some(slack_id), name, None)) => Claim::Taken { slack_id, name },
                _ => Claim::Gone,
            })
        })
    }

    /// Marks a lead as not a lead; `false` when it was already (nothing changes twice).
    pub async fn mark_not_a_lead(
        &self,
        conversation_id: &str,
        rep: &Rep,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let changes = serde_json::json!({"not_a_lead": {"old": false, "new": true}}).to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let changed = sqlx::query("UPDATE conversations SET not_a_lead = TRUE WHERE id = $1 AND NOT not_a_lead AND erased_ms IS NULL")
                .bind(conversation_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            if changed {
                sqlx::query(ACTION_REVISION).bind(conversation_id).bind(&changes).bind(now).bind(rep.actor()).execute(&mut *tx).await?;
                sqlx::query(BUMP_REVISION).bind(conversation_id).bind(now).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(changed)
        })
    }

    /// Sets the display name of a claimed lead's rep, once Slack told it.
    pub async fn set_owner_name(
        &self,
        conversation_id: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE conversations SET owner_name = $2 WHERE id = $1 AND owner_slack_id IS NOT NULL")
                .bind(conversation_id)
                .bind(name)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Conversations a rep holds but has been silent in since `before_ms`.
    pub async fn idle_holds(&self, before_ms: i64) -> Result<Vec<String>, StoreError> {
        let ids = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM conversations WHERE human_since_ms IS NOT NULL AND human_last_ms < $1 LIMIT 500")
                .bind(before_ms)
                .fetch_all(pool)
                .await?
        });
        Ok(ids)
    }

    /// The conversation whose alert is the Slack message `ts` in `channel`.
    pub async fn conversation_by_alert(
        &self,
        channel: &str,
        ts: &str,
    ) -> Result<Option<String>, StoreError> {
        let id = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT conversation_id FROM alerts WHERE channel = $1 AND thread_ts = $2")
                .bind(channel)
                .bind(ts)
                .fetch_optional(pool)
                .await?
        });
        Ok(id)
    }

    /// Remembers an event id; `true` the first time it is seen.
    pub async fn first_seen(&self, source: &str, event_id: &str) -> Result<bool, StoreError> {
        let n = on_pool!(self, pool => {
            sqlx::query("INSERT INTO seen_events (source, event_id, seen_ms) VALUES ($1, $2, $3) ON CONFLICT (source, event_id) DO NOTHING")
                .bind(source)
                .bind(event_id)
                .bind(now_ms())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Queues a note for the lead's alert thread.
    pub async fn add_note(&self, conversation_id: &str, text: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO slack_notes (conversation_id, text, created_ms) VALUES ($1, $2, $3)")
                .bind(conversation_id)
                .bind(text)
                .bind(now_ms())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Notes not yet posted in the thread, oldest first.
    pub async fn open_notes(
        &self,
        conversation_id: &str,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, text FROM slack_notes WHERE conversation_id = $1 AND posted_ms IS NULL ORDER BY id")
                .bind(conversation_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// Marks a note posted.
    pub async fn note_posted(&self, id: i64) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE slack_notes SET posted_ms = $2 WHERE id = $1")
                .bind(id)
                .bind(now_ms())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The visitor messages up to `seq` were relayed to the alert's thread.
    pub async fn set_relayed(&self, conversation_id: &str, seq: i64) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE alerts SET relayed_seq = $2 WHERE conversation_id = $1 AND relayed_seq < $2")
                .bind(conversation_id)
                .bind(seq)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The conversation a CRM's deal belongs to.
    pub async fn conversation_by_deal(
        &self,
        target: &str,
        deal_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let id = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT conversation_id FROM crm_links WHERE target = $1 AND deal_id = $2")
                .bind(target)
                .bind(deal_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(id)
    }

    /// The id of the deal a conversation has in a CRM.
    pub async fn deal_of(
        &self,
        conversation_id: &str,
        target: &str,
    ) -> Result<Option<String>, StoreError> {
        let id: Option<Option<String>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT deal_id FROM crm_links WHERE conversation_id = $1 AND target = $2")
                .bind(conversation_id)
                .bind(target)
                .fetch_optional(pool)
                .await?
        });
        Ok(id.flatten())
    }

    /// The deal as last reported.
    pub async fn deal_outcome(
        &self,
        conversation_id: &str,
        target: &str,
    ) -> Result<Option<DealOutcome>, StoreError> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, DealOutcome>(
                "SELECT conversation_id, target, deal_id, stage, amount, currency, owner, won, lost, changed_ms \
                 FROM deal_outcomes WHERE conversation_id = $1 AND target = $2",
            )
            .bind(conversation_id)
            .bind(target)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
    }

    /// Stores what the CRM reports about a deal.
    pub async fn save_deal_outcome(&self, o: &DealOutcome) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO deal_outcomes (conversation_id, target, deal_id, stage, amount, currency, owner, won, lost, changed_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (conversation_id, target) DO UPDATE SET \
                 deal_id = excluded.deal_id, stage = excluded.stage, amount = excluded.amount, currency = excluded.currency, \
                 owner = excluded.owner, won = excluded.won, lost = excluded.lost, changed_ms = excluded.changed_ms",
            )
            .bind(&o.conversation_id)
            .bind(&o.target)
            .bind(&o.deal_id)
            .bind(&o.stage)
            .bind(o.amount)
            .bind(&o.currency)
            .bind(&o.owner)
            .bind(o.won)
            .bind(o.lost)
            .bind(o.changed_ms)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
