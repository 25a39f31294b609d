//! The places that follow the library's table (`collector::ALL`) without
//! naming every collector: the `collectors` fuzz target runs every row and
//! is seeded with every hub fixture, the fake hub serves a page for every
//! row, and a collector the docs name (`--no-collector NAME`) is one of the
//! table. And the fuzz crate agrees with itself and its docs: every target
//! has a row in fuzz/README.md, a seeds entry in fuzz/ci.sh whose fixtures
//! exist, and its name in docs/robustness.md's list of targets.
//! (The UCI config's check is a unit test in src/cli.rs.)

use std::collections::BTreeSet;

use smarthub_exporter::collector::ALL;

use crate::support::{self, fake_hub};

fn read(rel: &str) -> String {
    let p = support::repo_root().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The cells of a Markdown table row, trimmed.
fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

/// The targets of fuzz/Cargo.toml: each `[[bin]]`'s name and path.
fn fuzz_targets() -> Vec<(String, String)> {
    let toml = read("fuzz/Cargo.toml");
    let mut out = Vec::new();
    for block in toml.split("[[bin]]").skip(1) {
        let field = |key: &str| -> String {
            block
                .lines()
                .take_while(|l| !l.starts_with('['))
                .find_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
                })
                .unwrap_or_else(|| panic!("fuzz/Cargo.toml: a [[bin]] without {key}"))
        };
        out.push((field("name"), field("path")));
    }
    assert!(out.len() >= 10, "only {out:?} in fuzz/Cargo.toml");
    out
}

/// The words after each `--no-collector ` in a text.
fn no_collector_names(text: &str) -> Vec<String> {
    text.split("--no-collector ")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect()
        })
        .collect()
}

#[test]
fn a_collector_the_docs_name_is_one_of_the_table() {
    let mut files = vec!["README.md".to_owned()];
    for e in std::fs::read_dir(support::repo_root().join("docs")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") {
            files.push(format!("docs/{name}"));
        }
    }
    let mut named = 0;
    for file in &files {
        for name in no_collector_names(&read(file)) {
            // `NAME` and `<name>` stand for any.
            if name.is_empty() || name == "NAME" {
                continue;
            }
            assert!(
                ALL.iter().any(|c| c.name == name),
                "{file} names --no-collector {name}, which is no collector"
            );
            named += 1;
        }
    }
    assert!(named >= 1, "no collector named in {files:?}");
    assert_eq!(
        no_collector_names("a --no-collector b, --no-collector NAME"),
        ["b", "NAME"]
    );
}

#[test]
fn the_collectors_fuzz_target_runs_every_row_of_the_table() {
    let targets = fuzz_targets();
    let (_, path) = targets
        .iter()
        .find(|(name, _)| name == "collectors")
        .expect("fuzz/Cargo.toml: the collectors target");
    assert!(
        read(&format!("fuzz/{path}")).contains("smarthub_exporter_fuzz::collectors(data)"),
        "fuzz/{path}"
    );
    let lib = read("fuzz/src/lib.rs");
    let check = lib
        .split_once("pub fn collectors(data: &[u8]) {")
        .expect("fuzz/src/lib.rs: collectors")
        .1;
    let check = &check[..check.find("\n}\n").expect("the end of collectors")];
    assert!(
        check.contains("for c in collector::ALL"),
        "fuzz/src/lib.rs's collectors reads every row of the table"
    );
    for (name, path) in &targets {
        assert!(
            support::repo_root().join("fuzz").join(path).is_file(),
            "fuzz target {name}: {path} is missing"
        );
    }
}

#[test]
fn the_fuzz_readme_has_a_row_for_exactly_the_fuzz_targets() {
    let readme = read("fuzz/README.md");
    let rows: BTreeSet<String> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| Target |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| cells(l)[0].trim_matches('`').to_owned())
        .collect();
    let targets: BTreeSet<String> = fuzz_targets().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        rows, targets,
        "fuzz/README.md's table against fuzz/Cargo.toml"
    );
}

#[test]
fn the_robustness_doc_names_every_fuzz_target() {
    let doc = read("docs/robustness.md");
    let start = doc
        .find("\n## Fuzzing\n")
        .expect("docs/robustness.md: ## Fuzzing");
    let section = &doc[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |n| n + 3)];
    for (name, _) in fuzz_targets() {
        assert!(
            section.contains(&format!("`{name}`")),
            "docs/robustness.md's Fuzzing section does not name the target {name}"
        );
    }
}

/// The rows of fuzz/ci.sh's `TARGETS` table: each target (as a list of one,
/// for the checks below) and the globs of its seeds, `page` spelt out as
/// the script does (the collector's default fixture and its cases).
fn ci_seed_arms() -> Vec<(Vec<String>, Vec<String>)> {
    let ci = read("fuzz/ci.sh");
    let table = ci
        .split_once("\nTARGETS='\n")
        .expect("fuzz/ci.sh: TARGETS")
        .1;
    let table = &table[..table.find("\n'\n").expect("the end of TARGETS")];
    let mut arms = Vec::new();
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let [target, _runs, seeds, _options] = cells[..] else {
            panic!("fuzz/ci.sh: a TARGETS row of four columns: {line:?}");
        };
        let collector = target.split('_').next().unwrap();
        let globs = seeds
            .split(',')
            .filter(|g| *g != "-")
            .flat_map(|g| match g {
                "page" => vec![
                    format!("tests/fixtures/hub/{collector}.*"),
                    format!("tests/fixtures/hub/{collector}_*"),
                ],
                g => vec![g.to_owned()],
            })
            .collect();
        arms.push((vec![target.to_owned()], globs));
    }
    arms
}

/// Whether `glob` (`*` within one path segment only) matches a file.
fn matches_a_file(glob: &str) -> bool {
    let parts: Vec<&str> = glob.split('/').collect();
    walk(support::repo_root(), &parts)
}

/// Whether `glob` matches the path `rel` (relative to the repository).
fn matches(glob: &str, rel: &str) -> bool {
    let (g, r): (Vec<&str>, Vec<&str>) = (glob.split('/').collect(), rel.split('/').collect());
    g.len() == r.len() && g.iter().zip(&r).all(|(g, r)| segment_matches(g, r))
}

/// Whether a file under `dir` matches the glob's `parts`.
fn walk(dir: std::path::PathBuf, parts: &[&str]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return dir.is_file();
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        segment_matches(first, &name) && walk(e.path(), rest)
    })
}

/// Whether one path segment matches a pattern of `*`s.
fn segment_matches(pattern: &str, name: &str) -> bool {
    let pieces: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = &pieces[..] else {
        return pattern == name;
    };
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[test]
fn fuzz_ci_seeds_every_target_from_fixtures_that_exist() {
    let arms = ci_seed_arms();
    for (target, _) in fuzz_targets() {
        let arm = arms
            .iter()
            .find(|(names, _)| names.contains(&target))
            .unwrap_or_else(|| panic!("fuzz/ci.sh: no TARGETS row for {target}"));
        for glob in &arm.1 {
            assert!(
                matches_a_file(glob),
                "fuzz/ci.sh seeds {target} from {glob}, which matches no file"
            );
        }
    }
    // Every hub fixture seeds `collectors`, so each collector's pages are
    // fuzzed from its own fixtures.
    let (_, globs) = arms
        .iter()
        .find(|(names, _)| names.iter().any(|n| n == "collectors"))
        .expect("fuzz/ci.sh: the collectors row");
    let dir = support::repo_root().join("tests/fixtures/hub");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let rel = format!(
            "tests/fixtures/hub/{}",
            e.unwrap().file_name().to_string_lossy()
        );
        assert!(
            globs.iter().any(|g| matches(g, &rel)),
            "fuzz/ci.sh does not seed collectors with {rel}"
        );
        seen += 1;
    }
    assert!(seen >= ALL.len(), "only {seen} files in {}", dir.display());
    assert!(matches("a/*.js", "a/b.js") && !matches("a/*.js", "a/b/c.js"));
}

#[test]
fn the_fake_hub_serves_a_page_for_every_collector() {
    for c in ALL {
        assert!(
            fake_hub::standard_page(c.name, 2).is_some(),
            "FakeHub::with_pages has no page for collector {}: add one to standard_page",
            c.name
        );
    }
    let hub = fake_hub::FakeHub::with_pages(2);
    let exp = crate::support::exporter::Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    for c in ALL {
        assert_eq!(m.collector_success(c.name), Some(1.0), "{}", c.name);
        assert_eq!(hub.count(c.path), 1, "{}", c.path);
    }
}
