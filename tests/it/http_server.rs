//! The exporter's own HTTP side under abuse: garbage, oversized heads, idle
//! and dribbling clients, clients that never read, wrong methods and paths,
//! and many scrapes in a row.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::exporter::{parse_response, slack, Exporter, THREADS};
use crate::support::fake_hub::{FakeHub, Gate, Reply};
use crate::support::{wait_until, LAN, WAN};
use smarthub_exporter::server::{READ_TIMEOUT, WRITE_TIMEOUT};

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
    // With the cache off no result is fresh, so a HEAD cannot know what a
    // GET would get: no length (RFC 9110 §8.6 forbids a wrong one).
    let head = exp.request("HEAD", "/metrics");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), None, "{}", head.head);
    assert_eq!(
        head.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
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

/// The scrape worker names its own thread (`top -H`, `ps -L`).
#[test]
fn the_scrape_worker_thread_is_named_scrape() {
    let (_hub, exp) = exporter();
    let names = || -> Vec<String> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", exp.pid())).unwrap();
        tasks
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .map(|n| n.trim_end().to_string())
            .collect()
    };
    wait_until("the worker named", || names().iter().any(|n| n == "scrape"));
    assert_eq!(exp.get("/metrics").status, 200, "and it scrapes");
    assert_eq!(
        names().iter().filter(|n| *n == "scrape").count(),
        1,
        "{:?}",
        names()
    );
}

#[test]
fn head_metrics_has_the_length_of_the_cached_result_and_never_scrapes() {
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "60"]);
    // Nothing cached yet: no length, and no scrape started for it.
    let head = exp.request("HEAD", "/metrics");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), None, "{}", head.head);
    sleep(Duration::from_millis(200));
    assert_eq!(hub.count(WAN), 0, "HEAD started a scrape");
    // Fresh in the cache: exactly what a GET gets now.
    let get = exp.get("/metrics");
    let head = exp.request("HEAD", "/metrics");
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string())
    );
    assert_eq!(exp.get("/metrics").body, get.body);
    assert_eq!(hub.count(WAN), 1);
}

#[test]
fn wrong_paths_methods_and_garbage() {
    let (_hub, exp) = exporter();
    assert_eq!(exp.get("/nope").status, 404);
    assert_eq!(exp.get("/metrics/").status, 404);
    // A refused HEAD gets the head alone, like any HEAD.
    let raw = exp.raw(b"HEAD /nope HTTP/1.1\r\n\r\n");
    let head = parse_response(&raw);
    assert_eq!(head.status, 404);
    assert!(head.body.is_empty(), "{raw:?}");
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

/// The WAN page, held by the hub until `gate` opens.
fn held_wan(gate: &Gate) -> Reply {
    Reply::Held(
        gate.clone(),
        Box::new(Reply::Dynamic(Arc::new(|n| {
            crate::support::pages::wan_page(n).into_bytes()
        }))),
    )
}

/// Whether the server still holds `s` open: nothing to read yet, and no
/// end of stream. Does not wait.
fn still_open(s: &TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let r = s.peek(&mut [0u8; 1]);
    s.set_nonblocking(false).unwrap();
    matches!(r, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

/// Asserts that the server closes `s` without a word, waiting as long as a
/// loaded machine may need past the server's own limit, `within`.
fn assert_closed_by_the_server(s: &mut TcpStream, within: Duration) {
    s.set_read_timeout(Some(within + slack() * 5)).unwrap();
    let mut rest = Vec::new();
    match s.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest)),
        Err(e) => assert_eq!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset,
            "not closed: {e}"
        ),
    }
}

#[test]
fn idle_and_dribbling_clients_are_dropped_and_block_no_one() {
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let mut idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(exp.addr).unwrap())
        .collect();
    let mut dribbler = TcpStream::connect(exp.addr).unwrap();
    dribbler.write_all(b"GET /met").unwrap();
    // A scrape asked for now reaches the hub while they are all still
    // held: the listener did not wait for them to be dropped (at
    // READ_TIMEOUT). The hub holds the page, so that the next 20 arrive
    // while the scrape runs.
    let gate = Gate::new();
    hub.set(WAN, held_wan(&gate));
    let scrape = scrape_in_background(exp.addr);
    wait_until("the scrape at the hub", || hub.count(WAN) == 1);
    for s in idle.iter().chain(std::iter::once(&dribbler)) {
        assert!(still_open(s), "dropped before the scrape reached the hub");
    }
    let late: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(exp.addr).unwrap())
        .collect();
    gate.open();
    let (raw, _) = scrape.join().unwrap();
    assert_eq!(parse_response(&raw).status, 200);
    for s in &late {
        assert!(still_open(s), "dropped before the scrape answered");
    }
    // Neither that scrape nor the next one waits for those who arrived
    // during it.
    let gate = Gate::new();
    hub.set(WAN, held_wan(&gate));
    let scrape = scrape_in_background(exp.addr);
    wait_until("the next scrape at the hub", || hub.count(WAN) == 2);
    for s in &late {
        assert!(
            still_open(s),
            "dropped before the next scrape reached the hub"
        );
    }
    gate.open();
    let (raw, _) = scrape.join().unwrap();
    assert_eq!(parse_response(&raw).status, 200);
    // The idle and the dribbling ones are closed at READ_TIMEOUT.
    idle.extend(late);
    for s in idle.iter_mut().chain(std::iter::once(&mut dribbler)) {
        assert_closed_by_the_server(s, READ_TIMEOUT);
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
        crate::support::shrink_receive_buffer(&s);
        (&s).write_all(b"GET /metrics HTTP/1.1\r\n\r\n").unwrap();
        stuck.push(s);
    }
    sleep(Duration::from_millis(200));
    // Blocked on one of them, the server would answer once that client's
    // WRITE_TIMEOUT dropped it; it answers while they are all still stuck.
    let t = Instant::now();
    assert_eq!(exp.get("/metrics").status, 200);
    assert!(
        t.elapsed() < WRITE_TIMEOUT,
        "answered after {:?}: once a stuck client was dropped",
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
    // Each one the server took is idle and closed at READ_TIMEOUT; each
    // one past the limit is answered 503 and closed.
    let mut refused = 0;
    for mut s in held {
        s.set_read_timeout(Some(READ_TIMEOUT + slack() * 5))
            .unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        if buf.starts_with(b"HTTP/1.1 503") {
            refused += 1;
        }
    }
    assert!(refused >= 6, "only {refused} of 70 refused with 503");
    // And with them gone, it serves again.
    wait_until("a 200 once the held ones are gone", || {
        exp.get("/metrics").status == 200
    });
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
    // Leaked, they would never close.
    wait_until("the descriptors of 300 scrapes closed", || {
        exp.open_fds() <= fds
    });
    assert_eq!(exp.open_fds(), fds, "descriptors leaked");
    assert_eq!(exp.threads(), THREADS);
    assert!(
        exp.vm_rss_kib() < rss + 1024,
        "RSS grew from {rss} to {} KiB",
        exp.vm_rss_kib()
    );
    assert_eq!(
        hub.count(WAN),
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
    assert_eq!(hub.count(WAN), 1);
    assert_eq!(hub.count(LAN), 1);
}

/// Asks what must never wait for a scrape, while a scrape cannot end (the
/// hub holds its page, JavaScript runs to a deadline far off, the log is
/// clogged): each answer arriving at all shows it did not wait. A listener
/// that waited would answer none of them, and [`raw_request`] gives up.
/// Checks each answer and prints the slowest, for information: "at once"
/// is asserted as this order, not in milliseconds.
fn probe_everything_but_a_scrape(addr: SocketAddr) {
    let mut slowest = Duration::ZERO;
    for (request, status) in [
        (&b"GET /-/healthy HTTP/1.1\r\n\r\n"[..], 200),
        // The overview waits for the scrape as /metrics does; its HEAD not.
        (b"HEAD / HTTP/1.1\r\n\r\n", 200),
        (b"HEAD /status.json HTTP/1.1\r\n\r\n", 200),
        (b"HEAD /status.json?history=0 HTTP/1.1\r\n\r\n", 200),
        (b"HEAD /metrics HTTP/1.1\r\n\r\n", 200),
        (b"HEAD /-/healthy HTTP/1.0\r\n\r\n", 200),
        (b"GET /nope HTTP/1.1\r\n\r\n", 404),
        (b"POST /metrics HTTP/1.1\r\n\r\n", 405),
        (b"GET\r\n\r\n", 400),
    ] {
        let t = Instant::now();
        let raw = raw_request(addr, request);
        let took = t.elapsed();
        let what = String::from_utf8_lossy(request.split(|&b| b == b'\r').next().unwrap());
        assert!(!raw.is_empty(), "{what}: no answer during a scrape");
        let r = parse_response(&raw);
        assert_eq!(r.status, status, "{what}");
        if request.starts_with(b"HEAD") {
            assert!(r.body.is_empty(), "{what}");
        }
        slowest = slowest.max(took);
    }
    eprintln!("slowest answer during the scrape: {slowest:?}");
}

/// Starts a `GET /metrics` in a thread: the scrape it makes is in progress
/// until the thread ends. Returns what came back, with how long it took.
fn scrape_in_background(addr: SocketAddr) -> std::thread::JoinHandle<(Vec<u8>, Duration)> {
    std::thread::spawn(move || {
        let t = Instant::now();
        let raw = raw_request(addr, b"GET /metrics HTTP/1.1\r\n\r\n");
        (raw, t.elapsed())
    })
}

/// Sends `request` and reads until the server closes (or 30 s pass: then
/// what came so far, likely nothing).
fn raw_request(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(request).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    raw
}

/// Makes the close of `s` a reset: SO_LINGER on with a zero timeout.
fn reset_on_close(s: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket and a correctly sized linger struct.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0);
}

/// A `--timeout` no scrape here reaches while it is probed: a probe that
/// waited for the scrape would give up first (after 30 s).
const FAR_OFF: &str = "120";

/// Probes while a `GET /metrics` waits on a scrape that `started` says has
/// reached its stuck page and that cannot end while it is probed; checks
/// that it is still in progress after every answer came. Returns it.
fn probe_during_a_stuck_scrape(
    exp: &Exporter,
    started: impl FnMut() -> bool,
) -> std::thread::JoinHandle<(Vec<u8>, Duration)> {
    let scrape = scrape_in_background(exp.addr);
    wait_until("the scrape at its stuck page", started);
    for _ in 0..5 {
        probe_everything_but_a_scrape(exp.addr);
    }
    assert!(!scrape.is_finished(), "the scrape ended before the probes");
    scrape
}

#[test]
fn everything_but_metrics_answers_at_once_while_the_hub_hangs() {
    let hub = FakeHub::with_pages(2);
    let gate = Gate::new();
    hub.set(WAN, held_wan(&gate));
    let exp = Exporter::start(&hub.host(), &["--timeout", FAR_OFF, "--cache-ttl", "0"]);
    let scrape = probe_during_a_stuck_scrape(&exp, || hub.count(WAN) == 1);
    // Every answer came while the hub still held the page; once it answers,
    // so does the scrape that waited for it all along.
    gate.open();
    let (raw, _) = scrape.join().unwrap();
    let r = parse_response(&raw);
    assert_eq!(r.status, 200);
    let m = crate::support::expo::parse(&r.text()).unwrap();
    assert_eq!(m.value("smarthub_up"), 1.0);
    assert_eq!(hub.count(WAN), 1, "a probe made a scrape");
    assert_eq!(hub.max_concurrent(), 1);
}

#[cfg(feature = "js")]
#[test]
fn everything_but_metrics_answers_at_once_while_hostile_javascript_runs() {
    let hub = FakeHub::with_pages(2);
    hub.set(LAN, Reply::ok("var known_device_list=[]; while(true){}"));
    let exp = Exporter::start(&hub.host(), &["--timeout", FAR_OFF, "--cache-ttl", "0"]);
    let scrape = probe_during_a_stuck_scrape(&exp, || hub.count(LAN) == 1);
    // Every answer came while the script ran: stopped now, the exporter
    // never answers the scrape.
    drop(exp);
    let (raw, _) = scrape.join().unwrap();
    assert!(raw.is_empty(), "{:?}", String::from_utf8_lossy(&raw));
}

#[cfg(feature = "js")]
#[test]
fn sigterm_stops_the_exporter_at_once_while_javascript_runs() {
    let hub = FakeHub::with_pages(2);
    hub.set(LAN, Reply::ok("var known_device_list=[]; while(true){}"));
    let exp = Exporter::start(&hub.host(), &["--timeout", "30"]);
    let scrape = scrape_in_background(exp.addr);
    wait_until("the script running", || hub.count(LAN) == 1);
    assert!(!scrape.is_finished());
    let (status, took) = exp.signal(libc::SIGTERM);
    assert_eq!(status.code(), Some(0));
    assert!(took < slack(), "took {took:?}");
    // The client saw the connection close, not an answer.
    let (raw, _) = scrape.join().unwrap();
    assert!(raw.is_empty(), "{:?}", String::from_utf8_lossy(&raw));
}

/// `busybox nc`, as an OpenWrt user checks a service: it sends its standard
/// input, half-closes at its end, and prints what comes back.
fn busybox_nc(exp: &Exporter, request: &[u8]) -> Vec<u8> {
    use std::process::{Command, Stdio};
    let mut nc = Command::new("busybox")
        .args(["nc", "127.0.0.1", &exp.addr.port().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("busybox (apt-get install busybox; .ci/test installs it)");
    nc.stdin.take().unwrap().write_all(request).unwrap();
    // stdin is closed here: nc half-closes its connection.
    let pid = nc.id() as i32;
    let watchdog = std::thread::spawn(move || {
        sleep(Duration::from_secs(15));
        // SAFETY: kill(2) on a child's pid; harmless if it has exited.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    let out = nc.wait_with_output().unwrap();
    assert!(!watchdog.is_finished(), "busybox nc hung");
    out.stdout
}

#[test]
#[ignore = "needs busybox (Debian package busybox); .ci/test runs it"]
fn a_client_that_half_closes_gets_its_answer() {
    let hub = FakeHub::with_pages(2);
    // Slow enough that the half-close comes while /metrics waits.
    hub.set(
        WAN,
        Reply::Delay(
            Duration::from_millis(500),
            Box::new(Reply::Dynamic(Arc::new(|n| {
                crate::support::pages::wan_page(n).into_bytes()
            }))),
        ),
    );
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let out = busybox_nc(&exp, b"GET /-/healthy HTTP/1.0\r\n\r\n");
    let r = parse_response(&out);
    assert_eq!((r.status, r.text().as_str()), (200, "OK\n"));

    let out = busybox_nc(&exp, b"GET /metrics HTTP/1.0\r\n\r\n");
    let r = parse_response(&out);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some(r.body.len().to_string()));
    let m = crate::support::expo::parse(&r.text()).unwrap();
    assert_eq!(m.collector_success("wan"), Some(1.0));
    assert_eq!(m.collector_success("lan"), Some(1.0));

    // A head cut short by the end of the input is still just closed.
    let out = busybox_nc(&exp, b"GET /-/healthy HTTP/1.0\r\n");
    assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(&out));
}

#[test]
fn a_waiting_client_that_resets_is_dropped() {
    let hub = FakeHub::with_pages(2);
    hub.set(WAN, Reply::Hang);
    let exp = Exporter::start(&hub.host(), &["--timeout", "10", "--cache-ttl", "0"]);
    let scrape = scrape_in_background(exp.addr);
    wait_until("the scrape at the hub", || hub.count(WAN) == 1);
    let fds = exp.open_fds();
    let quitter = TcpStream::connect(exp.addr).unwrap();
    (&quitter)
        .write_all(b"GET /metrics HTTP/1.1\r\n\r\n")
        .unwrap();
    wait_until("the waiting client held", || exp.open_fds() == fds + 1);
    reset_on_close(&quitter);
    drop(quitter);
    wait_until("the reset client dropped", || exp.open_fds() == fds);
    assert!(!scrape.is_finished());
    let (raw, _) = scrape.join().unwrap();
    assert_eq!(
        parse_response(&raw).status,
        200,
        "the others still get their answer"
    );
}

#[test]
fn an_absolute_form_target_is_routed_by_its_path() {
    let (_hub, exp) = exporter();
    let request = format!(
        "GET http://{}/metrics HTTP/1.1\r\nHost: {0}\r\n\r\n",
        exp.addr
    );
    let r = parse_response(&exp.raw(request.as_bytes()));
    assert_eq!(r.status, 200, "{}", r.head);
    let m = crate::support::expo::parse(&r.text()).unwrap();
    assert_eq!(m.value("smarthub_up"), 1.0);
    let r = parse_response(&exp.raw(b"GET http://exporter.lan:9101/-/healthy HTTP/1.1\r\n\r\n"));
    assert_eq!((r.status, r.text().as_str()), (200, "OK\n"));
    let r = parse_response(&exp.raw(b"GET http://exporter.lan/nope HTTP/1.1\r\n\r\n"));
    assert_eq!(r.status, 404);
}

/// The exporter, its log going into a pipe this test holds and can stop
/// draining: then the next line the exporter writes blocks, as it would on a
/// hung log daemon or a paused `| less`. Nothing bounds how long a scrape
/// waits there, which makes it one that overruns `--timeout`.
struct CloggedLog {
    child: std::process::Child,
    addr: SocketAddr,
    log: std::fs::File,
    /// The exporter's end of the pipe, kept to fill it.
    writer: std::fs::File,
}

impl CloggedLog {
    fn start(args: &[&str]) -> CloggedLog {
        use std::io::{BufRead, BufReader};
        use std::os::fd::FromRawFd;
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: a two-int array for pipe(2) to fill.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors were just made by pipe(2) and are owned here.
        let (log, writer) = unsafe {
            (
                std::fs::File::from_raw_fd(fds[0]),
                std::fs::File::from_raw_fd(fds[1]),
            )
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let child = crate::support::exporter::command()
            .args(["--listen", &addr.to_string()])
            .args(args)
            .env_remove("SMARTHUB_HOST")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(writer.try_clone().unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(&log).read_line(&mut line).unwrap();
        assert!(line.contains("listening on"), "{line}");
        CloggedLog {
            child,
            addr,
            log,
            writer,
        }
    }

    /// Fills the pipe to its last byte. O_NONBLOCK is set on the file
    /// description the exporter shares only while it is idle, and cleared
    /// again, so its next write blocks rather than fails.
    fn clog(&self) {
        use std::os::fd::AsRawFd;
        let fd = self.writer.as_raw_fd();
        // SAFETY: fcntl on a descriptor this struct owns.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        assert_eq!(
            unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) },
            0
        );
        for chunk in [4096, 1] {
            let filler = vec![b'.'; chunk];
            while (&self.writer).write(&filler).is_ok() {}
        }
        // SAFETY: as above.
        assert_eq!(unsafe { libc::fcntl(fd, libc::F_SETFL, flags) }, 0);
    }

    /// Drains the log from now on, in a thread; returns what it read.
    fn unclog(&self) -> Arc<std::sync::Mutex<Vec<u8>>> {
        let read = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = Arc::clone(&read);
        let mut log = self.log.try_clone().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = log.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        read
    }
}

impl Drop for CloggedLog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_client_waiting_for_a_scrape_that_overruns_gets_a_503() {
    let hub = crate::support::fake_hub::refusing_addr();
    let exp = CloggedLog::start(&["--host", &hub, "--timeout", "1", "--cache-ttl", "0"]);
    exp.clog();
    // The scrape's first error line blocks the worker; the waiting client
    // has until --timeout plus SCRAPE_MARGIN.
    let waiting = scrape_in_background(exp.addr);
    sleep(Duration::from_millis(300));
    // The worker is stuck until the log drains, which it does not here.
    probe_everything_but_a_scrape(exp.addr);
    let (raw, took) = waiting.join().unwrap();
    let r = parse_response(&raw);
    assert_eq!(r.status, 503, "{}", r.head);
    assert_eq!(
        r.text(),
        "503 Service Unavailable: the scrape has overrun --timeout and is still running\n"
    );
    let bound = Duration::from_secs(1) + smarthub_exporter::scrape::SCRAPE_MARGIN;
    assert!(
        took >= bound,
        "answered after {took:?}, before its deadline"
    );
    // While it is still stuck, another request does not wait for it: it
    // is answered before a deadline of its own could pass.
    let t = Instant::now();
    let r = parse_response(&raw_request(exp.addr, b"GET /metrics HTTP/1.1\r\n\r\n"));
    assert_eq!(r.status, 503);
    assert!(t.elapsed() < bound, "took {:?}", t.elapsed());
    probe_everything_but_a_scrape(exp.addr);

    // Once the log drains, the stuck scrape ends and says it overran, and
    // the next request gets a scrape of its own.
    let log = exp.unclog();
    wait_until("the overrun warning", || {
        String::from_utf8_lossy(&log.lock().unwrap()).contains("past --timeout")
    });
    let mut r = None;
    wait_until("a scrape of its own", || {
        let got = parse_response(&raw_request(exp.addr, b"GET /metrics HTTP/1.1\r\n\r\n"));
        let done = got.status == 200;
        r = Some(got);
        done
    });
    let m = crate::support::expo::parse(&r.unwrap().text()).unwrap();
    assert_eq!(m.value("smarthub_up"), 0.0);
}
