//! One scrape: fetch each enabled page → parse it into a snapshot → render.
//!
//! Pages are fetched one after the other (the hub's web server is feeble, so
//! never more than one request is open to it), all inside one deadline. A
//! page that fails loses its own metrics only. The server runs scrapes on
//! its worker thread, one at a time, and caches their results
//! (`--cache-ttl`): see [`crate::server`].

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::collector::{Collector, Snapshot};
use crate::exposition::{Exposition, Kind};
use crate::failure_log::{self, FailureLog};
use crate::hub::{FetchError, Hub};
use crate::pages::ParseError;

pub struct Config {
    pub timeout: Duration,
    pub collectors: Vec<&'static Collector>,
}

/// Why a collector produced nothing.
#[derive(Debug)]
pub enum CollectorError {
    Fetch(FetchError),
    Parse(ParseError),
}

impl fmt::Display for CollectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CollectorError::Fetch(e) => write!(f, "{e}"),
            CollectorError::Parse(e) => write!(f, "{e}"),
        }
    }
}

struct Outcome {
    collector: &'static Collector,
    duration: Duration,
    result: Result<Box<dyn Snapshot>, CollectorError>,
}

pub struct Scraper {
    hub: Hub,
    config: Config,
    /// What to log about each page, rate-limited (see [`failure_log`]).
    log: RefCell<FailureLog>,
    /// The last exposition's size: the next is made with that much room,
    /// rather than copied as it doubles its way there.
    last_size: std::cell::Cell<usize>,
}

impl Scraper {
    pub fn new(hub: Hub, config: Config) -> Self {
        let log = RefCell::new(FailureLog::new(failure_log::hub_name(hub.authority())));
        Scraper {
            hub,
            config,
            log,
            last_size: Default::default(),
        }
    }

    /// The exposition for `/metrics` from a fresh scrape, inside `--timeout`.
    /// `&mut self`: one scrape at a time, on the thread that owns the
    /// scraper.
    pub fn metrics(&mut self) -> Arc<[u8]> {
        self.scrape().into()
    }

    /// The scrape's budget (`--timeout`), for the server's own deadline on
    /// waiting clients.
    pub fn timeout(&self) -> Duration {
        self.config.timeout
    }

    fn scrape(&self) -> Vec<u8> {
        let now = Instant::now();
        let deadline = now + self.config.timeout;
        let outcomes: Vec<Outcome> = self
            .config
            .collectors
            .iter()
            .map(|&collector| {
                let started = Instant::now();
                let result = self.collect(collector, deadline);
                let path = collector.path;
                let mut log = self.log.borrow_mut();
                // At debug, every scrape of every page; above, what the
                // limiter lets through.
                let took = started.elapsed();
                let lines: Vec<_> = match &result {
                    Err(e) => {
                        log::debug!("GET {path} from hub {}: {e} ({took:?})", log.hub());
                        log.failed(now, path, e).into_iter().collect()
                    }
                    Ok(snapshot) => {
                        log::debug!("GET {path} from hub {}: ok ({took:?})", log.hub());
                        let recovered = log.succeeded(now, path);
                        let notes = log.notes(now, path, snapshot.notes());
                        recovered.into_iter().chain(notes).collect()
                    }
                };
                for line in lines {
                    line.emit();
                }
                Outcome {
                    collector,
                    duration: took,
                    result,
                }
            })
            .collect();
        let out = render(&outcomes, self.last_size.get()).into_bytes();
        self.last_size.set(out.len());
        out
    }

    fn collect(
        &self,
        collector: &Collector,
        deadline: Instant,
    ) -> Result<Box<dyn Snapshot>, CollectorError> {
        let body = self
            .hub
            .fetch(collector.path, deadline)
            .map_err(CollectorError::Fetch)?;
        (collector.read)(&body, deadline).map_err(CollectorError::Parse)
    }
}

fn render(outcomes: &[Outcome], room: usize) -> Exposition {
    // Room for a little more than last time: a new device adds a few lines.
    let mut out = Exposition::with_capacity(room + room / 8);
    out.family(
        "smarthub_exporter_build_info",
        Kind::Gauge,
        "The exporter's version, as a label; always 1.",
    )
    .sample(&[("version", env!("CARGO_PKG_VERSION"))], 1u64);
    // Named smarthub_up, never `up`: Prometheus owns `up` for every target,
    // and the seed's own `up` overwrote it.
    out.family(
        "smarthub_up",
        Kind::Gauge,
        "1 when every enabled page of the hub was fetched and parsed in this scrape, else 0.",
    )
    .sample(&[], outcomes.iter().all(|o| o.result.is_ok()));
    let mut f = out.family(
        "smarthub_scrape_collector_duration_seconds",
        Kind::Gauge,
        "Seconds a collector took to fetch and parse its hub page.",
    );
    for o in outcomes {
        f.sample(&[("collector", o.collector.name)], o.duration.as_secs_f64());
    }
    let mut f = out.family(
        "smarthub_scrape_collector_success",
        Kind::Gauge,
        "Whether a collector fetched and parsed its hub page (1) or failed (0).",
    );
    for o in outcomes {
        f.sample(&[("collector", o.collector.name)], o.result.is_ok());
    }
    for o in outcomes {
        if let Ok(snapshot) = &o.result {
            snapshot.render(&mut out);
        }
    }
    out
}
