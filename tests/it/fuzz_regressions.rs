//! What fuzzing found, kept as tests that run on stable Rust. Each finding's
//! input is also in `fuzz/regressions/<target>/`, which every fuzz run
//! replays first (see fuzz/README.md).

use std::path::PathBuf;

use smarthub_exporter::pages::lan::{self, Device, Devices};
use smarthub_exporter::script::{self, Var};

const NAMES: [&str; 2] = ["known_device_list", "rate"];

#[cfg(feature = "js")]
fn soon() -> std::time::Instant {
    std::time::Instant::now() + std::time::Duration::from_secs(5)
}

/// The devices the JavaScript-free reader finds on a page.
fn by_literal(page: &[u8]) -> Devices {
    let v = script::read_data(page, &Var::each(&NAMES)).unwrap().values;
    lan::from_lists(v[0].as_ref().unwrap(), v[1].as_ref().unwrap()).unwrap()
}

/// The devices QuickJS finds on a page.
#[cfg(feature = "js")]
fn by_js(page: &[u8]) -> Devices {
    let v = script::quickjs::read(page, &Var::each(&NAMES), soon())
        .unwrap()
        .values;
    lan::from_lists(v[0].as_ref().unwrap(), v[1].as_ref().unwrap()).unwrap()
}

fn only(d: &Devices) -> &Device {
    assert_eq!(d.devices.len(), 1, "{d:?}");
    &d.devices[0]
}

/// Both readers, agreeing, or the JavaScript-free one alone in a build
/// without JavaScript.
fn devices(page: &str) -> Devices {
    let lit = by_literal(page.as_bytes());
    #[cfg(feature = "js")]
    assert_eq!(
        lit,
        by_js(page.as_bytes()),
        "the two readers disagree on {page:?}"
    );
    lit
}

#[test]
fn a_key_given_twice_keeps_its_last_value() {
    // The literal reader kept the first value, QuickJS (as any browser) the
    // last: the two builds named the device differently.
    let d = devices(
        "var known_device_list = [{mac:'AA',hostname:'first',hostname:'last'}];\n\
         var rate = [{mac:'aa',tx:'1',rx:'2',rx:'3'}];\n",
    );
    assert_eq!(only(&d).hostname, "last");
    assert_eq!(only(&d).traffic.unwrap().rx_bytes, 3);
}

#[test]
fn the_page_runs_in_sloppy_mode_with_legacy_octal() {
    // QuickJS ran the page in strict mode, where `010` is a syntax error (the
    // whole page failed); the literal reader read it as ten. A browser reads
    // eight.
    let d = devices(
        "var known_device_list = [{mac:'AA',hostname:'h'}];\n\
         var rate = [{mac:'aa',tx:010,rx:08}];\n",
    );
    let t = only(&d).traffic.unwrap();
    assert_eq!((t.tx_bytes, t.rx_bytes), (8, 8));
}

#[test]
fn legacy_octal_escapes_in_names() {
    // `\0` before a digit was read as "0" by the literal reader, NUL by JS.
    let d = devices(
        "var known_device_list = [{mac:'AA',hostname:'a\\0000b\\101\\477'}];\n\
         var rate = [{mac:'aa',tx:'1',rx:'2'}];\n",
    );
    assert_eq!(only(&d).hostname, "a\u{0}0bA'7");
}

#[test]
fn lone_surrogates_in_names_are_replaced_not_dropped() {
    // QuickJS dropped a name with a lone surrogate (not UTF-8), the literal
    // reader kept it with U+FFFD.
    let d = devices(
        "var known_device_list = [{mac:'AA',hostname:'\\uD83D\\uDE00 \\uDB00!'}];\n\
         var rate = [{mac:'aa',tx:'1',rx:'2'}];\n",
    );
    assert_eq!(only(&d).hostname, "\u{1f600} \u{fffd}!");
}

/// What the fuzz target asserts, on one page: where the JavaScript-free
/// reader reads the lists, QuickJS reads the same devices (or the build has
/// no QuickJS). The devices, when the literal reader read them.
fn never_different(page: &[u8]) -> Option<Devices> {
    let v = script::read_data(page, &Var::each(&NAMES)).ok()?.values;
    let lit = lan::from_lists(v[0].as_ref()?, v[1].as_ref()?).ok()?;
    #[cfg(feature = "js")]
    assert_eq!(lit, by_js(page), "{}", String::from_utf8_lossy(page));
    Some(lit)
}

#[test]
fn every_saved_finding_still_reads_alike() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/lan_readers");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let page = std::fs::read(entry.unwrap().path()).unwrap();
        never_different(&page);
        n += 1;
    }
    assert!(
        n >= 9,
        "the saved findings are missing from {}",
        dir.display()
    );
}

fn saved(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/regressions/lan_readers")
            .join(name),
    )
    .unwrap()
}

#[cfg(feature = "js")]
#[test]
fn polluted_prototypes_add_no_device_and_no_field() {
    // QuickJS read fields through the prototype chain: every record had the
    // polluted MAC, and the hole in the list became a device.
    let d = by_js(&saved("prototype-pollution"));
    assert_eq!(only(&d).mac, "AA");
    assert_eq!(only(&d).hostname, "a");
    assert_eq!(d.entries, 1);
}

#[test]
fn nul_and_bytes_that_are_not_utf8_are_characters() {
    // The JS build refused the whole page: rquickjs made a C string of it
    // (a NUL ended it), and QuickJS refused the bytes that are not UTF-8.
    let page = saved("nul-and-non-utf8");
    #[cfg(feature = "js")]
    assert_eq!(only(&by_js(&page)).hostname, "n\0ul caf\u{fffd} \u{fffd}");
    if let Some(d) = never_different(&page) {
        assert_eq!(only(&d).hostname, "n\0ul caf\u{fffd} \u{fffd}");
    }
}

#[test]
fn a_long_name_and_a_full_list_are_cut_alike_not_refused() {
    // Both readers refused a name over 4096 bytes, and 4,096 devices with
    // the hub's trailing null, losing every device.
    let d = never_different(&saved("long-name")).expect("read");
    assert_eq!(d.devices.len(), 2);
    assert_eq!(d.devices[0].hostname, "é".repeat(64));
    let d = never_different(&saved("full-list-and-null")).expect("read");
    assert_eq!(d.devices.len(), 4096);
    #[cfg(feature = "js")]
    assert_eq!(by_js(&saved("date")).devices.len(), 1, "Date is offered");
}

#[test]
fn every_saved_mesh_finding_parses_to_one_series_per_station_and_node() {
    use smarthub_exporter::pages::owl;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/owl");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read(&path).unwrap();
        // Found: percentages of 100 overflowed a sum (a panic), and MACs
        // that differ only past the label cut made two series alike.
        let m = owl::parse(&page).unwrap();
        let macs: Vec<&str> = m.stations.iter().map(|s| s.mac.as_str()).collect();
        assert!(
            macs.windows(2).all(|w| w[0] < w[1]),
            "{}: {macs:?}",
            path.display()
        );
        let mut ids: Vec<&str> = m.nodes.iter().map(|n| n.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), m.nodes.len(), "{}", path.display());
        assert!(!m.nodes.is_empty(), "{}", path.display());
        n += 1;
    }
    assert!(
        n >= 2,
        "the saved findings are missing from {}",
        dir.display()
    );
}
