//! The progressive-profiling planner: whether a lead may go to a CRM yet, and what to send —
//! the person's fields, the deal once qualified, the conversation's note and the follow-up
//! task. Pure functions of the lead, its conversation and the configuration.

use std::fmt::Write as _;

use crate::config::{Config, MinFields, SiteConfig, SyncConfig};
use crate::crm::progressive::SyncInput;
use crate::crm::{CustomFields, DealFields, NoteFields, PersonFields, TaskFields};
use crate::lead::{Lead, Score, ScoringRules, display_name, person_key, summary};
use crate::store::{ConversationRow, JobKind, MessageRow, NewJob};

/// Where one CRM keeps leadgate's own values: fields on the person and on the deal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomFieldNames {
    pub person: CustomFields,
    pub deal: CustomFields,
}

/// Whether a lead may be sent to a CRM: not a test or junk entry, consent given where it is
/// required, and the site's minimum contact fields known.
pub fn syncable(lead: &Lead, conversation: &ConversationRow, min: MinFields) -> bool {
    let consent_ok = !conversation.consent_required || conversation.consent_granted == Some(true);
    let contact = match min {
        MinFields::EmailOrPhone => lead.email.is_some() || lead.phone.is_some(),
        MinFields::Email => lead.email.is_some(),
        MinFields::Phone => lead.phone.is_some(),
        MinFields::EmailAndPhone => lead.email.is_some() && lead.phone.is_some(),
    };
    !lead.is_test && consent_ok && conversation.erased_ms.is_none() && contact
}

/// The outbox jobs a changed lead causes: a sync to the site's CRM once the lead may go there,
/// and a sales alert once it is alerted (updates follow in the alert's thread after that).
pub fn jobs_for(config: &Config, c: &ConversationRow, lead: &Lead, score: &Score) -> Vec<NewJob> {
    let mut jobs = Vec::new();
    let Some(site) = config.site(&c.site) else {
        return jobs;
    };
    if site.crm != crate::crm::CrmKind::None && syncable(lead, c, config.sync.min_fields) {
        jobs.push(NewJob {
            kind: JobKind::CrmSync,
            target: site.crm.name().to_owned(),
            person_key: person_key(lead),
            revision: 0,
        });
    }
    if let Some(slack) = &config.alerts.slack
        && !lead.is_test
        && (slack.alerts(&config.scoring, lead, score) || c.qualified_ms.is_some())
    {
        jobs.push(NewJob {
            kind: JobKind::SlackAlert,
            target: SLACK.to_owned(),
            person_key: None,
            revision: 0,
        });
    }
    jobs
}

/// The job that sends a channel conversation's replies up to `last_seq`, when the conversation
/// is on a channel (WhatsApp, Messenger, Instagram) rather than the widget.
pub fn delivery_job(c: &ConversationRow, last_seq: i64) -> Option<NewJob> {
    let bridge = crate::channels::bridge(crate::lead::Channel::parse(&c.channel)?)?;
    Some(NewJob {
        kind: JobKind::ChannelSend,
        target: bridge.to_owned(),
        person_key: None,
        revision: last_seq,
    })
}

/// The job that brings a lead's alert thread up to date (notes, the visitor's messages once a
/// rep has claimed the lead), when Slack alerts are on.
pub fn thread_job(config: &Config) -> Option<NewJob> {
    config.alerts.slack.as_ref().map(|_| NewJob {
        kind: JobKind::SlackThread,
        target: SLACK.to_owned(),
        person_key: None,
        revision: stamp(),
    })
}

/// A revision for jobs that show state as it stands (a thread, an alert, a deal read back):
/// later than any given before, so that a job queued while the same job runs is not merged
/// into that run (which may have read the state before the change) but runs again after it.
pub fn stamp() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = crate::store::now_ms();
    let previous = LAST
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
            Some(now.max(last + 1))
        })
        .unwrap_or(now);
    now.max(previous + 1)
}

/// The job that shows a lead's alert as it stands now.
pub fn alert_update_job(config: &Config) -> Option<NewJob> {
    config.alerts.slack.as_ref().map(|_| NewJob {
        kind: JobKind::SlackUpdate,
        target: SLACK.to_owned(),
        person_key: None,
        revision: stamp(),
    })
}

/// The target name of Slack alerts.
pub const SLACK: &str = "slack";

/// Everything the planner reads about one lead.
pub struct LeadView<'a> {
    pub conversation: &'a ConversationRow,
    pub messages: &'a [MessageRow],
    pub lead: &'a Lead,
    pub site: &'a SiteConfig,
    /// A link to the conversation for the sales rep, when the gateway has a public URL.
    pub conversation_url: Option<String>,
}

/// Builds one lead's sync.
pub fn sync_input(
    view: &LeadView<'_>,
    rules: &ScoringRules,
    sync: &SyncConfig,
    names: &CustomFieldNames,
    now_ms: i64,
) -> SyncInput {
    let lead = view.lead;
    let score = rules.score(lead);
    let values = |fields: &CustomFields| {
        fields.values(
            Some(score.total),
            Some(&sync.lead_source),
            Some(&view.conversation.channel),
            view.conversation_url.as_deref(),
        )
    };
    let person = PersonFields {
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        first_name: lead.name.as_ref().map(|n| n.first().to_owned()),
        last_name: lead.name.as_ref().and_then(|n| n.last().map(str::to_owned)),
        company: lead.company.as_ref().map(|c| c.as_str().to_owned()),
        job_title: lead.job_title.as_ref().map(|t| t.as_str().to_owned()),
        owner: view.conversation.owner_crm_id.clone(),
        custom: values(&names.person),
    };
    // A rep who marked it as not a lead keeps it out of the pipeline: no deal is made, and a
    // deal made before is not touched again; no follow-up task either.
    let junk = view.conversation.not_a_lead;
    let deal = (!junk && rules.qualifies(lead, &score)).then(|| DealFields {
        title: format!("{} – chat lead", display_name(lead)),
        amount: lead.budget.and_then(|b| b.max().or(b.min())),
        currency: lead
            .budget
            .and_then(|b| b.currency())
            .map(|c| c.code().to_owned()),
        owner: view.conversation.owner_crm_id.clone(),
        custom: values(&names.deal),
    });
    let task = TaskFields {
        subject: format!(
            "Follow up with {} (chat lead, score {})",
            display_name(lead),
            score.total
        ),
        body: task_body(lead, &score),
        due_ms: now_ms + i64::from(sync.task_due_hours) * 3_600_000,
    };
    SyncInput {
        person,
        deal,
        note: NoteFields {
            body: note_body(view, &score, sync.transcript_messages),
        },
        task: (!junk).then_some(task),
        policy: sync.overwrite.clone(),
    }
}

/// The follow-up task: the summary, then what the visitor asked for and when, and the
/// questions left for the rep.
fn task_body(lead: &Lead, score: &Score) -> String {
    let mut body = summary(lead, score);
    if let Some(r) = &lead.request {
        let _ = write!(body, "\nThe visitor asked for a {}", r.kind.as_str());
        if let Some(when) = &r.when {
            let _ = write!(body, ", at this time: {when}");
        }
        body.push('.');
    }
    for q in &lead.open_questions {
        let _ = write!(body, "\nOpen question: {q}");
    }
    body
}

/// The CRM note: summary, captured fields, score breakdown and the last messages.
pub fn note_body(view: &LeadView<'_>, score: &Score, transcript_messages: usize) -> String {
    let lead = view.lead;
    let site = if view.site.name.is_empty() {
        &view.site.key
    } else {
        &view.site.name
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Chat lead from {site} ({} channel)",
        view.conversation.channel
    );
    let _ = writeln!(out, "{}", summary(lead, score));
    out.push('\n');
    write_captured(&mut out, lead);
    out.push('\n');
    let _ = writeln!(out, "Score {}:", score.total);
    for item in &score.breakdown {
        let _ = writeln!(out, "- +{} {}", item.points, item.reason);
    }
    let shown = view.messages.len().min(transcript_messages);
    if shown > 0 {
        out.push('\n');
        let _ = writeln!(
            out,
            "Conversation (last {shown} of {} messages):",
            view.messages.len()
        );
        for m in &view.messages[view.messages.len() - shown..] {
            let who = if m.role == "visitor" {
                "Visitor"
            } else {
                "Assistant"
            };
            let text: String = m.text.chars().take(500).collect();
            let _ = writeln!(out, "{who}: {text}");
        }
    }
    if let Some(url) = &view.conversation_url {
        out.push('\n');
        let _ = writeln!(out, "Full conversation: {url}");
    }
    // CRMs cap note sizes (HubSpot at 65,536 characters).
    if out.chars().count() > 60_000 {
        out = out.chars().take(60_000).collect();
    }
    out
}

/// The note's list of the lead's facts, one `- Label: value` line each, after `Captured:`.
fn write_captured(out: &mut String, lead: &Lead) {
    out.push_str("Captured:\n");
    let mut field = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            let _ = writeln!(out, "- {label}: {v}");
        }
    };
    field("Name", lead.name.as_ref().map(ToString::to_string));
    field("Email", lead.email.as_ref().map(ToString::to_string));
    field("Phone", lead.phone.as_ref().map(ToString::to_string));
    field("Company", lead.company.as_ref().map(ToString::to_string));
    field("Role", lead.job_title.as_ref().map(ToString::to_string));
    field(
        "Company size",
        lead.company_size.map(|s| format!("{} people", s.people())),
    );
    field("Budget", lead.budget.map(|b| b.to_string()));
    field(
        "Timeline",
        lead.timeline_days
            .map(|t| format!("{} days from the first message", t.days())),
    );
    field(
        "Decision maker",
        lead.decision_maker
            .map(|d| if d { "yes".to_owned() } else { "no".to_owned() }),
    );
    field(
        "Competitors",
        (!lead.competitors.is_empty()).then(|| lead.competitors.join(", ")),
    );
    field(
        "Questions asked",
        (lead.questions > 0).then(|| lead.questions.to_string()),
    );
    field("Asked for", lead.request.as_ref().map(ToString::to_string));
    for q in &lead.open_questions {
        field("Open question", Some(q.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::{Budget, Company, Email, PersonName, PhoneE164, Timeline};

    fn conversation() -> ConversationRow {
        ConversationRow {
            id: "c1".into(),
            site: "demo".into(),
            channel: "web".into(),
            external_id: None,
            channel_account: None,
            locale: Some("pl-PL".into()),
            region: Some("PL".into()),
            page_url: None,
            contact_json: None,
            started_ms: 0,
            updated_ms: 0,
            last_seq: 2,
            consent_required: false,
            consent_granted: None,
            lead_json: None,
            lead_revision: 1,
            score: 0,
            qualified_ms: None,
            engine_state: None,
            erased_ms: None,
            owner_slack_id: None,
            owner_name: None,
            owner_crm_id: None,
            claimed_ms: None,
            not_a_lead: false,
            human_since_ms: None,
            human_last_ms: None,
        }
    }

    fn lead() -> Lead {
        Lead {
            name: Some(PersonName::parse("Anna Nowak").unwrap()),
            email: Some(Email::parse("anna@firma.pl").unwrap()),
            phone: Some(PhoneE164::parse("+48601234567", None).unwrap()),
            company: Some(Company::parse("Firma Sp. z o.o.").unwrap()),
            budget: Some(
                Budget::new(
                    Some(20000),
                    Some(30000),
                    Some(crate::lead::Currency::parse("PLN").unwrap()),
                )
                .unwrap(),
            ),
            timeline_days: Some(Timeline::from_days(14).unwrap()),
            decision_maker: Some(true),
            ..Lead::default()
        }
    }

    #[test]
    fn only_real_consented_contactable_leads_sync() {
        let c = conversation();
        assert!(syncable(&lead(), &c, MinFields::EmailOrPhone));
        let no_contact = Lead {
            email: None,
            phone: None,
            ..lead()
        };
        assert!(!syncable(&no_contact, &c, MinFields::EmailOrPhone));
        let phone_only = Lead {
            email: None,
            ..lead()
        };
        assert!(syncable(&phone_only, &c, MinFields::Phone));
        assert!(!syncable(&phone_only, &c, MinFields::Email));
        let test = Lead {
            is_test: true,
            ..lead()
        };
        assert!(!syncable(&test, &c, MinFields::EmailOrPhone));
        let waiting = ConversationRow {
            consent_required: true,
            consent_granted: None,
            ..conversation()
        };
        assert!(!syncable(&lead(), &waiting, MinFields::EmailOrPhone));
    }

    #[test]
    fn input_carries_person_deal_note_and_task() {
        let site = SiteConfig {
            name: "Acme".into(),
            ..SiteConfig::demo()
        };
        let msgs = vec![MessageRow {
            conversation_id: "c1".into(),
            seq: 1,
            id: "m1".into(),
            role: "visitor".into(),
            text: "Anna Nowak, anna@firma.pl".into(),
            client_msg_id: None,
            quick_replies: None,
            asked: None,
            created_ms: 0,
            author: None,
        }];
        let c = conversation();
        let l = lead();
        let view = LeadView {
            conversation: &c,
            messages: &msgs,
            lead: &l,
            site: &site,
            conversation_url: Some("https://gw/c/1".into()),
        };
        let names = CustomFieldNames {
            person: CustomFields {
                score: Some("leadgate_score".into()),
                ..CustomFields::default()
            },
            deal: CustomFields::default(),
        };
        let input = sync_input(
            &view,
            &ScoringRules::default(),
            &SyncConfig::default(),
            &names,
            1_000,
        );
        assert_eq!(input.person.first_name.as_deref(), Some("Anna"));
        assert_eq!(input.person.custom["leadgate_score"], 60);
        let deal = input.deal.expect("60 >= 50 qualifies");
        assert_eq!(deal.amount, Some(30000));
        assert_eq!(deal.currency.as_deref(), Some("PLN"));
        assert!(
            input
                .note
                .body
                .contains("Visitor: Anna Nowak, anna@firma.pl")
        );
        assert!(input.note.body.contains("+25 decides or owns the budget"));
        assert!(input.note.body.contains("https://gw/c/1"));
        assert_eq!(input.task.unwrap().due_ms, 1_000 + 24 * 3_600_000);
    }

    #[test]
    fn summaries_read_like_a_sentence() {
        let s = summary(&lead(), &ScoringRules::default().score(&lead()));
        assert_eq!(
            s,
            "Anna Nowak, at Firma Sp. z o.o. — budget 20000–30000 PLN, starts in 14 days, decides (score 60)"
        );
        assert_eq!(
            person_key(&Lead {
                email: None,
                ..lead()
            })
            .as_deref(),
            Some("+48601234567")
        );
    }
}
