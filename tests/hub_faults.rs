//! Every way the hub can misbehave, each bounded by `--timeout`: the scrape
//! answers in time, names the failed page, and keeps the other page's
//! metrics.

mod support;

use std::time::Duration;

use support::exporter::{slowdown, Exporter};
use support::fake_hub::{refusing_addr, FakeHub, Reply};
use support::fixture;

const WAN: &str = "/nonAuth/wan_conn.xml";
const LAN: &str = "/cgi/cgi_basicMyDevice.js";
const TIMEOUT: u64 = 2;

/// The deadline plus slack for process scheduling (and emulation).
fn bound() -> Duration {
    Duration::from_secs(TIMEOUT) + Duration::from_millis(700) * slowdown()
}

/// Serves a good WAN page and `reply` for the device page; the scrape must
/// answer within the bound with the WAN metrics and lan failed.
fn lan_fault(reply: Reply, cause: &str) {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_conn_gfast_row1.xml")));
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
    hub.set(LAN, Reply::ok(fixture("hub/my_device_2dev.js")));
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
    let exp = Exporter::start(&refusing_addr(), &["--timeout", "2"]);
    let (m, took) = exp.timed_scrape();
    assert!(
        took < Duration::from_secs(1) * slowdown(),
        "refusal is immediate: {took:?}"
    );
    assert_eq!(m.value("smarthub_up"), 0.0);
    assert_eq!(m.collector_success("wan"), Some(0.0));
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert!(
        exp.wait_log(|l| l.contains("connection refused")),
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
    let body = fixture("hub/wan_conn_gfast_row1.xml");
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
        "HTTP 302",
    );
}

#[test]
fn hub_answers_404() {
    wan_fault(Reply::status(404, &[], "Not Found"), "HTTP 404");
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
    let body = fixture("hub/wan_conn_gfast_row1.xml");
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
    hub.set(WAN, Reply::ok(fixture("hub/wan_conn_gfast_row1.xml")));
    let mut s = std::net::TcpStream::connect(hub.addr).unwrap();
    use std::io::{Read, Write};
    s.write_all(format!("GET {WAN} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 403"), "{out}");
}
