//! A fake BT Smart Hub: a real TCP server on loopback, one thread per
//! connection, that serves pages per path and misbehaves on demand. It can
//! die mid-response and come back on the same port, and it counts how many
//! connections the exporter holds open to it at once.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use smarthub_exporter::collector;

/// How the hub answers a path.
#[derive(Clone)]
pub enum Reply {
    /// A complete response.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A 200 whose body is made from the number of earlier requests for the
    /// path (0 for the first), so counters grow between scrapes.
    Dynamic(Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>),
    /// Reads the request and never answers.
    Hang,
    /// Sends the head, then the body one byte per interval.
    Dribble { body: Vec<u8>, every: Duration },
    /// Reads the request, then resets the connection.
    Reset,
    /// Reads the request, then closes without a word.
    Close,
    /// Claims `claimed` bytes of body, sends `body`, then closes.
    Truncated { body: Vec<u8>, claimed: usize },
    /// Streams `bytes` bytes, with or without a Content-Length.
    Huge { bytes: usize, content_length: bool },
    /// The n-th request for the path (from 0) gets `replies[n % len]`: a hub
    /// that answers only every second request is `Cycle(vec![Reset, ok])`.
    Cycle(Vec<Reply>),
    /// Waits, then answers: a hub that takes its time.
    Delay(Duration, Box<Reply>),
    /// These exact bytes, then a close: heads no real server would send.
    Raw(Vec<u8>),
    /// Each part after its pause, then a close: a `100 Continue` some time
    /// before the answer, a body whose chunks arrive apart.
    Parts(Vec<(Duration, Vec<u8>)>),
    /// Reads the request and holds it until the gate opens, then answers:
    /// a hub that takes exactly as long as the test says, with no clock.
    Held(Gate, Box<Reply>),
}

/// What a [`Reply::Held`] waits for: shut until [`Gate::open`].
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Lets every held request through, now and from now on.
    pub fn open(&self) {
        *self.0 .0.lock().unwrap() = true;
        self.0 .1.notify_all();
    }

    /// Waits until the gate opens or the hub stops; true if it opened.
    fn pass(&self, stop: &AtomicBool) -> bool {
        let (open, changed) = &*self.0;
        let mut open = open.lock().unwrap();
        while !*open && !stop.load(Ordering::SeqCst) {
            open = changed
                .wait_timeout(open, Duration::from_millis(50))
                .unwrap()
                .0;
        }
        *open
    }
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status: 200,
            headers: vec![],
            body: body.into(),
        }
    }

    /// A 200 with `Transfer-Encoding: chunked`, the body cut into `pieces`
    /// chunks of equal size, then `end` (`"0\r\n\r\n"` for a whole body).
    pub fn chunked(body: &[u8], pieces: usize, end: &str) -> Reply {
        let mut raw =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
        for chunk in body.chunks(body.len().div_ceil(pieces.max(1)).max(1)) {
            raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            raw.extend_from_slice(chunk);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(end.as_bytes());
        Reply::Raw(raw)
    }

    pub fn status(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub path: String,
    pub referer: Option<String>,
    /// The whole request head, as received.
    pub head: String,
}

#[derive(Default)]
struct Log {
    requests: Vec<Logged>,
    /// Requests per path, kept apart: counting `requests` at each request
    /// made a soak of 100,000 scrapes quadratic.
    per_path: HashMap<String, u64>,
}

struct Inner {
    routes: Mutex<HashMap<String, Reply>>,
    log: Mutex<Log>,
    /// Connections being served, by id, with a handle to look at or kill.
    conns: Mutex<Vec<(u64, TcpStream)>>,
    next_id: AtomicU64,
    max_open: AtomicUsize,
    stop: AtomicBool,
}

pub struct FakeHub {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
}

impl FakeHub {
    /// Starts a hub that, like the real one since 2022, answers 403 to any
    /// request without a Referer.
    pub fn start() -> FakeHub {
        Self::start_at("127.0.0.1:0".parse().unwrap())
    }

    /// Starts a hub on a given address: the port of a hub that was
    /// [`FakeHub::kill`]ed, to play its restart.
    pub fn start_at(addr: SocketAddr) -> FakeHub {
        // The old hub's port may take a moment to be released.
        let t = Instant::now();
        let listener = loop {
            match TcpListener::bind(addr) {
                Ok(l) => break l,
                Err(e) if t.elapsed() < Duration::from_secs(5) => {
                    let _ = e;
                    thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("bind fake hub on {addr}: {e}"),
            }
        };
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Inner {
            routes: Mutex::new(HashMap::new()),
            log: Mutex::new(Log::default()),
            conns: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
            max_open: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let shared = Arc::clone(&inner);
        let acceptor = thread::spawn(move || {
            for stream in listener.incoming() {
                if shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
                {
                    // Counted here, in accept order, rather than in the
                    // handler threads, whose scheduling would blur it: a
                    // connection whose client has already closed it (its
                    // FIN is queued) does not overlap this one.
                    let mut conns = shared.conns.lock().unwrap();
                    let open = 1 + conns.iter().filter(|(_, s)| !peer_closed(s)).count();
                    shared.max_open.fetch_max(open, Ordering::SeqCst);
                    if let Ok(handle) = stream.try_clone() {
                        conns.push((id, handle));
                    }
                }
                let shared = Arc::clone(&shared);
                thread::spawn(move || serve(id, stream, &shared));
            }
        });
        FakeHub {
            addr,
            inner,
            acceptor: Mutex::new(Some(acceptor)),
        }
    }

    /// The hub dies: it stops listening, and every connection it has open,
    /// even mid-response, is reset. The port is free when this returns.
    pub fn kill(&self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        for (_, s) in self.inner.conns.lock().unwrap().iter() {
            reset(s);
            let _ = s.shutdown(Shutdown::Both);
        }
        self.stop_accepting();
    }

    fn stop_accepting(&self) {
        let Some(acceptor) = self.acceptor.lock().unwrap().take() else {
            return;
        };
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        let _ = acceptor.join();
    }

    /// A hub serving the standard pages: growing WAN counters, an
    /// `n`-device page whose traffic grows too, the status page, a mesh
    /// page with one station per device, and any other collector's default
    /// fixture.
    pub fn with_pages(devices: usize) -> FakeHub {
        let hub = FakeHub::start();
        hub.serve_pages(devices);
        hub
    }

    /// A hub serving a fixture for every collector of the library's table:
    /// the one `pages` names for it (by collector name), else its default
    /// fixture (`support::collector::default_fixture`: `hub/<collector>.<ext>`).
    pub fn with_fixtures(pages: &[(&str, &str)]) -> FakeHub {
        let hub = FakeHub::start();
        hub.serve_fixtures(pages);
        hub
    }

    /// Serves what [`FakeHub::with_fixtures`] serves.
    pub fn serve_fixtures(&self, pages: &[(&str, &str)]) {
        super::collector::rows(&pages.iter().map(|(c, _)| *c).collect::<Vec<_>>());
        for c in collector::ALL {
            let file = pages
                .iter()
                .find(|(name, _)| *name == c.name)
                .map_or_else(|| super::collector::default_fixture(c.name), |(_, f)| *f);
            self.set(c.path, Reply::ok(super::fixture(file)));
        }
    }

    /// Serves [`standard_page`] for every collector of the library's table.
    pub fn serve_pages(&self, devices: usize) {
        for c in collector::ALL {
            let reply = standard_page(c.name, devices).expect("a collector of the table");
            self.set(c.path, reply);
        }
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.inner
            .routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), reply);
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.inner.log.lock().unwrap().requests.clone()
    }

    pub fn count(&self, path: &str) -> usize {
        let log = self.inner.log.lock().unwrap();
        log.per_path.get(path).map_or(0, |&n| n as usize)
    }

    /// The most connections the client held open to the hub at once.
    pub fn max_concurrent(&self) -> usize {
        self.inner.max_open.load(Ordering::SeqCst)
    }
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        self.stop_accepting();
    }
}

/// The generated page of a collector, in the hub's syntax, for a hub with
/// `devices` devices; the counters grow with each request. A collector with
/// no generator here serves its default fixture
/// (`support::collector::default_fixture`). `None` for a name that is no
/// collector.
pub fn standard_page(collector: &str, devices: usize) -> Option<Reply> {
    use super::pages;
    collector::by_name(collector)?;
    Some(match collector {
        "wan" => Reply::Dynamic(Arc::new(|n| pages::wan_page(n).into_bytes())),
        "lan" => Reply::Dynamic(Arc::new(move |n| {
            pages::device_page(&pages::devices(devices, n)).into_bytes()
        })),
        "status" => Reply::ok(pages::status_page()),
        "owl" => Reply::Dynamic(Arc::new(move |n| {
            pages::owl_page(&pages::devices(devices, n)).into_bytes()
        })),
        other => Reply::ok(super::fixture(super::collector::default_fixture(other))),
    })
}

fn serve(id: u64, mut stream: TcpStream, inner: &Inner) {
    let _ = handle(&mut stream, inner);
    inner.conns.lock().unwrap().retain(|(i, _)| *i != id);
}

/// True when the client has closed (or reset) the connection: a FIN or RST
/// is waiting, and no data. Peeks without blocking and without changing the
/// socket's mode, which the serving thread shares.
fn peer_closed(s: &TcpStream) -> bool {
    let mut b = [0u8; 1];
    // SAFETY: a valid socket and a one-byte buffer that outlives the call.
    let n = unsafe {
        libc::recv(
            s.as_raw_fd(),
            b.as_mut_ptr() as *mut libc::c_void,
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    match n {
        0 => true,
        n if n > 0 => false,
        _ => {
            let e = std::io::Error::last_os_error();
            e.kind() != std::io::ErrorKind::WouldBlock
        }
    }
}

fn handle(stream: &mut TcpStream, inner: &Inner) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_nodelay(true)?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 || head.len() > 16 << 10 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
    let referer = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("referer"))
        .map(|(_, v)| v.trim().to_owned());
    let n = {
        let mut log = inner.log.lock().unwrap();
        let count = log.per_path.entry(path.clone()).or_insert(0);
        let n = *count;
        *count += 1;
        log.requests.push(Logged {
            path: path.clone(),
            referer: referer.clone(),
            head: text.clone(),
        });
        n
    };
    if referer.is_none() {
        return respond(stream, 403, &[], b"<html><body>403 Forbidden</body></html>");
    }
    let reply = inner.routes.lock().unwrap().get(&path).cloned();
    answer(stream, inner, reply, n)
}

/// Sends `reply` to the `n`-th request (from 0) for its path.
fn answer(
    stream: &mut TcpStream,
    inner: &Inner,
    reply: Option<Reply>,
    n: u64,
) -> std::io::Result<()> {
    match reply {
        None => respond(stream, 404, &[], b"<html><body>404 Not Found</body></html>"),
        Some(Reply::Cycle(replies)) if !replies.is_empty() => {
            let r = replies[n as usize % replies.len()].clone();
            answer(stream, inner, Some(r), n)
        }
        Some(Reply::Cycle(_)) => respond(stream, 500, &[], b"empty cycle"),
        Some(Reply::Delay(pause, reply)) => {
            thread::sleep(pause);
            answer(stream, inner, Some(*reply), n)
        }
        Some(Reply::Held(gate, reply)) => {
            if !gate.pass(&inner.stop) {
                return Ok(());
            }
            answer(stream, inner, Some(*reply), n)
        }
        Some(Reply::Full {
            status,
            headers,
            body,
        }) => respond(stream, status, &headers, &body),
        Some(Reply::Dynamic(f)) => respond(stream, 200, &[], &f(n)),
        // Holds the connection until the client gives up on it, so that how
        // long the client keeps it open is visible in `max_concurrent`.
        Some(Reply::Hang) => {
            stream.set_read_timeout(Some(Duration::from_millis(50)))?;
            let mut sink = [0u8; 256];
            while !inner.stop.load(Ordering::SeqCst) {
                match stream.read(&mut sink) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
            Ok(())
        }
        Some(Reply::Dribble { body, every }) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            for b in body {
                if inner.stop.load(Ordering::SeqCst) {
                    break;
                }
                stream.write_all(&[b])?;
                thread::sleep(every);
            }
            Ok(())
        }
        Some(Reply::Raw(bytes)) => {
            stream.write_all(&bytes)?;
            stream.shutdown(Shutdown::Write)
        }
        Some(Reply::Parts(parts)) => {
            for (pause, bytes) in parts {
                thread::sleep(pause);
                stream.write_all(&bytes)?;
            }
            stream.shutdown(Shutdown::Write)
        }
        Some(Reply::Reset) => {
            reset(stream);
            Ok(())
        }
        Some(Reply::Close) => stream.shutdown(Shutdown::Both),
        Some(Reply::Truncated { body, claimed }) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {claimed}\r\nConnection: close\r\n\r\n"
            )?;
            stream.write_all(&body)?;
            stream.shutdown(Shutdown::Both)
        }
        Some(Reply::Huge {
            bytes,
            content_length,
        }) => {
            if content_length {
                write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n"
                )?;
            } else {
                write!(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
            }
            let chunk = vec![b'a'; 64 << 10];
            let mut left = bytes;
            while left > 0 && !inner.stop.load(Ordering::SeqCst) {
                let n = left.min(chunk.len());
                stream.write_all(&chunk[..n])?;
                left -= n;
            }
            Ok(())
        }
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // One write: a head and a body in two small writes would meet Nagle's
    // algorithm and the client's delayed ACK, and add tens of milliseconds
    // that are the fake's, not the exporter's.
    let mut whole = head.into_bytes();
    whole.extend_from_slice(body);
    stream.write_all(&whole)
}

/// Closes with an RST: SO_LINGER on with a zero timeout.
fn reset(stream: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: valid socket fd and a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// An address where nothing listens: a port bound and released at once.
pub fn refusing_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    addr.to_string()
}
