//! One renderer per hub page: a typed snapshot in, samples out. The Go exporter's
//! metric names, types and labels are kept so its Grafana dashboard works.

pub mod lan;
pub mod owl;
pub mod status;
pub mod wan;
