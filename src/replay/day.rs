//! `replay-day: MINUTES`: a recording that fills the overview's history at
//! start, so a replayed hub shows a drawn day at once rather than after a
//! day of polls.
//!
//! The worker scrapes the recording once per minute of the past MINUTES,
//! oldest first, each report dated that minute (the last one now), before
//! it takes any request (`worker::replay_day`). Nothing is invented: each of
//! those scrapes reads the recorded pages as any replayed scrape does, so
//! every figure is the recording's, and only what `replay-advance` moves
//! moves (the byte counters, hence a throughput; nothing else). The
//! recording is the hub now, so the day before it is read with the counters
//! as many steps back as it is minutes old ([`crate::replay::Replay::rewind`],
//! through each collector's `advance` with a negative step), and the day's
//! last scrape, now, is the recording's first ordinary read: exactly as
//! recorded, as the first scrape is without a day. It costs what that many
//! scrapes cost (1,440 of the demo's: about 2.5 s of CPU in a release
//! build), once, at start; the exporter says so in its start-up line.

use super::DAY_KEY;
use crate::overview::history::MAX_POINTS;

/// The most minutes a recording may ask for: the history's whole day.
pub const MAX_DAY_MINUTES: u32 = MAX_POINTS as u32;

/// The minutes named by a MANIFEST's header, if any.
pub fn header_day(manifest: &str) -> Result<Option<u32>, String> {
    let mut day = None;
    for line in manifest.lines().take_while(|l| !l.trim().is_empty()) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.trim() != DAY_KEY {
            continue;
        }
        if day.is_some() {
            return Err(format!("{DAY_KEY} given twice"));
        }
        let value = value.trim();
        match value.parse::<u32>() {
            Ok(n) if (1..=MAX_DAY_MINUTES).contains(&n) => day = Some(n),
            _ => {
                return Err(format!(
                    "{DAY_KEY}: {value:?} is not a number of minutes from 1 to {MAX_DAY_MINUTES}"
                ))
            }
        }
    }
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_asks_for_minutes() {
        assert_eq!(header_day("x\nreplay-day: 1440\n\n"), Ok(Some(1440)));
        assert_eq!(header_day("x\n\nreplay-day: 5\n"), Ok(None), "header only");
        assert_eq!(header_day(""), Ok(None));
        for bad in [
            "replay-day: 0",
            "replay-day: 1441",
            "replay-day: yes",
            "replay-day: -5",
            "replay-day: 5\nreplay-day: 5",
        ] {
            assert!(header_day(bad).is_err(), "{bad:?}");
        }
    }
}
