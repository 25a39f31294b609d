//! The pseudonyms of one dump: each identifying value replaced by one made
//! from a keyed hash of it, the same every time the dump meets the value
//! (in any page, in any spelling), never the same for two values.
//!
//! The key is drawn at random per dump (std's `RandomState`, seeded from
//! the OS): without it a pseudonym cannot be turned back into the MAC by
//! trying all 2^24 NIC parts of a known OUI.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::net::{Ipv4Addr, Ipv6Addr};

use super::Hidden;

pub(super) struct Pseudonyms {
    key: RandomState,
    keep_oui: bool,
    // Lists, not hash maps: a dump meets a few hundred addresses once, and
    // a map's code is kilobytes in a binary for 8 MB of flash.
    macs: Vec<([u8; 6], [u8; 6])>,
    ipv4: Vec<(Ipv4Addr, Ipv4Addr)>,
}

impl Pseudonyms {
    /// Pseudonyms under a fresh random key. With `keep_oui`, a MAC keeps its
    /// first three bytes (the maker) and only the rest is pseudonymised.
    pub(super) fn new(keep_oui: bool) -> Self {
        Pseudonyms {
            key: RandomState::new(),
            keep_oui,
            macs: Vec::new(),
            ipv4: Vec::new(),
        }
    }

    fn hash(&self, what: &[u8], salt: u64) -> u64 {
        let mut h = self.key.build_hasher();
        what.hash(&mut h);
        salt.hash(&mut h);
        h.finish()
    }

    /// The pseudonym of one part of a named field (decoded): letters and
    /// digits only, which need no escaping in any of the hub's syntaxes.
    pub(super) fn name(&self, decoded: &[u8], kind: Hidden) -> String {
        let prefix = match kind {
            Hidden::Serial => "serial",
            Hidden::Ssid => "ssid",
            _ => "name",
        };
        let h = self.hash(decoded, kind as u64) as u32;
        format!("{prefix}{h:08x}")
    }

    /// The pseudonym of a MAC: locally administered (never a real maker's)
    /// unless the OUI is kept; distinct MACs never share one.
    pub(super) fn mac(&mut self, mac: [u8; 6]) -> [u8; 6] {
        if let Some((_, p)) = self.macs.iter().find(|(m, _)| *m == mac) {
            return *p;
        }
        let mut salt = 0;
        let new = loop {
            let h = self.hash(&mac, 1 << 32 | salt).to_le_bytes();
            let mut p = [h[0], h[1], h[2], h[3], h[4], h[5]];
            if self.keep_oui {
                p[..3].copy_from_slice(&mac[..3]);
            } else {
                p[0] = (p[0] & 0xfc) | 0x02;
            }
            if p != mac && !self.macs.iter().any(|(_, q)| *q == p) {
                break p;
            }
            salt += 1;
        };
        self.macs.push((mac, new));
        new
    }

    /// A public IPv4 address becomes one in 198.18.0.0/15 (set aside for
    /// benchmarks, RFC 2544: never a real household's), distinct per address.
    pub(super) fn ipv4(&mut self, ip: Ipv4Addr) -> Ipv4Addr {
        if let Some((_, p)) = self.ipv4.iter().find(|(a, _)| *a == ip) {
            return *p;
        }
        let mut salt = 0;
        let new = loop {
            let h = self.hash(&ip.octets(), 2 << 32 | salt) as u32;
            let p = Ipv4Addr::from(0xc612_0000 | (h & 0x1_ffff));
            if !self.ipv4.iter().any(|(_, q)| *q == p) {
                break p;
            }
            salt += 1;
        };
        self.ipv4.push((ip, new));
        new
    }

    /// Link-local (fe80::/10) and unique local (fc00::/7) addresses keep
    /// their prefix; global ones get one under 2001:db8::/32 (documentation,
    /// RFC 3849), the same for every address of the same /64. The interface
    /// part is replaced in all of them: an EUI-64 one (`..ff:fe..`) is a MAC,
    /// and becomes that MAC's pseudonym; a small one (`::1`, `::fe`) is kept.
    pub(super) fn ipv6(&mut self, ip: Ipv6Addr) -> Ipv6Addr {
        let seg = ip.segments();
        if ip.is_unspecified() || ip.is_loopback() || seg[0] >= 0xff00 {
            return ip;
        }
        if seg[0] == 0x2001 && seg[1] == 0x0db8 {
            return ip;
        }
        let b = ip.octets();
        let mut new = b;
        let local = (seg[0] & 0xffc0) == 0xfe80 || (seg[0] & 0xfe00) == 0xfc00;
        if !local {
            let h = self.hash(&b[..8], 3 << 32).to_le_bytes();
            new[..8].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, h[0], h[1], h[2], h[3]]);
        }
        if b[11] == 0xff && b[12] == 0xfe {
            let mac = [b[8] ^ 0x02, b[9], b[10], b[13], b[14], b[15]];
            let p = self.mac(mac);
            new[8..].copy_from_slice(&[p[0] ^ 0x02, p[1], p[2], 0xff, 0xfe, p[3], p[4], p[5]]);
        } else if b[8..14] != [0; 6] {
            new[8..].copy_from_slice(&self.hash(&b[8..], 4 << 32).to_le_bytes());
        }
        Ipv6Addr::from(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eui64_interface_ids_follow_their_mac() {
        let mut p = Pseudonyms::new(false);
        let ip: Ipv6Addr = "fe80::a8bb:ccff:fe01:203".parse().unwrap();
        let mac = p.mac([0xaa, 0xbb, 0xcc, 1, 2, 3]);
        let o = p.ipv6(ip).octets();
        assert_eq!(o[..8], ip.octets()[..8]);
        assert_eq!(
            [o[8] ^ 2, o[9], o[10], o[13], o[14], o[15]],
            mac,
            "the interface id is the MAC's pseudonym"
        );
    }

    #[test]
    fn a_mac_is_locally_administered_unless_its_maker_is_kept() {
        let mac = [0xaa, 0xbb, 0xcc, 1, 2, 3];
        let p = Pseudonyms::new(false).mac(mac);
        assert_eq!(p[0] & 0x03, 0x02, "locally administered, unicast");
        let q = Pseudonyms::new(true).mac(mac);
        assert_eq!(q[..3], [0xaa, 0xbb, 0xcc]);
        assert_ne!(q[3..], [1, 2, 3]);
    }
}
