//! The whole `/metrics` output, per fixture set, against a golden file
//! (`tests/golden/<set>.prom`, as node_exporter keeps
//! `collector/fixtures/e2e-output.txt`): the real binary, the fake hub
//! serving one fixture per collector, and the text compared line by line
//! after the only values that legitimately vary (each collector's duration,
//! the version) are replaced by a token. Both builds must give the same
//! output from the same pages: the files are shared.
//!
//! `UPDATE_GOLDEN=1 cargo test golden` rewrites the files; review the diff.
//!
//! The metric reference's tables (docs/metrics.md) are checked against the
//! golden files too: every family any set emits is documented, and every
//! documented family is emitted by some set.

use std::collections::BTreeSet;
use std::path::PathBuf;

use smarthub_exporter::collector;

use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::{self, fixture, strip_publisher_notes};

/// A fixture set: a name and, for every collector of the table, the
/// fixture its page is served from (under `tests/fixtures/`). `NOT_THERE`:
/// the hub answers 404 for every page of that collector; a fixture after
/// `FALLBACK` is served at the collector's first fallback page, and its
/// own page answers 404 (the EE Smart Hub).
struct Set {
    name: &'static str,
    pages: [(&'static str, &'static str); 4],
}

const NOT_THERE: &str = "404";
const FALLBACK: &str = "fallback:";

const JX: &str = "captures/jxwolstenholme__btsmarthub_devicelist";

/// Together they serve every fixture of `tests/fixtures/hub/` (a test
/// checks it), and the captures that are whole pages.
const SETS: &[Set] = &[
    // A VDSL2 line that is up, grouped EE-style devices, a mesh of three
    // discs with every reading.
    Set {
        name: "vdsl2",
        pages: [
            ("wan", "hub/wan_vdsl2_row1.xml"),
            ("lan", "hub/lan_grouped.js"),
            ("status", "hub/status_vdsl2.js"),
            ("owl", "hub/owl_mesh.js"),
        ],
    },
    // G.fast, with unreported zeros; two devices; the hub alone.
    Set {
        name: "gfast",
        pages: [
            ("wan", "hub/wan_gfast_row1.xml"),
            ("lan", "hub/lan_2dev.js"),
            ("status", "hub/status_vdsl2.js"),
            ("owl", "hub/owl_hub_only.js"),
        ],
    },
    // ADSL2+ on row 2 with a negative margin; hostile names; a sparse
    // status page; a captured mesh with escaped names.
    Set {
        name: "adsl",
        pages: [
            ("wan", "hub/wan_adsl_row2.xml"),
            ("lan", "hub/lan_names.js"),
            ("status", "hub/status_sparse.js"),
            (
                "owl",
                "captures/jxwolstenholme__btsmarthub_devicelist/cgi_owl.special_chars.js",
            ),
        ],
    },
    // A DSL line that lost sync; no devices.
    Set {
        name: "down",
        pages: [
            ("wan", "hub/wan_vdsl_line_down.xml"),
            ("lan", "hub/lan_empty.js"),
            ("status", "hub/status_sparse.js"),
            ("owl", "hub/owl_hub_only.js"),
        ],
    },
    // FTTP (a capture); the EE device page (a capture); a captured mesh of
    // the hub and two discs.
    Set {
        name: "fttp",
        pages: [
            (
                "wan",
                "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
            ),
            ("lan", "captures/krygal__eebrightbox/cgi_myNetwork.js"),
            ("status", "hub/status_vdsl2.js"),
            (
                "owl",
                "captures/jxwolstenholme__btsmarthub_devicelist/cgi_owl.js",
            ),
        ],
    },
    // FTTP with the session down; orphan rate rows and duplicate MACs; the
    // mesh capture before its synthetic orphan.
    Set {
        name: "disconnected",
        pages: [
            ("wan", "hub/wan_disconnected.xml"),
            ("lan", "hub/lan_orphans.js"),
            ("status", "hub/status_sparse.js"),
            (
                "owl",
                "captures/jxwolstenholme__btsmarthub_devicelist/at-58f16f9/cgi_owl.js",
            ),
        ],
    },
    // An EE Smart Hub: its device page at `cgi_myNetwork.js` (grouped
    // entries with traffic), and no mesh page, so `owl` is unavailable.
    Set {
        name: "ee",
        pages: [
            ("wan", "hub/wan_vdsl2_row1.xml"),
            ("lan", "fallback:hub/lan_grouped_ee.js"),
            ("status", "hub/status_vdsl2.js"),
            ("owl", NOT_THERE),
        ],
    },
    // Counters beyond 2^32 and 2^53.
    Set {
        name: "counters64",
        pages: [
            ("wan", "hub/wan_64bit.xml"),
            ("lan", "hub/lan_64bit.js"),
            ("status", "hub/status_vdsl2.js"),
            ("owl", "hub/owl_mesh.js"),
        ],
    },
    // Empty lists where the page allows them.
    Set {
        name: "empty",
        pages: [
            ("wan", "hub/wan_empty_lists.xml"),
            ("lan", "hub/lan_empty.js"),
            ("status", "hub/status_sparse.js"),
            ("owl", "hub/owl_hub_only.js"),
        ],
    },
    // Every page refused: a cut body, a device page without its `rate`
    // list (a capture), the login page instead of data. What is left is the
    // exporter's own metrics.
    Set {
        name: "refused",
        pages: [
            ("wan", "hub/wan_truncated.xml"),
            (
                "lan",
                "captures/jxwolstenholme__btsmarthub_devicelist/cgi_basicMyDevice.js",
            ),
            ("status", "hub/login.htm"),
            ("owl", "hub/login.htm"),
        ],
    },
];

/// What stands for a value that differs from run to run.
const VARIES: &str = "<varies>";

fn golden_path(set: &str) -> PathBuf {
    support::repo_root().join(format!("tests/golden/{set}.prom"))
}

/// The page as served: the jxwolstenholme captures without their
/// publisher's note (see tests/fixtures/README.md).
fn page(file: &str) -> Vec<u8> {
    let raw = fixture(file);
    if file.starts_with(JX) {
        strip_publisher_notes(&raw)
    } else {
        raw
    }
}

/// The output with the durations and the version replaced by [`VARIES`].
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.starts_with("smarthub_scrape_collector_duration_seconds{") {
            let (series, _) = line.rsplit_once(' ').expect("a sample line");
            out.push_str(&format!("{series} {VARIES}"));
        } else if let Some(rest) = line.strip_prefix("smarthub_exporter_build_info{version=\"") {
            let (_, after) = rest.split_once('"').expect("a quoted version");
            out.push_str(&format!(
                "smarthub_exporter_build_info{{version=\"{VARIES}\"{after}"
            ));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The first lines where `got` and `want` part, for a failure message.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let at = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let show = |lines: &[&str]| -> String {
        let part: Vec<String> = lines
            .iter()
            .skip(at)
            .take(6)
            .enumerate()
            .map(|(i, l)| format!("  {:4} {l}", at + i + 1))
            .collect();
        if part.is_empty() {
            "  (end of output)".into()
        } else {
            part.join("\n")
        }
    };
    format!(
        "first difference at line {} ({} lines expected, {} got)\nexpected:\n{}\ngot:\n{}",
        at + 1,
        w.len(),
        g.len(),
        show(&w),
        show(&g)
    )
}

/// The exporter's output for a set, normalised, checked strictly first.
fn scrape(set: &Set) -> String {
    let hub = FakeHub::start();
    for c in collector::ALL {
        let (_, file) = set
            .pages
            .iter()
            .find(|(name, _)| *name == c.name)
            .unwrap_or_else(|| panic!("set {}: no page for collector {}", set.name, c.name));
        match file.strip_prefix(FALLBACK) {
            _ if *file == NOT_THERE => {}
            Some(file) => hub.set(c.pages()[1], Reply::ok(page(file))),
            None => hub.set(c.path, Reply::ok(page(file))),
        }
    }
    let exp = Exporter::start(&hub.host(), &[]);
    let r = exp.get("/metrics");
    assert_eq!(r.status, 200, "{}: {}", set.name, r.head);
    let text = r.text();
    let parsed =
        crate::support::expo::parse(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", set.name));
    for f in &parsed.families {
        assert!(
            !f.help.trim().is_empty(),
            "{}: {} has no HELP",
            set.name,
            f.name
        );
    }
    normalise(&text)
}

#[test]
fn golden_metrics_of_every_fixture_set() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for set in SETS {
        let got = scrape(set);
        let path = golden_path(set.name);
        if update {
            // Renamed into place, so the README check running beside this
            // test never reads a half-written file.
            let tmp = path.with_extension("prom.new");
            std::fs::write(&tmp, &got).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
            std::fs::rename(&tmp, &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (UPDATE_GOLDEN=1 cargo test golden writes it)",
                path.display()
            )
        });
        if got != want {
            failures.push(format!(
                "{}: {}",
                path.display(),
                first_difference(&want, &got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the output differs from the golden files (if the change is meant, \
         UPDATE_GOLDEN=1 cargo test golden rewrites them):\n\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn the_fixture_sets_serve_every_hub_fixture_and_every_collector() {
    let mut used = BTreeSet::new();
    for set in SETS {
        let names: BTreeSet<&str> = set.pages.iter().map(|(c, _)| *c).collect();
        let table: BTreeSet<&str> = collector::ALL.iter().map(|c| c.name).collect();
        assert_eq!(names, table, "set {}: one page per collector", set.name);
        used.extend(
            set.pages
                .iter()
                .map(|(_, f)| f.strip_prefix(FALLBACK).unwrap_or(f)),
        );
    }
    let dir = support::repo_root().join("tests/fixtures/hub");
    let mut missing = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = format!("hub/{}", e.unwrap().file_name().to_string_lossy());
        if !used.contains(name.as_str()) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "in no golden set: {missing:?}");
    let golden: BTreeSet<String> = std::fs::read_dir(support::repo_root().join("tests/golden"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let sets: BTreeSet<String> = SETS.iter().map(|s| format!("{}.prom", s.name)).collect();
    assert_eq!(golden, sets, "tests/golden/ holds one file per set");
}

/// The families of a golden file, from its `# TYPE` lines.
fn golden_families(set: &str) -> Vec<String> {
    let path = golden_path(set);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect()
}

/// The metric names docs/metrics.md lists in the first column of its
/// tables (`smarthub_x{labels}`, or several names in one cell).
pub(crate) fn documented_families() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(support::repo_root().join("docs/metrics.md")).unwrap();
    let mut names = BTreeSet::new();
    for line in doc.lines().filter(|l| l.starts_with('|')) {
        let first = line.split('|').nth(1).unwrap_or("");
        for (i, part) in first.split('`').enumerate() {
            if i % 2 == 1 && part.starts_with("smarthub_") {
                names.insert(part.split('{').next().unwrap().to_owned());
            }
        }
    }
    names
}

#[test]
fn the_metric_reference_documents_exactly_the_families_the_golden_files_hold() {
    let documented = documented_families();
    assert!(
        documented.len() >= 40,
        "only {documented:?} found in docs/metrics.md"
    );
    let mut emitted = BTreeSet::new();
    for set in SETS {
        emitted.extend(golden_families(set.name));
    }
    let undocumented: Vec<&String> = emitted.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "emitted but not in docs/metrics.md's tables: {undocumented:?}"
    );
    let never_emitted: Vec<&String> = documented.difference(&emitted).collect();
    assert!(
        never_emitted.is_empty(),
        "in docs/metrics.md's tables but in no golden file (add a fixture set \
         that has it): {never_emitted:?}"
    );
}
