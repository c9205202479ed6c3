//! Every list the engine reads from the lexicon files: its name in the files and how its
//! entries are written. What each list is for is said above it in the files. A data table.

use super::{Casing, WordList, WordTable};

/// Declares the lists and [`ALL_LISTS`], which the tests hold the files to.
macro_rules! word_lists {
    ($($name:ident = $key:literal, $casing:ident;)*) => {
        $(
            #[doc = concat!("The list `", $key, "` of the lexicon files.")]
            pub(crate) static $name: WordList = WordList::new($key, Casing::$casing);
        )*
        /// Every list, for the tests.
        #[cfg(test)]
        pub(super) static ALL_LISTS: &[&WordList] = &[$(&$name),*];
    };
}

/// Declares the tables and [`ALL_TABLES`], which the tests hold the files to.
macro_rules! word_tables {
    ($($name:ident = $key:literal, $casing:ident;)*) => {
        $(
            #[doc = concat!("The table `", $key, "` of the lexicon files.")]
            pub(crate) static $name: WordTable = WordTable::new($key, Casing::$casing);
        )*
        /// Every table, for the tests.
        #[cfg(test)]
        pub(super) static ALL_TABLES: &[&WordTable] = &[$(&$name),*];
    };
}

word_lists! {
    // Names and greetings.
    GREETINGS = "greetings", Lower;
    NOT_NAME = "not_name", Lower;
    NAME_PARTICLES = "name_particles", Lower;
    SURNAME_PARTICLES = "surname_particles", Lower;
    STRONG_NAME_CUES = "strong_name_cues", Lower;
    WEAK_NAME_CUES = "weak_name_cues", Lower;
    HERE_WORDS = "here_words", Lower;
    ANSWER_FILLERS = "answer_fillers", Lower;
    ADDRESS_TITLES = "address_titles", Lower;
    CALENDAR_WORDS_NOT_NAMES = "calendar_words_not_names", Lower;
    ABBREVIATIONS = "abbreviations", Lower;
    CLOSINGS = "closings", Lower;
    // Names, titles and companies as they are written out.
    HONORIFICS = "honorifics", Lower;
    NAME_SUFFIXES = "name_suffixes", Lower;
    LOWER_CASE_NAME_PARTICLES = "lower_case_name_particles", Lower;
    MAC_NAMES = "mac_names", Lower;
    COMPOUND_GIVEN_NAMES = "compound_given_names", Lower;
    TITLE_ACRONYMS = "title_acronyms", Lower;
    TITLE_SMALL_WORDS = "title_small_words", Lower;
    COMPANY_SMALL_WORDS = "company_small_words", Lower;
    // Job titles and who decides.
    ROLE_HEADS = "role_heads", Lower;
    DECIDING_ROLE_HEADS = "deciding_role_heads", Lower;
    ROLE_SUFFIXES = "role_suffixes", Lower;
    DECIDING_ROLE_SUFFIXES = "deciding_role_suffixes", Lower;
    DECIDING_TITLES = "deciding_titles", Lower;
    NON_DECIDING_TITLE_WORDS = "non_deciding_title_words", Lower;
    TITLE_MODIFIERS = "title_modifiers", Lower;
    DEPARTMENTS = "departments", Lower;
    POSSESSIVES_OF_OTHERS = "possessives_of_others", Lower;
    ARTICLES = "articles", Lower;
    SELF_ROLE_CUES = "self_role_cues", Lower;
    SELF_ROLE_WORDS = "self_role_words", Lower;
    SELF_INTRO_WORDS = "self_intro_words", Lower;
    FUNCTION_WORDS = "function_words", Lower;
    OWNER_HEADS = "owner_heads", Lower;
    NEGATIONS_BEFORE_CUE = "negations_before_cue", Lower;
    VISITOR_WORDS = "visitor_words", Lower;
    SOMEONE_ELSE_OPENERS = "someone_else_openers", Lower;
    YES_WORDS = "yes_words", Lower;
    NO_WORDS = "no_words", Lower;
    // Companies.
    COMPANY_PREPOSITIONS = "company_prepositions", Lower;
    COMPANY_CUES = "company_cues", Lower;
    PRODUCTS = "products", Lower;
    CONNECTORS = "connectors", Lower;
    NOT_COMPANY = "not_company", Lower;
    COMPANY_WORDS_IN_NAMES = "business_words", Lower;
    WORK_VERBS = "work_verbs", Lower;
    RUNNING_VERBS = "running_verbs", Lower;
    BUSINESS_PREPOSITIONS = "business_prepositions", Lower;
    SHOP_DOMAINS = "shop_domains", Lower;
    TEAM_WORDS = "team_words", Lower;
    PLACE_LOCATIVE_ENDINGS = "place_locative_endings", Lower;
    // Questions.
    QUESTION_OPENERS = "question_openers", Lower;
    STRONG_QUESTION_WORDS = "strong_question_words", Lower;
    CLOSING_QUESTION_WORDS = "closing_question_words", Lower;
    QUESTION_FILLERS = "question_fillers", Lower;
    // Budgets.
    CURRENCY_CODES = "currency_codes", Upper;
    RANGE_JOINERS = "range_joiners", Lower;
    WEAK_RANGE_JOINERS = "weak_range_joiners", Lower;
    RANGE_OPENERS = "range_openers", Lower;
    UPPER_BOUND_PHRASES = "upper_bound_phrases", Lower;
    LOWER_BOUND_PHRASES = "lower_bound_phrases", Lower;
    COMPARATIVE_PHRASES = "comparative_phrases", Lower;
    APPROXIMATION_PHRASES = "approximation_phrases", Lower;
    OPEN_ENDED_PHRASES = "open_ended_phrases", Lower;
    WORDS_AFTER_BARE_AMOUNT = "words_after_bare_amount", Lower;
    CLAUSE_NEGATIONS = "clause_negations", Lower;
    // Contact details and head counts.
    NOT_A_MAILBOX = "not_a_mailbox", Lower;
    ID_WORDS = "id_words", Lower;
    COMPETITOR_INFLECTIONS = "competitor_inflections", Lower;
    WORDS_AFTER_COUNT = "words_after_count", Lower;
    COUNT_SOFTENERS = "count_softeners", Lower;
    COUNT_SOFTENERS_AFTER = "count_softeners_after", LowerFragment;
    // Test and junk entries.
    RESERVED_TLDS = "reserved_tlds", Lower;
    RESERVED_DOMAINS = "reserved_domains", Lower;
    PRIVACY_RELAYS = "privacy_relays", Lower;
    TEST_WORDS = "test_words", Lower;
    TEST_PHRASES = "test_phrases", Lower;
    PLACEHOLDER_MAILBOXES = "placeholder_mailboxes", Lower;
    KEYBOARD_ROWS = "keyboard_rows", Lower;
}

word_tables! {
    MONTHS = "months", Lower;
    NUMBER_WORDS = "number_words", Lower;
    COUNT_WORDS = "count_words", Lower;
    TENS_WORDS = "tens_words", Lower;
}
