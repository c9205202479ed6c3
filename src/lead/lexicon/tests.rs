use std::collections::{BTreeMap, BTreeSet};

use super::lists::{ALL_LISTS, ALL_TABLES};
use super::parse::{ParseError, parse};
use super::{FILES, PARSED};

#[test]
fn every_file_parses() {
    for (name, _, text) in FILES {
        if let Err(e) = parse(text) {
            panic!("lexicon/{name}.toml, {e}");
        }
    }
}

/// Each file read by the `toml` crate, as (table, key) -> entries.
fn read_with_toml(text: &str) -> BTreeMap<(Option<String>, String), Vec<String>> {
    let strings = |v: &toml::Value| -> Vec<String> {
        v.as_array()
            .expect("an array")
            .iter()
            .map(|e| e.as_str().expect("a string").to_owned())
            .collect()
    };
    let mut out = BTreeMap::new();
    for (key, value) in text.parse::<toml::Table>().expect("TOML") {
        match value.as_table() {
            Some(rows) => {
                for (row, entries) in rows {
                    out.insert((Some(key.clone()), row.clone()), strings(entries));
                }
            }
            None => {
                out.insert((None, key), strings(&value));
            }
        }
    }
    out
}

#[test]
fn the_files_are_toml_and_read_the_same_by_a_toml_parser() {
    for (name, _, text) in FILES {
        let ours: BTreeMap<(Option<String>, String), Vec<String>> = parse(text)
            .expect("parses")
            .lists
            .iter()
            .map(|l| {
                let entries = l.entries.iter().map(|e| (*e).to_owned()).collect();
                ((l.table.map(str::to_owned), l.key.to_owned()), entries)
            })
            .collect();
        assert_eq!(ours, read_with_toml(text), "lexicon/{name}.toml");
    }
}

#[test]
fn every_list_and_table_says_what_it_is_for() {
    for ((name, _, _), file) in FILES.iter().zip(PARSED.iter()) {
        for list in file.lists.iter().filter(|l| l.table.is_none()) {
            assert!(
                !list.doc.is_empty(),
                "lexicon/{name}.toml line {}: `{}` needs a comment above it",
                list.line,
                list.key
            );
        }
        for table in &file.tables {
            assert!(
                !table.doc.is_empty(),
                "lexicon/{name}.toml line {}: `[{}]` needs a comment above it",
                table.line,
                table.name
            );
        }
    }
}

#[test]
fn the_engine_reads_every_list_in_the_files_and_finds_every_list_it_reads() {
    let lists: BTreeSet<&str> = ALL_LISTS.iter().map(|l| l.key).collect();
    let tables: BTreeSet<&str> = ALL_TABLES.iter().map(|t| t.key).collect();
    let mut found_lists = BTreeSet::new();
    let mut found_tables = BTreeSet::new();
    for ((name, _, _), file) in FILES.iter().zip(PARSED.iter()) {
        for list in file.lists.iter().filter(|l| l.table.is_none()) {
            assert!(
                lists.contains(list.key),
                "lexicon/{name}.toml: the engine does not read `{}`",
                list.key
            );
            found_lists.insert(list.key);
        }
        for table in &file.tables {
            assert!(
                tables.contains(table.name),
                "lexicon/{name}.toml: the engine does not read `[{}]`",
                table.name
            );
            found_tables.insert(table.name);
        }
    }
    assert_eq!(found_lists, lists, "lists the engine reads but no file has");
    assert_eq!(
        found_tables, tables,
        "tables the engine reads but no file has"
    );
}

#[test]
fn no_list_holds_a_word_twice() {
    for ((name, _, _), file) in FILES.iter().zip(PARSED.iter()) {
        for list in file.lists.iter().filter(|l| l.table.is_none()) {
            let mut seen = BTreeSet::new();
            for word in &list.entries {
                assert!(
                    seen.insert(word),
                    "lexicon/{name}.toml: `{}` lists {word:?} twice",
                    list.key
                );
            }
        }
        // Within a table a word has one number: "sept" cannot be both 7 and 9 in one language.
        for table in &file.tables {
            let mut seen = BTreeSet::new();
            for word in file.rows(table.name).flat_map(|r| &r.entries) {
                assert!(
                    seen.insert(word),
                    "lexicon/{name}.toml: `[{}]` lists {word:?} twice",
                    table.name
                );
            }
        }
    }
}

#[test]
fn entries_are_written_as_their_list_says() {
    for list in ALL_LISTS {
        for &word in list.words() {
            assert!(
                list.casing.allows(word),
                "`{}`: {word:?} is not written {:?}",
                list.key,
                list.casing
            );
        }
    }
    for table in ALL_TABLES {
        for file in PARSED.iter() {
            for row in file.rows(table.key) {
                assert!(
                    row.key.parse::<u32>().is_ok(),
                    "`[{}]`: row {} is not a number",
                    table.key,
                    row.key
                );
                for word in &row.entries {
                    assert!(
                        table.casing.allows(word),
                        "`[{}]`: {word:?} is not written {:?}",
                        table.key,
                        table.casing
                    );
                }
            }
        }
    }
}

#[test]
fn casing_rules() {
    use super::Casing;
    assert!(Casing::Lower.allows("dobry wieczór"));
    assert!(!Casing::Lower.allows("Dobry"));
    assert!(!Casing::Lower.allows("two  spaces"));
    assert!(!Casing::Lower.allows(" leading"));
    assert!(!Casing::Lower.allows(""));
    assert!(Casing::LowerFragment.allows(" or so"));
    assert!(Casing::LowerFragment.allows("-odd"));
    assert!(!Casing::LowerFragment.allows(" Odd"));
    assert!(Casing::Upper.allows("EUR"));
    assert!(!Casing::Upper.allows("Eur"));
}

#[test]
fn lists_merge_every_language_and_answer_membership() {
    use super::lists::{GREETINGS, MONTHS, TITLE_MODIFIERS};
    use crate::lead::Lang;
    assert!(GREETINGS.contains("hello") && GREETINGS.contains("cześć"));
    assert!(GREETINGS.contains("ciao"));
    assert!(!GREETINGS.contains("anna"));
    assert!(TITLE_MODIFIERS.words_in(Lang::En).contains(&"support"));
    assert!(TITLE_MODIFIERS.words_in(Lang::Pl).is_empty());
    let june: BTreeSet<&str> = MONTHS
        .entries()
        .filter(|(_, n)| *n == 6)
        .map(|(w, _)| w)
        .collect();
    assert!(june.contains("june") && june.contains("czerwca") && june.contains("juin"));
}

fn error(text: &'static str) -> ParseError {
    parse(text).expect_err("an error")
}

#[test]
fn the_reader_takes_what_the_files_use() {
    let file = parse(
        "# Greetings.\ngreetings = [\n    \"hi\", \"dzień dobry\", # a comment\n    # another\n    \"hey\",\n]\n\n# Months.\n[months]\n1 = [\"january\"] # trailing\n2 = [\"february\", \"feb\"]\n",
    )
    .expect("parses");
    assert_eq!(file.list("greetings"), ["hi", "dzień dobry", "hey"]);
    assert_eq!(file.lists[0].doc, ["Greetings."]);
    assert_eq!(file.tables[0].name, "months");
    assert_eq!(file.tables[0].doc, ["Months."]);
    let rows: Vec<(&str, &[&str])> = file
        .rows("months")
        .map(|r| (r.key, r.entries.as_slice()))
        .collect();
    assert_eq!(
        rows,
        [("1", &["january"][..]), ("2", &["february", "feb"][..])]
    );
    assert!(file.list("missing").is_empty());
}

#[test]
fn a_blank_line_ends_a_lists_documentation() {
    let file = parse("# A file comment.\n\nwords = [\"a\"]\n").expect("parses");
    assert!(file.lists[0].doc.is_empty());
}

#[test]
fn the_reader_refuses_what_the_files_must_not_hold() {
    assert_eq!(error("a = [\"x\"\n").line, 2);
    assert_eq!(error("a = [\"x]\n").message, "the string is not closed");
    assert_eq!(
        error("a = [\"x\\\"y\"]\n").message,
        "escapes are not supported"
    );
    assert_eq!(
        error("a = [\"x\"]\na = [\"y\"]\n").message,
        "`a` is defined twice"
    );
    assert_eq!(error("[t]\n[t]\n").line, 2);
    assert!(
        error("a = [1]\n")
            .message
            .contains("strings in double quotes")
    );
    assert!(error("a = \"x\"\n").message.contains("expected `[`"));
    assert!(
        error("a = [\"x\" \"y\"]\n")
            .message
            .contains("expected `,` or `]`")
    );
    assert!(error("a = [\"x\"] b\n").message.contains("end of the line"));
}
