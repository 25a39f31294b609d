//! Where a scrape's pages come from: the hub over HTTP, or a recording of
//! one (`--replay DIR`). The scrape asks a [`Source`] for each page and does
//! the same with the answer either way, so a replayed page is parsed,
//! bounded, rendered and counted in the self-metrics as a live one is.

use std::time::Instant;

use crate::failure_log;
use crate::hub::{FetchError, Hub};
use crate::replay::Replay;

#[derive(Debug)]
pub enum Source {
    Hub(Hub),
    Replay(Replay),
}

impl Source {
    /// The body of the page at `path`, or why not; a page the source does
    /// not have is `FetchError::Status { code: 404, .. }`.
    pub fn fetch(&self, path: &str, deadline: Instant) -> Result<Vec<u8>, FetchError> {
        match self {
            Source::Hub(hub) => hub.fetch(path, deadline),
            Source::Replay(replay) => replay.fetch(path, deadline),
        }
    }

    /// How log lines name the hub: `host:port`, or the recording.
    pub fn name(&self) -> String {
        match self {
            Source::Hub(hub) => failure_log::hub_name(hub.authority()),
            Source::Replay(replay) => replay.name(),
        }
    }
}
