//! Metrics from `/cgi/cgi_basicMyDevice.js`.

use crate::collector::Snapshot;
use crate::exposition::{Exposition, LabelNames, LabelSets, MetricType};
use crate::overview::Report;
use crate::pages::lan::Devices;

impl Snapshot for Devices {
    fn render(&self, out: &mut Exposition) {
        render(self, out)
    }

    fn report(self: Box<Self>, out: &mut Report) {
        out.devices = Some(*self);
    }

    fn notes(&self) -> &[String] {
        &self.notes
    }
}

pub fn render(d: &Devices, out: &mut Exposition) {
    // Each device's mac, hostname and ip label three families: escaped once,
    // all into one buffer.
    let mut labels = LabelSets::with_capacity(&["mac", "hostname", "ip"], d.devices.len(), 64);
    for dev in &d.devices {
        labels.push(&[&dev.mac, &dev.hostname, &dev.ip]);
    }
    // The Go exporter's per-device counters keep their names, without `_total`.
    let mut down = out.family(
        "smarthub_lan_downloaded_bytes",
        MetricType::Counter,
        "Bytes a LAN device downloaded through the hub since the hub started counting.",
    );
    for (i, dev) in d.devices.iter().enumerate() {
        if let Some(t) = dev.traffic {
            down.sample_with(labels.get(i), t.rx_bytes);
        }
    }
    let mut up = out.family(
        "smarthub_lan_uploaded_bytes",
        MetricType::Counter,
        "Bytes a LAN device uploaded through the hub since the hub started counting.",
    );
    for (i, dev) in d.devices.iter().enumerate() {
        if let Some(t) = dev.traffic {
            up.sample_with(labels.get(i), t.tx_bytes);
        }
    }
    // Same labels as the Go exporter's counters, so the two join one to one.
    let mut f = out.family(
        "smarthub_lan_device_active",
        MetricType::Gauge,
        "Whether a device is connected to the hub now (1) or only remembered (0), per MAC; absent when the hub does not say.",
    );
    for (i, dev) in d.devices.iter().enumerate() {
        if let Some(a) = dev.active {
            f.sample_with(labels.get(i), a);
        }
    }
    let mut f = out.family(
        "smarthub_lan_device_info",
        MetricType::Gauge,
        "A device the hub knows, per MAC: its user-set name, the port it was last seen on (eth1-eth4, wl0, wl1...), and the hub's guess at its type and OS; always 1.",
    );
    let info = LabelNames::new(&["mac", "name", "port", "type", "os"]);
    for dev in &d.devices {
        f.sample_values(
            &info,
            &[&dev.mac, &dev.name, &dev.port, &dev.kind, &dev.os],
            1u64,
        );
    }
    out.family(
        "smarthub_lan_known_devices",
        MetricType::Gauge,
        "Devices the hub knows, as it lists them (an EE entry grouping several MACs counts once).",
    )
    .sample(&[], d.entries as u64);
    out.family(
        "smarthub_lan_active_devices",
        MetricType::Gauge,
        "Devices the hub lists as connected now (an EE entry grouping several MACs counts once).",
    )
    .sample(&[], d.active_entries as u64);
}
