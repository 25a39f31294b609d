//! The collector table (`collector::ALL`) as the tests use it: which
//! collectors a test turns on, each collector's default fixture, which
//! collector's page a fixture file is, and a name no collector can have.
//! Everything here reads the table, and a collector's default fixture is
//! found by its name, so a collector added to the table is picked up by
//! every test without a word changed here.

use std::path::Path;
use std::sync::OnceLock;

use smarthub_exporter::collector::{self, Collector};

use super::expo::Parsed;

/// A collector name `--no-collector` must refuse: names are lowercase ASCII
/// letters (`src/collector.rs` tests it), so this one can never be valid,
/// and it collides with no metric family.
pub const UNKNOWN: &str = "No-Such-Collector";

/// The Go exporter's collectors: the WAN page and the device page, the
/// rows of the table named `wan` and `lan`.
pub const GO_EXPORTER: [&str; 2] = ["wan", "lan"];

/// The rows of the table named in `names`, in the table's order; a name
/// that is not a row fails the test.
pub fn rows(names: &[&str]) -> Vec<&'static Collector> {
    for name in names {
        assert!(
            collector::by_name(name).is_some(),
            "{name:?} is not a collector of collector::ALL"
        );
    }
    collector::ALL
        .iter()
        .filter(|c| names.contains(&c.name))
        .collect()
}

/// The flags that turn off every collector but those named, then `extra`.
pub fn only<'a>(names: &[&str], extra: &[&'a str]) -> Vec<&'a str> {
    let on = rows(names);
    let mut args = Vec::new();
    for c in collector::ALL.iter().filter(|c| !on.contains(c)) {
        args.extend(["--no-collector", c.name]);
    }
    args.extend_from_slice(extra);
    args
}

/// The flags that leave only the Go exporter's collectors on (see
/// [`GO_EXPORTER`]), then `extra`: for a test whose fake hub serves the WAN
/// and device pages alone.
pub fn go_exporter_only<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    only(&GO_EXPORTER, extra)
}

/// Asserts that in scrape `m` every collector but those in `failed` read
/// its page: a failing page loses only its own metrics.
pub fn assert_the_others_read(m: &Parsed, failed: &[&str]) {
    rows(failed);
    for c in collector::ALL.iter().filter(|c| !failed.contains(&c.name)) {
        assert_eq!(m.collector_success(c.name), Some(1.0), "{}", c.name);
    }
}

/// The default fixture of the collector named `name`, under
/// `tests/fixtures/`: the one file `hub/<name>.<ext>`. Together they are a
/// healthy hub (a VDSL2 line that is up, two devices, the hub alone in its
/// mesh); a fake hub serves it for every collector a test does not name,
/// and each golden set names only the pages that differ from it. A
/// collector with none, or two, fails the test that asks
/// (`golden.rs` asks for every row of the table).
pub fn default_fixture(name: &str) -> &'static str {
    static FOUND: OnceLock<Vec<(&'static str, Vec<String>)>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let dir = super::repo_root().join("tests/fixtures/hub");
        let files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        collector::ALL
            .iter()
            .map(|c| {
                let mut of: Vec<String> = files
                    .iter()
                    .filter(|f| f.split_once('.').is_some_and(|(stem, _)| stem == c.name))
                    .map(|f| format!("hub/{f}"))
                    .collect();
                of.sort();
                (c.name, of)
            })
            .collect()
    });
    let (_, files) = found
        .iter()
        .find(|(c, _)| *c == name)
        .unwrap_or_else(|| panic!("{name:?} is not a collector of collector::ALL"));
    match &files[..] {
        [file] => file,
        [] => panic!(
            "collector {name:?} has no default fixture: add tests/fixtures/hub/{name}.<ext>, \
             its page on a healthy hub"
        ),
        _ => panic!("collector {name:?} has two default fixtures, keep one: {files:?}"),
    }
}

/// The collector whose page `file` is, from its name alone:
///
/// - this project's fixtures are named for their collector,
///   `tests/fixtures/hub/<collector>.<ext>` (its default fixture) or
///   `<collector>_<case>.<ext>`;
/// - captures keep the name of the hub's page they were saved from, give or
///   take case, underscores and a prefix or suffix of their publisher's
///   (`cgi_owl.special_chars.js`, `btsmarthub2.go.inline_wan_conn.xml`,
///   `basic_status_example.js` for `cgi_basicStatus.js`): the page's file
///   name without `cgi_` and its extension, found in the file's name.
///
/// `None` for a file that is no collector's page (`login.htm`). Two
/// collectors matching one file fails the test: rename the file.
pub fn page_of(file: &Path) -> Option<&'static Collector> {
    let name = file
        .file_name()
        .unwrap_or_else(|| panic!("{}: no file name", file.display()))
        .to_string_lossy();
    let stem = name.split('.').next().unwrap_or("");
    let by_name: Vec<_> = collector::ALL
        .iter()
        .filter(|c| stem == c.name || stem.starts_with(&format!("{}_", c.name)))
        .collect();
    if let [c] = by_name[..] {
        return Some(c);
    }
    assert!(
        by_name.is_empty(),
        "{}: named for {by_name:?}",
        file.display()
    );
    let squeezed = |s: &str| s.replace('_', "").to_ascii_lowercase();
    let looked_at = squeezed(&name);
    let by_page: Vec<_> = collector::ALL
        .iter()
        .filter(|c| {
            c.pages().iter().any(|page| {
                let page = page.rsplit('/').next().unwrap_or(page);
                let page = page.split('.').next().unwrap_or(page);
                looked_at.contains(&squeezed(page.strip_prefix("cgi_").unwrap_or(page)))
            })
        })
        .collect();
    assert!(
        by_page.len() <= 1,
        "{}: the page of {by_page:?}",
        file.display()
    );
    by_page.first().copied()
}
