//! `docs/architecture.md` stays true: its table names every top-level module of `src/`, and no
//! module imports (`crate::…`) another that its row does not allow.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The table: module -> the modules it may use.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .expect("docs/architecture.md");
    let mut out = BTreeMap::new();
    for line in doc.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `module` | holds | may use |
        if cells.len() < 5 || !cells[1].starts_with('`') {
            continue;
        }
        let module = cells[1].trim_matches('`').to_owned();
        let uses = cells[3]
            .split(',')
            .map(|c| c.trim().trim_matches('`').to_owned())
            .filter(|c| !c.is_empty() && c != "—")
            .collect();
        out.insert(module, uses);
    }
    out
}

/// The top-level modules `src/lib.rs` declares.
fn declared() -> BTreeSet<String> {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_owned())
        .collect()
}

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            files(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

/// The modules a module's files import through `crate::`.
fn imports(module: &str) -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    let dir = src.join(module);
    if dir.is_dir() {
        files(&dir, &mut paths);
    } else {
        paths.push(src.join(format!("{module}.rs")));
    }
    let mut out = BTreeSet::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn the_table_names_every_module() {
    let table: BTreeSet<String> = documented().into_keys().collect();
    assert_eq!(
        table,
        declared(),
        "docs/architecture.md's table and src/lib.rs disagree"
    );
}

#[test]
fn no_module_uses_one_its_layer_may_not() {
    let table = documented();
    let mut wrong = Vec::new();
    for (module, allowed) in &table {
        for used in imports(module) {
            if !allowed.contains(&used) && table.contains_key(&used) {
                wrong.push(format!("{module} -> {used}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports docs/architecture.md does not allow: {wrong:?}"
    );
}

#[test]
fn the_check_sees_imports() {
    // The reader finds what it must, so the check above cannot pass by reading nothing.
    assert!(imports("sync").contains("store"));
    assert!(imports("chat").contains("sync"));
    assert!(documented()["lead"].is_empty());
}
