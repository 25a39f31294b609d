//! The overview through the real exporter and the fake hub: headers, the
//! cache and the waiting shared with `/metrics`, HEAD, the JSON's fields
//! against `/metrics`, a hostile hub read back with html5ever, `--poll`.

use std::sync::Arc;
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{
    check_allowed, check_figures, history_rows, hostile_hub, parse_html, shown, text, HOSTILE,
    SERIAL,
};
use crate::support::exporter::Exporter;
use crate::support::fake_hub::{standard_page, FakeHub, Reply};
use crate::support::{expo, pages, LAN, OWL, WAN};

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// A hub with a VDSL line, 6 devices and their mesh stations.
fn vdsl_hub() -> FakeHub {
    let hub = FakeHub::with_pages(6);
    hub.set(
        WAN,
        Reply::Dynamic(Arc::new(|n| pages::wan_page_vdsl(n).into_bytes())),
    );
    hub
}

#[test]
fn the_page_and_the_json_carry_the_security_headers_and_answer_from_the_cache() {
    let hub = vdsl_hub();
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "60"]);
    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/status.json", "application/json"),
    ] {
        let r = exp.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.head);
        assert_eq!(r.header("content-type").as_deref(), Some(content_type));
        assert_eq!(r.header("content-security-policy").as_deref(), Some(CSP));
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
        assert_eq!(
            r.header("content-length").and_then(|l| l.parse().ok()),
            Some(r.body.len())
        );
        // HEAD: the headers, no body, no length (the page says its age).
        let head = exp.request("HEAD", path);
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
        assert_eq!(head.header("content-length"), None);
        assert_eq!(head.header("content-security-policy").as_deref(), Some(CSP));
    }
    exp.get("/metrics");
    assert_eq!(
        hub.count(WAN),
        1,
        "one scrape for the page, the JSON and /metrics"
    );
    assert_eq!(hub.count(LAN), 1);
}

#[test]
fn head_of_the_overview_never_starts_a_scrape() {
    let hub = vdsl_hub();
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    for path in ["/", "/status.json"] {
        let head = exp.request("HEAD", path);
        assert_eq!(head.status, 200);
    }
    sleep(Duration::from_millis(300));
    assert_eq!(hub.count(WAN), 0);
}

#[test]
fn clients_of_the_page_the_json_and_metrics_share_one_scrape() {
    let hub = vdsl_hub();
    // A hub that takes its time, so all ask during the one scrape.
    hub.set(
        WAN,
        Reply::Delay(
            Duration::from_millis(800),
            Box::new(Reply::ok(pages::wan_page_vdsl(0))),
        ),
    );
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let addr = exp.addr;
    let clients: Vec<_> = [
        "/",
        "/status.json",
        "/metrics",
        "/status.json?history=0",
        "/",
        "/status.json",
        "/status.json?history=0",
    ]
    .into_iter()
    .map(|path| {
        thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            use std::io::{Read, Write};
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\n\r\n").unwrap();
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).unwrap();
            (path, crate::support::exporter::parse_response(&raw))
        })
    })
    .collect();
    for c in clients {
        let (path, r) = c.join().unwrap();
        assert_eq!(r.status, 200, "{path}");
        let body = r.text();
        match path {
            "/" => assert!(body.starts_with("<!DOCTYPE html>"), "{path}"),
            "/status.json" | "/status.json?history=0" => {
                // Each waiting client gets the document it asked for.
                let v: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["schema"], 1);
                let rows = history_rows(&v).unwrap();
                assert_eq!(rows.is_some(), path == "/status.json", "{path}");
            }
            _ => assert!(expo::parse(&body).is_ok()),
        }
    }
    assert_eq!(hub.count(WAN), 1, "one scrape for all seven");
    assert_eq!(hub.max_concurrent(), 1);
}

/// The contract's shape: every field the LuCI app reads, with its type.
#[test]
fn the_json_has_the_contract_fields_and_the_figures_of_metrics() {
    let hub = vdsl_hub();
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "60", "--poll", "0"]);
    let m = exp.scrape();
    let r = exp.get("/status.json");
    let v: Value = serde_json::from_str(&r.text()).expect("valid JSON");
    let num = |p: &str| {
        v.pointer(p)
            .unwrap_or_else(|| panic!("{p} absent"))
            .as_f64()
            .unwrap_or_else(|| panic!("{p} not a number"))
    };
    let string = |p: &str| {
        v.pointer(p)
            .unwrap_or_else(|| panic!("{p} absent"))
            .as_str()
            .unwrap_or_else(|| panic!("{p} not a string"))
            .to_owned()
    };
    assert_eq!(num("/schema"), 1.0);
    assert_eq!(string("/exporter/version"), env!("CARGO_PKG_VERSION"));
    assert_eq!(string("/exporter/hub"), hub.host());
    assert_eq!(num("/exporter/poll_seconds"), 0.0);
    let now = num("/exporter/now");
    let at = num("/exporter/scraped_at");
    assert!(at <= now && now - at < 120.0, "{at} {now}");
    assert!(num("/exporter/scrape_duration_seconds") >= 0.0);
    // Every collector, in the table's order.
    let collectors: Vec<(String, String)> = v["collectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().into(),
                c["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    let names: Vec<&str> = smarthub_exporter::collector::ALL
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        collectors.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        names
    );
    assert!(collectors.iter().all(|c| c.1 == "ok"), "{collectors:?}");
    // The WAN, against /metrics.
    assert_eq!(v["wan"]["connected"], true);
    assert_eq!(
        num("/wan/connection_uptime_seconds"),
        m.value("smarthub_connection_uptime")
    );
    assert_eq!(v["wan"]["link"]["up"], true);
    assert_eq!(
        num("/wan/link/uptime_seconds"),
        m.value("smarthub_wan_link_uptime_seconds")
    );
    assert_eq!(string("/wan/kind"), "vdsl");
    assert_eq!(v["wan"]["dsl"]["trained"], true);
    assert_eq!(string("/wan/dsl/mode"), "VDSL2");
    for d in ["down", "up"] {
        for (key, metric) in [
            (
                "sync_rate_bytes_per_second",
                "smarthub_dsl_sync_rate_bytes_per_second",
            ),
            (
                "attainable_rate_bytes_per_second",
                "smarthub_dsl_attainable_rate_bytes_per_second",
            ),
            ("snr_margin_db", "smarthub_dsl_snr_margin_db"),
            ("line_attenuation_db", "smarthub_dsl_line_attenuation_db"),
            (
                "signal_attenuation_db",
                "smarthub_dsl_signal_attenuation_db",
            ),
            ("output_power_dbm", "smarthub_dsl_output_power_dbm"),
        ] {
            assert_eq!(
                num(&format!("/wan/dsl/{d}/{key}")),
                m.get(metric, &[("direction", d)]).unwrap(),
                "{d} {key}"
            );
        }
    }
    for (key, metric) in [
        ("download_rate_bits_per_second", "smarthub_download_rate"),
        ("upload_rate_bits_per_second", "smarthub_upload_rate"),
        ("downloaded_bytes", "smarthub_downloaded_bytes"),
        ("uploaded_bytes", "smarthub_uploaded_bytes"),
    ] {
        assert_eq!(num(&format!("/wan/{key}")), m.value(metric), "{key}");
    }
    let info = &m.series("smarthub_wan_info")[0].labels;
    assert_eq!(string("/wan/ipv4"), info["ipv4"]);
    assert_eq!(string("/wan/ipv4_gateway"), info["ipv4_gateway"]);
    let dns: Vec<&str> = v["wan"]["dns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(dns.join(","), info["dns"]);
    assert!(
        v["wan"].get("throughput").is_none(),
        "one scrape: no rate yet"
    );
    // The hub, without its serial number.
    assert_eq!(num("/hub/uptime_seconds"), m.value("smarthub_uptime"));
    let hub_info = &m.series("smarthub_hub_info")[0].labels;
    assert_eq!(
        string("/hub/firmware_version"),
        hub_info["firmware_version"]
    );
    assert_eq!(string("/hub/lan_ip"), hub_info["lan_ip"]);
    assert_eq!(string("/hub/model"), "SmartHub2");
    assert!(!r.text().contains(&hub_info["serial_number"]), "the serial");
    // Devices, each against its series.
    assert_eq!(num("/devices/known"), m.value("smarthub_lan_known_devices"));
    assert_eq!(
        num("/devices/active"),
        m.value("smarthub_lan_active_devices")
    );
    let list = v["devices"]["list"].as_array().unwrap();
    assert_eq!(list.len(), m.series("smarthub_lan_device_info").len());
    for d in list {
        let mac = d["mac"].as_str().unwrap();
        let s = m
            .series("smarthub_lan_device_active")
            .into_iter()
            .find(|s| s.labels["mac"] == mac)
            .unwrap();
        assert_eq!(d["active"].as_bool(), Some(s.value == 1.0), "{mac}");
        assert_eq!(d["hostname"].as_str(), Some(s.labels["hostname"].as_str()));
        assert_eq!(d["ip"].as_str(), Some(s.labels["ip"].as_str()));
        let labels: Vec<(&str, &str)> = s
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            d["downloaded_bytes"].as_f64(),
            m.get("smarthub_lan_downloaded_bytes", &labels),
            "{mac}"
        );
        let station = m
            .series("smarthub_mesh_station_info")
            .into_iter()
            .find(|s| s.labels["mac"] == mac)
            .unwrap();
        assert_eq!(
            d["connection"].as_str(),
            Some(station.labels["connection"].as_str())
        );
        assert_eq!(d["node"].as_str(), Some(station.labels["node"].as_str()));
        assert_eq!(
            d["signal_dbm"].as_f64(),
            m.get("smarthub_mesh_station_signal_dbm", &[("mac", mac)])
        );
        assert_eq!(
            d["link_rate_bytes_per_second"].as_f64(),
            m.get(
                "smarthub_mesh_station_link_rate_bytes_per_second",
                &[("mac", mac)]
            )
        );
    }
    let nodes = v["mesh"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    for n in nodes {
        let ids = [
            ("node_id", n["id"].as_str().unwrap()),
            ("node", n["name"].as_str().unwrap()),
        ];
        assert_eq!(
            n["uptime_seconds"].as_f64(),
            m.get("smarthub_mesh_node_uptime_seconds", &ids)
        );
        assert_eq!(
            n["stations"].as_f64(),
            m.get("smarthub_mesh_node_stations", &ids)
        );
    }
    // History: this one scrape's minute, in columns; no events.
    assert_eq!(num("/history/step_seconds"), 60.0);
    let rows = history_rows(&v).unwrap().expect("a history");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].time, (at as i64).div_euclid(60) * 60);
    let dir = |name, d| m.get(name, &[("direction", d)]);
    assert_eq!(
        rows[0].values,
        [
            dir("smarthub_dsl_snr_margin_db", "down"),
            dir("smarthub_dsl_snr_margin_db", "up"),
            dir("smarthub_dsl_sync_rate_bytes_per_second", "down"),
            dir("smarthub_dsl_sync_rate_bytes_per_second", "up"),
            None,
            None,
            Some(m.value("smarthub_lan_active_devices")),
        ]
    );
    assert!(
        v["history"].get("throughput_bytes_per_second").is_none(),
        "never known in the window: left out"
    );
    assert_eq!(v["events"].as_array().map(Vec::len), Some(0));
    // Absent, never null (history_rows checks: null is only in its arrays).
    assert!(!r.text().contains("null"));
}

/// `?history=0`: the same document without `history`, from the same
/// scrape; anything but exactly one `history=0` is the whole document.
#[test]
fn history_0_leaves_the_history_out_and_nothing_else() {
    let hub = vdsl_hub();
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "60", "--poll", "0"]);
    let whole: Value = serde_json::from_str(&exp.get("/status.json").text()).unwrap();
    assert!(history_rows(&whole).unwrap().is_some());
    let r = exp.get("/status.json?history=0");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(r.header("content-security-policy").as_deref(), Some(CSP));
    assert_eq!(
        r.header("content-length").and_then(|l| l.parse().ok()),
        Some(r.body.len())
    );
    let lean: Value = serde_json::from_str(&r.text()).unwrap();
    assert_eq!(history_rows(&lean), Ok(None));
    // All else as in the whole document (but the time it was written).
    let (mut a, mut b) = (whole.clone(), lean.clone());
    a.as_object_mut().unwrap().remove("history");
    for d in [&mut a, &mut b] {
        d["exporter"].as_object_mut().unwrap().remove("now");
    }
    assert_eq!(a, b);
    assert!(lean["devices"]["list"]
        .as_array()
        .is_some_and(|l| !l.is_empty()));
    assert!(lean["events"].is_array(), "events stay");
    // In absolute form too, and beside other parameters.
    for target in [
        "/status.json?x=1&history=0",
        &format!("http://{}/status.json?history=0", exp.addr),
    ] {
        let v: Value = serde_json::from_str(&exp.get(target).text()).unwrap();
        assert!(v.get("history").is_none(), "{target}");
    }
    // Malformed or repeated: the default, all of it.
    for target in [
        "/status.json?history=1",
        "/status.json?history=",
        "/status.json?history=no",
        "/status.json?history=0&history=0",
        "/status.json?history=%30",
    ] {
        let v: Value = serde_json::from_str(&exp.get(target).text()).unwrap();
        assert!(history_rows(&v).unwrap().is_some(), "{target}");
    }
    // HEAD: the headers at once, no body.
    let head = exp.request("HEAD", "/status.json?history=0");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(head.header("content-length"), None);
    // The page takes no such parameter.
    assert!(exp.get("/?history=0").text().starts_with("<!DOCTYPE html>"));
    assert_eq!(hub.count(WAN), 1, "one scrape for them all");
}

#[test]
fn the_page_shows_the_figures_of_metrics() {
    let hub = vdsl_hub();
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "60"]);
    let m = exp.scrape();
    let page = exp.get("/").text();
    let dom = parse_html(&page);
    check_allowed(&dom).unwrap();
    check_figures(&dom, &m);
}

#[test]
fn a_failing_collector_shows_its_error_since_when_and_no_figures() {
    let hub = vdsl_hub();
    hub.set(
        OWL,
        Reply::status(302, &[("Location", "javascript:alert('<owl>')")], ""),
    );
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let v: Value = serde_json::from_str(&exp.get("/status.json").text()).unwrap();
    let owl = v["collectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "owl")
        .unwrap();
    assert_eq!(owl["state"], "failing");
    let error = owl["error"].as_str().unwrap();
    assert!(error.starts_with("GET /cgi/cgi_owl.js: "), "{error}");
    assert!(error.contains("javascript:alert('<owl>')"), "{error}");
    let since = owl["failing_since"].as_i64().unwrap();
    assert_eq!(since, v["exporter"]["scraped_at"].as_i64().unwrap());
    assert!(
        v.get("mesh").is_none(),
        "a failing collector's section is absent"
    );
    assert_eq!(v["events"][0]["kind"], "collector_failed");
    assert_eq!(v["events"][0]["collector"], "owl");
    // The page: the error as text, in the owl section and the exporter's.
    let page = exp.get("/").text();
    let dom = parse_html(&page);
    check_allowed(&dom).unwrap();
    let shown_text = text(&dom.document);
    assert!(shown_text.contains("The owl collector is failing: GET /cgi/cgi_owl.js"));
    assert!(shown_text.contains("javascript:alert('<owl>')"));
    assert!(!page.contains("<owl>"), "escaped in the source");
    // Since the first failure, across scrapes.
    sleep(Duration::from_millis(1100));
    let v: Value = serde_json::from_str(&exp.get("/status.json").text()).unwrap();
    let owl = &v["collectors"][3];
    assert_eq!(owl["failing_since"].as_i64(), Some(since));
    assert!(v["exporter"]["scraped_at"].as_i64().unwrap() > since);
    assert_eq!(
        v["events"].as_array().unwrap().len(),
        1,
        "one failure, one event"
    );
    // And it recovers.
    hub.set(OWL, standard_page("owl", 6).unwrap());
    let v: Value = serde_json::from_str(&exp.get("/status.json").text()).unwrap();
    assert_eq!(v["collectors"][3]["state"], "ok");
    assert!(v["collectors"][3].get("failing_since").is_none());
    let kinds: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["collector_failed", "collector_recovered"]);
    assert!(v.get("mesh").is_some());
}

#[test]
fn a_turned_off_or_missing_collector_is_said_so() {
    let hub = vdsl_hub();
    hub.set(OWL, Reply::status(404, &[], "Not Found"));
    let exp = Exporter::start(&hub.host(), &["--no-lan", "--cache-ttl", "0"]);
    let v: Value = serde_json::from_str(&exp.get("/status.json").text()).unwrap();
    let states: Vec<&str> = v["collectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["ok", "disabled", "ok", "unavailable"]);
    assert!(v.get("devices").is_none() && v.get("mesh").is_none());
    assert!(
        v["hub"].get("model").is_none(),
        "the model comes from the mesh page"
    );
    let page = text(&parse_html(&exp.get("/").text()).document);
    assert!(page.contains("The lan collector is turned off."), "{page}");
    assert!(page.contains("This hub has no page for the owl collector."));
}

/// Every name of the hostile hub reaches the page as text, never as
/// markup, read back by html5ever; and the JSON carries it exactly.
#[test]
fn a_hostile_hubs_names_stay_text_in_the_page_and_the_json() {
    let hub = hostile_hub();
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "60"]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0, "every hostile page reads");
    let page = exp.get("/").text();
    assert!(
        !page.contains(SERIAL) && !page.contains("SERIAL-NEVER"),
        "serial on the page"
    );
    let dom = parse_html(&page);
    check_allowed(&dom).unwrap_or_else(|e| panic!("{e}"));
    check_figures(&dom, &m);
    let shown_text = text(&dom.document);
    // Each label of /metrics that is a name is on the page as text.
    let mut checked = 0;
    for s in m.series("smarthub_lan_device_info") {
        let name = shown(&s.labels["name"]);
        assert!(
            shown_text.contains(name.trim()),
            "{name:?} not shown as text"
        );
        checked += 1;
    }
    for s in m.series("smarthub_mesh_node_info") {
        for key in ["node", "model", "firmware"] {
            let v = shown(&s.labels[key]);
            assert!(
                shown_text.contains(v.trim()),
                "{key} {v:?} not shown as text"
            );
            checked += 1;
        }
    }
    assert!(checked >= HOSTILE.len(), "{checked}");
    let json = exp.get("/status.json").text();
    assert!(!json.contains(SERIAL) && !json.contains("SERIAL-NEVER"));
    let v: Value = serde_json::from_str(&json).expect("valid JSON");
    let list = v["devices"]["list"].as_array().unwrap();
    for s in m.series("smarthub_lan_device_info") {
        let d = list
            .iter()
            .find(|d| d["mac"] == s.labels["mac"].as_str())
            .unwrap();
        let name = s.labels["name"].as_str();
        assert_eq!(
            d.get("name").and_then(Value::as_str).unwrap_or(""),
            name,
            "exact in JSON"
        );
    }
    // Nothing in the JSON's text could close a script element it is put in.
    assert!(!json.contains('<') && !json.contains('>'));
    assert_eq!(history_rows(&v).unwrap().map(|r| r.len()), Some(1));
    // Without the history, the same names, as exactly.
    let lean = exp.get("/status.json?history=0").text();
    assert!(!lean.contains('<') && !lean.contains('>'));
    let lean: Value = serde_json::from_str(&lean).expect("valid JSON");
    assert_eq!(history_rows(&lean), Ok(None));
    assert_eq!(lean["devices"], v["devices"]);
    assert_eq!(lean["mesh"], v["mesh"]);
}

/// `--poll`: a scrape when none came for that long; none while something
/// else scrapes more often.
#[test]
fn polls_fill_the_history_without_a_prometheus_and_only_then() {
    let hub = vdsl_hub();
    let exp = Exporter::start(&hub.host(), &["--poll", "10", "--cache-ttl", "0"]);
    // A client scraping every 2 s: no poll between.
    let t = Instant::now();
    let mut asked = 0;
    let mut last_get = Instant::now();
    while t.elapsed() < Duration::from_secs(13) {
        last_get = Instant::now();
        exp.get("/metrics");
        asked += 1;
        sleep(Duration::from_secs(2));
    }
    assert_eq!(
        hub.count(WAN),
        asked,
        "a poll came although something scraped"
    );
    // Left alone, it scrapes by itself, a period after the last scrape.
    let before = hub.count(WAN);
    while hub.count(WAN) == before && last_get.elapsed() < Duration::from_secs(40) {
        sleep(Duration::from_millis(50));
    }
    let waited = last_get.elapsed();
    assert_eq!(hub.count(WAN), before + 1, "no poll in {waited:?}");
    assert!(
        waited >= Duration::from_secs(10),
        "polled {waited:?} after a scrape"
    );
    let t = Instant::now();
    while hub.count(LAN) == before && t.elapsed() < Duration::from_secs(10) {
        sleep(Duration::from_millis(20));
    }
    assert_eq!(hub.count(LAN), before + 1, "a poll is a whole scrape");
    // A HEAD shows nothing new was asked for; the JSON has the poll's report.
    let v: Value = serde_json::from_str(&exp.get("/status.json").text()).unwrap();
    assert_eq!(v["exporter"]["poll_seconds"], 10);
    assert!(!history_rows(&v).unwrap().unwrap().is_empty());
    assert!(v["wan"].get("throughput").is_some(), "two scrapes: a rate");
}
