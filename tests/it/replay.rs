//! `--replay DIR` on the real binary: a recorded hub reads as the same pages
//! served live by the fake hub; the demo's counters move by the documented
//! rule and nothing else does; hostile page files are bounded as hostile
//! bodies are; and a replay opens no socket but its own.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::collector::GO_EXPORTER;
use crate::support::exporter::{command, slack, slowdown, Exporter};
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::{fixture, repo_root};
use smarthub_exporter::collector;
use smarthub_exporter::hub::MAX_BODY_BYTES;
use smarthub_exporter::pages::{lan, owl, status, wan};

const DEMO: &str = "demo/hub";
/// The demo MANIFEST's `replay-advance`.
const DEMO_ADVANCE: u64 = 50_000;

/// A fresh directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smarthub-replay-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `pages` under `dir` at their paths, as `dump` does.
fn write_pages(dir: &Path, pages: &[(&str, Vec<u8>)]) {
    for (path, body) in pages {
        let file = dir.join(path.trim_start_matches('/'));
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, body).unwrap();
    }
}

/// Every page of the collector table found under `dir`.
fn pages_in(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    collector::ALL
        .iter()
        .flat_map(|c| c.pages())
        .filter_map(|p| Some((p, fs::read(dir.join(p.trim_start_matches('/'))).ok()?)))
        .collect()
}

/// A fake hub serving those pages (404 for the rest, as a hub without them).
fn serving(pages: &[(&str, Vec<u8>)]) -> FakeHub {
    let hub = FakeHub::start();
    for (path, body) in pages {
        hub.set(path, Reply::ok(body.clone()));
    }
    hub
}

fn replay(dir: &Path, args: &[&str]) -> Exporter {
    let dir = dir.to_str().unwrap();
    let mut all = vec!["--replay", dir];
    all.extend_from_slice(args);
    Exporter::start_env(None, &all, &[])
}

/// The /metrics text with what differs between any two runs replaced:
/// the durations and the build version.
fn normalised(e: &Exporter) -> String {
    let r = e.get("/metrics");
    assert_eq!(r.status, 200);
    r.text()
        .lines()
        .map(|l| {
            if l.starts_with("smarthub_scrape_collector_duration_seconds{") {
                format!("{} D", l.rsplit_once(' ').unwrap().0)
            } else if l.starts_with("smarthub_exporter_build_info{") {
                "smarthub_exporter_build_info{version=V} 1".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each sample line (`name{labels}` → value), for comparing values.
fn samples(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// The message of the ERROR line about `path`, after the hub's name.
fn error_of(e: &Exporter, path: &str) -> String {
    let start = format!("ERROR GET {path} from hub ");
    assert!(
        e.wait_log(|l| l.starts_with(&start)),
        "no error line for {path}: {:?}",
        e.log()
    );
    let line = e.log().into_iter().find(|l| l.starts_with(&start)).unwrap();
    line[start.len()..].split_once(": ").unwrap().1.to_owned()
}

/// The demo's `rate` rows' MACs, in page order (upper-cased, as labelled).
fn demo_rate_macs() -> Vec<String> {
    let page = String::from_utf8(
        fs::read(repo_root().join(DEMO).join("cgi/cgi_basicMyDevice.js")).unwrap(),
    )
    .unwrap();
    let rate = page.split_once("var rate = [").unwrap().1;
    let rate = rate.split_once("null];").unwrap().0;
    rate.split("mac:'")
        .skip(1)
        .map(|s| {
            s.split('\'')
                .next()
                .unwrap()
                .replace("%3A", ":")
                .to_uppercase()
        })
        .collect()
}

#[test]
fn the_recorded_hub_replays_as_the_fake_hub_serving_its_files_does() {
    let demo = repo_root().join(DEMO);
    let hub = serving(&pages_in(&demo));
    let live = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let replayed = replay(&demo, &["--cache-ttl", "0"]);
    let first = normalised(&replayed);
    assert_eq!(
        first,
        normalised(&live),
        "the first scrape is the recording as it is"
    );
    // Every collector whose page the recording has reads it; one whose
    // page it lacks is unavailable there, as on a hub without the page.
    let m = replayed.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    let recorded = recorded_collectors(&demo);
    for name in GO_EXPORTER {
        assert!(recorded.contains(&name), "the demo lacks {name}'s page");
    }
    for c in collector::ALL {
        let (success, available) = if recorded.contains(&c.name) {
            (1.0, 1.0)
        } else {
            (0.0, 0.0)
        };
        assert_eq!(m.collector_success(c.name), Some(success), "{}", c.name);
        assert_eq!(
            m.get(
                "smarthub_scrape_collector_available",
                &[("collector", c.name)]
            ),
            Some(available),
            "{}",
            c.name
        );
    }
    assert_eq!(m.series("smarthub_lan_downloaded_bytes").len(), 11);
    assert_eq!(
        m.series("smarthub_mesh_node_info").len(),
        3,
        "the hub and two discs"
    );
    assert!(m.series("smarthub_mesh_station_info").len() > 20);
    assert!(m.has("smarthub_downloaded_bytes"));
    // Said at start: a replay, and not live.
    assert!(
        replayed.wait_log(|l| l.contains("replaying the hub recorded in")
            && l.contains("not live")
            && l.contains(&format!("multiples of {DEMO_ADVANCE} bytes")))
    );
    assert!(
        hub.count(wan::PATH) > 0,
        "the live exporter did read the fake hub"
    );

    // The n-th read adds n × the advance × each counter's multiple, and
    // nothing else moves. The live pages do not change.
    let base = samples(&first);
    let macs = demo_rate_macs();
    assert_eq!(macs.len(), 11);
    for n in 2..4u64 {
        // `first` was read 0, `m` 1; this is read n.
        let now = samples(&normalised(&replayed));
        assert_eq!(samples(&normalised(&live)), base, "live pages are static");
        let step = n * DEMO_ADVANCE;
        let mut moved = 0;
        for (key, value) in &now {
            let was = &base[key];
            let by = if key == "smarthub_downloaded_bytes" {
                wan::ADVANCE_DOWN * step
            } else if key == "smarthub_uploaded_bytes" {
                wan::ADVANCE_UP * step
            } else if let Some(j) = macs
                .iter()
                .position(|mac| key.contains(&format!("mac=\"{mac}\"")))
                .filter(|_| key.starts_with("smarthub_lan_") && key.contains("loaded_bytes{"))
            {
                let m = 1 + j as u64 % lan::ADVANCE_CYCLE;
                if key.starts_with("smarthub_lan_downloaded_bytes{") {
                    lan::ADVANCE_RX * m * step
                } else {
                    m * step
                }
            } else {
                assert_eq!(value, was, "{key} moved");
                continue;
            };
            let (was, value): (u64, u64) = (was.parse().unwrap(), value.parse().unwrap());
            assert_eq!(value, was + by, "{key} at read {n}");
            moved += 1;
        }
        assert_eq!(
            moved,
            2 + 2 * 11,
            "the WAN's two counters and each device's two"
        );
        assert_eq!(now.len(), base.len());
    }
}

/// The pages of the collector table that a recording holds, in table
/// order, each with its collector: the recording of one hub, which has the
/// pages that hub had (a collector whose pages it lacks is unavailable in
/// the replay, as on a hub without them).
fn recorded_pages(dir: &Path) -> Vec<(&'static collector::Collector, &'static str)> {
    collector::ALL
        .iter()
        .flat_map(|c| c.pages().into_iter().map(move |p| (c, p)))
        .filter(|(_, p)| dir.join(p.trim_start_matches('/')).is_file())
        .collect()
}

/// The names of the collectors with a page in the recording.
fn recorded_collectors(dir: &Path) -> Vec<&'static str> {
    let mut names: Vec<&str> = recorded_pages(dir).iter().map(|(c, _)| c.name).collect();
    names.dedup();
    names
}

/// What demo/hub/MANIFEST must say, from the collector table and the
/// files: its header as it stands (the demo's own), then every page of the
/// table the demo holds, in table order, as `dump` writes it (status, size,
/// file, what the collector makes of it).
fn demo_manifest(demo: &Path, header: &str) -> String {
    let mut out = format!("{header}\n");
    for (c, page) in recorded_pages(demo) {
        let rel = page.trim_start_matches('/');
        let body = fs::read(demo.join(rel)).unwrap_or_else(|e| panic!("{DEMO}/{rel}: {e}"));
        let reading = match (c.read)(&mut body.clone(), Instant::now() + Duration::from_secs(10)) {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.to_string(),
        };
        out += &format!(
            "\npage {page}\n  status: 200\n  bytes: {}\n  file: {rel}\n  collector {}: {reading}\n",
            body.len(),
            c.name
        );
    }
    out
}

/// The lines of `want` and `got` that the other lacks, in order, marked
/// `-` (only in `got`) and `+` (only in `want`).
fn line_diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let gone = g
        .iter()
        .filter(|l| !w.contains(l))
        .map(|l| format!("- {l}"));
    let new = w
        .iter()
        .filter(|l| !g.contains(l))
        .map(|l| format!("+ {l}"));
    gone.chain(new).collect::<Vec<_>>().join("\n")
}

/// The MANIFEST is what the table and the files say, so it cannot go stale
/// (node_exporter's `e2e-output.txt` is kept the same way):
/// `UPDATE_DEMO=1 cargo test demo_manifest` rewrites it (review the diff).
#[test]
fn the_demo_manifest_is_what_the_table_and_the_files_say() {
    let demo = repo_root().join(DEMO);
    let update = std::env::var_os("UPDATE_DEMO").is_some_and(|v| v == "1");
    let manifest = fs::read_to_string(demo.join("MANIFEST")).unwrap();
    let header = manifest.split("\n\n").next().unwrap();
    assert!(header.starts_with("smarthub-exporter dump\n"), "{header}");
    assert!(header
        .lines()
        .any(|l| l == format!("replay-advance: {DEMO_ADVANCE}")));
    let want = demo_manifest(&demo, header);
    if update {
        fs::write(demo.join("MANIFEST"), &want).unwrap();
    } else {
        assert!(
            manifest == want,
            "{DEMO}/MANIFEST differs from what the collector table and the files say \
             (UPDATE_DEMO=1 cargo test demo_manifest rewrites it):\n{}",
            line_diff(&want, &manifest)
        );
    }
    // Every page the demo holds reads, the Go exporter's among them.
    let read: Vec<&str> = want
        .lines()
        .filter_map(|l| l.strip_prefix("  collector "))
        .map(|l| {
            assert!(l.ends_with(": ok"), "{l}");
            l.split(':').next().unwrap()
        })
        .collect();
    for name in GO_EXPORTER {
        assert!(read.contains(&name), "the demo lacks {name}'s page");
    }
    // And nothing in the demo that is not one of those pages.
    let mut dirs = vec![demo.clone()];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(&demo)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if p.is_dir() {
                dirs.push(p);
            } else if rel != "MANIFEST" && rel != "README.md" {
                assert!(
                    collector::ALL
                        .iter()
                        .any(|c| c.pages().contains(&format!("/{rel}").as_str())),
                    "{DEMO}/{rel} is no collector's page"
                );
            }
        }
    }
}

#[test]
fn the_demo_is_made_of_the_fixtures_it_names() {
    let demo = repo_root().join(DEMO);
    let page = |p: &str| fs::read(demo.join(p.trim_start_matches('/'))).unwrap();
    let capture = "captures/jxwolstenholme__btsmarthub_devicelist/at-58f16f9/";
    assert_eq!(page(owl::PATH), fixture(&format!("{capture}cgi_owl.js")));
    assert_eq!(page(wan::PATH), fixture("hub/wan.xml"));
    let devices = fixture(&format!("{capture}cgi_basicMyDevice.js"));
    let known = &devices[..devices.windows(7).position(|w| w == b"null];\n").unwrap() + 7];
    assert!(page(lan::PATH).starts_with(known));
    let ours = fixture("hub/lan.js");
    let tail = String::from_utf8(ours).unwrap();
    let tail = tail
        .split_once("var rate = [")
        .unwrap()
        .1
        .split_once("null];\n")
        .unwrap()
        .1;
    assert!(page(lan::PATH).ends_with(tail.as_bytes()));
    let st = String::from_utf8(page(status::PATH)).unwrap();
    let want = String::from_utf8(fixture("hub/status.js"))
        .unwrap()
        .replace("%2B091298%2B2107654321", "%2B091298%2B1999999999")
        .replace("v0%2E21%2E03%2E07094%2DBT", "v0%2E16%2E02%2E08304")
        .replace("192%2E168%2E1%2E254", "10%2E1%2E8%2E254");
    assert_eq!(st, want);
}

#[test]
fn without_the_advance_line_a_recording_replays_exactly() {
    let demo = repo_root().join(DEMO);
    let dir = scratch("exact");
    let pages = pages_in(&demo);
    write_pages(&dir, &pages);
    let manifest = fs::read_to_string(demo.join("MANIFEST")).unwrap();
    let manifest: String = manifest
        .lines()
        .filter(|l| !l.starts_with("replay-advance:"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(dir.join("MANIFEST"), manifest).unwrap();
    let hub = serving(&pages);
    let live = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let replayed = replay(&dir, &["--cache-ttl", "0"]);
    let want = normalised(&live);
    for _ in 0..3 {
        assert_eq!(normalised(&replayed), want);
    }
    assert!(replayed.wait_log(|l| l.contains("pages as recorded")));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_dump_shaped_directory_replays_as_the_hub_it_recorded() {
    // An EE-shaped hub: no cgi_basicMyDevice.js (404), the devices in
    // cgi_myNetwork.js; a G.fast line, a sparse status page, no discs.
    let pages = vec![
        (wan::PATH, fixture("hub/wan_gfast_row1.xml")),
        (lan::EE_PATH, fixture("hub/lan_grouped_ee.js")),
        (status::PATH, fixture("hub/status_sparse.js")),
        (owl::PATH, fixture("hub/owl.js")),
    ];
    let dir = scratch("ee");
    write_pages(&dir, &pages);
    // A MANIFEST as dump writes one, without an advance, and a page the hub
    // answered with an error, recorded only there.
    fs::write(
        dir.join("MANIFEST"),
        "smarthub-exporter dump\nversion: 0.1.0\ntime: 2026-12-01T12:00:00Z\nhub: 192.168.1.254:80\n\
         timeout: 5s per page\nredaction: on\n\npage /cgi/cgi_basicMyDevice.js\n  status: 404 Not Found\n  \
         bytes: 0 (not written)\n\npage /cgi/cgi_home.js\n  error: connection refused\n",
    )
    .unwrap();
    let hub = serving(&pages);
    let live = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let replayed = replay(&dir, &["--cache-ttl", "0"]);
    for _ in 0..2 {
        let (a, b) = (normalised(&live), normalised(&replayed));
        assert_eq!(a, b);
    }
    let m = replayed.scrape();
    assert_eq!(
        m.collector_success("lan"),
        Some(1.0),
        "through the fallback"
    );
    assert_eq!(m.value("smarthub_up"), 1.0);
    let _ = fs::remove_dir_all(&dir);
}

/// A recording of the demo's pages in which `owl`'s page is replaced by
/// what `make` puts at its path.
fn with_owl(name: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let dir = scratch(name);
    let mut pages = pages_in(&repo_root().join(DEMO));
    pages.retain(|(p, _)| *p != owl::PATH);
    write_pages(&dir, &pages);
    fs::create_dir_all(dir.join("cgi")).unwrap();
    make(&dir.join("cgi/cgi_owl.js"));
    dir
}

#[test]
fn a_page_file_past_the_body_cap_is_refused_as_a_body_past_it_is() {
    let dir = with_owl("huge", |p| {
        // Sparse: 4 MiB and one byte that take no room.
        let f = fs::File::create(p).unwrap();
        f.set_len(MAX_BODY_BYTES as u64 + 1).unwrap();
    });
    let hub = serving(&pages_in(&dir));
    hub.set(
        owl::PATH,
        Reply::Huge {
            bytes: MAX_BODY_BYTES + 1,
            content_length: true,
        },
    );
    let live = Exporter::start(&hub.host(), &[]);
    let replayed = replay(&dir, &[]);
    for e in [&live, &replayed] {
        let m = e.scrape();
        assert_eq!(m.collector_success("owl"), Some(0.0));
        assert_eq!(m.value("smarthub_up"), 0.0);
    }
    let words = format!("body larger than {MAX_BODY_BYTES} bytes");
    assert_eq!(error_of(&replayed, owl::PATH), words);
    assert_eq!(error_of(&live, owl::PATH), words);

    // At the cap exactly, a page is read, as a body of that size is.
    let mut page = fixture("captures/jxwolstenholme__btsmarthub_devicelist/at-58f16f9/cgi_owl.js");
    page.resize(MAX_BODY_BYTES, b' ');
    fs::write(dir.join("cgi/cgi_owl.js"), &page).unwrap();
    let replayed = replay(&dir, &[]);
    assert_eq!(replayed.scrape().collector_success("owl"), Some(1.0));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_fifo_a_directory_and_a_link_out_of_the_recording_are_refused_at_once() {
    let outside = scratch("outside");
    let owl_page = fixture("hub/owl_mesh.js");
    fs::write(outside.join("owl.js"), &owl_page).unwrap();
    let fifo = with_owl("fifo", |p| {
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    });
    let directory = with_owl("dir", |p| fs::create_dir(p).unwrap());
    let link_out = with_owl("link-out", |p| {
        std::os::unix::fs::symlink(outside.join("owl.js"), p).unwrap()
    });
    for (dir, words) in [
        (&fifo, "is a FIFO"),
        (&directory, "is a directory"),
        (&link_out, "outside the recording: refused"),
    ] {
        // Waited on, the file would hold the scrape until this deadline.
        let e = replay(dir, &["--timeout", "30"]);
        let (m, took) = e.timed_scrape();
        assert!(
            took < Duration::from_secs(30),
            "{words}: refused at the deadline, not at once: {took:?}"
        );
        assert_eq!(m.collector_success("owl"), Some(0.0), "{words}");
        assert_eq!(m.collector_success("wan"), Some(1.0), "{words}");
        let error = error_of(&e, owl::PATH);
        assert!(error.contains(words), "{error}");
        assert!(
            error.contains("cgi/cgi_owl.js"),
            "the error names the file: {error}"
        );
        assert!(e.get("/-/healthy").status == 200);
    }
    // A link that stays inside the recording is read.
    let link_in = with_owl("link-in", |p| {
        fs::write(p.with_file_name("owl-copy.js"), &owl_page).unwrap();
        std::os::unix::fs::symlink("owl-copy.js", p).unwrap()
    });
    let e = replay(&link_in, &[]);
    assert_eq!(e.scrape().collector_success("owl"), Some(1.0));
    for d in [outside, fifo, directory, link_out, link_in] {
        let _ = fs::remove_dir_all(d);
    }
}

#[test]
fn an_endless_script_stops_at_the_timeout_as_it_does_live() {
    let endless = b"var known_device_list=[null];\nvar rate=[null];\nfor (;;) {}\n".to_vec();
    let dir = scratch("endless");
    let mut pages = pages_in(&repo_root().join(DEMO));
    pages.retain(|(p, _)| *p != lan::PATH);
    pages.push((lan::PATH, endless));
    write_pages(&dir, &pages);
    let hub = serving(&pages);
    let live = Exporter::start(&hub.host(), &["--timeout", "1"]);
    let replayed = replay(&dir, &["--timeout", "1"]);
    for e in [&live, &replayed] {
        let t = Instant::now();
        let m = e.scrape();
        // Stopped at --timeout (an overrun would have been a 503).
        assert!(
            t.elapsed() < Duration::from_secs(1) + slack(),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(m.collector_success("lan"), Some(0.0));
        assert_eq!(
            m.collector_success("wan"),
            Some(1.0),
            "the page before it read"
        );
    }
    // The same words, and the same fate for the pages after it (the
    // budget is spent either way).
    assert_eq!(error_of(&replayed, lan::PATH), error_of(&live, lan::PATH));
    let (a, b) = (live.scrape(), replayed.scrape());
    for c in collector::ALL {
        assert_eq!(
            a.collector_success(c.name),
            b.collector_success(c.name),
            "{}",
            c.name
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_page_missing_from_the_recording_is_a_page_the_hub_does_not_have() {
    let dir = with_owl("missing", |_| {});
    let e = replay(&dir, &[]);
    let m = e.scrape();
    assert_eq!(m.collector_success("owl"), Some(0.0));
    assert_eq!(m.value("smarthub_up"), 1.0, "unavailable, not failing");
    assert!(e.wait_log(|l| l.starts_with("WARN ")
        && l.contains("recorded in")
        && l.contains("the owl collector is unavailable")));
    assert!(
        !e.log().iter().any(|l| l.starts_with("ERROR")),
        "{:?}",
        e.log()
    );
    let _ = fs::remove_dir_all(&dir);
}

/// The exporter's sockets, from /proc.
fn sockets(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| fs::read_link(e.ok()?.path()).ok())
        .filter(|t| t.to_string_lossy().starts_with("socket:"))
        .count()
}

#[test]
fn a_replay_opens_no_socket_but_its_own() {
    // A hub where $SMARTHUB_HOST points: a replay must never ask it.
    let hub = FakeHub::with_pages(4);
    let demo = repo_root().join(DEMO);
    let e = Exporter::start_env(
        None,
        &["--replay", demo.to_str().unwrap(), "--cache-ttl", "0"],
        &[("SMARTHUB_HOST", &hub.host())],
    );
    // The listener and the worker's socket pair, and nothing else.
    let own = 3;
    // A client the server has answered may take a moment to be closed.
    let settled = |want: usize| {
        let t = Instant::now();
        while sockets(e.pid()) != want && t.elapsed() < Duration::from_secs(10) * slowdown() {
            std::thread::sleep(Duration::from_millis(10));
        }
        sockets(e.pid())
    };
    for _ in 0..3 {
        assert_eq!(e.scrape().value("smarthub_up"), 1.0);
        assert_eq!(settled(own), own);
    }
    // A client's connection, while it is open, is the one socket more.
    let client = std::net::TcpStream::connect(e.addr).unwrap();
    assert_eq!(settled(own + 1), own + 1);
    drop(client);
    assert_eq!(settled(own), own);
    assert!(hub.requests().is_empty(), "{:?}", hub.requests());
    assert_eq!(hub.max_concurrent(), 0, "no connection at all");
}

fn run(args: &[&str]) -> (i32, String, Duration) {
    let t = Instant::now();
    let out = command()
        .args(args)
        .env_remove("SMARTHUB_HOST")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.elapsed(),
    )
}

#[test]
fn a_recording_that_cannot_be_replayed_is_refused_at_start() {
    let missing = std::env::temp_dir().join("smarthub-replay-no-such-dir");
    let (code, err, _) = run(&["--replay", missing.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--replay") && err.contains("no such directory"),
        "{err}"
    );

    let file = repo_root().join(DEMO).join("MANIFEST");
    let (code, err, _) = run(&["--replay", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a directory"), "{err}");

    let (code, err, _) = run(&["--replay", DEMO, "--host", "192.168.1.254"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--host and --replay"), "{err}");

    let bad = scratch("bad-advance");
    fs::write(
        bad.join("MANIFEST"),
        "smarthub-exporter dump\nreplay-advance: lots\n",
    )
    .unwrap();
    let (code, err, _) = run(&["--replay", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("replay-advance"), "{err}");

    // A FIFO for a MANIFEST: refused, never waited on.
    let fifo = scratch("fifo-manifest");
    let c = std::ffi::CString::new(fifo.join("MANIFEST").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let (code, err, took) = run(&["--replay", fifo.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a FIFO"), "{err}");
    assert!(took < Duration::from_secs(5) * slowdown(), "{took:?}");

    let (code, help, _) = {
        let out = command().arg("--help").output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            (),
        )
    };
    assert_eq!(code, 0);
    assert!(
        help.contains("--replay") && help.contains("--host is refused with it"),
        "{help}"
    );
    for d in [bad, fifo] {
        let _ = fs::remove_dir_all(d);
    }
}

/// `dump` run against the fake hub, into `dir`.
fn dump_of(hub: &FakeHub, dir: &Path, extra: &[&str]) {
    let out = command()
        .arg("dump")
        .arg(dir)
        .args(["--host", &hub.host()])
        .args(extra)
        .env_remove("SMARTHUB_HOST")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the exporter");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_dump_of_the_fake_hub_replays_as_the_hub_did() {
    let pages = [
        (wan::PATH, fixture("hub/wan.xml")),
        (lan::PATH, fixture("hub/lan_grouped.js")),
        (status::PATH, fixture("hub/status.js")),
        (owl::PATH, fixture("hub/owl_mesh.js")),
    ];
    let hub = serving(&pages);
    let live = Exporter::start(&hub.host(), &[]);
    let expected = normalised(&live);

    // Not redacted: the very same output.
    let dir = scratch("dump-plain");
    fs::remove_dir(&dir).unwrap();
    dump_of(&hub, &dir, &["--no-redact"]);
    assert_eq!(normalised(&replay(&dir, &[])), expected);

    // Redacted: the same families and the same numbers; only labels (names,
    // MACs, addresses) differ.
    let dir = scratch("dump-redacted");
    fs::remove_dir(&dir).unwrap();
    dump_of(&hub, &dir, &[]);
    let got = normalised(&replay(&dir, &[]));
    let families = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("# TYPE "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(families(&got), families(&expected));
    let values = |t: &str| -> Vec<String> {
        let mut v: Vec<String> = samples(t)
            .into_iter()
            .map(|(k, v)| format!("{} {v}", k.split('{').next().unwrap()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(values(&got), values(&expected));
    assert_ne!(got, expected, "the redacted dump still names the devices");
}
