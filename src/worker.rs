//! The scrape worker: one thread, spawned once at start, that owns the
//! [`Scraper`] and runs one scrape per request from the listener, so that
//! nothing the hub or a page's JavaScript does can hold the listener up.
//!
//! The two threads share one socket pair: the listener writes a byte to ask
//! for a scrape, the worker puts the result in a shared slot and writes a
//! byte back. The listener's end sits in its `poll(2)` set, so it learns of a
//! result without ever waiting for one; the worker's end blocks, which is
//! how the worker waits for work. (A socket pair rather than std's channels:
//! it is needed for `poll` anyway, and the channels cost 11 KB of binary.)
//! The listener asks only when no scrape is running, so there is never more
//! than one, nor more than one result in the slot.
//!
//! A result is the exposition and the overview's report of the scrape. With
//! a recorded day to replay (`replay-day`), the worker starts with that, as
//! if asked: the day's reports, oldest first, come as one result, whose
//! exposition is the last scrape's.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::overview::{self, Report};
use crate::scrape::Scraper;

/// The worker's stack. QuickJS may use [`crate::script::limits::JS_STACK_BYTES`]
/// of it and the parsers recurse only to their small `MAX_*_DEPTH`s; this is
/// Rust's default for spawned threads, named so that a change to either is
/// made knowingly. Only the pages actually touched count towards RSS.
const STACK_BYTES: usize = 2 << 20;

pub struct Worker {
    /// The listener's end: write to ask, readable when a result is in
    /// `slot`, at end of file once the worker is gone.
    link: UnixStream,
    slot: Arc<Slot>,
    /// [`Scraper::overrun_after`], read before the scraper moved to its
    /// thread.
    overrun_after: Duration,
}

/// What a finished scrape (or the replayed day) hands the listener.
pub struct Finished {
    /// The exposition, for `/metrics`.
    pub metrics: Arc<[u8]>,
    /// The reports for the overview, oldest first: one per scrape.
    pub reports: Vec<Arc<Report>>,
}

type Slot = Mutex<Option<Finished>>;

impl Worker {
    /// Spawns the worker. With `day` (minutes), it first replays the
    /// recording's day, one scrape per minute ending now, without being
    /// asked: the listener treats that as a running scrape.
    pub fn spawn(scraper: Scraper, day: Option<u32>) -> io::Result<Worker> {
        let (link, worker_end) = UnixStream::pair()?;
        link.set_nonblocking(true)?;
        let slot = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&slot);
        let overrun_after = scraper.overrun_after();
        spawn(Box::new(move || run(scraper, day, worker_end, &shared)))?;
        Ok(Worker {
            link,
            slot,
            overrun_after,
        })
    }

    /// Starts a scrape at `now`, and returns when it will have overrun
    /// ([`Scraper::overrun_after`]). The caller makes sure none is running,
    /// so the byte always fits in the socket's buffer. An error means the
    /// worker is gone; [`Worker::finished`] reports that too.
    pub fn start(&self, now: Instant) -> io::Result<Instant> {
        match (&self.link).write(&[1]) {
            Ok(1) => Ok(now + self.overrun_after),
            Ok(_) => Err(gone()),
            Err(e) => Err(e),
        }
    }

    pub fn wake_fd(&self) -> RawFd {
        self.link.as_raw_fd()
    }

    /// Called when [`Worker::wake_fd`] is readable: the result of the scrape
    /// that just finished, if one did. An error means the worker is gone
    /// (it panicked: possible only in a build that unwinds).
    pub fn finished(&self) -> io::Result<Option<Finished>> {
        let mut ended = false;
        let mut sink = [0u8; 16];
        loop {
            match (&self.link).read(&mut sink) {
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
        match lock(&self.slot).take() {
            Some(body) => Ok(Some(body)),
            None if ended => Err(gone()),
            None => Ok(None),
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `job` on a thread of its own named `scrape`, with [`STACK_BYTES`]
/// of stack. By hand rather than with `std::thread::Builder`: std's thread
/// start names a named thread with musl's `pthread_setname_np`, whose way
/// of naming another thread formats a `/proc` path with `snprintf`, so a
/// std thread links all of musl's printf. With std's spawning machinery
/// (and its per-thread stack-overflow bookkeeping) that is 25 KB of the
/// mipsel `-nojs` binary and 11 KB of the default one, where QuickJS needs
/// printf anyway (measured), for the one thread the exporter starts. The
/// thread names itself with `prctl`.
fn spawn(job: Job) -> io::Result<()> {
    extern "C" fn start(arg: *mut libc::c_void) -> *mut libc::c_void {
        // SAFETY: `arg` is the `Box<Job>` that `spawn` leaked for this
        // thread alone.
        let job = unsafe { Box::from_raw(arg.cast::<Job>()) };
        // SAFETY: PR_SET_NAME reads a NUL-terminated name (cut to 15
        // bytes) and names the calling thread.
        unsafe { libc::prctl(libc::PR_SET_NAME, c"scrape".as_ptr()) };
        // Nothing may unwind out of an `extern "C"` function. A panic (in a
        // build that unwinds) ends the job as it ended a std thread: its
        // values dropped, so the listener sees the worker's end close.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        std::ptr::null_mut()
    }
    let arg = Box::into_raw(Box::new(job));
    // SAFETY: the attributes are initialised before use and destroyed
    // after; on success the new thread owns `arg`, else it is taken back.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        let mut r = libc::pthread_attr_init(&mut attr);
        if r == 0 {
            r = libc::pthread_attr_setstacksize(&mut attr, STACK_BYTES);
            let mut thread: libc::pthread_t = std::mem::zeroed();
            if r == 0 {
                r = libc::pthread_create(&mut thread, &attr, start, arg.cast());
            }
            libc::pthread_attr_destroy(&mut attr);
            if r == 0 {
                libc::pthread_detach(thread);
                return Ok(());
            }
        }
        drop(Box::from_raw(arg));
        Err(io::Error::from_raw_os_error(r))
    }
}

fn gone() -> io::Error {
    io::Error::other("the scrape worker thread has stopped")
}

/// The slot is never held across a panic (only to put or take), so a
/// poisoned lock still holds a whole value.
fn lock(slot: &Slot) -> std::sync::MutexGuard<'_, Option<Finished>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits for a byte (a request), scrapes, puts the result in the slot and
/// answers with a byte; ends when the listener's end is closed. The day to
/// replay, if any, comes first.
fn run(mut scraper: Scraper, day: Option<u32>, mut link: UnixStream, slot: &Slot) {
    if let Some(minutes) = day {
        *lock(slot) = Some(replay_day(&mut scraper, minutes));
        if link.write_all(&[1]).is_err() {
            return;
        }
    }
    let mut request = [0u8; 1];
    loop {
        match link.read(&mut request) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
        let started = Instant::now();
        let scraped = scraper.scrape();
        let took = started.elapsed();
        if took > scraper.overrun_after() {
            log::warn!(
                "a scrape took {:.1} s, past --timeout ({} s): the /metrics requests waiting \
                 for it were answered 503",
                took.as_secs_f64(),
                scraper.timeout().as_secs()
            );
        }
        *lock(slot) = Some(Finished {
            metrics: scraped.metrics,
            reports: vec![scraped.report],
        });
        if link.write_all(&[1]).is_err() {
            return;
        }
    }
}

/// The recording's day (`replay-day`, see [`crate::replay::day`]): the
/// recording scraped once per minute of the last `minutes`, oldest first,
/// each report dated that minute and the last one now. The recording is the
/// hub now, so each scrape of the past reads it as many reads back as it is
/// minutes old ([`Scraper::rewind`]), and the last is the recording's first
/// ordinary read: exactly as recorded, as the first scrape is without a day.
/// The reports oldest first, and the last exposition.
fn replay_day(scraper: &mut Scraper, minutes: u32) -> Finished {
    let clock = Instant::now();
    let mut reports: Vec<Arc<Report>> = Vec::with_capacity(minutes as usize);
    let mut metrics = None;
    for ago in (0..u64::from(minutes)).rev() {
        scraper.rewind((ago > 0).then_some(ago));
        // Dated from the time it is made, so the last is now, as the
        // scrapes that follow will be.
        let scraped = scraper.scrape_at(overview::now() - ago as i64 * 60_000);
        reports.push(scraped.report);
        metrics = Some(scraped.metrics);
    }
    scraper.rewind(None);
    log::info!(
        "replayed the recording's day: {minutes} scrapes, one per minute of the past {minutes} minutes, in {:.1} s",
        clock.elapsed().as_secs_f64()
    );
    Finished {
        metrics: metrics.unwrap_or_else(|| Arc::from(&b""[..])),
        reports,
    }
}
