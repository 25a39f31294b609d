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
//! 404, the collector unavailable. Nothing here opens a socket.
//!
//! From the MANIFEST only its header is read (the lines before the first
//! empty one): `replay-advance: BYTES` asks for counters that move
//! ([`advance`]); `replay-day: MINUTES` for that many minutes of history at
//! start ([`day`]); every other line is for people and is ignored.

pub mod advance;
pub mod day;

use std::cell::{Cell, RefCell};
use std::fs::{self, File, FileType};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::hub::response::BodyError;
use crate::hub::{FetchError, MAX_BODY_BYTES};

/// The recording's description, beside its pages.
pub const MANIFEST: &str = "MANIFEST";
/// The MANIFEST header key that asks for counters that move.
pub const ADVANCE_KEY: &str = "replay-advance";
/// The largest advance accepted, in bytes per read of a page: 1 GiB, far
/// past any line's traffic in a scrape interval.
pub const MAX_ADVANCE: u64 = 1 << 30;
/// The MANIFEST header key that asks for a day of history at start.
pub const DAY_KEY: &str = "replay-day";

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
            Err(FetchError::Status { code: 404, .. }) => (None, None),
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
    /// How often each page has been read, for [`advance`].
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

    pub fn advance(&self) -> Option<u64> {
        self.recording.advance
    }

    /// Makes the next reads `steps` reads before the recording (`None`:
    /// reads as usual again). The recording is the hub now: the day before
    /// it had lower counters.
    pub fn rewind(&self, steps: Option<u64>) {
        self.back.set(steps);
    }

    /// The page at `path`, as [`crate::hub::Hub::fetch`] returns a body.
    pub fn fetch(&self, path: &str, deadline: Instant) -> Result<Vec<u8>, FetchError> {
        if Instant::now() >= deadline {
            return Err(FetchError::NoTimeLeft);
        }
        let rel = relative(path).ok_or_else(|| {
            FetchError::File(format!("{path:?} is not a page path a recording can hold"))
        })?;
        let body = read_file(&self.recording.dir, &rel, &self.recording.shown)?;
        let Some(bytes) = self.recording.advance else {
            return Ok(body);
        };
        if let Some(steps) = self.back.get() {
            let n = -i64::try_from(steps).unwrap_or(i64::MAX);
            return Ok(advance::page(path, body, bytes, n));
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
        Ok(advance::page(path, body, bytes, n as i64))
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

/// A page answer of 404: what a hub without the page says.
fn not_found() -> FetchError {
    FetchError::Status {
        code: 404,
        reason: "Not Found (no such file in the recording)".into(),
        location: None,
        referer: String::new(),
    }
}

/// `dir/rel`, a regular file under `dir`, read whole up to the body cap.
fn read_file(dir: &Path, rel: &Path, shown: &str) -> Result<Vec<u8>, FetchError> {
    let named = Path::new(shown).join(rel);
    let named = named.display();
    let refused =
        |why: String| FetchError::File(format!("{named}: {why}; replay reads regular files only"));
    let real = match fs::canonicalize(dir.join(rel)) {
        Ok(p) => p,
        Err(e) if missing(&e) => return Err(not_found()),
        Err(e) => return Err(FetchError::File(format!("{named}: {e}"))),
    };
    if !real.starts_with(dir) {
        return Err(FetchError::File(format!(
            "{named}: a symbolic link to {}, outside the recording: refused",
            real.display()
        )));
    }
    // The type before opening: opening a FIFO waits for a writer, and
    // opening a device can do anything the device does on open.
    let meta = fs::metadata(&real).map_err(|e| FetchError::File(format!("{named}: {e}")))?;
    if !meta.is_file() {
        return Err(refused(format!("is {}", kind(meta.file_type()))));
    }
    if meta.len() > MAX_BODY_BYTES as u64 {
        return Err(FetchError::Body(BodyError::TooLarge));
    }
    // Non-blocking and not through a link: what was checked may have been
    // swapped since; the opened file's own type is checked again.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(&real)
        .map_err(|e| FetchError::File(format!("{named}: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| FetchError::File(format!("{named}: {e}")))?;
    if !meta.is_file() {
        return Err(refused(format!("is {}", kind(meta.file_type()))));
    }
    read_capped(&file, meta.len()).map_err(|e| match e {
        Some(e) => FetchError::File(format!("{named}: {e}")),
        None => FetchError::Body(BodyError::TooLarge),
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
