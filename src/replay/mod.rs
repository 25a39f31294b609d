//! `--replay DIR`: the hub's pages read from a directory laid out as `dump`
//! writes it (each page at its path under DIR, `DIR/nonAuth/wan_conn.xml`,
//! `DIR/cgi/cgi_basicMyDevice.js`, .., and a text `DIR/MANIFEST`), instead
//! of over HTTP. Only the fetch differs: the scrape reads what [`Replay`]
//! returns with the same parsers, bounds, cache and self-metrics as a live
//! page (see [`crate::source`]).
//!
//! A page file is read as a hub's body is: [`MAX_BODY_BYTES`] at most (a
//! bigger file is refused with the words of a bigger body, and never read
//! past the cap); only a regular file inside DIR is read: a FIFO, a device,
//! a directory or a symbolic link that leads out of DIR is refused naming
//! the file, and the type is checked before the file is opened (and opened
//! non-blocking, without following a link), so nothing there can hang a
//! scrape. A page that is not in DIR answers as a hub without that page:
//! 404, the collector unavailable ([`ReplayError::NotFound`]). Nothing here
//! opens a socket.
//!
//! From the MANIFEST only its header is read (the lines before the first
//! empty one): `replay-advance: BYTES` asks for byte counters that move, so
//! that `rate()` panels over a recording show traffic rather than 0;
//! `replay-day: MINUTES` for that many minutes of history at start
//! ([`day`]); every other line is for people and is ignored. A user's dump
//! replays exactly. The `n`-th read of a page (from 0) is rewritten by its
//! collector's `advance` (a column of [`collector::ALL`]) with the step
//! `n × BYTES` before the parser sees it, so what is read is read by the
//! same code as a live page; the reads of `replay-day`'s past are rewritten
//! with a negative `n`, as many reads before the recording as they are
//! minutes old ([`Replay::rewind`]). Each page's advance, beside its parser,
//! says which counters move and by what multiples of the step (the WAN
//! volume row, the device page's `rate` rows); nothing else moves: uptimes
//! and sync rates stay as recorded, and a page whose collector has no
//! advance replays as recorded.

pub mod day;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::fs::{self, File, FileType};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::collector;
use crate::hub::MAX_BODY_BYTES;

/// The recording's description, beside its pages.
pub const MANIFEST: &str = "MANIFEST";
/// The MANIFEST header key that asks for counters that move.
pub const ADVANCE_KEY: &str = "replay-advance";
/// The largest advance accepted, in bytes per read of a page: 1 GiB, far
/// past any line's traffic in a scrape interval.
pub const MAX_ADVANCE: u64 = 1 << 30;
/// The MANIFEST header key that asks for a day of history at start.
pub const DAY_KEY: &str = "replay-day";

/// Why a recording gives no page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayError {
    /// No such file: the recording has no such page, as a hub without it
    /// answers 404.
    NotFound,
    /// A file larger than a hub's body may be ([`MAX_BODY_BYTES`]), refused
    /// in the words of a bigger body.
    TooLarge,
    /// A file replay may not or cannot read: the message names it and why.
    File(String),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::NotFound => {
                f.write_str("HTTP 404 Not Found (no such file in the recording)")
            }
            ReplayError::TooLarge => write!(f, "body larger than {MAX_BODY_BYTES} bytes"),
            ReplayError::File(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ReplayError {}

/// A recording, checked at start (see `cli`): DIR is a directory, and its
/// MANIFEST, if any, is readable with a valid header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// As given, for log lines.
    pub shown: String,
    /// Canonical: every page must lie under it.
    pub dir: PathBuf,
    /// `replay-advance`, when the MANIFEST asks for it.
    pub advance: Option<u64>,
    /// `replay-day`, when the MANIFEST asks for it: minutes to replay.
    pub day: Option<u32>,
}

impl Recording {
    pub fn open(dir: &str) -> Result<Recording, String> {
        let meta = fs::metadata(dir).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => "no such directory".to_owned(),
            _ => e.to_string(),
        })?;
        if !meta.is_dir() {
            return Err("not a directory".into());
        }
        let canonical = fs::canonicalize(dir).map_err(|e| e.to_string())?;
        let (advance, day) = match read_file(&canonical, Path::new(MANIFEST), dir) {
            Ok(text) => {
                let text = String::from_utf8_lossy(&text);
                let header = |e| format!("{MANIFEST}: {e}");
                (
                    header_advance(&text).map_err(header)?,
                    day::header_day(&text).map_err(header)?,
                )
            }
            Err(ReplayError::NotFound) => (None, None),
            Err(e) => return Err(e.to_string()),
        };
        Ok(Recording {
            shown: dir.to_owned(),
            dir: canonical,
            advance,
            day,
        })
    }
}

/// The advance named by a MANIFEST's header, if any.
fn header_advance(manifest: &str) -> Result<Option<u64>, String> {
    let mut advance = None;
    for line in manifest.lines().take_while(|l| !l.trim().is_empty()) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.trim() != ADVANCE_KEY {
            continue;
        }
        let value = value.trim();
        match value.parse::<u64>() {
            Ok(n) if (1..=MAX_ADVANCE).contains(&n) && advance.is_none() => advance = Some(n),
            Ok(_) if advance.is_some() => return Err(format!("{ADVANCE_KEY} given twice")),
            _ => {
                return Err(format!(
                    "{ADVANCE_KEY}: {value:?} is not a number of bytes from 1 to {MAX_ADVANCE}"
                ))
            }
        }
    }
    Ok(advance)
}

/// The page source of `--replay`.
#[derive(Debug)]
pub struct Replay {
    recording: Recording,
    /// How often each page has been read, for its advance.
    reads: RefCell<Vec<(String, u64)>>,
    /// While set, reads are that many steps before the recording (the
    /// scrapes of `replay-day`), and not counted.
    back: Cell<Option<u64>>,
}

impl Replay {
    pub fn new(recording: Recording) -> Replay {
        Replay {
            recording,
            reads: RefCell::new(Vec::new()),
            back: Cell::new(None),
        }
    }

    /// How log lines name it: in place of the hub's `host:port`.
    pub fn name(&self) -> String {
        format!("recorded in {}", self.recording.shown)
    }

    /// Makes the next reads `steps` reads before the recording (`None`:
    /// reads as usual again). The recording is the hub now: the day before
    /// it had lower counters.
    pub fn rewind(&self, steps: Option<u64>) {
        self.back.set(steps);
    }

    /// The page at `path`, as [`crate::hub::Hub::fetch`] returns a body.
    /// Reading a file is not bounded by the scrape's deadline; the source
    /// does not start one once nothing is left of it.
    pub fn fetch(&self, path: &str) -> Result<Vec<u8>, ReplayError> {
        let rel = relative(path).ok_or_else(|| {
            ReplayError::File(format!("{path:?} is not a page path a recording can hold"))
        })?;
        let body = read_file(&self.recording.dir, &rel, &self.recording.shown)?;
        let Some(bytes) = self.recording.advance else {
            return Ok(body);
        };
        if let Some(steps) = self.back.get() {
            let n = -i64::try_from(steps).unwrap_or(i64::MAX);
            return Ok(advanced(path, body, bytes, n));
        }
        let n = {
            let mut reads = self.reads.borrow_mut();
            match reads.iter_mut().find(|(p, _)| p == path) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    reads.push((path.to_owned(), 0));
                    0
                }
            }
        };
        Ok(advanced(
            path,
            body,
            bytes,
            i64::try_from(n).unwrap_or(i64::MAX),
        ))
    }
}

/// `body` of page `path` as its `n`-th read with `bytes` per read (`n`
/// reads before the recording, when negative): moved by its collector's
/// advance, if it has one. A step past an `i64` leaves the page as
/// recorded.
fn advanced(path: &str, body: Vec<u8>, bytes: u64, n: i64) -> Vec<u8> {
    let step = i64::try_from(bytes).ok().and_then(|b| b.checked_mul(n));
    let Some(step) = step.filter(|&s| s != 0) else {
        return body;
    };
    let advance = collector::ALL
        .iter()
        .find(|c| c.pages().contains(&path))
        .and_then(|c| c.advance);
    match advance {
        Some(advance) => advance(&body, step),
        None => body,
    }
}

/// `/cgi/x.js` as `cgi/x.js`: every part a plain name, so the join stays
/// under DIR whatever the path holds.
fn relative(path: &str) -> Option<PathBuf> {
    let rest = path.strip_prefix('/')?;
    let mut rel = PathBuf::new();
    for part in rest.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\0') {
            return None;
        }
        rel.push(part);
    }
    Some(rel)
}

/// `dir/rel`, a regular file under `dir`, read whole up to the body cap.
fn read_file(dir: &Path, rel: &Path, shown: &str) -> Result<Vec<u8>, ReplayError> {
    let named = Path::new(shown).join(rel);
    let named = named.display();
    let refused =
        |why: String| ReplayError::File(format!("{named}: {why}; replay reads regular files only"));
    let real = match fs::canonicalize(dir.join(rel)) {
        Ok(p) => p,
        Err(e) if missing(&e) => return Err(ReplayError::NotFound),
        Err(e) => return Err(ReplayError::File(format!("{named}: {e}"))),
    };
    if !real.starts_with(dir) {
        return Err(ReplayError::File(format!(
            "{named}: a symbolic link to {}, outside the recording: refused",
            real.display()
        )));
    }
    // The type before opening: opening a FIFO waits for a writer, and
    // opening a device can do anything the device does on open.
    let meta = fs::metadata(&real).map_err(|e| ReplayError::File(format!("{named}: {e}")))?;
    if !meta.is_file() {
        return Err(refused(format!("is {}", kind(meta.file_type()))));
    }
    if meta.len() > MAX_BODY_BYTES as u64 {
        return Err(ReplayError::TooLarge);
    }
    // Non-blocking and not through a link: what was checked may have been
    // swapped since; the opened file's own type is checked again.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(&real)
        .map_err(|e| ReplayError::File(format!("{named}: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| ReplayError::File(format!("{named}: {e}")))?;
    if !meta.is_file() {
        return Err(refused(format!("is {}", kind(meta.file_type()))));
    }
    read_capped(&file, meta.len()).map_err(|e| match e {
        Some(e) => ReplayError::File(format!("{named}: {e}")),
        None => ReplayError::TooLarge,
    })
}

/// The file's bytes, at most [`MAX_BODY_BYTES`]: `Err(None)` when there
/// are more (a file that grew since its size was read).
fn read_capped(file: &File, len: u64) -> Result<Vec<u8>, Option<io::Error>> {
    let mut body = Vec::with_capacity(len.min(MAX_BODY_BYTES as u64) as usize);
    file.take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut body)
        .map_err(Some)?;
    if body.len() > MAX_BODY_BYTES {
        return Err(None);
    }
    Ok(body)
}

/// No such file, or a part of the path that is a file, not a directory:
/// either way the recording has no such page.
fn missing(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}

fn kind(t: FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_never_leave_the_directory() {
        assert_eq!(
            relative("/cgi/cgi_owl.js"),
            Some(PathBuf::from("cgi/cgi_owl.js"))
        );
        for bad in [
            "cgi/x.js",
            "/../etc/passwd",
            "/cgi/../../x",
            "//etc/passwd",
            "/cgi//x",
            "/./x",
            "/",
            "/x\0y",
        ] {
            assert_eq!(relative(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn each_read_advances_a_page_by_its_collectors_advance() {
        let (wan, lan) = (
            collector::by_name("wan").unwrap(),
            collector::by_name("lan").unwrap(),
        );
        let wan_page = include_bytes!("../../tests/fixtures/hub/wan.xml");
        let lan_page = b"var rate = [{mac:'a',tx:'100',rx:'1000'},null];\n";
        // The third read (n = 2) with 10 bytes a read: a step of 20.
        let moved = (wan.advance.unwrap())(wan_page, 20);
        assert_ne!(moved, wan_page);
        assert_eq!(advanced(wan.path, wan_page.to_vec(), 10, 2), moved);
        // Every page of the collector: the EE hub's device page too.
        for path in lan.pages() {
            assert_eq!(
                advanced(path, lan_page.to_vec(), 10, 2),
                b"var rate = [{mac:'a',tx:'120',rx:'1080'},null];\n",
                "{path}"
            );
        }
        // Three reads before the recording (`replay-day`): a step of -30.
        let back = (wan.advance.unwrap())(wan_page, -30);
        assert_ne!(back, wan_page);
        assert_eq!(advanced(wan.path, wan_page.to_vec(), 10, -3), back);
        assert_eq!(
            advanced(lan.path, lan_page.to_vec(), 10, -3),
            b"var rate = [{mac:'a',tx:'70',rx:'880'},null];\n"
        );
        // The first read, no advance, a step past an i64 either way, or a
        // page whose collector has no advance: the page as recorded.
        let without = collector::ALL.iter().find(|c| c.advance.is_none()).unwrap();
        for (path, bytes, n) in [
            (wan.path, 10, 0),
            (wan.path, 0, 9),
            (wan.path, u64::MAX, 2),
            (wan.path, 1 << 30, i64::MAX),
            (wan.path, 1 << 30, i64::MIN),
            (without.path, 10, 2),
            ("/not/a/page", 10, 2),
        ] {
            assert_eq!(
                advanced(path, lan_page.to_vec(), bytes, n),
                lan_page,
                "{path}"
            );
            assert_eq!(
                advanced(path, wan_page.to_vec(), bytes, n),
                wan_page,
                "{path}"
            );
        }
    }

    #[test]
    fn the_manifest_header_asks_for_the_advance() {
        let dump = "smarthub-exporter dump\nversion: 0.1.0\nhub: 192.168.1.254:80\n\npage /x\n  replay-advance: 7\n";
        assert_eq!(header_advance(dump), Ok(None), "only the header counts");
        assert_eq!(
            header_advance("smarthub-exporter dump\nreplay-advance: 50000\n\npage /x\n"),
            Ok(Some(50000))
        );
        for bad in [
            "replay-advance: 0",
            "replay-advance: -1",
            "replay-advance: 1e3",
            "replay-advance: 1073741825",
            "replay-advance: 5\nreplay-advance: 6",
        ] {
            assert!(header_advance(bad).is_err(), "{bad:?}");
        }
    }
}
