//! Fetching pages from the hub: one plain HTTP/1.1 GET at a time over
//! `std::net`, every step inside the scrape's one deadline.
//!
//! Written by hand rather than with a client library: minreq, the small
//! one, counts timeouts in whole seconds, cuts an IPv6 literal at its first
//! `:`, and enforces its timeout with a thread per request (ours is 20 KB
//! smaller on a router and costs 0.13 ms less CPU per request). Here the
//! connect and every write and read are bounded by what is left of the
//! deadline, to the millisecond, on the calling thread; the socket is
//! closed before [`Hub::fetch`] returns, so "one request open to the hub at
//! a time" holds by construction. [`response`] holds the pure parsing;
//! the name lookup, bounded by the same deadline, is [`crate::resolve`].

pub mod response;

use std::cell::RefCell;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::resolve::{self, parse_port, ResolveError};
use response::{BodyError, Decoder, Framing, HeadError};
pub use response::{
    MAX_BODY_BYTES, MAX_HEADERS_BYTES, MAX_LOCATION_CHARS, MAX_REASON_CHARS, MAX_STATUS_LINE_BYTES,
};

/// Interim (1xx) responses skipped before the answer.
pub const MAX_INTERIM_RESPONSES: usize = 8;
/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 16 << 10;

/// Where the hub is: `host` or `host:port` (IPv6 in brackets), as accepted by
/// the command line.
#[derive(Debug)]
pub struct Hub {
    /// As configured: what `Host` and `Referer` carry.
    given: String,
    /// `host:port`, the port always written: for log lines.
    authority: String,
    target: Result<(Target, u16), String>,
    /// The addresses a name resolved to, for the scrape whose deadline this
    /// is: one lookup per scrape, not one per page.
    resolved: RefCell<Option<(Instant, Vec<SocketAddr>)>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Ip(IpAddr),
    Name(String),
}

/// What a step was doing when it failed, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Resolving,
    Connecting,
    Sending,
    ReadingHead,
    ReadingBody,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Resolving => "resolving the hub's name",
            Step::Connecting => "connecting",
            Step::Sending => "sending the request",
            Step::ReadingHead => "waiting for the response",
            Step::ReadingBody => "reading the body",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Nothing was left of the scrape's `--timeout` budget.
    NoTimeLeft,
    TimedOut(Step),
    Refused,
    Io(Step, String),
    /// The hub's name has no address, or could not be looked up.
    Resolve(String),
    /// The hub closed the connection before a whole response head.
    NoResponse,
    /// A status other than 200 (and not 1xx). A 403 means the Referer was
    /// refused; a redirect (never followed) to the login page means the
    /// page needs a login.
    HttpStatus {
        code: u16,
        reason: String,
        location: Option<String>,
        referer: String,
    },
    Head(HeadError),
    Body(BodyError),
    TooManyInterim,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::NoTimeLeft => {
                f.write_str("not started: the scrape's --timeout budget is spent")
            }
            FetchError::TimedOut(step) => {
                write!(
                    f,
                    "timed out {step} (the scrape's --timeout budget ran out)"
                )
            }
            FetchError::Refused => f.write_str("connection refused"),
            FetchError::Io(step, e) => write!(f, "{step}: {e}"),
            FetchError::Resolve(e) => write!(f, "{e}"),
            FetchError::NoResponse => {
                f.write_str("the hub closed the connection without a complete response head")
            }
            FetchError::HttpStatus {
                code,
                reason,
                location,
                referer,
            } => {
                write!(f, "HTTP {code} {reason}")?;
                match (code, location) {
                    (300..=399, Some(loc)) if is_login(loc) => write!(
                        f,
                        ": redirected to the hub's login page ({loc}): the page needs a login"
                    )?,
                    (300..=399, Some(loc)) => write!(f, ": redirected to {loc} (not followed)")?,
                    (300..=399, None) => f.write_str(": a redirect without a Location")?,
                    (403, _) => write!(
                        f,
                        " (the hub refused the request, though it carried Referer: {referer})"
                    )?,
                    _ => {}
                }
                Ok(())
            }
            FetchError::Head(e) => write!(f, "{e}"),
            FetchError::Body(e) => write!(f, "{e}"),
            FetchError::TooManyInterim => write!(
                f,
                "more than {MAX_INTERIM_RESPONSES} interim (1xx) responses before the answer"
            ),
        }
    }
}

impl std::error::Error for FetchError {}

/// Whether a redirect's `Location` is the hub's login page (`login.htm`,
/// `login.cgi`, ...): its last path segment starts with "login".
fn is_login(location: &str) -> bool {
    let path = match location.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => location,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or("");
    file.len() >= 5 && file.as_bytes()[..5].eq_ignore_ascii_case(b"login")
}

impl Hub {
    pub fn new(authority: &str) -> Self {
        let target = split_authority(authority);
        let shown = match &target {
            Ok((Target::Ip(IpAddr::V6(ip)), port)) => format!("[{ip}]:{port}"),
            Ok((Target::Ip(ip), port)) => format!("{ip}:{port}"),
            Ok((Target::Name(n), port)) => format!("{n}:{port}"),
            Err(_) => authority.to_owned(),
        };
        Hub {
            given: authority.to_owned(),
            authority: shown,
            target,
            resolved: RefCell::new(None),
        }
    }

    /// `host:port` (port 80 when none was given; IPv6 in brackets): how log
    /// lines name the hub.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// GETs `path` and returns the body of a 200 response, or why not.
    /// Every step ends by `deadline` (give or take a scheduler tick); the
    /// connection is closed when this returns.
    pub fn fetch(&self, path: &str, deadline: Instant) -> Result<Vec<u8>, FetchError> {
        self.get(path, deadline, false).map(|a| a.body)
    }

    /// Like [`Hub::fetch`], but an answer of any final status is returned
    /// with its body, not made an error: `dump` records what a 404 or a
    /// redirect to the login page was, size included.
    pub fn fetch_any(&self, path: &str, deadline: Instant) -> Result<Answer, FetchError> {
        self.get(path, deadline, true)
    }

    fn get(&self, path: &str, deadline: Instant, any: bool) -> Result<Answer, FetchError> {
        if Instant::now() >= deadline {
            return Err(FetchError::NoTimeLeft);
        }
        let addrs = self.addresses(deadline)?;
        let mut stream = connect(&addrs, deadline)?;
        // Since 2022 the hub answers 403 to requests without a Referer.
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nReferer: {referer}\r\nConnection: close\r\n\r\n",
            host = self.given,
            referer = self.referer(),
        );
        let left = time_left(deadline, Step::Sending)?;
        stream
            .set_write_timeout(Some(left))
            .and_then(|()| stream.write_all(request.as_bytes()))
            .map_err(|e| io_error(e, Step::Sending, deadline))?;
        self.read_response(&mut stream, deadline, any)
    }

    fn referer(&self) -> String {
        format!("http://{}/", self.given)
    }

    fn addresses(&self, deadline: Instant) -> Result<Vec<SocketAddr>, FetchError> {
        let (target, port) = self
            .target
            .as_ref()
            .map_err(|e| FetchError::Resolve(e.clone()))?;
        let name = match target {
            Target::Ip(ip) => return Ok(vec![SocketAddr::new(*ip, *port)]),
            Target::Name(name) => name,
        };
        if let Some((d, addrs)) = &*self.resolved.borrow() {
            if *d == deadline {
                return Ok(addrs.clone());
            }
        }
        let addrs = resolve::resolve(name, *port, deadline).map_err(|e| match e {
            ResolveError::TimedOut => FetchError::TimedOut(Step::Resolving),
            ResolveError::NotFound { asked } => FetchError::Resolve(format!(
                "cannot resolve {name:?}: no address for it in {} or from {}",
                resolve::hosts::HOSTS,
                asked
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            ResolveError::Failed(why) => {
                FetchError::Resolve(format!("cannot resolve {name:?}: {why}"))
            }
        })?;
        *self.resolved.borrow_mut() = Some((deadline, addrs.clone()));
        Ok(addrs)
    }

    fn read_response(
        &self,
        stream: &mut TcpStream,
        deadline: Instant,
        any_status: bool,
    ) -> Result<Answer, FetchError> {
        let mut buf = vec![0u8; READ_CHUNK];
        let mut raw: Vec<u8> = Vec::new();
        let mut interim = 0;
        let head = 'head: loop {
            let n = read(stream, &mut buf, deadline, Step::ReadingHead)?;
            if n == 0 {
                return Err(FetchError::NoResponse);
            }
            raw.extend_from_slice(&buf[..n]);
            // A head ends with a line break: without a new one, parsing again
            // could only find what it found before (a head dribbled a byte
            // at a time would be re-read thousands of times), unless a bound
            // has just been passed, which parsing reports.
            let status_too_long = raw.len() >= MAX_STATUS_LINE_BYTES
                && !raw[..MAX_STATUS_LINE_BYTES].contains(&b'\n');
            if !buf[..n].contains(&b'\n') && !status_too_long && raw.len() <= MAX_HEADERS_BYTES {
                continue;
            }
            while let Some(h) = response::parse_head(&raw).map_err(FetchError::Head)? {
                if !(100..200).contains(&h.code) {
                    break 'head h;
                }
                interim += 1;
                if interim > MAX_INTERIM_RESPONSES {
                    return Err(FetchError::TooManyInterim);
                }
                raw.drain(..h.len);
            }
        };
        // A status other than 200 is an error, unless the caller wants any
        // answer; then too when its framing cannot be read (the status
        // is what matters then, as for `fetch`).
        if head.code != 200 && (!any_status || head.framing.is_err()) {
            return Err(FetchError::HttpStatus {
                code: head.code,
                reason: head.reason,
                location: head.location,
                referer: self.referer(),
            });
        }
        let framing = head.framing.map_err(FetchError::Head)?;
        let mut decoder = Decoder::new(framing).map_err(FetchError::Body)?;
        let mut pending = raw.split_off(head.len);
        loop {
            let used = decoder.feed(&pending).map_err(FetchError::Body)?;
            pending.drain(..used);
            if decoder.is_done() {
                break;
            }
            let n = read(stream, &mut buf, deadline, Step::ReadingBody)?;
            if n == 0 {
                break;
            }
            pending.extend_from_slice(&buf[..n]);
        }
        // Complete by its framing. Bytes the hub sent past it, if they have
        // arrived, make the page suspect; the close itself is not waited for.
        if decoder.is_done()
            && framing != Framing::UntilClose
            && stream.set_nonblocking(true).is_ok()
        {
            if let Ok(n) = stream.read(&mut buf[..1]) {
                if n > 0 {
                    decoder.feed(&buf[..n]).map_err(FetchError::Body)?;
                }
            }
        }
        Ok(Answer {
            status: head.code,
            reason: head.reason,
            location: head.location,
            body: decoder.finish().map_err(FetchError::Body)?,
        })
    }
}

/// A whole response of any final status ([`Hub::fetch_any`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub reason: String,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// Splits a checked authority (see `cli::parse_host`) into host and port.
fn split_authority(authority: &str) -> Result<(Target, u16), String> {
    let bad = || format!("{authority:?} is not HOST or HOST:PORT");
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (addr, after) = rest.split_once(']').ok_or_else(bad)?;
        let ip: Ipv6Addr = addr.parse().map_err(|_| bad())?;
        (Target::Ip(IpAddr::V6(ip)), after.strip_prefix(':'))
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err(bad());
        }
        match host.parse::<IpAddr>() {
            Ok(ip) => (Target::Ip(ip), port),
            Err(_) => (Target::Name(host.to_owned()), port),
        }
    };
    let port = match port {
        None => 80,
        Some(p) => parse_port(p).filter(|&p| p > 0).ok_or_else(bad)?,
    };
    Ok((host, port))
}

/// What is left of the deadline, or the step timed out.
fn time_left(deadline: Instant, step: Step) -> Result<Duration, FetchError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(FetchError::TimedOut(step))
    } else {
        Ok(left)
    }
}

/// Tries each address in turn, each with an equal share of what is left
/// (so a dead first address leaves time for the next).
fn connect(addrs: &[SocketAddr], deadline: Instant) -> Result<TcpStream, FetchError> {
    let mut last = FetchError::Resolve("the hub's name resolved to no address".into());
    for (i, addr) in addrs.iter().enumerate() {
        let left = time_left(deadline, Step::Connecting)?;
        let share = left / (addrs.len() - i) as u32;
        match TcpStream::connect_timeout(addr, share.max(Duration::from_millis(1))) {
            Ok(s) => return Ok(s),
            Err(e) => last = io_error(e, Step::Connecting, deadline),
        }
    }
    Err(last)
}

/// One read, bounded by what is left of the deadline. A timeout that fires
/// before the deadline (a signal, a coarse timer) only makes it wait again.
fn read(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
    step: Step,
) -> Result<usize, FetchError> {
    loop {
        let left = time_left(deadline, step)?;
        stream
            .set_read_timeout(Some(left))
            .map_err(|e| io_error(e, step, deadline))?;
        match stream.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if read_again(&e) => {}
            Err(e) => return Err(io_error(e, step, deadline)),
        }
    }
}

/// A read that ended with neither data nor a real error: its timeout fired
/// (a scheduler tick before the deadline, or a socket's own), or a signal
/// came. The caller reads again with what is left of its deadline.
fn read_again(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

fn io_error(e: io::Error, step: Step, deadline: Instant) -> FetchError {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => FetchError::Refused,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => FetchError::TimedOut(step),
        _ if Instant::now() >= deadline => FetchError::TimedOut(step),
        _ => FetchError::Io(step, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities() {
        for (given, shown) in [
            ("192.168.1.254", "192.168.1.254:80"),
            ("192.168.1.254:8080", "192.168.1.254:8080"),
            ("[::1]", "[::1]:80"),
            ("[fe80::1]:81", "[fe80::1]:81"),
            ("bthomehub.home", "bthomehub.home:80"),
            ("hub:9", "hub:9"),
        ] {
            let hub = Hub::new(given);
            assert_eq!(hub.authority(), shown, "{given}");
            assert!(hub.target.is_ok(), "{given}");
            assert_eq!(hub.referer(), format!("http://{given}/"));
        }
        assert_eq!(
            split_authority("[::1]:8080"),
            Ok((Target::Ip("::1".parse().unwrap()), 8080))
        );
        for bad in ["", ":80", "[::1", "[x]:1", "h:0", "h:99999", "h:x"] {
            assert!(split_authority(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ports_read_as_u16_parse_reads_them() {
        for p in crate::resolve::PORT_EDGES {
            let want = p.parse::<u16>().ok().filter(|&p| p > 0);
            let got = split_authority(&format!("h:{p}")).ok().map(|(_, p)| p);
            assert_eq!(got, want, "{p:?}");
        }
    }

    #[test]
    fn redirects_say_what_they_are() {
        let status = |code, location: Option<&str>| {
            FetchError::HttpStatus {
                code,
                reason: "R".into(),
                location: location.map(str::to_owned),
                referer: "http://hub/".into(),
            }
            .to_string()
        };
        for login in [
            "/login.htm",
            "login.htm?x=1",
            "http://192.168.1.254/login.cgi",
            "/LOGIN.HTM#a",
        ] {
            let s = status(302, Some(login));
            assert!(s.contains("login page") && s.contains(login), "{s}");
        }
        for other in [
            "/logi\u{e9}n.htm",
            "/\u{e9}\u{e9}\u{e9}",
            "https://192.168.1.254/nonAuth/wan_conn.xml",
            "/index.htm",
            "/loginfo/x.htm",
            "http://login.example/",
        ] {
            let s = status(301, Some(other));
            assert!(s.contains(&format!("redirected to {other}")), "{s}");
            assert!(!s.contains("login page"), "{s}");
        }
        assert!(status(304, None).contains("without a Location"));
        assert!(status(403, None).contains("Referer: http://hub/"));
        assert_eq!(status(404, None), "HTTP 404 R");
    }
}
