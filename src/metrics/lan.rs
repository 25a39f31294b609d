//! Metrics from `/cgi/cgi_basicMyDevice.js`.

use crate::exposition::{Exposition, Kind};
use crate::pages::my_device::Devices;

pub fn render(d: &Devices, out: &mut Exposition) {
    // The seed's per-device counters keep their names, without `_total`.
    let mut down = out.family(
        "smarthub_lan_downloaded_bytes",
        Kind::Counter,
        "Bytes a LAN device downloaded through the hub since the hub started counting.",
    );
    for dev in &d.devices {
        if let Some(t) = dev.traffic {
            down.sample(&labels(dev), t.rx_bytes);
        }
    }
    let mut up = out.family(
        "smarthub_lan_uploaded_bytes",
        Kind::Counter,
        "Bytes a LAN device uploaded through the hub since the hub started counting.",
    );
    for dev in &d.devices {
        if let Some(t) = dev.traffic {
            up.sample(&labels(dev), t.tx_bytes);
        }
    }
}

fn labels(dev: &crate::pages::my_device::Device) -> [(&'static str, &str); 3] {
    [
        ("mac", &dev.mac),
        ("hostname", &dev.hostname),
        ("ip", &dev.ip),
    ]
}
