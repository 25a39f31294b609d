//! The layering ARCHITECTURE.md promises, held to, in the style of
//! rust-analyzer's tidy tests: the source is read as data. Every file under
//! `src/` is scanned for the modules it names (`crate::<module>`, in `use`
//! lines and paths; `smarthub_exporter::<module>` in `main.rs`), with
//! comments and string literals left out, and each is checked against the
//! table under "Modules depend one way" in ARCHITECTURE.md, read from the
//! document itself, so the rule and its check cannot drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::repo_root;

/// The header row of ARCHITECTURE.md's table of allowed dependencies.
const TABLE_HEAD: &str = "| module | may use |";
/// The binary's row: `main.rs` names the library's modules by the crate's
/// name, not `crate::`.
const MAIN: &str = "main.rs";

/// The table's rows, top to bottom: a module and the modules it may use.
fn allowed() -> Vec<(String, BTreeSet<String>)> {
    let doc = std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).unwrap();
    let mut lines = doc
        .lines()
        .skip_while(|l| l.trim() != TABLE_HEAD)
        .skip(2)
        .map(str::trim)
        .take_while(|l| l.starts_with('|'));
    let names = |cell: &str| -> BTreeSet<String> {
        cell.split(',')
            .map(|n| n.trim().trim_matches('`').to_owned())
            .filter(|n| !n.is_empty() && n != "—")
            .collect()
    };
    let mut rows = Vec::new();
    for line in lines.by_ref() {
        let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
        assert_eq!(
            cells.len(),
            2,
            "ARCHITECTURE.md: a row of two cells: {line}"
        );
        let module = cells[0].trim().trim_matches('`').to_owned();
        rows.push((module, names(cells[1])));
    }
    assert!(
        !rows.is_empty(),
        "ARCHITECTURE.md: no table headed `{TABLE_HEAD}`"
    );
    rows
}

/// The top-level module a file under `src/` belongs to (`main.rs` for the
/// binary); `None` for `lib.rs`, which only declares them.
fn module_of(rel: &Path) -> Option<String> {
    let mut parts = rel.components().map(|c| c.as_os_str().to_str().unwrap());
    let first = parts.next()?;
    match (first, parts.next()) {
        ("lib.rs", None) => None,
        (MAIN, None) => Some(MAIN.to_owned()),
        (file, None) => Some(file.strip_suffix(".rs").unwrap().to_owned()),
        (dir, Some(_)) => Some(dir.to_owned()),
    }
}

/// Every `.rs` file under `dir`, relative to it, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The source with its comments and the contents of its string, byte
/// string, raw string and character literals blanked (line breaks kept, so
/// line numbers stay true): what is left is code.
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        // A raw string: `r"`, `r#"`, `br#"`.., its `r` starting a token.
        let raw_at = match (c[i], next) {
            ('r', _) => Some(i + 1),
            ('b', Some('r')) => Some(i + 2),
            _ => None,
        }
        .filter(|_| i == 0 || !ident(c[i - 1]));
        if let Some(at) = raw_at {
            let hashes = c[at..].iter().take_while(|&&h| h == '#').count();
            if c.get(at + hashes) == Some(&'"') {
                let close: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat('#').take(hashes))
                    .collect();
                let mut j = at + hashes + 1;
                while j < c.len() && !c[j..].starts_with(&close) {
                    j += 1;
                }
                let end = (j + close.len()).min(c.len());
                for &ch in &c[i..end] {
                    blank(&mut out, ch);
                }
                i = end;
                continue;
            }
        }
        match (c[i], next) {
            ('/', Some('/')) => {
                while i < c.len() && c[i] != '\n' {
                    out.push(' ');
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                // Block comments nest.
                let mut depth = 0;
                loop {
                    if i >= c.len() {
                        break;
                    }
                    if c[i..].starts_with(&['/', '*']) {
                        depth += 1;
                        out.push_str("  ");
                        i += 2;
                    } else if c[i..].starts_with(&['*', '/']) {
                        depth -= 1;
                        out.push_str("  ");
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        blank(&mut out, c[i]);
                        i += 1;
                    }
                }
            }
            ('"', _) => {
                blank(&mut out, '"');
                i += 1;
                while i < c.len() && c[i] != '"' {
                    let len = if c[i] == '\\' { 2 } else { 1 };
                    for &ch in &c[i..(i + len).min(c.len())] {
                        blank(&mut out, ch);
                    }
                    i += len;
                }
                if i < c.len() {
                    blank(&mut out, '"');
                    i += 1;
                }
            }
            // A character literal (`'x'`, `'\n'`, `b'"'`), not a lifetime
            // (`'a`).
            ('\'', Some(n)) if n == '\\' || c.get(i + 2) == Some(&'\'') => {
                let mut j = i + 1;
                if n == '\\' {
                    j += 2;
                }
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                let end = (j + 1).min(c.len());
                for &ch in &c[i..end] {
                    blank(&mut out, ch);
                }
                i = end;
            }
            (ch, _) => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

/// The modules `code` names under `root` (`crate`, or the library's name in
/// `main.rs`), each with its line: `root::m`, `root::m::x`, and each item
/// of a group, `root::{m, n::x, o::{..}}`.
fn references(code: &str, root: &str) -> Vec<(usize, String)> {
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(root).map(|a| from + a) {
        from = at + root.len();
        let before = code[..at].chars().next_back();
        if before.is_some_and(|b| ident(b) || b == '$') {
            continue;
        }
        let rest = code[from..].trim_start();
        let Some(rest) = rest.strip_prefix("::") else {
            continue;
        };
        let rest = rest.trim_start();
        let line = code[..at].matches('\n').count() + 1;
        let items: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => {
                // The group's top-level items, up to its closing brace.
                let mut depth = 0;
                let mut items = Vec::new();
                let mut start = 0;
                for (k, ch) in group.char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            items.push(&group[start..k]);
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            items.push(&group[start..k]);
                            start = k + 1;
                        }
                        _ => {}
                    }
                }
                items
            }
            None => vec![rest],
        };
        for item in items {
            let name: String = item
                .trim_start()
                .chars()
                .take_while(|&ch| ident(ch))
                .collect();
            if !name.is_empty() && name != "self" {
                found.push((line, name));
            }
        }
    }
    found
}

#[test]
fn every_module_uses_only_what_architecture_allows() {
    let rules: BTreeMap<String, BTreeSet<String>> = allowed().into_iter().collect();
    let src = repo_root().join("src");
    let mut broken = Vec::new();
    let mut scanned = 0;
    for rel in rust_files(&src) {
        let Some(module) = module_of(&rel) else {
            continue;
        };
        let file = Path::new("src").join(&rel);
        let Some(may) = rules.get(&module) else {
            broken.push(format!(
                "{}: module `{module}` has no row in ARCHITECTURE.md's table",
                file.display()
            ));
            continue;
        };
        let root = if module == MAIN {
            "smarthub_exporter"
        } else {
            "crate"
        };
        let code = code_only(&std::fs::read_to_string(src.join(&rel)).unwrap());
        scanned += 1;
        for (line, used) in references(&code, root) {
            if used != module && !may.contains(&used) {
                let list: Vec<&str> = may.iter().map(String::as_str).collect();
                broken.push(format!(
                    "{}:{line}: `{root}::{used}`: {module} may not use {used} (it may use: {})",
                    file.display(),
                    if list.is_empty() {
                        "nothing".to_owned()
                    } else {
                        list.join(", ")
                    }
                ));
            }
        }
    }
    assert!(scanned > 30, "only {scanned} files under src/");
    assert!(
        broken.is_empty(),
        "imports that ARCHITECTURE.md (\"Modules depend one way\") does not allow:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_table_names_each_module_once_and_only_downwards() {
    let rows = allowed();
    let declared: BTreeSet<String> = std::fs::read_to_string(repo_root().join("src/lib.rs"))
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_owned())
        .collect();
    let mut listed: Vec<&str> = rows.iter().map(|(m, _)| m.as_str()).collect();
    listed.retain(|&m| m != MAIN);
    let unique: BTreeSet<String> = listed.iter().map(|m| m.to_string()).collect();
    assert_eq!(unique.len(), listed.len(), "a module with two rows");
    assert_eq!(unique, declared, "the table's modules against src/lib.rs");
    // Each row names only modules of the rows below it, so no module can
    // reach back to one above: the table has no circle.
    for (i, (module, may)) in rows.iter().enumerate() {
        for used in may {
            assert!(
                rows[i + 1..].iter().any(|(m, _)| m == used),
                "ARCHITECTURE.md: {module} may use {used}, which is not in a row below it"
            );
        }
    }
}

#[test]
fn the_scan_finds_every_form_of_import_and_nothing_in_comments_or_strings() {
    let src = r##"
use crate::hub::Hub;
use crate::pages::{self, ParseError};
use crate::{
    dump,
    metrics::{lan, wan},
};
pub(crate) fn f<'a>(x: &'a str) -> u8 {
    let _ = crate::format::percent::decode(x);
    let _ = '"'; let _ = b'\''; let _ = '\\';
    let _ = "crate::cli \" crate::http";
    let _ = r#"crate::server "# ;
    // crate::worker
    /* crate::signals /* nested */ crate::logging */
    /// crate::redact
    let _ = my_crate::script; let _ = $crate::exposition;
    crate :: source ::Source
}
"##;
    let code = code_only(src);
    assert_eq!(code.lines().count(), src.lines().count());
    let found: Vec<(usize, String)> = references(&code, "crate");
    let want: Vec<(usize, String)> = [
        (2, "hub"),
        (3, "pages"),
        (4, "dump"),
        (4, "metrics"),
        (9, "format"),
        (17, "source"),
    ]
    .into_iter()
    .map(|(l, m)| (l, m.to_owned()))
    .collect();
    assert_eq!(found, want);
    assert_eq!(
        references(
            "use smarthub_exporter::{dump, logging};",
            "smarthub_exporter"
        ),
        [(1, "dump".to_owned()), (1, "logging".to_owned())]
    );
    assert_eq!(
        module_of(Path::new("pages/wan.rs")).as_deref(),
        Some("pages")
    );
    assert_eq!(module_of(Path::new("scrape.rs")).as_deref(), Some("scrape"));
    assert_eq!(module_of(Path::new("main.rs")).as_deref(), Some(MAIN));
    assert_eq!(module_of(Path::new("lib.rs")), None);
}
