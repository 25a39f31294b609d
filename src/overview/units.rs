//! Figures as the page writes them for a person: durations, volumes, rates
//! and clock times. Each is a `Display`, so the page writes straight into
//! its buffer. With `{:#}`, a figure's parts are joined by no-break spaces,
//! so a narrow column (a phone, w3m's table layout) never splits `65.1` from
//! `Mbit/s`.

use std::fmt;

/// A duration in seconds, to two units: `3d 4h`, `5h 12m`, `7m 3s`, `45s`.
#[derive(Debug, Clone, Copy)]
pub struct Span(pub u64);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let sp = space(f);
        match (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60) {
            (0, 0, 0, sec) => write!(f, "{sec}s"),
            (0, 0, min, sec) => write!(f, "{min}m{sp}{sec}s"),
            (0, h, min, _) => write!(f, "{h}h{sp}{min}m"),
            (d, h, _, _) => write!(f, "{d}d{sp}{h}h"),
        }
    }
}

/// Bytes in SI units with one decimal: `512 B`, `1.5 kB`, `81.7 GB`.
#[derive(Debug, Clone, Copy)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        scaled(
            f,
            self.0 as f64,
            "B",
            1000.0,
            &["B", "kB", "MB", "GB", "TB", "PB"],
        )
    }
}

/// Bits per second in SI units with one decimal: `65.1 Mbit/s`.
#[derive(Debug, Clone, Copy)]
pub struct Bits(pub f64);

impl fmt::Display for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        scaled(
            f,
            self.0,
            "bit/s",
            1000.0,
            &["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"],
        )
    }
}

fn scaled(
    f: &mut fmt::Formatter<'_>,
    mut v: f64,
    base: &str,
    step: f64,
    units: &[&str],
) -> fmt::Result {
    let sp = space(f);
    if v < step {
        return write!(f, "{}{sp}{base}", v.round());
    }
    let mut unit = 0;
    while v >= step && unit + 1 < units.len() {
        v /= step;
        unit += 1;
    }
    write!(f, "{v:.1}{sp}{}", units[unit])
}

/// A no-break space for `{:#}`, else a space.
fn space(f: &fmt::Formatter<'_>) -> &'static str {
    if f.alternate() {
        "\u{a0}"
    } else {
        " "
    }
}

/// A time of day in UTC, `14:05`, from Unix seconds. The page names the
/// zone: the exporter carries no time-zone data, and the page also says how
/// long ago.
#[derive(Debug, Clone, Copy)]
pub struct Clock(pub i64);

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.rem_euclid(86_400);
        write!(f, "{:02}:{:02}", s / 3600, s / 60 % 60)
    }
}

/// A date and time in UTC, `2026-12-01T14:05:09Z`, from Unix seconds: for
/// the `datetime` attribute of `<time>`.
#[derive(Debug, Clone, Copy)]
pub struct Stamp(pub i64);

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil(self.0.div_euclid(86_400));
        let s = self.0.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

/// A date and time for people, `2026-12-01 14:05 UTC`, from Unix seconds.
#[derive(Debug, Clone, Copy)]
pub struct Date(pub i64);

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil(self.0.div_euclid(86_400));
        write!(f, "{y:04}-{m:02}-{d:02} {} UTC", Clock(self.0))
    }
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic
/// Gregorian): H. Hinnant's `civil_from_days`.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Tenths (of a dB) as a decimal: `-31` → `-3.1`.
#[derive(Debug, Clone, Copy)]
pub struct Tenths(pub i32);

impl fmt::Display for Tenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = i64::from(self.0);
        let sign = if v < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{}", v.abs() / 10, v.abs() % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_say_them() {
        assert_eq!(Span(45).to_string(), "45s");
        assert_eq!(Span(425).to_string(), "7m 5s");
        assert_eq!(Span(18_720).to_string(), "5h 12m");
        assert_eq!(Span(973_412).to_string(), "11d 6h");
        assert_eq!(Bytes(512).to_string(), "512 B");
        assert_eq!(Bytes(1_500).to_string(), "1.5 kB");
        assert_eq!(Bytes(67_192_513_981).to_string(), "67.2 GB");
        assert_eq!(Bytes(u64::MAX).to_string(), "18446.7 PB");
        assert_eq!(Bits(65_059_000.0).to_string(), "65.1 Mbit/s");
        assert_eq!(Bits(999.4).to_string(), "999 bit/s");
        assert_eq!(Bits(0.0).to_string(), "0 bit/s");
        assert_eq!(Tenths(-31).to_string(), "-3.1");
        assert_eq!(Tenths(-5).to_string(), "-0.5");
        assert_eq!(Tenths(186).to_string(), "18.6");
        assert_eq!(format!("{:#}", Bits(65_059_000.0)), "65.1\u{a0}Mbit/s");
        assert_eq!(format!("{:#}", Span(973_412)), "11d\u{a0}6h");
    }

    #[test]
    fn clock_times_in_utc() {
        assert_eq!(Clock(1_764_594_309).to_string(), "13:05");
        assert_eq!(Stamp(1_764_594_309).to_string(), "2025-12-01T13:05:09Z");
        assert_eq!(Stamp(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Stamp(951_782_400).to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(Stamp(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(Date(1_764_594_309).to_string(), "2025-12-01 13:05 UTC");
    }
}
