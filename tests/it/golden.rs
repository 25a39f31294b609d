//! The whole `/metrics` output, per fixture set, against one golden file
//! (`tests/golden/scrapes.prom`, as node_exporter keeps
//! `collector/fixtures/e2e-output.txt`): the real binary, the fake hub
//! serving one fixture per collector, and the text compared line by line
//! after the only values that legitimately vary (each collector's duration,
//! the version) are replaced by a token. The file holds one section per
//! set, in [`SETS`]' order, each after a marker line `==> <set> <==` (as
//! `head` marks the files it prints); a section is the set's output exactly.
//! Both builds must give the same output from the same pages: the file is
//! shared.
//!
//! `UPDATE_GOLDEN=1 cargo test golden` rewrites the file; review the diff.
//!
//! The metric reference is checked against the golden file too: every
//! family any set emits is documented (in docs/metrics.md, or in its page's
//! section of docs/hub-pages.md), and every documented family is emitted by
//! some set.

use std::collections::BTreeSet;
use std::path::PathBuf;

use smarthub_exporter::collector::{self, Collector};

use crate::support::collector::default_fixture;
use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::{self, fixture, strip_publisher_notes};

/// Where a collector's page comes from in a fixture set.
#[derive(Clone, Copy)]
enum Page {
    /// This fixture (under `tests/fixtures/`), at the collector's page.
    At(&'static str),
    /// This fixture at the collector's first fallback page; its own page
    /// answers 404 (the EE Smart Hub).
    Fallback(&'static str),
    /// The hub answers 404 for every page of the collector.
    NotThere,
}
use Page::*;

/// A fixture set: a name and the collectors whose page differs from their
/// default fixture (`support::collector::default_fixture`), by name.
struct Set {
    name: &'static str,
    differs: &'static [(&'static str, Page)],
}

impl Set {
    /// Where each collector of the table has its page, in table order.
    fn pages(&self) -> Vec<(&'static Collector, Page)> {
        for (name, _) in self.differs {
            assert!(
                collector::by_name(name).is_some(),
                "set {}: {name} is no collector",
                self.name
            );
        }
        collector::ALL
            .iter()
            .map(|c| {
                let named = self.differs.iter().find(|(name, _)| *name == c.name);
                let page = named.map_or_else(|| At(default_fixture(c.name)), |(_, p)| *p);
                (c, page)
            })
            .collect()
    }
}

const JX: &str = "captures/jxwolstenholme__btsmarthub_devicelist";

/// Together they serve every fixture of `tests/fixtures/hub/` (a test
/// checks it), and the captures that are whole pages. The default fixtures
/// alone are a VDSL2 line that is up, two devices, the hub alone.
const SETS: &[Set] = &[
    // Grouped EE-style devices, a mesh of three discs with every reading.
    Set {
        name: "vdsl2",
        differs: &[
            ("lan", At("hub/lan_grouped.js")),
            ("owl", At("hub/owl_mesh.js")),
        ],
    },
    // G.fast, with unreported zeros.
    Set {
        name: "gfast",
        differs: &[("wan", At("hub/wan_gfast_row1.xml"))],
    },
    // ADSL2+ on row 2 with a negative margin; hostile names; a sparse
    // status page; a captured mesh with escaped names.
    Set {
        name: "adsl",
        differs: &[
            ("wan", At("hub/wan_adsl_row2.xml")),
            ("lan", At("hub/lan_names.js")),
            ("status", At("hub/status_sparse.js")),
            (
                "owl",
                At("captures/jxwolstenholme__btsmarthub_devicelist/cgi_owl.special_chars.js"),
            ),
        ],
    },
    // A DSL line that lost sync; no devices.
    Set {
        name: "down",
        differs: &[
            ("wan", At("hub/wan_vdsl_line_down.xml")),
            ("lan", At("hub/lan_empty.js")),
            ("status", At("hub/status_sparse.js")),
        ],
    },
    // FTTP (a capture); the EE device page (a capture); a captured mesh of
    // the hub and two discs.
    Set {
        name: "fttp",
        differs: &[
            (
                "wan",
                At("captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml"),
            ),
            ("lan", At("captures/krygal__eebrightbox/cgi_myNetwork.js")),
            (
                "owl",
                At("captures/jxwolstenholme__btsmarthub_devicelist/cgi_owl.js"),
            ),
        ],
    },
    // FTTP with the session down; orphan rate rows and duplicate MACs; the
    // mesh capture before its synthetic orphan.
    Set {
        name: "disconnected",
        differs: &[
            ("wan", At("hub/wan_disconnected.xml")),
            ("lan", At("hub/lan_orphans.js")),
            ("status", At("hub/status_sparse.js")),
            (
                "owl",
                At("captures/jxwolstenholme__btsmarthub_devicelist/at-58f16f9/cgi_owl.js"),
            ),
        ],
    },
    // An EE Smart Hub: its device page at `cgi_myNetwork.js` (grouped
    // entries with traffic), and no mesh page, so `owl` is unavailable.
    Set {
        name: "ee",
        differs: &[
            ("lan", Fallback("hub/lan_grouped_ee.js")),
            ("owl", NotThere),
        ],
    },
    // Counters beyond 2^32 and 2^53.
    Set {
        name: "counters64",
        differs: &[
            ("wan", At("hub/wan_64bit.xml")),
            ("lan", At("hub/lan_64bit.js")),
            ("owl", At("hub/owl_mesh.js")),
        ],
    },
    // Empty lists where the page allows them.
    Set {
        name: "empty",
        differs: &[
            ("wan", At("hub/wan_empty_lists.xml")),
            ("lan", At("hub/lan_empty.js")),
            ("status", At("hub/status_sparse.js")),
        ],
    },
    // Every page refused: a cut body, a device page without its `rate`
    // list (a capture), the login page instead of data. What is left is the
    // exporter's own metrics.
    Set {
        name: "refused",
        differs: &[
            ("wan", At("hub/wan_truncated.xml")),
            (
                "lan",
                At("captures/jxwolstenholme__btsmarthub_devicelist/cgi_basicMyDevice.js"),
            ),
            ("status", At("hub/login.htm")),
            ("owl", At("hub/login.htm")),
        ],
    },
];

/// What stands for a value that differs from run to run.
const VARIES: &str = "<varies>";

fn golden_path() -> PathBuf {
    support::repo_root().join("tests/golden/scrapes.prom")
}

/// The marker line that opens a set's section of the golden file.
fn marker(set: &str) -> String {
    format!("==> {set} <==\n")
}

/// The golden file's sections: each set's name and its text, in file order.
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let set = line
            .strip_prefix("==> ")
            .and_then(|l| l.strip_suffix(" <==\n"));
        match (set, out.last_mut()) {
            (Some(set), _) => out.push((set.to_owned(), String::new())),
            (None, Some((_, section))) => section.push_str(line),
            (None, None) => panic!("tests/golden/scrapes.prom: {line:?} before the first marker"),
        }
    }
    out
}

/// The golden file, read.
fn golden() -> String {
    let path = golden_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (UPDATE_GOLDEN=1 cargo test golden writes it)",
            path.display()
        )
    })
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
    for (c, at) in set.pages() {
        match at {
            At(file) => hub.set(c.path, Reply::ok(page(file))),
            Fallback(file) => hub.set(c.fallbacks[0], Reply::ok(page(file))),
            NotThere => {}
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
    let got: Vec<(&str, String)> = SETS.iter().map(|set| (set.name, scrape(set))).collect();
    let path = golden_path();
    if update {
        let whole: String = got.iter().map(|(name, text)| marker(name) + text).collect();
        // Renamed into place, so the docs check running beside this test
        // never reads a half-written file.
        let tmp = path.with_extension("prom.new");
        std::fs::write(&tmp, whole).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
        std::fs::rename(&tmp, &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let want = sections(&golden());
    let mut failures = Vec::new();
    for (name, text) in &got {
        match want.iter().find(|(set, _)| set == name) {
            None => failures.push(format!("no section ==> {name} <==")),
            Some((_, section)) if section != text => failures.push(format!(
                "==> {name} <==: {}",
                first_difference(section, text)
            )),
            Some(_) => {}
        }
    }
    let order: Vec<&str> = want.iter().map(|(set, _)| set.as_str()).collect();
    let sets: Vec<&str> = SETS.iter().map(|s| s.name).collect();
    if order != sets {
        failures.push(format!("the sections are {order:?}, not the sets {sets:?}"));
    }
    assert!(
        failures.is_empty(),
        "the output differs from {} (if the change is meant, \
         UPDATE_GOLDEN=1 cargo test golden rewrites it):\n\n{}",
        path.display(),
        failures.join("\n\n")
    );
}

#[test]
fn every_collector_has_one_default_fixture_of_its_own_page() {
    for c in collector::ALL {
        // Fails naming the collector when it has none, or two.
        let file = default_fixture(c.name);
        assert_eq!(
            std::path::Path::new(file).file_stem(),
            Some(std::ffi::OsStr::new(c.name)),
            "{file}"
        );
        let of = support::collector::page_of(std::path::Path::new(file));
        assert_eq!(of, Some(c), "{file}");
        assert!(!fixture(file).is_empty(), "{file}");
    }
}

#[test]
fn the_fixture_sets_serve_every_hub_fixture_and_every_collector() {
    let mut used = BTreeSet::new();
    for set in SETS {
        let mut named = BTreeSet::new();
        for (name, at) in set.differs {
            assert!(named.insert(name), "set {}: {name} twice", set.name);
            if let At(file) = at {
                assert_ne!(
                    *file,
                    default_fixture(name),
                    "set {}: the default",
                    set.name
                );
            }
        }
        for (_, at) in set.pages() {
            if let At(file) | Fallback(file) = at {
                used.insert(file);
            }
        }
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
    assert_eq!(
        golden,
        BTreeSet::from(["scrapes.prom".to_owned()]),
        "tests/golden/ holds the one file"
    );
}

/// The families of the golden file, every set's, from its `# TYPE` lines.
fn golden_families() -> BTreeSet<String> {
    golden()
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect()
}

/// Where the metrics are documented: the exporter's own and the Go
/// exporter's in docs/metrics.md, each collector's in its page's section of
/// docs/hub-pages.md.
const REFERENCE: [&str; 2] = ["docs/metrics.md", "docs/hub-pages.md"];

/// The metric names the reference lists in the first column of its metric
/// tables, those whose header's first cell is `metric`
/// (`smarthub_x{labels}`, or several names in one cell).
pub(crate) fn documented_families() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in REFERENCE {
        let doc = std::fs::read_to_string(support::repo_root().join(file)).unwrap();
        let mut in_metric_table = false;
        for line in doc.lines() {
            if !line.starts_with('|') {
                in_metric_table = false;
                continue;
            }
            let first = line.split('|').nth(1).unwrap_or("").trim();
            if first == "metric" {
                in_metric_table = true;
            }
            if !in_metric_table {
                continue;
            }
            for (i, part) in first.split('`').enumerate() {
                if i % 2 == 1 && part.starts_with("smarthub_") {
                    names.insert(part.split('{').next().unwrap().to_owned());
                }
            }
        }
    }
    names
}

#[test]
fn the_metric_reference_documents_exactly_the_families_the_golden_file_holds() {
    let documented = documented_families();
    assert!(
        documented.len() >= 40,
        "only {documented:?} found in {REFERENCE:?}"
    );
    let emitted = golden_families();
    let undocumented: Vec<&String> = emitted.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "emitted but in no metric table of {REFERENCE:?}: {undocumented:?}"
    );
    let never_emitted: Vec<&String> = documented.difference(&emitted).collect();
    assert!(
        never_emitted.is_empty(),
        "in a metric table of {REFERENCE:?} but in no set of the golden file \
         (add a fixture set that has it): {never_emitted:?}"
    );
}
