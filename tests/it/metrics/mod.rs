//! End to end, one module per collector: the real binary against the fake
//! hub serving the hub's pages over TCP (and refusing requests without a
//! Referer, like the real one), and the values checked on /metrics as
//! Prometheus would read them. `golden.rs` checks the whole output per
//! fixture set; these check what each value means. This suite also runs
//! against every cross-built binary under qemu (see .ci/test).

mod lan;
mod owl;
mod status;
mod wan;

use crate::support::expo::Parsed;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::{fixture, LAN, OWL, STATUS, WAN};

/// A hub serving these two pages, and a status and a mesh page of its own.
pub(crate) fn hub_with(wan: &str, lan: &str) -> FakeHub {
    hub(wan, lan, "hub/status_vdsl2.js", "hub/owl_hub_only.js")
}

/// A hub serving these four fixtures.
fn hub(wan: &str, lan: &str, status: &str, owl: &str) -> FakeHub {
    let hub = FakeHub::start();
    for (path, file) in [(WAN, wan), (LAN, lan), (STATUS, status), (OWL, owl)] {
        hub.set(path, Reply::ok(fixture(file)));
    }
    hub
}

/// The VDSL2 hub with every page filled: a line that is up, grouped
/// devices, a mesh of three discs.
pub(crate) fn dsl_hub() -> FakeHub {
    hub(
        "hub/wan_vdsl2_row1.xml",
        "hub/lan_grouped.js",
        "hub/status_vdsl2.js",
        "hub/owl_mesh.js",
    )
}

/// Every series of a family, as (labels, value), sorted.
fn all(m: &Parsed, name: &str) -> Vec<(Vec<(String, String)>, f64)> {
    let mut v: Vec<_> = m
        .series(name)
        .into_iter()
        .map(|s| (s.labels.clone().into_iter().collect::<Vec<_>>(), s.value))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}
