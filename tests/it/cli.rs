//! The command line and the process: exit codes, environment, signals, logs.

use std::net::TcpListener;
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::collector::UNKNOWN;
use crate::support::exporter::{command, slack, slowdown, Exporter};
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::{wait_until, WAN};

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String, Duration) {
    let t = Instant::now();
    let mut c = command();
    c.args(args)
        .env_remove("SMARTHUB_HOST")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run exporter");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.elapsed(),
    )
}

#[test]
fn version_and_help() {
    let (code, out, _, _) = run(&["--version"], &[]);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        format!("smarthub-exporter {}", env!("CARGO_PKG_VERSION"))
    );
    let (code, out, _, _) = run(&["--help"], &[]);
    assert_eq!(code, 0);
    for flag in [
        "--host",
        "--listen",
        "--timeout",
        "--no-lan",
        "--no-collector",
        "--log-level",
        "--version",
        "--cache-ttl",
    ] {
        assert!(out.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn bad_values_exit_2_before_listening() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    for args in [
        vec!["--host", "not a host"],
        vec!["--host", "éééééé"],
        vec!["--host", "https://192.168.1.254"],
        vec!["--host", "192.168.1.254:99999"],
        vec!["--timeout", "0"],
        vec!["--log-level", "chatty"],
        vec!["--no-collector", UNKNOWN],
        vec!["--frobnicate"],
    ] {
        let mut a = args.clone();
        a.extend(["--listen", &listen]);
        let (code, _, err, took) = run(&a, &[]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.trim().is_empty(), "{args:?}: no message");
        assert!(
            took < Duration::from_secs(2) * slowdown() + slack(),
            "{args:?}"
        );
    }
    let (code, _, err, _) = run(&["--listen", &listen], &[("SMARTHUB_HOST", "bad host!")]);
    assert_eq!(code, 2);
    assert!(err.contains("SMARTHUB_HOST"), "{err}");
}

#[test]
fn an_ipv6_host_without_brackets_is_refused_with_a_hint() {
    let listen = format!("127.0.0.1:{}", free_port());
    for host in ["::1", "::1:8080", "fe80::1"] {
        let (code, _, err, took) = run(&["--host", host, "--listen", &listen], &[]);
        assert_eq!(code, 2, "{host}: {err}");
        assert!(
            err.contains("write an IPv6 address in brackets: [::1] or [::1]:8080"),
            "{host}: {err}"
        );
        assert!(
            took < Duration::from_secs(2) * slowdown() + slack(),
            "{host}"
        );
    }
    let (code, _, err, _) = run(&["--listen", &listen], &[("SMARTHUB_HOST", "::1:8080")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("SMARTHUB_HOST") && err.contains("in brackets"),
        "{err}"
    );
}

#[test]
fn a_listen_port_without_an_address_gets_a_hint() {
    for listen in [":9101", "9101", "*:9101"] {
        let (code, _, err, _) = run(&["--listen", listen], &[]);
        assert_eq!(code, 2, "{listen}: {err}");
        assert!(
            err.contains("give an address too: 0.0.0.0:9101, or [::]:9101 for IPv6"),
            "{listen}: {err}"
        );
        assert!(!err.contains("resolve"), "{listen}: {err}");
    }
    let (code, _, err, _) = run(&["--listen", "::1:9101"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("in brackets"), "{err}");
}

#[test]
fn port_in_use_is_a_clear_failure() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, _, err, _) = run(&["--listen", &addr], &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains("cannot listen on") && err.contains(&addr),
        "{err}"
    );
}

#[test]
fn host_comes_from_the_environment() {
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start_env(
        None,
        &[],
        &[("SMARTHUB_HOST", &format!("http://{}/", hub.host()))],
    );
    assert_eq!(exp.scrape().value("smarthub_up"), 1.0);
    assert_eq!(hub.count(WAN), 1);
}

#[test]
fn listens_on_ipv6_too() {
    if TcpListener::bind("[::1]:0").is_err() {
        panic!("this machine has no IPv6 loopback; the test needs one");
    }
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &["--listen", "[::1]:0"]);
    assert!(exp.addr.is_ipv6());
    assert_eq!(exp.scrape().value("smarthub_up"), 1.0);
}

#[test]
fn sigterm_and_sigint_exit_0_promptly_even_mid_scrape() {
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let hub = FakeHub::start();
        hub.set(WAN, Reply::Hang);
        let exp = Exporter::start(&hub.host(), &["--timeout", "30"]);
        let addr = exp.addr;
        // Start a scrape that will hang on the hub, then signal.
        let client = std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            use std::io::{Read, Write};
            s.write_all(b"GET /metrics HTTP/1.1\r\n\r\n").unwrap();
            let mut out = Vec::new();
            let _ = s.read_to_end(&mut out);
            out
        });
        wait_until("the scrape waiting on the hub", || hub.count(WAN) == 1);
        let (status, took) = exp.signal(sig);
        assert_eq!(status.code(), Some(0), "signal {sig}");
        assert!(took < slack(), "signal {sig}: took {took:?}");
        // It exited mid-scrape: the client saw the connection close, not
        // an answer.
        let answer = client.join().unwrap();
        assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));
    }
}

#[test]
fn quiet_at_info_when_all_is_well() {
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    for _ in 0..5 {
        exp.scrape();
    }
    sleep(Duration::from_millis(200));
    assert_eq!(
        exp.log().len(),
        1,
        "only the start-up line: {:?}",
        exp.log()
    );
    let exp = Exporter::start(&hub.host(), &["--log-level", "error", "--cache-ttl", "0"]);
    exp.scrape();
    sleep(Duration::from_millis(200));
    assert!(exp.log().is_empty(), "{:?}", exp.log());
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
