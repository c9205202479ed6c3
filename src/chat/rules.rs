//! The built-in rule engine: a polite sales assistant, offline and deterministic. Each turn it
//! confirms what it just captured, answers a question from the site's FAQ, accepts a refusal,
//! and asks for the most valuable missing field — contact first, then name and company, then
//! budget, timeline and who decides — never the same thing twice in a row; when nothing is
//! missing it offers a human follow-up.

use std::collections::BTreeMap;

use futures_util::future::BoxFuture;

use super::budget_buttons::{budget_buttons, visitor_currency};
use super::engine::{Ask, BotReply, Engine, EngineInput, EngineOutput, EngineState, Handoff};
use super::prompts::{Faq, Prompts, Templates, pick};
use crate::config::SiteConfig;
use crate::lead::RequestKind;
use crate::lead::text::fold_case;
use crate::lead::{Field, Lang, Lead, ScoringRules, Timeline};

/// The rule engine with its templates and FAQ.
pub struct RuleEngine {
    prompts: Prompts,
    faq: Faq,
    /// What one unit of each currency is worth (`[scoring] currency_rates`), for the budget
    /// buttons in the visitor's currency.
    rates: BTreeMap<String, f64>,
}

/// Phrases a visitor uses to decline a question.
const REFUSALS: &[&str] = &[
    "no",
    "nope",
    "rather not",
    "prefer not",
    "not now",
    "skip",
    "no thanks",
    "don't want",
    "i'd rather not",
    "nie",
    "wolę nie",
    "nie chcę",
    "nie teraz",
    "pomiń",
    "nein",
    "lieber nicht",
    "möchte ich nicht",
    "nicht jetzt",
    "nö",
    "prefiero no",
    "no quiero",
    "ahora no",
    "non",
    "je préfère pas",
    "je préfère ne pas",
    "pas maintenant",
    "plutôt pas",
    "sans façon",
];

/// How many times one question may be asked in a whole conversation.
const MAX_ASKS: usize = 2;

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
        let visitor = visitor_view(&input);
        let mut st = input.state;
        st.turn += 1;
        let lower = fold_case(input.visitor_text);
        let last_ask = st.asked.last().copied();

        if st.handoff == Handoff::Offered {
            let answer = crate::lead::extract::yes_no(&lower);
            if answer.is_some() {
                let accepted = answer == Some(true);
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
                let reply = BotReply {
                    text: pick(list, st.turn).to_owned(),
                    quick_replies: Vec::new(),
                    asked: None,
                };
                return EngineOutput {
                    replies: vec![reply],
                    state: st,
                    open_question: None,
                };
            }
        }

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
            && is_refusal(&lower)
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
        if crate::lead::extract::is_question(&lower) {
            match self.faq.answer(&lower, input.lang) {
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

        let mut reply = BotReply {
            text: String::new(),
            quick_replies: Vec::new(),
            asked: None,
        };
        let confirm = budget_to_confirm(input.previous, input.lead);
        match confirm.map(|b| (Ask::Confirm, b)).or_else(|| {
            next_ask(input.lead, &st, last_ask, input.consent_missing).map(|a| (a, String::new()))
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
                reply.quick_replies = self.quick_replies(t, ask, &visitor);
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
        EngineOutput {
            replies: vec![reply],
            state: st,
            open_question,
        }
    }
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

/// Whether the visitor declines: a short message that starts with a refusal.
fn is_refusal(lower: &str) -> bool {
    let trimmed = lower.trim().trim_end_matches(['.', '!']);
    if trimmed.split_whitespace().count() > 6 {
        return false;
    }
    REFUSALS.iter().any(|r| {
        trimmed == *r
            || trimmed
                .strip_prefix(r)
                .is_some_and(|rest| rest.starts_with([' ', ',', '.']))
    })
}

/// Whether a message holds something like an email or phone number (for the consent reminder,
/// which must work even when the lead keeps no personal fields).
fn lead_mentions_contact(text: &str) -> bool {
    text.contains('@') || text.chars().filter(char::is_ascii_digit).count() >= 7
}

fn still_missing(ask: Ask, lead: &Lead) -> bool {
    match ask {
        Ask::Email => lead.email.is_none(),
        Ask::Phone => lead.phone.is_none(),
        Ask::Name => lead.name.is_none(),
        Ask::Company => lead.company.is_none(),
        Ask::Budget => lead.budget.is_none(),
        Ask::Timeline => lead.timeline_days.is_none(),
        Ask::Decision => lead.decision_maker.is_none(),
        Ask::Handoff | Ask::Confirm => false,
    }
}

/// The most valuable question not yet answered, refused, asked too often, or just asked.
fn next_ask(
    lead: &Lead,
    st: &EngineState,
    last: Option<Ask>,
    consent_missing: bool,
) -> Option<Ask> {
    let order = [
        Ask::Email,
        Ask::Phone,
        Ask::Name,
        Ask::Company,
        Ask::Budget,
        Ask::Timeline,
        Ask::Decision,
    ];
    order.into_iter().find(|&ask| {
        let personal = matches!(ask, Ask::Email | Ask::Phone | Ask::Name);
        // One way to reach the visitor is enough; the phone is asked only when the email is refused.
        let contact_known = lead.email.is_some() || lead.phone.is_some();
        let wanted = match ask {
            Ask::Email => !contact_known,
            Ask::Phone => !contact_known && st.refused.contains(&Ask::Email),
            _ => still_missing(ask, lead),
        };
        wanted
            && !(personal && consent_missing && st.consent_reminded)
            && !st.refused.contains(&ask)
            && Some(ask) != last
            && st.asked.iter().filter(|a| **a == ask).count() < MAX_ASKS
    })
}

fn ask_text(t: &Templates, ask: Ask, turn: u32) -> &str {
    let list = match ask {
        Ask::Email => &t.ask.email,
        Ask::Phone => &t.ask.phone,
        Ask::Name => &t.ask.name,
        Ask::Company => &t.ask.company,
        Ask::Budget => &t.ask.budget,
        Ask::Timeline => &t.ask.timeline,
        Ask::Decision => &t.ask.decision,
        Ask::Handoff => &t.handoff_offer,
        Ask::Confirm => &t.confirm_budget,
    };
    pick(list, turn)
}

/// The fields this turn added or changed, as the visitor reads them back.
fn captured_fields(t: &Templates, before: &Lead, after: &Lead) -> Vec<String> {
    let f = &t.fields;
    let mut out = Vec::new();
    if after.name.is_some() && after.name != before.name {
        out.push(f.name.clone());
    }
    if let Some(e) = after
        .email
        .as_ref()
        .filter(|e| Some(*e) != before.email.as_ref())
    {
        out.push(f.email.replace("{value}", e.as_str()));
    }
    if let Some(p) = after
        .phone
        .as_ref()
        .filter(|p| Some(*p) != before.phone.as_ref())
    {
        out.push(f.phone.replace("{value}", p.as_str()));
    }
    if let Some(c) = after
        .company
        .as_ref()
        .filter(|c| Some(*c) != before.company.as_ref())
    {
        out.push(f.company.replace("{value}", c.as_str()));
    }
    // A budget waiting for confirmation is asked about, not announced as noted.
    if after.budget.is_some()
        && after.budget != before.budget
        && !after.unconfirmed.contains(&Field::Budget)
    {
        out.push(f.budget.clone());
    }
    if after.timeline_days.is_some()
        && after.timeline_days.map(Timeline::days) != before.timeline_days.map(Timeline::days)
    {
        out.push(f.timeline.clone());
    }
    if after.decision_maker.is_some() && after.decision_maker != before.decision_maker {
        out.push(f.decision_maker.clone());
    }
    out
}

/// The budget to confirm with the visitor, written out: one read with low confidence that is
/// new this turn.
fn budget_to_confirm(before: &Lead, after: &Lead) -> Option<String> {
    let b = after
        .budget
        .filter(|_| after.unconfirmed.contains(&Field::Budget))?;
    (before.budget != after.budget || !before.unconfirmed.contains(&Field::Budget))
        .then(|| b.to_string())
}

/// The acknowledgement of a request made (or changed) this turn: it is passed on, with the
/// time asked for read back in a frame that needs no declension.
fn request_ack(t: &Templates, before: &Lead, after: &Lead, turn: u32) -> Option<String> {
    let r = after
        .request
        .as_ref()
        .filter(|r| before.request.as_ref() != Some(*r))?;
    let list = match r.kind {
        RequestKind::Call => &t.request_noted.call,
        RequestKind::Demo => &t.request_noted.demo,
        RequestKind::Quote => &t.request_noted.quote,
        RequestKind::Human => &t.request_noted.human,
    };
    let mut text = pick(list, turn).to_owned();
    if let Some(when) = &r.when {
        text.push(' ');
        text.push_str(&t.request_time.replace("{when}", when));
    }
    Some(text)
}

/// The reply without doubled full stops where a value ending in one ("Sp. z o.o.", "Inc.")
/// meets the sentence's own; an ellipsis stays.
fn tidy(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let doubled = c == '.'
            && i > 0
            && chars[i - 1] == '.'
            && chars.get(i + 1) != Some(&'.')
            && (i < 2 || chars[i - 2] != '.');
        if !doubled {
            out.push(c);
        }
    }
    out
}

fn join_list(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::{Email, PersonName};

    fn engine() -> RuleEngine {
        RuleEngine::new(
            Prompts::load(None).unwrap(),
            Faq::parse(super::super::prompts::BUILT_IN_FAQ).unwrap(),
        )
    }

    fn turn(
        e: &RuleEngine,
        lang: Lang,
        text: &str,
        previous: &Lead,
        lead: &Lead,
        state: EngineState,
    ) -> EngineOutput {
        let site = SiteConfig::demo();
        e.turn(EngineInput {
            site: &site,
            lang,
            region: None,
            visitor_text: text,
            history: &[],
            lead,
            previous,
            consent_missing: false,
            state,
            stream: None,
        })
    }

    #[test]
    fn greets_with_the_site_name_in_each_language() {
        let e = engine();
        let site = SiteConfig {
            name: "Acme".into(),
            ..SiteConfig::demo()
        };
        for lang in Lang::ALL {
            assert!(e.greeting(&site, lang).text.contains("Acme"), "{lang}");
        }
    }

    #[test]
    fn asks_for_contact_first_then_qualifies_without_repeating() {
        let e = engine();
        let empty = Lead::default();
        let out = turn(
            &e,
            Lang::En,
            "We need a chatbot for our shop",
            &empty,
            &empty,
            EngineState::default(),
        );
        assert_eq!(out.replies[0].asked, Some(Ask::Email));
        // The visitor ignores the question: the next turn asks something else.
        let out2 = turn(
            &e,
            Lang::En,
            "It should answer product questions",
            &empty,
            &empty,
            out.state,
        );
        assert_ne!(out2.replies[0].asked, Some(Ask::Email));
        assert_eq!(out2.replies[0].asked, Some(Ask::Name));
    }

    #[test]
    fn confirms_what_it_captured_and_moves_on() {
        let e = engine();
        let before = Lead::default();
        let after = Lead {
            email: Some(Email::parse("anna@firma.pl").unwrap()),
            name: Some(PersonName::parse("Anna Nowak").unwrap()),
            ..Lead::default()
        };
        let state = EngineState {
            asked: vec![Ask::Email],
            turn: 1,
            ..EngineState::default()
        };
        let out = turn(
            &e,
            Lang::Pl,
            "anna@firma.pl, Anna Nowak",
            &before,
            &after,
            state,
        );
        let text = &out.replies[0].text;
        assert!(text.contains("anna@firma.pl"), "{text}");
        // Formal Polish: the name is noted, the visitor is not called by their first name.
        assert!(text.contains("imię") && !text.contains("Anna"), "{text}");
        assert_eq!(out.replies[0].asked, Some(Ask::Company));
    }

    #[test]
    fn accepts_a_refusal_and_never_asks_again() {
        let e = engine();
        let empty = Lead::default();
        let state = EngineState {
            asked: vec![Ask::Email],
            turn: 1,
            ..EngineState::default()
        };
        let out = turn(&e, Lang::De, "Lieber nicht.", &empty, &empty, state);
        assert!(out.state.refused.contains(&Ask::Email));
        assert_eq!(out.replies[0].asked, Some(Ask::Phone));
        assert!(
            out.replies[0].text.starts_with("Kein Problem")
                || out.replies[0].text.starts_with("Alles klar")
        );
    }

    #[test]
    fn answers_faq_questions() {
        let e = engine();
        let empty = Lead::default();
        let out = turn(
            &e,
            Lang::Es,
            "¿Cuánto cuesta?",
            &empty,
            &empty,
            EngineState::default(),
        );
        assert!(
            out.replies[0].text.contains("49"),
            "{}",
            out.replies[0].text
        );
    }

    #[test]
    fn offers_a_human_when_everything_is_known() {
        use crate::lead::{Budget, Company, PhoneE164, Timeline};
        let e = engine();
        let full = Lead {
            email: Some(Email::parse("a@b.pl").unwrap()),
            phone: Some(PhoneE164::parse("+48601234567", None).unwrap()),
            name: Some(PersonName::parse("Anna").unwrap()),
            company: Some(Company::parse("Firma").unwrap()),
            budget: Some(Budget::new(Some(1), Some(2), None).unwrap()),
            timeline_days: Some(Timeline::from_days(3).unwrap()),
            decision_maker: Some(true),
            ..Lead::default()
        };
        let out = turn(&e, Lang::Fr, "merci", &full, &full, EngineState::default());
        assert_eq!(out.replies[0].asked, Some(Ask::Handoff));
        assert_eq!(out.replies[0].quick_replies.len(), 2);
        let out2 = turn(&e, Lang::Fr, "oui", &full, &full, out.state);
        assert_eq!(out2.state.handoff, Handoff::Accepted);
    }

    #[test]
    fn requests_are_acknowledged_as_passed_on_and_other_questions_go_to_the_rep() {
        use crate::lead::{Request, RequestKind};
        let e = engine();
        let empty = Lead::default();
        let asked = Lead {
            request: Some(Request {
                kind: RequestKind::Call,
                when: Some("jeudi après-midi".into()),
            }),
            ..Lead::default()
        };
        let out = turn(
            &e,
            Lang::Fr,
            "Pouvez-vous m'appeler jeudi après-midi ?",
            &empty,
            &asked,
            EngineState::default(),
        );
        let text = &out.replies[0].text;
        assert!(
            text.contains("demande d'appel") && text.contains("jeudi après-midi"),
            "{text}"
        );
        assert_eq!(out.open_question, None, "a request is no open question");
        assert!(!text.contains("ne peux pas répondre"), "{text}");
        // A question the FAQ cannot answer is passed on, and the visitor is told so.
        let out = turn(
            &e,
            Lang::De,
            "Unterstützt Ihr Bot Klingonisch?",
            &empty,
            &empty,
            EngineState::default(),
        );
        assert_eq!(
            out.open_question.as_deref(),
            Some("Unterstützt Ihr Bot Klingonisch?")
        );
        assert!(
            out.replies[0].text.contains("weitergegeben"),
            "{}",
            out.replies[0].text
        );
    }

    #[test]
    fn a_bare_budget_is_confirmed_before_it_is_noted() {
        use crate::lead::{Budget, Field};
        let e = engine();
        let empty = Lead::default();
        let read = Lead {
            budget: Some(Budget::new(Some(15000), Some(15000), None).unwrap()),
            unconfirmed: vec![Field::Budget],
            ..Lead::default()
        };
        let out = turn(&e, Lang::Es, "15000", &empty, &read, EngineState::default());
        let reply = &out.replies[0];
        assert_eq!(reply.asked, Some(Ask::Confirm));
        assert!(
            reply.text.contains("15000") && !reply.text.contains("anotado"),
            "{}",
            reply.text
        );
        assert_eq!(reply.quick_replies.len(), 2);
    }

    #[test]
    fn the_greeting_names_the_assistant_and_values_end_one_sentence_once() {
        let e = engine();
        let site = SiteConfig::demo();
        for lang in Lang::ALL {
            let text = e.greeting(&site, lang).text;
            assert!(
                text.contains("Kira") && text.contains("Kestrel Analytics"),
                "{text}"
            );
        }
        assert_eq!(
            tidy("your company Volt-Pol Sp. z o.o.."),
            "your company Volt-Pol Sp. z o.o."
        );
        assert_eq!(tidy("Wait... what."), "Wait... what.");
    }

    #[test]
    fn refusals_are_short_declines_only() {
        assert!(is_refusal("no"));
        assert!(is_refusal("nie, dziękuję"));
        assert!(is_refusal(&fold_case("Je préfère pas.")));
        assert!(!is_refusal(
            "not sure what you mean by that but we need a bot"
        ));
        assert!(!is_refusal("nowak"));
    }
}
