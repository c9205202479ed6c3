//! What the bot's last message asked for: the kind of fact a bare answer gives.

use std::sync::LazyLock;

use regex::Regex;

use crate::lead::text::word_regex;

/// What the bot's last message asked for; it gives a bare answer its meaning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Asked {
    pub name: bool,
    /// Only the surname was asked ("Surname?", "A nazwisko?", "¿Apellido?"): the answer
    /// completes the first name already given.
    pub surname: bool,
    pub email: bool,
    pub phone: bool,
    pub contact: bool,
    pub company: bool,
    pub role: bool,
    pub budget: bool,
    pub timeline: bool,
    pub decision: bool,
    pub size: bool,
    /// The bot asked the visitor to confirm a value it read with low confidence ("Did you mean
    /// a budget of 345678?"): a yes keeps it, a no drops it.
    pub confirm: bool,
}

const ASK_PATTERNS: &[(&str, &str)] = &[
    (
        "confirm",
        r"did you mean|do you mean|czy chodzi\w*(?: \w+)? o|czy dobrze rozumiem|meinten sie|meinst du|se refiere|te refieres|quiere decir|voulez-vous dire|vouliez-vous dire|tu veux dire",
    ),
    (
        "email",
        r"e-?mail|\bmail\b|correo|courriel|adres\w* e-?mail|adresse",
    ),
    (
        "phone",
        r"phone|\bnumber\b|call you|\bnumer|telefon|nummer|teléfono|telefono|número|móvil|movil|téléphone|numéro|portable|\bmobile|\bhandy\b|komórk|whatsapp",
    ),
    (
        "contact",
        r"reach you|contact|get in touch|erreich|kontakt|contactar|contactamos|contacto|joindre|coordonnées|dane kontaktowe|how (?:can|do|should) we|follow up|wie erreichen|localizar|comment (?:vous|te) (?:contacter|joindre|recontacter)",
    ),
    (
        "name",
        r"your name|who am i (?:speaking|talking)|(?:^|\W)name\?|imię|nazwisk|jak się pan|jak się pani|ihr name|ihren namen|wie heißen|tu nombre|su nombre|cómo te llamas|cómo se llama|votre nom|vous appelez|comment t'appelles",
    ),
    (
        "company",
        r"compan|\bfirm\b|organi[sz]ation|business name|\bfirm[aieę]|unternehmen|\bfirma\b|empresa|entreprise|société|where do you work|gdzie pracujesz|wo arbeiten",
    ),
    (
        "role",
        r"\brole\b|position|job title|your title|stanowisk|\brol[aię]\b|funktion|\bcargo\b|puesto|\bposte\b|fonction|what do you do",
    ),
    (
        "budget",
        r"budget|budżet|budzet|presupuesto|\bspend\b|invest|wydać|ausgeben|gastar|dépenser|how much (?:are|do|would|can)|ile (?:chcecie|możecie|planujecie)",
    ),
    (
        "timeline",
        r"\bwhen\b|timeline|time ?frame|\bstart\b|go live|kiedy|termin|od kiedy|\bwann\b|ab wann|zeitrahmen|zeitplan|cuándo|cuando|\bplazos?\b|\bfecha\b|\bquand\b|calendrier|délai|échéance|how soon|how quickly",
    ),
    (
        "decision",
        r"decid|decision|decisi|decyd|decyzj|entscheid|décide|décision|sign(?:s)? off|approv|zatwierdza|genehmig|aprueba|valide",
    ),
    (
        "size",
        r"how many (?:people|employees|staff)|team size|company size|size of your|ile osób|ilu pracownik|wie viele mitarbeiter|wie groß|cuántos empleados|cuántas personas|combien de (?:salariés|personnes|collaborateurs)|combien d'employés|taille de",
    ),
];

/// All kinds in one regex, one named group per kind: a single scan finds every kind asked (a
/// regex set would too, but runs a slower engine).
static ASK_RE: LazyLock<Regex> = LazyLock::new(|| {
    let groups: Vec<String> = ASK_PATTERNS
        .iter()
        .map(|(kind, p)| format!("(?P<{kind}>{p})"))
        .collect();
    word_regex(&groups.join("|"))
});

impl Asked {
    /// Reads what a bot message asks. Only its last question (or last sentence) counts:
    /// "Thanks! What's your email?" asks for the email, not for thanks.
    pub fn from_bot(lower: &str) -> Asked {
        // The engine's questions come from templates and repeat endlessly: remember the answer.
        thread_local! {
            static SEEN: std::cell::RefCell<rustc_hash::FxHashMap<String, Asked>> = Default::default();
        }
        if let Some(asked) = SEEN.with(|s| s.borrow().get(lower).copied()) {
            return asked;
        }
        let asked = Asked::classify(lower);
        SEEN.with(|s| {
            let mut seen = s.borrow_mut();
            if seen.len() >= 512 {
                seen.clear();
            }
            seen.insert(lower.to_owned(), asked);
        });
        asked
    }

    fn classify(lower: &str) -> Asked {
        let trimmed = lower.trim_end();
        let body = trimmed.trim_end_matches(['?', '!', '.', ' ']);
        let start = body
            .char_indices()
            .rev()
            .find(|(_, c)| ".!?¿¡".contains(*c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let last = &trimmed[start..];
        let mut asked = Asked::default();
        let kinds = ASK_RE.captures_iter(last).filter_map(|c| {
            ASK_PATTERNS
                .iter()
                .map(|(k, _)| *k)
                .find(|k| c.name(k).is_some())
        });
        for kind in kinds {
            match kind {
                "email" => asked.email = true,
                "phone" => asked.phone = true,
                "contact" => asked.contact = true,
                "name" => asked.name = true,
                "company" => asked.company = true,
                "role" => asked.role = true,
                "budget" => asked.budget = true,
                "timeline" => asked.timeline = true,
                "decision" => asked.decision = true,
                "confirm" => asked.confirm = true,
                _ => asked.size = true,
            }
        }
        if BUSINESS_NAME_ASKED.is_match(last) {
            asked.company = true;
            asked.name = PERSON_NAME_ASKED.is_match(last);
        }
        if SURNAME_ASKED.is_match(last) && !FIRST_NAME_ASKED.is_match(last) {
            asked.surname = true;
            asked.name = false;
        }
        asked
    }
}

/// A question for the name of the business, not the person's: "¿Cómo se llama tu negocio?",
/// "What's the name of your shop?", "Wie heißt Ihr Laden?", "Jak nazywa się sklep?",
/// "Comment s'appelle votre boutique ?".
static BUSINESS_NAME_ASKED: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(
        r"\b(?:cómo\s+se\s+llama|nombre\s+de|name\s+of|called|wie\s+heißt|wie\s+heisst|name\s+(?:ihres|ihrer|deines|deiner)|jak\s+(?:się\s+)?nazywa(?:\s+się)?|nazwa|comment\s+s'appelle|nom\s+de)\s+(?:(?:tu|su|vuestro|vuestra|el|la|your|the|ihr|ihre|dein|deine|der|die|das|twoja|twój|twój|pana|pani|votre|ton|ta|le|la|l')\s+)?(?:negocio|empresa|tienda|local|compañía|business|company|shop|store|salon|firm|restaurant|firma|firmy|geschäft|geschäfts|laden|ladens|betrieb|betriebs|unternehmen|unternehmens|sklep|sklepu|salon|salonu|działalność|entreprise|société|boutique|commerce|magasin|estudio|despacho|agencia|clínica|bufete|agency|studio|practice|kanzlei|praxis|agentur|kancelaria|kancelarii|gabinet|gabinetu|agence|cabinet|atelier)\b",
    )
});

/// A question for the person's own name as well: "¿Cómo te llamas?", "Jak się Pani nazywa?".
static PERSON_NAME_ASKED: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(
        r"\b(?:your\s+name|cómo\s+te\s+llamas|tu\s+nombre|su\s+nombre|jak\s+się\s+(?:pan|pani)\s+nazywa|imię|ihr\s+name|ihren\s+namen|wie\s+heißen\s+sie|votre\s+nom|vous\s+appelez|t'appelles)\b",
    )
});

/// A question for the surname: "surname?", "and your last name?", "Nachname?", "nazwisko?".
static SURNAME_ASKED: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(
        r"\b(?:surname|last\s+name|family\s+name|nazwisko|nazwiska|nachname|nachnamen|familienname|apellidos?|nom\s+de\s+famille)\b",
    )
});

/// A question for the first name or the full name too: "imię i nazwisko", "Vor- und Nachname",
/// "nombre y apellido", "first name and surname", "full name".
static FIRST_NAME_ASKED: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(
        r"\b(?:first\s+name|full\s+name|your\s+name|imię|imie|vor-|vorname|vornamen|nombre|prénom|nom\s+complet)\b",
    )
});
