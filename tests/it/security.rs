//! Attacks from both sides. From the Wi-Fi: anyone names their device, and
//! the name reaches a label. From the network: anyone who can reach the
//! exporter sends it what they like, and must not be able to point it at
//! another host.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::collector::{go_exporter_only, rows, GO_EXPORTER};
use crate::support::exporter::{parse_response, Exporter, Response};
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::fixture;
use crate::support::pages::enc;
use crate::support::prometheus::tool;
use smarthub_exporter::pages::{lan::MAX_DEVICES, MAX_LABEL_BYTES};
use smarthub_exporter::script::limits::MAX_ARRAY_LEN;

use crate::support::{LAN, WAN};

/// Names built to break out of a label, a line, the HTTP response or the
/// JavaScript string they sit in, as the hub would write them (percent-
/// encoded, its only escaping); the last ones are already encoded, to carry
/// bytes that are not UTF-8.
fn hostile_names() -> Vec<(String, String)> {
    let plain = [
        "x\"} 1\nsmarthub_up{a=\"",
        "\n# TYPE smarthub_up counter\nsmarthub_up 1\n# HELP x",
        "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "back\\slash\\\" and \\n literally",
        "nul\u{0}byte and \u{7f} and \u{1b}[31mred",
        "line\u{2028}separator\u{2029}and\u{85}nel",
        "'];while(1){};var rate=[{mac:'02:00:00:00:00:01',tx:'9',rx:'9'}];//",
        "\\x27 \\u0027 ${this} `x` </script><script>alert(1)</script>",
        "{{7*7}} %s %n %x",
        "a,b,c (commas do not split a hostname)",
        "\u{feff}bom and \u{202e}rtl override",
    ];
    let mut names: Vec<(String, String)> = plain.iter().map(|n| (enc(n), n.to_string())).collect();
    // As long as DHCP lets a hostname be (255 bytes), in two-byte
    // characters: longer than a label may be, and the cut must fall on a
    // character boundary.
    let long = format!("x{}", "é".repeat(127));
    names.push((enc(&long), long));
    for (encoded, decoded) in [
        ("bad%FFutf8%C3", "bad\u{fffd}utf8\u{fffd}"),
        ("overlong%C0%AF", "overlong\u{fffd}\u{fffd}"),
        ("double%2522encoded", "double%22encoded"),
        ("half%2", "half%2"),
    ] {
        names.push((encoded.to_owned(), decoded.to_owned()));
    }
    names
}

fn mac(i: usize) -> String {
    format!("02:00:00:00:00:{:02X}", i + 1)
}

/// A device page in the hub's syntax with these (encoded) hostnames.
fn page(encoded_names: &[String]) -> String {
    let mut known = String::new();
    let mut rate = String::new();
    for (i, name) in encoded_names.iter().enumerate() {
        known.push_str(&format!(
            "{{mac:'{}',hostname:'{name}',ip:'192%2E168%2E1%2E{}',name:'{name}',activity:'1',os:'{name}',device:'{name}',port:'{name}'}},\n",
            enc(mac(i)),
            i + 2
        ));
        rate.push_str(&format!(
            "{{timestamp:'0',app:'4294967295',mac:'{}',tx:'{}',rx:'{}'}},\n",
            enc(mac(i).to_lowercase()),
            1000 + i,
            2000 + i
        ));
    }
    format!("var known_device_list=[{known}null];\nvar rate=[{rate}null];\naddCfg(\"x\",1,'');\n")
}

/// The families a page of harmless names gives, and the exporter's answer
/// when the devices carry the hostile names instead: anything beyond those
/// families in the answer was injected.
fn hostile_scrape() -> (Vec<String>, Response) {
    let names = hostile_names();
    let encoded: Vec<String> = names.iter().map(|(e, _)| e.clone()).collect();
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(LAN, Reply::ok(page(&encoded)));
    let benign: Vec<String> = (0..names.len()).map(|i| format!("device{i}")).collect();
    let plain = FakeHub::start();
    plain.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    plain.set(LAN, Reply::ok(page(&benign)));
    let families: Vec<String> = Exporter::start(&plain.host(), &go_exporter_only(&[]))
        .scrape()
        .families
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(families.len() > 10, "{families:?}");
    let exp = Exporter::start(&hub.host(), &go_exporter_only(&[]));
    (families, exp.get("/metrics"))
}

#[test]
fn device_names_cannot_break_the_exposition_or_inject_anything() {
    let names = hostile_names();
    let (families, r) = hostile_scrape();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        r.body.len(),
        "the response is exactly as long as it says"
    );
    let text = r.text();
    // Strictly valid: any injected line, label or family would fail here.
    let m = crate::support::expo::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    for s in &m.samples {
        assert!(families.contains(&s.name), "injected {}", s.name);
    }
    assert_eq!(m.series("smarthub_up").len(), 1);
    assert_eq!(m.value("smarthub_up"), 1.0);
    let series = m.series("smarthub_lan_downloaded_bytes");
    assert_eq!(series.len(), names.len(), "one series per device");
    for (i, (_, want)) in names.iter().enumerate() {
        let s = series
            .iter()
            .find(|s| s.labels["mac"] == mac(i))
            .unwrap_or_else(|| panic!("device {i} missing"));
        let mut want = want.clone();
        if want.len() > MAX_LABEL_BYTES {
            let mut end = MAX_LABEL_BYTES;
            while !want.is_char_boundary(end) {
                end -= 1;
            }
            want.truncate(end);
        }
        assert_eq!(s.labels["hostname"], want, "device {i}");
        assert_eq!(s.labels.len(), 3, "no label was added");
        assert_eq!(s.value, (2000 + i) as f64, "device {i}: its own numbers");
        assert!(s.labels["hostname"].len() <= MAX_LABEL_BYTES);
    }
}

/// promtool, an independent reader, agrees the answer with hostile names
/// is valid.
#[test]
#[ignore = "needs promtool (Debian package prometheus); .ci/test runs it"]
fn promtool_reads_the_answer_with_hostile_names_as_valid() {
    let (_, r) = hostile_scrape();
    assert_eq!(r.status, 200);
    let mut promtool = Command::new(tool("promtool"))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    promtool.stdin.take().unwrap().write_all(&r.body).unwrap();
    let out = promtool.wait_with_output().unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            line.contains("should have \"_total\" suffix"),
            "promtool: {line}"
        );
    }
}

#[cfg(feature = "js")]
#[test]
fn a_name_the_hub_failed_to_encode_stays_inside_the_sandbox() {
    use crate::support::exporter::slack;
    use std::time::Duration;
    // If a firmware bug let a name through unencoded, the name would be code.
    // It still runs in the sandbox: bounded in time, with nothing to reach.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    let exp = Exporter::start(&hub.host(), &["--timeout", "2", "--cache-ttl", "0"]);
    let looping = "var known_device_list=[{mac:'AA',hostname:'x'}];while(1){};//'}];var rate=[];";
    hub.set(LAN, Reply::ok(looping));
    let (m, took) = exp.timed_scrape();
    // Stopped at --timeout.
    assert!(took <= Duration::from_secs(2) + slack(), "{took:?}");
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert_eq!(m.collector_success("wan"), Some(1.0));

    let reach = "var known_device_list=[{mac:'AA',hostname:''+(function(){ try { \
        var g = this.constructor.constructor('return this')(); \
        return [typeof g.process, typeof g.require, typeof g.std, typeof g.os, typeof g.fetch, \
                Function('return typeof print')(), typeof import_meta].join(','); \
        } catch (e) { return 'threw'; } })()}]; var rate=[{mac:'aa',tx:'1',rx:'2'}];";
    hub.set(LAN, Reply::ok(reach));
    let m = exp.scrape();
    let host = &m.series("smarthub_lan_downloaded_bytes")[0].labels["hostname"];
    assert!(host.split(',').all(|t| t == "undefined"), "{host}");
}

#[test]
fn nothing_a_client_sends_changes_where_the_exporter_connects() {
    let hub = FakeHub::with_pages(2);
    let elsewhere = FakeHub::with_pages(2);
    let mut exp = Exporter::start(&hub.host(), &go_exporter_only(&["--cache-ttl", "0"]));
    let e = elsewhere.host();
    let attempts = [
        format!("GET /metrics HTTP/1.1\r\nHost: {e}\r\n\r\n"),
        format!("GET http://{e}/metrics HTTP/1.1\r\nHost: {e}\r\n\r\n"),
        format!("GET /metrics?target={e}&host={e}&hub=http://{e}/ HTTP/1.1\r\n\r\n"),
        format!("GET /metrics HTTP/1.1\r\nX-Forwarded-Host: {e}\r\nForwarded: host={e}\r\nReferer: http://{e}/\r\n\r\n"),
        format!("CONNECT {e} HTTP/1.1\r\nHost: {e}\r\n\r\n"),
        format!("GET //{e}/metrics HTTP/1.1\r\n\r\n"),
        format!("GET /metrics/../{e}/ HTTP/1.1\r\n\r\n"),
        format!("GET /metrics@{e} HTTP/1.1\r\n\r\n"),
        format!("GET {WAN} HTTP/1.1\r\n\r\n"),
        format!("GET {LAN} HTTP/1.1\r\nHost: {}\r\n\r\n", hub.host()),
    ];
    let mut scrapes = 0;
    for a in &attempts {
        let r = parse_response(&exp.raw(a.as_bytes()));
        assert!(
            matches!(r.status, 200 | 400 | 404 | 405),
            "{a:?}: {}",
            r.status
        );
        if r.status == 200 {
            scrapes += 1;
        }
    }
    // The four with the path /metrics: an absolute-form target is routed by
    // its path (RFC 9112 §3.2.2), and the host it names is never followed.
    assert_eq!(scrapes, 4, "the /metrics requests are answered");
    assert!(exp.is_running(), "a request stopped the exporter");
    assert!(
        elsewhere.requests().is_empty(),
        "the exporter connected where a client told it to"
    );
    // The configured hub got one set of requests per scrape, for its pages
    // only, with its own address as the Referer, never a client's Host.
    let reqs = hub.requests();
    let on = rows(&GO_EXPORTER);
    assert_eq!(reqs.len(), on.len() * scrapes);
    for r in reqs {
        assert!(on.iter().any(|c| c.path == r.path), "{}", r.path);
        assert_eq!(
            r.referer.as_deref(),
            Some(format!("http://{}/", hub.host()).as_str())
        );
    }
}

/// A hub serving a good wan_conn.xml and this device page, and an exporter
/// for those two pages.
fn serving(page: impl Into<Vec<u8>>) -> (FakeHub, Exporter) {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(LAN, Reply::ok(page.into()));
    let exp = Exporter::start(&hub.host(), &go_exporter_only(&["--timeout", "10"]));
    (hub, exp)
}

/// Each device's hostname label, by MAC, from the traffic series.
fn hostnames(m: &crate::support::expo::Parsed) -> std::collections::BTreeMap<String, String> {
    m.series("smarthub_lan_downloaded_bytes")
        .iter()
        .map(|s| (s.labels["mac"].clone(), s.labels["hostname"].clone()))
        .collect()
}

#[test]
fn a_full_list_of_4096_devices_with_the_trailing_null_is_read_whole() {
    assert_eq!(MAX_ARRAY_LEN, MAX_DEVICES);
    let names: Vec<String> = (0..MAX_DEVICES).map(|i| format!("d{i}")).collect();
    let (_hub, exp) = serving(page(&names));
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    let hosts = hostnames(&m);
    assert_eq!(hosts.len(), MAX_DEVICES);
    assert_eq!(
        hosts[&mac(MAX_DEVICES - 1)],
        format!("d{}", MAX_DEVICES - 1)
    );
    assert_eq!(m.value("smarthub_lan_known_devices"), MAX_DEVICES as f64);
}

#[test]
fn more_devices_than_the_limit_are_cut_not_failed() {
    let names: Vec<String> = (0..5000).map(|i| format!("d{i}")).collect();
    let (_hub, exp) = serving(page(&names));
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    assert_eq!(m.collector_success("wan"), Some(1.0));
    // The first MAX_DEVICES of the page's list, each with its own numbers.
    let hosts = hostnames(&m);
    assert_eq!(hosts.len(), MAX_DEVICES);
    for i in [0, 1, MAX_DEVICES - 1] {
        assert_eq!(hosts[&mac(i)], format!("d{i}"));
        let labels = [
            ("mac", mac(i)),
            ("hostname", format!("d{i}")),
            ("ip", format!("192.168.1.{}", i + 2)),
        ];
        let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            m.get("smarthub_lan_downloaded_bytes", &labels),
            Some((2000 + i) as f64)
        );
    }
    assert!(!hosts.contains_key(&mac(MAX_DEVICES)));
    assert!(!hosts.contains_key(&mac(4999)));
}

#[test]
fn a_name_of_10000_characters_is_cut_and_every_device_kept() {
    let essay = "é".repeat(10_000);
    let names = vec!["first".to_owned(), enc(&essay), "last".to_owned()];
    let (_hub, exp) = serving(page(&names));
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    let hosts = hostnames(&m);
    assert_eq!(hosts.len(), 3);
    assert_eq!(hosts[&mac(0)], "first");
    assert_eq!(hosts[&mac(1)], "é".repeat(MAX_LABEL_BYTES / 2));
    assert_eq!(hosts[&mac(2)], "last");
}

/// [`page`] with raw bytes put in place of `@` in the names: the hub's
/// encoding bypassed, as a firmware bug would.
fn page_with_raw(names: &[&str], raw: &[u8]) -> Vec<u8> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let text = page(&names);
    let mut out = Vec::new();
    for (i, part) in text.split('@').enumerate() {
        if i > 0 {
            out.extend_from_slice(raw);
        }
        out.extend_from_slice(part.as_bytes());
    }
    out
}

#[test]
fn a_byte_that_is_not_utf8_in_a_name_is_a_replacement_character() {
    for raw in [&b"\xe9"[..], b"\xff\xfe", b"\xc3"] {
        let (_hub, exp) = serving(page_with_raw(&["before", "caf@", "after"], raw));
        let m = exp.scrape();
        assert_eq!(m.collector_success("lan"), Some(1.0), "{raw:?}");
        let hosts = hostnames(&m);
        assert_eq!(hosts.len(), 3, "{raw:?}");
        let want = format!(
            "caf{}",
            "\u{fffd}".repeat(String::from_utf8_lossy(raw).chars().count())
        );
        assert_eq!(hosts[&mac(1)], want, "{raw:?}");
        assert_eq!(hosts[&mac(0)], "before");
        assert_eq!(hosts[&mac(2)], "after");
    }
}

#[test]
fn a_nul_byte_is_a_character_in_a_name_and_anywhere_else() {
    let mut body = page_with_raw(&["n@ul", "plain"], b"\0");
    body.extend_from_slice(
        b"// a comment with a \0 in it\n/* and \0 here */\naddCfg(\"x\",2,'\0');\n",
    );
    let (_hub, exp) = serving(body);
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    let hosts = hostnames(&m);
    assert_eq!(hosts[&mac(0)], "n\0ul");
    assert_eq!(hosts[&mac(1)], "plain");
}
