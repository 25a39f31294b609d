//! The exporter needs no privilege: as `nobody`, with no capabilities, it
//! listens on its port, reads the hub and serves.
//!
//! A test binary of its own, not a module of `tests/it/`: it sets
//! `$SMARTHUB_EXPORTER_RUNNER` and `$SMARTHUB_EXPORTER_BIN` (a copy run as
//! `nobody`) in its process's environment, which every exporter that any
//! test of the same binary starts would inherit.

// Only part of the support code is used here.
#[allow(dead_code)]
mod support;

use support::exporter::Exporter;
use support::fake_hub::FakeHub;

fn status_field(pid: u32, key: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .unwrap_or_else(|| panic!("{key} not in /proc status"))
        .trim()
        .to_owned()
}

#[test]
fn runs_and_serves_without_root_or_capabilities() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Tests run as root here (CI, containers): drop to nobody for the
        // exporter, as the OpenWrt and systemd services do.
        let dir = std::env::temp_dir().join(format!("smarthub-nobody-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wrapper = dir.join("nobody.sh");
        std::fs::write(
            &wrapper,
            "#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs \"$@\"\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::env::set_var("SMARTHUB_EXPORTER_RUNNER", &wrapper);
        // A checkout under /root is out of nobody's reach: run a copy.
        let copy = dir.join("smarthub-exporter");
        std::fs::copy(support::exporter::binary(), &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::env::set_var("SMARTHUB_EXPORTER_BIN", &copy);
    }
    let hub = FakeHub::with_pages(2);
    let exp = Exporter::start(&hub.host(), &[]);
    let uids = status_field(exp.pid(), "Uid:");
    assert!(
        uids.split_whitespace().all(|u| u != "0"),
        "runs as root: Uid {uids}"
    );
    assert_eq!(
        status_field(exp.pid(), "CapEff:"),
        "0000000000000000",
        "has capabilities"
    );
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
}
