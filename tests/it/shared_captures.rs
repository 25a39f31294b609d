//! Captures that may not be copied into this repository (GPL or no licence:
//! see tests/fixtures/README.md) read from where the project keeps them,
//! `../shared/` beside the checkout or `$SMARTHUB_SHARED_FIXTURES`. What they
//! show is also covered by the fixtures here; these tests check that the
//! real captures agree.
//!
//! Each is `#[ignore]`d, naming what it needs, and fails when run without
//! it. `.ci/test` runs them where the folder exists and says so where it
//! does not.

use smarthub_exporter::pages::{lan, status, wan};

use crate::support::{shared_fixture, shared_fixtures_dir};

const NEEDS: &str = "needs ../shared/fixtures or $SMARTHUB_SHARED_FIXTURES";

fn capture(rel: &str) -> Vec<u8> {
    shared_fixture(rel).unwrap_or_else(|| panic!("{NEEDS}: {rel} not found"))
}

#[test]
#[ignore = "needs ../shared/fixtures or $SMARTHUB_SHARED_FIXTURES (captures not copied here); .ci/test runs it where present"]
fn the_go_exporters_wan_capture() {
    let w = wan::parse(&capture(
        "jamesorlakin__bt-smarthub-exporter/smarthub_wan_conn.xml",
    ))
    .unwrap();
    assert_eq!(
        (w.active_idx, w.sysuptime, w.connection_uptime),
        (0, 1284142, Some(1284142 - 72))
    );
    assert_eq!(w.volume.unwrap().down_bytes, 336463954090);
}

#[test]
#[ignore = "needs ../shared/fixtures or $SMARTHUB_SHARED_FIXTURES (captures not copied here); .ci/test runs it where present"]
fn the_gfast_wan_capture() {
    let w = wan::parse(&capture("bielesibub__bt-speedchecker/wan_conn_example.xml")).unwrap();
    assert_eq!(
        (w.active_idx, w.connected, w.connection_uptime),
        (1, true, Some(198511 - 150))
    );
    assert_eq!(
        (w.volume, w.rate),
        (None, None),
        "redacted fields stay absent"
    );
    let s = w.dsl.unwrap().stats.unwrap();
    assert_eq!(s.sync_bps, [Some(137_443_000), Some(49_996_000)]);
    assert_eq!(s.snr_margin_tenth_db, [Some(195), Some(80)]);
    assert_eq!(w.link.unwrap().uptime, Some(198511 - 123));
    assert_eq!(w.addresses, wan::Addresses::default(), "redacted");
}

#[test]
#[ignore = "needs ../shared/fixtures or $SMARTHUB_SHARED_FIXTURES (captures not copied here); .ci/test runs it where present"]
fn the_go_exporters_device_capture() {
    let mut page = capture("jamesorlakin__bt-smarthub-exporter/lan.js");
    let d = lan::parse(&mut page, super::pages::soon()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.devices.len(), 2);
    let find = |mac: &str| {
        d.devices
            .iter()
            .find(|x| x.mac == mac)
            .unwrap_or_else(|| panic!("{mac} missing"))
    };
    let t = find("F8:32:E4:9E:A4:89").traffic.unwrap();
    assert_eq!((t.rx_bytes, t.tx_bytes), (8765641, 1313609));
    assert_eq!(find("E4:F0:42:81:F6:30").traffic, None);
}

#[test]
#[ignore = "needs ../shared/fixtures or $SMARTHUB_SHARED_FIXTURES (captures not copied here); .ci/test runs it where present"]
fn the_status_capture() {
    let s = status::parse(&capture(
        "bielesibub__bt-speedchecker/basic_status_example.js",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    // Its publisher redacted these to a placeholder.
    assert_eq!(
        (s.firmware.as_str(), s.serial.as_str(), s.lan_ip),
        ("URL_encoded_string", "URL_encoded_string", None)
    );
}

#[test]
#[ignore = "needs ../shared/seed (beside ../shared/fixtures); .ci/test runs it where present"]
fn the_go_exporters_dashboard_queries() {
    let tsv = shared_fixtures_dir()
        .map(|d| d.join("../seed/dashboard-queries.tsv"))
        .unwrap_or_else(|| panic!("{NEEDS}: the seed's dashboard-queries.tsv"));
    let text = std::fs::read_to_string(&tsv).unwrap_or_else(|e| panic!("{}: {e}", tsv.display()));
    let from_shared: Vec<&str> = text.lines().filter_map(|l| l.split('\t').nth(1)).collect();
    assert_eq!(from_shared, super::interop::GO_EXPORTER_QUERIES);
}
