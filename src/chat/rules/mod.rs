//! The built-in rule engine: a polite sales assistant, offline and deterministic. Each turn it
//! confirms what it just captured, answers a question from the site's FAQ, accepts a refusal,
//! and asks for the most valuable missing field — contact first, then name and company, then
//! budget, timeline and who decides — never the same thing twice in a row; when nothing is
//! missing it offers a human follow-up.

mod planner;
#[cfg(test)]
mod tests;
mod wording;

use std::collections::BTreeMap;

use futures_util::future::BoxFuture;

use crate::chat::budget_buttons::{budget_buttons, visitor_currency};
use crate::chat::engine::{Ask, BotReply, Engine, EngineInput, EngineOutput, EngineState, Handoff};
use crate::chat::prompts::{Faq, Prompts, Templates, pick};
use crate::config::SiteConfig;
use crate::lead::text::fold_case;
use crate::lead::{Lang, ScoringRules};
use planner::{is_refusal, lead_mentions_contact, next_ask, still_missing};
use wording::{ask_text, budget_to_confirm, captured_fields, join_list, request_ack, tidy};

/// The rule engine with its templates and FAQ.
pub struct RuleEngine {
    prompts: Prompts,
    faq: Faq,
    /// What one unit of each currency is worth (`[scoring] currency_rates`), for the budget
    /// buttons in the visitor's currency.
    rates: BTreeMap<String, f64>,
}

impl RuleEngine {
    /// An engine with these templates and FAQ.
    pub fn new(prompts: Prompts, faq: Faq) -> RuleEngine {
        RuleEngine {
            prompts,
            faq,
            rates: ScoringRules::default().currency_rates,
        }
    }

    /// The same engine converting budget buttons with this currency table.
    pub fn with_currency_rates(self, rates: BTreeMap<String, f64>) -> RuleEngine {
        RuleEngine { rates, ..self }
    }

    /// The FAQ it answers from.
    pub fn faq(&self) -> &Faq {
        &self.faq
    }

    /// The suggested answers to a question; budget ranges in the visitor's currency.
    fn quick_replies(&self, t: &Templates, ask: Ask, visitor: &VisitorView<'_>) -> Vec<String> {
        match ask {
            Ask::Budget => {
                let visitor_texts = visitor
                    .history
                    .iter()
                    .filter(|m| m.role == "visitor")
                    .map(|m| m.text.as_str())
                    .chain([visitor.text]);
                let currency = visitor_currency(visitor_texts, visitor.lang, visitor.region);
                budget_buttons(&t.quick_replies.budget, visitor.lang, currency, &self.rates)
            }
            Ask::Timeline => t.quick_replies.timeline.clone(),
            Ask::Decision => t.quick_replies.decision.clone(),
            _ => Vec::new(),
        }
    }

    /// Plans one turn: what to say and ask, and the state after it.
    pub fn turn(&self, input: EngineInput<'_>) -> EngineOutput {
        let t = self.prompts.get_in(input.lang, input.site.register);
        let mut input = input;
        let mut st = std::mem::take(&mut input.state);
        st.turn += 1;
        let lower = fold_case(input.visitor_text);
        let last_ask = st.asked.last().copied();
        if let Some(reply) = handoff_answer(t, &mut st, &lower) {
            return EngineOutput {
                replies: vec![reply],
                state: st,
                open_question: None,
            };
        }
        let (parts, open_question) = self.acknowledge(t, &input, &mut st, &lower, last_ask);
        let reply = self.ask(t, &input, &mut st, last_ask, parts);
        EngineOutput {
            replies: vec![reply],
            state: st,
            open_question,
        }
    }

    /// What the turn says before its question: the fields just captured, "no problem" to a
    /// refusal, the acknowledgement of a request, the FAQ's answer (or word that the rep will
    /// answer, with the question returned as open), and the consent reminder.
    fn acknowledge(
        &self,
        t: &Templates,
        input: &EngineInput<'_>,
        st: &mut EngineState,
        lower: &str,
        last_ask: Option<Ask>,
    ) -> (Vec<String>, Option<String>) {
        let mut parts: Vec<String> = Vec::new();
        let captured = captured_fields(t, input.previous, input.lead);
        if !captured.is_empty() {
            let name_suffix = input
                .lead
                .name
                .as_ref()
                .map(|n| format!(", {}", n.first()))
                .unwrap_or_default();
            let list = join_list(&captured, &t.and);
            parts.push(
                pick(&t.captured, st.turn)
                    .replace("{name_suffix}", &name_suffix)
                    .replace("{fields}", &list),
            );
        }
        if let Some(ask) = last_ask
            && still_missing(ask, input.lead)
            && is_refusal(lower)
            && !st.refused.contains(&ask)
        {
            st.refused.push(ask);
            parts.push(pick(&t.no_problem, st.turn).to_owned());
        }
        let new_request = request_ack(t, input.previous, input.lead, st.turn);
        let requested = new_request.is_some();
        parts.extend(new_request);
        if input.lead.request.is_some() && st.handoff == Handoff::NotOffered {
            // The visitor asked for someone already: no need to offer it.
            st.handoff = Handoff::Accepted;
        }
        let mut open_question = None;
        if crate::lead::extract::is_question(lower) {
            match self.faq.answer(lower, input.lang) {
                Some(answer) => parts.push(answer.to_owned()),
                // A request is answered by its acknowledgement; any other question the FAQ
                // cannot answer goes to the rep, and the visitor is told so.
                None if requested => {}
                None => {
                    parts.push(pick(&t.question_noted, st.turn).to_owned());
                    open_question =
                        Some(crate::lead::text::truncate(input.visitor_text, 500).to_owned());
                }
            }
        }
        let gave_contact =
            input.previous.email.is_none() && lead_mentions_contact(input.visitor_text);
        if input.consent_missing && gave_contact && !st.consent_reminded {
            st.consent_reminded = true;
            parts.push(pick(&t.consent_needed, st.turn).to_owned());
        }
        (parts, open_question)
    }

    /// The reply: `parts` and then the turn's question (a budget to confirm, the next missing
    /// field with its suggested answers, or the offer of a human), or a closing line.
    fn ask(
        &self,
        t: &Templates,
        input: &EngineInput<'_>,
        st: &mut EngineState,
        last_ask: Option<Ask>,
        mut parts: Vec<String>,
    ) -> BotReply {
        let mut reply = BotReply {
            text: String::new(),
            quick_replies: Vec::new(),
            asked: None,
        };
        let confirm = budget_to_confirm(input.previous, input.lead);
        match confirm.map(|b| (Ask::Confirm, b)).or_else(|| {
            next_ask(input.lead, st, last_ask, input.consent_missing).map(|a| (a, String::new()))
        }) {
            Some((Ask::Confirm, value)) => {
                st.asked.push(Ask::Confirm);
                parts.push(pick(&t.confirm_budget, st.turn).replace("{value}", &value));
                reply.quick_replies = vec![pick(&t.yes, 0).to_owned(), pick(&t.no, 0).to_owned()];
                reply.asked = Some(Ask::Confirm);
            }
            Some((ask, _)) => {
                st.asked.push(ask);
                parts.push(ask_text(t, ask, st.turn).to_owned());
                reply.quick_replies = self.quick_replies(t, ask, &visitor_view(input));
                reply.asked = Some(ask);
            }
            None if st.handoff == Handoff::NotOffered => {
                st.handoff = Handoff::Offered;
                st.asked.push(Ask::Handoff);
                parts.push(pick(&t.handoff_offer, st.turn).to_owned());
                reply.quick_replies = vec![pick(&t.yes, 0).to_owned(), pick(&t.no, 0).to_owned()];
                reply.asked = Some(Ask::Handoff);
            }
            None => {
                if parts.is_empty() {
                    parts.push(pick(&t.anything_else, st.turn).to_owned());
                }
            }
        }
        if parts.is_empty() {
            parts.push(pick(&t.fallback, st.turn).to_owned());
        }
        reply.text = tidy(&parts.join(" "));
        reply
    }
}

/// The visitor's yes or no to the offer of a human, when this message is one: the reply that
/// closes the offer.
fn handoff_answer(t: &Templates, st: &mut EngineState, lower: &str) -> Option<BotReply> {
    if st.handoff != Handoff::Offered {
        return None;
    }
    let accepted = crate::lead::extract::yes_no(lower)?;
    st.handoff = if accepted {
        Handoff::Accepted
    } else {
        Handoff::Declined
    };
    let list = if accepted {
        &t.handoff_yes
    } else {
        &t.handoff_no
    };
    Some(BotReply {
        text: pick(list, st.turn).to_owned(),
        quick_replies: Vec::new(),
        asked: None,
    })
}

impl Engine for RuleEngine {
    fn greeting(&self, site: &SiteConfig, lang: Lang) -> BotReply {
        let t = self.prompts.get_in(lang, site.register);
        let text = match site
            .assistant_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            Some(assistant) => pick(&t.greeting_named, 0).replace("{assistant}", assistant.trim()),
            None => pick(&t.greeting, 0).to_owned(),
        };
        BotReply {
            text: tidy(&text.replace("{site}", site.display_name())),
            quick_replies: Vec::new(),
            asked: None,
        }
    }

    fn reply<'a>(&'a self, input: EngineInput<'a>) -> BoxFuture<'a, EngineOutput> {
        let out = self.turn(input);
        Box::pin(async move { out })
    }
}

/// What the budget buttons need to know of the visitor: what they wrote, in which language,
/// from where.
struct VisitorView<'a> {
    history: &'a [crate::store::MessageRow],
    text: &'a str,
    lang: Lang,
    region: Option<crate::lead::Region>,
}

fn visitor_view<'a>(input: &EngineInput<'a>) -> VisitorView<'a> {
    VisitorView {
        history: input.history,
        text: input.visitor_text,
        lang: input.lang,
        region: input.region,
    }
}
