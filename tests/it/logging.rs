//! What the exporter logs and where: `LEVEL message` lines on stderr,
//! journald's `<N>` prefixes when `$JOURNAL_STREAM` names our stderr,
//! `--syslog` datagrams at each line's priority, and a hub that is down
//! logged once per page, not once per scrape.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

use crate::support::exporter::{command, parse_response, slowdown, Exporter};
use crate::support::fake_hub::{refusing_addr, FakeHub, Reply};
use crate::support::{expo, pages};

use crate::support::{wait_until, LAN, WAN};
use smarthub_exporter::collector;
const SOCKET_ENV: &str = "SMARTHUB_EXPORTER_SYSLOG_SOCKET";

/// A device page with one device more than `MAX_DEVICES` (4094 entries and
/// a grouped one of three, so the list itself is inside the array limit):
/// the reader keeps 4096 and warns, once.
fn too_many_devices_page() -> String {
    let mac = |j: u32| pages::enc(format!("02:00:00:00:{:02X}:{:02X}", j >> 8, j & 0xff));
    let mut out = String::from("var known_device_list=[");
    for i in 0..4094u32 {
        out.push_str(&format!(
            "{{mac:'{}',hostname:'h{i}',activity:'0'}},",
            mac(i)
        ));
    }
    out.push_str(&format!(
        "{{mac:'{}%2C{}%2C{}',hostname:'group',activity:'0'}},",
        mac(4094),
        mac(4095),
        mac(4096)
    ));
    out.push_str("null];\nvar rate=[null];\n");
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The exporter with `stderr` as its stderr, listening on a port chosen
/// here (its start-up line may not reach a pipe we read), once it accepts.
struct Running {
    child: Child,
    addr: SocketAddr,
}

impl Running {
    fn start(hub: &str, args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Running {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut cmd = command();
        cmd.args(["--host", hub, "--listen", &addr.to_string()])
            .args(args)
            .env_remove("SMARTHUB_HOST")
            .env_remove("JOURNAL_STREAM")
            .env_remove(SOCKET_ENV);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("spawn exporter");
        let mut r = Running { child, addr };
        let t = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(r.child.try_wait().unwrap().is_none(), "the exporter exited");
            assert!(
                t.elapsed() < Duration::from_secs(10) * slowdown(),
                "exporter did not listen on {addr}"
            );
            sleep(Duration::from_millis(20));
        }
        r
    }

    fn scrape(&self) -> expo::Parsed {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let r = parse_response(&raw);
        assert_eq!(r.status, 200);
        expo::parse(&r.text()).unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pipe: (read end, write end).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two fds on success; each is owned once.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// Collects the lines read from `fd` as they come.
fn collect_lines(fd: OwnedFd) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    thread::spawn(move || {
        for line in BufReader::new(std::fs::File::from(fd)).lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().push(line);
        }
    });
    lines
}

fn wait_for(what: &str, lines: &Mutex<Vec<String>>, pred: impl Fn(&str) -> bool) -> String {
    let t = Instant::now();
    loop {
        if let Some(l) = lines.lock().unwrap().iter().find(|l| pred(l)) {
            return l.clone();
        }
        assert!(
            t.elapsed() < Duration::from_secs(10) * slowdown(),
            "no {what} in {:?}",
            lines.lock().unwrap()
        );
        sleep(Duration::from_millis(10));
    }
}

#[test]
fn stderr_lines_are_level_and_message_naming_hub_and_page() {
    let hub = FakeHub::start();
    hub.serve_pages(2);
    hub.set(WAN, Reply::status(500, &[], "oops"));
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    exp.scrape();
    let prefix = format!("ERROR GET {WAN} from hub {}: ", hub.host());
    assert!(
        exp.wait_log(|l| l.starts_with(&prefix) && l.contains("500")),
        "{:?}",
        exp.log()
    );
    let log = exp.log();
    assert!(log[0].starts_with("INFO smarthub-exporter "), "{log:?}");
    for line in &log {
        let level = line.split(' ').next().unwrap();
        assert!(
            ["ERROR", "WARN", "INFO"].contains(&level),
            "no level word first (or a timestamp): {line:?}"
        );
        assert!(
            !line.contains('<'),
            "no journal prefix off systemd: {line:?}"
        );
    }
    // The port defaults to 80 in the hub's name.
    let exp = Exporter::start("127.0.0.1", &["--timeout", "1"]);
    exp.scrape();
    assert!(
        exp.wait_log(|l| l.starts_with(&format!("ERROR GET {WAN} from hub 127.0.0.1:80: "))),
        "{:?}",
        exp.log()
    );
}

#[test]
fn debug_logs_every_page_of_every_scrape() {
    let hub = refusing_addr();
    let exp = Exporter::start(&hub, &["--cache-ttl", "0", "--log-level", "debug"]);
    for _ in 0..3 {
        exp.scrape();
    }
    let each = format!("DEBUG GET {WAN} from hub {hub}: ");
    wait_until("three debug lines", || {
        exp.log().iter().filter(|l| l.starts_with(&each)).count() >= 3
    });
    assert_eq!(
        exp.log()
            .iter()
            .filter(|l| l.starts_with("ERROR ") && l.contains(WAN))
            .count(),
        1,
        "{:?}",
        exp.log()
    );
}

#[test]
fn a_hub_that_is_down_is_one_line_per_page_and_one_when_it_is_back() {
    let host = refusing_addr();
    let exp = Exporter::start(&host, &["--cache-ttl", "0"]);
    for _ in 0..20 {
        assert_eq!(exp.scrape().value("smarthub_up"), 0.0);
    }
    let pages: Vec<&str> = collector::ALL.iter().map(|c| c.path).collect();
    wait_until("a line per page", || exp.log().len() > pages.len());
    sleep(Duration::from_millis(300));
    let log = exp.log();
    for &page in &pages {
        let lines: Vec<&String> = log
            .iter()
            .filter(|l| l.contains(&format!("GET {page} ")))
            .collect();
        assert_eq!(lines.len(), 1, "{page}: {log:#?}");
        assert!(
            lines[0].starts_with(&format!("ERROR GET {page} from hub {host}: ")),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("refused"), "{}", lines[0]);
    }
    assert_eq!(log.len(), 1 + pages.len(), "{log:#?}");

    let hub = FakeHub::start_at(host.parse().unwrap());
    hub.serve_pages(2);
    for _ in 0..3 {
        assert_eq!(exp.scrape().value("smarthub_up"), 1.0);
    }
    for page in &pages {
        let want = format!("INFO GET {page} from hub {host}: recovered after ");
        assert!(
            exp.wait_log(|l| l.starts_with(&want) && l.ends_with("(20 failed scrapes)")),
            "{page}: {:#?}",
            exp.log()
        );
    }
    sleep(Duration::from_millis(300));
    assert_eq!(exp.log().len(), 1 + 2 * pages.len(), "{:#?}", exp.log());
}

#[test]
fn journald_gets_each_lines_priority_when_stderr_is_its_stream() {
    let host = refusing_addr();
    for (names_our_stderr, want) in [(true, true), (false, false)] {
        let (read, write) = pipe();
        let st = std::fs::File::from(write.try_clone().unwrap())
            .metadata()
            .unwrap();
        let ino = if names_our_stderr {
            st.ino()
        } else {
            st.ino() + 1
        };
        let stream = format!("{}:{ino}", st.dev());
        let exp = Running::start(
            &host,
            &[],
            &[("JOURNAL_STREAM", &stream)],
            Stdio::from(write),
        );
        let lines = collect_lines(read);
        exp.scrape();
        let info = wait_for("start-up line", &lines, |l| l.contains(" listening on "));
        let error = wait_for("error line", &lines, |l| l.contains(WAN));
        if want {
            assert!(info.starts_with("<6>INFO smarthub-exporter "), "{info}");
            assert!(
                error.starts_with(&format!("<3>ERROR GET {WAN} from hub ")),
                "{error}"
            );
        } else {
            assert!(info.starts_with("INFO smarthub-exporter "), "{info}");
            assert!(error.starts_with("ERROR GET "), "{error}");
        }
    }
}

/// A syslog socket of the test's own, and the datagrams it receives.
struct Syslog {
    path: PathBuf,
    socket: UnixDatagram,
}

impl Syslog {
    fn bind(path: &PathBuf) -> Syslog {
        let _ = std::fs::remove_file(path);
        let socket = UnixDatagram::bind(path).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5) * slowdown()))
            .unwrap();
        Syslog {
            path: path.clone(),
            socket,
        }
    }

    /// The next datagram whose text contains `needle`.
    fn wait(&self, needle: &str) -> String {
        let mut buf = vec![0u8; 4096];
        loop {
            let n = self
                .socket
                .recv(&mut buf)
                .unwrap_or_else(|e| panic!("no datagram with {needle:?}: {e}"));
            let d = String::from_utf8(buf[..n].to_vec()).unwrap();
            if d.contains(needle) {
                return d;
            }
        }
    }
}

impl Drop for Syslog {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[test]
fn syslog_gets_each_line_at_its_severity() {
    let dir = std::env::temp_dir().join(format!("smarthub-syslog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("log");
    let logger = Syslog::bind(&path);
    let hub = FakeHub::start();
    hub.serve_pages(2);
    hub.set(WAN, Reply::status(500, &[], "oops"));
    hub.set(LAN, Reply::ok(too_many_devices_page()));
    let (read, write) = pipe();
    let exp = Running::start(
        &hub.host(),
        &["--syslog", "--cache-ttl", "0", "--timeout", "20"],
        &[(SOCKET_ENV, path.to_str().unwrap())],
        Stdio::from(write),
    );
    let stderr = collect_lines(read);
    let tag = format!("smarthub-exporter[{}]: ", exp.child.id());
    let info = logger.wait(" listening on ");
    assert!(
        info.starts_with(&format!("<30>{tag}smarthub-exporter ")),
        "{info}"
    );
    exp.scrape();
    let error = logger.wait(WAN);
    assert!(
        error.starts_with(&format!(
            "<27>{tag}GET {WAN} from hub {}: HTTP 500",
            hub.host()
        )),
        "{error}"
    );
    let warn = logger.wait("4096");
    assert!(warn.starts_with(&format!("<28>{tag}")), "{warn}");
    assert!(warn.contains(LAN), "{warn}");
    hub.set(LAN, Reply::ok(pages::device_page(&pages::devices(2, 0))));

    // The system logger goes away: the line goes to stderr, with a notice.
    drop(logger);
    hub.set(WAN, Reply::ok(pages::wan_page(1)));
    exp.scrape();
    wait_for("notice", &stderr, |l| {
        l.starts_with("WARN cannot send to the system logger at ")
    });
    let fallback = wait_for("recovery on stderr", &stderr, |l| l.contains("recovered"));
    assert!(
        fallback.starts_with(&format!("INFO GET {WAN} from hub ")),
        "{fallback}"
    );

    // It is back (a new socket at the same path): the next line reaches it.
    let logger = Syslog::bind(&path);
    hub.set(WAN, Reply::status(503, &[], "busy"));
    exp.scrape();
    let error = logger.wait(WAN);
    assert!(
        error.starts_with(&format!("<27>{tag}GET {WAN} ")),
        "{error}"
    );
    assert!(error.contains("503"), "{error}");
    let stderr = stderr.lock().unwrap().clone();
    assert_eq!(
        stderr.len(),
        2,
        "only the fallback went to stderr: {stderr:#?}"
    );
    drop(logger);
    let _ = std::fs::remove_dir(&dir);
}

#[test]
fn syslog_unreachable_at_start_says_so_once_and_logs_to_stderr() {
    let host = refusing_addr();
    let (read, write) = pipe();
    let exp = Running::start(
        &host,
        &["--syslog", "--cache-ttl", "0"],
        &[(SOCKET_ENV, "/nonexistent/smarthub-test-log")],
        Stdio::from(write),
    );
    let lines = collect_lines(read);
    exp.scrape();
    exp.scrape();
    wait_for("error line", &lines, |l| {
        l.starts_with(&format!("ERROR GET {WAN} "))
    });
    let lines = lines.lock().unwrap().clone();
    assert!(
        lines[0].starts_with(
            "WARN --syslog: cannot reach the system logger at /nonexistent/smarthub-test-log"
        ),
        "{lines:?}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains("system logger")).count(),
        1,
        "{lines:?}"
    );
    assert!(lines[1].starts_with("INFO smarthub-exporter "), "{lines:?}");
}
