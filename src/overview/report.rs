//! The report of one scrape: what the overview shows of it, typed. The
//! scrape makes one from its outcomes, each collector's snapshot filling its
//! own section ([`crate::collector::Snapshot::report`]), and the worker
//! hands it to the listener beside the exposition.

use std::net::Ipv4Addr;
use std::time::Duration;

use crate::pages::lan::Devices;
use crate::pages::owl::Mesh;
use crate::pages::wan::Wan;

/// Milliseconds since the Unix epoch, by the exporter's clock.
pub type Millis = i64;

#[derive(Debug, Clone, Default)]
pub struct Report {
    /// When the scrape started.
    pub started: Millis,
    /// How long it took, parsing included.
    pub duration: Duration,
    /// Every collector of [`crate::collector::ALL`], in its order.
    pub collectors: Vec<Outcome>,
    /// The wan collector's section: the line, the session, the addresses.
    pub wan: Option<Wan>,
    /// The status collector's section.
    pub hub: Option<HubStatus>,
    /// The lan collector's section.
    pub devices: Option<Devices>,
    /// The owl collector's section.
    pub mesh: Option<Mesh>,
}

/// What one collector did in the scrape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub name: &'static str,
    pub state: State,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Ok,
    /// Its page could not be fetched or read; why, in one line.
    Failing(String),
    /// Every page it can read answered 404: not on this hub model.
    Unavailable,
    /// Turned off (`--no-collector`).
    Disabled,
}

impl State {
    /// The name `/status.json` gives it.
    pub fn name(&self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Failing(_) => "failing",
            State::Unavailable => "unavailable",
            State::Disabled => "disabled",
        }
    }
}

/// What the status collector adds: the serial number is left behind on
/// purpose (the report has no field for it), so neither the page, which
/// may end up in a screenshot, nor the JSON can show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HubStatus {
    pub firmware: String,
    pub lan_ip: Option<Ipv4Addr>,
}

/// The longest error text a report keeps per collector: errors can quote
/// the hub (a redirect's target), and a line is enough.
pub const MAX_ERROR_BYTES: usize = 300;

impl Report {
    /// The state of the collector `name`, if it is in the table.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.collectors
            .iter()
            .find(|o| o.name == name)
            .map(|o| &o.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_can_cross_to_the_listener_thread() {
        fn shared<T: Send + Sync>() {}
        shared::<Report>();
        shared::<std::sync::Arc<Report>>();
    }
}
