//! Turning a name into addresses inside a deadline: the hub's, within the
//! scrape's, and `--listen`'s at start.
//!
//! Written by hand because the system resolver cannot be bounded:
//! `getaddrinfo` (all `ToSocketAddrs` offers) takes no timeout, and with a
//! dead name server it blocks for `timeout × attempts × servers` (15 s and
//! more) whatever `--timeout` says; bounding it would take a thread per
//! lookup, which is what this client exists to avoid. The hub is almost
//! always an IP literal (no lookup at all) or a name that `/etc/hosts` or
//! the router's own dnsmasq knows, so a stub resolver covers it: `/etc/hosts`,
//! then A and AAAA over UDP to the `nameserver`s of `/etc/resolv.conf`, with
//! its `search` list and `ndots` for short names, following the CNAMEs of an
//! answer. Not here, on purpose: TCP fallback for truncated answers (an
//! answer for one host fits in 512 bytes), EDNS, DNSSEC, `nsswitch.conf`
//! sources other than files and dns, and `options timeout/attempts` (the
//! deadline decides). Every packet, count and wait is bounded.
//!
//! [`hosts`] reads `/etc/hosts` and `/etc/resolv.conf`, [`dns`] is the wire
//! format; here, the lookup with its deadline and retries.

pub mod dns;
pub mod hosts;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use dns::{Answer, MAX_PACKET, TYPE_A, TYPE_AAAA};
use hosts::ResolvConf;

/// Addresses kept for one name.
pub const MAX_ADDRESSES: usize = 8;
/// The longest a name server is waited for before the next is asked (or
/// asked again), and how many rounds over the servers a name gets; the
/// caller's deadline cuts either short.
pub const TRY_TIMEOUT: Duration = Duration::from_millis(1500);
pub const ATTEMPTS: usize = 2;
pub const SECOND_ANSWER_GRACE: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// No such name, or a name without addresses, for every candidate.
    NotFound {
        asked: Vec<SocketAddr>,
    },
    TimedOut,
    /// The name servers failed, refused or could not be reached.
    Failed(String),
}

/// The addresses of `name`, port `port`, before `deadline`.
pub fn resolve(name: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>, ResolveError> {
    let with_port = |ips: Vec<IpAddr>| {
        ips.into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect()
    };
    let from_hosts = hosts::from_file(name);
    if !from_hosts.is_empty() {
        return Ok(with_port(from_hosts));
    }
    lookup(name, &ResolvConf::from_file(), deadline).map(with_port)
}

/// Asks the name servers of `conf` for each candidate name in turn.
pub fn lookup(
    name: &str,
    conf: &ResolvConf,
    deadline: Instant,
) -> Result<Vec<IpAddr>, ResolveError> {
    let mut failure = None;
    'names: for candidate in conf.candidates(name) {
        for _ in 0..ATTEMPTS {
            for &server in &conf.nameservers {
                let now = Instant::now();
                if now >= deadline {
                    return Err(ResolveError::TimedOut);
                }
                match ask(server, &candidate, deadline.min(now + TRY_TIMEOUT)) {
                    Ok(Found::Addresses(ips)) => return Ok(ips),
                    // An answer, if a negative one: the next name, not the
                    // next server (as a stub resolver does).
                    Ok(Found::Nothing) => continue 'names,
                    Err(e) => failure = Some(e),
                }
            }
        }
    }
    Err(match failure {
        None => ResolveError::NotFound {
            asked: conf.nameservers.clone(),
        },
        Some(Failure::Timeout) if Instant::now() >= deadline => ResolveError::TimedOut,
        Some(Failure::Timeout) => {
            ResolveError::Failed(format!("no answer from {}", list(&conf.nameservers)))
        }
        Some(Failure::Server(why)) => ResolveError::Failed(why),
    })
}

fn list(servers: &[SocketAddr]) -> String {
    servers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

enum Found {
    Addresses(Vec<IpAddr>),
    /// NXDOMAIN, or the name has no A or AAAA record.
    Nothing,
}

enum Failure {
    Timeout,
    Server(String),
}

/// Sends `server` an A and an AAAA query for `name` and waits for both
/// answers until `until`; once one has addresses, the other is waited for
/// only [`SECOND_ANSWER_GRACE`] more (some forwarders drop AAAA queries).
fn ask(server: SocketAddr, name: &str, until: Instant) -> Result<Found, Failure> {
    let io_err = |e: io::Error| Failure::Server(format!("name server {server}: {e}"));
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    // Connected: the kernel drops datagrams from anyone else, and a closed
    // port comes back as an error rather than a wait.
    let socket = UdpSocket::bind(local).map_err(io_err)?;
    socket.connect(server).map_err(io_err)?;
    let ids = random_ids();
    let mut answers: [Option<Answer>; 2] = [None, None];
    for (id, qtype) in [(ids.0, TYPE_A), (ids.1, TYPE_AAAA)] {
        socket.send(&dns::query(id, name, qtype)).map_err(io_err)?;
    }
    let mut buf = [0u8; MAX_PACKET + 1];
    let mut until = until;
    while answers.iter().any(Option::is_none) {
        if answers
            .iter()
            .any(|a| matches!(a, Some(Answer::Addresses(_))))
        {
            until = until.min(Instant::now() + SECOND_ANSWER_GRACE);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        socket.set_read_timeout(Some(left)).map_err(io_err)?;
        let n = match socket.recv(&mut buf) {
            Ok(n) => n,
            Err(e) if recv_again(&e) => continue,
            Err(e) => return Err(io_err(e)),
        };
        if n > MAX_PACKET {
            return Err(Failure::Server(format!(
                "name server {server}: an answer over {MAX_PACKET} bytes"
            )));
        }
        // Anything that is not the answer to one of our two questions (a
        // late answer to an earlier query, a forgery) is ignored.
        for (slot, (id, qtype)) in answers
            .iter_mut()
            .zip([(ids.0, TYPE_A), (ids.1, TYPE_AAAA)])
        {
            if slot.is_none() {
                if let Some(a) = dns::parse_answer(&buf[..n], id, name, qtype) {
                    *slot = Some(a);
                }
            }
        }
    }
    let mut ips = Vec::new();
    for a in answers.iter().flatten() {
        if let Answer::Addresses(found) = a {
            ips.extend(found.iter().take(MAX_ADDRESSES - ips.len()));
        }
    }
    if !ips.is_empty() {
        return Ok(Found::Addresses(ips));
    }
    match answers {
        [Some(a), Some(b)] => match (a, b) {
            (Answer::NoName, _) | (_, Answer::NoName) => Ok(Found::Nothing),
            (Answer::NoData, Answer::NoData) => Ok(Found::Nothing),
            (Answer::Error(rcode), _) | (_, Answer::Error(rcode)) => Err(Failure::Server(format!(
                "name server {server} answered {}",
                dns::rcode_name(rcode)
            ))),
            (Answer::Truncated, _) | (_, Answer::Truncated) => Err(Failure::Server(format!(
                "name server {server}: a truncated answer (TCP is not tried)"
            ))),
            (Answer::Addresses(_), _) | (_, Answer::Addresses(_)) => Ok(Found::Nothing),
        },
        _ => Err(Failure::Timeout),
    }
}
/// Two query IDs nobody off the path can guess (RFC 5452): std's hasher
/// keys are random per process, so no random-number crate is needed.
fn random_ids() -> (u16, u16) {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    let r = h.finish();
    (r as u16, (r >> 16) as u16)
}

/// A receive that ended with neither data nor a real error: its timeout
/// fired early (a coarse timer) or a signal came; the caller waits again
/// with what is left of its deadline.
fn recv_again(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// A TCP port as written after a host's `:`: what `str::parse::<u16>`
/// reads (digits, one optional `+`, within `u16`; 0 included, for the
/// caller to refuse or not), through `u64`'s parser, which the binary has
/// anyway, rather than a second one for `u16` (348 bytes on mipsel).
pub fn parse_port(s: &str) -> Option<u16> {
    s.parse::<u64>().ok().and_then(|n| u16::try_from(n).ok())
}

/// Ports at the edges of what [`parse_port`] reads, for the tests of each
/// reader of an address.
#[cfg(test)]
pub(crate) const PORT_EDGES: [&str; 11] = [
    "0",
    "1",
    "+80",
    "080",
    "65535",
    "65536",
    "-1",
    "+-1",
    "",
    " 80",
    "18446744073709551616",
];

#[cfg(test)]
mod tests {

    #[test]
    fn a_port_reads_as_u16_parse_reads_it() {
        for p in PORT_EDGES {
            assert_eq!(parse_port(p), p.parse::<u16>().ok(), "{p:?}");
        }
    }

    use super::dns::{answer, read_name};
    use super::*;

    /// A name server on loopback that answers with `reply(query)`.
    fn server(reply: impl Fn(&[u8]) -> Option<Vec<u8>> + Send + 'static) -> SocketAddr {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = s.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 600];
            while let Ok((n, from)) = s.recv_from(&mut buf) {
                if let Some(r) = reply(&buf[..n]) {
                    let _ = s.send_to(&r, from);
                }
            }
        });
        addr
    }

    /// The answer to a query packet, given records for (name, qtype).
    fn respond(
        q: &[u8],
        rcode: u8,
        records: impl Fn(&str, u16) -> Vec<(String, u16, Vec<u8>)>,
    ) -> Vec<u8> {
        let id = u16::from_be_bytes([q[0], q[1]]);
        let (name, at) = read_name(q, 12).unwrap();
        let name = String::from_utf8(name).unwrap();
        let qtype = u16::from_be_bytes([q[at], q[at + 1]]);
        let recs = records(&name, qtype);
        let recs: Vec<(&str, u16, Vec<u8>)> = recs
            .iter()
            .map(|(n, t, d)| (n.as_str(), *t, d.clone()))
            .collect();
        answer(id, &name, qtype, rcode, &recs)
    }

    fn conf(servers: &[SocketAddr], search: &[&str]) -> ResolvConf {
        ResolvConf {
            nameservers: servers.to_vec(),
            search: search.iter().map(|s| s.to_string()).collect(),
            ndots: 1,
        }
    }

    #[test]
    fn lookup_over_udp_with_the_search_list() {
        let ns = server(|q| {
            Some(respond(q, 0, |name, qtype| match (name, qtype) {
                ("hub.lan", TYPE_A) => vec![(name.into(), TYPE_A, vec![192, 168, 1, 254])],
                ("hub.lan", TYPE_AAAA) => vec![(
                    name.into(),
                    TYPE_AAAA,
                    Ipv6Addr::LOCALHOST.octets().to_vec(),
                )],
                _ => vec![],
            }))
        });
        let deadline = Instant::now() + Duration::from_secs(2);
        let ips = lookup("hub", &conf(&[ns], &["example", "lan"]), deadline).unwrap();
        assert_eq!(
            ips,
            [
                "192.168.1.254".parse::<IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        assert_eq!(
            lookup("nothing", &conf(&[ns], &["lan"]), deadline),
            Err(ResolveError::NotFound { asked: vec![ns] })
        );
    }

    #[test]
    fn a_dead_or_failing_server_is_bounded_by_the_deadline() {
        let silent = server(|_| None);
        let t = Instant::now();
        let r = lookup("hub", &conf(&[silent], &[]), t + Duration::from_millis(300));
        let took = t.elapsed();
        assert_eq!(r, Err(ResolveError::TimedOut));
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_millis(400),
            "{took:?}"
        );

        let failing = server(|q| Some(respond(q, 2, |_, _| vec![])));
        let r = lookup(
            "hub",
            &conf(&[failing], &[]),
            Instant::now() + Duration::from_secs(2),
        );
        assert!(
            matches!(&r, Err(ResolveError::Failed(m)) if m.contains("SERVFAIL")),
            "{r:?}"
        );

        // The first server fails; the second answers.
        let good = server(|q| {
            Some(respond(q, 0, |n, t| {
                if t == TYPE_A {
                    vec![(n.into(), TYPE_A, vec![1, 2, 3, 4])]
                } else {
                    vec![]
                }
            }))
        });
        let r = lookup(
            "hub",
            &conf(&[failing, good], &[]),
            Instant::now() + Duration::from_secs(2),
        );
        assert_eq!(r, Ok(vec!["1.2.3.4".parse().unwrap()]));
    }

    #[test]
    fn an_answer_with_addresses_does_not_wait_for_the_other() {
        // Only A queries are answered: the AAAA wait ends soon after, and
        // the A answer is used.
        let ns = server(|q| {
            let (_, at) = read_name(q, 12).unwrap();
            (u16::from_be_bytes([q[at], q[at + 1]]) == TYPE_A)
                .then(|| respond(q, 0, |n, _| vec![(n.into(), TYPE_A, vec![1, 2, 3, 4])]))
        });
        let t = Instant::now();
        let r = lookup("hub", &conf(&[ns], &[]), t + Duration::from_secs(3));
        assert_eq!(r, Ok(vec!["1.2.3.4".parse().unwrap()]));
        let took = t.elapsed();
        assert!(
            took >= SECOND_ANSWER_GRACE && took < SECOND_ANSWER_GRACE * 3,
            "{took:?}"
        );
    }
}
