//! The HTTP server: one listener thread, non-blocking sockets, `poll(2)`,
//! and one scrape worker thread ([`crate::worker`]).
//!
//! The listener never blocks on the hub or on JavaScript: scrapes run on the
//! worker, one at a time, and the listener only hands out their results.
//! So `/-/healthy`, `/`, every HEAD and every error are answered within
//! milliseconds whatever a scrape is doing.
//!
//! One thread must not mean one slow client stops everyone either. Every
//! connection is a small state machine with a deadline: a client gets
//! [`READ_TIMEOUT`] to send its request head, [`WRITE_TIMEOUT`] to take its
//! response, and is dropped past either. Writes never block, so a client that
//! stops reading holds only its own buffer. A client that half-closes after
//! its request (`printf ... | nc`) is still answered.
//!
//! `GET /metrics` is answered from the last result while its scrape started
//! less than `--cache-ttl` ago (from the start: the age of the hub's data is
//! what a TTL promises, and a scrape that took 4 s must not make the next
//! Prometheus scrape, one interval later, find it still fresh). Failures are
//! cached too, so however often clients ask, the hub gets at most one set of
//! requests per TTL, failing or not. Otherwise the request waits for a scrape:
//! the one running, or a new one; every request that arrives while a scrape
//! runs gets that same result, whatever the TTL: a second set of hub requests
//! for them would only double the hub's load (an HA pair). A waiting client
//! waits until the scrape's `--timeout` plus
//! [`SCRAPE_MARGIN`](crate::scrape::SCRAPE_MARGIN) at most; past
//! that it gets a 503 that says so (a scrape overruns only if something
//! the budget cannot bound holds the worker up: a name lookup that hangs, a
//! log write that blocks).
//!
//! `HEAD /metrics` neither waits for a scrape nor starts one. It carries a
//! `Content-Length` only while the cached result is fresh, when it is exactly
//! what a GET would get; otherwise none (RFC 9110 §8.6 allows that, and
//! forbids a length a GET would not match).
//!
//! `GET /` and `GET /status.json`, the overview ([`crate::overview`]),
//! answer as `/metrics` does: from the cached scrape while fresh, else
//! after the running or a new scrape, 503 past its deadline; each waiting
//! client remembers which document it asked for (`/status.json?history=0`
//! is one of its own). The listener owns the
//! overview's [`Board`] (the latest report and the history): each finished
//! scrape's report is recorded there, and a page is rendered from it and
//! the time when it is asked for. Their HEAD has no `Content-Length`: the
//! page says how old what it shows is, so a GET a moment later differs.
//!
//! `--poll SECONDS`: when no scrape has started for that long (nor for
//! `--cache-ttl`), the listener starts one itself, as if asked, so the
//! history fills without a Prometheus. The first comes one period after
//! start, so a service that restarts in a loop does not scrape the hub at
//! each start.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http::{self, ErrorStatus, Request, Route};
use crate::overview::{self, About, Board, Format};
use crate::scrape::Scraper;
use crate::worker::Worker;

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
/// How long clients may wait for a recording's day (`replay-day`) to be
/// replayed at start: it is many scrapes, not one.
const DAY_DEADLINE: Duration = Duration::from_secs(600);

/// The server's settings besides the socket and the scraper.
pub struct Options {
    /// `--cache-ttl`.
    pub cache_ttl: Duration,
    /// `--poll`; `None` for never.
    pub poll: Option<Duration>,
    /// What the overview says of the exporter.
    pub about: About,
    /// `replay-day`: minutes of a recording to replay at start.
    pub day: Option<u32>,
}

pub struct Server {
    listener: TcpListener,
    worker: Worker,
    cache_ttl: Duration,
    conns: Vec<Conn>,
    accept_paused_until: Option<Instant>,
    /// The last scrape's result and when that scrape started.
    last: Option<(Instant, Arc<[u8]>)>,
    /// The scrape the worker is running, if any.
    running: Option<Running>,
    /// When the last scrape started (or the server did), for `--poll`.
    last_started: Instant,
    poll: Option<Duration>,
    /// The overview's latest report and history.
    board: Board,
    healthy: Arc<[u8]>,
}

/// What a client waiting for a scrape asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Metrics,
    Overview(Format),
}

struct Running {
    started: Instant,
    /// The recording's day (`replay-day`), whose last scrape is the one
    /// that counts: it started when the day ended, not when it began.
    day: bool,
    /// Past this, the clients waiting for it are answered 503.
    deadline: Instant,
}

struct Conn {
    stream: TcpStream,
    state: State,
    deadline: Instant,
}

enum State {
    Reading(Vec<u8>),
    /// A complete `GET` of `/metrics` or the overview, waiting for the
    /// running scrape; its deadline is that scrape's.
    Waiting(Want),
    Writing {
        head: Vec<u8>,
        body: Option<Arc<[u8]>>,
        sent: usize,
    },
    Draining,
    Closed,
}

impl Server {
    /// Binds nothing (the listener is given) and spawns the scrape worker,
    /// which owns `scraper` from now on.
    pub fn new(listener: TcpListener, scraper: Scraper, options: Options) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        let now = Instant::now();
        // The day is replayed as if asked for: clients wait for it.
        let running = options.day.map(|_| Running {
            started: now,
            day: true,
            deadline: now + DAY_DEADLINE,
        });
        Ok(Server {
            listener,
            worker: Worker::spawn(scraper, options.day)?,
            cache_ttl: options.cache_ttl,
            conns: Vec::new(),
            accept_paused_until: None,
            last: None,
            running,
            last_started: now,
            poll: options.poll,
            board: Board::new(options.about),
            healthy: Arc::from(&b"OK\n"[..]),
        })
    }

    /// Serves until an error the server cannot go on from: `poll` failing,
    /// or the worker gone.
    pub fn run(mut self) -> io::Result<()> {
        let mut fds: Vec<libc::pollfd> = Vec::with_capacity(MAX_CONNECTIONS + 2);
        loop {
            let now = Instant::now();
            if self.accept_paused_until.is_some_and(|t| now >= t) {
                self.accept_paused_until = None;
            }
            if self.poll_due().is_some_and(|t| now >= t) {
                self.start_scrape(now)?;
            }
            let listening = self.accept_paused_until.is_none();
            fds.clear();
            fds.push(libc::pollfd {
                fd: self.listener.as_raw_fd(),
                events: if listening { libc::POLLIN } else { 0 },
                revents: 0,
            });
            fds.push(libc::pollfd {
                fd: self.worker.wake_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
            for c in &self.conns {
                fds.push(libc::pollfd {
                    fd: c.stream.as_raw_fd(),
                    events: match c.state {
                        State::Writing { .. } => libc::POLLOUT,
                        // Nothing to read: the request is whole, and a
                        // half-closed socket would be readable (at its end)
                        // all along. A reset still shows as POLLERR/POLLHUP,
                        // which poll reports whatever was asked.
                        State::Waiting(_) => 0,
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
            if fds[1].revents != 0 {
                self.scrape_finished()?;
            }
            for (i, fd) in fds[2..].iter().enumerate() {
                if fd.revents != 0 {
                    self.progress(i, fd.revents);
                }
            }
            if fds[0].revents != 0 {
                self.accept();
            }
            self.expire();
            self.conns.retain(|c| !matches!(c.state, State::Closed));
        }
    }

    /// When `--poll` starts the next scrape: none while one runs.
    fn poll_due(&self) -> Option<Instant> {
        let every = self.poll?.max(self.cache_ttl);
        self.running.is_none().then(|| self.last_started + every)
    }

    /// Milliseconds until the earliest connection deadline (or the end of an
    /// accept pause, or the next poll); -1 (forever) when idle.
    fn poll_timeout(&self, now: Instant) -> libc::c_int {
        let next = self
            .conns
            .iter()
            .map(|c| c.deadline)
            .chain(self.accept_paused_until)
            .chain(self.poll_due())
            .min();
        match next {
            None => -1,
            Some(t) => poll_ms(t.saturating_duration_since(now)),
        }
    }

    /// The worker has a result: cache it, record its reports, and answer
    /// everyone waiting.
    fn scrape_finished(&mut self) -> io::Result<()> {
        let Some(finished) = self.worker.finished()? else {
            return Ok(());
        };
        let started = match self.running.take() {
            Some(r) if !r.day => r.started,
            _ => Instant::now(),
        };
        self.last = Some((started, finished.metrics));
        self.last_started = self.last_started.max(started);
        for report in finished.reports {
            self.board.record(report);
        }
        // Each format rendered once for all who wait for it.
        let mut rendered: Vec<(Format, Option<Arc<[u8]>>)> = Vec::new();
        for i in 0..self.conns.len() {
            let State::Waiting(want) = self.conns[i].state else {
                continue;
            };
            let body = match want {
                Want::Metrics => self.last.as_ref().map(|(_, b)| Arc::clone(b)),
                Want::Overview(format) => match rendered.iter().find(|(f, _)| *f == format) {
                    Some((_, body)) => body.clone(),
                    None => {
                        let body = self.render(format);
                        rendered.push((format, body.clone()));
                        body
                    }
                },
            };
            self.answer(i, want, body);
        }
        Ok(())
    }

    /// The overview now, from the board.
    fn render(&self, format: Format) -> Option<Arc<[u8]>> {
        self.board.render(format, overview::now()).map(Arc::from)
    }

    /// Writes a 200 with `body` for what connection `i` wants; a 503 if
    /// there is nothing to show (no report).
    fn answer(&mut self, i: usize, want: Want, body: Option<Arc<[u8]>>) {
        let Some(body) = body else {
            let response = http::error_response(ErrorStatus::Unavailable, false);
            return self.start_writing(i, response, None);
        };
        let head = match want {
            Want::Metrics => http::ok_head(http::METRICS_CONTENT_TYPE, Some(body.len())),
            Want::Overview(f) => http::overview_head(f.content_type(), Some(body.len())),
        };
        self.start_writing(i, head, Some(body));
    }

    /// Asks the worker for a scrape, and returns when it will have
    /// overrun. An error means the worker is gone.
    fn start_scrape(&mut self, now: Instant) -> io::Result<Instant> {
        let deadline = self.worker.start(now)?;
        self.running = Some(Running {
            started: now,
            day: false,
            deadline,
        });
        self.last_started = now;
        Ok(deadline)
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
                        let _ =
                            (&stream).write(&http::error_response(ErrorStatus::Unavailable, false));
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
    /// closed by their client since the last poll: neither holds one, and
    /// counting them would refuse a client for each that had just left.
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
    fn progress(&mut self, i: usize, revents: libc::c_short) {
        match self.conns[i].state {
            State::Reading(_) => self.read(i),
            // Polled for nothing, so this is an error or a hang-up: a reset
            // (a half-close alone is neither), and no one to answer.
            State::Waiting(_) => {
                if revents & (libc::POLLERR | libc::POLLHUP) != 0 {
                    self.conns[i].state = State::Closed;
                }
            }
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
        let mut ended = false;
        while buf.len() < http::MAX_HEAD_BYTES {
            let room = (http::MAX_HEAD_BYTES - buf.len()).min(chunk.len());
            match conn.stream.read(&mut chunk[..room]) {
                // The client has sent all it will: a half-close after a
                // whole request still wants its answer.
                Ok(0) => {
                    ended = true;
                    break;
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
            // Gone before finishing its request: nothing to answer.
            Request::Partial if ended => conn.state = State::Closed,
            Request::Partial => {}
            Request::Ok { route, head_only } => self.respond(i, route, head_only),
            Request::Refuse { status, head_only } => {
                let response = http::error_response(status, head_only);
                self.start_writing(i, response, None);
            }
        }
    }

    fn respond(&mut self, i: usize, route: Route, head_only: bool) {
        let want = match route {
            Route::Metrics => Want::Metrics,
            Route::Index => Want::Overview(Format::Html),
            Route::StatusJson { history: true } => Want::Overview(Format::Json),
            Route::StatusJson { history: false } => Want::Overview(Format::JsonNoHistory),
            Route::Healthy => {
                let body = Arc::clone(&self.healthy);
                let head = http::ok_head(http::TEXT_CONTENT_TYPE, Some(body.len()));
                return self.start_writing(i, head, (!head_only).then_some(body));
            }
        };
        self.answer_scraped(i, want, head_only)
    }

    /// `/metrics` and the overview: from the cached result while fresh;
    /// else, for a GET, wait for the running scrape or start one. Never
    /// blocks.
    fn answer_scraped(&mut self, i: usize, want: Want, head_only: bool) {
        let now = Instant::now();
        let fresh = self
            .last
            .as_ref()
            .filter(|(started, _)| now.duration_since(*started) < self.cache_ttl)
            .map(|(_, body)| Arc::clone(body));
        if head_only {
            let head = match want {
                Want::Metrics => http::ok_head(http::METRICS_CONTENT_TYPE, fresh.map(|b| b.len())),
                Want::Overview(f) => http::overview_head(f.content_type(), None),
            };
            return self.start_writing(i, head, None);
        }
        if let Some(body) = fresh {
            let body = match want {
                Want::Metrics => Some(body),
                Want::Overview(format) => self.render(format),
            };
            return self.answer(i, want, body);
        }
        let deadline = match &self.running {
            Some(running) => running.deadline,
            None => {
                // If the worker is gone this fails, and so does the next
                // look at its wake-up socket, which stops the server.
                let Ok(deadline) = self.start_scrape(now) else {
                    let response = http::error_response(ErrorStatus::Unavailable, false);
                    return self.start_writing(i, response, None);
                };
                deadline
            }
        };
        if deadline <= now {
            // The scrape in progress has overrun already: waiting for it
            // would only make this client time out too.
            let response = http::error_response(ErrorStatus::ScrapeOverdue, false);
            return self.start_writing(i, response, None);
        }
        let conn = &mut self.conns[i];
        conn.state = State::Waiting(want);
        conn.deadline = deadline;
    }

    fn start_writing(&mut self, i: usize, head: Vec<u8>, body: Option<Arc<[u8]>>) {
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

    /// Closes connections past their deadline, except one waiting for a
    /// scrape that has overrun: that gets its 503.
    fn expire(&mut self) {
        let now = Instant::now();
        for i in 0..self.conns.len() {
            if self.conns[i].deadline > now {
                continue;
            }
            match self.conns[i].state {
                State::Waiting(_) => {
                    let response = http::error_response(ErrorStatus::ScrapeOverdue, false);
                    self.start_writing(i, response, None);
                }
                _ => self.conns[i].state = State::Closed,
            }
        }
    }
}

/// `d` as poll(2)'s timeout: its whole microseconds rounded up to
/// milliseconds, at most a minute. In 64 bits: `as_micros()` is a u128,
/// whose division links 2.4 KB of library code into the mipsel `-nojs`
/// binary (the default one has it anyway, for QuickJS's `fmod`).
fn poll_ms(d: Duration) -> libc::c_int {
    let micros = d.subsec_micros();
    let ms = d
        .as_secs()
        .saturating_mul(1000)
        .saturating_add(u64::from(micros.div_ceil(1000)));
    ms.min(60_000) as libc::c_int
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_timeouts_round_whole_microseconds_up() {
        for d in [
            Duration::ZERO,
            Duration::from_nanos(999),
            Duration::from_nanos(1_000),
            Duration::from_nanos(1_000_999),
            Duration::from_micros(1_001),
            Duration::from_millis(7),
            Duration::new(59, 999_000_001),
            Duration::new(59, 999_999_999),
            Duration::from_secs(60),
            Duration::MAX,
        ] {
            let was = d.as_micros().div_ceil(1000).min(60_000) as libc::c_int;
            assert_eq!(poll_ms(d), was, "{d:?}");
        }
        assert_eq!(poll_ms(Duration::from_nanos(1_000_999)), 1);
        assert_eq!(poll_ms(Duration::from_micros(1_001)), 2);
    }
}
