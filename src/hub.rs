//! Fetching pages from the hub: plain HTTP with minreq, one request at a
//! time, every request inside the scrape's deadline.
//!
//! "One at a time" needs care: with a timeout set, minreq connects and reads
//! the response head in a helper thread and stops waiting for it at the
//! deadline, and the helper can outlive that by a few milliseconds (its
//! socket timeouts fire a scheduler tick later), or by seconds in a DNS
//! lookup. Until it has gone, its connection to the hub may be open, so no
//! new request starts: see [`Hub::fetch`].

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};
use std::time::{Duration, Instant};

/// Bodies bigger than this are refused: the largest real page is ~130 KB
/// (250 devices), so 4 MiB leaves room for any hub and none for a flood.
pub const MAX_BODY_BYTES: usize = 4 << 20;
const DEADLINE_SLACK: Duration = Duration::from_millis(50);
/// Response heads bigger than these are refused.
pub const MAX_HEADERS_BYTES: usize = 16 << 10;
pub const MAX_STATUS_LINE_BYTES: usize = 1 << 10;
/// Characters of a refusal's reason phrase and `Location` kept for the log.
pub const MAX_REASON_CHARS: usize = 64;
pub const MAX_LOCATION_CHARS: usize = 128;
/// How long a timed-out request's helper thread is waited for before the
/// scrape goes on without it. Its socket timeouts end with the request's, so
/// it is normally gone within milliseconds; this bounds how far a stuck DNS
/// lookup can push the scrape past `--timeout`.
pub const HELPER_GRACE: Duration = Duration::from_millis(200);

/// Where the hub is: `host` or `host:port` (IPv6 in brackets), as accepted by
/// the command line.
#[derive(Debug, Clone)]
pub struct Hub {
    base: String,
    referer: String,
    /// A timed-out request's helper thread outlived [`HELPER_GRACE`]: the
    /// thread count to wait for before the next request.
    lingering: Cell<Option<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Less than a second of the scrape's budget was left: minreq counts
    /// timeouts in whole seconds, and starting a request that could outlive
    /// the deadline would break `--timeout`.
    NoTimeLeft,
    TimedOut,
    Refused,
    Io(String),
    /// Not started: an earlier request that timed out is still running
    /// (stuck in a DNS lookup, say), and the hub gets one request at a time.
    Busy,
    /// A status other than 200. A 403 means the Referer was refused; a 302
    /// is the hub sending us to its login page.
    Status {
        code: u16,
        reason: String,
        location: Option<String>,
    },
    TooLarge,
    Truncated {
        expected: usize,
        got: usize,
    },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::NoTimeLeft => {
                f.write_str("not started: the scrape's --timeout budget is spent")
            }
            FetchError::TimedOut => {
                f.write_str("timed out (the scrape's --timeout budget ran out)")
            }
            FetchError::Refused => f.write_str("connection refused"),
            FetchError::Busy => {
                f.write_str("not started: an earlier request that timed out has not finished yet")
            }
            FetchError::Io(e) => write!(f, "{e}"),
            FetchError::Status {
                code,
                reason,
                location,
            } => {
                write!(f, "HTTP {code} {reason}")?;
                if let Some(loc) = location {
                    write!(f, " (redirect to {loc}: the page wants a login)")?;
                }
                if *code == 403 {
                    f.write_str(" (the hub refused the request)")?;
                }
                Ok(())
            }
            FetchError::TooLarge => write!(f, "body larger than {MAX_BODY_BYTES} bytes"),
            FetchError::Truncated { expected, got } => {
                write!(f, "body truncated: {got} of {expected} bytes")
            }
        }
    }
}

impl std::error::Error for FetchError {}

impl Hub {
    pub fn new(authority: &str) -> Self {
        Hub {
            base: format!("http://{authority}"),
            // Since 2022 the hub answers 403 to requests without a Referer.
            referer: format!("http://{authority}/"),
            lingering: Cell::new(None),
        }
    }

    /// `host` or `host:port` (IPv6 in brackets), as given to [`Hub::new`]:
    /// log lines name the hub by it.
    pub fn authority(&self) -> &str {
        self.base.strip_prefix("http://").unwrap_or(&self.base)
    }

    /// GETs `path` and returns the body of a 200 response, or why not.
    /// Returns only once no request to the hub is left running (or, past
    /// [`HELPER_GRACE`], remembers one is, and starts no other until it ends).
    pub fn fetch(&self, path: &str, deadline: Instant) -> Result<Vec<u8>, FetchError> {
        if let Some(baseline) = self.lingering.get() {
            if !helpers_gone(Some(baseline), Duration::ZERO) {
                return Err(FetchError::Busy);
            }
            self.lingering.set(None);
        }
        let threads_before = thread_count();
        let result = self.request(path, deadline);
        if result == Err(FetchError::TimedOut) && !helpers_gone(threads_before, HELPER_GRACE) {
            log::warn!(
                "a request to the hub that timed out is still running after {HELPER_GRACE:?}; \
                 no other starts until it ends"
            );
            self.lingering.set(threads_before);
        }
        result
    }

    fn request(&self, path: &str, deadline: Instant) -> Result<Vec<u8>, FetchError> {
        // minreq takes whole seconds. Rounding down keeps every request
        // inside the deadline; the slack lets a budget of 5 s still be 5 s
        // (not 4) a few microseconds after the scrape started, at the cost of
        // overrunning it by at most that slack.
        let remaining = deadline.saturating_duration_since(Instant::now());
        let secs = (remaining + DEADLINE_SLACK).as_secs();
        if secs == 0 {
            return Err(FetchError::NoTimeLeft);
        }
        let response = minreq::get(format!("{}{path}", self.base))
            .with_header("Referer", &self.referer)
            .with_header("Connection", "close")
            .with_timeout(secs)
            .with_follow_redirects(false)
            .with_max_headers_size(MAX_HEADERS_BYTES)
            .with_max_status_line_length(MAX_STATUS_LINE_BYTES)
            .send_lazy()
            .map_err(classify)?;
        if response.status_code != 200 {
            return Err(FetchError::Status {
                code: response.status_code,
                reason: response
                    .reason_phrase
                    .chars()
                    .take(MAX_REASON_CHARS)
                    .collect(),
                location: header(&response.headers, "location")
                    .map(|l| l.chars().take(MAX_LOCATION_CHARS).collect()),
            });
        }
        let expected = header(&response.headers, "content-length")
            .and_then(|v| v.trim().parse::<usize>().ok());
        if expected.is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::with_capacity(expected.unwrap_or(64 << 10).min(MAX_BODY_BYTES));
        response
            .take(MAX_BODY_BYTES as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| classify(minreq::Error::IoError(e)))?;
        if body.len() > MAX_BODY_BYTES {
            return Err(FetchError::TooLarge);
        }
        // minreq treats an early close as the end of a Content-Length body.
        if let Some(expected) = expected {
            if body.len() < expected {
                return Err(FetchError::Truncated {
                    expected,
                    got: body.len(),
                });
            }
        }
        Ok(body)
    }
}

/// Threads in this process, where the system says (Linux, so OpenWrt).
fn thread_count() -> Option<usize> {
    std::fs::read_dir("/proc/self/task").ok().map(|d| d.count())
}

/// Waits up to `grace` for the thread count to fall back to `baseline`;
/// true when it did. Without a thread count to go by, waits out a short
/// fixed pause, long enough for a helper's socket timeouts to have fired.
fn helpers_gone(baseline: Option<usize>, grace: Duration) -> bool {
    let Some(baseline) = baseline else {
        std::thread::sleep(grace.min(Duration::from_millis(20)));
        return true;
    };
    let until = Instant::now() + grace;
    loop {
        if thread_count().map_or(true, |n| n <= baseline) {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn classify(e: minreq::Error) -> FetchError {
    match e {
        minreq::Error::IoError(e) => match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => FetchError::TimedOut,
            io::ErrorKind::ConnectionRefused => FetchError::Refused,
            _ => FetchError::Io(e.to_string()),
        },
        other => FetchError::Io(other.to_string()),
    }
}
