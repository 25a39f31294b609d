//! A real Prometheus server for the tests that need one (the interop and
//! alert tests): Debian's `prometheus` and `promtool`, found on `PATH`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A tool of Debian's `prometheus` package; a missing one fails the test,
/// saying how to install it.
pub fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!("`{name}` is not installed: `apt-get install prometheus` (Debian 12's package has both prometheus and promtool), or run .ci/test, which installs it")
    })
}

/// Starts a Prometheus with `config` as its `prometheus.yml`, keeping its
/// files in `dir`, on a free loopback port: the process and the port.
pub fn spawn(dir: &Path, config: &str) -> (Child, u16) {
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(tool("prometheus"))
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (child, port)
}
