//! What the visitor says about who decides: themselves ("I sign off", "to ja decyduję"), someone
//! else ("my boss signs off", "zatwierdza zarząd"), or a bare answer to "who decides?".

use std::sync::LazyLock;

use regex::Regex;

use crate::lead::lexicon;
use crate::lead::text::word_regex;

/// A letter or digit of the five languages, lower case. Unicode `\w` would do, but its
/// automaton is large enough to overflow the lazy DFA's cache in the long cue patterns below,
/// and the engine then falls back to a far slower one.
const WORD_CHAR: &str = "[a-zà-öø-ÿąćęłńśźżœß0-9_]";

/// Cues that the visitor decides.
const DECIDES_PATTERN: &str = concat!(
    r"\bi\s+(?:make|am\s+making|'ll\s+make|will\s+make|take)\s+(?:the\s+)?(?:final\s+)?(?:decision|call)s?\b",
    r"|\bi(?:'m|\s+am)\s+(?:the\s+)?(?:final\s+|main\s+|sole\s+|only\s+)?(?:decision[\s-]?maker|decider|one\s+who\s+decides|person\s+who\s+decides|one\s+signing|budget\s+(?:owner|holder))",
    r"|\bi\s+(?:decide|approve|sign\s+off|(?:own|hold|control)\s+(?:the|that|this|our|my)\s+budget|have\s+(?:the\s+)?(?:final\s+)?(?:say|sign-?off|budget))\b|\b(?:decision|call)\s+is\s+mine\b|\b(?:it'?s|it\s+is|that'?s|that\s+is|(?:would|will)\s+be)\s+(?:(?:ultimately|really|entirely|totally|basically|always|all|in\s+the\s+end)\s+)?my\s+(?:own\s+)?(?:call|decision)\b|\b(?:say|word)\s+is\s+mine\b|\bi\s+have\s+the\s+(?:final|last)\s+(?:say|word)\b|\bi(?:'m|\s+am)\s+the\s+one\s+(?:who|that)\s+(?:signs|decides|approves)\b|\bi(?:'ll|\s+will)\s+(?:be\s+)?sign(?:ing)?\s+(?:the\s+)?(?:contract|deal|order|purchase)|\b(?:it'?s|that'?s|it\s+is)\s+(?:all\s+)?down\s+to\s+me\b|\bup\s+to\s+me\b|\bbudget\s+is\s+mine\b|\bmy\s+own\s+(?:money|budget)\b|\bi\s+own\s+(?:the|this|a|an|my|our)\b",
    r"|\bich\s+(?:entscheide|treffe\s+die\s+entscheidung|habe\s+das\s+letzte\s+wort|bin\s+(?:der|die)\s+entscheider|verantworte\s+(?:das\s+)?budget)|entscheidung\s+(?:liegt|trifft?)\s+(?:bei\s+mir|ich)|\bentscheide\s+(?:(?:am\s+ende|letztlich|letztendlich|allein|schon|dann)\s+)?ich\b|\b(?:ist|bleibt)\s+(?:das\s+|es\s+)?(?:(?:letztlich|letztendlich|am\s+ende|allein|ganz|eigentlich)\s+)?meine\s+entscheidung|\bdas\s+letzte\s+wort\s+habe\s+ich\b|\bunterschreibe\s+(?:(?:am\s+ende|letztlich|dann)\s+)?ich\b|\bentscheiden\s+tu[et]?\s+ich\b|\bdas\s+entscheide\s+ich\b|\bbudget\s+verantworte\s+ich\b",
    r"|\bbudget\s+(?:is\s+)?(?:with\s+me|in\s+my\s+(?:team|department))\b|\bi\s+sign\s+(?:the\s+)?(?:contracts?|off|it|invoices?)\b",
    r"|\b(?:das\s+)?budget\s+liegt\s+(?:bei\s+mir|in\s+meine[rm]\s+\w+)|\bich\s+unterschreibe\b|\b(?:das\s+)?budget\s+ist\s+meins\b|\bich\s+zeichne\s+(?:das\s+)?(?:ab|frei)",
    r"|\bbudżet\s+(?:jest\s+)?(?:u\s+mnie|w\s+moim\s+dziale|w\s+moich\s+rękach|po\s+mojej\s+stronie)|\b(?:ja\s+)?podpisuj\ę\b|\bja\s+trzymam\s+(?:kasę|budżet)|\bbudżet\s+(?:jest\s+)?mój\b",
    r"|\b(?:el\s+)?presupuesto\s+(?:es\s+mío|lo\s+manejo\s+yo|lo\s+llevo\s+yo|depende\s+de\s+mí|está\s+en\s+mi\s+(?:área|departamento))|\bfirmo\s+yo\b|\byo\s+firmo\b",
    r"|\ble\s+budget\s+(?:est\s+(?:chez\s+moi|à\s+moi|dans\s+mon\s+(?:service|équipe))|c'est\s+moi)|\bje\s+signe\b|\bje\s+valide\b",
    r"|\b(?:ja\s+)?decyduj\ę\b|\bto\s+(?:(?:ostatecznie|i\s+tak|w\s+końcu|tylko|wyłącznie|zawsze)\s+)?moja\s+decyzja|\b(?:ja\s+)?mam\s+ostatnie\s+słowo|\bostatnie\s+słowo\s+(?:należy\s+do\s+mnie|(?:jest\s+)?moje|mam\s+ja)|\bzależy\s+(?:to\s+)?(?:tylko\s+)?ode\s+mnie\b|\bode\s+mnie\s+zależy|\bdecyzja\s+(?:należy\s+do\s+mnie|jest\s+moja|po\s+mojej\s+stronie)|\bpodejmuj\ę\s+decyzj|\bzatwierdzam\b",
    r"|\b(?:yo\s+)?decido\b|\b(?:es|será)\s+(?:(?:finalmente|al\s+final|solo)\s+)?(?:mi\s+decisi[oó]n|decisi[oó]n\s+m[ií]a)|\bla\s+[uú]ltima\s+palabra\s+(?:es\s+m[ií]a|la\s+tengo\s+yo)|\btengo\s+la\s+[uú]ltima\s+palabra|\bsoy\s+(?:yo\s+)?(?:quien|el\s+que|la\s+que)\s+firma|\bla\s+decisi[oó]n\s+(?:es\s+m[ií]a|la\s+tomo\s+yo|depende\s+de\s+m[ií])|\bsoy\s+quien\s+decide\b|\b(?:quien|el\s+que|la\s+que)\s+decide\s+soy\s+yo\b|\btomo\s+(?:yo\s+)?(?:la|las)\s+decisi",
    r"|\bc'est\s+moi\s+qui\s+(?:décide|tranche|valide|signe|ai\s+le\s+dernier\s+mot|aurai\s+le\s+dernier\s+mot)|\bc'est\s+(?:(?:au\s+final|finalement|en\s+fin\s+de\s+compte)\s+)?ma\s+décision|\bj'ai\s+le\s+dernier\s+mot|\ble\s+dernier\s+mot\s+(?:me\s+revient|est\s+pour\s+moi)|\bje\s+(?:décide|tranche)\b|\bla\s+décision\s+(?:me\s+revient|est\s+la\s+mienne|m'appartient)",
);
static DECIDES: LazyLock<Regex> = LazyLock::new(|| word_regex(DECIDES_PATTERN));

/// Cues that someone else decides.
fn others_decide_pattern() -> String {
    let boss_en = BOSS_EN;
    let boss_de = r"(?:chef|chefin|vorgesetzter|vorgesetzte|geschäftsführer|geschäftsführerin|geschäftsführung|geschäftsleitung|vorstand|leitung|inhaber|inhaberin|einkauf|abteilungsleiter|teamleiter|teamleiterin|partner|partnerin|gesellschafter|gesellschafterin|mitinhaber|mitinhaberin|prokurist|prokuristin|aufsichtsrat)";
    let boss_pl = r"(?:szef[a-zà-öø-ÿąćęłńśźżœß0-9_]*|zarząd[a-zà-öø-ÿąćęłńśźżœß0-9_]*|prezes[a-zà-öø-ÿąćęłńśźżœß0-9_]*|dyrektor[a-zà-öø-ÿąćęłńśźżœß0-9_]*|właściciel[a-zà-öø-ÿąćęłńśźżœß0-9_]*|przełożon[a-zà-öø-ÿąćęłńśźżœß0-9_]*|kierownik[a-zà-öø-ÿąćęłńśźżœß0-9_]*|kierowniczk[a-zà-öø-ÿąćęłńśźżœß0-9_]*|księgowoś[a-zà-öø-ÿąćęłńśźżœß0-9_]*|wspólni[a-zà-öø-ÿąćęłńśźżœß0-9_]*|rad[aąyę]\s+nadzorcz[a-zà-öø-ÿąćęłńśźżœß0-9_]*)";
    let boss_es = r"(?:jefe|jefa|director|directora|gerente|dueño|dueña|socio|socia|socios|junta|consejo|ceo|gerencia|socio\s+fundador|administrador|administradora|dirección|directorio|directiva|comité|responsable)";
    let boss_fr = r"(?:directeur|directrice|patron|patronne|chef|cheffe|boss|gérant|gérante|pdg|associé|associée|associés|direction|dg|conseil|gérants|président|présidente|comité)";
    let family = r"(?:husband|wife|father|mother|dad|mum|mom|brother|sister|partner|boss)";
    format!(
        concat!(
            r"\b(?:he|she)(?:'ll|\s+(?:will|would|has\s+to|needs\s+to))?\s+(?:decides?|approves?|signs?\s+off|makes?\s+the\s+(?:final\s+)?(?:decision|call)|has\s+the\s+(?:final\s+)?say)\b|\b(?:he|she|my\s+{family})\s+owns\b",
            r"|\b(?:sign-?off|decision|final\s+say|approval)\s+(?:sits|lies|rests|is)\s+with\s+(?:(?:my|our|the)\b|{en}\b)|\b(?:decided|approved|signed\s+off)\s+(?:on\s+)?by\s+(?:(?:my|our|the)\b|{en}\b)|\b(?:he|she)(?:'s|\s+is)\s+(?:the\s+|our\s+)?{en}\b|\bi(?:'m|\s+am)?\s+(?:just|only)\s+(?:recommend|researching|doing\s+the\s+research|gathering|collecting)",
            r"|\b(?:er|sie)\s+ist\s+(?:der\s+|die\s+|unser\s+|unsere\s+)?{de}\b|\b(?:on|ona)\s+jest\s+{pl}|\b(?:él|ella|que)\s+es\s+(?:el|la|mi|nuestro|nuestra)\s+{es}\b|\b(?:il|elle)\s+est\s+(?:le\s+|la\s+|notre\s+)?{fr}\b",
            r"|\b(?:i'?m|i\s+am)\s+not\s+(?:the\s+)?(?:one\s+who\s+decides|decision[\s-]?maker|person\s+who\s+decides|one\s+deciding)",
            // "I'll present it to the board": the visitor recommends, someone else decides.
            r"|\bi(?:'ll|\s+will|'m\s+going\s+to|\s+am\s+going\s+to|\s+have\s+to|\s+need\s+to|\s+must|'d\s+have\s+to)?\s+(?:present|pitch|propose|recommend|bring|take|put|show)\s+(?:(?:it|this|that|them|the\s+(?:idea|proposal|offer|quote|options?|numbers))\s+)?(?:forward\s+)?to\s+(?:the|my|our)\s+(?:{en}|directors|partners|owners|committee)\b|\b(?:make|prepare|write)\s+a\s+recommendation\s+(?:to|for)\s+(?:the|my|our)\b",
            r"|\b(?:przedstawi[ęe]|zaprezentuj[ęe]|przekaż[ęe]|pokaż[ęe]|przedstawiam)\s+(?:(?:to|ofertę|propozycję|temat|sprawę)\s+)?(?:(?:w\s+przyszłym\s+tygodniu|jutro|najpierw)\s+)?(?:(?:mojemu|naszemu|mojej|naszej)\s+)?(?:{pl}|wspólnik{W}*)",
            r"|\b(?:stelle|präsentiere|lege)\s+(?:ich\s+)?(?:das|es|dies|den\s+vorschlag|das\s+angebot)\s+(?:{W}+\s+){{0,3}}?(?:dem|der|unserem|unserer|meinem|meiner|den)\s+{de}|\b(?:dem|der|unserem|unserer|meinem|meiner)\s+{de}\s+(?:vorstellen|vorlegen|präsentieren|vortragen|zeigen)",
            r"|\b(?:se\s+lo|se\s+la|se\s+los|lo|la)\s+(?:presentar[ée]|presento|voy\s+a\s+presentar|tengo\s+que\s+presentar|propondr[ée]|llevar[ée])\s+(?:{W}+\s+){{0,3}}?(?:a|al)\s+(?:(?:la|el|mi|nuestro|nuestra|los|las)\s+)?{es}|\bpresent[aá]rselo\s+a\s+(?:(?:la|el|mi|nuestro|nuestra)\s+)?{es}",
            r"|\bje\s+(?:vais\s+|dois\s+|devrai\s+)?(?:le\s+|la\s+|les\s+)?(?:présenter|soumettre|présenterai|soumettrai|proposer|proposerai|présente|soumets)\s+(?:à\s+(?:mon|ma|notre|la|le|l')|au|aux)\s*{fr}",
            // "I only prepare the decision", "la decisión final es del gerente", "need to check
            // with our MD".
            r"|\bi(?:'m|\s+am)?\s+(?:only\s+|just\s+)?prepar(?:e|ing)\s+(?:the\s+)?(?:decision|recommendation|proposal)|\bich\s+bereite\s+(?:die\s+entscheidung|das|es|die\s+auswahl)\s+(?:nur\s+|lediglich\s+)?vor\b|\b(?:treffen|fällen)\s+(?:wird|muss|tut|soll)\s+(?:sie|die\s+entscheidung)\s+(?:aber\s+|dann\s+|letztlich\s+)?(?:mein|meine|unser|unsere|der|die)\b|\b(?:solo\s+)?preparo\s+(?:la\s+)?(?:propuesta|decisi[oó]n)|\bje\s+(?:ne\s+fais\s+que\s+)?prépare\s+(?:la\s+)?(?:décision|recommandation)|\bprzygotowuj[ęe]\s+(?:tylko\s+)?(?:decyzj|rekomendacj)",
            r"|\bla\s+decisi[oó]n\s+(?:final\s+|última\s+)?es\s+(?:del|de\s+la|de\s+mi|de\s+nuestro|de\s+nuestra)\s+{es}|\bla\s+décision\s+(?:finale\s+)?(?:est\s+celle\s+d[eu]|est\s+à)\s+(?:la\s+|le\s+|mon\s+|ma\s+|notre\s+)?{fr}|\b(?:need|have|got)\s+to\s+(?:first\s+)?(?:check|clear\s+(?:it|this|that)|confirm|discuss\s+(?:it|this|that))\s+with\s+(?:my|our|the)\b",
            // "my partner signs the contracts", "signé par notre directeur".
            r"|\b(?:my|our|the)\s+(?:business\s+)?(?:{en}|co-?founders?|partners?)s?\s+(?:will\s+|would\s+|has\s+to\s+|needs\s+to\s+)?signs?\s+(?:the\s+|all\s+the\s+|our\s+)?(?:contracts?|deals?|cheques?|checks?|it|orders?|paperwork|purchase)\b|\bsigned\s+by\s+(?:(?:my|our|the)\b|{en}\b)",
            r"|\b(?:umow[ęy]\s+)?podpis(?:uje|ze)\s+(?:u\s+nas\s+)?(?:(?:mój|moja|nasz|nasza)\s+)?(?:{pl}|wspólnik{W}*)|\b(?:{pl}|wspólni{W}+)\s+podpis(?:uje|ze)",
            r"|\bunterschreibt\s+(?:(?:dann|aber|letztlich|am\s+ende|bei\s+uns)\s+)*(?:mein|meine|unser|unsere|der|die)\s+{de}|\b(?:mein|meine|unser|unsere|der|die)\s+{de}\s+unterschreibt",
            r"|\b(?:mi|nuestro|nuestra|el|la)\s+{es}\s+(?:es\s+(?:quien|el\s+que|la\s+que)\s+)?firma\b",
            r"|\b(?:sign[ée]e?s?|valid[ée]e?s?|approuv[ée]e?s?)\s+par\s+(?:mon|ma|notre|nos|le|la|les|l')",
            // "someone else decides" in each language, either word order.
            r"|\b(?:someone|somebody)\s+else\s+(?:decides|makes\s+the\s+(?:final\s+)?(?:decision|call))|\bdecyduje\s+kto[śs]\s+(?:inny|jeszcze)|\bkto[śs]\s+inny\s+decyduje|\b(?:jemand|wer)\s+ander(?:e|er|es|s)\s+entscheidet|\bentscheidet\s+jemand\s+ander(?:e|er|es|s)\b|\bdecide\s+(?:otra\s+persona|otro|otra|alguien\s+m[aá]s)\b|\b(?:otra\s+persona|alguien\s+m[aá]s)\s+decide\b|\bquelqu'un\s+d'autre\s+(?:décide|tranche)|\bc'est\s+quelqu'un\s+d'autre\s+qui\s+(?:décide|tranche)",
            r"|\bi(?:'d|\s+would|'ll|\s+will)?\s+(?:(?:need|have|got)\s+to|must|gotta)\s+(?:first\s+)?(?:ask|check\s+with|validate\s+(?:it\s+|this\s+|that\s+)?with|discuss\s+(?:it\s+|this\s+|that\s+)?with|run\s+(?:it|this|that)\s+(?:by|past)|get\s+(?:it\s+|this\s+)?approv|talk\s+to|consult|clear\s+it)|\b(?:needs?|requires?)\s+(?:{W}+\s+)?(?:approval|sign-?off)|\bsomeone\s+else\s+decides|\bnot\s+(?:my\s+decision|up\s+to\s+me)|\bi\s+(?:don'?t|do\s+not|can'?t|cannot)\s+(?:decide|approve|sign\s+off|make\s+(?:the\s+)?(?:final\s+)?(?:{W}+\s+)?(?:decision|call)s?)",
            r"|\b(?:mein|meine|unser|unsere|die|der)\s+{de}(?:\s[^.?!]{{0,40}}?)?\s(?:entscheidet|entscheiden|genehmigt|muss\s+(?:zustimmen|freigeben|das\s+ok)|gibt\s+frei)|\bentscheidet\s+(?:mein|meine|unser|unsere|der|die)\s+{de}|\b(?:muss|müssen)\s+(?:das\s+)?(?:erst\s+)?mit\s+[^.?!]{{0,40}}?(?:abstimmen|absprechen|klären|besprechen)|\b(?:ich\s+)?entscheide\s+(?:das\s+)?nicht|\bnicht\s+(?:der|die)\s+entscheider|\bnicht\s+meine\s+entscheidung",
            r"|\b(?:entscheiden|freigeben|genehmigen|absegnen|unterschreiben)\s+(?:tut|muss|wird|soll|darf|kann)\s+(?:das\s+|es\s+|dies\s+)?(?:(?:aber|leider|dann|letztlich|am|ende|schluss|natürlich|eigentlich|immer|noch|auch|bei|uns)\s+)*(?:mein|meine|unser|unsere|der|die)\b|\b(?:er|sie)\s+entscheidet\b|\b(?:entscheidung|entscheid|freigabe)\s+liegt\s+(?:(?:aber|jedoch|leider|letztlich|dann)\s+)*beim\b|\b(?:entscheidung|entscheid|freigabe|genehmigung)\s+(?:trifft|treffen|macht|machen|erteilt|erteilen|gibt|geben|liegt\s+bei|kommt\s+von|hat)\s+(?:aber\s+|jedoch\s+|leider\s+|dann\s+|letztlich\s+)*(?:mein|meine|meinem|meiner|unser|unsere|unserem|unserer|der|die|dem)\b|\b(?:muss|müssen|wird|soll)\s+(?:das\s+|es\s+|dies\s+)?(?:aber\s+|noch\s+|erst\s+|dann\s+|leider\s+)*(?:mein|meine|unser|unsere|der|die)\s+[{W}-]+\s+(?:noch\s+|erst\s+)?(?:freigeben|genehmigen|entscheiden|absegnen|zustimmen|unterschreiben|abnicken)|\bich\s+muss\s+(?:das\s+|erst\s+|noch\s+)*(?:meinen|meine|unseren|unsere|den|die)\s+[{W}-]+\s+fragen",
            r"|\b(?:das\s+)?letzte\s+wort\s+ha(?:t|ben)\s+(?:aber\s+|jedoch\s+|leider\s+|dann\s+)*(?:mein|meine|unser|unsere|der|die)\b|\bla\s+última\s+palabra\s+la\s+tiene[n]?\s+(?:mi|nuestro|nuestra|el|la|los|las)\b|\bostatnie\s+słowo\s+(?:ma|należy\s+do)\s+(?:mój|moja|mojego|mojej|nasz|nasza|naszego|naszej|{pl})|\ble\s+dernier\s+mot\s+(?:revient|appartient)\s+(?:à\s+(?:mon|ma|notre|la|le|l')|au|aux)\b|\b(?:he|she|they|my\s+{family})\s+(?:has|have)\s+the\s+(?:final|last)\s+(?:say|word)\b",
            r"|\b(?:on|ona|oni|to\s+on|to\s+ona)\s+trzyma\s+(?:kasę|budżet|pieniądze)|\b(?:él|ella)\s+(?:lleva|maneja)\s+(?:el\s+dinero|la\s+plata|las\s+cuentas|el\s+presupuesto)|\b(?:he|she)\s+(?:holds|controls|has)\s+the\s+(?:purse|money|budget)|\b(?:my|our)\s+(?:{family}|wife|husband|{en})\s+(?:handles|manages|controls|holds|looks\s+after)\s+(?:the\s+|our\s+|all\s+the\s+)?(?:money|finances|budget|purse\s+strings|purse)\b",
            r"|\bmusz[eę]\s+(?:(?:to|jeszcze|najpierw|też|tę\s+decyzję|ten\s+temat)\s+)*(?:zapytać|zapytac|skonsultować|uzgodnić|porozmawiać|pogadać|przegadać|obgadać|omówić|ustalić|przedyskutować|potwierdzić)|\b(?:decyduje|zatwierdza|akceptuje|decyzję\s+podejmuje|decyzje\s+podejmuje)\s+(?:u\s+nas\s+)?(?:mój|moja|nasz|nasza)?\s*{pl}|\b{pl}\s+(?:decyduje|zatwierdza|akceptuje|musi\s+zatwierdzić|podejmuje\s+decyzj)|\bdecyzj[ęe]\s+(?:{W}+\s+){{0,2}}?(?:podejm{W}*|zatwierdz{W}*)\s+(?:u\s+nas\s+)?(?:mój|moja|nasz|nasza)?\s*{pl}|\b(?:decyduje|zdecyduje|zatwierdza|zatwierdzi|akceptuje)\s+(?:u\s+nas\s+)?(?:mój|moja|nasz|nasza|mojego)\s+{W}+|\b(?:on|ona|oni)\s+(?:decyduje|decydują|zatwierdza|podejmuje\s+decyzj)|\bpotrzebuj[eę]\s+(?:{W}+\s+)?(?:zgody|akceptacji|zatwierdzenia)|\bdecyzj{W}*\s+(?:{W}+\s+){{0,2}}?(?:należy|zależy)\s+do\s+(?:(?:mojego|mojej|naszego|naszej)\s+{W}+|{pl})|\bnie\s+(?:ja\s+)?decyduj\ę|\bnie\s+jestem\s+decyzyjn|\bto\s+nie\s+moja\s+decyzja",
            r"|\b(?:la\s+decisi[oó]n\s+la\s+toma|decide|aprueba|autoriza|firma)\s+(?:mi|nuestro|nuestra|el|la)\s+{es}\b|\b(?:mi|nuestro|nuestra|el|la)\s+{es}(?:\s+{W}+)?\s+(?:es\s+(?:quien|el\s+que|la\s+que)\s+)?(?:decide|aprueba|autoriza|toma\s+la\s+decisi|tiene\s+la\s+última)|\b(?:quien|el\s+que|la\s+que)\s+decide\s+es\s+(?:mi|el|la|nuestro|nuestra)\b|\b(?:lo\s+|la\s+|esto\s+)?tengo\s+que\s+(?:consultar|preguntar|hablar|validar|comentar|revisar|confirmar){W}*|\blo\s+lleva\s+(?:mi|nuestro|nuestra)\b|\bes\s+(?:él|ella|ellos|ellas)\s+(?:quien|quienes|el\s+que|la\s+que)\s+decid{W}*|\b(?:lo\s+|la\s+)?(?:decide|decidirá|aprueba|aprobará)\s+(?:él|ella)\b|\bno\s+(?:lo\s+)?decido\s+yo|\bno\s+soy\s+quien\s+decide",
            r"|\bc'est\s+(?:(?:mon|ma|notre|le|la|leur|son|sa)\s+[{W}'+-]+(?:\s+[{W}'+-]+)?|lui|elle|eux|elles)\s+qui\s+(?:décid|tranch|valid|sign){W}*|\b(?:mon|ma|notre)\s+{fr}\s+(?:décide|tranche|valide|doit\s+valider|signe)|\bje\s+dois\s+(?:d'abord\s+|encore\s+)?(?:valider|voir|en\s+parler|consulter|demander)|\b(?:ce\s+n'est|c'est)\s+pas\s+moi\s+qui\s+(?:décide|tranche)|\bje\s+ne\s+(?:décide|tranche)\s+pas|\bla\s+décision\s+(?:revient|appartient)\s+(?:à\s+(?:mon|ma|notre|la|le|l')|au|aux)\b",
        ),
        en = boss_en,
        de = boss_de,
        pl = boss_pl,
        es = boss_es,
        fr = boss_fr,
        family = family,
        W = WORD_CHAR,
    )
}

static OTHERS_DECIDE: LazyLock<Regex> = LazyLock::new(|| word_regex(&others_decide_pattern()));

/// Bosses named in English, with or without an article: "procurement has to approve".
const BOSS_EN: &str = r"(?:boss|manager|director|ceo|owner|cfo|board|head|supervisor|team\s+lead|vp|founder|partner|md|managing\s+director|management|procurement|purchasing|it\s+department|finance|leadership)";

/// Someone else named by role as the subject of deciding: "the two partners who own the firm
/// will decide", "the office administrator makes the decision", "procurement has to approve".
/// The subject must not be the visitor ("I'm the owner and I decide"): see [`names_the_visitor`].
fn third_party_pattern() -> String {
    format!(
        concat!(
            r"\b(?:my|our|the|his|her|their)\s+[^.?!,;]{{1,50}}?\s(?:will\s+(?:decide|approve|sign\s+off)|decides|approves|makes\s+the\s+(?:final\s+)?(?:decision|call)s?|has\s+the\s+(?:final\s+)?say|signs\s+off|decide)\b",
            "|",
            r"\b(?:(?:my|our|the)\s+)?{en}s?(?:\s[^.?!]{{0,40}}?)?\s(?:decides?|signs?\s+(?:off|the\s+contract)|approves?|has\s+the\s+(?:final\s+)?say|makes?\s+the\s+(?:final\s+)?(?:decision|call)|will\s+decide|(?:needs?|has|have)\s+to\s+(?:approve|sign))",
        ),
        en = BOSS_EN
    )
}

static THIRD_PARTY_DECIDES: LazyLock<Regex> = LazyLock::new(|| word_regex(&third_party_pattern()));

/// Any cue about who decides: most messages hold none, and one scan tells.
static ANY_DECISION_CUE: LazyLock<Regex> = LazyLock::new(|| {
    word_regex(&format!(
        "{DECIDES_PATTERN}|{}|{}",
        others_decide_pattern(),
        third_party_pattern()
    ))
});

/// Whether the word right before byte `at` negates what follows: "no", "not", "nie", "pas".
fn negated_before(lower: &str, at: usize) -> bool {
    let before = lower[..at]
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .rfind(|w| !w.is_empty())
        .unwrap_or_default();
    lexicon::NEGATIONS_BEFORE_CUE.contains(before)
}

/// Words that make a would-be third party the visitor after all ("the price and I will decide").
fn names_the_visitor(phrase: &str) -> bool {
    phrase
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|w| lexicon::VISITOR_WORDS.contains(w))
}

/// What the visitor says about who decides, by the last cue in the message: `Some(true)` when
/// they decide, `Some(false)` when someone else does.
pub(crate) fn decision_statement(lower: &str) -> Option<bool> {
    if !ANY_DECISION_CUE.is_match(lower) {
        return None;
    }
    // "No soy quien decide", "nie decyduję": a cue for the visitor under a negation is none.
    let yes = DECIDES
        .find_iter(lower)
        .filter(|m| !negated_before(lower, m.start()))
        .last()
        .map(|m| m.range());
    // The broad third-party pattern is only worth running where one of its verbs occurs.
    let third_verbs = ["decid", "decis", "approv", "sign", " say", "call"];
    let third = third_verbs
        .iter()
        .any(|v| lower.contains(v))
        .then(|| {
            THIRD_PARTY_DECIDES
                .find_iter(lower)
                .filter(|m| !names_the_visitor(m.as_str()))
                .last()
                .map(|m| m.range())
        })
        .flatten();
    let no = OTHERS_DECIDE
        .find_iter(lower)
        .last()
        .map(|m| m.range())
        .into_iter()
        .chain(third)
        .max_by_key(|r| r.start);
    match (yes, no) {
        (Some(y), Some(n)) => Some(y.start > n.start),
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (None, None) => None,
    }
}

/// An answer to "who decides?" that names someone else: "The partners.", "Mi jefa", "Unser
/// Vorstand, ich bereite nur vor".
pub(crate) fn names_someone_else(lower: &str) -> bool {
    let mut words = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or_default();
    let possessive = lexicon::SOMEONE_ELSE_OPENERS.contains(first);
    possessive
        && words
            .next()
            .is_some_and(|w| !matches!(w, "decision" | "one" | "me"))
}

/// A bare yes or no ("yes", "tak", "ja", "sí", "oui", "nope"), for answers to a yes/no question.
pub fn yes_no(lower: &str) -> Option<bool> {
    let first = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .find(|w| !w.is_empty())?;
    if lexicon::YES_WORDS.contains(first) {
        Some(true)
    } else if lexicon::NO_WORDS.contains(first) {
        Some(false)
    } else {
        None
    }
}
