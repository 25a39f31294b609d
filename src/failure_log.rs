//! What a scrape logs about its pages, rate-limited so that a router can
//! keep the log: a hub that is down for a day writes a few kilobytes, not
//! one line per page per scrape (which filled OpenWrt's 64 KiB log ring in
//! under an hour and pushed everything else out).
//!
//! Per page:
//! - a failure is one ERROR line when it starts; while the page keeps
//!   failing the same way, a reminder with the count of failed scrapes,
//!   first after [`FIRST_REMINDER`], then at twice the last gap, up to
//!   [`MAX_REMINDER_GAP`]; a different failure is a line of its own;
//! - one INFO line when the page recovers, with how long and for how many
//!   scrapes it was down;
//! - a page that keeps failing and recovering the same way (a flaky hub)
//!   gets, after the first outage, at most one failure and one recovery line
//!   per [`FIRST_REMINDER`]; the recovery line counts the outages between;
//! - a note (a warning the page's reader returned as data, say
//!   "known_device_list: 5000 devices, cut to 4096") is one WARN line when it
//!   first appears and reminders on the same schedule while it persists.
//!
//! "The same way" is the message with every run of digits folded to `#`
//! ([`key`]): the numbers in a message (bytes received, a line number, a
//! port, an errno) change from one scrape to the next without the failure
//! being another, while the words name the kind of failure, for every error
//! type a page can return, hub client, readers and limits alike. A key
//! chosen by the hub (a redirect's location) could change every time: a page
//! keeps at most [`MAX_KEYS`] of them, and counts the rest as one.
//!
//! The state machine is pure: the caller passes the time in and writes the
//! [`Line`]s it returns, so the limits are unit-tested with a simulated clock.

use std::fmt::{self, Write as _};
use std::time::{Duration, Instant};

use log::Level;

/// The first reminder of a failure or note comes this long after its first
/// line; a failure or note not seen for this long is forgotten (its return is
/// news again).
pub const FIRST_REMINDER: Duration = Duration::from_secs(10 * 60);
/// Reminders double their gap up to this: a day of a hub that is down is
/// then 10 lines per page (the first, reminders at 10, 30, 70, 150 and 310
/// minutes, then every 4 h), under 10 KB for all four pages.
pub const MAX_REMINDER_GAP: Duration = Duration::from_secs(4 * 3600);
/// Distinct failures (or notes) remembered per page; more count as one.
pub const MAX_KEYS: usize = 8;
const OTHER_KEY: &str = "\0other";

/// A line to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub level: Level,
    pub text: String,
}

impl Line {
    /// Writes the line through `log`.
    pub fn emit(&self) {
        log::log!(self.level, "{}", self.text);
    }
}

/// What a failure or note is, for "the same way": the message with each run
/// of ASCII digits replaced by `#`.
pub fn key(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_digits = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// `1h 5m`, `10m 0s`, `45s`: an outage's length, to the second.
pub struct Human(pub Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.as_secs();
        match (s / 3600, s / 60 % 60, s % 60) {
            (0, 0, sec) => write!(f, "{sec}s"),
            (0, min, sec) => write!(f, "{min}m {sec}s"),
            (h, min, _) => write!(f, "{h}h {min}m"),
        }
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One failure (or note) of a page, while it is remembered.
#[derive(Debug)]
struct Entry {
    key: String,
    since: Instant,
    /// Scrapes it was seen in, since `since`.
    count: u64,
    last_seen: Instant,
    last_line: Instant,
    /// How long after `last_line` the next reminder is due.
    gap: Duration,
}

impl Entry {
    fn due(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last_line) >= self.gap
    }

    fn lined(&mut self, now: Instant) {
        self.last_line = now;
        self.gap = (self.gap * 2).min(MAX_REMINDER_GAP);
    }
}

/// The remembered failures or notes of one page.
#[derive(Debug, Default)]
struct Entries(Vec<Entry>);

impl Entries {
    /// Forgets what was not seen for [`FIRST_REMINDER`].
    fn forget_stale(&mut self, now: Instant) {
        self.0
            .retain(|e| now.saturating_duration_since(e.last_seen) < FIRST_REMINDER);
    }

    /// Counts one sighting of `key`; returns its entry and whether it is new.
    fn hit(&mut self, now: Instant, key: String) -> (&mut Entry, bool) {
        self.forget_stale(now);
        // Once full, every new key counts as "other" until that has not
        // been seen for FIRST_REMINDER: a hub that makes up a new message
        // each time fills the table once, not once per FIRST_REMINDER.
        let overflow = self.0.iter().any(|e| e.key == OTHER_KEY);
        let known = self.0.iter().any(|e| e.key == key);
        let key = if known || (!overflow && self.0.len() < MAX_KEYS - 1) {
            key
        } else {
            OTHER_KEY.to_owned()
        };
        let (i, new) = match self.0.iter().position(|e| e.key == key) {
            Some(i) => (i, false),
            None => {
                self.0.push(Entry {
                    key,
                    since: now,
                    count: 0,
                    last_seen: now,
                    last_line: now,
                    gap: FIRST_REMINDER,
                });
                (self.0.len() - 1, true)
            }
        };
        let e = &mut self.0[i];
        e.count += 1;
        e.last_seen = now;
        (e, new)
    }
}

#[derive(Debug)]
struct Outage {
    since: Instant,
    failed: u64,
    /// A line said the page is failing, so its recovery gets one too.
    announced: bool,
}

#[derive(Debug)]
struct Page {
    path: String,
    failures: Entries,
    notes: Entries,
    outage: Option<Outage>,
    last_recovery_line: Option<Instant>,
    /// Outages since the last recovery line that were neither announced nor
    /// told of (a flaky page between its lines).
    quiet_outages: u64,
}

/// The log state of every page of one hub.
#[derive(Debug)]
pub struct FailureLog {
    hub: String,
    pages: Vec<Page>,
}

impl FailureLog {
    /// `hub` as lines name it: the hub's `host:port`, or the recording
    /// replayed (the scrape's source decides).
    pub fn new(hub: impl Into<String>) -> Self {
        FailureLog {
            hub: hub.into(),
            pages: Vec::new(),
        }
    }

    /// The hub, as lines name it.
    pub fn hub(&self) -> &str {
        &self.hub
    }

    fn page(&mut self, path: &str) -> &mut Page {
        let i = match self.pages.iter().position(|p| p.path == path) {
            Some(i) => i,
            None => {
                self.pages.push(Page {
                    path: path.to_owned(),
                    failures: Entries::default(),
                    notes: Entries::default(),
                    outage: None,
                    last_recovery_line: None,
                    quiet_outages: 0,
                });
                self.pages.len() - 1
            }
        };
        &mut self.pages[i]
    }

    fn line(&self, level: Level, path: &str, text: fmt::Arguments) -> Line {
        let mut t = format!("GET {path} from hub {}: ", self.hub);
        let _ = t.write_fmt(text);
        Line { level, text: t }
    }

    /// A scrape of `path` at `now` failed with `error`: the line to write,
    /// if one is due.
    pub fn failed(&mut self, now: Instant, path: &str, error: &dyn fmt::Display) -> Option<Line> {
        let message = error.to_string();
        let page = self.page(path);
        let recovery_line = page.last_recovery_line;
        let outage = page.outage.get_or_insert(Outage {
            since: now,
            failed: 0,
            announced: false,
        });
        outage.failed += 1;
        let announced = outage.announced;
        let (entry, new) = page.failures.hit(now, key(&message));
        let what = if new {
            Some(None)
        } else if !announced {
            // The page failed this way shortly before, recovered, and fails
            // again: said at most once per FIRST_REMINDER after a recovery.
            let quiet =
                recovery_line.is_some_and(|t| now.saturating_duration_since(t) < FIRST_REMINDER);
            (!quiet).then_some(Some("failing again"))
        } else if entry.due(now) {
            Some(Some("still failing"))
        } else {
            None
        }?;
        if !new {
            entry.lined(now);
        }
        let (since, count) = (entry.since, entry.count);
        if let Some(o) = page.outage.as_mut() {
            o.announced = true;
        }
        Some(match what {
            None => self.line(Level::Error, path, format_args!("{message}")),
            Some(how) => self.line(
                Level::Error,
                path,
                format_args!(
                    "{how} ({} in {}): {message}",
                    plural(count, "failed scrape"),
                    Human(now.saturating_duration_since(since)),
                ),
            ),
        })
    }

    /// A scrape of `path` at `now` succeeded: the recovery line, if the page
    /// was failing and said so.
    pub fn succeeded(&mut self, now: Instant, path: &str) -> Option<Line> {
        let page = self.page(path);
        page.failures.forget_stale(now);
        let outage = page.outage.take()?;
        if !outage.announced {
            page.quiet_outages += 1;
            return None;
        }
        page.last_recovery_line = Some(now);
        let quiet = std::mem::take(&mut page.quiet_outages);
        let mut tail = String::new();
        if quiet > 0 {
            let _ = write!(
                tail,
                ", after {} since the previous recovery line",
                plural(quiet, "short outage")
            );
        }
        Some(self.line(
            Level::Info,
            path,
            format_args!(
                "recovered after {} ({}){tail}",
                Human(now.saturating_duration_since(outage.since)),
                plural(outage.failed, "failed scrape"),
            ),
        ))
    }

    /// The notes a successful scrape of `path` at `now` returned (warnings
    /// as data): a WARN line for each new one, a reminder for each one that
    /// persists and is due.
    pub fn notes<S: AsRef<str>>(&mut self, now: Instant, path: &str, notes: &[S]) -> Vec<Line> {
        let page = self.page(path);
        let mut due: Vec<(Option<(u64, Duration)>, &str)> = Vec::new();
        for note in notes {
            let note = note.as_ref();
            let (entry, new) = page.notes.hit(now, key(note));
            if new {
                due.push((None, note));
            } else if entry.due(now) {
                entry.lined(now);
                due.push((
                    Some((entry.count, now.saturating_duration_since(entry.since))),
                    note,
                ));
            }
        }
        page.notes.forget_stale(now);
        due.into_iter()
            .map(|(again, note)| match again {
                None => self.line(Level::Warn, path, format_args!("{note}")),
                Some((count, dur)) => self.line(
                    Level::Warn,
                    path,
                    format_args!(
                        "still so ({} in {}): {note}",
                        plural(count, "scrape"),
                        Human(dur)
                    ),
                ),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAN: &str = "/nonAuth/wan_conn.xml";
    const LAN: &str = "/cgi/cgi_basicMyDevice.js";
    const PAGES: [&str; 4] = [WAN, LAN, "/cgi/cgi_basicStatus.js", "/cgi/cgi_owl.js"];
    const INTERVAL: Duration = Duration::from_secs(15);

    fn log() -> FailureLog {
        FailureLog::new("192.168.1.254:80")
    }

    /// Bytes of a line as the stderr logger writes it: `LEVEL text\n`.
    fn bytes(l: &Line) -> usize {
        l.level.as_str().len() + 1 + l.text.len() + 1
    }

    #[test]
    fn keys_fold_digit_runs() {
        assert_eq!(
            key("body truncated: 123 of 4567 bytes"),
            key("body truncated: 9 of 4568 bytes")
        );
        assert_eq!(key("line 12: x"), "line #: x");
        assert_ne!(key("connection refused"), key("timed out"));
        assert_ne!(
            key("HTTP 404 Not Found"),
            key("HTTP 500 Internal Server Error")
        );
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(Human(Duration::from_secs(45)).to_string(), "45s");
        assert_eq!(Human(Duration::from_secs(600)).to_string(), "10m 0s");
        assert_eq!(Human(Duration::from_secs(3900)).to_string(), "1h 5m");
    }

    #[test]
    fn one_line_when_it_starts_reminders_then_recovery() {
        let mut l = log();
        let t0 = Instant::now();
        let first = l.failed(t0, WAN, &"connection refused").unwrap();
        assert_eq!(first.level, Level::Error);
        assert_eq!(
            first.text,
            "GET /nonAuth/wan_conn.xml from hub 192.168.1.254:80: connection refused"
        );
        let mut lines = Vec::new();
        // 9 min 45 s of failures every 15 s: nothing more.
        for i in 1..40u32 {
            lines.extend(l.failed(t0 + INTERVAL * i, WAN, &"connection refused"));
        }
        assert!(lines.is_empty(), "{lines:?}");
        let r = l
            .failed(t0 + INTERVAL * 40, WAN, &"connection refused")
            .unwrap();
        assert_eq!(r.level, Level::Error);
        assert!(
            r.text
                .ends_with("still failing (41 failed scrapes in 10m 0s): connection refused"),
            "{}",
            r.text
        );
        // The next reminder is 20 minutes later, not 10.
        for i in 41..120u32 {
            assert_eq!(
                l.failed(t0 + INTERVAL * i, WAN, &"connection refused"),
                None,
                "{i}"
            );
        }
        assert!(l
            .failed(t0 + INTERVAL * 120, WAN, &"connection refused")
            .is_some());
        let up = l.succeeded(t0 + INTERVAL * 121, WAN).unwrap();
        assert_eq!(up.level, Level::Info);
        assert_eq!(
            up.text,
            "GET /nonAuth/wan_conn.xml from hub 192.168.1.254:80: recovered after 30m 15s (121 failed scrapes)"
        );
        assert_eq!(l.succeeded(t0 + INTERVAL * 122, WAN), None);
    }

    #[test]
    fn changing_numbers_are_the_same_failure_and_a_new_failure_is_a_line() {
        let mut l = log();
        let t0 = Instant::now();
        assert!(l
            .failed(t0, LAN, &"body truncated: 10 of 4567 bytes")
            .is_some());
        for i in 1..10u32 {
            let msg = format!("body truncated: {} of 4567 bytes", 10 + i);
            assert_eq!(l.failed(t0 + INTERVAL * i, LAN, &msg), None);
        }
        let other = l.failed(t0 + INTERVAL * 10, LAN, &"HTTP 500 Internal Server Error");
        assert_eq!(
            other.map(|l| l.text).as_deref(),
            Some("GET /cgi/cgi_basicMyDevice.js from hub 192.168.1.254:80: HTTP 500 Internal Server Error")
        );
        // Alternating between the two is neither news.
        for i in 11..30u32 {
            let msg = if i % 2 == 0 {
                "HTTP 500 Internal Server Error"
            } else {
                "body truncated: 1 of 2 bytes"
            };
            assert_eq!(l.failed(t0 + INTERVAL * i, LAN, &msg), None, "{i}");
        }
    }

    #[test]
    fn pages_are_apart() {
        let mut l = log();
        let t0 = Instant::now();
        assert!(l.failed(t0, WAN, &"connection refused").is_some());
        assert!(l.failed(t0, LAN, &"connection refused").is_some());
        assert_eq!(l.succeeded(t0 + INTERVAL, PAGES[2]), None);
        let up = l.succeeded(t0 + INTERVAL, LAN).unwrap();
        assert!(
            up.text.starts_with("GET /cgi/cgi_basicMyDevice.js "),
            "{}",
            up.text
        );
        assert_eq!(l.failed(t0 + INTERVAL, WAN, &"connection refused"), None);
    }

    #[test]
    fn failures_chosen_by_the_hub_are_bounded() {
        let mut l = log();
        let t0 = Instant::now();
        let mut lines = 0;
        for i in 0..1000u32 {
            let msg = format!(
                "HTTP 302 Found (redirected to /login?sid={})",
                "abcdefghij"
                    .chars()
                    .cycle()
                    .skip(i as usize % 10)
                    .take(5 + i as usize % 7)
                    .collect::<String>()
            );
            lines += l.failed(t0 + INTERVAL * i, WAN, &msg).is_some() as usize;
        }
        // MAX_KEYS first lines plus a reminder each on the doubling schedule.
        assert!(lines <= 2 * MAX_KEYS, "{lines} lines");
    }

    #[test]
    fn a_returning_failure_after_a_quiet_spell_is_news() {
        let mut l = log();
        let t0 = Instant::now();
        assert!(l.failed(t0, WAN, &"timed out").is_some());
        let up = t0 + INTERVAL;
        assert!(l.succeeded(up, WAN).is_some());
        // Up for 10 minutes: the failure is forgotten.
        let back = up + FIRST_REMINDER;
        assert_eq!(l.succeeded(back, WAN), None);
        let again = l.failed(back + INTERVAL, WAN, &"timed out").unwrap();
        assert!(again.text.ends_with(": timed out"), "{}", again.text);
        assert!(!again.text.contains("again"), "{}", again.text);
    }

    #[test]
    fn a_flaky_page_is_two_lines_per_ten_minutes() {
        let mut l = log();
        let t0 = Instant::now();
        let mut lines = Vec::new();
        // Fails every second scrape for an hour.
        for i in 0..240u32 {
            let now = t0 + INTERVAL * i;
            lines.extend(if i % 2 == 0 {
                l.failed(now, WAN, &"connection reset by peer")
            } else {
                l.succeeded(now, WAN)
            });
        }
        let errors = lines.iter().filter(|l| l.level == Level::Error).count();
        let infos = lines.iter().filter(|l| l.level == Level::Info).count();
        assert!((6..=7).contains(&errors), "{errors}: {lines:#?}");
        assert!((6..=7).contains(&infos), "{infos}: {lines:#?}");
        // Each line is true when written: failures and recoveries alternate.
        for w in lines.windows(2) {
            assert_ne!(w[0].level, w[1].level, "{lines:#?}");
        }
        let later = lines
            .iter()
            .find(|l| l.text.contains("failing again"))
            .unwrap();
        assert!(
            later.text.contains("failed scrapes in 10m"),
            "{}",
            later.text
        );
        assert!(
            lines.iter().any(|l| l.text.contains(
                "(1 failed scrape), after 20 short outages since the previous recovery line"
            )),
            "{lines:#?}"
        );
    }

    #[test]
    fn a_day_of_a_hub_that_is_down_is_under_10_kb() {
        let mut l = FailureLog::new("192.168.100.254:80");
        let t0 = Instant::now();
        let scrapes = 24 * 3600 / INTERVAL.as_secs() as u32;
        let mut total = 0;
        let mut per_page = [0usize; 4];
        for i in 0..scrapes {
            let now = t0 + INTERVAL * i;
            for (p, path) in PAGES.iter().enumerate() {
                // The errno and the port change nothing.
                let msg = format!(
                    "connect to 192.168.100.254:80: connection refused (os error {})",
                    111 + i % 3
                );
                if let Some(line) = l.failed(now, path, &msg) {
                    total += bytes(&line);
                    per_page[p] += 1;
                }
            }
        }
        for path in PAGES {
            total += bytes(&l.succeeded(t0 + INTERVAL * scrapes, path).unwrap());
        }
        assert!(total < 10_000, "{total} bytes");
        // 1 + reminders at 10, 30, 70, 150, 310 min, then every 4 h.
        assert_eq!(per_page, [10; 4], "{total} bytes");
    }

    #[test]
    fn notes_are_warned_once_and_reminded() {
        let mut l = log();
        let t0 = Instant::now();
        let note = |n: u32| format!("known_device_list: {n} devices, cut to 4096");
        let first = l.notes(t0, LAN, &[note(5000)]);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].level, Level::Warn);
        assert_eq!(
            first[0].text,
            "GET /cgi/cgi_basicMyDevice.js from hub 192.168.1.254:80: known_device_list: 5000 devices, cut to 4096"
        );
        for i in 1..40u32 {
            assert!(l
                .notes(t0 + INTERVAL * i, LAN, &[note(5000 + i)])
                .is_empty());
        }
        let r = l.notes(t0 + INTERVAL * 40, LAN, &[note(5100)]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].level, Level::Warn);
        assert!(
            r[0].text.ends_with(
                "still so (41 scrapes in 10m 0s): known_device_list: 5100 devices, cut to 4096"
            ),
            "{}",
            r[0].text
        );
        // A second note is its own line; one gone for 10 minutes is forgotten.
        let two = l.notes(
            t0 + INTERVAL * 41,
            LAN,
            &[note(1), "owl: 3 stations".to_owned()],
        );
        assert_eq!(two.len(), 1);
        assert!(two[0].text.ends_with("owl: 3 stations"));
        let gone = t0 + INTERVAL * 41 + FIRST_REMINDER;
        assert!(l.notes(gone, LAN, &[] as &[&str]).is_empty());
        assert_eq!(l.notes(gone + INTERVAL, LAN, &["owl: 3 stations"]).len(), 1);
        // Notes do not touch the failure state.
        assert_eq!(l.succeeded(gone, LAN), None);
    }
}
