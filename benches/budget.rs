//! The budget benchmark: `cargo bench --bench budget`.
//!
//! Runs the release-profile binary against the fake hub and prints the
//! figures the README's table reports: CPU per scrape and peak RSS on a
//! 250-device page (with 250 mesh stations when owl is on), and scrape time
//! against the time to fetch the pages directly on the real 2-device page.
//! It measures; it asserts nothing.
//!
//! Each exporter is stopped with SIGTERM, so a runner such as
//! `SMARTHUB_EXPORTER_RUNNER=valgrind-wrapper` sees it exit normally (callgrind
//! writes its counts at exit).

// Only part of the support code is used here.
#[allow(dead_code)]
#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use std::sync::Arc;

use support::exporter::Exporter;
use support::fake_hub::{FakeHub, Reply};

use support::{LAN, OWL, STATUS, WAN};
const ONLY_CORE: &[&str] = &["--no-collector", "status", "--no-collector", "owl"];

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// CPU milliseconds per scrape over `n` scrapes, and the median wall time.
fn cpu_per_scrape(exp: &Exporter, n: usize) -> (f64, Duration) {
    for _ in 0..20 {
        exp.get("/metrics");
    }
    let before = exp.cpu_ticks();
    let mut walls = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = exp.get("/metrics");
        walls.push(t.elapsed());
        assert_eq!(r.status, 200);
    }
    let ticks = exp.cpu_ticks() - before;
    (
        ticks as f64 / ticks_per_second() * 1000.0 / n as f64,
        median(walls),
    )
}

/// Fetches one page the way the exporter does (new connection, Referer).
fn fetch(hub: &FakeHub, path: &str) -> usize {
    let mut s = TcpStream::connect(hub.addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {0}\r\nReferer: http://{0}/\r\nConnection: close\r\n\r\n",
        hub.host()
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    out.len()
}

fn main() {
    // `cargo bench` passes --bench; the environment tunes the run:
    // BUDGET_SCRAPES (default 1000) and BUDGET_ONLY, a substring of the
    // scenarios to run (to profile one: `perf record` the bench with it).
    let n: usize = std::env::var("BUDGET_SCRAPES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let only = std::env::var("BUDGET_ONLY").unwrap_or_default();
    let size = std::fs::metadata(support::exporter::binary())
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "binary: {} ({} bytes, {:.2} MB)",
        support::exporter::binary().display(),
        size,
        size as f64 / 1e6
    );
    println!();
    println!("| scenario | CPU per scrape | median scrape time | peak RSS (VmHWM) |");
    println!("|---|---|---|---|");

    // The generated hub has a VDSL line that is up, so every family of the
    // wan collector is rendered.
    for (label, devices, args) in [
        (
            "250 devices + 250 mesh stations, all collectors (wan, lan, status, owl)",
            250,
            &[][..],
        ),
        (
            "250 devices, wan + lan (the core's two pages)",
            250,
            ONLY_CORE,
        ),
        (
            "250 devices, wan + lan + status",
            250,
            &["--no-collector", "owl"][..],
        ),
        (
            "250 stations, --no-lan (wan, status, owl)",
            250,
            &["--no-lan"][..],
        ),
        (
            "2 devices + 2 stations (generated), all collectors",
            2,
            &[][..],
        ),
    ] {
        if !label.contains(only.as_str()) {
            continue;
        }
        let hub = FakeHub::with_pages(devices);
        hub.set(
            WAN,
            Reply::Dynamic(Arc::new(|n| support::pages::wan_page_vdsl(n).into_bytes())),
        );
        let mut a = vec!["--cache-ttl", "0"];
        a.extend_from_slice(args);
        let exp = Exporter::start(&hub.host(), &a);
        let (cpu, wall) = cpu_per_scrape(&exp, n);
        println!(
            "| {label} | {cpu:.2} ms | {:.2} ms | {:.1} MiB |",
            wall.as_secs_f64() * 1000.0,
            exp.vm_hwm_kib() as f64 / 1024.0
        );
        let _ = exp.signal(libc::SIGTERM);
    }

    // The real 2-device page (the seed's capture when at hand, else ours).
    let (lan_page, lan_name) =
        match support::shared_fixture("jamesorlakin__bt-smarthub-exporter/lan.js") {
            Some(p) => (p, "seed capture lan.js"),
            None => (
                support::fixture("hub/lan_2dev.js"),
                "tests/fixtures/hub/lan_2dev.js",
            ),
        };
    let wan_page =
        support::shared_fixture("jamesorlakin__bt-smarthub-exporter/smarthub_wan_conn.xml")
            .unwrap_or_else(|| {
                support::fixture(
                    "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
                )
            });
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(wan_page));
    hub.set(LAN, Reply::ok(lan_page));
    // The real mesh capture (26 stations, 3 nodes) and our status page.
    hub.set(
        OWL,
        Reply::ok(support::fixture(
            "captures/jxwolstenholme__btsmarthub_devicelist/cgi_owl.js",
        )),
    );
    hub.set(STATUS, Reply::ok(support::fixture("hub/status_vdsl2.js")));
    let mut walls = Vec::new();
    for (label, args, pages) in [
        ("wan + lan", ONLY_CORE, &[WAN, LAN][..]),
        ("all four collectors", &[][..], &[WAN, LAN, STATUS, OWL][..]),
    ] {
        if !format!("real 2-device page, {label}").contains(only.as_str()) {
            continue;
        }
        let mut a = vec!["--cache-ttl", "0"];
        a.extend_from_slice(args);
        let exp = Exporter::start(&hub.host(), &a);
        let (cpu, wall) = cpu_per_scrape(&exp, n);
        println!(
            "| real 2-device page ({lan_name}), {label} | {cpu:.2} ms | {:.2} ms | {:.1} MiB |",
            wall.as_secs_f64() * 1000.0,
            exp.vm_hwm_kib() as f64 / 1024.0
        );
        let _ = exp.signal(libc::SIGTERM);
        walls.push((label, wall, pages));
    }
    println!();
    for (label, wall, pages) in walls {
        let mut direct = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            for p in pages {
                fetch(&hub, p);
            }
            direct.push(t.elapsed());
        }
        let direct = median(direct);
        println!(
            "real 2-device page, {label}: scrape {:.2} ms vs fetching its {} pages directly {:.2} ms: ratio {:.2}",
            wall.as_secs_f64() * 1000.0,
            pages.len(),
            direct.as_secs_f64() * 1000.0,
            wall.as_secs_f64() / direct.as_secs_f64()
        );
    }
}
