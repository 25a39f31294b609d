//! smarthub-exporter: a Prometheus exporter for the BT Smart Hub 2.
//!
//! Data flows one way: [`hub`] (or [`replay`], a recording of one, behind
//! [`source`]) fetches a page → [`pages`] parses it into a
//! typed snapshot (with [`script`] for the JavaScript pages and [`format`] for
//! the hub's encodings) → [`metrics`] renders it with [`exposition`]. Each
//! [`collector`] is one row of a table that joins a page to its metrics.
//! [`scrape`] runs that pipeline on the [`worker`] thread; [`server`] and
//! [`http`] answer Prometheus, and the [`overview`] (`/`, `/status.json`)
//! a person; [`cli`] and [`signals`] start and stop the
//! process; [`logging`] is the `log` backend.
//! See ARCHITECTURE.md for the map.

pub mod cli;
pub mod collector;
pub mod dump;
pub mod exposition;
pub mod failure_log;
pub mod format;
pub mod http;
pub mod hub;
pub mod logging;
pub mod metrics;
pub mod overview;
pub mod pages;
pub mod redact;
pub mod replay;
pub mod resolve;
pub mod scrape;
pub mod script;
pub mod server;
pub mod signals;
pub mod source;
pub mod worker;
