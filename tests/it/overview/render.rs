//! The renderers on their own, over generated hostile names in every
//! string a report can hold: the page, read back by html5ever, has only
//! the exporter's elements and attributes and every name as text; the
//! JSON, read back by serde_json, has every name exactly, and its history
//! is the board's, column by column, `null` where a minute has no figure.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use smarthub_exporter::overview::report::{HubStatus, Outcome};
use smarthub_exporter::overview::{About, Board, Format, Report, State};
use smarthub_exporter::pages::lan::{Device, Devices, Traffic};
use smarthub_exporter::pages::owl::{Mesh, Node, Station};
use smarthub_exporter::pages::wan::{Addresses, DslLine, DslStats, Link, Rate, Volume, Wan};

use super::{check_allowed, expected_rows, history_rows, hostile_names, parse_html, shown, text};

/// 2026-12-01 00:00 UTC.
const T0: i64 = 1_796_083_200_000;

/// A report in which every hub string is one of `names`, in turn.
fn report(names: &[String], at: i64, failing: bool) -> Report {
    let mut i = 0;
    let mut next = || {
        i += 1;
        names[i % names.len()].clone()
    };
    let devices: Vec<Device> = (0..6)
        .map(|d| Device {
            mac: format!("02:00:00:00:00:{d:02X}").into(),
            hostname: next().into(),
            ip: next().into(),
            name: next().into(),
            active: [Some(true), Some(false), None][d % 3],
            port: next().into(),
            os: next().into(),
            kind: next().into(),
            traffic: Some(Traffic {
                rx_bytes: 1 << (20 + d),
                tx_bytes: 1 << (10 + d),
            }),
        })
        .collect();
    let stations = devices
        .iter()
        .map(|d| Station {
            mac: d.mac.to_string(),
            name: d.name.to_string(),
            connection: next(),
            node: Some(next()),
            online: d.active,
            link_bps: Some(866_000_000),
            signal_dbm: Some(-55),
        })
        .collect();
    let nodes = (0..2)
        .map(|n| Node {
            id: next(),
            name: next(),
            model: next(),
            firmware: next(),
            backhaul: (n > 0).then(&mut next),
            backhaul_bps: Some(866_000_000),
            backhaul_dbm: Some(-60),
            uptime: Some(3600),
            stations: Some(3),
            cpu: None,
            memory: None,
        })
        .collect();
    // Seconds since T0: the hub's uptimes move with the clock.
    let later = ((at - T0) / 1000) as u64;
    Report {
        started: at,
        duration: Duration::from_millis(420),
        collectors: vec![
            Outcome {
                name: "wan",
                state: State::Ok,
            },
            Outcome {
                name: "lan",
                state: State::Ok,
            },
            Outcome {
                name: "status",
                state: if failing {
                    State::Failing(next())
                } else {
                    State::Ok
                },
            },
            Outcome {
                name: "owl",
                state: State::Ok,
            },
        ],
        wan: Some(Wan {
            sysuptime: 100_000 + later,
            active_idx: 1,
            connected: true,
            connection_uptime: Some(5_000 + later),
            volume: Some(Volume {
                down_bytes: (at - T0) as u64 * 1000,
                up_bytes: (at - T0) as u64 * 10,
            }),
            rate: Some(Rate {
                up_bps: 18_567_000,
                down_bps: 65_059_000,
            }),
            link: Some(Link {
                up: true,
                uptime: Some(5_000 + later),
            }),
            dsl: Some(DslLine {
                up: true,
                stats: Some(DslStats {
                    mode: next(),
                    profile: next(),
                    channel: next(),
                    snr_margin_tenth_db: [Some(61), Some(-5)],
                    sync_bps: [Some(65_059_000), Some(18_567_000)],
                    ..DslStats::default()
                }),
            }),
            addresses: Addresses {
                ipv6: Some(next()),
                ..Addresses::default()
            },
            wifi_channels: [Some(6), None],
        }),
        hub: Some(HubStatus {
            firmware: next(),
            lan_ip: None,
        }),
        devices: Some(Devices {
            entries: devices.len(),
            active_entries: 2,
            devices,
            notes: Vec::new(),
        }),
        mesh: Some(Mesh {
            nodes,
            stations,
            notes: Vec::new(),
        }),
    }
}

#[test]
fn hostile_names_stay_text_in_the_page_and_exact_in_the_json() {
    let names = hostile_names(0x5eed, 240);
    for (case, chunk) in names.chunks(8).enumerate() {
        let chunk: Vec<String> = chunk.to_vec();
        let mut board = Board::new(About {
            version: "0.1.0",
            hub: chunk[0].clone(),
            poll_seconds: 60,
        });
        // Three scrapes a minute apart, the last with a failing collector
        // whose error is hostile: points, a rate, events with details.
        for m in 0..3 {
            board.record(Arc::new(report(&chunk, T0 + m * 60_000, m == 2)));
        }
        let now = T0 + 150_000;
        let html = String::from_utf8(board.render(Format::Html, now).unwrap()).unwrap();
        let dom = parse_html(&html);
        if let Err(e) = check_allowed(&dom) {
            panic!("case {case}: {e}\nnames: {chunk:?}");
        }
        let shown_text = text(&dom.document);
        for name in &chunk {
            let want = shown(name);
            assert!(
                shown_text.contains(&want),
                "case {case}: {name:?} not shown as text"
            );
        }
        let json = String::from_utf8(board.render(Format::Json, now).unwrap()).unwrap();
        let v: Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("case {case}: {e}\n{json}"));
        let r = report(&chunk, T0 + 120_000, true);
        let list = v["devices"]["list"].as_array().unwrap();
        for (d, want) in list.iter().zip(&r.devices.as_ref().unwrap().devices) {
            for (key, want) in [("name", &want.name), ("hostname", &want.hostname)] {
                let got = d.get(key).and_then(Value::as_str).unwrap_or("");
                assert_eq!(got, want.as_str(), "case {case}: {key}");
            }
        }
        assert_eq!(
            v["wan"]["dsl"]["mode"].as_str().unwrap_or(""),
            r.wan
                .as_ref()
                .unwrap()
                .dsl
                .as_ref()
                .unwrap()
                .stats
                .as_ref()
                .unwrap()
                .mode
        );
        let State::Failing(error) = &r.collectors[2].state else {
            unreachable!()
        };
        assert_eq!(v["collectors"][2]["error"].as_str(), Some(error.as_str()));
        assert_eq!(v["events"][0]["kind"], "collector_failed");
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let rows = history_rows(&v)
            .unwrap_or_else(|e| panic!("case {case}: {e}"))
            .expect("a history");
        assert_eq!(rows, expected_rows(board.history(), now), "case {case}");
        assert_eq!(rows.len(), 3, "case {case}");
        // The first scrape has no rate yet: `null`, the others a figure.
        assert_eq!(rows[0].values[4], None);
        assert_eq!(rows[1].values[4], Some(1_000_000.0));
        // Without the history: the same document, less `history`.
        let lean = board.render(Format::JsonNoHistory, now).unwrap();
        let lean: Value = serde_json::from_slice(&lean).unwrap();
        assert_eq!(history_rows(&lean), Ok(None), "case {case}");
        let mut whole = v.clone();
        whole.as_object_mut().unwrap().remove("history");
        assert_eq!(lean, whole, "case {case}");
    }
}

#[test]
fn the_page_draws_what_the_history_has_and_nothing_it_has_not() {
    let names = vec!["x".to_owned()];
    let mut board = Board::new(About {
        version: "0.1.0",
        hub: "hub".into(),
        poll_seconds: 0,
    });
    for m in 0..90 {
        let mut r = report(&names, T0 + m * 60_000, false);
        if (30..40).contains(&m) {
            // The line's collector fails for ten minutes: a gap.
            r.wan = None;
            r.collectors[0].state = State::Failing("GET /nonAuth/wan_conn.xml: timed out".into());
        }
        board.record(Arc::new(r));
    }
    let now = T0 + 90 * 60_000;
    let html = String::from_utf8(board.render(Format::Html, now).unwrap()).unwrap();
    let dom = parse_html(&html);
    let titles = check_allowed(&dom).unwrap();
    let svgs = html.matches("<svg ").count();
    assert_eq!(svgs, 4, "SNR, sync rate, throughput, devices");
    // The gap: each line is two runs (two `M`s), never drawn across.
    let snr = html
        .split("<figcaption>SNR margin</figcaption>")
        .nth(1)
        .unwrap();
    let path = snr
        .split("<path class=\"s0\" vector-effect=\"non-scaling-stroke\" d=\"")
        .nth(1)
        .unwrap();
    let d = &path[..path.find('"').unwrap()];
    assert_eq!(d.matches('M').count(), 2, "{d}");
    // A flat day is drawn from the ends of its runs only.
    assert!(d.matches('L').count() <= 2, "{d}");
    // The failure and the recovery are marks with their times and words.
    let marks: Vec<&String> = titles.iter().filter(|t| t.contains("Collector")).collect();
    assert_eq!(
        marks.len(),
        2 * 4,
        "two events on each of four charts: {marks:?}"
    );
    assert!(marks[0].contains("Collector failing wan: GET /nonAuth/wan_conn.xml: timed out"));
    // An hour's band says the range of the hour.
    assert!(
        titles
            .iter()
            .any(|t| t.contains("UTC, down 6.1 dB, up -0.5 dB")),
        "{:?}",
        super::distinct(&titles)
    );
    // The JSON: `null` in the gap, never a zero; the devices go on.
    let v: Value = serde_json::from_slice(&board.render(Format::Json, now).unwrap()).unwrap();
    let rows = history_rows(&v).unwrap().unwrap();
    assert_eq!(rows, expected_rows(board.history(), now));
    assert_eq!(rows.len(), 90);
    for (m, row) in rows.iter().enumerate() {
        let snr = if (30..40).contains(&m) {
            [None, None]
        } else {
            [Some(6.1), Some(-0.5)]
        };
        assert_eq!(row.values[..2], snr, "minute {m}");
        assert_eq!(row.values[6], Some(2.0), "minute {m}");
    }
    assert_eq!(v["history"]["snr_margin_db"]["down"][30], Value::Null);
    // FTTP: no DSL, so no SNR or sync chart, nothing drawn in their place.
    let mut board = Board::new(About {
        version: "0.1.0",
        hub: "hub".into(),
        poll_seconds: 0,
    });
    for m in 0..3 {
        let mut r = report(&names, T0 + m * 60_000, false);
        let w = r.wan.as_mut().unwrap();
        w.active_idx = 0;
        w.dsl = Some(DslLine {
            up: false,
            stats: None,
        });
        board.record(Arc::new(r));
    }
    let html = String::from_utf8(board.render(Format::Html, T0 + 3 * 60_000).unwrap()).unwrap();
    assert!(!html.contains("SNR margin") && !html.contains("Sync rate"));
    assert!(html.contains("<figcaption>Throughput</figcaption>"));
    let json = String::from_utf8(board.render(Format::Json, T0 + 3 * 60_000).unwrap()).unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(v["wan"].get("dsl").is_none(), "FTTP: no dsl object");
    // Nor in the history: a series never known is left out.
    let h = &v["history"];
    assert!(h.get("snr_margin_db").is_none() && h.get("sync_rate_bytes_per_second").is_none());
    assert_eq!(h["time"].as_array().unwrap().len(), 3);
    assert_eq!(h["devices_active"].as_array().unwrap().len(), 3);
    assert_eq!(
        h["throughput_bytes_per_second"]["down"],
        serde_json::json!([null, 1_000_000, 1_000_000])
    );
    assert_eq!(history_rows(&v).unwrap().unwrap().len(), 3);
}

#[test]
fn a_down_line_is_up_false_and_a_trained_one_has_both_directions() {
    let names = vec!["x".to_owned()];
    let mut r = report(&names, T0, false);
    r.wan.as_mut().unwrap().dsl = Some(DslLine {
        up: false,
        stats: None,
    });
    let mut board = Board::new(About {
        version: "0",
        hub: "h".into(),
        poll_seconds: 60,
    });
    board.record(Arc::new(r));
    let v: Value = serde_json::from_slice(&board.render(Format::Json, T0).unwrap()).unwrap();
    assert_eq!(v["wan"]["dsl"]["up"], false);
    assert_eq!(v["wan"]["dsl"]["trained"], false);
    board.record(Arc::new(report(&names, T0 + 60_000, false)));
    let v: Value =
        serde_json::from_slice(&board.render(Format::Json, T0 + 60_000).unwrap()).unwrap();
    assert_eq!(v["wan"]["dsl"]["trained"], true);
    assert_eq!(v["wan"]["dsl"]["down"]["snr_margin_db"], 6.1);
    assert_eq!(v["wan"]["dsl"]["up"]["snr_margin_db"], -0.5);
    assert!(v["wan"]["dsl"]["up"].is_object());
}

/// A full day at 250 devices, with their mesh stations (the budget's
/// case): the whole document stays within what rpcd lets an exec plugin
/// print (`RPC_EXEC_MAX_SIZE`, 256 KiB; the LuCI app reads it through
/// one), its history is the board's, minute by minute, and `?history=0`
/// is that much shorter.
#[test]
fn a_full_day_at_250_devices_fits_what_rpcd_passes() {
    use crate::support::pages::{device_page, devices, owl_page, wan_page_vdsl};
    use smarthub_exporter::pages;
    use std::time::Instant;

    let far = Instant::now() + Duration::from_secs(600);
    let devs = devices(250, 0);
    let lan = pages::lan::parse(&mut device_page(&devs).into_bytes(), far).unwrap();
    let mesh = pages::owl::parse(owl_page(&devs).as_bytes()).unwrap();
    assert_eq!(lan.devices.len(), 250);
    let mut board = Board::new(About {
        version: "0.1.0",
        hub: "192.168.1.254:80".into(),
        poll_seconds: 60,
    });
    for minute in 0..1440 {
        board.record(Arc::new(Report {
            started: T0 + minute * 60_000,
            duration: Duration::from_millis(400),
            collectors: ["wan", "lan", "status", "owl"]
                .into_iter()
                .map(|name| Outcome {
                    name,
                    state: State::Ok,
                })
                .collect(),
            wan: Some(pages::wan::parse(wan_page_vdsl(minute as u64 * 60).as_bytes()).unwrap()),
            hub: Some(HubStatus {
                firmware: "v0.21.03.07094-BT".into(),
                lan_ip: None,
            }),
            devices: Some(lan.clone()),
            mesh: Some(mesh.clone()),
        }));
    }
    // Half a minute after the last scrape: all 1,440 minutes in the day.
    let now = T0 + 1439 * 60_000 + 30_000;
    let whole = board.render(Format::Json, now).unwrap();
    let lean = board.render(Format::JsonNoHistory, now).unwrap();
    eprintln!(
        "250 devices and a full day: /status.json {} bytes, ?history=0 {} bytes",
        whole.len(),
        lean.len()
    );
    assert!(whole.len() < 256 * 1024, "{} bytes", whole.len());
    let v: Value = serde_json::from_slice(&whole).unwrap();
    let rows = history_rows(&v).unwrap().unwrap();
    assert_eq!(rows.len(), 1440);
    assert_eq!(rows, expected_rows(board.history(), now));
    assert!(rows[1..]
        .iter()
        .all(|r| r.values.iter().all(Option::is_some)));
    let history = serde_json::to_string(&v["history"]).unwrap();
    // `,"history":` and the document's own text of it.
    assert_eq!(
        lean.len() + ",\"history\":".len() + history.len(),
        whole.len()
    );
}
