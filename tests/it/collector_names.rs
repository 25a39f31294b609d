//! Every collector of the library's table (`collector::ALL`) is named
//! everywhere a user or a contributor meets the collectors: the README's
//! collectors table and `--no-collector` row, a fuzz target, the fake hub.
//! And the fuzz crate agrees with itself and its docs: every target has a
//! row in fuzz/README.md, a seeds entry in fuzz/ci.sh whose fixtures exist,
//! and its name in docs/robustness.md's list of targets.
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

#[test]
fn the_readme_lists_every_collector_with_its_page() {
    let readme = read("README.md");
    let rows: Vec<Vec<&str>> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| collector | page |"))
        .take_while(|l| l.starts_with('|'))
        .map(cells)
        .collect();
    assert!(!rows.is_empty(), "README: no `| collector | page |` table");
    let flag = readme
        .lines()
        .find(|l| l.starts_with("| `--no-collector NAME` |"))
        .expect("README: the --no-collector row");
    for c in ALL {
        let name = format!("`{}`", c.name);
        let row = rows
            .iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("README's collectors table has no row for {name}"));
        assert!(
            row[1].starts_with(&format!("`{}`", c.path)),
            "README: {name}'s page is {:?}, not {}",
            row[1],
            c.path
        );
        assert!(flag.contains(&name), "README: --no-collector omits {name}");
    }
    let documented = rows.len() - 2; // the header and the rule
    assert_eq!(
        documented,
        ALL.len(),
        "README: a row for a collector not in the table"
    );
}

#[test]
fn every_collector_has_a_fuzz_target_named_for_it() {
    let targets = fuzz_targets();
    for c in ALL {
        let prefix = format!("{}_", c.name);
        assert!(
            targets
                .iter()
                .any(|(t, _)| t == c.name || t.starts_with(&prefix)),
            "no fuzz target named {:?} or {prefix}* in fuzz/Cargo.toml",
            c.name
        );
    }
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
/// the script does.
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
            .map(|g| match g {
                "page" => format!("tests/fixtures/hub/{collector}_*"),
                g => g.to_owned(),
            })
            .collect();
        arms.push((vec![target.to_owned()], globs));
    }
    arms
}

/// Whether `glob` (`*` within one path segment only) matches a file.
fn matches_a_file(glob: &str) -> bool {
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
    let parts: Vec<&str> = glob.split('/').collect();
    walk(support::repo_root(), &parts)
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
    for c in ALL {
        let prefix = format!("{}_", c.name);
        let seeded = arms.iter().any(|(names, globs)| {
            !globs.is_empty() && names.iter().any(|n| n == c.name || n.starts_with(&prefix))
        });
        assert!(
            seeded,
            "fuzz/ci.sh seeds no target of {} with its fixtures",
            c.name
        );
    }
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
