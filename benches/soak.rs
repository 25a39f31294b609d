//! The soak: `cargo bench --bench soak`.
//!
//! Runs the release-profile binary against the fake hub for 100,000 scrapes
//! (`SOAK_SCRAPES`), with the cache off so each one reaches the hub, and
//! samples the exporter's resident memory and open descriptors as it goes.
//! The hub misbehaves now and then on the way (resets, truncated bodies, a
//! 403, a login page instead of JavaScript, a memory bomb, endless
//! recursion), so the error paths are soaked too. Prints the table for the
//! README and says whether RSS and descriptors stayed flat after warm-up;
//! exits 1 when they did not. Times are reported, never judged.

// Only part of the support code is used here.
#[allow(dead_code)]
#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use support::exporter::Exporter;
use support::fake_hub::{FakeHub, Reply};

use support::{LAN, OWL, STATUS, WAN};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Sample {
    scrapes: usize,
    seconds: f64,
    rss_kib: u64,
    hwm_kib: u64,
    fds: usize,
}

fn main() {
    let scrapes = env("SOAK_SCRAPES", 100_000);
    let devices = env("SOAK_DEVICES", 20);
    let samples_wanted = 20;

    // All four pages, so every collector runs; wan and lan then get their
    // faults below.
    let hub = FakeHub::with_pages(devices);
    let wan = Reply::Dynamic(Arc::new(|n| support::pages::wan_page(n).into_bytes()));
    let lan = Reply::Dynamic(Arc::new(move |n| {
        support::pages::device_page(&support::pages::devices(devices, n)).into_bytes()
    }));
    // One WAN request in 50 is reset; the device page fails in five ways
    // in every 100 requests.
    let mut wan_cycle = vec![wan; 49];
    wan_cycle.push(Reply::Reset);
    let mut lan_cycle = vec![lan; 95];
    let page = support::pages::device_page(&support::pages::devices(devices, 0)).into_bytes();
    lan_cycle.extend([
        Reply::Truncated {
            claimed: page.len(),
            body: page[..page.len() / 2].to_vec(),
        },
        Reply::status(403, &[], "<html>Forbidden</html>"),
        Reply::ok(support::fixture("hub/login.htm")),
        Reply::ok("var s = 'x'; for (;;) { s = s + s; }"),
        Reply::ok("function f(n) { return f(n + 1) + 1; } f(0);"),
    ]);
    hub.set(WAN, Reply::Cycle(wan_cycle));
    hub.set(LAN, Reply::Cycle(lan_cycle));

    let exp = Exporter::start(
        &hub.host(),
        &["--cache-ttl", "0", "--timeout", "5", "--log-level", "error"],
    );
    println!(
        "soak: {} scrapes of {devices} devices, cache off, binary {}",
        scrapes,
        support::exporter::binary().display()
    );
    println!();
    println!("| scrapes | time | RSS (VmRSS) | peak RSS (VmHWM) | open fds |");
    println!("|---:|---:|---:|---:|---:|");
    let start = Instant::now();
    let mut samples: Vec<Sample> = Vec::new();
    let every = (scrapes / samples_wanted).max(1);
    let mut failed_scrapes = 0usize;
    for i in 0..=scrapes {
        if i % every == 0 || i == scrapes {
            // Let the server see the last client's close first.
            std::thread::sleep(std::time::Duration::from_millis(50));
            let s = Sample {
                scrapes: i,
                seconds: start.elapsed().as_secs_f64(),
                rss_kib: exp.vm_rss_kib(),
                hwm_kib: exp.vm_hwm_kib(),
                fds: exp.open_fds(),
            };
            println!(
                "| {} | {:.0} s | {} KiB | {} KiB | {} |",
                s.scrapes, s.seconds, s.rss_kib, s.hwm_kib, s.fds
            );
            samples.push(s);
        }
        if i == scrapes {
            break;
        }
        let r = exp.get("/metrics");
        assert_eq!(r.status, 200, "scrape {i}");
        if !r.body.windows(15).any(|w| w == b"\nsmarthub_up 1\n") {
            failed_scrapes += 1;
        }
    }
    let elapsed = start.elapsed();

    // Warm-up: the first tenth (allocator arenas, QuickJS's first runtimes).
    let warm: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.scrapes >= scrapes / 10)
        .collect();
    let rss_min = warm.iter().map(|s| s.rss_kib).min().unwrap();
    let rss_max = warm.iter().map(|s| s.rss_kib).max().unwrap();
    let fds_min = warm.iter().map(|s| s.fds).min().unwrap();
    let fds_max = warm.iter().map(|s| s.fds).max().unwrap();
    let first = warm.first().unwrap();
    let last = warm.last().unwrap();
    println!();
    println!(
        "{scrapes} scrapes in {:.0} s ({:.2} ms each, {failed_scrapes} with a page failing on purpose), hub requests: {} wan, {} lan, {} status, {} owl, at most {} at once",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / scrapes as f64,
        hub.count(WAN),
        hub.count(LAN),
        hub.count(STATUS),
        hub.count(OWL),
        hub.max_concurrent()
    );
    println!(
        "after warm-up ({} scrapes): RSS {rss_min}..{rss_max} KiB (first {} KiB, last {} KiB, spread {} KiB), fds {fds_min}..{fds_max}, peak RSS {} KiB",
        first.scrapes,
        first.rss_kib,
        last.rss_kib,
        rss_max - rss_min,
        last.hwm_kib
    );
    // Flat: no descriptor more, and memory that does not creep (a leak of
    // even 10 bytes a scrape would add ~1 MiB over the run).
    let flat = fds_min == fds_max && last.rss_kib <= first.rss_kib + 256;
    println!(
        "verdict: {}",
        if flat {
            "flat (descriptors constant, RSS within 256 KiB of its post-warm-up value)"
        } else {
            "NOT FLAT"
        }
    );
    if !flat {
        std::process::exit(1);
    }
}
