//! The README stays a front door and the docs hold together: the README is
//! at most [`README_MAX_LINES`] lines, every relative link in README.md and
//! docs/*.md leads to a file that exists (and, with a `#fragment`, to a
//! heading of that file), and the README's metrics in brief name only what
//! the metric reference (docs/metrics.md, itself checked against the golden
//! files by `golden.rs`) documents, with the Go exporter's table the same
//! in both.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::golden::documented_families;
use crate::support;

/// What the README may grow to; the rest belongs in docs/.
const README_MAX_LINES: usize = 400;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// README.md and every docs/*.md.
fn doc_files() -> Vec<PathBuf> {
    let root = support::repo_root();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "only {files:?} in docs/");
    files.insert(0, root.join("README.md"));
    files
}

/// The lines of a Markdown text outside its fenced code blocks.
fn prose(text: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    text.lines().filter(move |l| {
        if l.trim_start().starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// The paragraphs of a text outside its fenced code blocks, each split at
/// its backticks: the odd pieces are code spans (which may run from one
/// line to the next), the even ones prose.
fn spans(text: &str) -> Vec<Vec<String>> {
    let mut paragraphs = vec![String::new()];
    for line in prose(text) {
        if line.trim().is_empty() {
            paragraphs.push(String::new());
        } else {
            let last = paragraphs.last_mut().unwrap();
            last.push_str(line);
            last.push('\n');
        }
    }
    paragraphs
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.split('`').map(str::to_owned).collect())
        .collect()
}

/// The targets of the inline links (`[text](target)`) of a text, outside
/// code blocks and code spans.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for pieces in spans(text) {
        // Code spans hold examples, not links.
        let plain: String = pieces.iter().step_by(2).map(String::as_str).collect();
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            out.push(after[..end].trim().to_owned());
            rest = &after[end..];
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, and everything
/// but letters, digits, `-` and `_` dropped (so `` `/cgi/x.js` `` is `cgix.js`
/// without its dot: `cgixjs`).
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a text's headings, a repeated one numbered as GitHub
/// numbers it (`x`, `x-1`, `x-2`).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in prose(text) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let base = slug(heading);
        let mut anchor = base.clone();
        let mut n = 0;
        while out.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        out.insert(anchor);
    }
    out
}

#[test]
fn the_readme_is_a_front_door() {
    let readme = read(&support::repo_root().join("README.md"));
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines, more than {README_MAX_LINES}: move the depth to docs/"
    );
}

#[test]
fn every_relative_link_in_the_docs_leads_somewhere() {
    let mut checked = 0;
    for file in doc_files() {
        let text = read(&file);
        let dir = file.parent().unwrap();
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let (dest, dest_text) = if path.is_empty() {
                (file.clone(), text.clone())
            } else {
                let dest = dir.join(path);
                assert!(
                    dest.exists(),
                    "{}: the link to {target} leads to no file",
                    file.display()
                );
                let dest_text = if dest.extension().is_some_and(|x| x == "md") {
                    read(&dest)
                } else {
                    String::new()
                };
                (dest, dest_text)
            };
            if !fragment.is_empty() {
                assert!(
                    anchors(&dest_text).contains(fragment),
                    "{}: the link to {target}: {} has no heading #{fragment}",
                    file.display(),
                    dest.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} links found");
}

/// The rows of the Markdown table whose header row is `header`: each row's
/// cells, trimmed.
fn table<'a>(text: &'a str, header: &str) -> Vec<Vec<&'a str>> {
    text.lines()
        .skip_while(|l| l.trim() != header)
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect()
        })
        .collect()
}

#[test]
fn the_readme_keeps_the_go_exporters_table_as_the_reference_has_it() {
    let root = support::repo_root();
    let header = "| metric | type | unit | meaning |";
    let readme = read(&root.join("README.md"));
    let reference = read(&root.join("docs/metrics.md"));
    // Name, type and unit: the contract. The meaning may be said shorter.
    let contract = |text| -> Vec<Vec<String>> {
        table(text, header)
            .into_iter()
            .map(|r| r[..3].iter().map(|c| c.to_string()).collect())
            .collect()
    };
    let in_readme = contract(&readme);
    assert!(
        in_readme.len() >= 9,
        "README: the Go exporter's table: {in_readme:?}"
    );
    assert_eq!(
        in_readme,
        contract(&reference),
        "README against docs/metrics.md"
    );
}

#[test]
fn the_readmes_metric_names_are_in_the_reference() {
    let readme = read(&support::repo_root().join("README.md"));
    let documented = documented_families();
    let mut named = 0;
    for pieces in spans(&readme) {
        for span in pieces.iter().skip(1).step_by(2) {
            if !span.starts_with("smarthub_") {
                continue;
            }
            let name = span.split('{').next().unwrap();
            let known = match name.strip_suffix('*') {
                Some(prefix) => documented.iter().any(|f| f.starts_with(prefix)),
                None => documented.contains(name),
            };
            assert!(
                known,
                "README names {span}, which docs/metrics.md does not document"
            );
            named += 1;
        }
    }
    assert!(named >= 20, "only {named} metric names in the README");
}

#[test]
fn the_anchor_rule_is_githubs() {
    assert_eq!(
        slug("wan (`/nonAuth/wan_conn.xml`)"),
        "wan-nonauthwan_connxml"
    );
    assert_eq!(
        slug("Raspberry Pi (Raspberry Pi OS / Debian, 64-bit)"),
        "raspberry-pi-raspberry-pi-os--debian-64-bit"
    );
    let text = "# A\n\n```sh\n# not a heading\n```\n\n## A\n#hashtag\n";
    assert_eq!(
        anchors(text),
        BTreeSet::from(["a".to_owned(), "a-1".to_owned()])
    );
    assert_eq!(
        links("[x](a.md#b) `[y](not-a-link)` [z](https://e.invalid/) `a\n[w](b)` [v](\nc.md)"),
        ["a.md#b", "https://e.invalid/", "c.md"]
    );
}
