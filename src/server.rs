//! The HTTP server: one thread, non-blocking sockets, `poll(2)`.
//!
//! One thread must not mean one slow client stops everyone. Every connection
//! is a small state machine with a deadline: a client gets
//! [`READ_TIMEOUT`] to send its request head, [`WRITE_TIMEOUT`] to take its
//! response, and is dropped past either. Writes never block, so a client that
//! stops reading holds only its own buffer. A scrape does block the loop while
//! it runs (bounded by `--timeout`); connections that arrive meanwhile wait in
//! the kernel's backlog. Right after a scrape, every request that is already
//! waiting for `/metrics` gets that same result, whatever the cache TTL: those
//! scrapes came while it ran, and a second set of hub requests for them would
//! only double the hub's load (an HA pair) and make each wait for the other.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::http::{self, Request, Route, Status};
use crate::scrape::Scraper;

/// Connections served at once; more are answered 503 and closed.
pub const MAX_CONNECTIONS: usize = 64;
/// Time a client has, from connecting, to send a complete request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(1);
/// Time a client has to take its whole response.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// After the response, unread request bytes are drained this long before the
/// close, so the kernel does not turn the close into a reset that destroys
/// the response (a POST's body, say).
const LINGER: Duration = Duration::from_secs(1);
/// Pause before accepting again when out of file descriptors, so a full
/// process table is not polled in a busy loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

pub struct Server {
    listener: TcpListener,
    scraper: Scraper,
    conns: Vec<Conn>,
    accept_paused_until: Option<Instant>,
    /// While set, `/metrics` is answered with this (the scrape that just
    /// finished) rather than by the scraper.
    shared: Option<Rc<[u8]>>,
}

struct Conn {
    stream: TcpStream,
    state: State,
    deadline: Instant,
}

enum State {
    Reading(Vec<u8>),
    Writing {
        head: Vec<u8>,
        body: Option<Rc<[u8]>>,
        sent: usize,
    },
    Draining,
    Closed,
}

impl Server {
    pub fn new(listener: TcpListener, scraper: Scraper) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Ok(Server {
            listener,
            scraper,
            conns: Vec::new(),
            accept_paused_until: None,
            shared: None,
        })
    }

    pub fn run(mut self) -> io::Result<()> {
        let mut fds: Vec<libc::pollfd> = Vec::with_capacity(MAX_CONNECTIONS + 1);
        loop {
            let now = Instant::now();
            if self.accept_paused_until.is_some_and(|t| now >= t) {
                self.accept_paused_until = None;
            }
            let listening = self.accept_paused_until.is_none();
            fds.clear();
            fds.push(libc::pollfd {
                fd: self.listener.as_raw_fd(),
                events: if listening { libc::POLLIN } else { 0 },
                revents: 0,
            });
            for c in &self.conns {
                fds.push(libc::pollfd {
                    fd: c.stream.as_raw_fd(),
                    events: match c.state {
                        State::Writing { .. } => libc::POLLOUT,
                        _ => libc::POLLIN,
                    },
                    revents: 0,
                });
            }
            let timeout = self.poll_timeout(now);
            // SAFETY: `fds` is a valid, initialised slice of pollfd for the
            // duration of the call, and its length is what we pass.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            for (i, fd) in fds[1..].iter().enumerate() {
                if fd.revents != 0 {
                    self.progress(i);
                }
            }
            if fds[0].revents != 0 {
                self.accept();
            }
            self.expire();
            self.conns.retain(|c| !matches!(c.state, State::Closed));
        }
    }

    /// Milliseconds until the earliest connection deadline (or the end of an
    /// accept pause); -1 (forever) when idle.
    fn poll_timeout(&self, now: Instant) -> libc::c_int {
        let next = self
            .conns
            .iter()
            .map(|c| c.deadline)
            .chain(self.accept_paused_until)
            .min();
        match next {
            None => -1,
            Some(t) => {
                let ms = t.saturating_duration_since(now).as_micros().div_ceil(1000);
                ms.min(60_000) as libc::c_int
            }
        }
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    if self.open_connections() >= MAX_CONNECTIONS {
                        // Best effort: the socket buffer of a fresh connection
                        // takes these few bytes without blocking.
                        let _ = (&stream).write(&http::error_response(Status::Unavailable, false));
                        let _ = stream.shutdown(Shutdown::Both);
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    self.conns.push(Conn {
                        stream,
                        state: State::Reading(Vec::new()),
                        deadline: Instant::now() + READ_TIMEOUT,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(e) => {
                    log::warn!("accept failed: {e}; pausing accepts for {ACCEPT_BACKOFF:?}");
                    self.accept_paused_until = Some(Instant::now() + ACCEPT_BACKOFF);
                    return;
                }
            }
        }
    }

    /// Connections holding a slot. Those closed earlier in this loop round
    /// are still listed until its end, and those answered may have been
    /// closed by their client since the last poll: neither holds one.
    /// (Counting them refused a client for each that had just left: 50
    /// clients asking in a loop got 131,000 503s and 244 answers in 5 s.)
    fn open_connections(&mut self) -> usize {
        let count = |conns: &[Conn]| {
            conns
                .iter()
                .filter(|c| !matches!(c.state, State::Closed))
                .count()
        };
        if count(&self.conns) < MAX_CONNECTIONS {
            return count(&self.conns);
        }
        for i in 0..self.conns.len() {
            if matches!(self.conns[i].state, State::Draining) {
                self.drain(i);
            }
        }
        count(&self.conns)
    }

    /// Moves connection `i` forward as far as its socket allows.
    fn progress(&mut self, i: usize) {
        match self.conns[i].state {
            State::Reading(_) => self.read(i),
            State::Writing { .. } => self.write(i),
            State::Draining => self.drain(i),
            State::Closed => {}
        }
    }

    fn read(&mut self, i: usize) {
        let conn = &mut self.conns[i];
        let State::Reading(buf) = &mut conn.state else {
            return;
        };
        let mut chunk = [0u8; 4096];
        while buf.len() < http::MAX_HEAD_BYTES {
            let room = (http::MAX_HEAD_BYTES - buf.len()).min(chunk.len());
            match conn.stream.read(&mut chunk[..room]) {
                // Gone before finishing its request: nothing to answer.
                Ok(0) => {
                    conn.state = State::Closed;
                    return;
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    conn.state = State::Closed;
                    return;
                }
            }
        }
        match http::parse(buf) {
            Request::Partial => {}
            Request::Ok { route, head_only } => self.respond(i, route, head_only),
            Request::Refuse(status) => {
                let response = http::error_response(status, false);
                self.start_writing(i, response, None);
            }
        }
    }

    fn respond(&mut self, i: usize, route: Route, head_only: bool) {
        let mut fresh = None;
        let (content_type, body): (&str, Rc<[u8]>) = match route {
            Route::Metrics => {
                let body = match &self.shared {
                    Some(body) => Rc::clone(body),
                    None => {
                        let before = self.scraper.scrapes();
                        let body = self.scraper.metrics();
                        if self.scraper.scrapes() != before {
                            fresh = Some(Rc::clone(&body));
                        }
                        body
                    }
                };
                (http::METRICS_CONTENT_TYPE, body)
            }
            Route::Index => (
                http::HTML_CONTENT_TYPE,
                Rc::from(http::INDEX_HTML.as_bytes()),
            ),
            Route::Healthy => (http::TEXT_CONTENT_TYPE, Rc::from(&b"OK\n"[..])),
        };
        // Before this response goes out, so that no request in the sweep can
        // be a client's next one, sent after it read this result.
        if let Some(body) = fresh {
            self.share_with_waiting(body, i);
        }
        let head = http::ok_head(content_type, body.len());
        self.start_writing(i, head, (!head_only).then_some(body));
    }

    /// Answers every request that arrived while a scrape ran, and is complete
    /// already, with that scrape's result: those waiting in the backlog are
    /// accepted now, and their requests are in their socket buffers.
    /// Connection `asker` made the scrape and is answered by the caller.
    fn share_with_waiting(&mut self, body: Rc<[u8]>, asker: usize) {
        self.shared = Some(body);
        if self.accept_paused_until.is_none() {
            self.accept();
        }
        for j in 0..self.conns.len() {
            if j != asker && matches!(self.conns[j].state, State::Reading(_)) {
                self.read(j);
            }
        }
        self.shared = None;
    }

    fn start_writing(&mut self, i: usize, head: Vec<u8>, body: Option<Rc<[u8]>>) {
        let conn = &mut self.conns[i];
        conn.state = State::Writing {
            head,
            body,
            sent: 0,
        };
        conn.deadline = Instant::now() + WRITE_TIMEOUT;
        self.write(i);
    }

    fn write(&mut self, i: usize) {
        let conn = &mut self.conns[i];
        let State::Writing { head, body, sent } = &mut conn.state else {
            return;
        };
        loop {
            let body_bytes: &[u8] = body.as_deref().unwrap_or(&[]);
            let pending = if *sent < head.len() {
                &head[*sent..]
            } else if *sent - head.len() < body_bytes.len() {
                &body_bytes[*sent - head.len()..]
            } else {
                let _ = conn.stream.shutdown(Shutdown::Write);
                conn.state = State::Draining;
                conn.deadline = Instant::now() + LINGER;
                return;
            };
            match conn.stream.write(pending) {
                Ok(0) => {
                    conn.state = State::Closed;
                    return;
                }
                Ok(n) => *sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    conn.state = State::Closed;
                    return;
                }
            }
        }
    }

    fn drain(&mut self, i: usize) {
        let conn = &mut self.conns[i];
        let mut sink = [0u8; 4096];
        loop {
            match conn.stream.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        conn.state = State::Closed;
    }

    /// Closes connections past their deadline. A reading connection gets one
    /// last look first: its request may have arrived while a scrape blocked
    /// the loop, and that is not the client's fault.
    fn expire(&mut self) {
        let now = Instant::now();
        for i in 0..self.conns.len() {
            if self.conns[i].deadline > now {
                continue;
            }
            if matches!(self.conns[i].state, State::Reading(_)) {
                self.read(i);
                if !matches!(self.conns[i].state, State::Reading(_)) {
                    continue;
                }
            }
            self.conns[i].state = State::Closed;
        }
    }
}
