//! The command line, checked before the exporter listens: a bad value is a
//! clear message and exit code 2, never a server that starts and fails later.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use argh::FromArgs;

use crate::collector::{self, Collector};
use crate::dump;
use crate::replay::Recording;

pub const DEFAULT_HOST: &str = "192.168.1.254";
pub const DEFAULT_LISTEN: &str = "0.0.0.0:9101";
pub const HOST_ENV: &str = "SMARTHUB_HOST";
/// Just over half of a 15 s scrape interval, so an HA pair scraping every
/// 15 s always shares (Prometheus spreads the two replicas' scrapes anywhere
/// in the interval, so the second comes at most 7.5 s before or after the
/// first), and under 10 s, so a single server scraping every 10 s never gets
/// the same result twice. See `server` (the cache lives there).
pub const DEFAULT_CACHE_TTL_SECS: u64 = 8;
/// The longest `--timeout` and `--cache-ttl` accepted, in seconds.
pub const MAX_TIMEOUT_SECS: u64 = 300;
pub const MAX_CACHE_TTL_SECS: u64 = 3600;
/// One scrape a minute when nothing else scrapes: the overview's history
/// keeps a point a minute, so a day after install, with no Prometheus, the
/// page shows a whole day; and a minute is what a Prometheus scraping
/// every 15 s asks of the hub in a quarter of the time.
pub const DEFAULT_POLL_SECS: u64 = 60;
/// `--poll` accepts 0 (never) or this range: more often than every 10 s
/// would load the hub for no gain in a history of one point a minute, and
/// less often than hourly leaves the day's chart nearly empty.
pub const MIN_POLL_SECS: u64 = 10;
pub const MAX_POLL_SECS: u64 = 3600;

#[derive(FromArgs, Debug)]
/// Prometheus exporter for the BT Smart Hub 2 (also sold as the Plusnet Hub
/// Two; the EE Smart Hub shares its firmware). Serves /metrics.
struct Args {
    /// the hub, as HOST or HOST:PORT (default: $SMARTHUB_HOST, else 192.168.1.254)
    #[argh(option)]
    host: Option<String>,

    /// address and port to serve metrics on (default: 0.0.0.0:9101; [::]:9101 for IPv6)
    #[argh(option, default = "DEFAULT_LISTEN.to_owned()")]
    listen: String,

    /// replay a recorded hub: read its pages from DIR (laid out as `dump` writes it) instead of over HTTP, connecting to no host; --host is refused with it and $SMARTHUB_HOST ignored
    #[argh(option)]
    replay: Option<String>,

    /// seconds that all hub requests of one scrape may take together, 1-300 (default: 5)
    #[argh(option, default = "5")]
    timeout: u64,

    /// never fetch the device page, so no JavaScript runs (same as --no-collector lan)
    #[argh(switch)]
    no_lan: bool,

    /// turn a collector off (repeatable; all are on; see Collectors below)
    #[argh(option)]
    no_collector: Vec<String>,

    /// seconds from the start of a scrape during which its result answers later scrapes too, sparing the hub; for an HA pair, over half the scrape interval and under all of it; 0: only scrapes that arrive during one share it (default: 8)
    #[argh(option, default = "DEFAULT_CACHE_TTL_SECS")]
    cache_ttl: u64,

    /// scrape the hub every SECONDS when nothing else has for that long, so the page at / has a day of history without a Prometheus; 0: never; 10-3600 (default: 60)
    #[argh(option, default = "DEFAULT_POLL_SECS")]
    poll: u64,

    /// error, warn, info, debug or trace (default: info)
    #[argh(option, default = "String::from(\"info\")")]
    log_level: String,

    /// log to the system logger (/dev/log, facility daemon) at each line's severity, not to stderr
    #[argh(switch)]
    syslog: bool,

    /// print the version and exit
    #[argh(switch)]
    version: bool,
}

#[derive(FromArgs, Debug)]
/// Fetch every page the exporter reads, and the other login-free pages
/// (cgi_myNetwork.js, cgi_home.js, cgi_broadband.js), once, into DIR for a
/// bug report, with a MANIFEST. MACs, public IP addresses, names, serial
/// numbers, SSIDs and secrets are redacted unless --no-redact.
struct DumpArgs {
    /// a new or empty directory to write the pages and MANIFEST into
    #[argh(positional)]
    dir: String,

    /// the hub, as HOST or HOST:PORT (default: $SMARTHUB_HOST, else 192.168.1.254)
    #[argh(option)]
    host: Option<String>,

    /// seconds each page may take, 1-300 (default: 5); unlike the exporter's
    /// --timeout, which bounds a whole scrape, this bounds each page alone
    #[argh(option, default = "5")]
    page_timeout: u64,

    /// write the pages exactly as the hub sent them (MACs, addresses, names and all)
    #[argh(switch)]
    no_redact: bool,

    /// keep the first three bytes of each MAC (its maker), pseudonymise the rest
    #[argh(switch)]
    keep_oui: bool,
}

/// What the command line asks for: serve metrics, or write a dump.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Serve(Config),
    Dump(dump::Options),
}

/// Parses `args` (without the program name): `dump DIR [...]`, or the
/// server's flags ([`parse`]).
pub fn parse_command(
    program: &str,
    args: &[&str],
    env_host: Option<&str>,
) -> Result<Command, Exit> {
    if args.first() != Some(&"dump") {
        return parse(program, args, env_host).map(Command::Serve);
    }
    let a = DumpArgs::from_args(&[program, "dump"], &args[1..]).map_err(|e| match e.status {
        Ok(()) => Exit::Help(e.output),
        Err(()) => Exit::Usage(format!("{}Run {program} dump --help for usage.", e.output)),
    })?;
    let hub = hub_of(a.host.as_deref(), env_host)?;
    check_timeout("--page-timeout", a.page_timeout)?;
    if a.no_redact && a.keep_oui {
        return Err(Exit::Usage(
            "--keep-oui and --no-redact: --no-redact keeps whole MACs already".into(),
        ));
    }
    Ok(Command::Dump(dump::Options {
        hub,
        page_timeout: Duration::from_secs(a.page_timeout),
        dir: PathBuf::from(a.dir),
        redact: !a.no_redact,
        keep_oui: a.keep_oui,
    }))
}

fn hub_of(flag: Option<&str>, env_host: Option<&str>) -> Result<String, Exit> {
    match (flag, env_host.filter(|h| !h.trim().is_empty())) {
        (Some(h), _) => parse_host(h).map_err(|e| Exit::Usage(format!("--host {h:?}: {e}"))),
        (None, Some(h)) => parse_host(h).map_err(|e| Exit::Usage(format!("{HOST_ENV}={h:?}: {e}"))),
        (None, None) => Ok(DEFAULT_HOST.to_owned()),
    }
}

fn check_timeout(flag: &str, secs: u64) -> Result<(), Exit> {
    if (1..=MAX_TIMEOUT_SECS).contains(&secs) {
        Ok(())
    } else {
        Err(Exit::Usage(format!(
            "{flag} {secs}: must be 1 to {MAX_TIMEOUT_SECS} seconds"
        )))
    }
}

/// The checked configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `host` or `host:port`, IPv6 in brackets: ready for a URL.
    pub hub: String,
    pub listen: SocketAddr,
    pub timeout: Duration,
    pub collectors: Vec<&'static Collector>,
    pub cache_ttl: Duration,
    /// `--poll`: `None` for never.
    pub poll: Option<Duration>,
    pub log_level: log::LevelFilter,
    /// Log to the system logger instead of stderr (`--syslog`).
    pub syslog: bool,
    /// `--replay DIR`: the pages come from this recording, not from `hub`.
    pub replay: Option<Recording>,
}

/// Why parsing stopped short of a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// `--help`: print to stdout, exit 0.
    Help(String),
    /// `--version`: print to stdout, exit 0.
    Version(String),
    /// A usage error: print to stderr, exit 2.
    Usage(String),
}

impl Exit {
    pub fn code(&self) -> i32 {
        match self {
            Exit::Help(_) | Exit::Version(_) => 0,
            Exit::Usage(_) => 2,
        }
    }
}

/// Parses `args` (without the program name); `env_host` is `$SMARTHUB_HOST`.
pub fn parse(program: &str, args: &[&str], env_host: Option<&str>) -> Result<Config, Exit> {
    let a = Args::from_args(&[program], args).map_err(|e| match e.status {
        Ok(()) => Exit::Help(e.output + &collectors_help()),
        Err(()) => Exit::Usage(format!("{}Run {program} --help for usage.", e.output)),
    })?;
    if a.version {
        return Err(Exit::Version(format!(
            "smarthub-exporter {}",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let usage = |msg: String| Exit::Usage(msg);

    let replay = match (&a.replay, &a.host) {
        (Some(_), Some(_)) => {
            return Err(usage(
                "--host and --replay: a replay reads its pages from DIR and connects to no hub; give one of them".into(),
            ))
        }
        (Some(dir), None) => {
            Some(Recording::open(dir).map_err(|e| usage(format!("--replay {dir:?}: {e}")))?)
        }
        (None, _) => None,
    };
    // A replay has no hub: `$SMARTHUB_HOST`, set for the live exporter in the
    // same environment, is not read (nor refused).
    let env_host = env_host.filter(|_| replay.is_none());
    let hub = hub_of(a.host.as_deref(), env_host)?;
    let listen =
        parse_listen(&a.listen).map_err(|e| usage(format!("--listen {:?}: {e}", a.listen)))?;
    check_timeout("--timeout", a.timeout)?;
    if a.cache_ttl > MAX_CACHE_TTL_SECS {
        return Err(usage(format!(
            "--cache-ttl {}: must be 0 to {MAX_CACHE_TTL_SECS} seconds",
            a.cache_ttl
        )));
    }
    if a.poll != 0 && !(MIN_POLL_SECS..=MAX_POLL_SECS).contains(&a.poll) {
        return Err(usage(format!(
            "--poll {}: must be 0 (never) or {MIN_POLL_SECS} to {MAX_POLL_SECS} seconds",
            a.poll
        )));
    }
    let mut off: Vec<&str> = Vec::new();
    for name in &a.no_collector {
        match collector::by_name(name) {
            Some(c) => off.push(c.name),
            None => {
                return Err(usage(format!(
                    "--no-collector {name:?}: unknown collector (known: {})",
                    collector::names()
                )));
            }
        }
    }
    if a.no_lan {
        off.push("lan");
    }
    let collectors = collector::ALL
        .iter()
        .filter(|c| !off.contains(&c.name))
        .collect();
    let log_level = match a.log_level.as_str() {
        "error" => log::LevelFilter::Error,
        "warn" => log::LevelFilter::Warn,
        "info" => log::LevelFilter::Info,
        "debug" => log::LevelFilter::Debug,
        "trace" => log::LevelFilter::Trace,
        other => {
            return Err(usage(format!(
                "--log-level {other:?}: expected error, warn, info, debug or trace"
            )))
        }
    };
    Ok(Config {
        hub,
        listen,
        timeout: Duration::from_secs(a.timeout),
        collectors,
        cache_ttl: Duration::from_secs(a.cache_ttl),
        poll: (a.poll > 0).then(|| Duration::from_secs(a.poll)),
        log_level,
        syslog: a.syslog,
        replay,
    })
}

/// The help's last section, from the collector table: what each serves and
/// the page it reads.
fn collectors_help() -> String {
    let mut s = String::from(
        "\nCommands:\n  dump DIR  fetch every page once into DIR for a bug report, redacted (dump --help)\n",
    );
    s += "\nCollectors (all on; --no-collector NAME turns one off):\n";
    let width = collector::ALL
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        + 2;
    for c in collector::ALL {
        s += &format!("  {:<width$}{} ({})\n", c.name, c.about, c.path);
    }
    s
}

/// Accepts `host`, `host:port`, `[v6]`, `[v6]:port`, and any of those as
/// `http://.../`. Returns the URL authority. An IPv6 address without
/// brackets is refused: `::1:8080` could be the address `::1:8080` or `::1`
/// port 8080.
pub fn parse_host(input: &str) -> Result<String, String> {
    let mut s = input.trim();
    // Compared as bytes: slicing the text at 7 could cut a character.
    let starts = |prefix: &str| {
        s.len() > prefix.len()
            && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    if starts("http://") {
        s = &s[7..];
    } else if starts("https://") {
        return Err("https is not supported: the hub serves these pages over plain http".into());
    } else if s.contains("://") {
        return Err("only http:// URLs are accepted".into());
    }
    let s = s.strip_suffix('/').unwrap_or(s);
    if s.is_empty() {
        return Err("empty host".into());
    }
    if let Some(bad) = s
        .chars()
        .find(|c| matches!(c, '/' | '?' | '#' | '@') || c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "{bad:?} cannot appear in a host (give HOST or HOST:PORT only)"
        ));
    }
    if !s.starts_with('[') && s.bytes().filter(|&b| b == b':').count() > 1 {
        return Err(IPV6_HOST_HINT.into());
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (addr, after) = rest
            .split_once(']')
            .ok_or("unclosed '[' in an IPv6 address")?;
        let v6: Ipv6Addr = addr
            .parse()
            .map_err(|_| format!("{addr:?} is not an IPv6 address"))?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or("expected :PORT after ']'")?),
        };
        (format!("[{v6}]"), port)
    } else {
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        };
        if !valid_hostname(host) {
            return Err(format!("{host:?} is not an IP address or host name"));
        }
        (host.to_ascii_lowercase(), port)
    };
    match port {
        None => Ok(host),
        Some(p) => match crate::resolve::parse_port(p) {
            Some(n @ 1..) => Ok(format!("{host}:{n}")),
            _ => Err(format!("{p:?} is not a port (1-65535)")),
        },
    }
}

/// An IPv4 address or a DNS name: labels of letters, digits and hyphens.
fn valid_hostname(h: &str) -> bool {
    if h.parse::<IpAddr>().is_ok() {
        return true;
    }
    // Digits and dots only, yet not an IPv4 address (say 192.168.1.300).
    if h.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return false;
    }
    let h = h.strip_suffix('.').unwrap_or(h);
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

const IPV6_HOST_HINT: &str = "write an IPv6 address in brackets: [::1] or [::1]:8080";

fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    // node_exporter's `:9101`, and `9101` or `*:9101`: a port alone.
    let port = s
        .strip_prefix(':')
        .or_else(|| s.strip_prefix("*:"))
        .unwrap_or(s);
    if port.parse::<u64>().is_ok_and(|n| n <= 65535) {
        return Err("give an address too: 0.0.0.0:9101, or [::]:9101 for IPv6".into());
    }
    if !s.starts_with('[') && s.bytes().filter(|&b| b == b':').count() > 1 {
        return Err("write an IPv6 address in brackets: [::]:9101 or [::1]:9101".into());
    }
    if !s.contains(':') {
        return Err("expected ADDR:PORT, e.g. 0.0.0.0:9101 or [::]:9101".into());
    }
    // A name (`localhost:9101`) through the hub's resolver rather than
    // std's `ToSocketAddrs`: that would link musl's getaddrinfo for this
    // one lookup (35 KB on mipsel, 28 KB on aarch64, stripped).
    let (host, port) = s.rsplit_once(':').expect("checked above");
    use crate::resolve::{parse_port, resolve, ResolveError};
    let port = parse_port(port).ok_or_else(|| format!("{port:?} is not a port"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    resolve(host, port, deadline)
        .map_err(|e| match e {
            ResolveError::NotFound { .. } => format!("cannot resolve {host:?}: no such name"),
            ResolveError::TimedOut => format!("cannot resolve {host:?}: no answer within 5 s"),
            ResolveError::Failed(why) => format!("cannot resolve {host:?}: {why}"),
        })?
        .into_iter()
        .next()
        .ok_or_else(|| "resolves to no address".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str], env: Option<&str>) -> Result<Config, Exit> {
        parse("smarthub-exporter", args, env)
    }

    #[test]
    fn defaults() {
        let c = p(&[], None).unwrap();
        assert_eq!(c.hub, "192.168.1.254");
        assert_eq!(c.listen, "0.0.0.0:9101".parse().unwrap());
        assert_eq!(c.timeout, Duration::from_secs(5));
        assert_eq!(c.cache_ttl, Duration::from_secs(8));
        assert_eq!(c.poll, Some(Duration::from_secs(60)));
        assert_eq!(c.collectors, collector::ALL.iter().collect::<Vec<_>>());
        assert_eq!(c.log_level, log::LevelFilter::Info);
        assert!(!c.syslog);
        assert!(p(&["--syslog"], None).unwrap().syslog);
    }

    #[test]
    fn host_from_flag_then_env_then_default() {
        assert_eq!(
            p(&["--host", "10.0.0.1"], Some("10.0.0.2")).unwrap().hub,
            "10.0.0.1"
        );
        assert_eq!(p(&[], Some("10.0.0.2")).unwrap().hub, "10.0.0.2");
        assert_eq!(p(&[], Some("")).unwrap().hub, "192.168.1.254");
        let e = p(&[], Some("bad host")).unwrap_err();
        assert!(
            matches!(&e, Exit::Usage(m) if m.contains("SMARTHUB_HOST")),
            "{e:?}"
        );
        assert_eq!(e.code(), 2);
    }

    #[test]
    fn host_forms() {
        for (input, want) in [
            ("192.168.1.254", "192.168.1.254"),
            ("http://192.168.1.254/", "192.168.1.254"),
            ("HTTP://BTHomeHub.Home", "bthomehub.home"),
            ("bthomehub.home:8080", "bthomehub.home:8080"),
            ("[fe80::1]:80", "[fe80::1]:80"),
            ("[::1]", "[::1]"),
            ("http://[::1]:8080/", "[::1]:8080"),
            ("localhost", "localhost"),
        ] {
            assert_eq!(parse_host(input).as_deref(), Ok(want), "{input}");
        }
        for p in crate::resolve::PORT_EDGES {
            let want = p.parse::<u16>().ok().filter(|&p| p > 0);
            let host = parse_host(&format!("h:{p}"));
            assert_eq!(host.ok(), want.map(|p| format!("h:{p}")), "{p:?}");
        }
        for bad in [
            "",
            "https://192.168.1.254",
            "ftp://x",
            "192.168.1.254/path",
            "user@host",
            "a b",
            "host:0",
            "host:99999",
            "host:",
            "-bad.example",
            "192.168.1.300",
            "[::1",
            "[zz]:1",
            "a..b",
            "x:y:z",
            "ho_st",
            "éééééé",
            "http://é",
            "\u{1F600}\u{1F600}",
        ] {
            assert!(parse_host(bad).is_err(), "{bad:?} should be refused");
        }
        for v6 in [
            "::1",
            "::1:8080",
            "fe80::1",
            "http://fe80::1/",
            "2001:db8::1:80",
        ] {
            assert_eq!(parse_host(v6), Err(IPV6_HOST_HINT.to_owned()), "{v6}");
        }
    }

    #[test]
    fn listen_forms_and_hints() {
        for (input, want) in [
            ("0.0.0.0:9101", "0.0.0.0:9101"),
            ("[::]:9101", "[::]:9101"),
            ("127.0.0.1:0", "127.0.0.1:0"),
        ] {
            assert_eq!(parse_listen(input), Ok(want.parse().unwrap()), "{input}");
        }
        for port_only in [":9101", "9101", "*:9101", ":0"] {
            let e = parse_listen(port_only).unwrap_err();
            assert!(
                e.contains("give an address too: 0.0.0.0:9101"),
                "{port_only}: {e}"
            );
        }
        for v6 in ["::1:9101", "fe80::1:9101", "::"] {
            let e = parse_listen(v6).unwrap_err();
            assert!(e.contains("in brackets"), "{v6}: {e}");
        }
        assert!(parse_listen("nonsense")
            .unwrap_err()
            .contains("expected ADDR:PORT"));
        let e = p(&["--listen", ":9101"], None).unwrap_err();
        assert_eq!(e.code(), 2);
    }

    #[test]
    fn usage_errors_exit_2() {
        for args in [
            &["--timeout", "0"][..],
            &["--timeout", "abc"],
            &["--listen", "nonsense"],
            &["--no-collector", "No-Such-Collector"],
            &["--log-level", "loud"],
            &["--cache-ttl", "99999"],
            &["--timeout", "301"],
            &["--cache-ttl", "3601"],
            &["--poll", "9"],
            &["--poll", "3601"],
            &["--poll", "-1"],
            &["--poll", "1m"],
            &["--bogus"],
            &["--host", "https://x"],
        ] {
            let e = p(args, None).unwrap_err();
            assert_eq!(e.code(), 2, "{args:?}: {e:?}");
        }
        // The bounds themselves are accepted.
        let c = p(&["--timeout", "300", "--cache-ttl", "3600"], None).unwrap();
        assert_eq!(c.timeout, Duration::from_secs(MAX_TIMEOUT_SECS));
        assert_eq!(c.cache_ttl, Duration::from_secs(MAX_CACHE_TTL_SECS));
        assert!(p(&["--timeout", "1", "--cache-ttl", "0"], None).is_ok());
        assert_eq!(p(&["--poll", "0"], None).unwrap().poll, None);
        for (secs, want) in [("10", 10), ("3600", 3600)] {
            let c = p(&["--poll", secs], None).unwrap();
            assert_eq!(c.poll, Some(Duration::from_secs(want)));
        }
        assert!(matches!(p(&["--help"], None), Err(Exit::Help(h)) if h.contains("--no-lan")));
        assert!(
            matches!(p(&["--version"], None), Err(Exit::Version(v)) if v.starts_with("smarthub-exporter "))
        );
    }

    #[test]
    fn a_replay_reads_a_directory_and_no_hub() {
        let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/hub");
        // $SMARTHUB_HOST, even a bad one, is not read with --replay.
        let c = p(&["--replay", demo], Some("bad host")).unwrap();
        let r = c.replay.unwrap();
        assert_eq!(r.shown, demo);
        assert_eq!(r.advance, Some(50_000), "the demo asks for moving counters");
        assert_eq!(r.day, Some(1440), "and for a day of history");
        assert_eq!(p(&[], None).unwrap().replay, None);
        for args in [
            &["--replay", demo, "--host", "192.168.1.254"][..],
            &["--replay", "/nonexistent/smarthub-recording"],
            &[
                "--replay",
                concat!(env!("CARGO_MANIFEST_DIR"), "/demo/hub/MANIFEST"),
            ],
        ] {
            let e = p(args, None).unwrap_err();
            assert!(matches!(&e, Exit::Usage(m) if m.contains("--")), "{e:?}");
            assert_eq!(e.code(), 2, "{args:?}");
        }
    }

    #[test]
    fn a_listen_name_is_looked_up_in_etc_hosts() {
        let a = parse_listen("localhost:9101").unwrap();
        assert!(a.ip().is_loopback() && a.port() == 9101, "{a}");
        let e = parse_listen("localhost:http").unwrap_err();
        assert!(e.contains("not a port"), "{e}");
    }

    #[test]
    fn collectors_and_listen() {
        let c = p(&["--no-lan", "--listen", "[::]:9101"], None).unwrap();
        assert_eq!(c.listen, "[::]:9101".parse().unwrap());
        let names = |c: Config| c.collectors.iter().map(|c| c.name).collect::<Vec<_>>();
        let all_but = |off: &[&str]| {
            collector::ALL
                .iter()
                .map(|c| c.name)
                .filter(|n| !off.contains(n))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(c), all_but(&["lan"]));
        let c = p(&["--no-collector", "owl", "--no-collector", "status"], None).unwrap();
        assert_eq!(names(c), all_but(&["owl", "status"]));
        let mut all_off: Vec<&str> = Vec::new();
        for c in collector::ALL {
            all_off.extend(["--no-collector", c.name]);
        }
        assert!(p(&all_off, None).unwrap().collectors.is_empty());
    }

    /// The UCI config's comment lists collectors for its reader, not all of
    /// them: each it names (described with its page, or in a line to
    /// uncomment) is one the binary knows, and it says where the whole list is.
    #[test]
    fn the_openwrt_config_names_only_collectors_the_binary_knows() {
        let config = include_str!("../packaging/openwrt-feed/files/smarthub-exporter.config");
        assert!(
            config.contains("smarthub-exporter --help lists them all"),
            "the UCI config does not say that --help lists the collectors"
        );
        let mut named = 0;
        for line in config.lines() {
            if let Some(rest) = line.strip_prefix("\t#list disable_collector '") {
                let name = rest.strip_suffix('\'').expect("a quoted name");
                assert!(collector::by_name(name).is_some(), "{line:?}");
                named += 1;
            } else if let Some(rest) = line.strip_prefix("\t#   ") {
                // `#   NAME    /page: what it gives`, and its continuations.
                let mut words = rest.split_whitespace();
                let (Some(name), Some(page)) = (words.next(), words.next()) else {
                    continue;
                };
                let Some(page) = page.strip_suffix(':').filter(|p| p.starts_with('/')) else {
                    continue;
                };
                let c = collector::by_name(name).unwrap_or_else(|| panic!("{line:?}"));
                assert!(
                    c.pages().contains(&page),
                    "{line:?}: {name} reads {:?}",
                    c.pages()
                );
                named += 1;
            }
        }
        assert!(named >= 2, "the UCI config names no collector");
    }

    #[test]
    fn help_names_every_collector() {
        let Err(Exit::Help(help)) = p(&["--help"], None) else {
            panic!("no help")
        };
        let section = help
            .split_once("\nCollectors (")
            .map(|(_, s)| s)
            .unwrap_or_else(|| panic!("no collectors section in {help}"));
        for c in collector::ALL {
            let line = section
                .lines()
                .find(|l| l.split_whitespace().next() == Some(c.name))
                .unwrap_or_else(|| panic!("{} missing from {section}", c.name));
            // The name, at least two spaces, what it reads and its page.
            let rest = &line[2 + c.name.len()..];
            assert!(
                rest.starts_with("  ") && rest.trim_start() == format!("{} ({})", c.about, c.path),
                "{line:?}"
            );
        }
        let e = p(&["--no-collector", "No-Such-Collector"], None).unwrap_err();
        assert!(
            matches!(&e, Exit::Usage(m) if m.contains(&format!("(known: {})", collector::names()))),
            "{e:?}"
        );
    }
}
