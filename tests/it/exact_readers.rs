//! The literal reader is exact or refuses: on the real binary against the
//! fake hub, a page whose values come from code (a declaration inside a
//! function, `push()`, a reassignment) fails its collector with an error
//! naming the line, never a success with zero or stale values; pages that
//! only declare data, functions included, still read. Run in both builds:
//! the status and mesh pages are always read as literals, the device page
//! only without the `js` feature.

use crate::support::expo::Parsed;
use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::pages;

use crate::support::collector::assert_the_others_read;
use crate::support::{LAN, OWL, STATUS};

/// The 1-based line of `page` on which `needle` first appears.
fn line_of(page: &str, needle: &str) -> usize {
    let at = page
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in page"));
    page[..at].matches('\n').count() + 1
}

/// Families whose name starts with `prefix`.
fn families(m: &Parsed, prefix: &str) -> Vec<String> {
    m.samples
        .iter()
        .filter(|s| s.name.starts_with(prefix))
        .map(|s| s.name.clone())
        .collect()
}

/// Scrapes once and waits for the error line naming `line` and `want`.
fn scrape_expecting_error(exp: &Exporter, path: &str, line: usize, want: &str) -> Parsed {
    let m = exp.scrape();
    let needle = format!("line {line}: {want}");
    assert!(
        exp.wait_log(|l| l.contains(path) && l.contains(&needle)),
        "no log line naming {needle:?} for {path}: {:?}",
        exp.log()
    );
    m
}

#[test]
fn a_mesh_list_declared_inside_a_function_fails_the_mesh_collector_naming_its_line() {
    let devs = pages::devices(6, 1);
    // The real page, then a function whose body declares the list again: a
    // reader that took that declaration would report zero stations and
    // success.
    let page = format!(
        "{}\nfunction f() {{\n  var owl_station=[null];\n}}\n",
        pages::owl_page(&devs)
    );
    let line = line_of(&page, "  var owl_station=[null]");
    let hub = FakeHub::with_pages(6);
    hub.set(OWL, Reply::ok(page));
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let m = scrape_expecting_error(&exp, OWL, line, "owl_station inside function f");
    assert_eq!(m.collector_success("owl"), Some(0.0));
    assert_eq!(families(&m, "smarthub_mesh_"), Vec::<String>::new());
    assert_eq!(families(&m, "smarthub_owl_"), Vec::<String>::new());
    // The other pages still read.
    assert_the_others_read(&m, &["owl"]);
    assert_eq!(m.value("smarthub_up"), 0.0);
}

/// A device page whose lists start empty and are filled by `push()`, as a
/// page with code might: the generated 250-device page rewritten so.
pub(crate) fn pushed_device_page(n: usize) -> String {
    let page = pages::device_page(&pages::devices(n, 3));
    let (head, rest) = page.split_once("null];\nvar rate = [").unwrap();
    let records = head.strip_prefix("var known_device_list=[").unwrap();
    let (rates, tail) = rest.split_once("null];\n").unwrap();
    let push = |list: &str, rows: &str| -> String {
        rows.lines()
            .map(|r| format!("{list}.push({});\n", r.trim_end_matches(',')))
            .collect()
    };
    format!(
        "var known_device_list=[];\nvar rate = [];\n{}{}{tail}",
        push("known_device_list", records),
        push("rate", rates)
    )
}

#[cfg(not(feature = "js"))]
#[test]
fn without_javascript_a_device_list_filled_by_push_fails_naming_the_line() {
    let page = pushed_device_page(250);
    let line = line_of(&page, "known_device_list.push(");
    assert_eq!(line, 3);
    let hub = FakeHub::with_pages(250);
    hub.set(LAN, Reply::ok(page));
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let m = scrape_expecting_error(
        &exp,
        LAN,
        line,
        "known_device_list.push(…) is code, not data",
    );
    assert_eq!(m.collector_success("lan"), Some(0.0));
    // Not a zero pretending to be a count: the family is absent.
    assert!(!m.has("smarthub_lan_known_devices"));
    assert!(!m.has("smarthub_lan_device_info"));
    assert_eq!(m.collector_success("wan"), Some(1.0));
}

#[cfg(feature = "js")]
#[test]
fn with_javascript_a_device_list_filled_by_push_is_read() {
    let hub = FakeHub::with_pages(250);
    hub.set(LAN, Reply::ok(pushed_device_page(250)));
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0), "{:?}", exp.log());
    assert_eq!(m.value("smarthub_lan_known_devices"), 250.0);
    assert_eq!(m.value("smarthub_lan_active_devices"), 125.0);
    // Device 0 is active, with traffic (pages::devices).
    let labels = [
        ("mac", "02:00:00:00:00:00"),
        ("hostname", "device-0"),
        ("ip", "192.168.1.2"),
    ];
    assert_eq!(
        m.get("smarthub_lan_downloaded_bytes", &labels),
        Some(10_150_000.0)
    );
}

/// Without the engine, a loop at top level is code: refused at once, naming
/// the line, rather than read around.
#[cfg(not(feature = "js"))]
#[test]
fn without_javascript_a_top_level_loop_fails_the_device_page_at_once() {
    let hub = FakeHub::with_pages(4);
    hub.set(
        LAN,
        Reply::ok("var known_device_list=[{mac:'AA',hostname:'h',ip:'1'}];\nvar rate=[];\nwhile(true){}\n"),
    );
    // Run, the loop would hold the scrape until this deadline.
    let exp = Exporter::start(&hub.host(), &["--timeout", "30"]);
    let (m, took) = exp.timed_scrape();
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert!(
        took < std::time::Duration::from_secs(30),
        "ran to the deadline: {took:?}"
    );
    assert!(exp.wait_log(|l| l.contains("line 3: `while …` is code, not data")));
}

#[test]
fn a_status_value_reassigned_after_its_declaration_fails_the_status_collector() {
    let page = pages::status_page().replace(
        "var fw_update_time",
        "fw_ver = \"v9%2E99\";\nvar fw_update_time",
    );
    let line = line_of(&page, "fw_ver = \"v9");
    assert_eq!(line, 3);
    let hub = FakeHub::with_pages(4);
    hub.set(STATUS, Reply::ok(page));
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let m = scrape_expecting_error(&exp, STATUS, line, "fw_ver = … is code, not data");
    assert_eq!(m.collector_success("status"), Some(0.0));
    assert!(!m.has("smarthub_hub_info"));
    assert_the_others_read(&m, &["status"]);
}

/// Skipping a function declaration is exact: it does not run. A status page
/// with one (whose body holds every kind of `}` that is not its end) reads
/// as the page without it.
#[test]
fn a_page_that_also_declares_functions_still_reads() {
    let page = format!(
        "function show(s) {{\n  var t = '}}' + `}}${{ {{a: '}}'}}.a }}`; // }}\n  return /[}}]/.test(s) ? t : s / 2;\n}}\n{}",
        pages::status_page()
    );
    let hub = FakeHub::with_pages(4);
    hub.set(STATUS, Reply::ok(page));
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let m = exp.scrape();
    assert_eq!(m.collector_success("status"), Some(1.0), "{:?}", exp.log());
    assert_eq!(
        m.get(
            "smarthub_hub_info",
            &[
                ("firmware_version", "v0.21.03.07094-BT"),
                ("serial_number", "+091298+2107654321"),
                ("lan_ip", "192.168.1.254"),
            ]
        ),
        Some(1.0)
    );
}
