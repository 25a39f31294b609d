//! Finding addresses in a page, for the redaction checks.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// The public IPv4 addresses a page names, percent-encoded or not (RFC
/// 1918, CGNAT, loopback, link-local, 0/8, multicast, reserved and the
/// benchmark range the redactor's pseudonyms come from left out). A scanner
/// of its own, independent of the redactor's: the dump tests and the
/// `redact` fuzz target check with it that no address of a page survives.
pub fn public_ipv4(page: &[u8]) -> BTreeSet<Ipv4Addr> {
    let text = String::from_utf8_lossy(page);
    let decoded = smarthub_exporter::format::percent::decode_bytes(&text);
    let b: &[u8] = &decoded;
    let mut found = BTreeSet::new();
    for i in 0..b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.')) {
            continue;
        }
        let end = b[i..]
            .iter()
            .position(|c| !(c.is_ascii_digit() || *c == b'.'))
            .map_or(b.len(), |n| i + n);
        let run = std::str::from_utf8(&b[i..end]).unwrap_or("");
        // Four dotted parts and no more (five are a version, not an
        // address); a full stop may end the sentence.
        let run = run.strip_suffix('.').unwrap_or(run);
        if run.split('.').count() == 4 {
            if let Ok(ip) = run.parse::<Ipv4Addr>() {
                let o = ip.octets();
                let private = o[0] == 10
                    || o[0] == 127
                    || o[0] == 0
                    || o[0] >= 224
                    || (o[0] == 172 && (16..32).contains(&o[1]))
                    || (o[0] == 192 && o[1] == 168)
                    || (o[0] == 169 && o[1] == 254)
                    || (o[0] == 100 && (64..128).contains(&o[1]))
                    || (o[0] == 198 && (18..20).contains(&o[1]));
                if !private {
                    found.insert(ip);
                }
            }
        }
    }
    found
}
