//! The hub's web server is feeble: the exporter must never have more than
//! one request open to it, must share one set of hub requests between
//! scrapes that come together (an HA pair of Prometheus servers, a refresh-
//! happy browser, many clients at once), and must not retry in a loop when
//! the hub fails. The fake hub counts what reaches it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::exporter::{parse_response, Exporter};
use crate::support::fake_hub::{FakeHub, Gate, Reply};
use crate::support::{fixture, wait_until};

use crate::support::{LAN, WAN};

#[test]
fn a_timed_out_request_is_over_before_the_next_one_starts() {
    // A request that times out must be over, its connection closed, before
    // the next one starts; and nothing of it may live on in another thread.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::Hang);
    hub.set(LAN, Reply::ok(fixture("hub/lan.js")));
    let exp = Exporter::start(&hub.host(), &["--timeout", "1", "--cache-ttl", "0"]);
    for _ in 0..4 {
        let m = exp.scrape();
        assert_eq!(m.collector_success("wan"), Some(0.0));
    }
    assert_eq!(hub.count(WAN), 4);
    assert_eq!(
        hub.max_concurrent(),
        1,
        "two requests were open to the hub at once"
    );
    assert_eq!(
        exp.threads(),
        crate::support::exporter::THREADS,
        "a thread outlived its request"
    );
}

#[test]
fn scrapes_that_arrive_during_a_scrape_share_it() {
    // Even with the cache off: the ones that waited get the result they
    // waited for, rather than each making the hub work again in turn. The
    // hub holds its page until all four are waiting.
    let hub = FakeHub::with_pages(2);
    let gate = Gate::new();
    hub.set(
        WAN,
        Reply::Held(
            gate.clone(),
            Box::new(Reply::ok(fixture("hub/wan_gfast_row1.xml"))),
        ),
    );
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let ask = |path: &str| {
        let mut c = TcpStream::connect(exp.addr).unwrap();
        c.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .unwrap();
        c
    };
    let answer = |mut c: TcpStream| {
        let mut raw = Vec::new();
        c.read_to_end(&mut raw).unwrap();
        let r = parse_response(&raw);
        (r.status, r.body)
    };
    let first = ask("/metrics");
    wait_until("the first scrape at the hub", || hub.count(WAN) == 1);
    let others = [ask("/metrics"), ask("/metrics"), ask("/metrics?x")];
    wait_until("all four requests read", || exp.requests_read() == 4);
    gate.open();
    let bodies: Vec<(u16, Vec<u8>)> = std::iter::once(first).chain(others).map(answer).collect();
    for (status, body) in &bodies {
        assert_eq!(*status, 200);
        assert_eq!(body, &bodies[0].1, "one result for all four");
    }
    assert_eq!(hub.count(WAN), 1);
    assert_eq!(hub.count(LAN), 1);
    // Once it is over, the next scrape is a new one (the TTL is 0).
    exp.scrape();
    assert_eq!(hub.count(WAN), 2);
}

#[test]
fn within_the_ttl_scrapes_share_and_after_it_they_do_not() {
    // Seconds from the TTL on either side of what is checked: a loaded
    // machine's delays cannot move a request across it.
    const TTL: Duration = Duration::from_secs(5);
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "5"]);
    let first = exp.get("/metrics").body;
    let scraped = Instant::now();
    while scraped.elapsed() < Duration::from_millis(1500) {
        assert_eq!(exp.get("/metrics").body, first);
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(hub.count(WAN), 1);
    // The first scrape started before `scraped`.
    thread::sleep(TTL.saturating_sub(scraped.elapsed()));
    assert_ne!(
        exp.get("/metrics").body,
        first,
        "the TTL after the start: fresh"
    );
    assert_eq!(hub.count(WAN), 2);
    assert_eq!(hub.count(LAN), 2);
}

#[test]
fn a_failing_hub_is_not_retried_in_a_loop() {
    // Fast failures (a reset, a 500) are the ones that could spin: many
    // clients asking as fast as they can still cost one attempt per page
    // per TTL, and one scrape never retries a page.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::Reset);
    hub.set(LAN, Reply::status(500, &[], "busy"));
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "2"]);
    let answered = thread::scope(|s| {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let exp = &exp;
                s.spawn(move || {
                    let t = Instant::now();
                    let mut n = 0;
                    while t.elapsed() < Duration::from_millis(3000) {
                        let m = exp.scrape();
                        assert_eq!(m.value("smarthub_up"), 0.0);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum::<usize>()
    });
    assert!(answered > 50, "only {answered} scrapes answered");
    // Scrapes start at 0 s and 2 s (and, on a slow machine, maybe 4 s).
    for page in [WAN, LAN] {
        let n = hub.count(page);
        assert!(
            (2..=3).contains(&n),
            "{page}: {n} requests for {answered} scrapes"
        );
    }

    // With the cache off, each scrape tries each page exactly once.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::Reset);
    hub.set(LAN, Reply::Close);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    for _ in 0..5 {
        exp.scrape();
    }
    assert_eq!((hub.count(WAN), hub.count(LAN)), (5, 5));
}
