//! `cgi_basicMyDevice.js` (the `lan` collector): devices, their traffic and
//! presence, grouped entries, names through every escape, and the cuts.

use smarthub_exporter::pages::lan::{self, Devices};
use smarthub_exporter::pages::{self};
use smarthub_exporter::script::literal::{self, Lit};
use smarthub_exporter::script::{self, Var};

use super::readers_agree::read_both;
use super::soon;
use crate::support::{fixture, strip_publisher_notes};

fn devices(page: &[u8]) -> Devices {
    lan::parse(&mut page.to_vec(), soon()).unwrap_or_else(|e| panic!("{e}"))
}

fn find<'a>(d: &'a Devices, mac: &str) -> &'a lan::Device {
    d.devices
        .iter()
        .find(|x| x.mac == mac)
        .unwrap_or_else(|| panic!("{mac} missing"))
}

#[test]
fn device_own_two_device_page() {
    let d = devices(&fixture("hub/lan.js"));
    assert_eq!(d.devices.len(), 2);
    let tv = find(&d, "3C:22:FB:10:20:30");
    assert_eq!(
        (tv.hostname.as_str(), tv.ip.as_str(), tv.active),
        ("living-room-tv", "192.168.1.64", Some(false))
    );
    assert_eq!(tv.traffic, None, "no rate row: no numbers");
    let mac = find(&d, "A4:83:E7:01:02:03");
    let t = mac.traffic.unwrap();
    assert_eq!((t.rx_bytes, t.tx_bytes), (901874113, 52371990));
}

#[test]
fn device_names_survive_every_escape() {
    let d = devices(&fixture("hub/lan_names.js"));
    let names: Vec<&str> = d.devices.iter().map(|x| x.hostname.as_str()).collect();
    assert_eq!(
        names,
        [
            "Paul's TV",
            "say \"hi\"",
            "back\\slash",
            "two\nlines",
            "Café Zoë ☕",
            "bad\u{fffd}utf8\u{fffd}",
            "android%thingy%",
            "x\"} 1\nsmarthub_up{a=\"",
        ]
    );
    assert_eq!(find(&d, "02:00:00:00:00:07").name, "100%zz");
    assert!(d.devices.iter().all(|x| x.traffic.is_some()));
}

#[test]
fn device_64bit_counters() {
    let d = devices(&fixture("hub/lan_64bit.js"));
    let t = find(&d, "AA:BB:CC:00:00:01").traffic.unwrap();
    assert_eq!((t.rx_bytes, t.tx_bytes), (10148692289, 2218516986));
    let t = find(&d, "AA:BB:CC:00:00:02").traffic.unwrap();
    assert_eq!((t.rx_bytes, t.tx_bytes), (u64::MAX, 9007199254740993));
}

#[test]
fn device_empty_and_orphans() {
    assert_eq!(devices(&fixture("hub/lan_empty.js")), Devices::default());
    let d = devices(&fixture("hub/lan_orphans.js"));
    let macs: Vec<&str> = d.devices.iter().map(|x| x.mac.as_str()).collect();
    assert_eq!(macs, ["10:00:00:00:00:01", "10:00:00:00:00:02"]);
    assert_eq!(
        find(&d, "10:00:00:00:00:01").hostname,
        "has-rate",
        "first of a duplicate MAC wins"
    );
    assert_eq!(find(&d, "10:00:00:00:00:02").traffic, None);
}

#[test]
fn device_captures_smart_hub_2() {
    // These captures keep only known_device_list (no `rate`).
    for (file, count) in [
        (
            "captures/jxwolstenholme__btsmarthub_devicelist/cgi_basicMyDevice.js",
            12,
        ),
        (
            "captures/jxwolstenholme__btsmarthub_devicelist/at-58f16f9/cgi_basicMyDevice.js",
            11,
        ),
    ] {
        let page = strip_publisher_notes(&fixture(file));
        let vars = script::read(&page, &Var::each(&["known_device_list"]), soon())
            .unwrap()
            .values;
        let d = lan::from_lists(vars[0].as_ref().unwrap(), &Lit::Array(vec![])).unwrap();
        assert_eq!(d.devices.len(), count, "{file}");
        let ipad = find(&d, "DC:A4:FF:FF:FF:FF");
        assert_eq!(
            (ipad.hostname.as_str(), ipad.ip.as_str()),
            ("PaulGousiPadPro", "10.1.8.201")
        );
        assert_eq!(ipad.name, "TV Panasonic Lounge ");
        assert_eq!(find(&d, "F8:6F:FF:FF:FF:FF").port, "wl1");
    }
    let page = strip_publisher_notes(&fixture(
        "captures/jxwolstenholme__btsmarthub_devicelist/cgi_basicMyDevice.special_chars.js",
    ));
    let vars = script::read(&page, &Var::each(&["known_device_list"]), soon())
        .unwrap()
        .values;
    let d = lan::from_lists(vars[0].as_ref().unwrap(), &Lit::Array(vec![])).unwrap();
    assert_eq!(d.devices[0].name, "Paul's TV");
}

#[test]
fn device_grouped_entries_presence_ports_and_counts() {
    let d = devices(&fixture("hub/lan_grouped.js"));
    let state = |mac: &str| {
        let x = find(&d, mac);
        (x.active, x.port.as_str(), x.ip.as_str())
    };
    // Group active, activity_ip singles out the third MAC.
    assert_eq!(
        state("20:00:00:00:00:01"),
        (Some(false), "wl1", "192.168.1.30")
    );
    assert_eq!(
        state("20:00:00:00:00:03"),
        (Some(true), "wl0", "192.168.1.32")
    );
    // Group active, no per-MAC flag set: which MAC is in use is unknown.
    assert_eq!(state("20:00:00:00:01:01").0, None);
    assert_eq!(state("20:00:00:00:01:02").0, None);
    // Group inactive; a port list that runs into a date is no port.
    assert_eq!(
        state("20:00:00:00:02:01"),
        (Some(false), "eth0_5", "192.168.1.50")
    );
    assert_eq!(
        state("20:00:00:00:02:02"),
        (Some(false), "", "192.168.1.51")
    );
    // activity_ipv6_ll singles out a MAC too.
    assert_eq!(state("20:00:00:00:05:01").0, Some(true));
    assert_eq!(state("20:00:00:00:05:02").0, Some(false));
    let pc = find(&d, "20:00:00:00:03:01");
    assert_eq!(
        (
            pc.active,
            pc.kind.as_str(),
            pc.os.as_str(),
            pc.name.as_str()
        ),
        (Some(true), "PC", "Windows", "Study PC")
    );
    assert_eq!(d.devices.len(), 11, "6 entries, 11 MACs");
    assert_eq!((d.entries, d.active_entries), (6, 4));
}

#[test]
fn device_capture_ee_grouped_entries() {
    let d = devices(&fixture("captures/krygal__eebrightbox/cgi_myNetwork.js"));
    assert_eq!(d.devices.len(), 5, "3 entries, one of them holding 3 MACs");
    let grouped: Vec<(&str, &str, &str)> = d
        .devices
        .iter()
        .filter(|x| x.hostname == "hostname3")
        .map(|x| (x.mac.as_str(), x.ip.as_str(), x.port.as_str()))
        .collect();
    assert_eq!(
        grouped,
        [
            ("82:E7:A3:6C:7B:1A", "192.168.1.91", "ath0"),
            ("8A:A4:E4:5B:7B:16", "192.168.1.242", "ath1"),
            ("F0:8A:76:0A:7C:DA", "192.168.1.214", "ath0"),
        ]
    );
    let active: Vec<Option<bool>> = d
        .devices
        .iter()
        .filter(|x| x.hostname == "hostname3")
        .map(|x| x.active)
        .collect();
    assert_eq!(
        active,
        [Some(false), Some(false), Some(true)],
        "activity_ip 0,0,1 names the page's third MAC, F0:8A"
    );
    assert_eq!((d.entries, d.active_entries), (3, 2));
}

/// The EE capture is the page after evaluation, dumped as JSON: JSON is a JS
/// literal, so the literal reader reads it directly.
fn ee_evaluated() -> (Lit, Lit) {
    let json = String::from_utf8(fixture("captures/AndyA__EESmartHub/raw.json")).unwrap();
    let Lit::Object(top) = literal::parse(&json).unwrap() else {
        panic!("not an object")
    };
    let Some((_, Lit::Object(net))) = top.into_iter().find(|(k, _)| k == "network") else {
        panic!("no network")
    };
    let get = |k: &str| net.iter().find(|(n, _)| n == k).unwrap().1.clone();
    (get("known_device_list"), get("rate"))
}

#[test]
fn device_capture_ee_evaluated_110_devices() {
    let (known, rate) = ee_evaluated();
    let d = lan::from_lists(&known, &rate).unwrap();
    assert_eq!(
        d.devices.len(),
        147,
        "109 entries, 25 grouped, split per MAC"
    );
    assert_eq!((d.entries, d.active_entries), (109, 36));
    assert!(
        d.devices.iter().all(|x| !x.port.contains('/')),
        "no date runs into a port label"
    );
    // A group the hub marks active whose per-MAC flags all read 0.
    assert!(d.devices.iter().any(|x| x.active.is_none()));
    assert_eq!(d.devices.iter().filter(|x| x.traffic.is_some()).count(), 40);
    let stilt = find(&d, "6C:2B:59:89:B5:CF");
    assert_eq!(
        (stilt.hostname.as_str(), stilt.ip.as_str()),
        ("stilt", "192.168.1.19")
    );
    let t = stilt.traffic.unwrap();
    assert_eq!((t.rx_bytes, t.tx_bytes), (1455449068677, 54290705572));
    assert_eq!(find(&d, "38:F9:D3:6D:52:CD").ip, "192.168.1.43");
}

#[test]
fn device_page_refusals() {
    for (page, want) in [
        (fixture("hub/login.htm"), "HTML"),
        (b"var rate=[];".to_vec(), "known_device_list"),
        (b"var known_device_list=[];".to_vec(), "field rate"),
        (
            b"var known_device_list='x'; var rate=[];".to_vec(),
            "not an array",
        ),
        (b"var known_device_list=[{mac:'A'}".to_vec(), ""),
    ] {
        let err = lan::parse(&mut page.clone(), soon())
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err:?} should mention {want:?}");
    }
}

#[test]
fn device_page_cuts_are_noted_and_never_split() {
    use script::limits::MAX_STRING_BYTES;
    let long_mac = "A".repeat(MAX_STRING_BYTES + 1);
    let long_ips = "1%2E1%2C".repeat(MAX_STRING_BYTES);
    let essay = "%C3%A9".repeat(10_000);
    let page = format!(
        "var known_device_list=[{{mac:'AA',hostname:'{essay}',ip:'1'}},\n\
         {{mac:'{long_mac}',hostname:'skipped'}},\n\
         {{mac:'B1%2CB2',hostname:'group',ip:'{long_ips}',port:'eth1%2Ceth2'}},null];\n\
         var rate=[{{mac:'aa',tx:'{}',rx:'2'}},{{mac:'b1',tx:'3',rx:'4'}},null];\n",
        "9".repeat(MAX_STRING_BYTES + 10)
    );
    let r = read_both(page.as_bytes(), &lan::VARS);
    let d = devices(page.as_bytes());
    assert_eq!(d.notes[..2], r.notes[..]);
    let macs: Vec<&str> = d.devices.iter().map(|d| d.mac.as_str()).collect();
    assert_eq!(macs, ["AA", "B1", "B2"]);
    // The essay is a label as the whole name would make it.
    assert_eq!(
        find(&d, "AA").hostname,
        "é".repeat(pages::MAX_LABEL_BYTES / 2)
    );
    // A cut number is no number: AA has no traffic rather than a wrong one.
    assert_eq!(find(&d, "AA").traffic, None);
    // The cut ip list is not split across the group; its ports still are.
    assert_eq!(
        (find(&d, "B1").ip.as_str(), find(&d, "B1").port.as_str()),
        ("", "eth1")
    );
    assert!(find(&d, "B1").traffic.is_some());
    assert_eq!(
        d.notes,
        [
            "known_device_list: 3 strings longer than 4096 bytes were cut",
            "rate: a string longer than 4096 bytes was cut",
            "known_device_list: 1 entries with a mac longer than the reader keeps were skipped",
            "known_device_list: 1 grouped entries had an ip, port or activity list longer than the reader keeps; it was left unsplit",
        ]
    );
}

#[test]
fn a_cut_string_gives_the_label_its_whole_would_or_none() {
    use script::limits::MAX_STRING_BYTES;
    let label_of = |whole: &str| -> (Option<String>, Option<String>) {
        let cut = &whole[..script::cut_point(whole, MAX_STRING_BYTES)];
        let rec = |v: Lit| vec![("h".to_owned(), v)];
        (
            pages::label_text(&rec(Lit::Str(whole.into())), "h", true),
            pages::label_text(&rec(Lit::Cut(cut.into())), "h", true),
        )
    };
    // Long enough to tell: the same label.
    for whole in [
        "%C3%A9".repeat(2000),
        format!("{}x{}", " ".repeat(100), "%E2%98%95".repeat(2000)),
        format!("a{}", "%4".repeat(3000)),
    ] {
        let (w, c) = label_of(&whole);
        assert_eq!(c, w, "{}", &whole[..40]);
    }
    // Not enough left to tell (all blank up to the cut, then text): none,
    // rather than a label the whole would not make.
    let whole = format!("A{}B", " ".repeat(MAX_STRING_BYTES + 10));
    let (w, c) = label_of(&whole);
    assert_eq!(w.as_deref().map(str::len), Some(pages::MAX_LABEL_BYTES));
    assert_eq!(c, None);
}

#[test]
fn more_devices_than_the_limit_are_cut_with_a_note() {
    // Grouped entries can hold more MACs than the array cut leaves out.
    let groups: Vec<String> = (0..9)
        .map(|g| {
            let macs: Vec<String> = (0..500).map(|i| format!("{:X}", g * 1000 + i)).collect();
            format!("{{mac:'{}'}},", macs.join("%2C"))
        })
        .collect();
    let page = format!(
        "var known_device_list=[{}{{mac:'FFFFFF'}},null];\nvar rate=[];\n",
        groups.concat()
    );
    let d = devices(page.as_bytes());
    assert_eq!(d.devices.len(), lan::MAX_DEVICES);
    assert!(!d.devices.iter().any(|x| x.mac == "FFFFFF"));
    assert_eq!(
        d.notes,
        ["known_device_list: more than 4096 devices; the first 4096 are kept"]
    );
}
