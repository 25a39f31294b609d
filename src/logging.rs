//! The `log` backend: one line per record, at its severity, to wherever the
//! service manager keeps it.
//!
//! Why our own and not `simple_logger` (or any stderr logger): procd maps a
//! service's stderr to LOG_ERR and its stdout to LOG_INFO, so with a logger
//! that writes to stderr every line reaches `logread` as `daemon.err`, INFO
//! included, and a logger that writes to stderr cannot tell procd otherwise.
//! The fix is to speak to the system logger directly (`--syslog`: one
//! datagram per line on `/dev/log`, with the line's priority), which takes a
//! socket and a format line: less than the crate it replaces.
//!
//! - Default: `LEVEL message` on stderr, no timestamps (logd and journald add
//!   their own).
//! - Under systemd (`$JOURNAL_STREAM` names our stderr): each line starts
//!   with `<N>`, its syslog severity, which journald strips and records as
//!   the entry's priority (sd-daemon(3)).
//! - `--syslog`: RFC 3164-style datagrams `<PRI>smarthub-exporter[PID]: message`,
//!   facility daemon, which OpenWrt's logd, busybox syslogd, rsyslog and
//!   journald's `/dev/log` all accept (they add the time themselves).
//!
//! Every message has its control characters escaped (a hub-chosen string
//! must not be able to start a line of its own) and is cut at
//! [`MAX_MESSAGE_BYTES`].

use std::fmt::{self, Write as _};
use std::io::{self, Write as _};
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use log::{Level, LevelFilter, Log, Metadata, Record};

/// Where `--syslog` sends its datagrams.
pub const SYSLOG_SOCKET: &str = "/dev/log";
/// Overrides [`SYSLOG_SOCKET`]: a testing aid, so a test can receive what
/// the exporter sends without being the system logger.
pub const SYSLOG_SOCKET_ENV: &str = "SMARTHUB_EXPORTER_SYSLOG_SOCKET";
/// Set by systemd (systemd.exec(5)) to the `dev:ino` of the stream it
/// connected to stdout and stderr.
pub const JOURNAL_STREAM_ENV: &str = "JOURNAL_STREAM";
/// A message longer than this is cut (at a character boundary) and marked
/// with `…`, so that a datagram, with its PRI and tag, stays within RFC 3164's
/// 1024 bytes (§4.1) and a stderr line is one write below PIPE_BUF. No line
/// of ours needs more: the hub's own strings in them are already cut.
pub const MAX_MESSAGE_BYTES: usize = 960;
/// syslog's facility "daemon" (RFC 5424 §6.2.1: 3), shifted as in a PRI.
const FACILITY_DAEMON: u8 = 3 << 3;
const TAG: &str = "smarthub-exporter";

/// The syslog severity (RFC 5424 §6.2.1) of a `log` level. Debug and trace
/// both map to "debug": syslog has nothing below it.
pub fn severity(level: Level) -> u8 {
    match level {
        Level::Error => 3,
        Level::Warn => 4,
        Level::Info => 6,
        Level::Debug | Level::Trace => 7,
    }
}

/// Appends `message` to `out` with every control character (and the Unicode
/// line and paragraph separators) escaped as Rust does (`\n`, `\u{1b}`), and
/// cut to [`MAX_MESSAGE_BYTES`].
fn escape_into(out: &mut String, message: &str) {
    let start = out.len();
    for c in message.chars() {
        if out.len() - start >= MAX_MESSAGE_BYTES {
            out.push('…');
            return;
        }
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
}

/// A stderr line: `LEVEL message\n`, with `<N>` in front for journald.
fn stderr_line(level: Level, message: &str, journal: bool) -> String {
    let mut line = String::with_capacity(message.len() + 12);
    if journal {
        let _ = write!(line, "<{}>", severity(level));
    }
    line.push_str(level.as_str());
    line.push(' ');
    escape_into(&mut line, message);
    line.push('\n');
    line
}

/// A syslog datagram: `<PRI>smarthub-exporter[PID]: message`. No timestamp:
/// every syslogd adds its own, and OpenWrt's logd takes the first 16 bytes
/// after the PRI for one whenever the 16th is a space (in the tag it never is).
fn syslog_datagram(level: Level, pid: u32, message: &str) -> String {
    let mut line = String::with_capacity(message.len() + 32);
    let _ = write!(
        line,
        "<{}>{TAG}[{pid}]: ",
        FACILITY_DAEMON | severity(level)
    );
    escape_into(&mut line, message);
    line
}

/// Whether `$JOURNAL_STREAM` (`dev:ino`, decimal) names the file whose
/// `st_dev` and `st_ino` are given: sd-daemon(3) asks for exactly this
/// check, so that a stderr redirected elsewhere (a file, a pipe to `less`)
/// by a program systemd started gets no `<N>` prefixes.
fn journal_stream_is(value: &str, dev: u64, ino: u64) -> bool {
    let Some((d, i)) = value.trim().split_once(':') else {
        return false;
    };
    d.parse::<u64>().ok() == Some(dev) && i.parse::<u64>().ok() == Some(ino)
}

/// Whether our stderr is the journal's stream.
fn stderr_is_journal() -> bool {
    let Some(value) = std::env::var_os(JOURNAL_STREAM_ENV) else {
        return false;
    };
    let Some(value) = value.to_str() else {
        return false;
    };
    // SAFETY: fd 2 is only borrowed for fstat(2); ManuallyDrop keeps it open.
    let stderr = ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(2) });
    match stderr.metadata() {
        Ok(m) => journal_stream_is(value, m.dev(), m.ino()),
        Err(_) => false,
    }
}

fn write_stderr(line: &str) {
    // One write per line (stderr is unbuffered), so lines from two threads
    // never interleave. A failed write has nowhere to be reported.
    let _ = io::stderr().write_all(line.as_bytes());
}

struct Syslog {
    path: PathBuf,
    socket: UnixDatagram,
    pid: u32,
    /// Lines that fall back to stderr get journald's prefixes too.
    journal: bool,
    /// The last send failed and its line went to stderr: the next failure
    /// goes there without another notice.
    degraded: bool,
}

impl Syslog {
    fn connect(path: &Path) -> io::Result<UnixDatagram> {
        let socket = UnixDatagram::unbound()?;
        socket.connect(path)?;
        // A logger that stops reading must not stop the server: a full
        // queue is EAGAIN, and that line goes to stderr instead.
        socket.set_nonblocking(true)?;
        Ok(socket)
    }

    fn send(&mut self, level: Level, message: &str) {
        let datagram = syslog_datagram(level, self.pid, message);
        let mut result = self.socket.send(datagram.as_bytes());
        if let Err(e) = &result {
            // logd restarted (ECONNREFUSED, ENOENT until it binds again):
            // one new connection, then give up on this line.
            if e.kind() != io::ErrorKind::WouldBlock {
                result = Self::connect(&self.path).and_then(|s| {
                    self.socket = s;
                    self.socket.send(datagram.as_bytes())
                });
            }
        }
        match result {
            Ok(_) => self.degraded = false,
            Err(e) => {
                if !self.degraded {
                    self.degraded = true;
                    write_stderr(&stderr_line(
                        Level::Warn,
                        &format!(
                            "cannot send to the system logger at {}: {e}; \
                             writing to stderr until it answers again",
                            self.path.display()
                        ),
                        self.journal,
                    ));
                }
                write_stderr(&stderr_line(level, message, self.journal));
            }
        }
    }
}

enum Sink {
    Stderr { journal: bool },
    Syslog(Syslog),
}

struct Logger {
    level: LevelFilter,
    sink: Mutex<Sink>,
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = match record.args().as_str() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(record.args().to_string()),
        };
        // A panic while the lock was held cannot leave the sink half-made.
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        match &mut *sink {
            Sink::Stderr { journal } => {
                write_stderr(&stderr_line(record.level(), &message, *journal))
            }
            Sink::Syslog(s) => s.send(record.level(), &message),
        }
    }

    fn flush(&self) {}
}

/// Why logging could not start.
#[derive(Debug)]
pub struct InitError(log::SetLoggerError);

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Installs the logger: to the system logger with `syslog`, else to stderr.
/// When the system logger cannot be reached, says so once on stderr and
/// logs to stderr.
pub fn init(level: LevelFilter, syslog: bool) -> Result<(), InitError> {
    let journal = stderr_is_journal();
    let sink = if syslog {
        let path = std::env::var_os(SYSLOG_SOCKET_ENV)
            .filter(|p| !p.is_empty())
            .map_or_else(|| PathBuf::from(SYSLOG_SOCKET), PathBuf::from);
        match Syslog::connect(&path) {
            Ok(socket) => Sink::Syslog(Syslog {
                path,
                socket,
                pid: std::process::id(),
                journal,
                degraded: false,
            }),
            Err(e) => {
                write_stderr(&stderr_line(
                    Level::Warn,
                    &format!(
                        "--syslog: cannot reach the system logger at {}: {e}; logging to stderr",
                        path.display()
                    ),
                    journal,
                ));
                Sink::Stderr { journal }
            }
        }
    } else {
        Sink::Stderr { journal }
    };
    let logger: &'static Logger = Box::leak(Box::new(Logger {
        level,
        sink: Mutex::new(sink),
    }));
    log::set_logger(logger).map_err(InitError)?;
    log::set_max_level(level);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_lines_are_level_and_message() {
        assert_eq!(
            stderr_line(Level::Error, "GET /x: refused", false),
            "ERROR GET /x: refused\n"
        );
        assert_eq!(stderr_line(Level::Warn, "w", false), "WARN w\n");
        assert_eq!(stderr_line(Level::Info, "i", true), "<6>INFO i\n");
        assert_eq!(stderr_line(Level::Error, "e", true), "<3>ERROR e\n");
        assert_eq!(stderr_line(Level::Trace, "t", true), "<7>TRACE t\n");
    }

    #[test]
    fn a_message_cannot_start_a_line() {
        let forged = "name\nERROR forged\r\u{1b}[2J\u{85}\u{2028}x\0";
        let line = stderr_line(Level::Info, forged, true);
        assert_eq!(line.matches('\n').count(), 1, "{line:?}");
        assert!(line.ends_with('\n'));
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\n'),
            "{line:?}"
        );
        assert_eq!(
            line,
            "<6>INFO name\\nERROR forged\\r\\u{1b}[2J\\u{85}\\u{2028}x\\u{0}\n"
        );
        let d = syslog_datagram(Level::Info, 1, forged);
        assert!(!d.chars().any(char::is_control), "{d:?}");
    }

    #[test]
    fn long_messages_are_cut_at_a_character() {
        let long = "é".repeat(MAX_MESSAGE_BYTES);
        let mut out = String::new();
        escape_into(&mut out, &long);
        assert!(out.ends_with('…'));
        assert!(out.len() <= MAX_MESSAGE_BYTES + 4 + '…'.len_utf8());
        let mut short = String::new();
        escape_into(&mut short, "fits");
        assert_eq!(short, "fits");
    }

    #[test]
    fn syslog_priorities_are_facility_daemon() {
        assert_eq!(
            syslog_datagram(Level::Info, 42, "up"),
            "<30>smarthub-exporter[42]: up"
        );
        assert!(syslog_datagram(Level::Warn, 1, "").starts_with("<28>"));
        assert!(syslog_datagram(Level::Error, 1, "").starts_with("<27>"));
        assert!(syslog_datagram(Level::Debug, 1, "").starts_with("<31>"));
        assert!(syslog_datagram(Level::Trace, 1, "").starts_with("<31>"));
    }

    #[test]
    fn datagrams_fit_rfc_3164_and_logd_sees_no_timestamp() {
        let long = "\u{1}".repeat(4 * MAX_MESSAGE_BYTES);
        assert!(syslog_datagram(Level::Error, u32::MAX, &long).len() <= 1024);
        let d = syslog_datagram(Level::Info, 7, "a b c d e f g h i j");
        let after_pri = &d.as_bytes()[d.find('>').unwrap() + 1..];
        assert_ne!(after_pri[15], b' ', "{d}");
    }

    #[test]
    fn journal_stream_must_name_this_file() {
        assert!(journal_stream_is("8:12345", 8, 12345));
        assert!(journal_stream_is("8:12345\n", 8, 12345));
        assert!(!journal_stream_is("8:12346", 8, 12345));
        assert!(!journal_stream_is("9:12345", 8, 12345));
        for bad in ["", "8", "8:", ":12345", "x:y", "8:12345:1", "-8:12345"] {
            assert!(!journal_stream_is(bad, 8, 12345), "{bad:?}");
        }
    }
}
