//! The real exporter binary, started as a child process.
//!
//! `SMARTHUB_EXPORTER_BIN` points the tests at another build (a cross-built
//! binary), and `SMARTHUB_EXPORTER_RUNNER` runs it through an emulator such
//! as `qemu-mipsel-static`; by default the binary cargo just built is used.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::expo;

pub fn binary() -> PathBuf {
    std::env::var_os("SMARTHUB_EXPORTER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_smarthub-exporter")))
}

/// Slower under an emulator: waits scale with this.
pub fn slowdown() -> u32 {
    if std::env::var_os("SMARTHUB_EXPORTER_RUNNER").is_some() {
        4
    } else {
        1
    }
}

/// What a loaded machine may add to anything a test times: the exporter,
/// the fake hub and the test itself each waiting for a core. On two cores
/// shared with other builds, an answer the exporter gives at once has taken
/// 136 ms to arrive; this is seven times that. An upper bound on time in a
/// test is a bound
/// the product guarantees (`--timeout`) plus this, and only where what it
/// rules out is further off still (a cut per step rather than per scrape
/// is a whole budget late); "at once" is asserted as an order instead
/// ("before the deadline", "while the hub still holds the page").
pub fn slack() -> Duration {
    Duration::from_secs(1) * slowdown()
}

/// A command for the binary under test, through the runner if one is set.
pub fn command() -> Command {
    match std::env::var("SMARTHUB_EXPORTER_RUNNER") {
        Ok(runner) if !runner.is_empty() => {
            let mut c = Command::new(runner);
            c.arg(binary());
            c
        }
        _ => Command::new(binary()),
    }
}

/// Threads the exporter runs: the listener and the scrape worker. A test
/// that counts them checks that nothing else (a request's helper) is left.
pub const THREADS: u64 = 2;

pub struct Exporter {
    child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

impl Exporter {
    /// Starts the exporter against `hub` with extra flags, listening on a
    /// free loopback port, and waits until it listens.
    pub fn start(hub: &str, args: &[&str]) -> Exporter {
        Self::start_env(Some(hub), args, &[])
    }

    pub fn start_env(hub: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Exporter {
        let mut cmd = command();
        if let Some(hub) = hub {
            cmd.args(["--host", hub]);
        }
        // Below info level the exporter does not log where it listens, so
        // give it a port picked here and wait for it to accept.
        let quiet = args
            .windows(2)
            .any(|w| w[0] == "--log-level" && matches!(w[1], "error" | "warn"));
        let fixed_port = if quiet {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            cmd.args(["--listen", &format!("127.0.0.1:{port}")]);
            Some(port)
        } else {
            if !args.contains(&"--listen") {
                cmd.args(["--listen", "127.0.0.1:0"]);
            }
            None
        };
        cmd.args(args).env_remove("SMARTHUB_HOST");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn exporter");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split(" listening on ").nth(1) {
                    let addr = rest.split(',').next().unwrap_or("").to_owned();
                    let _ = tx.send(addr);
                }
                sink.lock().unwrap().push(line);
            }
        });
        let wait = Duration::from_secs(10 * slowdown() as u64);
        if let Some(port) = fixed_port {
            let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
            let t = Instant::now();
            while TcpStream::connect(addr).is_err() {
                if t.elapsed() > wait {
                    let _ = child.kill();
                    panic!("exporter did not start listening on {addr}");
                }
                thread::sleep(Duration::from_millis(20));
            }
            return Exporter { child, addr, log };
        }
        let addr = match rx.recv_timeout(wait) {
            Ok(a) => a.parse().expect("listening address"),
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "exporter did not start listening; log: {:?}",
                    log.lock().unwrap()
                );
            }
        };
        Exporter { child, addr, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The log so far. Lines arrive through a pipe, so a line written just
    /// before a response may not be here yet: use [`Exporter::wait_log`].
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits for a log line matching `pred`: up to 10 s (times the
    /// emulator's slowdown), which only a line that never comes waits out.
    pub fn wait_log(&self, pred: impl Fn(&str) -> bool) -> bool {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) * slowdown() {
            if self.log.lock().unwrap().iter().any(|l| pred(l)) {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Sends raw bytes and reads the whole answer (the server closes).
    pub fn raw(&self, request: &[u8]) -> Vec<u8> {
        let mut s = TcpStream::connect(self.addr).expect("connect to exporter");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(request).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    }

    pub fn request(&self, method: &str, path: &str) -> Response {
        let raw = self.raw(format!("{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
        parse_response(&raw)
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    /// GETs /metrics and parses it strictly; panics on any format error.
    pub fn scrape(&self) -> expo::Parsed {
        let r = self.get("/metrics");
        assert_eq!(r.status, 200, "GET /metrics: {}", r.head);
        let text = r.text();
        expo::parse(&text).unwrap_or_else(|e| panic!("bad exposition: {e}\n{text}"))
    }

    /// A scrape with how long it took.
    pub fn timed_scrape(&self) -> (expo::Parsed, Duration) {
        let t = Instant::now();
        let p = self.scrape();
        (p, t.elapsed())
    }

    fn proc_status(&self, key: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{key} not in /proc status"))
    }

    /// Peak resident set size in KiB.
    // In tests/it/, only the hostile-JavaScript tests (the `js` build) read
    // this and `cpu_ticks`.
    #[cfg_attr(not(feature = "js"), allow(dead_code))]
    pub fn vm_hwm_kib(&self) -> u64 {
        self.proc_status("VmHWM:")
    }

    pub fn vm_rss_kib(&self) -> u64 {
        self.proc_status("VmRSS:")
    }

    pub fn threads(&self) -> u64 {
        self.proc_status("Threads:")
    }

    /// User + system CPU time used so far, in clock ticks (1/100 s).
    #[cfg_attr(not(feature = "js"), allow(dead_code))]
    pub fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = after.split(' ').collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    }

    /// How many connections to the exporter are open with nothing unread
    /// on its side: clients whose whole request it has read (or who sent
    /// nothing). From `/proc/net/tcp`: an exporter listening on IPv4.
    pub fn requests_read(&self) -> usize {
        let port = format!(":{:04X}", self.addr.port());
        std::fs::read_to_string("/proc/net/tcp")
            .unwrap()
            .lines()
            .skip(1)
            .filter(|l| {
                // local address, remote address, state, tx:rx queues
                let f: Vec<&str> = l.split_whitespace().collect();
                f[1].ends_with(&port) && f[3] == "01" && f[4].ends_with(":00000000")
            })
            .count()
    }

    pub fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Sends a signal and waits for the exit.
    pub fn signal(mut self, sig: i32) -> (ExitStatus, Duration) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, sig) };
        let t = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, t.elapsed());
            }
            if t.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("exporter ignored signal {sig}");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line: {head}"));
    Response {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}
