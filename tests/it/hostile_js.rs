//! Hostile JavaScript on the device page: anyone on the Wi-Fi names their
//! device, and anyone who owns the hub writes the page. Each attack must end
//! within the scrape's deadline, inside the memory limit, with the WAN
//! metrics intact, and leave nothing running after the answer.
#![cfg(feature = "js")]

use std::thread::sleep;
use std::time::Duration;

use crate::support::collector::go_exporter_only;
use crate::support::exporter::{slack, Exporter};
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::fixture;

use crate::support::{LAN, WAN};

/// The `--timeout` of [`with_lan`]: so far off that a scrape that ends
/// before it did not run into it.
const FAR_OFF: u64 = 30;

const ATTACKS: &[(&str, &str)] = &[
    ("infinite loop", "var known_device_list=[]; var rate=[]; for(;;){}"),
    ("string doubling", "var s='x'; for(;;){ s = s + s; }"),
    ("array growth", "var a=[]; for(;;){ a.push({mac:'AA', hostname: 'x'.repeat(100)}); }"),
    ("huge array", "var known_device_list = new Array(1e9).fill('x'); var rate=[];"),
    ("deep recursion", "function f(n){ return f(n+1) + 1; } f(0);"),
    ("deeply nested literal", ""), // filled in below
    ("getter that never returns", "var known_device_list=[{}]; Object.defineProperty(known_device_list[0], 'mac', {enumerable: true, get: function(){ for(;;){} }}); var rate=[];"),
    ("thrown object with a looping toString", "throw {toString: function(){ for(;;){} }};"),
    ("cyclic list", "var known_device_list=[]; known_device_list.push(known_device_list); var rate=[];"),
    ("10 million devices", "var known_device_list=[]; for (var i=0;i<1e7;i++) known_device_list.push({mac:''+i}); var rate=[];"),
    ("catch and retry", "for(;;){ try { for(;;){} } catch(e) {} }"),
    ("eval of a loop", "eval('for(;;){}');"),
];

#[test]
fn every_attack_is_contained() {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    let exp = Exporter::start(&hub.host(), &["--timeout", "2", "--cache-ttl", "0"]);
    let nested = format!(
        "var known_device_list={}1{}; var rate=[];",
        "[".repeat(1 << 20),
        "]".repeat(1 << 20)
    );
    for (name, src) in ATTACKS {
        let src = if src.is_empty() { nested.as_str() } else { src };
        hub.set(LAN, Reply::ok(src));
        let (m, took) = exp.timed_scrape();
        // Stopped at --timeout.
        assert!(
            took <= Duration::from_secs(2) + slack(),
            "{name}: took {took:?}"
        );
        assert_eq!(m.collector_success("lan"), Some(0.0), "{name}");
        assert_eq!(m.collector_success("wan"), Some(1.0), "{name}");
        assert_eq!(m.value("smarthub_connected"), 1.0, "{name}");
    }
    // The heap limit (16 MiB) held: peak RSS stays well under what the
    // attacks asked for (gigabytes).
    let hwm = exp.vm_hwm_kib();
    assert!(hwm < 40 * 1024, "peak RSS {hwm} KiB");
    // Nothing runs on after the answers: no CPU, no stray threads.
    sleep(Duration::from_millis(300));
    let before = exp.cpu_ticks();
    sleep(Duration::from_secs(1));
    let burnt = exp.cpu_ticks() - before;
    assert!(burnt <= 1, "{burnt} ticks of CPU while idle");
    assert_eq!(
        exp.threads(),
        crate::support::exporter::THREADS,
        "helper threads left behind"
    );
    // And it still serves real pages afterwards.
    hub.serve_fixtures(&[("wan", "hub/wan_gfast_row1.xml")]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
}

#[test]
fn html_instead_of_javascript_is_named() {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(LAN, Reply::ok(fixture("hub/login.htm")));
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert!(
        exp.wait_log(|l| l.contains(LAN) && l.contains("HTML page, not JavaScript")),
        "{:?}",
        exp.log()
    );
}

#[test]
fn the_page_cannot_reach_outside_the_sandbox() {
    // If any host object existed, the page could leak it into a label.
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(
        LAN,
        Reply::ok(
            "var probe = [typeof require, typeof process, typeof std, typeof os, typeof fetch, typeof XMLHttpRequest, \
             typeof setTimeout, typeof JSON, typeof Promise, typeof import_meta, typeof globalThis.print].join(',');\n\
             var known_device_list=[{mac:'AA',hostname:probe,ip:'1'}]; var rate=[{mac:'aa',tx:'1',rx:'2'}];",
        ),
    );
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    let host = &m.series("smarthub_lan_downloaded_bytes")[0].labels["hostname"];
    assert!(host.split(',').all(|t| t == "undefined"), "{host}");
}

/// A hub serving a good wan_conn.xml and this device page, and an exporter
/// for those two pages.
fn with_lan(page: &str) -> (FakeHub, Exporter) {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(LAN, Reply::ok(page.to_owned()));
    let timeout = FAR_OFF.to_string();
    let exp = Exporter::start(&hub.host(), &go_exporter_only(&["--timeout", &timeout]));
    (hub, exp)
}

fn hostnames(m: &crate::support::expo::Parsed) -> Vec<String> {
    let mut h: Vec<String> = m
        .series("smarthub_lan_downloaded_bytes")
        .iter()
        .map(|s| format!("{}={}", s.labels["mac"], s.labels["hostname"]))
        .collect();
    h.sort();
    h
}

const TWO: &str =
    "var known_device_list=[{mac:'AA',hostname:'a',ip:'1'},{mac:'BB',hostname:'b',ip:'2'},null];\n\
                   var rate=[{mac:'aa',tx:'1',rx:'2'},{mac:'bb',tx:'3',rx:'4'},null];\n";

#[test]
fn a_page_that_throws_after_its_lists_keeps_them() {
    let (_hub, exp) = with_lan(&format!("{TWO}undefinedHelper();\nvar later = 1;\n"));
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    assert_eq!(hostnames(&m), ["AA=a", "BB=b"]);
    // Thrown before the lists: the error says what was thrown.
    let (_hub, exp) = with_lan(&format!("undefinedHelper();\n{TWO}"));
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert!(
        exp.wait_log(|l| l.contains(LAN)
            && l.contains("undefinedHelper is not defined (line 1)")
            && l.contains("before known_device_list was defined")),
        "{:?}",
        exp.log()
    );
}

#[test]
fn the_built_ins_a_data_page_might_use() {
    // Date is offered; a RegExp literal fails the page wherever it is,
    // JSON when called, each named in the error (both cost over 30 KB on
    // a router).
    let (_hub, exp) = with_lan(
        "var when = new Date(Date.UTC(2024, 0, 2)).toISOString();\n\
         var known_device_list=[{mac:'AA',hostname:when,ip:'1'},null]; var rate=[{mac:'aa',tx:'1',rx:'2'}];\n",
    );
    let m = exp.scrape();
    assert_eq!(hostnames(&m), ["AA=2024-01-02T00:00:00.000Z"]);
    let (_hub, exp) = with_lan(&format!(
        "{TWO}function unused(s) {{ return /^[0-9]+$/.test(s); }}\n"
    ));
    assert_eq!(exp.scrape().collector_success("lan"), Some(0.0));
    assert!(
        exp.wait_log(|l| l.contains(LAN)
            && l.contains("regular expression literal")
            && l.contains("no RegExp")),
        "{:?}",
        exp.log()
    );
    // JSON after the lists is a throw after them: the lists are read.
    let (_hub, exp) = with_lan(&format!("{TWO}var extra = JSON.parse('[1]');\n"));
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    assert_eq!(hostnames(&m), ["AA=a", "BB=b"]);
    // JSON to build them: the error names it.
    let (_hub, exp) = with_lan("var known_device_list = JSON.parse('[]'); var rate = [];");
    assert_eq!(exp.scrape().collector_success("lan"), Some(0.0));
    assert!(
        exp.wait_log(|l| l.contains(LAN) && l.contains("this build offers no JSON")),
        "{:?}",
        exp.log()
    );
}

#[test]
fn polluted_prototypes_make_no_phantom_devices_or_fields() {
    let page = "Object.prototype.mac = '66:66:66:66:66:66';\n\
        Object.prototype.hostname = 'phantom';\n\
        Object.prototype.rx = '999'; Object.prototype.tx = '999';\n\
        Array.prototype[1] = {mac:'77:77:77:77:77:77', hostname:'hole', ip:'7'};\n\
        var known_device_list=[{mac:'AA',ip:'1'}, , {ip:'3'}, {mac:'BB',hostname:'b',ip:'2'}, null];\n\
        var rate=[{mac:'aa'}, {mac:'bb',tx:'3',rx:'4'}, null];\n";
    let (_hub, exp) = with_lan(page);
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    // AA has no hostname of its own and no numbers of its own; the hole and
    // the record without a mac are no devices.
    assert_eq!(hostnames(&m), ["BB=b"]);
    assert_eq!(m.value("smarthub_lan_known_devices"), 2.0);
    let known: Vec<String> = m
        .series("smarthub_lan_device_active")
        .iter()
        .map(|s| format!("{}={}", s.labels["mac"], s.labels["hostname"]))
        .collect();
    assert!(
        !known
            .iter()
            .any(|k| k.contains("66:66") || k.contains("77:77") || k.contains("phantom")),
        "{known:?}"
    );
}

#[test]
fn a_getter_on_a_record_is_never_called() {
    // If copying out called it, the scrape would run to the deadline.
    let page = "var known_device_list=[{mac:'AA',ip:'1'}];\n\
        Object.defineProperty(known_device_list[0], 'hostname', {enumerable: true, get: function(){ for(;;){} }});\n\
        var rate=[{mac:'aa',tx:'1',rx:'2'}];\n";
    let (_hub, exp) = with_lan(page);
    let (m, took) = exp.timed_scrape();
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert!(
        took < Duration::from_secs(FAR_OFF),
        "ran to the deadline: {took:?}"
    );
    assert!(
        exp.wait_log(|l| l.contains(LAN) && l.contains("field hostname is an accessor")),
        "{:?}",
        exp.log()
    );
}
