//! One scrape: fetch each enabled page → parse it into a snapshot → render.
//!
//! Pages are fetched one after the other (the hub's web server is feeble, so
//! never more than one request is open to it), all inside one deadline. A
//! page that fails loses its own metrics only. A result answers every scrape
//! for `--cache-ttl` seconds from the start of the scrape that made it, so
//! scrapes that come close together (an HA pair of Prometheus servers, a
//! refresh-happy browser) share one set of hub requests; the server also
//! hands it to every scrape that arrived while it ran (see
//! [`crate::server`]).

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::exposition::{Exposition, Kind};
use crate::failure_log::{self, FailureLog};
use crate::hub::{FetchError, Hub};
use crate::metrics;
use crate::pages::{basic_status, my_device, owl, wan_conn, ParseError};

/// A hub page and the metrics read from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Collector {
    /// `/nonAuth/wan_conn.xml`: the WAN connection.
    Wan,
    /// `/cgi/cgi_basicMyDevice.js`: devices and their traffic (JavaScript).
    Lan,
    /// `/cgi/cgi_basicStatus.js`: firmware version and serial (JavaScript).
    Status,
    /// `/cgi/cgi_owl.js`: the Wi-Fi mesh, its discs and clients (JavaScript).
    Owl,
}

impl Collector {
    /// In the order a scrape fetches them: the seed's pages first, so that a
    /// slow hub spends the `--timeout` budget on them before the others.
    pub const ALL: [Collector; 4] = [
        Collector::Wan,
        Collector::Lan,
        Collector::Status,
        Collector::Owl,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Collector::Wan => "wan",
            Collector::Lan => "lan",
            Collector::Status => "status",
            Collector::Owl => "owl",
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Collector::Wan => wan_conn::PATH,
            Collector::Lan => my_device::PATH,
            Collector::Status => basic_status::PATH,
            Collector::Owl => owl::PATH,
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

pub struct Config {
    pub timeout: Duration,
    pub collectors: Vec<Collector>,
    pub cache_ttl: Duration,
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

enum Snapshot {
    // Boxed: the line, link and addresses make it ten times the others.
    Wan(Box<wan_conn::WanConn>),
    Lan(my_device::Devices),
    Status(basic_status::BasicStatus),
    Owl(owl::Mesh),
}

struct Outcome {
    collector: Collector,
    duration: Duration,
    result: Result<Snapshot, CollectorError>,
}

pub struct Scraper {
    hub: Hub,
    config: Config,
    /// The last result and when its scrape started.
    last: Option<(Instant, Rc<[u8]>)>,
    scrapes: u64,
    /// What to log about each page, rate-limited (see [`failure_log`]).
    log: RefCell<FailureLog>,
}

impl Scraper {
    pub fn new(hub: Hub, config: Config) -> Self {
        let log = RefCell::new(FailureLog::new(failure_log::hub_name(hub.authority())));
        Scraper {
            hub,
            config,
            last: None,
            scrapes: 0,
            log,
        }
    }

    /// The exposition for `/metrics`: the last result while its scrape
    /// started less than the cache TTL ago, else a fresh scrape. Failures
    /// are kept too, so however often clients ask, the hub gets at most one
    /// set of requests per TTL, failing or not.
    ///
    /// Why from the start: the age of the hub's data is what a TTL promises,
    /// and a scrape that took 4 s must not make the next Prometheus scrape,
    /// one interval after the first, find the result still fresh.
    pub fn metrics(&mut self) -> Rc<[u8]> {
        if let Some((started, body)) = &self.last {
            if started.elapsed() < self.config.cache_ttl {
                return Rc::clone(body);
            }
        }
        let started = Instant::now();
        let body: Rc<[u8]> = self.scrape().into();
        self.scrapes += 1;
        self.last = Some((started, Rc::clone(&body)));
        body
    }

    /// How many scrapes have reached the hub: a caller compares it before and
    /// after [`Scraper::metrics`] to learn whether that made a fresh one.
    pub fn scrapes(&self) -> u64 {
        self.scrapes
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
                let path = collector.path();
                let mut log = self.log.borrow_mut();
                // At debug, every scrape of every page; above, what the
                // limiter lets through.
                let took = started.elapsed();
                let line = match &result {
                    Err(e) => {
                        log::debug!("GET {path} from hub {}: {e} ({took:?})", log.hub());
                        log.failed(now, path, e)
                    }
                    Ok(_) => {
                        log::debug!("GET {path} from hub {}: ok ({took:?})", log.hub());
                        log.succeeded(now, path)
                    }
                };
                if let Some(line) = line {
                    line.emit();
                }
                Outcome {
                    collector,
                    duration: took,
                    result,
                }
            })
            .collect();
        render(&outcomes).into_bytes()
    }

    fn collect(&self, collector: Collector, deadline: Instant) -> Result<Snapshot, CollectorError> {
        let body = self
            .hub
            .fetch(collector.path(), deadline)
            .map_err(CollectorError::Fetch)?;
        match collector {
            Collector::Wan => wan_conn::parse(&body).map(|w| Snapshot::Wan(Box::new(w))),
            Collector::Lan => my_device::parse(&body, deadline).map(Snapshot::Lan),
            Collector::Status => basic_status::parse(&body, deadline).map(Snapshot::Status),
            Collector::Owl => owl::parse(&body, deadline).map(Snapshot::Owl),
        }
        .map_err(CollectorError::Parse)
    }
}

fn render(outcomes: &[Outcome]) -> Exposition {
    let mut out = Exposition::new();
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
        f.sample(
            &[("collector", o.collector.name())],
            o.duration.as_secs_f64(),
        );
    }
    let mut f = out.family(
        "smarthub_scrape_collector_success",
        Kind::Gauge,
        "Whether a collector fetched and parsed its hub page (1) or failed (0).",
    );
    for o in outcomes {
        f.sample(&[("collector", o.collector.name())], o.result.is_ok());
    }
    for o in outcomes {
        match &o.result {
            Ok(Snapshot::Wan(w)) => metrics::wan::render(w, &mut out),
            Ok(Snapshot::Lan(d)) => metrics::lan::render(d, &mut out),
            Ok(Snapshot::Status(s)) => metrics::status::render(s, &mut out),
            Ok(Snapshot::Owl(m)) => metrics::owl::render(m, &mut out),
            Err(_) => {}
        }
    }
    out
}
