//! `smarthub-exporter dump DIR`: every page the exporter reads, and the
//! other login-free pages users have named, fetched once with the
//! exporter's own client (same Referer, same bounds) and written under DIR
//! at their paths (`DIR/nonAuth/wan_conn.xml`, ...), so a fake hub can serve
//! them again; with a `MANIFEST` saying what each page was and what each
//! collector made of it. Redacted by default ([`crate::redact`]).
//!
//! A directory, not a `.tar.gz`: an archive writer would be code (or a
//! dependency) in every router's binary for what `tar czf` does in one line.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::collector::{self, Collector};
use crate::hub::Hub;
use crate::redact::{Counts, Redactor};

/// Pages fetched besides the collectors' own (theirs and their fallbacks,
/// such as the EE hub's device page, come from the collector table): the
/// home and broadband pages users have asked about, which no collector reads.
pub const EXTRA_PAGES: &[&str] = &["/cgi/cgi_home.js", "/cgi/cgi_broadband.js"];

/// Every page a dump fetches, in order, with the collector that reads it.
pub fn pages() -> Vec<(&'static str, Option<&'static Collector>)> {
    let mut v: Vec<_> = collector::ALL
        .iter()
        .flat_map(|c| c.pages().into_iter().map(move |p| (p, Some(c))))
        .collect();
    v.extend(EXTRA_PAGES.iter().map(|&p| (p, None)));
    v
}

/// What `dump` was asked to do (checked by `cli`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub hub: String,
    /// Each page's own deadline: one slow page does not starve the rest.
    pub page_timeout: Duration,
    pub dir: PathBuf,
    pub redact: bool,
    pub keep_oui: bool,
}

/// Why a dump was not written.
#[derive(Debug)]
pub enum DumpError {
    /// DIR exists and is not empty (exit code 2, like any usage error).
    NotEmpty(PathBuf),
    /// Creating or writing a file failed.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for DumpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DumpError::NotEmpty(d) => write!(
                f,
                "{}: exists and is not empty; give a new or empty directory",
                d.display()
            ),
            DumpError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl DumpError {
    pub fn code(&self) -> u8 {
        match self {
            DumpError::NotEmpty(_) => 2,
            DumpError::Io(..) => 1,
        }
    }
}

/// Fetches, redacts and writes the pages; tells `err` (stderr) what it did.
pub fn run(opts: &Options, err: &mut dyn Write) -> Result<(), DumpError> {
    prepare(&opts.dir)?;
    let io_err = |p: &Path| {
        let p = p.to_path_buf();
        move |e| DumpError::Io(p, e)
    };
    if !opts.redact {
        let _ = writeln!(
            err,
            "WARNING: --no-redact: the pages are written exactly as the hub sent them, \
             with every MAC address, IP address, device name, serial number and SSID. \
             Do not attach them to a public issue."
        );
    }
    let hub = Hub::new(&opts.hub);
    let mut redactor = Redactor::new(opts.keep_oui);
    let mut manifest = header(opts, &hub);
    let mut written = 0;
    for (path, reader) in pages() {
        let started = Instant::now();
        let answer = hub.fetch_any(path, started + opts.page_timeout);
        let mut line = format!("{path}: ");
        let _ = writeln!(manifest, "\npage {path}");
        match answer {
            Err(e) => {
                let why = shown(&mut redactor, opts.redact, &e.to_string());
                let _ = writeln!(manifest, "  error: {why}");
                line += &format!("not fetched: {why}");
            }
            Ok(a) if a.status != 200 => {
                let status = a.status;
                let _ = write!(manifest, "  status: {status} {}", a.reason);
                if let Some(loc) = &a.location {
                    let _ = write!(
                        manifest,
                        " (Location: {})",
                        shown(&mut redactor, opts.redact, loc)
                    );
                }
                let _ = writeln!(manifest, "\n  bytes: {} (not written)", a.body.len());
                line += &format!(
                    "HTTP {status} {}, {} bytes, not written",
                    a.reason,
                    a.body.len()
                );
            }
            Ok(a) => {
                let (body, counts) = if opts.redact {
                    redactor.page(&a.body)
                } else {
                    (a.body.clone(), Counts::default())
                };
                let rel = path.trim_start_matches('/');
                let file = opts.dir.join(rel);
                if let Some(parent) = file.parent() {
                    std::fs::create_dir_all(parent).map_err(io_err(parent))?;
                }
                std::fs::write(&file, &body).map_err(io_err(&file))?;
                written += 1;
                let _ = writeln!(manifest, "  status: 200\n  bytes: {}", a.body.len());
                if body.len() != a.body.len() {
                    let _ = writeln!(manifest, "  bytes written: {}", body.len());
                }
                let _ = writeln!(manifest, "  file: {rel}");
                line += &format!("200, {} bytes", a.body.len());
                if let Some(c) = reader {
                    let reading = reading(c, &a.body, &body, opts, &mut redactor);
                    let _ = writeln!(manifest, "  collector {}: {reading}", c.name);
                    line += &format!("; collector {}: {reading}", c.name);
                }
                if opts.redact {
                    let _ = writeln!(manifest, "  redacted: {counts}");
                    line += &format!("; replaced {counts}");
                }
            }
        }
        let _ = writeln!(err, "  {line}");
    }
    let manifest_path = opts.dir.join("MANIFEST");
    std::fs::write(&manifest_path, manifest).map_err(io_err(&manifest_path))?;
    let _ = writeln!(
        err,
        "Wrote {written} pages and MANIFEST to {}",
        opts.dir.display()
    );
    if opts.redact {
        let _ = writeln!(
            err,
            "Redacted: MACs, public IP addresses, names, serial numbers, SSIDs and secrets \
             that it recognised; read the files before you attach them to an issue."
        );
    } else {
        let _ = writeln!(err, "NOT REDACTED (--no-redact): keep these files private.");
    }
    Ok(())
}

/// Refuses a DIR that holds anything: a dump never mixes with, or
/// overwrites, other files.
fn prepare(dir: &Path) -> Result<(), DumpError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(DumpError::NotEmpty(dir.to_path_buf()));
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| DumpError::Io(dir.to_path_buf(), e))
        }
        Err(e) => Err(DumpError::Io(dir.to_path_buf(), e)),
    }
}

/// Hub text in an error message, redacted like the pages.
fn shown(redactor: &mut Redactor, redact: bool, text: &str) -> String {
    if redact {
        redactor.text(text)
    } else {
        text.to_owned()
    }
}

/// What the collector made of the page as written; and of the page as the
/// hub sent it, when that differs (it must not: redaction keeps the syntax).
fn reading(
    c: &Collector,
    original: &[u8],
    written: &[u8],
    opts: &Options,
    redactor: &mut Redactor,
) -> String {
    let read = |body: &[u8]| match (c.read)(&mut body.to_vec(), Instant::now() + opts.page_timeout)
    {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    };
    let now = read(written);
    if !opts.redact {
        return now;
    }
    let before = read(original);
    if before == now {
        now
    } else {
        let before = redactor.text(&before);
        format!("{now} (redacted page); {before} (page as the hub sent it)")
    }
}

fn header(opts: &Options, hub: &Hub) -> String {
    let build = if cfg!(feature = "js") { "" } else { "-nojs" };
    let redaction = match (opts.redact, opts.keep_oui) {
        (false, _) => "off (--no-redact)",
        (true, false) => "on",
        (true, true) => "on, MACs keep their OUI (--keep-oui)",
    };
    format!(
        "smarthub-exporter dump\nversion: {}{build}\ntime: {}\nhub: {}\n\
         timeout: {}s per page\nredaction: {redaction}\n",
        env!("CARGO_PKG_VERSION"),
        rfc3339(SystemTime::now()),
        hub.authority(),
        opts.page_timeout.as_secs(),
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ`, by hand: the one date a dump writes is not worth
/// a calendar library in the router's binary.
fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        let at = |s| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_798_761_599), "2026-12-31T23:59:59Z");
        assert_eq!(at(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn every_collector_page_is_dumped_once() {
        let p = pages();
        for c in collector::ALL {
            assert_eq!(p.iter().filter(|(path, _)| *path == c.path).count(), 1);
        }
        for (i, (a, _)) in p.iter().enumerate() {
            assert!(p[i + 1..].iter().all(|(b, _)| a != b), "{a} twice");
            assert!(a.starts_with('/') && !a.contains(".."), "{a}");
        }
        assert!(p
            .iter()
            .any(|(path, c)| *path == "/cgi/cgi_myNetwork.js" && c.map(|c| c.name) == Some("lan")));
    }

    #[test]
    fn a_non_empty_dir_is_refused() {
        let dir = std::env::temp_dir().join(format!("smarthub-dump-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        prepare(&dir).unwrap();
        prepare(&dir).unwrap();
        std::fs::write(dir.join("x"), b"x").unwrap();
        assert!(matches!(prepare(&dir), Err(DumpError::NotEmpty(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
