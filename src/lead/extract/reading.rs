//! One conversation read message by message: the facts found so far and where each came from.
//! Each visitor message is read in a fixed order, because every finder blanks what it has read:
//! emails, budgets and time frames first, then dates, phone numbers and head counts, then who
//! decides and who the visitor is.

use time::Date;

use super::answers::{profile_name, sentence_is_question, surname_answer, without_approximation};
use super::blank::{blank, blank_dates, has_date, has_link, has_phone_shape, without_injections};
use super::cues::{self, Asked};
use super::{Competitors, Extraction, Source, contact, finders};
use crate::lead::conversation::{ContactMeta, Conversation};
use crate::lead::text::{fold_case, strip_accents};
use crate::lead::timeline::{self, Strength};
use crate::lead::{
    CompanySize, Email, Field, Lang, Lead, PersonName, PhoneE164, Region, budget, junk,
};

/// Decision-maker evidence: an explicit statement beats a title.
#[derive(Default)]
struct Decision {
    stated: Option<(bool, usize)>,
    by_title: Option<(bool, usize)>,
}

/// An extraction in progress.
pub(super) struct Reading<'e> {
    competitors: &'e Competitors,
    region: Option<Region>,
    lang: Lang,
    start: Date,
    out: Extraction,
    /// The name the channel's profile gave, if any.
    profile: Option<PersonName>,
    decision: Decision,
    /// What the bot's last message asked for; only the next visitor message answers it.
    asked: Asked,
    test_messages: usize,
    visitor_messages: usize,
    /// The competitors mentioned, in order of first mention.
    mentioned: Vec<&'e str>,
    /// The budget was read with low confidence (a bare number answering the budget question)
    /// and the visitor has not confirmed it yet.
    budget_unconfirmed: bool,
}

impl<'e> Reading<'e> {
    pub fn new(competitors: &'e Competitors, conv: &Conversation) -> Reading<'e> {
        Reading {
            competitors,
            region: conv.region(),
            lang: conv.lang(),
            start: conv.started_at.date(),
            out: Extraction::default(),
            profile: None,
            decision: Decision::default(),
            asked: Asked::default(),
            test_messages: 0,
            visitor_messages: 0,
            mentioned: Vec::new(),
            budget_unconfirmed: false,
        }
    }

    /// The channel's contact metadata: a WhatsApp number, profile name or verified address.
    pub fn read_channel(&mut self, meta: &ContactMeta) {
        let lead = &mut self.out.lead;
        let src = &mut self.out.sources;
        if let Some(p) = meta
            .phone
            .as_deref()
            .and_then(|p| PhoneE164::parse_international_digits(p).ok())
        {
            lead.phone = Some(p);
            src.phone = Some(Source::Channel);
        }
        if let Some(n) = meta.name.as_deref().and_then(profile_name) {
            lead.name = Some(n);
            src.name = Some(Source::Channel);
        }
        if let Some(e) = meta.email.as_deref().and_then(|e| Email::parse(e).ok()) {
            lead.email = Some(e);
            src.email = Some(Source::Channel);
        }
        self.profile = lead.name.clone();
    }

    /// A bot message: what it asks gives the next visitor message its meaning.
    pub fn read_bot(&mut self, text: &str) {
        self.asked = Asked::from_bot(&fold_case(text));
    }

    /// A visitor message, the `i`th of the conversation.
    pub fn read_visitor(&mut self, i: usize, text: &str) {
        self.visitor_messages += 1;
        let (mut text, mut lower) = without_injections(text, fold_case(text));
        self.count_signals(&lower);
        self.read_confirmation(&lower);
        self.read_request(&text, &lower);
        self.read_emails(i, &mut text, &mut lower);
        self.read_budget(i, &mut text, &mut lower);
        self.read_timeline(i, &lower);
        blank_dates(&mut text, &mut lower);
        self.read_phones(i, &mut text, &mut lower);
        self.read_company_size(i, &lower);
        self.read_decision(i, &lower);
        self.read_who(i, &text, &lower);
        self.asked = Asked::default();
    }

    /// Whether the message is a test or a question, and the competitors it names.
    fn count_signals(&mut self, lower: &str) {
        if junk::message_is_test(lower) {
            self.test_messages += 1;
        }
        if cues::is_question(lower) {
            self.out.lead.questions += 1;
        }
        for name in self.competitors.mentioned(lower) {
            if !self.mentioned.contains(&name) {
                self.mentioned.push(name);
            }
        }
    }

    fn read_emails(&mut self, i: usize, text: &mut String, lower: &mut String) {
        for found in finders::emails(lower) {
            blank(text, lower, found.span.clone());
            self.out.lead.email = Some(found.value);
            self.out.sources.email = Some(Source::Message(i));
        }
    }

    /// A request for a call, a demo, a quote or a human; the latest wins, keeping the time asked
    /// for earlier when it names none of its own and is of the same kind.
    fn read_request(&mut self, text: &str, lower: &str) {
        let Some(mut found) = crate::lead::request::find(text, lower) else {
            return;
        };
        if let Some(before) = &self.out.lead.request
            && before.kind == found.kind
            && found.when.is_none()
        {
            found.when.clone_from(&before.when);
        }
        self.out.lead.request = Some(found);
    }

    /// The visitor's answer to "Did you mean a budget of …?": yes confirms it, no drops it
    /// (a corrected amount in the same message is read next, as an answer).
    fn read_confirmation(&mut self, lower: &str) {
        if !(self.asked.confirm && self.budget_unconfirmed) {
            return;
        }
        match cues::yes_no(lower) {
            Some(true) => self.budget_unconfirmed = false,
            Some(false) => {
                self.out.lead.budget = None;
                self.out.sources.budget = None;
                self.budget_unconfirmed = false;
            }
            None => {}
        }
    }

    /// Amounts said as money; a bare number too when the bot has just asked for a budget and
    /// nothing else explains it. Evidence beats expectation: a message that holds a phone
    /// number, a link or a date answers with that, whatever was asked. A bare amount is read
    /// with low confidence and stays unconfirmed until the visitor says yes to it.
    fn read_budget(&mut self, i: usize, text: &mut String, lower: &mut String) {
        let loose_money = self.asked.budget
            && !self.asked.size
            && !has_link(lower)
            && !has_date(lower)
            && !has_phone_shape(lower)
            && finders::phones(lower, self.region).is_empty();
        for m in budget::find(lower, self.region, loose_money) {
            if m.explicit || loose_money {
                blank(text, lower, m.span.clone());
                self.out.lead.budget = Some(m.budget);
                self.out.sources.budget = Some(Source::Message(i));
                // A number given when asked to confirm is the visitor's own correction.
                self.budget_unconfirmed = !m.explicit && !self.asked.confirm;
            }
        }
    }

    fn read_timeline(&mut self, i: usize, lower: &str) {
        let asked = self.asked;
        // Within one message the earliest day wins ("ASAP, the old contract ends in June");
        // a later message still overrides an earlier one.
        let earliest = timeline::find_for(lower, self.start, asked.timeline)
            .into_iter()
            .filter(|m| {
                let in_question = sentence_is_question(lower, m.span.start);
                match m.strength {
                    Strength::Strong => true,
                    Strength::Medium => !in_question || asked.timeline,
                    Strength::Weak => asked.timeline && !in_question,
                }
            })
            .map(|m| m.timeline)
            .min();
        if let Some(t) = earliest {
            self.out.lead.timeline_days = Some(t);
            self.out.sources.timeline = Some(Source::Message(i));
        }
    }

    fn read_phones(&mut self, i: usize, text: &mut String, lower: &mut String) {
        let mut found = finders::phones(lower, self.region);
        if found.is_empty()
            && let Some(own) = language_region(self.lang).filter(|r| Some(*r) != self.region)
        {
            // A national number valid only in the visitor's language's country is read there.
            found = finders::phones(lower, Some(own));
        }
        for found in found {
            blank(text, lower, found.span.clone());
            self.out.lead.phone = Some(found.value);
            self.out.sources.phone = Some(Source::Message(i));
        }
    }

    /// A stated head count, or a bare count answering "how many people?" ("knapp 40").
    fn read_company_size(&mut self, i: usize, lower: &str) {
        let lead = &mut self.out.lead;
        let src = &mut self.out.sources;
        for found in finders::company_sizes(lower) {
            lead.company_size = Some(found.value);
            src.company_size = Some(Source::Message(i));
        }
        if self.asked.size
            && src.company_size != Some(Source::Message(i))
            && let Ok(size) = CompanySize::parse(without_approximation(
                lower.trim().trim_end_matches(['.', '!']),
            ))
        {
            lead.company_size = Some(size);
            src.company_size = Some(Source::Message(i));
        }
    }

    /// Who decides, as stated, or as a bare answer to "who decides?".
    fn read_decision(&mut self, i: usize, lower: &str) {
        if let Some(d) = cues::decision_statement(lower) {
            self.decision.stated = Some((d, i));
        } else if self.asked.decision
            && let Some(d) = cues::yes_no(lower)
        {
            self.decision.stated = Some((d, i));
        } else if self.asked.decision && cues::names_someone_else(lower) {
            self.decision.stated = Some((false, i));
        }
    }

    /// Who the visitor is: their name, company and job title.
    fn read_who(&mut self, i: usize, text: &str, lower: &str) {
        let asked = self.asked;
        let competitors = self.competitors;
        let is_competitor = |w: &str| competitors.is_competitor(w);
        let lead = &mut self.out.lead;
        let src = &mut self.out.sources;
        let has_contact =
            src.email == Some(Source::Message(i)) || src.phone == Some(Source::Message(i));
        let facts = contact::read(text, lower, self.lang, asked, has_contact, &is_competitor);
        if asked.surname {
            // The answer to "surname?" completes the first name given before, whatever the
            // message's own reading of names ("o'driscoll, Harbour Lights Ltd").
            if let Some(full) = lead
                .name
                .as_ref()
                .zip(surname_answer(text))
                .and_then(|(n, last)| n.with_last(&last))
            {
                lead.name = Some(full);
                src.name = Some(Source::Message(i));
            }
        } else if let Some(n) = facts.name {
            lead.name = Some(n);
            src.name = Some(Source::Message(i));
        }
        if let Some(c) = facts.company {
            lead.company = Some(c);
            src.company = Some(Source::Message(i));
        }
        // A title said in passing later ("I'm an independent agent, so…") does not replace
        // the one the visitor introduced themselves with, unless the bot asked again.
        if let Some(t) = facts.title
            && (lead.job_title.is_none() || asked.role)
        {
            lead.job_title = Some(t);
            src.job_title = Some(Source::Message(i));
            self.decision.by_title = facts.title_decides.then_some((true, i));
        }
    }

    /// The lead once every message is read.
    pub fn finish(mut self) -> Extraction {
        let lead = &mut self.out.lead;
        let src = &mut self.out.sources;
        // A first name from the text and a full profile name that agrees: take the surname too.
        if let (Some(n), Some(p)) = (&lead.name, &self.profile) {
            let same_first = strip_accents(&n.first().to_lowercase())
                == strip_accents(&p.first().to_lowercase());
            if same_first
                && n.last().is_none()
                && let Some(full) = p.last().and_then(|l| n.with_last(l))
            {
                lead.name = Some(full);
            }
        }
        let decided = self.decision.stated.or(self.decision.by_title);
        lead.decision_maker = decided.map(|(d, _)| d);
        src.decision_maker = decided.map(|(_, i)| Source::Message(i));
        lead.competitors = self.mentioned.into_iter().map(str::to_owned).collect();
        lead.is_test = is_test(lead, self.test_messages, self.visitor_messages);
        if self.budget_unconfirmed && lead.budget.is_some() {
            lead.unconfirmed.push(Field::Budget);
        }
        self.out
    }
}

/// The country whose national numbers a visitor writing this language most likely gives;
/// none for English, spoken in too many.
fn language_region(lang: Lang) -> Option<Region> {
    let code = match lang {
        Lang::Pl => "PL",
        Lang::De => "DE",
        Lang::Es => "ES",
        Lang::Fr => "FR",
        Lang::En => return None,
    };
    Region::parse(code).ok()
}

/// A lead is a test when its contact details are junk, or when the visitor only tested and left
/// nothing real.
fn is_test(lead: &Lead, test_messages: usize, visitor_messages: usize) -> bool {
    let email_junk = lead.email.as_ref().and_then(junk::email_junk).is_some();
    let name_junk = lead.name.as_ref().and_then(junk::name_junk).is_some();
    let phone_junk = lead.phone.as_ref().and_then(junk::phone_junk).is_some();
    let only_testing = test_messages > 0
        && test_messages * 2 >= visitor_messages
        && lead.email.is_none()
        && lead.phone.is_none();
    email_junk || name_junk || phone_junk || only_testing
}
