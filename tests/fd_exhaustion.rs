//! Out of file descriptors: the exporter pauses accepting (ACCEPT_BACKOFF)
//! rather than spinning on a listener that stays readable, and serves again
//! once descriptors are free.
//!
//! A test binary of its own, not a module of `tests/it/`: it sets
//! `$SMARTHUB_EXPORTER_RUNNER` (a wrapper that lowers `ulimit -n`) in its
//! process's environment, which every exporter that any test of the same
//! binary starts would inherit.

// Only part of the support code is used here.
#[allow(dead_code)]
mod support;

use std::net::TcpStream;
use std::thread::sleep;
use std::time::Duration;

use support::exporter::Exporter;
use support::fake_hub::FakeHub;

#[test]
fn running_out_of_descriptors_does_not_spin_and_recovers() {
    let dir = std::env::temp_dir().join(format!("smarthub-nofile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrapper = dir.join("nofile.sh");
    // 3 standard streams, the listener, and a few to spare.
    std::fs::write(&wrapper, "#!/bin/sh\nulimit -n 12\nexec \"$@\"\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::env::set_var("SMARTHUB_EXPORTER_RUNNER", &wrapper);

    let hub = FakeHub::with_pages(2);
    let mut exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    assert_eq!(exp.get("/metrics").status, 200);
    // Far more connections than descriptors: they wait in the backlog, and
    // the listener stays readable while accept() fails.
    let held: Vec<TcpStream> = (0..30)
        .map(|_| TcpStream::connect(exp.addr).unwrap())
        .collect();
    sleep(Duration::from_millis(200));
    let before = exp.cpu_ticks();
    sleep(Duration::from_millis(700));
    let burnt = exp.cpu_ticks() - before;
    assert!(
        burnt <= 20,
        "{burnt} ticks in 0.7 s: accepting in a busy loop"
    );
    assert!(
        exp.wait_log(|l| l.contains("accept failed") && l.contains("pausing")),
        "{:?}",
        exp.log()
    );
    // The held ones are dropped after READ_TIMEOUT, the backlog drains, and
    // a scrape is served again.
    drop(held);
    sleep(Duration::from_millis(1500));
    assert_eq!(exp.get("/metrics").status, 200);
    assert!(exp.is_running());
    let _ = std::fs::remove_dir_all(&dir);
}
