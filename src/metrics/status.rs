//! Metrics from `/cgi/cgi_basicStatus.js`.

use crate::exposition::{Exposition, Kind};
use crate::pages::basic_status::BasicStatus;

pub fn render(s: &BasicStatus, out: &mut Exposition) {
    let lan_ip = s.lan_ip.map(|ip| ip.to_string()).unwrap_or_default();
    out.family(
        "smarthub_hub_info",
        Kind::Gauge,
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
