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
use crate::support::fake_hub::FakeHub;

/// A hub serving these WAN and device pages, and every other collector's
/// default fixture.
pub(crate) fn hub_with(wan: &str, lan: &str) -> FakeHub {
    FakeHub::with_fixtures(&[("wan", wan), ("lan", lan)])
}

/// The VDSL2 hub with every page filled, the golden set `vdsl2`: a line
/// that is up, grouped devices, a mesh of three discs.
pub(crate) fn vdsl2_hub() -> FakeHub {
    FakeHub::with_fixtures(&[("lan", "hub/lan_grouped.js"), ("owl", "hub/owl_mesh.js")])
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
