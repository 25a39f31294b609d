//! The collectors: one row per hub page in [`ALL`], and everything else
//! follows from the table — the names `--no-collector` accepts and `--help`
//! lists, the order of a scrape, the `collector` label of the
//! `smarthub_scrape_collector_*` self-metrics, the tests' fake hubs and
//! golden sets (each collector's default fixture is found by its name), and
//! the fuzz target that runs every row.
//!
//! A row joins the two halves of a collector: its page module in
//! [`crate::pages`] (path and pure parser) and its metrics module in
//! [`crate::metrics`] (the [`Snapshot`] impl that renders what was parsed).

use std::time::Instant;

use crate::exposition::Exposition;
use crate::overview::Report;
use crate::pages::{self, ParseError};

/// What a collector's parser read from its page, ready to render.
pub trait Snapshot {
    /// The samples, appended to the scrape's exposition.
    fn render(&self, out: &mut Exposition);
    /// What the parser noted while reading (cuts, a script that threw after
    /// defining its lists): logged through the scrape's limiter.
    fn notes(&self) -> &[String] {
        &[]
    }
    /// Its section of the scrape's report, for the overview (`/` and
    /// `/status.json`), once rendered: the snapshot moves there rather than
    /// being copied. A collector that adds nothing to the overview keeps
    /// this default.
    fn report(self: Box<Self>, out: &mut Report) {
        let _ = out;
    }
}

/// The parser of a collector's page: the body (the parser's to use up: the
/// device page is run where it is), and the scrape's deadline for a page
/// that runs JavaScript.
pub type ReadPage = fn(&mut Vec<u8>, Instant) -> Result<Box<dyn Snapshot>, ParseError>;

/// Moves a page's byte counters for a replay that asks for it: the body,
/// and the step (the recording's `replay-advance` times how often the page
/// was read before; negative for a read before the recording, as
/// `replay-day` makes them); pure, only the counters' digits change.
pub type Advance = fn(&[u8], i64) -> Vec<u8>;

/// A hub page and the metrics read from it.
pub struct Collector {
    /// Its name in `--no-collector`, the UCI config and the `collector` label.
    pub name: &'static str,
    /// The page it fetches.
    pub path: &'static str,
    /// Pages of other hub models with the same content, tried in order when
    /// `path` answers 404 (and the one that answered is asked first from
    /// then on).
    pub fallbacks: &'static [&'static str],
    /// What it serves, for `--help`.
    pub about: &'static str,
    pub read: ReadPage,
    /// The page's byte counters moved, for `--replay` (`None`: the page
    /// has none the metrics read, and replays as recorded).
    pub advance: Option<Advance>,
}

impl Collector {
    /// `path`, then the fallbacks.
    pub fn pages(&self) -> Vec<&'static str> {
        std::iter::once(self.path)
            .chain(self.fallbacks.iter().copied())
            .collect()
    }
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for Collector {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// Every collector, in the order a scrape fetches their pages: the Go
/// exporter's two pages first, so that a slow hub spends the `--timeout`
/// budget on them before the others.
pub static ALL: &[Collector] = &[
    Collector {
        name: "wan",
        path: pages::wan::PATH,
        fallbacks: &[],
        about: "the WAN: DSL line, link, session, addresses, traffic, uptime",
        read: |body, _| Ok(Box::new(pages::wan::parse(body)?)),
        advance: Some(pages::wan::advance),
    },
    Collector {
        name: "lan",
        path: pages::lan::PATH,
        // The EE Smart Hub's device page: the same lists, and more.
        fallbacks: &[pages::lan::EE_PATH],
        about: "devices and their traffic (the page the js build runs as JavaScript)",
        read: |body, deadline| Ok(Box::new(pages::lan::parse(body, deadline)?)),
        advance: Some(pages::lan::advance),
    },
    Collector {
        name: "status",
        path: pages::status::PATH,
        fallbacks: &[],
        about: "firmware version, serial number, LAN address",
        read: |body, _| Ok(Box::new(pages::status::parse(body)?)),
        advance: None,
    },
    Collector {
        name: "owl",
        path: pages::owl::PATH,
        fallbacks: &[],
        about: "the Wi-Fi mesh: the hub, its discs and their clients",
        read: |body, _| Ok(Box::new(pages::owl::parse(body)?)),
        advance: None,
    },
];

/// The collector of that name.
pub fn by_name(name: &str) -> Option<&'static Collector> {
    ALL.iter().find(|c| c.name == name)
}

/// The names, comma-separated, for messages.
pub fn names() -> String {
    ALL.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_are_unique() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.name, b.name);
                for page in a.pages() {
                    assert!(!b.pages().contains(&page), "{page}");
                }
            }
            assert_eq!(by_name(a.name), Some(a));
            assert!(a.name.bytes().all(|b| b.is_ascii_lowercase()), "{}", a.name);
        }
        assert_eq!(by_name("No-Such-Collector"), None);
    }
}
