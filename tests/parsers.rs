//! The page parsers on every Smart Hub capture and on the fixtures written
//! for the cases the captures lack. Pure functions: no network.

mod support;

use std::time::{Duration, Instant};

use smarthub_exporter::format::js_literal::{self, Lit};
use smarthub_exporter::pages::my_device::{self, Devices};
use smarthub_exporter::pages::wan_conn::{self, Rate, Volume};
use smarthub_exporter::script;
use support::{fixture, shared_fixture, strip_publisher_notes};

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

fn devices(page: &[u8]) -> Devices {
    my_device::parse(page, soon()).unwrap_or_else(|e| panic!("{e}"))
}

fn find<'a>(d: &'a Devices, mac: &str) -> &'a my_device::Device {
    d.devices
        .iter()
        .find(|x| x.mac == mac)
        .unwrap_or_else(|| panic!("{mac} missing"))
}

// ---- wan_conn.xml ----

#[test]
fn wan_fttp_capture_reads_row_0() {
    let w = wan_conn::parse(&fixture(
        "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
    ))
    .unwrap();
    assert_eq!(w.active_idx, 0);
    assert!(w.connected);
    assert_eq!(w.sysuptime, 849301);
    assert_eq!(w.connection_uptime, Some(849301 - 64));
    assert_eq!(
        w.volume,
        Some(Volume {
            total_bytes: 297625188703,
            down_bytes: 282899515695,
            up_bytes: 14725673008
        })
    );
    assert_eq!(
        w.rate,
        Some(Rate {
            up_bps: 1_000_000_000,
            down_bps: 1_000_000_000
        })
    );
}

#[test]
fn wan_vdsl_fragments_capture_row_1() {
    // Single elements from a VDSL2 hub; wrapped into a page of their own.
    let frag = String::from_utf8(fixture(
        "captures/alexgreenbank__bthomehub2exporter/main.go.inline_wan_conn_fragments.xml",
    ))
    .unwrap();
    let lines: Vec<&str> = frag.lines().collect();
    let body = format!(
        "<status>\n{}\n<wan_conn_status_list type=\"array\" value=\"[['disconnected%3B0%3Bpass'], ['connected%3B462390%3Bpass'], null]\"/>\n<wan_active_idx value=\"1\"/>\n</status>\n",
        [lines[0], lines[2], lines[3], lines[4], lines[5]].join("\n")
    );
    let w = wan_conn::parse(body.as_bytes()).unwrap();
    assert_eq!(
        w.rate,
        Some(Rate {
            up_bps: 18567000,
            down_bps: 65059000
        })
    );
    assert_eq!(
        w.volume,
        Some(Volume {
            total_bytes: 81650478525,
            down_bytes: 67192513981,
            up_bytes: 14457964544
        })
    );
    assert_eq!(w.connection_uptime, Some(973412 - 462390));
    // The second link_status fragment (an FTTP line's) is a second element of
    // the same name: the page reader uses the first.
    let page = wan_conn::Page::parse(body.as_bytes()).unwrap();
    assert_eq!(page.scalar("link_status").unwrap(), "connected;vdsl;462385");
}

#[test]
fn wan_own_fixtures() {
    let vdsl = wan_conn::parse(&fixture("hub/wan_conn_vdsl2_row1.xml")).unwrap();
    assert_eq!((vdsl.active_idx, vdsl.connected), (1, true));
    assert_eq!(vdsl.connection_uptime, Some(973412 - 462390));
    assert_eq!(
        vdsl.rate,
        Some(Rate {
            up_bps: 18567000,
            down_bps: 65059000
        })
    );
    assert_eq!(vdsl.volume.unwrap().down_bytes, 67192513981);

    let gfast = wan_conn::parse(&fixture("hub/wan_conn_gfast_row1.xml")).unwrap();
    assert_eq!((gfast.active_idx, gfast.connected), (1, true));
    assert_eq!(gfast.connection_uptime, Some(198511 - 150));
    assert_eq!(
        gfast.rate,
        Some(Rate {
            up_bps: 49996000,
            down_bps: 137443000
        })
    );

    let down = wan_conn::parse(&fixture("hub/wan_conn_disconnected.xml")).unwrap();
    assert!(!down.connected);
    assert_eq!(down.connection_uptime, Some(0), "not the system uptime");
    assert_eq!(down.sysuptime, 86400);

    let big = wan_conn::parse(&fixture("hub/wan_conn_64bit.xml")).unwrap();
    assert_eq!(big.sysuptime, 4294967296);
    assert_eq!(big.volume.unwrap().down_bytes, 9007199254740993);
    assert_eq!(big.volume.unwrap().up_bytes, 9437179454810622);

    let empty = wan_conn::parse(&fixture("hub/wan_conn_empty_lists.xml")).unwrap();
    assert_eq!(
        (empty.connected, empty.sysuptime, empty.volume, empty.rate),
        (false, 42, None, None)
    );
}

#[test]
fn wan_broken_bodies_are_errors() {
    let truncated = wan_conn::parse(&fixture("hub/wan_conn_truncated.xml"))
        .unwrap_err()
        .to_string();
    assert!(truncated.contains("unterminated attribute"), "{truncated}");
    let html = wan_conn::parse(&fixture("hub/login.htm"))
        .unwrap_err()
        .to_string();
    assert!(html.contains("DOCTYPE"), "{html}");
    for body in [
        &b""[..],
        b"{}",
        b"<status>",
        b"\x89PNG\r\n",
        b"<status><sysuptime value='1'/></status>",
    ] {
        assert!(wan_conn::parse(body).is_err(), "{body:?}");
    }
}

#[test]
fn wan_shared_captures_when_present() {
    // GPL/unlicensed captures are not copied into this repository; what they
    // cover is also covered above. When they are at hand, they must parse.
    let Some(seed) = shared_fixture("jamesorlakin__bt-smarthub-exporter/smarthub_wan_conn.xml")
    else {
        eprintln!("../shared/fixtures not present: seed captures not checked");
        return;
    };
    let w = wan_conn::parse(&seed).unwrap();
    assert_eq!(
        (w.active_idx, w.sysuptime, w.connection_uptime),
        (0, 1284142, Some(1284142 - 72))
    );
    assert_eq!(w.volume.unwrap().down_bytes, 336463954090);
    let g = wan_conn::parse(
        &shared_fixture("bielesibub__bt-speedchecker/wan_conn_example.xml").unwrap(),
    )
    .unwrap();
    assert_eq!(
        (g.active_idx, g.connected, g.connection_uptime),
        (1, true, Some(198511 - 150))
    );
    assert_eq!(
        (g.volume, g.rate),
        (None, None),
        "redacted fields stay absent"
    );
}

// ---- cgi_basicMyDevice.js ----

#[test]
fn device_own_two_device_page() {
    let d = devices(&fixture("hub/my_device_2dev.js"));
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
    let d = devices(&fixture("hub/my_device_names.js"));
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
    let d = devices(&fixture("hub/my_device_64bit.js"));
    let t = find(&d, "AA:BB:CC:00:00:01").traffic.unwrap();
    assert_eq!((t.rx_bytes, t.tx_bytes), (10148692289, 2218516986));
    let t = find(&d, "AA:BB:CC:00:00:02").traffic.unwrap();
    assert_eq!((t.rx_bytes, t.tx_bytes), (u64::MAX, 9007199254740993));
}

#[test]
fn device_empty_and_orphans() {
    assert_eq!(
        devices(&fixture("hub/my_device_empty.js")),
        Devices::default()
    );
    let d = devices(&fixture("hub/my_device_orphans.js"));
    let macs: Vec<&str> = d.devices.iter().map(|x| x.mac.as_str()).collect();
    assert_eq!(macs, ["10:00:00:00:00:01", "10:00:00:00:00:02"]);
    assert_eq!(
        find(&d, "10:00:00:00:00:01").hostname,
        "has-rate",
        "first of a duplicate MAC wins"
    );
    assert_eq!(find(&d, "10:00:00:00:00:02").traffic, None);
    assert_eq!(d.unmatched_rates, 2);
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
        let vars = script::read_vars(&page, &["known_device_list"], soon()).unwrap();
        let d = my_device::from_lists(vars[0].as_ref().unwrap(), &Lit::Array(vec![])).unwrap();
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
    let vars = script::read_vars(&page, &["known_device_list"], soon()).unwrap();
    let d = my_device::from_lists(vars[0].as_ref().unwrap(), &Lit::Array(vec![])).unwrap();
    assert_eq!(d.devices[0].name, "Paul's TV");
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
}

/// The EE capture is the page after evaluation, dumped as JSON: JSON is a JS
/// literal, so the literal reader reads it directly.
fn ee_evaluated() -> (Lit, Lit) {
    let json = String::from_utf8(fixture("captures/AndyA__EESmartHub/raw.json")).unwrap();
    let Lit::Object(top) = js_literal::parse(&json).unwrap() else {
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
    let d = my_device::from_lists(&known, &rate).unwrap();
    assert_eq!(
        d.devices.len(),
        147,
        "109 entries, 25 grouped, split per MAC"
    );
    assert_eq!(d.devices.iter().filter(|x| x.traffic.is_some()).count(), 40);
    assert_eq!(d.unmatched_rates, 1);
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
fn device_shared_seed_capture_when_present() {
    let Some(page) = shared_fixture("jamesorlakin__bt-smarthub-exporter/lan.js") else {
        eprintln!("../shared/fixtures not present: seed capture not checked");
        return;
    };
    let d = devices(&page);
    assert_eq!(d.devices.len(), 2);
    let t = find(&d, "F8:32:E4:9E:A4:89").traffic.unwrap();
    assert_eq!((t.rx_bytes, t.tx_bytes), (8765641, 1313609));
    assert_eq!(find(&d, "E4:F0:42:81:F6:30").traffic, None);
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
        let err = my_device::parse(&page, soon()).unwrap_err().to_string();
        assert!(err.contains(want), "{err:?} should mention {want:?}");
    }
}

/// Both readers of the device page (JavaScript engine and literal parser)
/// must give identical devices on every page.
#[cfg(feature = "js")]
#[test]
fn both_readers_agree_on_every_device_page() {
    let mut pages: Vec<(String, Vec<u8>)> = [
        "hub/my_device_2dev.js",
        "hub/my_device_names.js",
        "hub/my_device_64bit.js",
        "hub/my_device_empty.js",
        "hub/my_device_orphans.js",
        "captures/krygal__eebrightbox/cgi_myNetwork.js",
        "captures/jxwolstenholme__btsmarthub_devicelist/cgi_basicMyDevice.js",
        "captures/jxwolstenholme__btsmarthub_devicelist/at-58f16f9/cgi_basicMyDevice.js",
        "captures/jxwolstenholme__btsmarthub_devicelist/cgi_basicMyDevice.special_chars.js",
    ]
    .iter()
    .map(|f| (f.to_string(), strip_publisher_notes(&fixture(f))))
    .collect();
    pages.push((
        "generated 250".into(),
        support::pages::device_page(&support::pages::devices(250, 7)).into_bytes(),
    ));
    if let Some(p) = shared_fixture("jamesorlakin__bt-smarthub-exporter/lan.js") {
        pages.push(("seed lan.js".into(), p));
    }
    let names = ["known_device_list", "rate"];
    for (name, page) in &pages {
        let js = script::quickjs::read_vars(page, &names, soon())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let lit = script::literal::read_vars(page, &names, soon())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(js, lit, "{name}: the two readers differ");
        let empty = Lit::Array(vec![]);
        let a = my_device::from_lists(js[0].as_ref().unwrap(), js[1].as_ref().unwrap_or(&empty))
            .unwrap();
        let b = my_device::from_lists(lit[0].as_ref().unwrap(), lit[1].as_ref().unwrap_or(&empty))
            .unwrap();
        assert_eq!(a, b, "{name}");
        assert!(
            !a.devices.is_empty() || name.contains("empty"),
            "{name}: no devices read"
        );
    }
}
