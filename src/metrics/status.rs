//! Metrics from `/cgi/cgi_basicStatus.js`.

use crate::collector::Snapshot;
use crate::exposition::{Exposition, MetricType};
use crate::overview::report::{HubStatus, Report};
use crate::pages::status::Status;

impl Snapshot for Status {
    fn render(&self, out: &mut Exposition) {
        render(self, out)
    }

    fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Without the serial number: the overview never shows it.
    fn report(self: Box<Self>, out: &mut Report) {
        out.hub = Some(HubStatus {
            firmware: self.firmware,
            lan_ip: self.lan_ip,
        });
    }
}

pub fn render(s: &Status, out: &mut Exposition) {
    let lan_ip = s.lan_ip.map(|ip| ip.to_string()).unwrap_or_default();
    out.family(
        "smarthub_hub_info",
        MetricType::Gauge,
        "The hub's firmware version, serial number and LAN address; always 1.",
    )
    .sample(
        &[
            ("firmware_version", &s.firmware),
            ("serial_number", &s.serial),
            ("lan_ip", &lan_ip),
        ],
        1u64,
    );
}
