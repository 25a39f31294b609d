//! The integration tests, one crate (one binary to build and link per
//! feature set): the real binary against the fake hub, the page parsers, and
//! the checks that tie the code, the docs and the fuzz targets together.
//! `cargo test --test it MODULE` runs one module, e.g. `pages::wan`.
//!
//! Kept out of this crate, each in a binary of its own: `fd_exhaustion.rs`
//! and `unprivileged.rs` (they set the runner for every exporter their
//! process starts) and `load.rs` (it saturates the machine on purpose, which
//! would slow every test beside it).

#[path = "../support/mod.rs"]
mod support;

mod alerts;
mod cli;
mod collector_names;
mod collectors;
mod docs;
mod dump;
mod exact_readers;
mod fuzz_regressions;
mod golden;
mod hostile_js;
mod http_server;
mod hub_client;
mod hub_faults;
mod hub_models;
mod hub_protection;
mod interop;
mod logging;
mod metrics;
mod overview;
mod pages;
mod replay;
mod security;
mod shared_captures;
mod tidy;
