//! Every way the hub can misbehave, each bounded by `--timeout`: the scrape
//! answers in time, names the failed page, and keeps the other page's
//! metrics.

use std::time::Duration;

use crate::support::collector::go_exporter_only;
use crate::support::exporter::{slack, Exporter};
use crate::support::fake_hub::{refusing_addr, FakeHub, Reply};
use crate::support::fixture;

use crate::support::{LAN, WAN};
const TIMEOUT: u64 = 2;
/// A `--timeout` no test here comes near unless the exporter waits for it:
/// what must happen "at once" happens before it.
const FAR_OFF: u64 = 30;

/// The deadline, plus what a loaded machine may add to it.
fn bound() -> Duration {
    Duration::from_secs(TIMEOUT) + slack()
}

/// Serves a good WAN page and `reply` for the device page; the scrape must
/// answer within the bound with the WAN metrics and lan failed.
fn lan_fault(reply: Reply, cause: &str) {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(LAN, reply);
    let exp = Exporter::start(&hub.host(), &["--timeout", &TIMEOUT.to_string()]);
    let (m, took) = exp.timed_scrape();
    assert!(took <= bound(), "{cause}: scrape took {took:?}");
    assert_eq!(m.value("smarthub_up"), 0.0, "{cause}");
    assert_eq!(m.collector_success("lan"), Some(0.0), "{cause}");
    assert_eq!(m.collector_success("wan"), Some(1.0), "{cause}");
    assert_eq!(m.value("smarthub_connected"), 1.0, "{cause}");
    assert!(!m.has("smarthub_lan_downloaded_bytes"), "{cause}");
    assert!(
        exp.wait_log(|l| l.contains("ERROR") && l.contains(LAN) && l.contains(cause)),
        "{cause}: log should name the page and cause: {:?}",
        exp.log()
    );
}

/// Same with the WAN page failing.
fn wan_fault(reply: Reply, cause: &str) {
    let hub = FakeHub::start();
    hub.set(WAN, reply);
    hub.set(LAN, Reply::ok(fixture("hub/lan.js")));
    let exp = Exporter::start(&hub.host(), &["--timeout", &TIMEOUT.to_string()]);
    let (m, took) = exp.timed_scrape();
    assert!(took <= bound(), "{cause}: scrape took {took:?}");
    assert_eq!(m.collector_success("wan"), Some(0.0), "{cause}");
    assert!(
        !m.has("smarthub_connected") && !m.has("smarthub_uptime"),
        "{cause}"
    );
    assert!(
        exp.wait_log(|l| l.contains(WAN) && l.contains(cause)),
        "{cause}: {:?}",
        exp.log()
    );
}

#[test]
fn hub_down_refuses_connections() {
    let exp = Exporter::start(&refusing_addr(), &["--timeout", &FAR_OFF.to_string()]);
    let (m, took) = exp.timed_scrape();
    assert!(
        took < Duration::from_secs(FAR_OFF),
        "a refusal is final at once, not at the deadline: {took:?}"
    );
    assert_eq!(m.value("smarthub_up"), 0.0);
    assert_eq!(m.collector_success("wan"), Some(0.0));
    assert_eq!(m.collector_success("lan"), Some(0.0));
    // qemu-user 7.2 hands a MIPS guest the host's errno for a refused
    // non-blocking connect (111, where MIPS says 146), so under emulation
    // the cause reads as that raw number; a real MIPS kernel says refused.
    let emulated = std::env::var_os("SMARTHUB_EXPORTER_RUNNER").is_some_and(|r| !r.is_empty());
    assert!(
        exp.wait_log(|l| l.contains(WAN)
            && (l.contains("connection refused") || (emulated && l.contains("os error 111")))),
        "{:?}",
        exp.log()
    );
}

#[test]
fn hub_accepts_and_never_answers() {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::Hang);
    hub.set(LAN, Reply::Hang);
    let exp = Exporter::start(&hub.host(), &["--timeout", &TIMEOUT.to_string()]);
    let (m, took) = exp.timed_scrape();
    assert!(took <= bound(), "took {took:?}");
    assert!(
        took >= Duration::from_secs(TIMEOUT) - Duration::from_millis(100),
        "gave up early: {took:?}"
    );
    assert_eq!(m.value("smarthub_up"), 0.0);
    assert!(
        exp.wait_log(|l| l.contains(WAN) && l.contains("timed out")),
        "{:?}",
        exp.log()
    );
    assert!(
        exp.wait_log(|l| l.contains(LAN) && l.contains("budget")),
        "{:?}",
        exp.log()
    );
    assert_eq!(
        hub.count(LAN),
        0,
        "no request starts once the budget is spent"
    );
}

#[test]
fn hub_dribbles_a_byte_at_a_time() {
    let body = fixture("hub/wan_gfast_row1.xml");
    wan_fault(
        Reply::Dribble {
            body,
            every: Duration::from_millis(300),
        },
        "timed out",
    );
}

#[test]
fn hub_resets_the_connection() {
    wan_fault(Reply::Reset, "reset");
}

#[test]
fn hub_closes_without_answering() {
    lan_fault(Reply::Close, "");
}

#[test]
fn hub_answers_403() {
    lan_fault(
        Reply::status(403, &[], "<html>Forbidden</html>"),
        "HTTP 403",
    );
}

#[test]
fn hub_redirects_to_its_login_page() {
    lan_fault(
        Reply::status(302, &[("Location", "/login.htm")], ""),
        "HTTP 302 Found: redirected to the hub's login page (/login.htm)",
    );
}

#[test]
fn hub_answers_404() {
    // A page this hub model lacks: the collector is unavailable, said once
    // at warn, and the hub is still up on the pages it has.
    let hub = FakeHub::start();
    hub.serve_pages(2);
    hub.set(WAN, Reply::status(404, &[], "Not Found"));
    let exp = Exporter::start(&hub.host(), &["--timeout", &TIMEOUT.to_string()]);
    let (m, took) = exp.timed_scrape();
    assert!(took <= bound(), "scrape took {took:?}");
    assert_eq!(m.collector_success("wan"), Some(0.0));
    assert_eq!(m.value("smarthub_up"), 1.0);
    assert!(!m.has("smarthub_connected") && !m.has("smarthub_uptime"));
    assert!(
        exp.wait_log(|l| l.starts_with("WARN ") && l.contains(WAN) && l.contains("404 Not Found")),
        "{:?}",
        exp.log()
    );
}

#[test]
fn hub_answers_html_instead_of_the_page() {
    wan_fault(Reply::ok(fixture("hub/login.htm")), "DOCTYPE");
    lan_fault(Reply::ok(fixture("hub/login.htm")), "HTML");
}

#[test]
fn hub_sends_a_huge_body() {
    lan_fault(
        Reply::Huge {
            bytes: 64 << 20,
            content_length: true,
        },
        "larger than",
    );
    lan_fault(
        Reply::Huge {
            bytes: 64 << 20,
            content_length: false,
        },
        "larger than",
    );
}

#[test]
fn hub_truncates_the_body() {
    let body = fixture("hub/wan_gfast_row1.xml");
    wan_fault(
        Reply::Truncated {
            claimed: body.len(),
            body: body[..body.len() / 2].to_vec(),
        },
        "truncated",
    );
}

#[test]
fn hub_without_referer_is_what_the_fake_refuses() {
    // The fake hub is only a fair test if it really refuses requests without
    // a Referer, like the real one.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    let mut s = std::net::TcpStream::connect(hub.addr).unwrap();
    use std::io::{Read, Write};
    s.write_all(format!("GET {WAN} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 403"), "{out}");
}

/// A wan_conn.xml for an FTTP hub: `uptime` since boot, the session started
/// at `since` (hub uptime), and the session's byte counters.
fn wan_page(uptime: u64, since: u64, down: u64, up: u64) -> String {
    format!(
        "<status>\n\
         <wan_conn_status_list type=\"array\" value=\"[['connected%3B{since}%3Bpass'],null]\" />\n\
         <wan_conn_volume_list type=\"array\" value=\"[['{}%3B{down}%3B{up}'],null]\" />\n\
         <sysuptime value=\"{uptime}\" />\n\
         <status_rate type=\"array\" value=\"[['1000000000%3B1000000000%3B0%3B0'],null]\" />\n\
         <wan_active_idx value=\"0\" />\n\
         </status>\n",
        down + up
    )
}

fn device_page(tx: u64, rx: u64) -> String {
    format!(
        "var known_device_list=[{{mac:'AA%3ABB%3ACC%3A00%3A00%3A01',hostname:'tv',ip:'192%2E168%2E1%2E9',activity:'1'}},null];\n\
         var rate=[{{mac:'aa%3abb%3acc%3a00%3a00%3a01',tx:'{tx}',rx:'{rx}'}},null];\n"
    )
}

#[test]
fn the_hub_dies_mid_response_and_the_scrape_after_its_restart_recovers() {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(
        LAN,
        Reply::Dribble {
            body: fixture("hub/lan.js"),
            every: Duration::from_millis(5),
        },
    );
    let timeout = FAR_OFF.to_string();
    let exp = Exporter::start(
        &hub.host(),
        &go_exporter_only(&["--timeout", &timeout, "--cache-ttl", "0"]),
    );
    let fds = exp.open_fds();
    // A baseline, not 1: under qemu-user the emulator has a thread of its own.
    let threads = exp.threads();
    let (m, took) = std::thread::scope(|s| {
        let scrape = s.spawn(|| exp.timed_scrape());
        // Well into the device page's body, the hub dies.
        crate::support::wait_until("the device page requested", || hub.count(LAN) > 0);
        std::thread::sleep(Duration::from_millis(300));
        hub.kill();
        scrape.join().unwrap()
    });
    assert!(
        took < Duration::from_secs(FAR_OFF),
        "a dead hub is noticed at once, not at the deadline: {took:?}"
    );
    assert_eq!(m.collector_success("wan"), Some(1.0));
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert!(
        !m.has("smarthub_lan_downloaded_bytes"),
        "no half-read devices"
    );

    // Down: refused at once, every page.
    let (m, took) = exp.timed_scrape();
    assert!(took < Duration::from_secs(FAR_OFF), "{took:?}");
    assert_eq!(m.value("smarthub_up"), 0.0);
    assert_eq!(m.collector_success("wan"), Some(0.0));

    // Back on the same port: the next scrape is whole again.
    let hub = FakeHub::start_at(hub.addr);
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(LAN, Reply::ok(fixture("hub/lan.js")));
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    assert_eq!(m.series("smarthub_lan_downloaded_bytes").len(), 1);
    // (Once the server has seen the test client's close.)
    crate::support::wait_until("the dead hub's sockets closed", || exp.open_fds() == fds);
    assert_eq!(exp.threads(), threads, "no request thread outlived it");
}

#[test]
fn a_hub_that_answers_every_second_request() {
    let hub = FakeHub::start();
    hub.set(
        WAN,
        Reply::Cycle(vec![
            Reply::Reset,
            Reply::ok(fixture("hub/wan_gfast_row1.xml")),
        ]),
    );
    hub.set(
        LAN,
        Reply::Cycle(vec![Reply::Close, Reply::ok(fixture("hub/lan.js"))]),
    );
    let exp = Exporter::start(&hub.host(), &go_exporter_only(&["--cache-ttl", "0"]));
    for i in 0..6 {
        let m = exp.scrape();
        let good = i % 2 == 1;
        assert_eq!(m.value("smarthub_up"), good as u8 as f64, "scrape {i}");
        assert_eq!(m.has("smarthub_uptime"), good, "scrape {i}");
        assert_eq!(m.has("smarthub_lan_downloaded_bytes"), good, "scrape {i}");
    }
    // One request per page per scrape: a failure is not retried at once.
    assert_eq!((hub.count(WAN), hub.count(LAN)), (6, 6));
}

#[test]
fn a_hub_reboot_shows_as_a_reset_never_as_negative_uptime() {
    let hub = FakeHub::start();
    // Requests 0 and 1 before the reboot, 2 after, 3 with the hub's clock
    // contradicting itself (session started "after" now).
    hub.set(
        WAN,
        Reply::Dynamic(std::sync::Arc::new(|n| {
            match n {
                0 => wan_page(1_000_000, 400, 900_000_000_000, 80_000_000_000),
                1 => wan_page(1_000_015, 400, 900_000_100_000, 80_000_010_000),
                2 => wan_page(95, 60, 1_200_000, 300_000),
                _ => wan_page(110, 500, 1_300_000, 310_000),
            }
            .into_bytes()
        })),
    );
    hub.set(
        LAN,
        Reply::Dynamic(std::sync::Arc::new(|n| {
            if n < 2 {
                device_page(5_000_000_000 + n, 7_000_000_000 + n)
            } else {
                device_page(1_000, 2_000)
            }
            .into_bytes()
        })),
    );
    let exp = Exporter::start(&hub.host(), &go_exporter_only(&["--cache-ttl", "0"]));
    let scrapes: Vec<_> = (0..4).map(|_| exp.scrape()).collect();
    for (i, m) in scrapes.iter().enumerate() {
        for s in &m.samples {
            assert!(s.value >= 0.0, "scrape {i}: {} = {}", s.name, s.raw_value);
        }
    }
    let dev = [
        ("mac", "AA:BB:CC:00:00:01"),
        ("hostname", "tv"),
        ("ip", "192.168.1.9"),
    ];
    let [before, _, after, contradiction] = &scrapes[..] else {
        unreachable!()
    };
    assert_eq!(before.value("smarthub_uptime"), 1_000_000.0);
    assert_eq!(after.value("smarthub_uptime"), 95.0);
    assert_eq!(after.value("smarthub_connection_uptime"), 35.0);
    // Counters start again from small numbers: what Prometheus counts as a
    // reset, so rate() and increase() stay right.
    assert!(after.value("smarthub_downloaded_bytes") < before.value("smarthub_downloaded_bytes"));
    assert_eq!(
        after.get("smarthub_lan_downloaded_bytes", &dev),
        Some(2_000.0)
    );
    // A session said to start after the hub's uptime has no length rather
    // than a negative (or wrapped) one; the rest of the page stands.
    assert!(!contradiction.has("smarthub_connection_uptime"));
    assert_eq!(contradiction.value("smarthub_uptime"), 110.0);
    assert_eq!(contradiction.value("smarthub_up"), 1.0);
}

#[test]
fn response_heads_are_bounded_and_what_is_logged_of_them_too() {
    let big_header = format!(
        "HTTP/1.1 200 OK\r\nX-Filler: {}\r\nContent-Length: 2\r\n\r\nok",
        "a".repeat(20 << 10)
    );
    wan_fault(Reply::Raw(big_header.into_bytes()), "");
    let long_status = format!(
        "HTTP/1.1 200 {}\r\nContent-Length: 2\r\n\r\nok",
        "b".repeat(2 << 10)
    );
    wan_fault(Reply::Raw(long_status.into_bytes()), "");

    let reason = format!("Go Away {}", "Q".repeat(500));
    let location = format!("/login.htm?{}", "Z".repeat(500));
    let hub = FakeHub::start();
    hub.set(
        WAN,
        Reply::Raw(
            format!("HTTP/1.1 302 {reason}\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n")
                .into_bytes(),
        ),
    );
    hub.set(LAN, Reply::ok(fixture("hub/lan.js")));
    let exp = Exporter::start(&hub.host(), &[]);
    assert_eq!(exp.scrape().collector_success("wan"), Some(0.0));
    assert!(
        exp.wait_log(|l| l.contains("HTTP 302 Go Away")),
        "{:?}",
        exp.log()
    );
    let line = exp
        .log()
        .into_iter()
        .find(|l| l.contains("HTTP 302"))
        .unwrap();
    let kept = |c: char| line.chars().filter(|&x| x == c).count();
    assert_eq!(
        kept('Q'),
        smarthub_exporter::hub::MAX_REASON_CHARS - "Go Away ".len()
    );
    assert!(
        kept('Z') < smarthub_exporter::hub::MAX_LOCATION_CHARS,
        "{line}"
    );
}
