//! Turning the hub's name into addresses inside the scrape's deadline.
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

use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::time::{Duration, Instant};

pub const HOSTS: &str = "/etc/hosts";
pub const RESOLV_CONF: &str = "/etc/resolv.conf";
/// resolv.conf is read up to this size.
const MAX_RESOLV_CONF_BYTES: u64 = 64 << 10;
/// As glibc: name servers and search domains used.
pub const MAX_NAMESERVERS: usize = 3;
pub const MAX_SEARCH: usize = 6;
/// Addresses kept for one name.
pub const MAX_ADDRESSES: usize = 8;
/// The longest a name server is waited for before the next is asked (or
/// asked again), and how many rounds over the servers a name gets; the
/// scrape's deadline cuts either short.
pub const TRY_TIMEOUT: Duration = Duration::from_millis(1500);
pub const ATTEMPTS: usize = 2;
pub const SECOND_ANSWER_GRACE: Duration = Duration::from_millis(100);
/// A UDP answer without EDNS is at most 512 bytes; a little more is read so
/// that an oversized one is seen and refused rather than cut.
const MAX_PACKET: usize = 512;
/// CNAMEs followed within one answer, compression pointers within one name,
/// answer records looked at.
const MAX_CNAMES: usize = 8;
const MAX_POINTERS: usize = 16;
const MAX_RECORDS: usize = 64;

const TYPE_A: u16 = 1;
const TYPE_CNAME: u16 = 5;
const TYPE_AAAA: u16 = 28;
const CLASS_IN: u16 = 1;

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
    let from_hosts = File::open(HOSTS)
        .map(|f| hosts_lookup(BufReader::new(f), name))
        .unwrap_or_default();
    if !from_hosts.is_empty() {
        return Ok(with_port(from_hosts));
    }
    let mut text = String::new();
    // No resolv.conf: glibc's and musl's default, the local server.
    if let Ok(f) = File::open(RESOLV_CONF) {
        let _ = f.take(MAX_RESOLV_CONF_BYTES).read_to_string(&mut text);
    }
    let conf = ResolvConf::parse(&text);
    lookup(name, &conf, deadline).map(with_port)
}

/// Every address `/etc/hosts` gives `name`, in file order.
pub fn hosts_lookup(file: impl BufRead, name: &str) -> Vec<IpAddr> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let mut found = Vec::new();
    for line in file.split(b'\n') {
        let Ok(line) = line else { break };
        let line = String::from_utf8_lossy(&line);
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        let Some(Ok(ip)) = fields.next().map(str::parse::<IpAddr>) else {
            continue;
        };
        if fields.any(|n| n.strip_suffix('.').unwrap_or(n).eq_ignore_ascii_case(name))
            && !found.contains(&ip)
            && found.len() < MAX_ADDRESSES
        {
            found.push(ip);
        }
    }
    found
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    pub nameservers: Vec<SocketAddr>,
    pub search: Vec<String>,
    pub ndots: usize,
}

impl ResolvConf {
    pub fn parse(text: &str) -> ResolvConf {
        let mut conf = ResolvConf {
            nameservers: Vec::new(),
            search: Vec::new(),
            ndots: 1,
        };
        for line in text.lines() {
            let line = line.split(['#', ';']).next().unwrap_or("");
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => {
                    if let Some(ns) = words.next().and_then(nameserver) {
                        if conf.nameservers.len() < MAX_NAMESERVERS {
                            conf.nameservers.push(ns);
                        }
                    }
                }
                // The last `search` or `domain` line wins, as in glibc.
                Some("search" | "domain") => {
                    conf.search = words
                        .filter(|d| d.len() < 254)
                        .map(|d| d.trim_end_matches('.').to_ascii_lowercase())
                        .filter(|d| !d.is_empty())
                        .take(MAX_SEARCH)
                        .collect();
                }
                Some("options") => {
                    for o in words {
                        if let Some(n) = o
                            .strip_prefix("ndots:")
                            .and_then(|n| n.parse::<usize>().ok())
                        {
                            conf.ndots = n.min(15);
                        }
                    }
                }
                _ => {}
            }
        }
        if conf.nameservers.is_empty() {
            conf.nameservers
                .push(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 53));
        }
        conf
    }

    /// The names to ask for, in order (glibc's: the name as given first
    /// when it has `ndots` dots, else after the search domains).
    pub fn candidates(&self, name: &str) -> Vec<String> {
        if let Some(absolute) = name.strip_suffix('.') {
            return vec![absolute.to_owned()];
        }
        let dots = name.bytes().filter(|&b| b == b'.').count();
        let mut out = Vec::new();
        if dots >= self.ndots {
            out.push(name.to_owned());
        }
        for d in &self.search {
            if name.len() + 1 + d.len() <= 253 {
                out.push(format!("{name}.{d}"));
            }
        }
        if dots < self.ndots {
            out.push(name.to_owned());
        }
        out
    }
}

/// `1.2.3.4`, `::1`, `fe80::1%eth0` (a scope by name or number).
fn nameserver(s: &str) -> Option<SocketAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, 53));
    }
    let (addr, scope) = s.split_once('%')?;
    let addr: Ipv6Addr = addr.parse().ok()?;
    let scope = match scope.parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            let c = std::ffi::CString::new(scope).ok()?;
            // SAFETY: a valid NUL-terminated string that outlives the call.
            let n = unsafe { libc::if_nametoindex(c.as_ptr()) };
            if n == 0 {
                return None;
            }
            n
        }
    };
    Some(SocketAddr::V6(SocketAddrV6::new(addr, 53, 0, scope)))
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
        socket.send(&query(id, name, qtype)).map_err(io_err)?;
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
            Err(e) if super::read_again(&e) => continue,
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
                if let Some(a) = parse_answer(&buf[..n], id, name, qtype) {
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
                rcode_name(rcode)
            ))),
            (Answer::Truncated, _) | (_, Answer::Truncated) => Err(Failure::Server(format!(
                "name server {server}: a truncated answer (TCP is not tried)"
            ))),
            (Answer::Addresses(_), _) | (_, Answer::Addresses(_)) => Ok(Found::Nothing),
        },
        _ => Err(Failure::Timeout),
    }
}

fn rcode_name(rcode: u8) -> String {
    match rcode {
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        n => format!("rcode {n}"),
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

/// A query for `name` (checked by the command line: ASCII labels of at
/// most 63 bytes) with recursion desired.
pub fn query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut q = Vec::with_capacity(18 + name.len());
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.').filter(|l| !l.is_empty()) {
        let label = &label.as_bytes()[..label.len().min(63)];
        q.push(label.len() as u8);
        q.extend(label.iter().map(u8::to_ascii_lowercase));
    }
    q.push(0);
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&CLASS_IN.to_be_bytes());
    q
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Addresses(Vec<IpAddr>),
    NoName,
    NoData,
    Truncated,
    Error(u8),
}

/// Reads the answer to query `id` for `name` and `qtype`; `None` for a
/// packet that is not that answer (or is malformed), to be ignored.
pub fn parse_answer(p: &[u8], id: u16, name: &str, qtype: u16) -> Option<Answer> {
    let u16_at =
        |i: usize| -> Option<u16> { Some(u16::from_be_bytes([*p.get(i)?, *p.get(i + 1)?])) };
    if p.len() < 12 || u16_at(0)? != id {
        return None;
    }
    let flags = u16_at(2)?;
    let (response, opcode, truncated, rcode) = (
        flags >> 15 == 1,
        (flags >> 11) & 0xf,
        flags & 0x0200 != 0,
        (flags & 0xf) as u8,
    );
    if !response || opcode != 0 || u16_at(4)? != 1 {
        return None;
    }
    let want = name.trim_end_matches('.').to_ascii_lowercase().into_bytes();
    let (qname, mut at) = read_name(p, 12)?;
    if qname != want || u16_at(at)? != qtype || u16_at(at + 2)? != CLASS_IN {
        return None;
    }
    at += 4;
    if truncated {
        return Some(Answer::Truncated);
    }
    match rcode {
        0 => {}
        3 => return Some(Answer::NoName),
        n => return Some(Answer::Error(n)),
    }
    let mut records = Vec::new();
    for _ in 0..u16_at(6)?.min(MAX_RECORDS as u16) {
        let (owner, next) = read_name(p, at)?;
        let (rtype, class, len) = (u16_at(next)?, u16_at(next + 2)?, u16_at(next + 8)? as usize);
        let data = next + 10;
        let rdata = p.get(data..data + len)?;
        at = data + len;
        if class == CLASS_IN {
            records.push((owner, rtype, rdata, data));
        }
    }
    // The chain of aliases from the name asked, then its addresses.
    let mut current = want;
    for _ in 0..MAX_CNAMES {
        let Some((_, _, _, data)) = records.iter().find(|r| r.0 == current && r.1 == TYPE_CNAME)
        else {
            break;
        };
        current = read_name(p, *data)?.0;
    }
    let ips: Vec<IpAddr> = records
        .iter()
        .filter(|r| r.0 == current && r.1 == qtype)
        .filter_map(|r| match (qtype, r.2.len()) {
            (TYPE_A, 4) => Some(IpAddr::from(<[u8; 4]>::try_from(r.2).ok()?)),
            (TYPE_AAAA, 16) => Some(IpAddr::from(<[u8; 16]>::try_from(r.2).ok()?)),
            _ => None,
        })
        .take(MAX_ADDRESSES)
        .collect();
    Some(if ips.is_empty() {
        Answer::NoData
    } else {
        Answer::Addresses(ips)
    })
}

/// A (possibly compressed) name at `at`, lower-cased, dot-separated; and
/// where the record goes on after it.
fn read_name(p: &[u8], mut at: usize) -> Option<(Vec<u8>, usize)> {
    let mut name = Vec::new();
    let mut end = None;
    let mut jumps = 0;
    loop {
        let len = *p.get(at)?;
        match len {
            0 => {
                return Some((name, end.unwrap_or(at + 1)));
            }
            1..=63 => {
                let label = p.get(at + 1..at + 1 + len as usize)?;
                if !name.is_empty() {
                    name.push(b'.');
                }
                name.extend(label.iter().map(u8::to_ascii_lowercase));
                if name.len() > 255 {
                    return None;
                }
                at += 1 + len as usize;
            }
            0xc0..=0xff => {
                let target = (usize::from(len & 0x3f) << 8) | usize::from(*p.get(at + 1)?);
                jumps += 1;
                // Only backwards, and few: no loops.
                if jumps > MAX_POINTERS || target >= at {
                    return None;
                }
                end.get_or_insert(at + 2);
                at = target;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer to `query(id, name, qtype)` with these records (owner,
    /// type, rdata), the owner written as a pointer to the question's name
    /// when it is that name.
    fn answer(
        id: u16,
        name: &str,
        qtype: u16,
        rcode: u8,
        records: &[(&str, u16, Vec<u8>)],
    ) -> Vec<u8> {
        let mut p = query(id, name, qtype);
        p[2] = 0x81;
        p[3] = 0x80 | rcode;
        p[7] = records.len() as u8;
        for (owner, rtype, rdata) in records {
            if *owner == name {
                p.extend_from_slice(&[0xc0, 12]);
            } else {
                p.extend_from_slice(&query(0, owner, 0)[12..][..owner.len() + 2]);
            }
            p.extend_from_slice(&rtype.to_be_bytes());
            p.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
            p.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
            p.extend_from_slice(rdata);
        }
        p
    }

    fn name_bytes(n: &str) -> Vec<u8> {
        query(0, n, 0)[12..][..n.len() + 2].to_vec()
    }

    #[test]
    fn hosts_file() {
        let hosts = "# comment\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n\
                     192.168.1.254\tbthomehub.home  hub # the hub\nnot-an-ip hub\n10.0.0.1 HUB.\n192.168.1.254 hub\n";
        let f = |n| hosts_lookup(hosts.as_bytes(), n);
        assert_eq!(
            f("localhost"),
            [
                "127.0.0.1".parse::<IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        assert_eq!(
            f("hub"),
            [
                "192.168.1.254".parse::<IpAddr>().unwrap(),
                "10.0.0.1".parse().unwrap()
            ]
        );
        assert_eq!(f("hub."), f("hub"));
        assert!(f("the").is_empty());
        assert!(f("comment").is_empty());
    }

    #[test]
    fn resolv_conf() {
        let c = ResolvConf::parse(
            "# OpenWrt\nsearch lan\nnameserver 127.0.0.1\nnameserver ::1\nnameserver fe80::1%1\n\
             nameserver 10.0.0.9\nnameserver bogus\noptions ndots:2 timeout:1\n",
        );
        assert_eq!(
            c.nameservers,
            [
                "127.0.0.1:53".parse::<SocketAddr>().unwrap(),
                "[::1]:53".parse().unwrap(),
                "[fe80::1%1]:53".parse().unwrap()
            ]
        );
        assert_eq!(c.search, ["lan"]);
        assert_eq!(c.ndots, 2);
        let c = ResolvConf::parse("domain home.\nsearch a.example b.example\n");
        assert_eq!(c.search, ["a.example", "b.example"]);
        assert_eq!(
            c.nameservers,
            ["127.0.0.1:53".parse::<SocketAddr>().unwrap()],
            "the default"
        );
        assert_eq!(
            c.candidates("hub"),
            ["hub.a.example", "hub.b.example", "hub"]
        );
        assert_eq!(
            c.candidates("hub.home"),
            ["hub.home", "hub.home.a.example", "hub.home.b.example"]
        );
        assert_eq!(c.candidates("hub.home."), ["hub.home"]);
        let many = ResolvConf::parse(&format!("search {}\n", "d ".repeat(20)));
        assert_eq!(many.search.len(), MAX_SEARCH);
    }

    #[test]
    fn query_packet() {
        let q = query(0xbeef, "Hub.Lan", TYPE_AAAA);
        assert_eq!(
            q,
            [
                0xbe, 0xef, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, b'h', b'u', b'b', 3, b'l', b'a', b'n',
                0, 0, 28, 0, 1
            ]
        );
    }

    #[test]
    fn answers() {
        let a = |rdata: [u8; 4]| ("hub.lan", TYPE_A, rdata.to_vec());
        let p = answer(
            7,
            "hub.lan",
            TYPE_A,
            0,
            &[a([192, 168, 1, 254]), a([10, 0, 0, 1])],
        );
        assert_eq!(
            parse_answer(&p, 7, "HUB.lan", TYPE_A),
            Some(Answer::Addresses(vec![
                "192.168.1.254".parse().unwrap(),
                "10.0.0.1".parse().unwrap()
            ]))
        );
        // Not ours: another ID, another name, another type, a query.
        assert_eq!(parse_answer(&p, 8, "hub.lan", TYPE_A), None);
        assert_eq!(parse_answer(&p, 7, "hub.lan2", TYPE_A), None);
        assert_eq!(parse_answer(&p, 7, "hub.lan", TYPE_AAAA), None);
        assert_eq!(
            parse_answer(&query(7, "hub.lan", TYPE_A), 7, "hub.lan", TYPE_A),
            None
        );
        // Cut anywhere: ignored, never a panic.
        for n in 0..p.len() {
            assert!(parse_answer(&p[..n], 7, "hub.lan", TYPE_A).is_none(), "{n}");
        }
        assert_eq!(
            parse_answer(&answer(7, "x", TYPE_A, 3, &[]), 7, "x", TYPE_A),
            Some(Answer::NoName)
        );
        assert_eq!(
            parse_answer(&answer(7, "x", TYPE_A, 2, &[]), 7, "x", TYPE_A),
            Some(Answer::Error(2))
        );
        assert_eq!(
            parse_answer(&answer(7, "x", TYPE_A, 0, &[]), 7, "x", TYPE_A),
            Some(Answer::NoData)
        );
        let mut tc = answer(7, "x", TYPE_A, 0, &[]);
        tc[2] |= 0x02;
        assert_eq!(parse_answer(&tc, 7, "x", TYPE_A), Some(Answer::Truncated));
        let v6 = answer(
            7,
            "x",
            TYPE_AAAA,
            0,
            &[("x", TYPE_AAAA, Ipv6Addr::LOCALHOST.octets().to_vec())],
        );
        assert_eq!(
            parse_answer(&v6, 7, "x", TYPE_AAAA),
            Some(Answer::Addresses(vec![IpAddr::V6(Ipv6Addr::LOCALHOST)]))
        );
        // An A record of the wrong length is no address.
        let bad = answer(7, "x", TYPE_A, 0, &[("x", TYPE_A, vec![1, 2, 3])]);
        assert_eq!(parse_answer(&bad, 7, "x", TYPE_A), Some(Answer::NoData));
    }

    #[test]
    fn cnames_are_followed_and_only_the_chains_addresses_count() {
        let p = answer(
            1,
            "hub",
            TYPE_A,
            0,
            &[
                ("other", TYPE_A, vec![6, 6, 6, 6]),
                ("hub", TYPE_CNAME, name_bytes("router.lan")),
                ("router.lan", TYPE_CNAME, name_bytes("box.lan")),
                ("box.lan", TYPE_A, vec![192, 168, 1, 254]),
                ("router.lan", TYPE_A, vec![7, 7, 7, 7]),
            ],
        );
        assert_eq!(
            parse_answer(&p, 1, "hub", TYPE_A),
            Some(Answer::Addresses(vec!["192.168.1.254".parse().unwrap()]))
        );
        // A chain that loops ends at the bound, with no address.
        let p = answer(
            1,
            "a",
            TYPE_A,
            0,
            &[
                ("a", TYPE_CNAME, name_bytes("b")),
                ("b", TYPE_CNAME, name_bytes("a")),
            ],
        );
        assert_eq!(parse_answer(&p, 1, "a", TYPE_A), Some(Answer::NoData));
    }

    #[test]
    fn compression_pointers_cannot_loop() {
        let mut p = answer(1, "a", TYPE_A, 0, &[]);
        p[7] = 1;
        let here = p.len();
        // An owner name that points at itself, then one pointing forwards.
        p.extend_from_slice(&[0xc0, here as u8, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]);
        assert_eq!(parse_answer(&p, 1, "a", TYPE_A), None);
        p[here + 1] = 0xff;
        assert_eq!(parse_answer(&p, 1, "a", TYPE_A), None);
    }

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
