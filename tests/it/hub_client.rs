//! The hub client on the real binary against the fake hub: one deadline for
//! the scrape, what is left of it used to the millisecond, IPv6 and names, the request it sends, interim
//! responses, header bytes, strict Content-Length and chunked framing,
//! redirects named for what they are, and one connection and no threads of
//! its own.

use std::time::{Duration, Instant};

use crate::support::exporter::{slack, Exporter};
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::fixture;

use crate::support::collector::go_exporter_only;
use crate::support::{LAN, WAN};

fn wan() -> Vec<u8> {
    fixture("hub/wan_gfast_row1.xml")
}

fn lan() -> Vec<u8> {
    fixture("hub/lan.js")
}

/// The exporter reading the only two pages these tests set.
fn start(hub: &FakeHub, extra: &[&str]) -> Exporter {
    let mut args = go_exporter_only(&["--cache-ttl", "0"]);
    args.extend(extra);
    Exporter::start(&hub.host(), &args)
}

fn delayed(ms: u64, body: Vec<u8>) -> Reply {
    Reply::Delay(Duration::from_millis(ms), Box::new(Reply::ok(body)))
}

/// The WAN page served as `reply`, the device page plainly; the WAN
/// collector's success and the exporter (for its log).
fn wan_as(reply: Reply) -> (Option<f64>, Exporter, FakeHub) {
    let hub = FakeHub::start();
    hub.set(WAN, reply);
    hub.set(LAN, Reply::ok(lan()));
    let exp = start(&hub, &[]);
    let m = exp.scrape();
    assert_eq!(
        m.collector_success("lan"),
        Some(1.0),
        "the other page stands"
    );
    (m.collector_success("wan"), exp, hub)
}

fn logged(exp: &Exporter, what: &str) -> String {
    assert!(
        exp.wait_log(|l| l.contains(WAN) && l.contains(what)),
        "no log line with {what:?}: {:?}",
        exp.log()
    );
    exp.log().into_iter().find(|l| l.contains(what)).unwrap()
}

#[test]
fn two_pages_of_3_and_1_seconds_both_arrive_under_a_5_second_timeout() {
    // One budget for the scrape, not a share of it per page (2.5 s each
    // would cut the first); the second to spare is a loaded machine's.
    let hub = FakeHub::start();
    hub.set(WAN, delayed(3000, wan()));
    hub.set(LAN, delayed(1000, lan()));
    let exp = start(&hub, &["--timeout", "5"]);
    let (m, took) = exp.timed_scrape();
    assert_eq!(m.collector_success("wan"), Some(1.0), "{:?}", exp.log());
    assert_eq!(m.collector_success("lan"), Some(1.0), "{:?}", exp.log());
    assert_eq!(m.value("smarthub_up"), 1.0);
    assert!(took >= Duration::from_millis(4000), "{took:?}");
}

#[test]
fn what_is_left_of_the_budget_is_used_to_the_millisecond() {
    // 0.8 s left after the first page is 0.8 s, not "budget spent" (whole
    // seconds); a page that takes 0.1 s of it arrives, with a loaded
    // machine's slack to spare.
    let hub = FakeHub::start();
    hub.set(WAN, delayed(4200, wan()));
    hub.set(LAN, delayed(100, lan()));
    let exp = start(&hub, &["--timeout", "5"]);
    let m = exp.scrape();
    assert_eq!(m.collector_success("wan"), Some(1.0), "{:?}", exp.log());
    assert_eq!(m.collector_success("lan"), Some(1.0), "{:?}", exp.log());
}

/// The scrape with a 2.5 s WAN page and a device page that `lan` makes
/// slower than the 1.5 s left of `--timeout 4`: it ends at the deadline,
/// not before it, and not later than a loaded machine makes it (a cut per
/// step, or at the whole budget from the page's start, would be seconds
/// late).
fn cut_at_the_deadline(lan: Reply, step: &str) {
    let hub = FakeHub::start();
    hub.set(WAN, delayed(2500, wan()));
    hub.set(LAN, lan);
    let exp = start(&hub, &["--timeout", "4"]);
    let t = Instant::now();
    let m = exp.scrape();
    let took = t.elapsed();
    let deadline = Duration::from_secs(4);
    assert!(took >= deadline, "{step}: cut early, at {took:?}");
    assert!(took <= deadline + slack(), "{step}: cut late, at {took:?}");
    assert_eq!(m.collector_success("wan"), Some(1.0));
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert!(
        exp.wait_log(|l| l.contains(LAN) && l.contains("timed out") && l.contains(step)),
        "{step}: {:?}",
        exp.log()
    );
}

#[test]
fn a_page_slower_than_what_is_left_is_cut_at_the_deadline() {
    cut_at_the_deadline(delayed(6000, lan()), "waiting for the response");
    cut_at_the_deadline(
        Reply::Dribble {
            body: lan(),
            every: Duration::from_millis(20),
        },
        "reading the body",
    );
}

#[test]
fn an_ipv6_hub() {
    let hub = FakeHub::start_at("[::1]:0".parse().unwrap());
    hub.set(WAN, Reply::ok(wan()));
    hub.set(LAN, Reply::ok(lan()));
    let host = format!("[::1]:{}", hub.addr.port());
    assert_eq!(hub.host(), host);
    let exp = start(&hub, &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0, "{:?}", exp.log());
    let r = &hub.requests()[0];
    assert!(
        r.head.contains(&format!("\r\nHost: {host}\r\n")),
        "{}",
        r.head
    );
    assert_eq!(
        r.referer.as_deref(),
        Some(format!("http://{host}/").as_str())
    );
}

#[test]
fn a_hub_by_name() {
    // /etc/hosts gives localhost; the fake hub listens on 127.0.0.1 only,
    // so an ::1 line, if first, is refused and the next address tried.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(wan()));
    hub.set(LAN, Reply::ok(lan()));
    let host = format!("localhost:{}", hub.addr.port());
    let exp = Exporter::start(&host, &go_exporter_only(&[]));
    assert_eq!(exp.scrape().value("smarthub_up"), 1.0, "{:?}", exp.log());
    let r = &hub.requests()[0];
    assert!(
        r.head.contains(&format!("\r\nHost: {host}\r\n")),
        "{}",
        r.head
    );
}

#[test]
fn a_name_that_does_not_resolve_fails_inside_the_budget() {
    let exp = Exporter::start("no-such-hub.invalid", &["--timeout", "2"]);
    let (m, took) = exp.timed_scrape();
    assert!(took <= Duration::from_secs(2) + slack(), "{took:?}");
    assert_eq!(m.value("smarthub_up"), 0.0);
    // Whether this machine's name server says NXDOMAIN, fails or is not
    // there, the cause is the name.
    assert!(
        exp.wait_log(|l| l.contains(WAN)
            && (l.contains("cannot resolve \"no-such-hub.invalid\"")
                || l.contains("timed out resolving the hub's name"))),
        "{:?}",
        exp.log()
    );
}

#[test]
fn the_request_is_a_plain_get_with_host_referer_and_connection_close() {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(wan()));
    hub.set(LAN, Reply::ok(lan()));
    let exp = start(&hub, &[]);
    exp.scrape();
    let host = hub.host();
    let want = format!(
        "GET {WAN} HTTP/1.1\r\nHost: {host}\r\nReferer: http://{host}/\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(hub.requests()[0].head, want);
}

#[test]
fn interim_responses_are_skipped() {
    let answer = [
        b"HTTP/1.1 200 OK\r\nContent-Length: ".to_vec(),
        wan().len().to_string().into_bytes(),
        b"\r\n\r\n".to_vec(),
        wan(),
    ]
    .concat();
    let (ok, exp, _hub) = wan_as(Reply::Parts(vec![
        (Duration::ZERO, b"HTTP/1.1 100 Continue\r\n\r\n".to_vec()),
        (Duration::from_millis(50), answer.clone()),
    ]));
    assert_eq!(ok, Some(1.0), "{:?}", exp.log());
    assert_eq!(exp.scrape().value("smarthub_connected"), 1.0);

    // Several, with headers, in one read with the answer.
    let interim = b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x.css>; rel=preload\r\n\r\n";
    let (ok, exp, _hub) = wan_as(Reply::Raw([&interim[..], &answer].concat()));
    assert_eq!(ok, Some(1.0), "{:?}", exp.log());

    // Endless ones are bounded.
    let endless = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(50);
    let (ok, exp, _hub) = wan_as(Reply::Raw([&endless[..], &answer].concat()));
    assert_eq!(ok, Some(0.0));
    logged(&exp, "interim (1xx) responses");
}

#[test]
fn a_head_in_pieces_and_a_head_that_never_ends() {
    let raw = [
        b"HTTP/1.1 200 OK\r\nContent-Length: ".to_vec(),
        wan().len().to_string().into_bytes(),
        b"\r\nX-Hub: 1\r\n\r\n".to_vec(),
        wan(),
    ]
    .concat();
    let split = raw.len() - wan().len();
    let mut parts: Vec<(Duration, Vec<u8>)> = raw[..split]
        .iter()
        .map(|&b| (Duration::from_millis(2), vec![b]))
        .collect();
    parts.push((Duration::from_millis(2), raw[split..].to_vec()));
    let (ok, exp, _hub) = wan_as(Reply::Parts(parts));
    assert_eq!(ok, Some(1.0), "{:?}", exp.log());

    // A status line past its bound is refused when the bound is passed,
    // not at the deadline, though the hub holds the connection open.
    let hub = FakeHub::start();
    hub.set(
        WAN,
        Reply::Parts(vec![
            (Duration::ZERO, vec![b'H'; 2 << 10]),
            (Duration::from_secs(30), vec![]),
        ]),
    );
    hub.set(LAN, Reply::ok(lan()));
    let exp = start(&hub, &["--timeout", "20"]);
    let (m, took) = exp.timed_scrape();
    assert!(
        took < Duration::from_secs(20),
        "cut at the deadline: {took:?}"
    );
    assert_eq!(m.collector_success("wan"), Some(0.0));
    assert_eq!(m.collector_success("lan"), Some(1.0));
    logged(&exp, "status line longer than 1024 bytes");
}

#[test]
fn a_non_utf8_byte_in_a_response_header_keeps_the_page() {
    let raw = [
        b"HTTP/1.1 200 OK\r\nServer: Caf\xe9 \xff\xfe\r\nX-Note: \x80\r\nContent-Length: ".to_vec(),
        wan().len().to_string().into_bytes(),
        b"\r\n\r\n".to_vec(),
        wan(),
    ]
    .concat();
    let (ok, exp, _hub) = wan_as(Reply::Raw(raw));
    assert_eq!(ok, Some(1.0), "{:?}", exp.log());
}

#[test]
fn chunked_bodies() {
    // Whole: the same metrics as the page sent plainly.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(wan()));
    hub.set(LAN, Reply::ok(lan()));
    let plain = start(&hub, &[]).scrape();
    for (pieces, end) in [
        (1, "0\r\n\r\n"),
        (7, "0\r\n\r\n"),
        (3, "0\r\nX-Checksum: 1\r\n\r\n"),
    ] {
        let (ok, exp, _hub) = wan_as(Reply::chunked(&wan(), pieces, end));
        assert_eq!(ok, Some(1.0), "{pieces} chunks: {:?}", exp.log());
        let m = exp.scrape();
        for name in [
            "smarthub_uptime",
            "smarthub_downloaded_bytes",
            "smarthub_connected",
        ] {
            assert_eq!(m.value(name), plain.value(name), "{name}");
        }
    }
    // Chunks arriving apart.
    let Reply::Raw(raw) = Reply::chunked(&wan(), 4, "0\r\n\r\n") else {
        unreachable!()
    };
    let parts = raw
        .chunks(raw.len() / 5)
        .map(|p| (Duration::from_millis(30), p.to_vec()))
        .collect();
    let (ok, exp, _hub) = wan_as(Reply::Parts(parts));
    assert_eq!(ok, Some(1.0), "{:?}", exp.log());

    for (end, cause) in [
        ("", "before the last chunk"),
        ("0\r\n", "closed in the trailers"),
        ("zz\r\n", "bad chunk size line"),
        (
            "0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            "after the end of the chunked body",
        ),
    ] {
        let (ok, exp, _hub) = wan_as(Reply::chunked(&wan(), 3, end));
        assert_eq!(ok, Some(0.0), "{end:?}");
        let line = logged(&exp, cause);
        assert!(line.contains("ERROR"), "{line}");
    }
    // A chunk shorter than its size line, and one cut off mid-way.
    let mut short = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    short.extend_from_slice(format!("{:x}\r\n", wan().len() + 10).as_bytes());
    short.extend_from_slice(&wan());
    short.extend_from_slice(b"\r\n0\r\n\r\n");
    let (ok, exp, _hub) = wan_as(Reply::Raw(short));
    assert_eq!(ok, Some(0.0));
    logged(&exp, "body truncated");
}

fn with_length(claimed: usize, body: &[u8]) -> Reply {
    Reply::Raw(
        [
            format!("HTTP/1.1 200 OK\r\nContent-Length: {claimed}\r\n\r\n").into_bytes(),
            body.to_vec(),
        ]
        .concat(),
    )
}

#[test]
fn content_length_short_and_long() {
    let body = wan();
    let (ok, exp, _hub) = wan_as(with_length(body.len() + 1, &body));
    assert_eq!(ok, Some(0.0));
    logged(
        &exp,
        &format!("body truncated: {} of {} bytes", body.len(), body.len() + 1),
    );

    let (ok, exp, _hub) = wan_as(with_length(body.len() - 1, &body));
    assert_eq!(ok, Some(0.0));
    logged(
        &exp,
        &format!(
            "body longer than its Content-Length of {} bytes",
            body.len() - 1
        ),
    );

    // Two lengths that disagree: which one would a browser believe?
    let raw = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Length: 5\r\n\r\n",
        body.len()
    );
    let (ok, exp, _hub) = wan_as(Reply::Raw([raw.into_bytes(), body.clone()].concat()));
    assert_eq!(ok, Some(0.0));
    logged(&exp, "conflicting Content-Length");

    // No length at all: the body runs to the close.
    let raw = [b"HTTP/1.0 200 OK\r\n\r\n".to_vec(), body].concat();
    let (ok, exp, _hub) = wan_as(Reply::Raw(raw));
    assert_eq!(ok, Some(1.0), "{:?}", exp.log());
}

#[test]
fn a_redirect_to_https_is_not_a_login() {
    let to = "https://192.168.1.254/nonAuth/wan_conn.xml";
    let (ok, exp, hub) = wan_as(Reply::status(301, &[("Location", to)], ""));
    assert_eq!(ok, Some(0.0));
    let line = logged(&exp, &format!("redirected to {to}"));
    assert!(line.contains("HTTP 301"), "{line}");
    assert!(!line.to_lowercase().contains("login"), "{line}");
    assert_eq!(hub.count(WAN), 1, "never followed");
}

#[test]
fn a_redirect_to_the_login_page_says_so() {
    let (ok, exp, hub) = wan_as(Reply::status(302, &[("Location", "/login.htm")], ""));
    assert_eq!(ok, Some(0.0));
    let line = logged(&exp, "redirected to the hub's login page (/login.htm)");
    assert!(line.contains("HTTP 302 Found"), "{line}");
    assert_eq!(hub.requests().len(), 2, "the login page was not fetched");
}

#[test]
fn one_connection_at_a_time_and_no_threads_of_its_own() {
    // Hanging, failing fast, trickling and whole pages, scrape after
    // scrape: the hub never sees two connections at once, and the
    // exporter's thread count never moves, during a request or after.
    let hub = FakeHub::start();
    hub.set(
        WAN,
        Reply::Cycle(vec![
            Reply::Hang,
            Reply::Reset,
            Reply::ok(wan()),
            Reply::Close,
        ]),
    );
    hub.set(
        LAN,
        Reply::Dribble {
            body: lan()[..200].to_vec(),
            every: Duration::from_millis(2),
        },
    );
    let exp = start(&hub, &["--timeout", "1"]);
    let idle = exp.threads();
    let mut seen = Vec::new();
    std::thread::scope(|s| {
        let scrapes = s.spawn(|| {
            for _ in 0..8 {
                exp.scrape();
            }
        });
        while !scrapes.is_finished() {
            seen.push(exp.threads());
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    assert!(
        hub.count(WAN) == 8 && hub.count(LAN) >= 4,
        "{}",
        hub.count(LAN)
    );
    assert_eq!(
        hub.max_concurrent(),
        1,
        "two connections open to the hub at once"
    );
    assert!(seen.len() > 100, "sampled {} times", seen.len());
    assert!(
        seen.iter().all(|&n| n == idle),
        "threads went from {idle} to {:?}",
        seen.iter().max()
    );
    assert_eq!(exp.threads(), idle);
}
