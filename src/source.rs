//! Where a scrape's pages come from: the hub over HTTP, or a recording of
//! one (`--replay DIR`). The scrape asks a [`Source`] for each page and does
//! the same with the answer either way, so a replayed page is parsed,
//! bounded, rendered and counted in the self-metrics as a live one is.

use std::fmt;
use std::time::Instant;

use crate::hub::{FetchError, Hub};
use crate::replay::{Replay, ReplayError};

#[derive(Debug)]
pub enum Source {
    Hub(Hub),
    Replay(Replay),
}

/// Why a source gave no page: either side's own error, behind the one
/// question the scrape asks of it ([`PageError::is_not_found`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// Not started: nothing was left of the scrape's `--timeout` budget.
    NoTimeLeft,
    /// The hub's answer, or why there was none.
    Hub(FetchError),
    /// A recorded page that replay refused or could not read.
    Replay(ReplayError),
}

impl PageError {
    /// The source has no such page: the hub answered 404, or the recording
    /// has no such file.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            PageError::Hub(FetchError::HttpStatus { code: 404, .. })
                | PageError::Replay(ReplayError::NotFound)
        )
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // In the hub client's words, so that a log line reads the same
            // whichever the source.
            PageError::NoTimeLeft => FetchError::NoTimeLeft.fmt(f),
            PageError::Hub(e) => e.fmt(f),
            PageError::Replay(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PageError {}

impl Source {
    /// The body of the page at `path`, or why not. None is started once
    /// `deadline` has passed.
    pub fn fetch(&self, path: &str, deadline: Instant) -> Result<Vec<u8>, PageError> {
        if Instant::now() >= deadline {
            return Err(PageError::NoTimeLeft);
        }
        match self {
            Source::Hub(hub) => hub.fetch(path, deadline).map_err(PageError::Hub),
            Source::Replay(replay) => replay.fetch(path).map_err(PageError::Replay),
        }
    }

    /// How log lines name the hub: `host:port`, or the recording.
    pub fn name(&self) -> String {
        match self {
            Source::Hub(hub) => hub.authority().to_owned(),
            Source::Replay(replay) => replay.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::response::BodyError;

    #[test]
    fn both_sources_say_what_they_share_in_the_same_words() {
        assert_eq!(
            PageError::Replay(ReplayError::TooLarge).to_string(),
            PageError::Hub(FetchError::Body(BodyError::TooLarge)).to_string()
        );
        assert_eq!(
            PageError::NoTimeLeft.to_string(),
            PageError::Hub(FetchError::NoTimeLeft).to_string()
        );
    }

    #[test]
    fn a_missing_page_is_not_found_from_either_source() {
        let status = |code| {
            PageError::Hub(FetchError::HttpStatus {
                code,
                reason: "R".into(),
                location: None,
                referer: String::new(),
            })
        };
        assert!(status(404).is_not_found());
        assert!(PageError::Replay(ReplayError::NotFound).is_not_found());
        for other in [
            status(403),
            status(500),
            PageError::NoTimeLeft,
            PageError::Hub(FetchError::Refused),
            PageError::Replay(ReplayError::TooLarge),
            PageError::Replay(ReplayError::File("x: refused".into())),
        ] {
            assert!(!other.is_not_found(), "{other:?}");
        }
    }
}
