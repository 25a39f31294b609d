//! The page in real programs: Debian's Chromium (headless) builds its DOM
//! and takes screenshots, w3m dumps it as text, the Nu Html Checker
//! validates it. Against the replayed demo hub and the hostile hub.
//!
//! Ignored by a plain `cargo test` (they need those programs);
//! `.ci/test` installs them and runs these with `--include-ignored`. The
//! screenshots are kept in `target/screenshots/` (a CI artefact).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use super::{check_allowed, check_figures, figures, hostile_hub, parse_html, SERIAL};
use crate::support::expo::Parsed;
use crate::support::exporter::Exporter;
use crate::support::fake_hub::Reply;
use crate::support::{repo_root, LAN};

/// A directory of its own for each Chromium run (its profile).
fn scratch(what: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "smarthub-overview-{}-{}-{what}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Headless Chromium with the flags the suite uses everywhere, and `args`.
fn chromium(args: &[&str]) -> Vec<u8> {
    let profile = scratch("profile");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("chromium (Debian package chromium): {e}"));
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        out.status.success(),
        "chromium {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The DOM Chromium builds from the page, serialised.
fn dump_dom(url: &str) -> String {
    String::from_utf8(chromium(&["--dump-dom", url])).unwrap()
}

/// A screenshot into `target/screenshots/NAME.png`: as on a desktop, and
/// as on a phone in dark mode.
fn screenshots(url: &str, name: &str) {
    let dir = repo_root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (suffix, size, extra) in [
        ("", "1280,2600", None),
        ("-phone-dark", "390,5200", Some("--force-dark-mode")),
    ] {
        let path = dir.join(format!("{name}{suffix}.png"));
        let _ = std::fs::remove_file(&path);
        let shot = format!("--screenshot={}", path.display());
        let window = format!("--window-size={size}");
        let mut args = vec![shot.as_str(), window.as_str(), "--hide-scrollbars"];
        args.extend(extra);
        args.push(url);
        chromium(&args);
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(len > 10_000, "{}: {len} bytes", path.display());
    }
}

fn w3m(url: &str) -> String {
    let out = Command::new("w3m")
        .args(["-dump", "-cols", "120", "-O", "UTF-8", url])
        .output()
        .unwrap_or_else(|e| panic!("w3m (Debian package w3m): {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace('\u{a0}', " ")
}

/// The Nu Html Checker's jar, from the npm package `vnu-jar` installed
/// globally (`npm install -g vnu-jar`), or `$VNU_JAR`.
fn vnu_jar() -> PathBuf {
    if let Some(p) = std::env::var_os("VNU_JAR") {
        return PathBuf::from(p);
    }
    let root = Command::new("npm")
        .args(["root", "-g"])
        .output()
        .expect("npm, for the vnu-jar package");
    let root = String::from_utf8(root.stdout).unwrap();
    let jar = Path::new(root.trim()).join("vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.is_file(),
        "{} missing: npm install -g vnu-jar",
        jar.display()
    );
    jar
}

/// Validates the page with the Nu Html Checker: no error, no warning.
fn validate(page: &str, name: &str) {
    let dir = scratch("vnu");
    let file = dir.join(format!("{name}.html"));
    std::fs::write(&file, page).unwrap();
    let out = Command::new("java")
        .args(["-jar"])
        .arg(vnu_jar())
        .args(["--also-check-svg", "--format", "text"])
        .arg(&file)
        .output()
        .expect("java (Debian package default-jre-headless)");
    let _ = std::fs::remove_dir_all(&dir);
    let report =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{name}: {report}");
    for kind in ["Error:", "Warning:", "Info warning:"] {
        assert!(!report.contains(kind), "{name}: {report}");
    }
    assert!(report.contains("No errors found"), "{name}: {report}");
}

/// Everything, for one exporter: Chromium's DOM holds only the page's
/// elements and the figures of `/metrics`; w3m shows the same figures;
/// the page validates; screenshots.
fn check_in_browsers(exp: &Exporter, m: &Parsed, name: &str) {
    let url = format!("http://{}/", exp.addr);
    let served = exp.get("/").text();
    validate(&served, name);
    let dom = parse_html(&dump_dom(&url));
    check_allowed(&dom).unwrap_or_else(|e| panic!("{name}: Chromium's DOM: {e}"));
    check_figures(&dom, m);
    let text = w3m(&url);
    for want in figures(m).strings {
        assert!(
            text.contains(&want),
            "{name}: w3m -dump lacks {want:?}:\n{text}"
        );
    }
    screenshots(&url, name);
}

#[test]
#[ignore = "needs chromium, w3m, java and vnu-jar (Debian packages chromium, w3m, default-jre-headless; npm vnu-jar); .ci/test runs it"]
fn the_demo_hub_in_chromium_w3m_and_the_validator() {
    let demo = repo_root().join("demo/hub");
    let exp = Exporter::start_env(
        None,
        &["--replay", demo.to_str().unwrap(), "--cache-ttl", "300"],
        &[],
    );
    // The first request waits for the recording's day.
    let json = exp.get("/status.json").text();
    let v: Value = serde_json::from_str(&json).unwrap();
    let rows = super::history_rows(&v).unwrap().expect("a history");
    assert!(rows.len() >= 1439, "{} minutes", rows.len());
    // Every figure every minute, but the first minute's rate (no scrape
    // before it).
    assert!(rows[1..]
        .iter()
        .all(|r| r.values.iter().all(Option::is_some)));
    // The whole day within what rpcd passes from an exec plugin (256 KiB).
    assert!(json.len() < 256 * 1024, "{} bytes", json.len());
    let m = exp.scrape();
    let page = exp.get("/").text();
    assert_eq!(page.matches("<svg ").count(), 4, "four charts of the day");
    check_in_browsers(&exp, &m, "demo");
}

#[test]
#[ignore = "needs chromium, w3m, java and vnu-jar (Debian packages chromium, w3m, default-jre-headless; npm vnu-jar); .ci/test runs it"]
fn a_hostile_hub_in_chromium_w3m_and_the_validator() {
    let hub = hostile_hub();
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "300"]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    check_in_browsers(&exp, &m, "hostile");
    let dom = dump_dom(&format!("http://{}/", exp.addr));
    assert!(!dom.contains(SERIAL));
    // A second exporter whose device page fails with a hostile redirect:
    // the error and the event, as text.
    hub.set(
        LAN,
        Reply::status(
            302,
            &[("Location", "javascript:alert(1)//\"><svg onload=alert(2)>")],
            "",
        ),
    );
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "300"]);
    let m = exp.scrape();
    assert_eq!(m.collector_success("lan"), Some(0.0));
    let url = format!("http://{}/", exp.addr);
    let dom = parse_html(&dump_dom(&url));
    check_allowed(&dom).unwrap_or_else(|e| panic!("failing: {e}"));
    let text = super::text(&dom.document);
    assert!(text.contains("<svg onload=alert(2)>"), "the error, as text");
    validate(&exp.get("/").text(), "hostile-failing");
    screenshots(&url, "hostile-failing");
}
