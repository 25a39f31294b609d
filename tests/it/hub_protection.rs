//! The hub's web server is feeble: the exporter must never have more than
//! one request open to it, must share one set of hub requests between
//! scrapes that come together (an HA pair of Prometheus servers, a refresh-
//! happy browser, many clients at once), and must not retry in a loop when
//! the hub fails. The fake hub counts what reaches it.

use std::thread;
use std::time::{Duration, Instant};

use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::fixture;

use crate::support::{LAN, WAN};

#[test]
fn a_timed_out_request_is_over_before_the_next_one_starts() {
    // A request that times out must be over, its connection closed, before
    // the next one starts; and nothing of it may live on in another thread.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::Hang);
    hub.set(LAN, Reply::ok(fixture("hub/lan_2dev.js")));
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
    // waited for, rather than each making the hub work again in turn.
    let hub = FakeHub::with_pages(2);
    hub.set(
        WAN,
        Reply::Delay(
            Duration::from_millis(800),
            Box::new(Reply::ok(fixture("hub/wan_gfast_row1.xml"))),
        ),
    );
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let bodies: Vec<(u16, Vec<u8>)> = thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let exp = &exp;
                s.spawn(move || {
                    thread::sleep(Duration::from_millis(150 * i));
                    let r = exp.get(if i == 3 { "/metrics?x" } else { "/metrics" });
                    (r.status, r.body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
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
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "2"]);
    let first = exp.get("/metrics").body;
    let t = Instant::now();
    while t.elapsed() < Duration::from_millis(1500) {
        assert_eq!(exp.get("/metrics").body, first);
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(hub.count(WAN), 1);
    thread::sleep(Duration::from_millis(700));
    assert_ne!(
        exp.get("/metrics").body,
        first,
        "2 s after the start: fresh"
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
