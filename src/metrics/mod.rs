//! One renderer per hub page: a typed snapshot in, samples out. The Go exporter's
//! metric names, types and labels are kept so its Grafana dashboard works.

pub mod lan;
pub mod owl;
pub mod status;
pub mod wan;

/// Exact: every rate below 2^53 bit/s divided by 8 is a float without error.
pub fn bytes_per_second(bps: u64) -> f64 {
    bps as f64 / 8.0
}
