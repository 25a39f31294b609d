//! A fake BT Smart Hub: a real TCP server on loopback, one thread per
//! connection, that serves pages per path and misbehaves on demand.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

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
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status: 200,
            headers: vec![],
            body: body.into(),
        }
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
    pub at: Instant,
}

struct Inner {
    routes: Mutex<HashMap<String, Reply>>,
    log: Mutex<Vec<Logged>>,
    open: AtomicUsize,
    max_open: AtomicUsize,
    require_referer: AtomicBool,
    stop: AtomicBool,
}

pub struct FakeHub {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl FakeHub {
    /// Starts a hub that, like the real one since 2022, answers 403 to any
    /// request without a Referer.
    pub fn start() -> FakeHub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake hub");
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Inner {
            routes: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            open: AtomicUsize::new(0),
            max_open: AtomicUsize::new(0),
            require_referer: AtomicBool::new(true),
            stop: AtomicBool::new(false),
        });
        let shared = Arc::clone(&inner);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&shared);
                thread::spawn(move || serve(stream, &shared));
            }
        });
        FakeHub { addr, inner }
    }

    /// A hub serving the standard pages: growing WAN counters, an
    /// `n`-device page whose traffic grows too, the status page, and a mesh
    /// page with one station per device.
    pub fn with_pages(devices: usize) -> FakeHub {
        let hub = FakeHub::start();
        hub.set(
            "/nonAuth/wan_conn.xml",
            Reply::Dynamic(Arc::new(|n| super::pages::wan_page(n).into_bytes())),
        );
        hub.set(
            "/cgi/cgi_basicMyDevice.js",
            Reply::Dynamic(Arc::new(move |n| {
                super::pages::device_page(&super::pages::devices(devices, n)).into_bytes()
            })),
        );
        hub.set(
            "/cgi/cgi_basicStatus.js",
            Reply::ok(super::pages::status_page()),
        );
        hub.set(
            "/cgi/cgi_owl.js",
            Reply::Dynamic(Arc::new(move |n| {
                super::pages::owl_page(&super::pages::devices(devices, n)).into_bytes()
            })),
        );
        hub
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

    pub fn require_referer(&self, on: bool) {
        self.inner.require_referer.store(on, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.inner.log.lock().unwrap().clone()
    }

    pub fn count(&self, path: &str) -> usize {
        self.inner
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.path == path)
            .count()
    }

    /// The most connections that were open to the hub at once.
    pub fn max_concurrent(&self) -> usize {
        self.inner.max_open.load(Ordering::SeqCst)
    }

    pub fn open_now(&self) -> usize {
        self.inner.open.load(Ordering::SeqCst)
    }
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

fn serve(mut stream: TcpStream, inner: &Inner) {
    let now_open = inner.open.fetch_add(1, Ordering::SeqCst) + 1;
    inner.max_open.fetch_max(now_open, Ordering::SeqCst);
    let released = std::cell::Cell::new(false);
    let release = || {
        if !released.replace(true) {
            inner.open.fetch_sub(1, Ordering::SeqCst);
        }
    };
    let _ = handle(&mut stream, inner, &release);
    release();
}

/// `release` marks the connection closed; a complete response calls it just
/// before its last byte, which the client must read before it can start its
/// next request, so sequential requests are never counted as open at once
/// (counting after the write raced with the client's next connect).
fn handle(stream: &mut TcpStream, inner: &Inner, release: &dyn Fn()) -> std::io::Result<()> {
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
        let n = log.iter().filter(|l| l.path == path).count() as u64;
        log.push(Logged {
            path: path.clone(),
            referer: referer.clone(),
            at: Instant::now(),
        });
        n
    };
    if inner.require_referer.load(Ordering::SeqCst) && referer.is_none() {
        return respond(
            stream,
            403,
            &[],
            b"<html><body>403 Forbidden</body></html>",
            release,
        );
    }
    let reply = inner.routes.lock().unwrap().get(&path).cloned();
    match reply {
        None => respond(
            stream,
            404,
            &[],
            b"<html><body>404 Not Found</body></html>",
            release,
        ),
        Some(Reply::Full {
            status,
            headers,
            body,
        }) => respond(stream, status, &headers, &body, release),
        Some(Reply::Dynamic(f)) => respond(stream, 200, &[], &f(n), release),
        Some(Reply::Hang) => {
            while !inner.stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(50));
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
    release: &dyn Fn(),
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
    // TCP_NODELAY (set above) sends both writes at once: without it, Nagle's
    // algorithm and the client's delayed ACK would add tens of milliseconds
    // that are the fake's, not the exporter's.
    let mut all = head.into_bytes();
    all.extend_from_slice(body);
    let (last, rest) = all.split_last().expect("a response head is never empty");
    stream.write_all(rest)?;
    release();
    stream.write_all(&[*last])?;
    stream.flush()
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
