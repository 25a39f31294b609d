//! The DNS wire format, as much of it as a stub resolver needs (RFC 1035):
//! an A or AAAA query for one name, and the answer to it read strictly
//! (only the question asked, CNAME chains followed, every count bounded).
//! Pure: bytes in, bytes out; fuzzed (`fuzz/fuzz_targets/dns_answer.rs`).

use std::net::IpAddr;

use super::MAX_ADDRESSES;

/// A UDP answer without EDNS is at most 512 bytes; a little more is read so
/// that an oversized one is seen and refused rather than cut.
pub const MAX_PACKET: usize = 512;
/// CNAMEs followed within one answer, compression pointers within one name,
/// answer records looked at.
const MAX_CNAMES: usize = 8;
const MAX_POINTERS: usize = 16;
const MAX_RECORDS: usize = 64;

pub const TYPE_A: u16 = 1;
const TYPE_CNAME: u16 = 5;
pub const TYPE_AAAA: u16 = 28;
const CLASS_IN: u16 = 1;

/// The name of a response code other than success and NXDOMAIN, for messages.
pub fn rcode_name(rcode: u8) -> String {
    match rcode {
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        n => format!("rcode {n}"),
    }
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
pub(super) fn read_name(p: &[u8], mut at: usize) -> Option<(Vec<u8>, usize)> {
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

/// An answer to `query(id, name, qtype)` with these records (owner,
/// type, rdata), the owner written as a pointer to the question's name
/// when it is that name: for the tests here and in [`super`].
#[cfg(test)]
pub(super) fn answer(
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

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use super::*;

    fn name_bytes(n: &str) -> Vec<u8> {
        query(0, n, 0)[12..][..n.len() + 2].to_vec()
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
}
