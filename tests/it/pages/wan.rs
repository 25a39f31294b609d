//! `wan_conn.xml` (the `wan` collector): the session, counters and rates;
//! the DSL line, the link, the addresses and the Wi-Fi channels.

use smarthub_exporter::pages::wan::{self, DslStats, Link, Rate, Volume};

use super::ip4;
use crate::support::fixture;

#[test]
fn wan_fttp_capture_reads_row_0() {
    let w = wan::parse(&fixture(
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
    let w = wan::parse(body.as_bytes()).unwrap();
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
            down_bytes: 67192513981,
            up_bytes: 14457964544
        })
    );
    assert_eq!(w.connection_uptime, Some(973412 - 462390));
    // The second link_status fragment (an FTTP line's) is a second element of
    // the same name: the page reader uses the first.
    let page = wan::Page::parse(body.as_bytes()).unwrap();
    assert_eq!(page.scalar("link_status").unwrap(), "connected;vdsl;462385");
}

#[test]
fn wan_own_fixtures() {
    let vdsl = wan::parse(&fixture("hub/wan.xml")).unwrap();
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

    let gfast = wan::parse(&fixture("hub/wan_gfast_row1.xml")).unwrap();
    assert_eq!((gfast.active_idx, gfast.connected), (1, true));
    assert_eq!(gfast.connection_uptime, Some(198511 - 150));
    assert_eq!(
        gfast.rate,
        Some(Rate {
            up_bps: 49996000,
            down_bps: 137443000
        })
    );

    let down = wan::parse(&fixture("hub/wan_disconnected.xml")).unwrap();
    assert!(!down.connected);
    assert_eq!(down.connection_uptime, Some(0), "not the system uptime");
    assert_eq!(down.sysuptime, 86400);

    let big = wan::parse(&fixture("hub/wan_64bit.xml")).unwrap();
    assert_eq!(big.sysuptime, 4294967296);
    assert_eq!(big.volume.unwrap().down_bytes, 9007199254740993);
    assert_eq!(big.volume.unwrap().up_bytes, 9437179454810622);

    let empty = wan::parse(&fixture("hub/wan_empty_lists.xml")).unwrap();
    assert_eq!(
        (empty.connected, empty.sysuptime, empty.volume, empty.rate),
        (false, 42, None, None)
    );
}

#[test]
fn wan_broken_bodies_are_errors() {
    let truncated = wan::parse(&fixture("hub/wan_truncated.xml"))
        .unwrap_err()
        .to_string();
    assert!(truncated.contains("unterminated attribute"), "{truncated}");
    let html = wan::parse(&fixture("hub/login.htm"))
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
        assert!(wan::parse(body).is_err(), "{body:?}");
    }
}

#[test]
fn wan_vdsl2_line_up() {
    let w = wan::parse(&fixture("hub/wan.xml")).unwrap();
    let dsl = w.dsl.unwrap();
    assert!(dsl.up);
    assert_eq!(
        dsl.stats.unwrap(),
        DslStats {
            mode: "VDSL2".into(),
            profile: "Profile 17a".into(),
            channel: "fast".into(),
            snr_margin_tenth_db: [Some(31), Some(58)],
            line_attenuation_tenth_db: [Some(186), Some(83)],
            signal_attenuation_tenth_db: [Some(202), Some(83)],
            output_power_tenth_dbm: [Some(130), Some(74)],
            // Positions 11-12 are kbit/s: they equal status_rate's bit/s.
            sync_bps: [Some(65_059_000), Some(18_567_000)],
            attainable_bps: [Some(65_682_000), Some(18_564_000)],
        }
    );
    assert_eq!(
        w.link,
        Some(Link {
            up: true,
            uptime: Some(973412 - 462385)
        })
    );
    assert_eq!(wan::wan_kind(w.active_idx), "vdsl");
    let a = &w.addresses;
    assert_eq!(
        (a.ipv4, a.ipv4_gateway, a.dns.clone()),
        (
            ip4("86.1.2.3"),
            ip4("172.16.10.1"),
            vec![ip4("81.139.57.100").unwrap(), ip4("81.139.56.100").unwrap()]
        )
    );
    assert_eq!(a.ipv6.as_deref(), Some("2a00:23c5:1234:5600::1/64"));
    assert_eq!(
        a.ipv6_link_local.as_deref(),
        Some("fe80::1a2b:3c4d:5e6f:7081/10")
    );
    assert_eq!(w.wifi_channels, [Some(6), Some(44)]);
}

#[test]
fn wan_gfast_line_up_drops_unreported_zeros() {
    let w = wan::parse(&fixture("hub/wan_gfast_row1.xml")).unwrap();
    let s = w.dsl.unwrap().stats.unwrap();
    assert_eq!((s.mode.as_str(), s.profile.as_str()), ("GFAST", "G.DMT"));
    assert_eq!(s.sync_bps, [Some(137_443_000), Some(49_996_000)]);
    assert_eq!(s.attainable_bps, [Some(111_412_000), Some(67_295_000)]);
    // G.fast leaves the upstream attenuations at 0: no copper line that is
    // up has 0 dB, so they are absent rather than read as 0.
    assert_eq!(s.line_attenuation_tenth_db, [Some(317), None]);
    assert_eq!(s.signal_attenuation_tenth_db, [Some(317), None]);
    // 0.0 dBm is a possible output power, so it stays.
    assert_eq!(s.output_power_tenth_dbm, [Some(0), Some(40)]);
    assert_eq!(w.wifi_channels, [Some(1), Some(36)]);
}

#[test]
fn wan_adsl_row2_interleaved_with_a_negative_margin() {
    let w = wan::parse(&fixture("hub/wan_adsl_row2.xml")).unwrap();
    assert_eq!((w.active_idx, wan::wan_kind(w.active_idx)), (2, "adsl"));
    assert_eq!(w.connection_uptime, Some(5000 - 3700));
    assert_eq!(
        w.link,
        Some(Link {
            up: true,
            uptime: Some(5000 - 3650)
        })
    );
    let s = w.dsl.unwrap().stats.unwrap();
    assert_eq!(
        (s.mode.as_str(), s.profile.as_str(), s.channel.as_str()),
        ("ADSL", "ADSL2+", "interleaved")
    );
    assert_eq!(s.snr_margin_tenth_db, [Some(62), Some(-12)]);
    assert_eq!(s.sync_bps, [Some(11_344_000), Some(1_020_000)]);
    let a = &w.addresses;
    assert_eq!(a.ipv4, ip4("212.159.6.9"));
    assert_eq!(
        a.dns,
        vec![ip4("212.159.6.9").unwrap()],
        "0.0.0.0 is no DNS"
    );
    assert_eq!((a.ipv6.clone(), a.ipv6_link_local.clone()), (None, None));
}

#[test]
fn wan_dsl_line_down_reports_no_figures() {
    // A DSL hub that lost sync: the line, the link and the session are down.
    let w = wan::parse(&fixture("hub/wan_vdsl_line_down.xml")).unwrap();
    let dsl = w.dsl.unwrap();
    assert!(!dsl.up);
    assert_eq!(
        dsl.stats, None,
        "zeros of a line that is down are no readings"
    );
    assert_eq!(
        w.link,
        Some(Link {
            up: false,
            uptime: Some(0)
        })
    );
    assert!(!w.connected);
    assert_eq!(w.addresses, wan::Addresses::default());
}

#[test]
fn wan_fttp_captures_have_the_dsl_line_down() {
    let w = wan::parse(&fixture(
        "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
    ))
    .unwrap();
    assert_eq!(
        w.dsl.as_ref().map(|d| (d.up, d.stats.is_none())),
        Some((false, true))
    );
    assert_eq!(wan::wan_kind(w.active_idx), "ethernet");
    assert_eq!(
        w.link,
        Some(Link {
            up: true,
            uptime: Some(849301 - 47)
        })
    );
    assert_eq!(w.addresses.ipv4, ip4("81.255.255.255"));
    assert_eq!(w.addresses.ipv4_gateway, ip4("172.16.13.79"));
    assert_eq!(
        w.addresses.ipv6.as_deref(),
        Some("2a00:2a00:2a00:2a00::1/64")
    );
    assert_eq!(
        w.addresses.ipv6_link_local.as_deref(),
        Some("fe80::fe80:fe80:fe80:fe80/10")
    );
    assert_eq!(w.wifi_channels, [Some(6), Some(36)]);

    let down = wan::parse(&fixture("hub/wan_disconnected.xml")).unwrap();
    assert_eq!(
        down.link,
        Some(Link {
            up: false,
            uptime: Some(0)
        })
    );
    assert_eq!(down.addresses, wan::Addresses::default());
}

#[test]
fn wan_missing_line_lists_stay_absent() {
    let empty = wan::parse(&fixture("hub/wan_empty_lists.xml")).unwrap();
    assert_eq!(
        (empty.link, empty.dsl, empty.wifi_channels),
        (None, None, [None, None])
    );
    assert_eq!(empty.addresses, wan::Addresses::default());
    // The alexgreenbank fragments carry only the DSL line.
    let frag = String::from_utf8(fixture(
        "captures/alexgreenbank__bthomehub2exporter/main.go.inline_wan_conn_fragments.xml",
    ))
    .unwrap();
    let body = format!(
        "<status>\n{frag}<wan_conn_status_list type=\"array\" value=\"[['connected%3B1%3Bpass'],null]\"/>\n<wan_active_idx value=\"0\"/>\n</status>\n"
    );
    let w = wan::parse(body.as_bytes()).unwrap();
    let s = w.dsl.unwrap().stats.unwrap();
    assert_eq!(s.sync_bps, [Some(65_059_000), Some(18_567_000)]);
    assert_eq!((w.link, w.wifi_channels), (None, [None, None]));
}
