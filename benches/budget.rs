//! The budget benchmark: `cargo bench --bench budget`.
//!
//! Runs the release-profile binary against the fake hub and prints the
//! figures the README's table reports: CPU per scrape and peak RSS on a
//! 250-device page, and scrape time against the time to fetch the pages
//! directly on the real 2-device page. It measures; it asserts nothing.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::exporter::Exporter;
use support::fake_hub::{FakeHub, Reply};

const WAN: &str = "/nonAuth/wan_conn.xml";
const LAN: &str = "/cgi/cgi_basicMyDevice.js";

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
    // `cargo bench` passes --bench; nothing else is configurable.
    let n: usize = std::env::var("BUDGET_SCRAPES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
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

    for (label, devices, args) in [
        ("250 devices, all collectors", 250, &[][..]),
        ("250 devices, --no-lan", 250, &["--no-lan"][..]),
        ("2 devices (generated), all collectors", 2, &[][..]),
    ] {
        let hub = FakeHub::with_pages(devices);
        let mut a = vec!["--cache-ttl", "0"];
        a.extend_from_slice(args);
        let exp = Exporter::start(&hub.host(), &a);
        let (cpu, wall) = cpu_per_scrape(&exp, n);
        println!(
            "| {label} | {cpu:.2} ms | {:.2} ms | {:.1} MiB |",
            wall.as_secs_f64() * 1000.0,
            exp.vm_hwm_kib() as f64 / 1024.0
        );
    }

    // The real 2-device page (the seed's capture when at hand, else ours).
    let (lan_page, lan_name) =
        match support::shared_fixture("jamesorlakin__bt-smarthub-exporter/lan.js") {
            Some(p) => (p, "seed capture lan.js"),
            None => (
                support::fixture("hub/my_device_2dev.js"),
                "tests/fixtures/hub/my_device_2dev.js",
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
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let (cpu, wall) = cpu_per_scrape(&exp, n);
    println!(
        "| real 2-device page ({lan_name}) | {cpu:.2} ms | {:.2} ms | {:.1} MiB |",
        wall.as_secs_f64() * 1000.0,
        exp.vm_hwm_kib() as f64 / 1024.0
    );
    let mut direct = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        fetch(&hub, WAN);
        fetch(&hub, LAN);
        direct.push(t.elapsed());
    }
    let direct = median(direct);
    println!();
    println!(
        "real 2-device page: scrape {:.2} ms vs fetching both pages directly {:.2} ms: ratio {:.2}",
        wall.as_secs_f64() * 1000.0,
        direct.as_secs_f64() * 1000.0,
        wall.as_secs_f64() / direct.as_secs_f64()
    );
}
