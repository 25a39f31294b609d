//! Shared by the integration tests and the benchmarks: a fake hub (a real
//! TCP server), a handle on the real exporter binary, page generators in the
//! hub's syntax, and a strict reader of the exposition format.
//!
//! `tests/it/` uses all of it, so unused code is caught there; the crates
//! that use only a part (the benchmarks, the tests kept apart) allow dead
//! code where they declare the module.

pub mod addresses;
pub mod collector;
pub mod dashboard;
pub mod expo;
pub mod exporter;
pub mod fake_hub;
pub mod pages;
pub mod prometheus;

use std::path::PathBuf;

/// The collectors' pages, as the library's table has them: tests name a
/// page by these, never by a string of their own.
pub const WAN: &str = smarthub_exporter::pages::wan::PATH;
pub const LAN: &str = smarthub_exporter::pages::lan::PATH;
pub const STATUS: &str = smarthub_exporter::pages::status::PATH;
pub const OWL: &str = smarthub_exporter::pages::owl::PATH;

/// Waits until `done` holds, looking every 10 ms; fails the test naming
/// `what` after 10 s (times the emulator's slowdown), a limit that only a
/// state that never comes waits out. For what a test would otherwise
/// `sleep` for and hope has happened.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let limit = std::time::Duration::from_secs(10) * exporter::slowdown();
    let t = std::time::Instant::now();
    while !done() {
        assert!(t.elapsed() < limit, "not after {:?}: {what}", t.elapsed());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture under `tests/fixtures/`.
pub fn fixture(rel: &str) -> Vec<u8> {
    let p = repo_root().join("tests/fixtures").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
}

/// The folder of captures that may not be copied here (GPL or unlicensed):
/// `$SMARTHUB_SHARED_FIXTURES`, else `../shared/fixtures` next to the repo.
pub fn shared_fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SMARTHUB_SHARED_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/fixtures"));
    dir.join("MANIFEST.md").is_file().then_some(dir)
}

pub fn shared_fixture(rel: &str) -> Option<Vec<u8>> {
    shared_fixtures_dir().and_then(|d| std::fs::read(d.join(rel)).ok())
}

/// The jxwolstenholme captures end with a `# rest of file truncated` line
/// their publisher added; it is not JavaScript, so it is dropped.
pub fn strip_publisher_notes(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

/// Shrinks a socket's receive buffer to a sliver, so a response to a client
/// that never reads fills it at once and the server's writes would block.
pub fn shrink_receive_buffer(s: &std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    let size: libc::c_int = 2048;
    // SAFETY: a valid socket and a correctly sized int option.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            &size as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0);
}
