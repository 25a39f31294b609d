//! The scrape worker: one thread, spawned once at start, that owns the
//! [`Scraper`] and runs one scrape per request from the listener, so that
//! nothing the hub or a page's JavaScript does can hold the listener up.
//!
//! Requests and results go through channels; a result also writes a byte to
//! a socket in the listener's `poll(2)` set, which is how the listener learns
//! of it without waiting on the channel. The listener asks for a scrape only
//! when none is running, so there is never more than one, and never more
//! than one result on its way.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use crate::scrape::Scraper;
use crate::server::SCRAPE_MARGIN;

/// The worker's stack. QuickJS may use [`crate::script::limits::JS_STACK_BYTES`]
/// of it and the parsers recurse only to their small `MAX_DEPTH`s; this is
/// Rust's default for spawned threads, named so that a change to either is
/// made knowingly. Only the pages actually touched count towards RSS.
const STACK_BYTES: usize = 2 << 20;

pub struct Worker {
    requests: Sender<()>,
    results: Receiver<Arc<[u8]>>,
    /// Readable when a result is ready; at end of file once the worker is
    /// gone.
    wake: UnixStream,
}

impl Worker {
    pub fn spawn(scraper: Scraper) -> io::Result<Worker> {
        // A socket pair rather than a pipe or an eventfd: std makes it
        // without `unsafe`, and the byte it carries needs nothing more.
        let (wake, notify) = UnixStream::pair()?;
        wake.set_nonblocking(true)?;
        notify.set_nonblocking(true)?;
        let (requests, todo) = mpsc::channel::<()>();
        let (done, results) = mpsc::channel();
        thread::Builder::new()
            .name("scrape".into())
            .stack_size(STACK_BYTES)
            .spawn(move || run(scraper, todo, done, notify))?;
        Ok(Worker {
            requests,
            results,
            wake,
        })
    }

    /// Starts a scrape. The caller makes sure none is running. An error
    /// means the worker is gone; [`Worker::finished`] reports that too.
    pub fn start(&self) -> io::Result<()> {
        self.requests.send(()).map_err(|_| gone())
    }

    pub fn wake_fd(&self) -> RawFd {
        self.wake.as_raw_fd()
    }

    /// Called when [`Worker::wake_fd`] is readable: the result of the scrape
    /// that just finished, if one did. An error means the worker is gone
    /// (it panicked: possible only in a build that unwinds).
    pub fn finished(&self) -> io::Result<Option<Arc<[u8]>>> {
        let mut ended = false;
        let mut sink = [0u8; 16];
        loop {
            match (&self.wake).read(&mut sink) {
                Ok(0) => {
                    ended = true;
                    break;
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        match self.results.try_recv() {
            Ok(body) => Ok(Some(body)),
            Err(TryRecvError::Empty) if !ended => Ok(None),
            Err(_) => Err(gone()),
        }
    }
}

fn gone() -> io::Error {
    io::Error::other("the scrape worker thread has stopped")
}

fn run(mut scraper: Scraper, todo: Receiver<()>, done: Sender<Arc<[u8]>>, mut notify: UnixStream) {
    for () in todo {
        let started = Instant::now();
        let body = scraper.metrics();
        let took = started.elapsed();
        if took > scraper.timeout() + SCRAPE_MARGIN {
            log::warn!(
                "a scrape took {:.1} s, past --timeout ({} s): the /metrics requests waiting \
                 for it were answered 503",
                took.as_secs_f64(),
                scraper.timeout().as_secs()
            );
        }
        if done.send(body).is_err() {
            return;
        }
        // Never blocks: the listener reads every byte before it asks for the
        // next scrape, so at most one is ever unread.
        let _ = notify.write(&[1]);
    }
}
