//! The exporter's own HTTP side under abuse: garbage, oversized heads, idle
//! and dribbling clients, clients that never read, wrong methods and paths,
//! and many scrapes in a row.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use support::exporter::{parse_response, Exporter};
use support::fake_hub::{FakeHub, Reply};

fn exporter() -> (FakeHub, Exporter) {
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    (hub, exp)
}

#[test]
fn metrics_index_health_and_head() {
    let (hub, exp) = exporter();
    let r = exp.get("/metrics");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(
        r.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        r.body.len()
    );
    let head = exp.request("HEAD", "/metrics");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(
        head.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap()
            > 1000
    );
    let index = exp.get("/");
    assert_eq!(index.status, 200);
    assert!(index.text().contains("<a href=\"/metrics\">"));
    let before = hub.requests().len();
    let health = exp.get("/-/healthy");
    assert_eq!((health.status, health.text().as_str()), (200, "OK\n"));
    assert_eq!(
        hub.requests().len(),
        before,
        "the health check never touches the hub"
    );
}

#[test]
fn wrong_paths_methods_and_garbage() {
    let (_hub, exp) = exporter();
    assert_eq!(exp.get("/nope").status, 404);
    assert_eq!(exp.get("/metrics/").status, 404);
    let post = exp.request("POST", "/metrics");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow").as_deref(), Some("GET, HEAD"));
    // A POST with a body still gets its 405 whole (no reset on close).
    let raw = exp.raw(b"POST /metrics HTTP/1.1\r\nContent-Length: 100000\r\n\r\n");
    assert_eq!(parse_response(&raw).status, 405);
    for garbage in [
        &b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"[..],
        b"hello\r\n\r\n",
        b"GET /metrics HTTP/7.0\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    ] {
        let raw = exp.raw(garbage);
        assert_eq!(parse_response(&raw).status, 400, "{garbage:?}");
    }
    let mut big = b"GET /metrics HTTP/1.1\r\nX-Filler: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 20 << 10));
    big.extend_from_slice(b"\r\n\r\n");
    assert_eq!(parse_response(&exp.raw(&big)).status, 431);
    assert_eq!(exp.get("/metrics").status, 200, "still serving");
}

#[test]
fn idle_and_dribbling_clients_are_dropped_and_block_no_one() {
    // The hub takes its time, as the real one does; a scrape behind idle
    // clients must take about a second at most beyond that.
    const HUB_TIME: Duration = Duration::from_millis(400);
    let hub = FakeHub::with_pages(2);
    hub.set(
        "/nonAuth/wan_conn.xml",
        Reply::Delay(
            HUB_TIME,
            Box::new(Reply::Dynamic(Arc::new(|n| {
                support::pages::wan_page(n).into_bytes()
            }))),
        ),
    );
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let bound = HUB_TIME + Duration::from_secs(1);
    let mut idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(exp.addr).unwrap())
        .collect();
    let mut dribbler = TcpStream::connect(exp.addr).unwrap();
    dribbler.write_all(b"GET /met").unwrap();
    // Others are served meanwhile, promptly.
    let t = Instant::now();
    assert_eq!(exp.get("/metrics").status, 200);
    assert!(
        t.elapsed() < bound,
        "scrape behind idle clients took {:?}",
        t.elapsed()
    );
    // 20 more arrive while a scrape runs (they wait in the backlog with the
    // next request); neither that scrape nor the next one waits for them.
    let late: Vec<TcpStream> = std::thread::scope(|s| {
        let scrape = s.spawn(|| {
            let t = Instant::now();
            assert_eq!(exp.get("/metrics").status, 200);
            t.elapsed()
        });
        sleep(HUB_TIME / 4);
        let late = (0..20)
            .map(|_| TcpStream::connect(exp.addr).unwrap())
            .collect();
        let took = scrape.join().unwrap();
        assert!(took < bound, "scrape during idle arrivals took {took:?}");
        late
    });
    let t = Instant::now();
    assert_eq!(exp.get("/metrics").status, 200);
    assert!(t.elapsed() < bound, "next scrape took {:?}", t.elapsed());
    idle.extend(late);
    // After about a second the idle ones are closed.
    sleep(Duration::from_millis(1500));
    for s in idle.iter_mut().chain(std::iter::once(&mut dribbler)) {
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 16];
        let n = s.read(&mut buf).unwrap_or(0);
        assert_eq!(n, 0, "an idle client should have been closed");
    }
}

#[test]
fn a_client_that_never_reads_cannot_block_the_server() {
    // ~400 KB of metrics per response. Cached, so that what is timed below is
    // the server's loop and not a 2000-device scrape in a debug build.
    let hub = FakeHub::with_pages(2000);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "60"]);
    exp.scrape();
    let mut stuck = Vec::new();
    for _ in 0..8 {
        let s = TcpStream::connect(exp.addr).unwrap();
        // A tiny receive window, never read: the response cannot be
        // delivered, so the server's writes would block if they could.
        support::shrink_receive_buffer(&s);
        (&s).write_all(b"GET /metrics HTTP/1.1\r\n\r\n").unwrap();
        stuck.push(s);
    }
    sleep(Duration::from_millis(200));
    let t = Instant::now();
    assert_eq!(exp.get("/metrics").status, 200);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    drop(stuck);
}

#[test]
fn connections_beyond_the_limit_are_refused_cleanly() {
    let (_hub, exp) = exporter();
    let held: Vec<TcpStream> = (0..70)
        .map(|_| TcpStream::connect(exp.addr).unwrap())
        .collect();
    sleep(Duration::from_millis(100));
    let mut refused = 0;
    for mut s in held {
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        if buf.starts_with(b"HTTP/1.1 503") {
            refused += 1;
        }
    }
    assert!(refused >= 6, "only {refused} of 70 refused with 503");
    sleep(Duration::from_millis(1200));
    assert_eq!(exp.get("/metrics").status, 200);
}

#[test]
fn three_hundred_scrapes_leave_no_descriptors_behind() {
    let (hub, exp) = exporter();
    for _ in 0..5 {
        exp.scrape();
    }
    sleep(Duration::from_millis(200));
    let fds = exp.open_fds();
    let rss = exp.vm_rss_kib();
    for _ in 0..300 {
        assert_eq!(exp.get("/metrics").status, 200);
    }
    sleep(Duration::from_millis(300));
    assert_eq!(exp.open_fds(), fds, "descriptors leaked");
    assert_eq!(exp.threads(), 1);
    assert!(
        exp.vm_rss_kib() < rss + 1024,
        "RSS grew from {rss} to {} KiB",
        exp.vm_rss_kib()
    );
    assert_eq!(
        hub.count("/nonAuth/wan_conn.xml"),
        305,
        "every scrape reached the hub (cache off)"
    );
    assert_eq!(
        hub.max_concurrent(),
        1,
        "never more than one request open to the hub"
    );
}

#[test]
fn the_cache_shares_one_set_of_hub_requests() {
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "5"]);
    let first = exp.get("/metrics").body;
    for _ in 0..10 {
        assert_eq!(exp.get("/metrics").body, first);
    }
    assert_eq!(hub.count("/nonAuth/wan_conn.xml"), 1);
    assert_eq!(hub.count("/cgi/cgi_basicMyDevice.js"), 1);
}
