//! Extraction over a whole conversation: facts come only from visitor messages and the channel's
//! contact metadata; the bot's last question gives meaning to a bare answer; a later statement
//! overrides an earlier one; prompt-injection sentences are read as nothing.

mod contact;
mod cues;
mod finders;
mod tokens;

pub use cues::{is_question, yes_no};
pub use finders::Competitors;

use time::Date;

use super::conversation::{Conversation, Role};
use super::junk;
use super::lexicon;
use super::text::{fold_case, truncate};
use super::{Lead, PersonName, PhoneE164};
use super::{budget, timeline};
use cues::Asked;
use timeline::Strength;

/// Only the first 16 KiB of a message are read: the gateway caps messages far below this, and
/// the cap keeps extraction linear in the conversation's length whatever arrives.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// Where a fact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The channel's contact metadata (a WhatsApp profile).
    Channel,
    /// The visitor message at this index of the conversation.
    Message(usize),
}

/// Where each field came from, for lead revisions ("what changed, from which message").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    pub name: Option<Source>,
    pub email: Option<Source>,
    pub phone: Option<Source>,
    pub company: Option<Source>,
    pub job_title: Option<Source>,
    pub budget: Option<Source>,
    pub timeline: Option<Source>,
    pub decision_maker: Option<Source>,
    pub company_size: Option<Source>,
}

/// A lead and where its facts came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    pub lead: Lead,
    pub sources: Sources,
}

/// The extractor, built once per configuration (the competitor list is compiled here).
pub struct Extractor {
    competitors: Competitors,
}

/// Decision-maker evidence: an explicit statement beats a title.
#[derive(Default)]
struct Decision {
    stated: Option<(bool, usize)>,
    by_title: Option<(bool, usize)>,
}

impl Extractor {
    /// Builds an extractor for a competitor list.
    pub fn new(competitors: &[String]) -> Extractor {
        Extractor {
            competitors: Competitors::new(competitors),
        }
    }

    /// Extracts the lead from a conversation.
    pub fn extract(&self, conv: &Conversation) -> Extraction {
        let region = conv.region();
        let lang = conv.lang();
        let start = conv.started_at.date();
        let mut out = Extraction::default();
        let lead = &mut out.lead;
        let src = &mut out.sources;

        if let Some(meta) = &conv.contact {
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
            if let Some(e) = meta
                .email
                .as_deref()
                .and_then(|e| super::Email::parse(e).ok())
            {
                lead.email = Some(e);
                src.email = Some(Source::Channel);
            }
        }
        let profile = lead.name.clone();
        let mut decision = Decision::default();
        let mut asked = Asked::default();
        let mut test_messages = 0;
        let mut visitor_messages = 0;
        let mut competitors: Vec<&str> = Vec::new();

        for (i, msg) in conv.messages.iter().enumerate() {
            let text = truncate(&msg.text, MAX_MESSAGE_BYTES);
            let lower = fold_case(text);
            if msg.role == Role::Bot {
                asked = Asked::from_bot(&lower);
                continue;
            }
            visitor_messages += 1;
            let (text, mut lower) = without_injections(text, lower);
            let mut text = text;
            if junk::message_is_test(&lower) {
                test_messages += 1;
            }
            if cues::is_question(&lower) {
                lead.questions += 1;
            }
            for name in self.competitors.mentioned(&lower) {
                if !competitors.contains(&name) {
                    competitors.push(name);
                }
            }

            for found in finders::emails(&lower) {
                blank(&mut text, &mut lower, found.span.clone());
                lead.email = Some(found.value);
                src.email = Some(Source::Message(i));
            }
            let loose_money = asked.budget && !asked.size;
            for m in budget::find(&lower, region, loose_money) {
                if m.explicit || loose_money {
                    blank(&mut text, &mut lower, m.span.clone());
                    lead.budget = Some(m.budget);
                    src.budget = Some(Source::Message(i));
                }
            }
            self.read_timeline(&lower, start, asked, i, lead, src);
            blank_dates(&mut text, &mut lower);
            for found in finders::phones(&lower, region) {
                blank(&mut text, &mut lower, found.span.clone());
                lead.phone = Some(found.value);
                src.phone = Some(Source::Message(i));
            }
            for found in finders::company_sizes(&lower) {
                lead.company_size = Some(found.value);
                src.company_size = Some(Source::Message(i));
            }
            if asked.size
                && src.company_size != Some(Source::Message(i))
                && let Ok(size) = super::CompanySize::parse(without_approximation(
                    lower.trim().trim_end_matches(['.', '!']),
                ))
            {
                lead.company_size = Some(size);
                src.company_size = Some(Source::Message(i));
            }
            if let Some(d) = cues::decision_statement(&lower) {
                decision.stated = Some((d, i));
            } else if asked.decision
                && let Some(d) = cues::yes_no(&lower)
            {
                decision.stated = Some((d, i));
            } else if asked.decision && cues::names_someone_else(&lower) {
                decision.stated = Some((false, i));
            }

            let is_competitor = |w: &str| self.competitors.is_competitor(w);
            let has_contact =
                src.email == Some(Source::Message(i)) || src.phone == Some(Source::Message(i));
            let facts = contact::read(&text, &lower, lang, asked, has_contact, &is_competitor);
            if asked.surname {
                // The answer to "surname?" completes the first name given before, whatever the
                // message's own reading of names ("o'driscoll, Harbour Lights Ltd").
                if let Some(full) = lead
                    .name
                    .as_ref()
                    .zip(surname_answer(&text))
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
                decision.by_title = facts.title_decides.then_some((true, i));
            }
            asked = Asked::default();
        }

        // A first name from the text and a full profile name that agrees: take the surname too.
        if let (Some(n), Some(p)) = (&lead.name, &profile) {
            let same_first = super::text::strip_accents(&n.first().to_lowercase())
                == super::text::strip_accents(&p.first().to_lowercase());
            if same_first
                && n.last().is_none()
                && let Some(full) = p.last().and_then(|l| n.with_last(l))
            {
                lead.name = Some(full);
            }
        }
        let decided = decision.stated.or(decision.by_title);
        lead.decision_maker = decided.map(|(d, _)| d);
        src.decision_maker = decided.map(|(_, i)| Source::Message(i));
        lead.competitors = competitors.into_iter().map(str::to_owned).collect();
        lead.is_test = is_test(lead, test_messages, visitor_messages);
        out
    }

    fn read_timeline(
        &self,
        lower: &str,
        start: Date,
        asked: Asked,
        i: usize,
        lead: &mut Lead,
        src: &mut Sources,
    ) {
        // Within one message the earliest day wins ("ASAP, the old contract ends in June");
        // a later message still overrides an earlier one.
        let earliest = timeline::find_for(lower, start, asked.timeline)
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
            lead.timeline_days = Some(t);
            src.timeline = Some(Source::Message(i));
        }
    }
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

/// A bare answer to "surname?": its first part up to a comma, one or two words of letters
/// ("SANDHU", "o'driscoll, …", "de la Cruz" with its particles), nothing that reads as a
/// sentence.
fn surname_answer(text: &str) -> Option<String> {
    let part = text.split([',', ';', '\n', '/']).next()?.trim();
    let part = part.trim_end_matches(['.', '!']);
    let words: Vec<&str> = part.split_whitespace().collect();
    let is_particle = |w: &str| lexicon::SURNAME_PARTICLES.contains(w);
    let core = words
        .iter()
        .filter(|w| !is_particle(&w.to_lowercase()))
        .count();
    let letters = |w: &&str| {
        w.chars().count() >= 2 && w.chars().all(|c| c.is_alphabetic() || "-'’".contains(c))
    };
    let not_a_word = |w: &&str| {
        let l = fold_case(w);
        is_particle(&l) || (!lexicon::NOT_NAME.contains(&l) && !lexicon::GREETINGS.contains(&l))
    };
    (!words.is_empty()
        && (1..=2).contains(&core)
        && words.iter().all(letters)
        && words.iter().all(not_a_word))
    .then(|| words.join(" "))
}

/// A channel profile name ("Callum Reid", "Frieda 🌻", "Jan K."): initials are not surnames.
fn profile_name(raw: &str) -> Option<PersonName> {
    let words: Vec<&str> = raw
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .filter(|w| w.chars().all(|c| c.is_alphabetic() || "-'’".contains(c)))
        .collect();
    if words.is_empty() || words.len() > 4 {
        return None;
    }
    PersonName::parse(&words.join(" ")).ok()
}

/// A bare count without the word that softens it: "knapp 50", "about 40", "około 30", "40 odd".
fn without_approximation(answer: &str) -> &str {
    let answer = lexicon::COUNT_SOFTENERS
        .words()
        .iter()
        .find_map(|s| {
            answer
                .strip_prefix(s)
                .filter(|rest| rest.starts_with([' ', '\u{a0}']))
        })
        .map_or(answer, str::trim_start);
    lexicon::COUNT_SOFTENERS_AFTER
        .words()
        .iter()
        .find_map(|s| answer.strip_suffix(s))
        .map_or(answer, str::trim_end)
}

/// Whether the sentence holding byte `at` asks something. A dot between digits ("bis
/// 12.06.2026") does not end a sentence.
fn sentence_is_question(lower: &str, at: usize) -> bool {
    let bytes = lower.as_bytes();
    let ends_sentence = |i: usize| {
        let c = bytes[i];
        matches!(c, b'.' | b'!' | b'?' | b'\n')
            && !(c == b'.'
                && i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    };
    let start = (0..at)
        .rev()
        .find(|&i| ends_sentence(i))
        .map_or(0, |i| i + 1);
    let end = (at..lower.len())
        .find(|&i| ends_sentence(i))
        .unwrap_or(lower.len());
    lower[start..end].contains('¿') || lower[end..].starts_with('?')
}

/// Blanks a span in both the message and its folded copy, so no later finder reads it again.
fn blank(text: &mut String, lower: &mut String, span: std::ops::Range<usize>) {
    const SPACES: &str = "                                                                ";
    for s in [text, lower] {
        if s.is_char_boundary(span.start) && s.is_char_boundary(span.end) {
            let mut at = span.start;
            while at < span.end {
                // Chunk ends fall on character boundaries: the span may hold multi-byte text.
                let mut end = (at + SPACES.len()).min(span.end);
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s.replace_range(at..end, &SPACES[..end - at]);
                at = end;
            }
        }
    }
}

/// Numeric dates are not phone numbers.
fn blank_dates(text: &mut String, lower: &mut String) {
    static DATES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?:^|[^\d.+/-])((?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:19|20)?\d\d|(?:19|20)\d\d-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01]))(?:$|[^\d.])")
            .expect("date pattern")
    });
    let spans: Vec<_> = DATES
        .captures_iter(lower)
        .filter_map(|c| c.get(1))
        .map(|m| m.range())
        .collect();
    for span in spans {
        blank(text, lower, span);
    }
}

/// The message with prompt-injection sentences blanked.
fn without_injections(text: &str, lower: String) -> (String, String) {
    let mut text = text.to_owned();
    let mut lower = lower;
    for span in cues::injection_spans(&lower) {
        blank(&mut text, &mut lower, span);
    }
    (text, lower)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::Timeline;

    fn extract(messages: &[(&str, &str)]) -> Lead {
        let messages: Vec<serde_json::Value> = messages
            .iter()
            .map(|(role, text)| serde_json::json!({"role": role, "text": text}))
            .collect();
        let conv: Conversation = serde_json::from_value(serde_json::json!({
            "started_at": "2026-05-04T09:00:00Z",
            "locale": "de-DE",
            "messages": messages,
        }))
        .expect("conversation");
        Extractor::new(&[]).extract(&conv).lead
    }

    #[test]
    fn the_widgets_decision_quick_replies_answer_who_decides() {
        // The rule engine's question and its two quick replies, in each language.
        let cases = [
            (
                "Are you the one who decides on this purchase, or is someone else involved?",
                "I decide",
                "Someone else decides",
            ),
            (
                "Czy to Pan/Pani decyduje o zakupie, czy ktoś jeszcze?",
                "Ja decyduję",
                "Decyduje ktoś inny",
            ),
            (
                "Entscheiden Sie selbst über die Anschaffung, oder ist noch jemand beteiligt?",
                "Ich entscheide",
                "Jemand anderes entscheidet",
            ),
            (
                "¿Eres tú quien decide la compra o participa alguien más?",
                "Decido yo",
                "Decide otra persona",
            ),
            (
                "Est-ce vous qui décidez de cet achat, ou quelqu'un d'autre est-il impliqué ?",
                "C'est moi qui décide",
                "Quelqu'un d'autre décide",
            ),
        ];
        for (question, me, other) in cases {
            let yes = extract(&[("bot", question), ("visitor", me)]);
            assert_eq!(yes.decision_maker, Some(true), "{me}");
            let no = extract(&[("bot", question), ("visitor", other)]);
            assert_eq!(no.decision_maker, Some(false), "{other}");
        }
    }

    #[test]
    fn a_greeting_then_a_name_and_company() {
        let lead = extract(&[
            ("bot", "Hallo! Wie kann ich Ihnen helfen?"),
            (
                "visitor",
                "Guten Tag, Jonas Becker von der Becker Bau GmbH.",
            ),
        ]);
        let name = lead.name.expect("a name");
        assert_eq!((name.first(), name.last()), ("Jonas", Some("Becker")));
        assert_eq!(
            lead.company.map(|c| c.to_string()).as_deref(),
            Some("Becker Bau GmbH")
        );
        for (text, first, company) in [
            (
                "Hi, Tom Fletcher from Larkspur Logistics Ltd.",
                "Tom",
                "Larkspur Logistics Ltd",
            ),
            (
                "Dzień dobry, Anna Nowak z firmy Nowak Transport Sp. z o.o.",
                "Anna",
                "Nowak Transport Sp. z o.o.",
            ),
            (
                "Hola, Lucía García de Textiles García S.L.",
                "Lucía",
                "Textiles García S.L.",
            ),
            (
                "Bonjour, Claire Martin de Martin Conseil SARL",
                "Claire",
                "Martin Conseil SARL",
            ),
        ] {
            let lead = extract(&[
                ("bot", "Hallo! Wie kann ich Ihnen helfen?"),
                ("visitor", text),
            ]);
            assert_eq!(lead.name.as_ref().map(|n| n.first()), Some(first), "{text}");
            assert_eq!(
                lead.company.map(|c| c.to_string()).as_deref(),
                Some(company),
                "{text}"
            );
        }
        // Someone from a department is not a company.
        let lead = extract(&[("visitor", "Hi, Anna Berg from accounting here.")]);
        assert!(lead.company.is_none(), "{:?}", lead.company);
    }

    #[test]
    fn a_softened_count_answers_how_many() {
        let lead = extract(&[
            ("bot", "Wie viele Mitarbeiter haben Sie?"),
            ("visitor", "knapp 40"),
        ]);
        assert_eq!(lead.company_size.map(|s| s.people()), Some(40));
    }

    #[test]
    fn the_earliest_day_of_one_message_wins() {
        let lead = extract(&[(
            "visitor",
            "As soon as possible, our old contract runs out at the end of the month.",
        )]);
        assert_eq!(lead.timeline_days.map(Timeline::days), Some(0));
    }

    #[test]
    fn a_date_inside_a_question_is_asked_about() {
        let lead = extract(&[
            ("visitor", "Wir wollen bis Ende Juli live gehen."),
            ("visitor", "Schaffen Sie ein Angebot bis 20.05.2026?"),
        ]);
        assert_eq!(lead.timeline_days.map(Timeline::days), Some(88));
    }

    #[test]
    fn a_surname_asked_alone_completes_the_first_name() {
        let name = |msgs: &[(&str, &str)]| extract(msgs).name.map(|n| n.to_string());
        assert_eq!(
            name(&[
                ("bot", "What's your name?"),
                ("visitor", "kieran"),
                ("bot", "Thanks Kieran! Surname and company?"),
                ("visitor", "mcnamara, Harbour Lights Ltd"),
            ]),
            Some("Kieran McNamara".into())
        );
        assert_eq!(
            name(&[
                ("bot", "Wie heißen Sie?"),
                ("visitor", "Greta"),
                ("bot", "Und Ihr Nachname?"),
                ("visitor", "VON BERG"),
            ]),
            Some("Greta von Berg".into())
        );
        assert_eq!(
            name(&[
                ("bot", "What's your name?"),
                ("visitor", "Ines"),
                ("bot", "And your surname?"),
                ("visitor", "rather not say"),
            ]),
            Some("Ines".into())
        );
    }
}
