//! Metrics from `/cgi/cgi_owl.js`: the mesh's nodes (the hub and its Whole
//! Home discs) and the stations attached to them.
//!
//! Per-station numbers carry only `mac`, and per-node numbers `node_id` and
//! `node`: names, bands and firmware live on the `_info` series, to be
//! joined in a query, so a device that roams between discs or bands changes
//! one info series rather than every number's.

use crate::collector::Snapshot;
use crate::exposition::{Exposition, MetricType};
use crate::overview::Report;
use crate::pages::bytes_per_second;
use crate::pages::owl::{Mesh, Node};

impl Snapshot for Mesh {
    fn render(&self, out: &mut Exposition) {
        render(self, out)
    }

    fn report(self: Box<Self>, out: &mut Report) {
        out.mesh = Some(*self);
    }

    fn notes(&self) -> &[String] {
        &self.notes
    }
}

pub fn render(m: &Mesh, out: &mut Exposition) {
    render_nodes(m, out);
    let mut f = out.family(
        "smarthub_mesh_station_info",
        MetricType::Gauge,
        "A client of the Wi-Fi mesh: its name, how it is connected (ethernet, 2.4GHz, 5GHz) and the node (the hub or a disc, by name; empty when the hub names no known node) it is attached to, or was last; always 1.",
    );
    for s in &m.stations {
        f.sample(
            &[
                ("mac", &s.mac),
                ("name", &s.name),
                ("connection", &s.connection),
                ("node", s.node.as_deref().unwrap_or("")),
            ],
            1u64,
        );
    }
    let mut f = out.family(
        "smarthub_mesh_station_online",
        MetricType::Gauge,
        "Whether a mesh client is connected now (1) or only remembered (0).",
    );
    for s in &m.stations {
        if let Some(v) = s.online {
            f.sample(&[("mac", &s.mac)], v);
        }
    }
    let mut f = out.family(
        "smarthub_mesh_station_link_rate_bytes_per_second",
        MetricType::Gauge,
        "The Wi-Fi link rate of a connected mesh client, in bytes per second (x8 for bits).",
    );
    for s in &m.stations {
        if let Some(v) = s.link_bps {
            f.sample(&[("mac", &s.mac)], bytes_per_second(v));
        }
    }
    let mut f = out.family(
        "smarthub_mesh_station_signal_dbm",
        MetricType::Gauge,
        "The Wi-Fi signal strength of a connected mesh client at its node, in dBm; absent when the hub has no reading.",
    );
    for s in &m.stations {
        if let Some(v) = s.signal_dbm {
            f.sample(&[("mac", &s.mac)], i64::from(v));
        }
    }
}

fn ids(n: &Node) -> [(&'static str, &str); 2] {
    [("node_id", &n.id), ("node", &n.name)]
}

fn render_nodes(m: &Mesh, out: &mut Exposition) {
    let mut f = out.family(
        "smarthub_mesh_node_info",
        MetricType::Gauge,
        "A node of the Wi-Fi mesh (the hub or a Whole Home disc): model, firmware, and backhaul to its parent (ethernet, 5GHz...; empty for the hub); always 1.",
    );
    for n in &m.nodes {
        f.sample(
            &[
                ("node_id", &n.id),
                ("node", &n.name),
                ("model", &n.model),
                ("firmware", &n.firmware),
                ("backhaul", n.backhaul.as_deref().unwrap_or("")),
            ],
            1u64,
        );
    }
    let mut f = out.family(
        "smarthub_mesh_node_uptime_seconds",
        MetricType::Gauge,
        "Seconds since a mesh node started.",
    );
    for n in &m.nodes {
        if let Some(v) = n.uptime {
            f.sample(&ids(n), v);
        }
    }
    let mut f = out.family(
        "smarthub_mesh_node_stations",
        MetricType::Gauge,
        "Clients a mesh node counts as attached to it, as it reports them.",
    );
    for n in &m.nodes {
        if let Some(v) = n.stations {
            f.sample(&ids(n), v);
        }
    }
    let mut f = out.family(
        "smarthub_mesh_node_backhaul_link_rate_bytes_per_second",
        MetricType::Gauge,
        "The link rate of a disc's Wi-Fi backhaul to its parent node, in bytes per second (x8 for bits).",
    );
    for n in &m.nodes {
        if let Some(v) = n.backhaul_bps {
            f.sample(&ids(n), bytes_per_second(v));
        }
    }
    let mut f = out.family(
        "smarthub_mesh_node_backhaul_signal_dbm",
        MetricType::Gauge,
        "The signal strength of a disc's Wi-Fi backhaul to its parent node, in dBm.",
    );
    for n in &m.nodes {
        if let Some(v) = n.backhaul_dbm {
            f.sample(&ids(n), i64::from(v));
        }
    }
    let mut f = out.family(
        "smarthub_mesh_node_cpu_ratio",
        MetricType::Gauge,
        "Share of a disc's CPU time by mode (user, system, idle), from 0 to 1; the hub does not report it.",
    );
    for n in &m.nodes {
        if let Some(c) = n.cpu {
            for (mode, pct) in [("user", c.user), ("system", c.system), ("idle", c.idle)] {
                f.sample(
                    &[("node_id", &n.id), ("node", &n.name), ("mode", mode)],
                    f64::from(pct) / 100.0,
                );
            }
        }
    }
    let mut f = out.family(
        "smarthub_mesh_node_memory_total_bytes",
        MetricType::Gauge,
        "A disc's memory, in bytes; the hub does not report it.",
    );
    for n in &m.nodes {
        if let Some(mem) = n.memory {
            f.sample(&ids(n), mem.total_bytes);
        }
    }
    let mut f = out.family(
        "smarthub_mesh_node_memory_free_bytes",
        MetricType::Gauge,
        "A disc's free memory, in bytes; the hub does not report it.",
    );
    for n in &m.nodes {
        if let Some(mem) = n.memory {
            f.sample(&ids(n), mem.free_bytes);
        }
    }
}
