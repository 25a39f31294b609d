//! The page parsers (`src/pages/`), one module per collector's page, on
//! every Smart Hub capture and on the fixtures written for the cases the
//! captures lack; and the two script readers' agreement. Pure functions: no
//! network.

mod lan;
mod owl;
mod readers_agree;
mod status;
mod wan;

use std::time::{Duration, Instant};

/// A deadline no page here comes near.
pub(crate) fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

fn ip4(s: &str) -> Option<std::net::Ipv4Addr> {
    Some(s.parse().unwrap())
}
