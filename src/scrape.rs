//! One scrape: fetch each enabled page → parse it into a snapshot → render,
//! and report (the overview's [`Report`], from the same snapshots).
//!
//! Pages are fetched one after the other (the hub's web server is feeble, so
//! never more than one request is open to it), all inside one deadline. A
//! page that fails loses its own metrics only. The server runs scrapes on
//! its worker thread, one at a time, and caches their results
//! (`--cache-ttl`): see [`crate::server`].

use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::collector::{self, Collector, Snapshot};
use crate::exposition::{Exposition, MetricType};
use crate::failure_log::FailureLog;
use crate::overview::report::{self, Millis, Report, State};
use crate::pages::ParseError;
use crate::source::{PageError, Source};

/// How long past `--timeout` a scrape may take before it has overrun and
/// the `/metrics` requests waiting for it are answered 503: rendering and
/// the last page's parse take milliseconds, so a second is slack, not a
/// second budget.
pub const SCRAPE_MARGIN: Duration = Duration::from_secs(1);

pub struct Config {
    pub timeout: Duration,
    pub collectors: Vec<&'static Collector>,
}

/// Why a collector produced nothing.
#[derive(Debug)]
pub enum CollectorError {
    Fetch(PageError),
    Parse(ParseError),
    /// Every page the collector can read answered 404: this hub model does
    /// not have it. It does not hold `smarthub_up` at 0.
    Unavailable,
}

impl fmt::Display for CollectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CollectorError::Fetch(e) => write!(f, "{e}"),
            CollectorError::Parse(e) => write!(f, "{e}"),
            CollectorError::Unavailable => f.write_str("HTTP 404 Not Found: not on this hub"),
        }
    }
}

/// What a scrape remembers of a collector's pages on this hub.
#[derive(Debug, Default, Clone, Copy)]
struct Found {
    /// Which of [`Collector::pages`] answered last: a scrape asks that one
    /// first, so a hub that has only a fallback costs one request too.
    page: usize,
    /// Every page answered 404 last time (logged once, and once when one
    /// answers again).
    unavailable: bool,
}

struct Outcome {
    collector: &'static Collector,
    /// The page it asked for last.
    path: &'static str,
    duration: Duration,
    result: Result<Box<dyn Snapshot>, CollectorError>,
}

/// What one scrape made: the exposition for `/metrics` and the report for
/// the overview.
pub struct Scraped {
    pub metrics: Arc<[u8]>,
    pub report: Arc<Report>,
}

pub struct Scraper {
    /// The hub, or a recording of one (`--replay`).
    source: Source,
    config: Config,
    /// What to log about each page, rate-limited (see [`crate::failure_log`]).
    log: RefCell<FailureLog>,
    /// Per enabled collector, in `config.collectors`' order.
    found: Vec<Cell<Found>>,
    /// The last exposition's size: the next is made with that much room,
    /// rather than copied as it doubles its way there.
    last_size: Cell<usize>,
}

impl Scraper {
    pub fn new(source: Source, config: Config) -> Self {
        let log = RefCell::new(FailureLog::new(source.name()));
        let found = vec![Cell::default(); config.collectors.len()];
        Scraper {
            source,
            config,
            log,
            found,
            last_size: Cell::default(),
        }
    }

    /// A fresh scrape, inside `--timeout`. `&mut self`: one scrape at a
    /// time, on the thread that owns the scraper.
    pub fn scrape(&mut self) -> Scraped {
        self.scrape_at(crate::overview::now())
    }

    /// A scrape whose report says it started at `started`: now, or a
    /// replayed minute of the past (`replay-day`).
    pub fn scrape_at(&mut self, started: Millis) -> Scraped {
        let clock = Instant::now();
        let outcomes = self.collect_all();
        let out = render(&outcomes, self.last_size.get()).into_bytes();
        self.last_size.set(out.len());
        let report = report_of(outcomes, started, clock.elapsed());
        Scraped {
            metrics: out.into(),
            report: Arc::new(report),
        }
    }

    /// With a recording, makes the next scrapes read it as it was `steps`
    /// reads before (see [`crate::replay::Replay::rewind`]); nothing with a
    /// hub.
    pub fn rewind(&self, steps: Option<u64>) {
        if let Source::Replay(r) = &self.source {
            r.rewind(steps);
        }
    }

    /// The scrape's budget (`--timeout`).
    pub fn timeout(&self) -> Duration {
        self.config.timeout
    }

    /// How long a scrape may take before it has overrun: `--timeout` and
    /// [`SCRAPE_MARGIN`]. The server answers the clients waiting past it
    /// 503, and the worker logs the scrape that took longer.
    pub fn overrun_after(&self) -> Duration {
        self.config.timeout + SCRAPE_MARGIN
    }

    fn collect_all(&self) -> Vec<Outcome> {
        let now = Instant::now();
        let deadline = now + self.config.timeout;
        self.config
            .collectors
            .iter()
            .zip(&self.found)
            .map(|(&collector, found)| {
                let started = Instant::now();
                let was = found.get();
                let result = self.collect(collector, found, deadline);
                let path = collector.pages()[found.get().page];
                let mut log = self.log.borrow_mut();
                // At debug, every scrape of every page; above, what the
                // limiter lets through.
                let took = started.elapsed();
                let unavailable = matches!(result, Err(CollectorError::Unavailable));
                if unavailable != was.unavailable {
                    unavailable_line(log.hub(), collector, path, unavailable);
                }
                let lines: Vec<_> = match &result {
                    Err(CollectorError::Unavailable) => {
                        log::debug!("GET {path} from hub {}: 404 ({took:?})", log.hub());
                        Vec::new()
                    }
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
                    path,
                    duration: took,
                    result,
                }
            })
            .collect()
    }

    fn collect(
        &self,
        collector: &Collector,
        found: &Cell<Found>,
        deadline: Instant,
    ) -> Result<Box<dyn Snapshot>, CollectorError> {
        let mut body = self.fetch(collector, found, deadline)?;
        (collector.read)(&mut body, deadline).map_err(CollectorError::Parse)
    }

    /// The page that answered last first; when it answers 404, the others in
    /// order, and the first that answers otherwise is remembered. Any other
    /// failure ends the search: a hub that is struggling is not asked for
    /// more.
    fn fetch(
        &self,
        collector: &Collector,
        found: &Cell<Found>,
        deadline: Instant,
    ) -> Result<Vec<u8>, CollectorError> {
        let pages = collector.pages();
        let first = found.get().page.min(pages.len() - 1);
        let order = std::iter::once(first).chain((0..pages.len()).filter(|&i| i != first));
        for i in order {
            found.set(Found {
                page: i,
                unavailable: false,
            });
            match self.source.fetch(pages[i], deadline) {
                Err(e) if e.is_not_found() => continue,
                other => return other.map_err(CollectorError::Fetch),
            }
        }
        found.set(Found {
            page: first,
            unavailable: true,
        });
        Err(CollectorError::Unavailable)
    }
}

/// The report of a scrape whose metrics are rendered: each snapshot moves
/// into its section; every collector of the table has its state, the ones
/// turned off too.
fn report_of(outcomes: Vec<Outcome>, started: Millis, duration: Duration) -> Report {
    let mut r = Report {
        started,
        duration,
        collectors: Vec::with_capacity(collector::ALL.len()),
        ..Report::default()
    };
    let mut outcomes: Vec<Option<Outcome>> = outcomes.into_iter().map(Some).collect();
    for c in collector::ALL {
        let outcome = outcomes
            .iter_mut()
            .find(|o| o.as_ref().is_some_and(|o| o.collector == c))
            .and_then(Option::take);
        let state = match outcome {
            None => State::Disabled,
            Some(o) => match o.result {
                Ok(snapshot) => {
                    snapshot.report(&mut r);
                    State::Ok
                }
                Err(CollectorError::Unavailable) => State::Unavailable,
                Err(e) => {
                    let mut line = format!("GET {}: {e}", o.path);
                    line.truncate(crate::script::cut_point(&line, report::MAX_ERROR_BYTES));
                    State::Failing(line)
                }
            },
        };
        r.collectors.push(report::Outcome {
            name: c.name,
            state,
        });
    }
    r
}

/// The one line, at warn, when a collector's pages all start answering 404,
/// and when one answers again.
fn unavailable_line(hub: &str, collector: &Collector, path: &str, unavailable: bool) {
    if unavailable {
        log::warn!(
            "hub {hub}: {} answered 404 Not Found: this hub has no such page, so the {} collector is unavailable (smarthub_scrape_collector_success 0; smarthub_up does not count it)",
            collector.pages().join(" and "),
            collector.name
        );
    } else {
        log::warn!(
            "hub {hub}: {path} answers again: the {} collector is available",
            collector.name
        );
    }
}

/// Every collector read its page, or its page is not on this hub model; and
/// at least one read something (a web server answering 404 to everything is
/// no hub).
fn up(outcomes: &[Outcome]) -> bool {
    let unavailable = |o: &&Outcome| matches!(o.result, Err(CollectorError::Unavailable));
    outcomes.iter().all(|o| o.result.is_ok() || unavailable(&o))
        && (outcomes.is_empty() || outcomes.iter().any(|o| o.result.is_ok()))
}

fn render(outcomes: &[Outcome], room: usize) -> Exposition {
    // Room for a little more than last time: a new device adds a few lines.
    let mut out = Exposition::with_capacity(room + room / 8);
    out.family(
        "smarthub_exporter_build_info",
        MetricType::Gauge,
        "The exporter's version, as a label; always 1.",
    )
    .sample(&[("version", env!("CARGO_PKG_VERSION"))], 1u64);
    // Named smarthub_up, never `up`: Prometheus owns `up` for every target,
    // and the Go exporter's own `up` overwrote it.
    out.family(
        "smarthub_up",
        MetricType::Gauge,
        "1 when every enabled collector's page was fetched and parsed in this scrape, else 0. A collector whose pages this hub does not have (404) does not count, unless no collector succeeded.",
    )
    .sample(&[], up(outcomes));
    let mut f = out.family(
        "smarthub_scrape_collector_duration_seconds",
        MetricType::Gauge,
        "Seconds a collector took to fetch and parse its hub page.",
    );
    for o in outcomes {
        f.sample(&[("collector", o.collector.name)], o.duration.as_secs_f64());
    }
    let mut f = out.family(
        "smarthub_scrape_collector_success",
        MetricType::Gauge,
        "Whether a collector fetched and parsed its hub page (1) or failed (0).",
    );
    for o in outcomes {
        f.sample(&[("collector", o.collector.name)], o.result.is_ok());
    }
    let mut f = out.family(
        "smarthub_scrape_collector_available",
        MetricType::Gauge,
        "0 when every page a collector can read answered 404 in this scrape: this hub model has none of them; else 1.",
    );
    for o in outcomes {
        let unavailable = matches!(o.result, Err(CollectorError::Unavailable));
        f.sample(&[("collector", o.collector.name)], !unavailable);
    }
    for o in outcomes {
        if let Ok(snapshot) = &o.result {
            snapshot.render(&mut out);
        }
    }
    out
}
