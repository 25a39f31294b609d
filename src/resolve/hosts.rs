//! The resolver's configuration files: the addresses `/etc/hosts` gives a
//! name, and `/etc/resolv.conf`'s name servers, search list and `ndots`.
//! Reading them is pure but for the two file reads ([`from_file`],
//! [`ResolvConf::from_file`]), so each is tested on text.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

use super::MAX_ADDRESSES;

pub const HOSTS: &str = "/etc/hosts";
pub const RESOLV_CONF: &str = "/etc/resolv.conf";
/// resolv.conf is read up to this size.
const MAX_RESOLV_CONF_BYTES: u64 = 64 << 10;
/// As glibc: name servers and search domains used.
pub const MAX_NAMESERVERS: usize = 3;
pub const MAX_SEARCH: usize = 6;

/// Every address [`HOSTS`] gives `name` ([`lookup`]); none when the file
/// cannot be read.
pub fn from_file(name: &str) -> Vec<IpAddr> {
    File::open(HOSTS)
        .map(|f| lookup(BufReader::new(f), name))
        .unwrap_or_default()
}

/// Every address `/etc/hosts` gives `name`, in file order.
pub fn lookup(file: impl BufRead, name: &str) -> Vec<IpAddr> {
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
    /// [`RESOLV_CONF`], read up to [`MAX_RESOLV_CONF_BYTES`]; without one,
    /// glibc's and musl's default, the local server.
    pub fn from_file() -> ResolvConf {
        let mut text = String::new();
        if let Ok(f) = File::open(RESOLV_CONF) {
            let _ = f.take(MAX_RESOLV_CONF_BYTES).read_to_string(&mut text);
        }
        ResolvConf::parse(&text)
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_file() {
        let hosts = "# comment\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n\
                     192.168.1.254\tbthomehub.home  hub # the hub\nnot-an-ip hub\n10.0.0.1 HUB.\n192.168.1.254 hub\n";
        let f = |n| lookup(hosts.as_bytes(), n);
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
}
