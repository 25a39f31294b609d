//! Figures as the page writes them for a person: durations, volumes, rates
//! and clock times, each appended to a `String`. The page joins a figure's
//! parts with no-break spaces ([`NBSP`]), so a narrow column (a phone,
//! w3m's table layout) never splits `65.1` from `Mbit/s`.
//!
//! Written with integer arithmetic rather than `format!`'s float
//! formatting: the router binary pays for every formatting call site, and
//! these are called from many.

use std::fmt::Write as _;

pub const NBSP: &str = "\u{a0}";

/// A whole number.
#[inline(never)]
pub fn uint(o: &mut String, n: u64) {
    let _ = write!(o, "{n}");
}

/// A signed whole number.
#[inline(never)]
pub fn int(o: &mut String, n: i64) {
    if n < 0 {
        o.push('-');
    }
    uint(o, n.unsigned_abs());
}

/// `v` with `places` decimals (0 to 3), rounded half away from zero.
#[inline(never)]
pub fn decimal(o: &mut String, v: f64, places: u32) {
    let scale = 10u64.pow(places);
    // `as` saturates: figures past 1.8e19 are no figures of a hub.
    let n = (v.abs() * scale as f64).round() as u64;
    if v < 0.0 && n > 0 {
        o.push('-');
    }
    uint(o, n / scale);
    if places > 0 {
        o.push('.');
        let frac = n % scale;
        // Leading zeros: as many as `frac` has fewer digits than `places`.
        let mut pad = scale / 10;
        while frac < pad && pad > 1 {
            o.push('0');
            pad /= 10;
        }
        uint(o, frac);
    }
}

/// A duration in seconds, to two units: `3d 4h`, `5h 12m`, `7m 3s`, `45s`,
/// the units joined by `sep`.
#[inline(never)]
pub fn span(o: &mut String, s: u64, sep: &str) {
    // Within the day in 32 bits: a 64-bit division is a library call on
    // a 32-bit router.
    let r = (s % 86_400) as u32;
    let parts = [
        (s / 86_400, 'd'),
        (u64::from(r / 3600), 'h'),
        (u64::from(r / 60 % 60), 'm'),
        (u64::from(r % 60), 's'),
    ];
    // The first unit that is not 0 (seconds at least), and the next.
    let first = parts.iter().position(|p| p.0 > 0).unwrap_or(3).min(3);
    for (i, (n, unit)) in parts[first..(first + 2).min(4)].iter().enumerate() {
        if i > 0 {
            o.push_str(sep);
        }
        uint(o, *n);
        o.push(*unit);
    }
}

/// `n` in SI units of `units` (each 1000 times the one before), one
/// decimal past the first: `512 B`, `1.5 kB`, `65.1 Mbit/s`.
#[inline(never)]
fn si(o: &mut String, mut v: f64, units: &[&str]) {
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < units.len() {
        v /= 1000.0;
        unit += 1;
    }
    decimal(o, v, u32::from(unit > 0));
    o.push_str(NBSP);
    o.push_str(units[unit]);
}

/// Bytes: `81.7 GB`.
pub fn bytes(o: &mut String, n: u64) {
    si(o, n as f64, &["B", "kB", "MB", "GB", "TB", "PB"]);
}

/// Bits per second: `65.1 Mbit/s`.
pub fn bits(o: &mut String, bps: f64) {
    si(o, bps, &["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"]);
}

/// Tenths (of a dB) as a decimal: `-31` → `-3.1`.
pub fn tenths(o: &mut String, t: i32) {
    decimal(o, f64::from(t) / 10.0, 1);
}

/// An IPv4 address, dotted as `Ipv4Addr`'s `Display` writes it.
#[inline(never)]
pub fn ipv4(o: &mut String, ip: std::net::Ipv4Addr) {
    for (i, b) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            o.push('.');
        }
        uint(o, b.into());
    }
}

fn two(o: &mut String, n: u32) {
    if n < 10 {
        o.push('0');
    }
    uint(o, n.into());
}

/// A time of day in UTC, `14:05`, from Unix seconds. The page names the
/// zone: the exporter carries no time-zone data, and says how long ago too.
#[inline(never)]
pub fn clock(o: &mut String, t: i64) {
    let s = t.rem_euclid(86_400) as u32;
    two(o, s / 3600);
    o.push(':');
    two(o, s / 60 % 60);
}

/// `2026-12-01`, from Unix seconds.
#[inline(never)]
pub fn date(o: &mut String, t: i64) {
    let (y, m, d) = civil(t.div_euclid(86_400));
    int(o, y);
    o.push('-');
    two(o, m);
    o.push('-');
    two(o, d);
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic
/// Gregorian): H. Hinnant's `civil_from_days`. Within the 400-year era
/// in 32 bits: a 64-bit division is a library call on a 32-bit router.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = i64::from(yoe) + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(f: impl Fn(&mut String)) -> String {
        let mut o = String::new();
        f(&mut o);
        o.replace(NBSP, " ")
    }

    #[test]
    fn figures_read_as_people_say_them() {
        assert_eq!(w(|o| span(o, 0, " ")), "0s");
        assert_eq!(w(|o| span(o, 45, " ")), "45s");
        assert_eq!(w(|o| span(o, 425, " ")), "7m 5s");
        assert_eq!(w(|o| span(o, 3600, " ")), "1h 0m");
        assert_eq!(w(|o| span(o, 18_720, " ")), "5h 12m");
        assert_eq!(w(|o| span(o, 973_412, " ")), "11d 6h");
        assert_eq!(w(|o| bytes(o, 512)), "512 B");
        assert_eq!(w(|o| bytes(o, 1_500)), "1.5 kB");
        assert_eq!(w(|o| bytes(o, 999_960)), "1000.0 kB");
        assert_eq!(w(|o| bytes(o, 67_192_513_981)), "67.2 GB");
        assert_eq!(w(|o| bytes(o, u64::MAX)), "18446.7 PB");
        assert_eq!(w(|o| bits(o, 65_059_000.0)), "65.1 Mbit/s");
        assert_eq!(w(|o| bits(o, 999.4)), "999 bit/s");
        assert_eq!(w(|o| bits(o, 0.0)), "0 bit/s");
        assert_eq!(w(|o| tenths(o, -31)), "-3.1");
        assert_eq!(w(|o| tenths(o, -5)), "-0.5");
        assert_eq!(w(|o| tenths(o, 186)), "18.6");
        assert_eq!(w(|o| tenths(o, 0)), "0.0");
        assert_eq!(w(|o| decimal(o, 0.42, 2)), "0.42");
        assert_eq!(w(|o| decimal(o, 1.005, 2)), "1.00");
        assert_eq!(w(|o| decimal(o, 7.0, 2)), "7.00");
        assert_eq!(w(|o| decimal(o, 7.05, 2)), "7.05");
        assert_eq!(w(|o| decimal(o, 0.007, 3)), "0.007");
        assert_eq!(w(|o| decimal(o, 0.07, 3)), "0.070");
        assert_eq!(w(|o| decimal(o, 0.5, 3)), "0.500");
        assert_eq!(w(|o| decimal(o, 12.0, 3)), "12.000");
        assert_eq!(w(|o| decimal(o, 1.25, 0)), "1");
        // The no-break space is what joins them on the page.
        let mut o = String::new();
        bits(&mut o, 65_059_000.0);
        assert_eq!(o, "65.1\u{a0}Mbit/s");
    }

    #[test]
    fn clock_times_in_utc() {
        assert_eq!(w(|o| clock(o, 1_764_594_309)), "13:05");
        assert_eq!(w(|o| date(o, 0)), "1970-01-01");
        assert_eq!(w(|o| date(o, 951_782_400)), "2000-02-29");
        assert_eq!(w(|o| date(o, -1)), "1969-12-31");
        assert_eq!(w(|o| date(o, 1_764_594_309)), "2025-12-01");
        assert_eq!(w(|o| date(o, 253_402_300_799)), "9999-12-31");
        assert_eq!(w(|o| date(o, -62_135_596_800)), "1-01-01");
        assert_eq!(w(|o| date(o, -62_135_596_801)), "0-12-31");
        assert_eq!(w(|o| date(o, 4_107_542_400)), "2100-03-01");
    }

    #[test]
    fn ipv4_as_display_writes_it() {
        for ip in ["0.0.0.0", "10.1.8.254", "255.255.255.255", "192.168.1.1"] {
            assert_eq!(w(|o| ipv4(o, ip.parse().unwrap())), ip);
        }
    }
}
